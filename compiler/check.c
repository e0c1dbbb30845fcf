/* check.c: check_and_plan, the driver of the checks: runs every check_*.c over one context,
 * then builds the plan when none of them found an error. */
#include <stdlib.h>

#include "check.h"
#include "pipeline.h"

void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds)
{
	*cx = (struct check_ctx){ .cfg = cfg, .hw = hw, .ds = ds, .iommu = IOMMU_OFF };
	cx->vms = xcalloc(cfg->nvms ? cfg->nvms : 1, sizeof(*cx->vms));
	if (!hw)
		return;
	size_t n = hw->npci ? hw->npci : 1;
	cx->owner = xmalloc(n * sizeof(*cx->owner));
	for (size_t i = 0; i < hw->npci; i++)
		cx->owner[i] = NO_VM;
	cx->owner_entry = xcalloc(n, sizeof(*cx->owner_entry));
	cx->stamp = xcalloc(n, sizeof(*cx->stamp));
	cx->group_stamp = xcalloc(hw->ngroups ? hw->ngroups : 1, sizeof(*cx->group_stamp));
}

void check_ctx_fini(struct check_ctx *cx)
{
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		free(cx->vms[i].dev);
	free(cx->vms);
	free(cx->owner);
	free(cx->owner_entry);
	free(cx->stamp);
	free(cx->group_stamp);
	free(cx->strategy_reason);
}

void check_describe(const struct hw_pci *d, struct buf *out)
{
	unsigned cls = (unsigned)(d->class >> 8);
	buf_printf(out, "%s [%04x] %04x:%04x", d->class_name ? d->class_name : "class", cls,
		   d->vendor, d->device);
}

void check_describe_full(const struct hw_pci *d, struct buf *out)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	buf_printf(out, "%s ", a);
	check_describe(d, out);
	if (d->device_name)
		buf_printf(out, " (%s)", d->device_name);
}

void check_hint_add(struct diag *diag, const char *vm, const struct hw_pci *d)
{
	char a[PCI_ADDR_STRLEN];
	struct buf what = {0};
	pci_addr_fmt(&d->addr, a);
	check_describe(d, &what);
	diag_hint(diag, "add to vms.%s.pci: - \"%s\"  # %s", vm, a, buf_str(&what));
	buf_free(&what);
}

size_t check_lower_bound(const struct hw *hw, const struct pci_addr *addr)
{
	size_t lo = 0, hi = hw->npci;
	uint32_t key = pci_addr_key(addr);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pci_addr_key(&hw->pci[mid].addr) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct plan *check_and_plan(const struct config *cfg, const struct hw *hw, const char *outdir,
			    struct diags *ds)
{
	struct check_ctx cx;
	check_ctx_init(&cx, cfg, hw, ds);
	check_config(&cx);
	if (hw) {
		check_host(&cx);
		check_devices(&cx);
		check_groups(&cx);
		check_binding(&cx);
		check_cpus(&cx);
		check_memory(&cx);
		check_usb(&cx);
		check_extras(&cx);
		check_slots(&cx);
	}
	struct plan *p = NULL;
	if (hw && !diags_has_errors(ds))
		p = plan_build(&cx, outdir);
	check_ctx_fini(&cx);
	return p;
}
