/* pipeline.h: config text -> checked config -> hardware -> resolve -> checks -> plan, the
 * path that check, build and the fuzzer share. Each stage has its header (lower.h, hwsource.h,
 * resolve.h, check.h, plan_build.h); this one strings them together (pipeline.c). */
#ifndef VFIOC_PIPELINE_H
#define VFIOC_PIPELINE_H

#include "base/diag.h"
#include "compiler/hwsource.h"
#include "compiler/plan.h"
#include "hw/hw.h"
#include "model/config.h"
#include "schema/config/lower.h"

/* Every check against hw; when nothing is an error, the plan (else NULL). outdir, when not
 * NULL, is where outputs go: plan->config_rel is the config's path relative to it. */
struct plan *check_and_plan(const struct config *cfg, const struct hw *hw, const char *outdir,
			    struct diags *ds);

/* compile_config's flags. */
#define COMPILE_NO_ESCAPE_HATCHES 1u  /* each escape hatch set is an error (--no-escape-hatches) */

/* All of the above: load path, get its hardware, check, plan. NULL when anything failed. */
struct plan *compile_config(const char *path, const struct hw_opts *opts, const char *outdir,
			    unsigned flags, struct diags *ds);

/* What compile_config looked at, for the summary line check and build end with on a
 * terminal. Counts stay 0 for a stage that was not reached. */
struct compile_counts {
	bool loaded;          /* the config was read */
	size_t vms, devices;  /* its VMs, and the PCI devices they pass */
	char *hardware;       /* the hardware's source (hw->source), malloc'd; NULL: not read */
	size_t hw_devices;    /* the PCI devices it has */
};
/* compile_config that also fills *n (free n->hardware after). */
struct plan *compile_config_counted(const char *path, const struct hw_opts *opts,
				    const char *outdir, unsigned flags, struct diags *ds,
				    struct compile_counts *n);

#endif
