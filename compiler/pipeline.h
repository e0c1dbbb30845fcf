/* pipeline.h: config text -> checked config -> hardware -> checks -> plan, the path that
 * check, build and the fuzzer share. */
#ifndef VFIOC_PIPELINE_H
#define VFIOC_PIPELINE_H

#include "config.h"
#include "diag.h"
#include "hw.h"
#include "plan.h"

/* Where the hardware comes from; both NULL: `hardware:` of the config, else the live host. */
struct hw_opts {
	const char *root;      /* --root DIR */
	const char *snapshot;  /* --hardware FILE */
};

/* Read and lower a config (schema checks only). NULL on any error. Free with config_free. */
struct config *config_load(const char *path, struct diags *ds);
struct config *config_load_mem(const char *name, const char *text, size_t len, struct diags *ds);
void config_free(struct config *cfg);

/* Obtain the hardware for cfg according to opts (see above). NULL on failure. */
struct hw *hw_for_config(const struct config *cfg, const struct hw_opts *opts, struct diags *ds);

/* Every check against hw; when nothing is an error, the plan (else NULL). outdir, when not
 * NULL, is where outputs go: plan->config_rel is the config's path relative to it. */
struct plan *check_and_plan(const struct config *cfg, const struct hw *hw, const char *outdir,
			    struct diags *ds);

/* All of the above: load path, get its hardware, check, plan. NULL when anything failed. */
struct plan *compile_config(const char *path, const struct hw_opts *opts, const char *outdir,
			    struct diags *ds);

#endif
