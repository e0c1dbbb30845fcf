/* check.h: the checks. Each is a record { name, run, needs_hw } defined in the check_*.c of
 * its subject, its function over a const struct check_ctx, which carries the config, the
 * hardware and what was resolved before any check runs (resolve.h: which hardware device
 * each `pci` entry names, which VM claims each device, the IOMMU parameter, the binding),
 * so the plan (plan_build.h) is built from the same facts that were checked. A check only
 * reads them and reports, so the order of checks[] (check.c) decides nothing but which of
 * two diagnostics at one place prints first. Facts about the
 * hardware itself (device names, groups, SMT siblings, page sizes) are the hardware
 * model's (hw.h), shared with `vfioc groups`, `init` and `verify`.
 *
 * To add a check:
 *  1. a row in diag.def for each diagnostic it emits: DIAG(ID, SEVERITY, "code", "why"),
 *     then `make schema-json` (the code list in docs/config-reference.md and the man page);
 *  2. in the check_*.c of its subject (or a new file: the Makefile finds it), a static
 *     function over the context and its record:
 *         const struct check check_NAME = { "NAME", run, NEEDS_HW };
 *  3. in check.c, `extern const struct check check_NAME;` and `&check_NAME,` in checks[];
 *  4. goldens in tests/golden/check: CASE.yaml, a config that fires it, and CASE-ok.yaml,
 *     the nearest config that checks clean, each opening with "# exit: N" and
 *     "# root: NAME" (tests/roots/NAME.desc or golden/check/roots/NAME.desc); then
 *     `make golden-update` writes their .stderr: review the diff (tests/golden/README.md). */
#ifndef VFIOC_CHECK_H
#define VFIOC_CHECK_H

#include <stddef.h>

#include "base/diag.h"
#include "compiler/resolve.h"
#include "hw/hw.h"
#include "model/config.h"

struct check_ctx {
	const struct config *cfg;
	const struct hw *hw;     /* NULL: config-only checks */
	struct diags *ds;
	struct resolved res;     /* decided before any check runs (resolve.h) */
	size_t *stamp;           /* per hw device: scratch marks (VM index + 1), see check_groups */
};

/* Resolve cfg on hw (resolve.h, reporting entries that name no device), then ready the
 * checks' scratch marks. */
void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds);
void check_ctx_fini(struct check_ctx *cx);

struct check {
	const char *name;        /* "groups" */
	void (*run)(const struct check_ctx *cx);
	bool needs_hw;           /* runs only when cx->hw is there */
};

enum { CONFIG_ONLY = false, NEEDS_HW = true };  /* for needs_hw */

extern const struct check *const checks[];  /* NULL-terminated, in run order */

/* Every check of checks[] that cx can run (those needing hardware only with cx->hw). */
void checks_run(const struct check_ctx *cx);

#endif
