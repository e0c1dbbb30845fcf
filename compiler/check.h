/* check.h: the checks. Each is one function over a struct check_ctx, which carries the
 * config, the hardware and what the checks resolve on the way (which hardware device each
 * `pci` entry names, which VM claims each device), so the plan (plan_build.h) is built from
 * the same facts that were checked. checks[] (check.c) lists them in the order they run;
 * facts about the hardware itself (device names, groups, SMT siblings, page sizes) are the
 * hardware model's (hw.h), shared with `vfioc groups`, `init` and `verify`.
 *
 * To add a check:
 *  1. a row in diag.def for each diagnostic it emits: DIAG(ID, SEVERITY, "code", "why"),
 *     then `make schema-json` (the code list in docs/config-reference.md and the man page);
 *  2. void check_NAME(struct check_ctx *cx) in the check_*.c of its subject (a new file
 *     for a new subject: the Makefile finds it), declared below;
 *  3. a row { "NAME", check_NAME, NEEDS_HW } in checks[] in check.c, after every check
 *     whose results it reads (cx->vms and cx->owner are filled by "devices");
 *  4. goldens in tests/golden/check: CASE.yaml, a config that fires it ("# root: NAME" on
 *     its first line, tests/roots/NAME.desc or golden/check/roots/NAME.desc), and
 *     CASE-ok.yaml, the nearest config that checks clean, each with its .rc and .stderr
 *     (UPDATE=1 sh t-check.sh in tests/ writes them; review the diff; see t-check.sh). */
#ifndef VFIOC_CHECK_H
#define VFIOC_CHECK_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "hw.h"

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

enum { CONFIG_ONLY = false, NEEDS_HW = true };  /* for the needs_hw column */

extern const struct check checks[];  /* ends with a row whose name is NULL; in run order */

/* Every check of checks[] that cx can run (those needing hardware only with cx->hw). */
void checks_run(struct check_ctx *cx);

/* The checks, in the order of checks[]. */
void check_config(struct check_ctx *cx);   /* rules between keys, no hardware */
void check_host(struct check_ctx *cx);     /* iommu mode against the CPU vendor */
void check_devices(struct check_ctx *cx);  /* resolve pci entries; per-device rules */
void check_boot_gpu(struct check_ctx *cx); /* the firmware's boot GPU passed */
void check_groups(struct check_ctx *cx);   /* IOMMU group viability, functions left */
void check_binding(struct check_ctx *cx);  /* ids or driver-override */
void check_cpus(struct check_ctx *cx);     /* pins that exist */
void check_memory(struct check_ctx *cx);   /* hugepages and RAM */
void check_usb(struct check_ctx *cx);      /* USB devices present */
void check_slots(struct check_ctx *cx);    /* passed devices fit the guest's PCIe buses */

/* The hardware device an entry names (index into hw->pci), or NO_VM after reporting why
 * there is none (check_resolve.c, for check_devices). */
size_t check_resolve(struct check_ctx *cx, const struct cfg_pci *e);

#endif
