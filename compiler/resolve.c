/* resolve.c: the decisions made before any check runs (resolve.h): the IOMMU parameter,
 * each VM's devices and each device's owner, the binding, and each VM's UUID and MAC. */
#include <stdlib.h>

#include "compiler/plan_parts.h"
#include "compiler/resolve.h"

static enum iommu_mode resolve_iommu(const struct config *cfg, const struct hw *hw)
{
	enum iommu_mode mode = (enum iommu_mode)cfg->host.iommu.v;
	switch (mode) {
	case IOMMU_AUTO:
		return hw_cpu_iommu(hw->cpu_vendor);  /* unknown vendor: no parameter rather
						       * than a wrong one */
	case IOMMU_INTEL:
	case IOMMU_AMD:
		return mode;
	default:
		return IOMMU_OFF;
	}
}

static int cmp_rdev(const void *pa, const void *pb)
{
	const struct rdev *a = pa, *b = pb;
	return a->hw < b->hw ? -1 : a->hw > b->hw;
}

/* The same device twice in one VM. */
static void report_duplicate(const struct config *cfg, const struct hw *hw, struct diags *ds,
		      const struct rvm *r, size_t vm, const struct cfg_pci *e, size_t i)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&hw->pci[i].addr, a);
	struct diag *d = diag_emit(ds, D_DUPLICATE_ITEM, &e->loc,
				   "%s is already passed to VM '%s'", a, cfg->vms[vm].name);
	for (size_t k = 0; k < r->n; k++)  /* only on this error path */
		if (r->dev[k].hw == i)
			diag_note(d, &r->dev[k].entry->loc, "listed here first");
}

static void report_bridge(struct diags *ds, const struct cfg_pci *e, const struct hw_pci *dev)
{
	struct buf what = {0};
	hw_pci_describe(dev, HW_DESC_FULL, &what);
	struct diag *d = diag_emit(ds, D_PASS_BRIDGE, &e->loc,
				   "%s is a bridge: bridges and root ports stay on the host",
				   buf_str(&what));
	diag_hint(d, "remove this entry and pass the devices behind the bridge instead");
	buf_free(&what);
}

/* The SMBus, SPI flash or IOMMU function: a VM holding it could rewrite the host's
 * firmware flash or its memory modules' SPD, and the host loses its sensors. */
static void report_platform(struct diags *ds, const struct cfg_pci *e, const struct hw_pci *dev)
{
	struct buf what = {0};
	hw_pci_describe(dev, HW_DESC_FULL, &what);
	struct diag *d = diag_emit(ds, D_PASS_PLATFORM, &e->loc,
				   "%s is the host's %s: functions of the host platform stay on the "
				   "host", buf_str(&what), hw_platform_role(dev));
	diag_hint(d, "remove this entry: a VM that held it could reach the host's firmware "
		  "flash, memory modules or DMA remapping");
	buf_free(&what);
}

/* Each VM's entries to devices, in address order; an entry listed twice or naming a bridge
 * or a platform function (hw_is_platform) is reported and left out. The first VM to claim a device owns it. */
static void resolve_devices(struct resolved *r, const struct config *cfg, const struct hw *hw,
			    struct diags *ds)
{
	size_t *stamp = xcalloc(hw->npci, sizeof(*stamp));
	for (size_t vm = 0; vm < cfg->nvms; vm++) {
		const struct cfg_vm *v = &cfg->vms[vm];
		struct rvm *rv = &r->vms[vm];
		for (size_t k = 0; k < v->npci; k++) {
			const struct cfg_pci *e = &v->pci[k];
			size_t i = resolve_entry(hw, ds, e);
			rv->unresolved |= i == NO_VM;
			if (i == NO_VM)
				continue;
			if (stamp[i] == vm + 1) {  /* vm + 1: seen in this VM */
				report_duplicate(cfg, hw, ds, rv, vm, e, i);
				continue;
			}
			stamp[i] = vm + 1;
			enum hw_leave leave = hw_may_leave(&hw->pci[i], NULL);
			if (leave == HW_STAYS_BRIDGE || leave == HW_STAYS_PLATFORM) {
				(leave == HW_STAYS_BRIDGE ? report_bridge : report_platform)(ds, e,
											     &hw->pci[i]);
				continue;
			}
			if (r->owner[i] == NO_VM) {
				r->owner[i] = vm;
				r->owner_entry[i] = e;
			}
			VEC_PUSH(rv->dev, rv->n, rv->cap) = (struct rdev){ e, i };
		}
		if (rv->n > 1)
			qsort(rv->dev, rv->n, sizeof(*rv->dev), cmp_rdev);
	}
	free(stamp);
}

/* The first device with d's ID that no VM claims, or NO_VM. Looked up once per ID. */
static size_t id_twin_on_host(const struct resolved *r, const struct hw *hw,
			      const struct hw_pci *d)
{
	size_t one, n = hw_find_ids(hw, d->vendor, d->device, &one, 1);
	if (n <= 1)
		return NO_VM;  /* only d itself */
	size_t *all = xmalloc(n * sizeof(*all)), found = NO_VM;
	hw_find_ids(hw, d->vendor, d->device, all, n);
	for (size_t i = 0; i < n && found == NO_VM; i++)
		if (r->owner[all[i]] == NO_VM)
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
static struct keyed *boot_entries(const struct resolved *r, const struct config *cfg,
				  const struct hw *hw, size_t *n)
{
	struct keyed *v = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t vm = 0; vm < cfg->nvms; vm++)
		for (size_t k = 0; k < r->vms[vm].n; k++) {
			const struct rdev *rd = &r->vms[vm].dev[k];
			const struct hw_pci *d = &hw->pci[rd->hw];
			if (rd->entry->bind.v == PCI_BIND_BOOT)
				VEC_PUSH(v, *n, cap) = (struct keyed){
					(uint32_t)d->vendor << 16 | d->device, rd };
		}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_keyed);
	return v;
}

/* Boot-bound devices whose ID another device that stays on the host shares. */
static void find_clashes(struct resolved *r, const struct config *cfg, const struct hw *hw)
{
	size_t n, cap = 0, twin = NO_VM;
	struct keyed *e = boot_entries(r, cfg, hw, &n);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || e[i].id != e[i - 1].id)
			twin = id_twin_on_host(r, hw, &hw->pci[e[i].r->hw]);
		if (twin != NO_VM)
			VEC_PUSH(r->clash, r->nclash, cap) = (struct bind_clash){ e[i].r, twin };
	}
	free(e);
}

/* vfio-pci.ids binds by vendor:device, so it also catches every other device with the same
 * ID (twin GPUs, one for the host): under `bind: auto` a clash binds the whole set by
 * address instead (under `bind: ids` the binding check reports it). */
static void resolve_binding(struct resolved *r, const struct config *cfg, const struct hw *hw)
{
	enum bind_mode mode = (enum bind_mode)cfg->host.bind.v;
	if (mode == BIND_DRIVER_OVERRIDE) {
		r->bind = BIND_DRIVER_OVERRIDE;
		r->bind_reason = xstrdup("host.bind is driver-override");
		return;
	}
	find_clashes(r, cfg, hw);
	r->bind = BIND_IDS;
	if (mode == BIND_IDS || !r->nclash) {
		r->bind_reason = xstrdup(mode == BIND_IDS ? "host.bind is ids"
					 : "no passed device shares its vendor:device ID with a "
					   "device that stays on the host");
		return;
	}
	const struct bind_clash *first = &r->clash[0];
	for (size_t i = 1; i < r->nclash; i++)
		if (r->clash[i].r->hw < first->r->hw)
			first = &r->clash[i];
	const struct hw_pci *d = &hw->pci[first->r->hw];
	char ta[PCI_ADDR_STRLEN];
	pci_addr_fmt(&hw->pci[first->twin].addr, ta);
	r->switched = first;
	r->bind = BIND_DRIVER_OVERRIDE;
	r->bind_reason = xasprintf("vfio-pci.ids=%04x:%04x would also bind %s, which stays "
				   "on the host, so passed devices are bound by address",
				   d->vendor, d->device, ta);
}

/* Each VM's UUID and MAC, as written or derived from the host's identity and the name:
 * the duplicate checks (check_ident.c) compare what the domains will carry. */
static void resolve_idents(struct resolved *r, const struct config *cfg, const struct hw *hw)
{
	for (size_t vm = 0; vm < cfg->nvms; vm++) {
		const struct cfg_vm *v = &cfg->vms[vm];
		struct rvm *rv = &r->vms[vm];
		if (v->uuid.v)
			plan_parse_hex(v->uuid.v, rv->uuid, sizeof(rv->uuid));
		else
			plan_uuid(hw->host_id, v->name, rv->uuid);
		if (v->mac.v)
			plan_parse_hex(v->mac.v, rv->mac, sizeof(rv->mac));
		else
			plan_mac(hw->host_id, v->name, rv->mac);
	}
}

void resolve(struct resolved *r, const struct config *cfg, const struct hw *hw,
	     struct diags *ds)
{
	*r = (struct resolved){ .iommu = IOMMU_OFF };
	r->vms = xcalloc(cfg->nvms, sizeof(*r->vms));
	if (!hw)
		return;
	r->iommu = resolve_iommu(cfg, hw);
	r->owner = xmalloc_array(hw->npci, sizeof(*r->owner));
	for (size_t i = 0; i < hw->npci; i++)
		r->owner[i] = NO_VM;
	r->owner_entry = xcalloc(hw->npci, sizeof(*r->owner_entry));
	resolve_devices(r, cfg, hw, ds);
	resolve_binding(r, cfg, hw);
	resolve_idents(r, cfg, hw);
}

void resolved_fini(struct resolved *r, size_t nvms)
{
	for (size_t i = 0; i < nvms; i++)
		free(r->vms[i].dev);
	free(r->vms);
	free(r->owner);
	free(r->owner_entry);
	free(r->bind_reason);
	free(r->clash);
}
