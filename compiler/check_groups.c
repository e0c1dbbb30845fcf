/* check_groups.c: IOMMU group viability by the rule of hw/group.c (every endpoint of a passed
 * device's group that has a driver goes to the same VM; endpoints without a driver may
 * stay; bridges and platform functions stay, and keep the group from every VM while a
 * driver the kernel does not allow holds them) and functions of a passed device left on
 * the host.
 * Linear: what each group holds is sorted out once (struct group_facts); each VM marks its
 * devices in cx->stamp and counts them per group, then reports each group it touches from
 * those counts, formatting only the notes a diagnostic keeps.
 * A VM with an entry that names no device is skipped: the fix of that entry comes first. */
#include <stdlib.h>

#include "compiler/check.h"

#define FEW_CHIPSET 4  /* more members left than this: the card sits in a chipset group */

/* The mark of VM vm's devices in cx->stamp: 0 is none. */
static size_t mark_of(const struct check_ctx *cx, size_t vm)
{
	return vm + 1;
}

/* The hint that adds d to vms.VM.pci, as one line of YAML with a comment. The caller
 * checks diag_full first. */
static void hint_add(struct diag *diag, const char *vm, const struct hw_pci *d)
{
	char a[PCI_ADDR_STRLEN];
	struct buf what = {0};
	pci_addr_fmt(&d->addr, a);
	diag_hint(diag, "add to vms.%s.pci: - \"%s\"  # %s", vm, a,
		  hw_pci_describe(d, HW_DESC_CLASS, &what));
	buf_free(&what);
}

struct idxvec {
	size_t *v;
	size_t n, cap;
};

/* What a group is made of, the same for every VM, so worked out once per run: each VM's
 * check then costs its own devices and the notes it keeps, not the group's size (2,500 VMs
 * each passing one member of a 2,500-device group read 6 million members). Every device
 * of a VM is claimed and none stays on the host (resolve.c), so a VM's own devices in the
 * group are all in `left`, and the other lists hold none of them. */
struct group_facts {
	struct idxvec left;       /* endpoints that hold the group, or that a VM claims */
	struct idxvec unclaimed;  /* of left, those no VM claims: the hints to pass them */
	struct idxvec unbound;    /* endpoints without a driver that no VM claims */
	struct idxvec blocked;    /* bridges and platform functions whose driver holds it */
	size_t nclaimed;          /* of left, claimed by a VM */
	size_t nhost_fs;          /* of left, holding the host's file systems */
	/* this VM's share, reset when its mark changes */
	size_t mark;              /* VM index + 1 of the counts below */
	size_t own, own_host_fs;  /* its devices in the group, and of those the host's disks */
	bool done;                /* reported for it */
};

static void group_facts_init(const struct check_ctx *cx, struct group_facts *fs)
{
	const struct hw *hw = cx->hw;
	for (size_t gi = 0; gi < hw->ngroups; gi++) {
		const struct hw_group *g = &hw->groups[gi];
		struct group_facts *f = &fs[gi];
		for (size_t k = 0; k < g->n; k++) {
			size_t m = g->member[k];
			const struct hw_pci *d = &hw->pci[m];
			bool claimed = cx->res.owner[m] != NO_VM;
			if (hw_stays_on_host(d)) {  /* unbound, it keeps nothing from the VM */
				if (hw_holds_group(d))
					VEC_PUSH(f->blocked.v, f->blocked.n, f->blocked.cap) = m;
				continue;
			}
			/* Another VM's device goes to vfio-pci whenever that VM runs. */
			if (!hw_holds_group(d) && !claimed) {
				VEC_PUSH(f->unbound.v, f->unbound.n, f->unbound.cap) = m;
				continue;
			}
			VEC_PUSH(f->left.v, f->left.n, f->left.cap) = m;
			if (!claimed)
				VEC_PUSH(f->unclaimed.v, f->unclaimed.n, f->unclaimed.cap) = m;
			f->nclaimed += claimed;
			f->nhost_fs += d->host_fs != NULL;
		}
	}
}

static void group_facts_free(struct group_facts *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(fs[i].left.v);
		free(fs[i].unclaimed.v);
		free(fs[i].unbound.v);
		free(fs[i].blocked.v);
	}
	free(fs);
}

/* A note on member m, left on the host or passed to another VM. The caller checks
 * diag_full first. */
static void note_member(const struct check_ctx *cx, struct diag *d, size_t m)
{
	const struct hw_pci *dev = &cx->hw->pci[m];
	struct buf what = {0};
	hw_pci_describe(dev, HW_DESC_FULL, &what);
	if (cx->res.owner[m] != NO_VM) {
		diag_note(d, &cx->res.owner_entry[m]->loc, "%s is in the same group and passed to VM "
			  "'%s' here", buf_str(&what), cx->cfg->vms[cx->res.owner[m]].name);
	} else if (hw_stays_on_host(dev)) {
		diag_note(d, NULL, "%s stays on the host (%s) on driver %s, which also keeps the "
			  "kernel from giving the group to a VM", buf_str(&what), hw_platform_role(dev),
			  dev->driver);
	} else if (dev->host_fs) {
		diag_note(d, NULL, "%s stays on the host: it holds the host's %s", buf_str(&what),
			  dev->host_fs);
	} else if (dev->host_route) {
		diag_note(d, NULL, "%s stays on the host: it carries the host's default route (%s)",
			  buf_str(&what), dev->host_route);
	} else if (dev->driver) {
		diag_note(d, NULL, "%s stays on the host (driver %s)", buf_str(&what), dev->driver);
	} else {
		diag_note(d, NULL, "%s stays on the host", buf_str(&what));
	}
	buf_free(&what);
}

/* An endpoint left without a driver keeps the group viable (hw_holds_group): a note in the
 * error, and no hint to pass it. The caller checks diag_full first. */
static void note_unbound(struct diag *d, const struct hw_pci *dev)
{
	struct buf what = {0};
	hw_pci_describe(dev, HW_DESC_FULL, &what);
	diag_note(d, NULL, "%s has no driver: it may stay on the host while none binds it",
		  buf_str(&what));
	buf_free(&what);
}

/* The notes on the members of f that VM vm leaves, in address order: those d keeps, then
 * the rest counted in one step (the VM's own devices, at most f->own, are skipped). */
static void note_left(const struct check_ctx *cx, struct diag *d, size_t vm,
		      const struct group_facts *f)
{
	size_t i = 0, j = 0, skipped = 0;
	while ((i < f->left.n || j < f->unbound.n) && !diag_full(d, false)) {
		if (j == f->unbound.n || (i < f->left.n && f->left.v[i] < f->unbound.v[j])) {
			size_t m = f->left.v[i++];
			if (cx->stamp[m] == mark_of(cx, vm))
				skipped++;
			else
				note_member(cx, d, m);
		} else {
			note_unbound(d, &cx->hw->pci[f->unbound.v[j++]]);
		}
	}
	diag_count_more(d, false, f->left.n - i - (f->own - skipped) + f->unbound.n - j);
}

/* The hints that add each device of list[from..) to VM name: those d keeps, the rest
 * counted. */
static void hint_add_all(const struct check_ctx *cx, struct diag *d, const char *name,
			 const struct idxvec *list, size_t from)
{
	size_t i = from;
	for (; i < list->n && !diag_full(d, true); i++)
		hint_add(d, name, &cx->hw->pci[list->v[i]]);
	diag_count_more(d, true, list->n - i);
}

/* The error when a member that stays on the host holds the group: no VM can have it. */
static struct diag *emit_blocked(const struct check_ctx *cx, size_t vm, const struct rdev *rd,
				 const struct hw_group *g, const struct hw_pci *blocker)
{
	struct buf what = {0};
	hw_pci_describe(blocker, HW_DESC_FULL, &what);
	struct diag *d = diag_emit(cx->ds, D_GROUP_NOT_VIABLE, &rd->entry->loc,
				   "IOMMU group %d is not viable for VM '%s': %s stays on the host "
				   "(%s) on driver %s, which the kernel does not allow in a group it "
				   "gives to a VM", g->number, cx->cfg->vms[vm].name, buf_str(&what),
				   hw_platform_role(blocker), blocker->driver);
	diag_note(d, NULL, "a device with a normal PCI header (config byte 0x0e) may stay in "
		  "such a group only without a driver or on pci-stub; PCI-to-PCI bridges also on "
		  "pcieport");
	buf_free(&what);
	return d;
}

static void report_group(const struct check_ctx *cx, size_t vm, const struct rdev *rd,
			 const struct hw_group *g, const struct group_facts *f)
{
	const char *name = cx->cfg->vms[vm].name;
	size_t nleft = f->left.n - f->own + f->unbound.n;
	const struct idxvec *blocked = &f->blocked;
	struct diag *d = blocked->n
		? emit_blocked(cx, vm, rd, g, &cx->hw->pci[blocked->v[0]])
		: diag_emit(cx->ds, D_GROUP_NOT_VIABLE, &rd->entry->loc,
			    "IOMMU group %d is not viable for VM '%s': %zu of its %zu endpoints "
			    "%s not passed to it", g->number, name, nleft,
			    f->left.n + f->unbound.n, nleft == 1 ? "is" : "are");
	size_t i = 1;
	for (; i < blocked->n && !diag_full(d, false); i++)
		note_member(cx, d, blocked->v[i]);
	diag_count_more(d, false, blocked->n > i ? blocked->n - i : 0);
	note_left(cx, d, vm, f);
	/* The VM's own devices are all claimed: the others' are what is left of nclaimed. */
	bool other_vm = f->nclaimed > f->own, host_disk = f->nhost_fs > f->own_host_fs;
	/* Adding the host's own disk would only trade this error for host-disk. (A NIC of its
	 * default route may go, with a warning: a router VM takes the uplink on purpose.) */
	if (!host_disk && !blocked->n)
		hint_add_all(cx, d, name, &f->unclaimed, 0);
	if (blocked->n) {
		const struct hw_pci *b = &cx->hw->pci[blocked->v[0]];
		char a[PCI_ADDR_STRLEN];
		pci_addr_fmt(&b->addr, a);
		diag_hint(d, "no VM can have this group while %s holds %s, and the host keeps its "
			  "chipset's functions: pass a device whose IOMMU group is its own (a slot "
			  "wired to the CPU)", b->driver, a);
	} else if (host_disk) {
		diag_hint(d, "the host's own file systems are on a device of this group, so the "
			  "group cannot go to a VM: move the card to a slot whose group is its own");
	}
	if (other_vm)
		diag_hint(d, "an IOMMU group goes to one VM as a whole");
	if (nleft > FEW_CHIPSET)
		diag_hint(d, "a group this large is usually the chipset's: a slot wired to the CPU "
			  "often has a group of its own");
}

/* Only endpoints without a driver stay: the kernel accepts the group, for as long as none
 * binds them. */
static void report_unbound(const struct check_ctx *cx, size_t vm, const struct rdev *rd,
			   const struct hw_group *g, const struct idxvec *unbound)
{
	const char *name = cx->cfg->vms[vm].name;
	const struct hw_pci *first = &cx->hw->pci[unbound->v[0]];
	struct buf what = {0};
	hw_pci_describe(first, HW_DESC_FULL, &what);
	struct diag *d = diag_emit(cx->ds, D_GROUP_MEMBER_UNBOUND, &rd->entry->loc,
				   "%s shares IOMMU group %d with VM '%s' and stays on the host "
				   "without a driver: the group stays viable as long as no driver "
				   "binds it", buf_str(&what), g->number, name);
	size_t i = 1;
	for (; i < unbound->n && !diag_full(d, false); i++) {
		buf_free(&what);
		hw_pci_describe(&cx->hw->pci[unbound->v[i]], HW_DESC_FULL, &what);
		diag_note(d, NULL, "also without a driver: %s", buf_str(&what));
	}
	diag_count_more(d, false, unbound->n - i);
	buf_free(&what);
	diag_hint(d, "keep it so: load no driver that claims %04x:%04x; should one bind it (a new "
		  "kernel or module), VM '%s' fails to start with \"group %d is not viable\"",
		  first->vendor, first->device, name, g->number);
	diag_hint(d, "or let vfio-pci hold it too, passing it to the VM:");
	hint_add_all(cx, d, name, unbound, 0);
}

/* The group of rd's device, and its facts, or NULL when the device has none. */
static struct group_facts *facts_of(const struct check_ctx *cx, struct group_facts *fs,
				    const struct rdev *rd, const struct hw_group **g)
{
	*g = hw_find_group(cx->hw, cx->hw->pci[rd->hw].iommu_group);
	return *g ? &fs[*g - cx->hw->groups] : NULL;
}

/* VM vm's devices in each group it touches, counted before any is reported. */
static void count_own(const struct check_ctx *cx, struct group_facts *fs, size_t vm)
{
	const struct rvm *r = &cx->res.vms[vm];
	for (size_t k = 0; k < r->n; k++) {
		const struct hw_group *g;
		struct group_facts *f = facts_of(cx, fs, &r->dev[k], &g);
		if (!f)
			continue;
		if (f->mark != vm + 1) {
			f->mark = vm + 1;
			f->own = f->own_host_fs = 0;
			f->done = false;
		}
		f->own++;
		f->own_host_fs += cx->hw->pci[r->dev[k].hw].host_fs != NULL;
	}
}

static void check_group(const struct check_ctx *cx, size_t vm, const struct rdev *rd,
			struct group_facts *fs)
{
	const struct hw_group *g;
	struct group_facts *f = facts_of(cx, fs, rd, &g);
	if (!f || f->done)
		return;
	f->done = true;
	if (f->left.n > f->own || f->blocked.n)
		report_group(cx, vm, rd, g, f);
	else if (f->unbound.n)
		report_unbound(cx, vm, rd, g, &f->unbound);
}

/* A GPU's companions are its audio, USB and UCSI functions (classes 0403, 0c03, 0c80) of
 * the GPU's own vendor: the card's driver in the guest expects them. Other functions that
 * share a slot with a passed one (an APU's PSP crypto coprocessor, USB and HD audio of the
 * chipset's vendor, a second NIC port) are devices of their own and stay on the host. */
static bool companion_class(const struct hw_pci *f)
{
	unsigned cls = (unsigned)(f->class >> 8);
	return cls == 0x0403 || cls == 0x0c03 || cls == 0x0c80;
}

/* Whether f belongs to the GPU card in slot [lo, hi): a GPU, or a companion of one. */
static bool on_card(const struct hw *hw, size_t lo, size_t hi, const struct hw_pci *f)
{
	if (hw_is_gpu(f))
		return true;
	if (!companion_class(f))
		return false;
	for (size_t s = lo; s < hi; s++)
		if (hw_is_gpu(&hw->pci[s]) && hw->pci[s].vendor == f->vendor)
			return true;
	return false;
}

/* Functions of rd's slot that no VM takes, in a group other than rd's (in the same group
 * check_group reports them) or when groups are unknown: a warning with the hint to pass
 * them for the companions of a passed GPU, a note that all is well for the others. */
static void check_functions(const struct check_ctx *cx, size_t vm, const struct rdev *rd)
{
	const struct hw *hw = cx->hw;
	const struct hw_pci *dev = &hw->pci[rd->hw];
	if (dev->is_vf)  /* virtual functions share slots but are independent devices */
		return;
	size_t lo = rd->hw, hi = rd->hw + 1;
	while (lo > 0 && pci_same_slot(&hw->pci[lo - 1].addr, &dev->addr))
		lo--;
	while (hi < hw->npci && pci_same_slot(&hw->pci[hi].addr, &dev->addr))
		hi++;
	bool card = false;  /* a function of the GPU card is passed */
	for (size_t s = lo; s < hi; s++)
		card |= cx->stamp[s] == mark_of(cx, vm) && on_card(hw, lo, hi, &hw->pci[s]);
	struct diag *left = NULL, *stays = NULL;
	for (size_t s = lo; s < hi; s++) {
		const struct hw_pci *f = &hw->pci[s];
		if (cx->stamp[s] == mark_of(cx, vm) || cx->res.owner[s] != NO_VM || hw_stays_on_host(f) ||
		    (f->iommu_group == dev->iommu_group && f->iommu_group >= 0))
			continue;
		struct buf what = {0};
		hw_pci_describe(f, HW_DESC_FULL, &what);
		if (card && on_card(hw, lo, hi, f)) {
			if (!left)
				left = diag_emit(cx->ds, D_FUNCTION_LEFT, &rd->entry->loc,
						 "a function of this GPU stays on the host: %s",
						 buf_str(&what));
			else
				diag_note(left, NULL, "also left on the host: %s", buf_str(&what));
			hint_add(left, cx->cfg->vms[vm].name, f);
		} else if (!stays) {
			stays = diag_emit(cx->ds, D_FUNCTION_STAYS, &rd->entry->loc,
					  "%s shares this device's slot and stays on the host, which "
					  "is fine: it is a device of its own%s", buf_str(&what),
					  f->iommu_group >= 0 ? " in another IOMMU group" : "");
		} else {
			diag_note(stays, NULL, "also stays on the host: %s", buf_str(&what));
		}
		buf_free(&what);
	}
}

static void report_iommu_off(const struct check_ctx *cx, const struct rdev *first)
{
	struct diag *d = diag_emit(cx->ds, D_IOMMU_OFF, &first->entry->loc,
				   "the hardware shows no IOMMU groups: whether the passed devices can "
				   "be isolated cannot be verified");
	if (cx->res.iommu == IOMMU_OFF)
		diag_hint(d, "host.iommu is off: without an IOMMU no device can be passed");
	else
		diag_hint(d, "enable %s in the firmware setup, boot with the generated kernel "
			  "parameters, then run 'vfioc probe' and 'vfioc check' again",
			  cx->hw->cpu_vendor == CPU_AMD ? "AMD-Vi (IOMMU)" : "VT-d");
}

static void run(const struct check_ctx *cx)
{
	bool groups = cx->hw->ngroups > 0, warned = false;
	struct group_facts *fs = xcalloc(cx->hw->ngroups, sizeof(*fs));
	group_facts_init(cx, fs);
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++) {
		const struct rvm *r = &cx->res.vms[vm];
		for (size_t k = 0; k < r->n; k++)
			cx->stamp[r->dev[k].hw] = mark_of(cx, vm);
		if (r->n && !groups && !warned) {
			report_iommu_off(cx, &r->dev[0]);
			warned = true;
		}
		if (r->unresolved)
			continue;
		count_own(cx, fs, vm);
		for (size_t k = 0; k < r->n; k++) {
			if (groups)
				check_group(cx, vm, &r->dev[k], fs);
			if (k == 0 || !pci_same_slot(&cx->hw->pci[r->dev[k - 1].hw].addr,
						     &cx->hw->pci[r->dev[k].hw].addr))
				check_functions(cx, vm, &r->dev[k]);
		}
	}
	group_facts_free(fs, cx->hw->ngroups);
}

const struct check check_groups = { "groups", run, NEEDS_HW };
