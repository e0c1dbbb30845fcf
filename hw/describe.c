/* hw/describe.c: how a PCI device is named in messages, the same wherever it is named:
 * notes and hints of the checks, and the comments `vfioc init` writes. */
#include "hw/hw.h"

/* "USB controller [0c03] 10de:1ad8" */
static void class_and_id(const struct hw_pci *d, struct buf *out)
{
	buf_printf(out, "%s [%04x] %04x:%04x", d->class_name ? d->class_name : "class",
		   (unsigned)(d->class >> 8), d->vendor, d->device);
}

const char *hw_pci_describe(const struct hw_pci *d, enum hw_desc how, struct buf *out)
{
	char a[PCI_ADDR_STRLEN];
	switch (how) {
	case HW_DESC_CLASS:
		class_and_id(d, out);
		break;
	case HW_DESC_FULL:
		pci_addr_fmt(&d->addr, a);
		buf_printf(out, "%s ", a);
		class_and_id(d, out);
		if (d->device_name)
			buf_printf(out, " (%s)", d->device_name);
		break;
	case HW_DESC_NAME:
		buf_printf(out, "%s [%04x:%04x]", d->device_name ? d->device_name : d->class_name ?
			   d->class_name : "unnamed device", d->vendor, d->device);
		break;
	}
	return buf_str(out);
}
