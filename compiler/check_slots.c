/* check_slots.c: whether a VM's passed devices fit its guest PCIe topology. Each physical
 * device (host slot) gets a guest bus of its own behind a pcie-root-port (plan_vm.c), and a
 * PCI bus number has 8 bits; past the limit, buses would wrap to 0 and addresses repeat,
 * which libvirt's schema does not catch. */
#include "compiler/check.h"
#include "compiler/plan.h"   /* the guest buses the plan gives */

static void run(const struct check_ctx *cx)
{
	for (size_t v = 0; v < cx->cfg->nvms; v++) {
		const struct rvm *r = &cx->res.vms[v];
		const struct cfg_vm *vm = &cx->cfg->vms[v];
		size_t slots = 0;
		for (size_t k = 0; k < r->n; k++)  /* in address order (resolve.h) */
			slots += k == 0 || !pci_same_slot(&cx->hw->pci[r->dev[k - 1].hw].addr,
							  &cx->hw->pci[r->dev[k].hw].addr);
		if (slots <= GUEST_MAX_SLOTS)
			continue;
		const struct cfg_pci *last = r->dev[r->n - 1].entry;
		struct diag *d = diag_emit(cx->ds, D_GUEST_SLOTS, &vm->name_loc,
					   "VM '%s' is given %zu physical PCI devices; a VM takes at most %d",
					   vm->name, slots, GUEST_MAX_SLOTS);
		diag_note(d, &last->loc, "each gets a PCIe root port and guest bus of its own "
			  "(buses %d-%d; libvirt numbers the VM's other controllers after them, "
			  "up to 255)", GUEST_FIRST_BUS, GUEST_FIRST_BUS + GUEST_MAX_SLOTS - 1);
		diag_hint(d, "pass the devices to more than one VM");
	}
}

const struct check check_slots = { "slots", run, NEEDS_HW };
