/* resolve.h: the decisions the checks and the plan share, made once before any check runs:
 * the IOMMU parameter, which hardware device each `pci` entry names and which VM claims
 * each device, how boot-bound devices reach vfio-pci, and each VM's UUID and MAC. The checks then read these facts
 * through a const context (check.h) and decide nothing; the plan (plan_build.h) is built
 * from the same facts. What makes an entry name no device (an address that is not there,
 * an ambiguous ID) or be dropped (listed twice, a bridge) is reported here, where the
 * reason is known; rules about the resolved facts are checks. */
#ifndef VFIOC_RESOLVE_H
#define VFIOC_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "hw/hw.h"
#include "model/config.h"

#define NO_VM ((size_t)-1)   /* owner of a device no VM claims */

/* One `pci` entry resolved to a hardware device. */
struct rdev {
	const struct cfg_pci *entry;
	size_t hw;               /* index into hw->pci */
};

/* A VM's resolved devices, in address order. */
struct rvm {
	struct rdev *dev;
	size_t n, cap;
	bool unresolved;         /* an entry names no device: group rules would only echo it */
	uint8_t uuid[16];        /* the domain's UUID: written, or derived from host and name */
	uint8_t mac[6];          /* its NIC's MAC, likewise (plan_ident.c) */
};

/* A boot-bound device whose vendor:device ID a device that stays on the host shares. */
struct bind_clash {
	const struct rdev *r;
	size_t twin;             /* index into hw->pci: the first such device on the host */
};

struct resolved {
	enum iommu_mode iommu;   /* INTEL, AMD or OFF */
	struct rvm *vms;         /* parallel to cfg->vms */
	size_t *owner;           /* per hw device: the first VM that claims it, or NO_VM */
	const struct cfg_pci **owner_entry;  /* per hw device: that VM's entry */
	enum bind_mode bind;     /* IDS or DRIVER_OVERRIDE */
	char *bind_reason;       /* why, one sentence, malloc'd */
	struct bind_clash *clash;  /* under bind: ids or auto, sorted by ID */
	size_t nclash;
	const struct bind_clash *switched;  /* under auto: the clash that moved binding to
					     * driver_override (the lowest address), or NULL */
};

/* Decide all of the above for cfg on hw (NULL: only vms, all empty), reporting entries
 * that name no device. */
void resolve(struct resolved *r, const struct config *cfg, const struct hw *hw,
	     struct diags *ds);
void resolved_fini(struct resolved *r, size_t nvms);

/* The hardware device an entry names (index into hw->pci), or NO_VM after reporting why
 * there is none (resolve_entry.c). */
size_t resolve_entry(const struct hw *hw, struct diags *ds, const struct cfg_pci *e);

#endif
