/* hw/invariants.c: the invariants of a finished hardware model, checked where it is cheap to
 * check them all: the fuzz targets and the unit tests call hw_check after every model they
 * build (as cmark's tests call cmark_node_check). The lookups (hw_find_*, binary searches)
 * and the group rule rely on every one of them. */
#include "base/util.h"
#include "hw/hw.h"

#define broken(out, ...) invariant_broken(out, "hw_check", __VA_ARGS__)

static size_t check_groups(const struct hw *hw, FILE *out)
{
	size_t bad = 0, grouped = 0, members = 0;
	for (size_t i = 0; i < hw->npci; i++)
		grouped += hw->pci[i].iommu_group >= 0;
	for (size_t g = 0; g < hw->ngroups; g++) {
		const struct hw_group *gr = &hw->groups[g];
		if (g > 0 && gr->number <= hw->groups[g - 1].number)
			bad += broken(out, "group %d after group %d", gr->number, hw->groups[g - 1].number);
		if (gr->n == 0)
			bad += broken(out, "group %d has no member", gr->number);
		for (size_t m = 0; m < gr->n; m++) {
			size_t i = gr->member[m];
			if (i >= hw->npci) {
				bad += broken(out, "group %d: member %zu of %zu devices", gr->number, i, hw->npci);
				continue;
			}
			if (m > 0 && i <= gr->member[m - 1])
				bad += broken(out, "group %d: members out of address order", gr->number);
			if (hw->pci[i].iommu_group != gr->number)
				bad += broken(out, "group %d lists a device of group %d", gr->number,
					      hw->pci[i].iommu_group);
		}
		members += gr->n;
	}
	if (members != grouped)
		bad += broken(out, "%zu devices in groups, %zu group members", grouped, members);
	return bad;
}

static size_t check_by_id(const struct hw *hw, FILE *out)
{
	size_t bad = 0;
	for (size_t k = 0; k < hw->npci; k++) {
		if (hw->by_id[k] >= hw->npci)
			return broken(out, "by_id[%zu] = %zu of %zu devices", k, hw->by_id[k], hw->npci);
		if (k == 0)
			continue;
		const struct hw_pci *a = &hw->pci[hw->by_id[k - 1]], *b = &hw->pci[hw->by_id[k]];
		uint32_t ka = (uint32_t)a->vendor << 16 | a->device, kb = (uint32_t)b->vendor << 16 | b->device;
		if (ka > kb || (ka == kb && pci_addr_cmp(&a->addr, &b->addr) >= 0))
			bad += broken(out, "by_id out of order at %zu", k);
	}
	return bad;
}

size_t hw_check(const struct hw *hw, FILE *out)
{
	size_t bad = 0;
	char a[PCI_ADDR_STRLEN];
	for (size_t i = 1; i < hw->npci; i++)
		if (pci_addr_cmp(&hw->pci[i - 1].addr, &hw->pci[i].addr) >= 0) {
			pci_addr_fmt(&hw->pci[i].addr, a);
			bad += broken(out, "pci %s out of address order or twice", a);
		}
	for (size_t i = 1; i < hw->ncpus; i++)
		if (hw->cpus[i - 1].id >= hw->cpus[i].id)
			bad += broken(out, "cpu %u out of order or twice", hw->cpus[i].id);
	for (size_t i = 1; i < hw->nhugepage; i++)
		if (hw->hugepage_kib[i - 1] >= hw->hugepage_kib[i])
			bad += broken(out, "hugepage size %llu kB out of order or twice",
				      (unsigned long long)hw->hugepage_kib[i]);
	for (size_t i = 1; i < hw->nusb; i++) {
		const struct hw_usb *x = &hw->usb[i - 1], *y = &hw->usb[i];
		if (x->busnum > y->busnum || (x->busnum == y->busnum && x->devnum > y->devnum))
			bad += broken(out, "usb %u-%u out of order", y->busnum, y->devnum);
	}
	return bad + check_groups(hw, out) + (hw->npci ? check_by_id(hw, out) : 0);
}
