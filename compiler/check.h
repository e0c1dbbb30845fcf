/* check.h: the checks. Each is a record { name, run, needs_hw } defined in the check_*.c of
 * its subject, its function over a struct check_ctx, which carries the config, the hardware
 * and what the checks resolve on the way (which hardware device each `pci` entry names,
 * which VM claims each device), so the plan (plan_build.h) is built from the same facts
 * that were checked. checks[] (check.c) lists them in the order they run. Facts about the
 * hardware itself (device names, groups, SMT siblings, page sizes) are the hardware
 * model's (hw.h), shared with `vfioc groups`, `init` and `verify`.
 *
 * To add a check:
 *  1. a row in diag.def for each diagnostic it emits: DIAG(ID, SEVERITY, "code", "why"),
 *     then `make schema-json` (the code list in docs/config-reference.md and the man page);
 *  2. in the check_*.c of its subject (or a new file: the Makefile finds it), a static
 *     function over the context and its record:
 *         const struct check check_NAME = { "NAME", run, NEEDS_HW };
 *  3. in check.c, `extern const struct check check_NAME;` and `&check_NAME,` in checks[],
 *     after every check whose results it reads (cx->vms and cx->owner: "devices");
 *  4. goldens in tests/golden/check: CASE.yaml, a config that fires it, and CASE-ok.yaml,
 *     the nearest config that checks clean, each opening with "# exit: N" and
 *     "# root: NAME" (tests/roots/NAME.desc or golden/check/roots/NAME.desc); then
 *     `make golden-update` writes their .stderr: review the diff (tests/golden/README.md). */
#ifndef VFIOC_CHECK_H
#define VFIOC_CHECK_H

#include <stddef.h>

#include "base/diag.h"
#include "hw/hw.h"
#include "model/config.h"

#define NO_VM ((size_t)-1)   /* owner of a device no VM claims */

/* One `pci` entry resolved to a hardware device. */
struct rdev {
	const struct cfg_pci *entry;
	size_t hw;               /* index into hw->pci */
};

/* A VM's resolved devices: entry order while checking, address order after check_devices. */
struct rvm {
	struct rdev *dev;
	size_t n, cap;
	bool unresolved;         /* an entry names no device: group rules would only echo it */
};

struct check_ctx {
	const struct config *cfg;
	const struct hw *hw;     /* NULL: config-only checks */
	struct diags *ds;
	enum iommu_mode iommu;   /* resolved: INTEL, AMD or OFF */
	struct rvm *vms;         /* parallel to cfg->vms */
	size_t *owner;           /* per hw device: the first VM that claims it, or NO_VM */
	const struct cfg_pci **owner_entry;  /* per hw device: that VM's entry */
	size_t *stamp;           /* per hw device: scratch marks (VM index + 1), see check_groups */
	size_t *group_stamp;     /* per hw group: scratch marks */
	enum bind_mode bind;     /* resolved: IDS or DRIVER_OVERRIDE */
	char *bind_reason;       /* why, one sentence, malloc'd */
};

void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds);
void check_ctx_fini(struct check_ctx *cx);

struct check {
	const char *name;        /* "groups" */
	void (*run)(struct check_ctx *cx);
	bool needs_hw;           /* runs only when cx->hw is there */
};

enum { CONFIG_ONLY = false, NEEDS_HW = true };  /* for needs_hw */

extern const struct check *const checks[];  /* NULL-terminated, in run order */

/* Every check of checks[] that cx can run (those needing hardware only with cx->hw). */
void checks_run(struct check_ctx *cx);

/* The hardware device an entry names (index into hw->pci), or NO_VM after reporting why
 * there is none (check_resolve.c, for the devices check). */
size_t check_resolve(struct check_ctx *cx, const struct cfg_pci *e);

#endif
