/* check_binding.c: how boot-bound devices reach vfio-pci. vfio-pci.ids binds by
 * vendor:device, so it also catches every other device with the same ID (twin GPUs, one for
 * the host): then `bind: ids` is an error and `bind: auto` binds by address instead. */
#include <stdlib.h>

#include "check.h"

/* The first device with d's ID that no VM claims, or NO_VM. */
static size_t id_twin_on_host(const struct check_ctx *cx, const struct hw_pci *d)
{
	size_t one, n = hw_find_ids(cx->hw, d->vendor, d->device, &one, 1);
	if (n <= 1)
		return NO_VM;  /* only d itself */
	size_t *all = xmalloc(n * sizeof(*all)), found = NO_VM;
	hw_find_ids(cx->hw, d->vendor, d->device, all, n);
	for (size_t i = 0; i < n && found == NO_VM; i++)
		if (cx->owner[all[i]] == NO_VM)
			found = all[i];
	free(all);
	return found;
}

static void report_ids_collision(struct check_ctx *cx, const struct rdev *rd, size_t twin)
{
	const struct hw_pci *d = &cx->hw->pci[rd->hw], *t = &cx->hw->pci[twin];
	char a[PCI_ADDR_STRLEN], ta[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	pci_addr_fmt(&t->addr, ta);
	struct diag *diag = diag_emit(cx->ds, D_IDS_COLLISION, &rd->entry->loc,
				      "vfio-pci.ids=%04x:%04x would bind %s and also %s, which stays "
				      "on the host", d->vendor, d->device, a, ta);
	diag_note(diag, &cx->cfg->host.bind.loc, "binding by ID chosen here");
	diag_hint(diag, "write 'bind: driver-override' (or 'auto') to bind %s by its address", a);
}

static void switch_to_override(struct check_ctx *cx, const struct rdev *rd, size_t twin)
{
	const struct hw_pci *d = &cx->hw->pci[rd->hw];
	char a[PCI_ADDR_STRLEN], ta[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	pci_addr_fmt(&cx->hw->pci[twin].addr, ta);
	cx->strategy = STRATEGY_DRIVER_OVERRIDE;
	free(cx->strategy_reason);
	cx->strategy_reason = xasprintf("vfio-pci.ids=%04x:%04x would also bind %s, which stays "
					"on the host, so passed devices are bound by address",
					d->vendor, d->device, ta);
	diag_emit(cx->ds, D_BIND_SWITCHED, &rd->entry->loc,
		  "binding by address (driver_override) instead of vfio-pci.ids: %04x:%04x of %s "
		  "is also the ID of %s, which stays on the host", d->vendor, d->device, a, ta);
}

/* Under ids or auto: look for a boot-bound device whose ID another device shares. */
static void check_collisions(struct check_ctx *cx, enum bind_mode mode)
{
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++) {
		const struct rvm *r = &cx->vms[vm];
		for (size_t k = 0; k < r->n; k++) {
			if (r->dev[k].entry->bind.v != PCI_BIND_BOOT)
				continue;
			size_t twin = id_twin_on_host(cx, &cx->hw->pci[r->dev[k].hw]);
			if (twin == NO_VM)
				continue;
			if (mode == BIND_IDS) {
				report_ids_collision(cx, &r->dev[k], twin);
				continue;
			}
			switch_to_override(cx, &r->dev[k], twin);
			return;  /* one note says it; the whole set moves to driver-override */
		}
	}
}

void check_binding(struct check_ctx *cx)
{
	enum bind_mode mode = (enum bind_mode)cx->cfg->host.bind.v;
	if (mode == BIND_DRIVER_OVERRIDE) {
		cx->strategy = STRATEGY_DRIVER_OVERRIDE;
		cx->strategy_reason = xstrdup("host.bind is driver-override");
		return;
	}
	cx->strategy = STRATEGY_IDS;
	cx->strategy_reason = xstrdup(mode == BIND_IDS ? "host.bind is ids"
				      : "no passed device shares its vendor:device ID with a "
					"device that stays on the host");
	check_collisions(cx, mode);
}
