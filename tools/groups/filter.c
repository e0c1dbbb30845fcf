/* tools/groups/filter.c: which IOMMU groups `vfioc groups ADDR|GROUP --gpu ...` lists. A
 * group is listed whole (its verdicts depend on every member) when it holds what every given
 * filter asks for: the device at the address, the group of that number, a device of one of
 * the classes. */
#include "tools/groups/groups.h"

/* The PCI class codes (PCI Code and ID Assignment Specification, rev 1.12, section 1;
 * pci.ids lists the same): base class, or base class and subclass, under a mask of the
 * 24-bit class code (base, subclass, programming interface). */
const struct groups_class groups_classes[GC_COUNT] = {
	[GC_GPU] = { "gpu", 0xff0000, 0x030000, "display controllers (class 03xx)" },
	/* 0401 audio and 0403 HD audio (the one a GPU's HDMI function is): bit 1 aside. */
	[GC_AUDIO] = { "audio", 0xfffd00, 0x040100, "audio devices (class 0401, 0403)" },
	[GC_USB] = { "usb", 0xffff00, 0x0c0300, "USB controllers (class 0c03)" },
	[GC_NET] = { "net", 0xff0000, 0x020000, "network controllers (class 02xx)" },
	[GC_STORAGE] = { "storage", 0xff0000, 0x010000, "storage controllers: SATA, NVMe (01xx)" },
};

bool groups_filter_any(const struct groups_filter *f)
{
	return f && (f->has_addr || f->group >= 0 || f->classes);
}

bool groups_filter_device(const struct groups_filter *f, const struct hw_pci *d)
{
	if (!f)
		return true;
	if (f->has_addr && pci_addr_cmp(&f->addr, &d->addr) != 0)
		return false;
	if (!f->classes)
		return true;
	for (unsigned c = 0; c < GC_COUNT; c++)
		if ((f->classes & (1u << c)) &&
		    (d->class & groups_classes[c].mask) == groups_classes[c].value)
			return true;
	return false;
}

bool groups_filter_group(const struct groups_filter *f, const struct hw *hw,
			 const struct hw_group *g)
{
	if (!groups_filter_any(f))
		return true;
	if (f->group >= 0 && g->number != f->group)
		return false;
	for (size_t i = 0; i < g->n; i++)
		if (groups_filter_device(f, &hw->pci[g->member[i]]))
			return true;
	return false;
}

bool groups_filter_matches(const struct hw *hw, const struct groups_filter *f)
{
	for (size_t i = 0; i < hw->ngroups; i++)
		if (groups_filter_group(f, hw, &hw->groups[i]))
			return true;
	if (f && f->group >= 0)
		return false;  /* a device outside every group is in no numbered one */
	for (size_t i = 0; i < hw->npci; i++)
		if (hw->pci[i].iommu_group < 0 && groups_filter_device(f, &hw->pci[i]))
			return true;
	return false;
}
