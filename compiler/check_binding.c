/* check_binding.c: how boot-bound devices reach vfio-pci. vfio-pci.ids binds by
 * vendor:device, so it also catches every other device with the same ID (twin GPUs, one for
 * the host): then `bind: ids` is an error and `bind: auto` binds by address instead. */
#include <stdlib.h>

#include "compiler/check.h"

/* The first device with d's ID that no VM claims, or NO_VM. Looked up once per ID. */
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

/* A boot-bound entry with its device's vendor:device as one sortable key. */
struct keyed {
	uint32_t id;
	const struct rdev *r;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->r->hw < b->r->hw ? -1 : a->r->hw > b->r->hw;
}

/* Boot-bound entries of every VM, sorted by ID, so each ID is looked up once. */
static struct keyed *boot_entries(const struct check_ctx *cx, size_t *n)
{
	struct keyed *v = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->vms[vm].n; k++) {
			const struct rdev *r = &cx->vms[vm].dev[k];
			const struct hw_pci *d = &cx->hw->pci[r->hw];
			if (r->entry->bind.v == PCI_BIND_BOOT)
				VEC_PUSH(v, *n, cap) = (struct keyed){
					(uint32_t)d->vendor << 16 | d->device, r };
		}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_keyed);
	return v;
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
	cx->bind = BIND_DRIVER_OVERRIDE;
	free(cx->bind_reason);
	cx->bind_reason = xasprintf("vfio-pci.ids=%04x:%04x would also bind %s, which stays "
				    "on the host, so passed devices are bound by address",
				    d->vendor, d->device, ta);
	diag_emit(cx->ds, D_BIND_SWITCHED, &rd->entry->loc,
		  "binding by address (driver_override) instead of vfio-pci.ids: %04x:%04x of %s "
		  "is also the ID of %s, which stays on the host", d->vendor, d->device, a, ta);
}

/* Under ids or auto: look for boot-bound devices whose ID another device shares. Under
 * auto one note names the first of them by address; the whole set moves to driver-override. */
static void check_collisions(struct check_ctx *cx, enum bind_mode mode)
{
	size_t n, twin = NO_VM, first_twin = NO_VM;
	struct keyed *e = boot_entries(cx, &n);
	const struct rdev *first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || e[i].id != e[i - 1].id)
			twin = id_twin_on_host(cx, &cx->hw->pci[e[i].r->hw]);
		if (twin == NO_VM)
			continue;
		if (mode == BIND_IDS) {
			report_ids_collision(cx, e[i].r, twin);
		} else if (!first || e[i].r->hw < first->hw) {
			first = e[i].r;
			first_twin = twin;
		}
	}
	if (first)
		switch_to_override(cx, first, first_twin);
	free(e);
}

static void run(struct check_ctx *cx)
{
	enum bind_mode mode = (enum bind_mode)cx->cfg->host.bind.v;
	if (mode == BIND_DRIVER_OVERRIDE) {
		cx->bind = BIND_DRIVER_OVERRIDE;
		cx->bind_reason = xstrdup("host.bind is driver-override");
		return;
	}
	cx->bind = BIND_IDS;
	cx->bind_reason = xstrdup(mode == BIND_IDS ? "host.bind is ids"
				  : "no passed device shares its vendor:device ID with a "
				    "device that stays on the host");
	check_collisions(cx, mode);
}

const struct check check_binding = { "binding", run, NEEDS_HW };
