/* check_binding.c: how boot-bound devices reach vfio-pci. vfio-pci.ids binds by
 * vendor:device, so it also catches every other device with the same ID (twin GPUs, one for
 * the host; resolve.c finds them): then `bind: ids` is an error, and `bind: auto`, which
 * binds by address instead, says so. */
#include "compiler/check.h"

static void report_ids_collision(const struct check_ctx *cx, const struct rdev *rd, size_t twin)
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

static void report_switch(const struct check_ctx *cx, const struct bind_clash *c)
{
	const struct hw_pci *d = &cx->hw->pci[c->r->hw];
	char a[PCI_ADDR_STRLEN], ta[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	pci_addr_fmt(&cx->hw->pci[c->twin].addr, ta);
	diag_emit(cx->ds, D_BIND_SWITCHED, &c->r->entry->loc,
		  "binding by address (driver_override) instead of vfio-pci.ids: %04x:%04x of %s "
		  "is also the ID of %s, which stays on the host", d->vendor, d->device, a, ta);
}

/* Under ids every clash is an error; under auto the one that switched is named. */
static void run(const struct check_ctx *cx)
{
	if (cx->cfg->host.bind.v == BIND_IDS)
		for (size_t i = 0; i < cx->res.nclash; i++)
			report_ids_collision(cx, cx->res.clash[i].r, cx->res.clash[i].twin);
	if (cx->res.switched)
		report_switch(cx, cx->res.switched);
}

const struct check check_binding = { "binding", run, NEEDS_HW };
