/* check.h: internal to the checks (check_*.c) and plan.c. One struct check_ctx carries the
 * config, the hardware and what the checks resolve on the way (which hardware device each
 * `pci` entry names, which VM claims each device), so the plan is built from the same
 * facts that were checked. */
#ifndef VFIOC_CHECK_H
#define VFIOC_CHECK_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "hw.h"
#include "plan.h"

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
	enum bind_strategy strategy;
	char *strategy_reason;               /* one sentence, malloc'd */
};

void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds);
void check_ctx_fini(struct check_ctx *cx);

/* The checks, in the order check_and_plan runs them. */
void check_config(struct check_ctx *cx);   /* rules between keys, no hardware */
void check_host(struct check_ctx *cx);     /* iommu mode against the CPU vendor */
void check_devices(struct check_ctx *cx);  /* resolve pci entries; per-device rules */
void check_groups(struct check_ctx *cx);   /* IOMMU group viability, functions left */
void check_binding(struct check_ctx *cx);  /* ids or driver-override */
void check_cpus(struct check_ctx *cx);     /* pins that exist */
void check_memory(struct check_ctx *cx);   /* hugepages and RAM */
void check_usb(struct check_ctx *cx);      /* USB devices present */
void check_extras(struct check_ctx *cx);   /* blacklists, qemu.conf, hooks (check_extras.c) */
void check_slots(struct check_ctx *cx);    /* passed devices fit the guest's PCIe buses */

/* "USB controller [0c03] 10de:1ad8", for notes and hints. */
void check_describe(const struct hw_pci *d, struct buf *out);
/* "0000:01:00.2 USB controller [0c03] 10de:1ad8 (TU104 USB 3.1 Host Controller)". */
void check_describe_full(const struct hw_pci *d, struct buf *out);
/* The hint that adds d to vms.VM.pci, as one line of YAML with a comment. */
void check_hint_add(struct diag *diag, const char *vm, const struct hw_pci *d);
/* Index of the first device at or after addr in hw->pci (hw->npci when none). */
size_t check_lower_bound(const struct hw *hw, const struct pci_addr *addr);

/* The hardware device an entry names (index into hw->pci), or NO_VM after reporting why
 * there is none (check_resolve.c). */
size_t check_resolve(struct check_ctx *cx, const struct cfg_pci *e);

/* The threads per guest core that vCPU pins give (check_cpu.c): t when every run of t
 * consecutive pins is t SMT siblings of one host core (QEMU makes vCPU i thread i % t of
 * core i / t), else 1. The derived topology and the topology-smt check both use it. */
unsigned check_pin_threads(const struct hw *hw, const struct cpulist *pin);

/* A hugepage size in KiB: 2048 or 1048576 (check_memory.c). */
uint64_t check_hugepage_kib(enum hugepage_size s);

/* Build the plan from a checked context (no errors). outdir: see check_and_plan. */
struct plan *plan_build(const struct check_ctx *cx, const char *outdir);

#endif
