/* schema/snapshot/table.c: the hardware snapshot, version 1: every key of every record, its kind,
 * where the model keeps it, its unknown value and whether it is required. The loader, the
 * writer and the format section of docs/hardware.md are driven by these rows; keys are
 * written in the order listed. */
#include <stddef.h>
#include <string.h>

#include "hw/hw.h"
#include "schema/snapshot/snapshot.h"

/* The fact at member m of struct T: offset and size. */
#define AT(T, m) .off = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define ROWS(tab) .fields = tab, .nfields = ARRAY_LEN(tab)

static const char *const cpu_vendor_names[] = { [CPU_UNKNOWN] = "unknown",
	[CPU_INTEL] = "intel", [CPU_AMD] = "amd" };
/* The CPU flags a snapshot records, in the order written; struct hw keeps them as three
 * bools in a row. */
static const char *const cpu_flag_names[] = { "vmx", "svm", "pdpe1gb" };
_Static_assert(offsetof(struct hw, cpu_svm) == offsetof(struct hw, cpu_vmx) + 1 &&
	       offsetof(struct hw, cpu_pdpe1gb) == offsetof(struct hw, cpu_vmx) + 2,
	       "cpu flags are consecutive bools");

static const struct snap_field kernel_fields[] = {
	{ "release", SK_STR, AT(struct hw, kernel_release), .doc = "proc/sys/kernel/osrelease" },
	{ "cmdline", SK_STR, AT(struct hw, cmdline), .doc = "proc/cmdline" },
};
static const struct snap_object kernel_object = { "kernel", "kernel", ROWS(kernel_fields),
	.loc_off = SNAP_NO_OFF, .doc = "The running kernel." };

static const struct snap_field cpu_entry_fields[] = {
	{ "id", SK_UINT, AT(struct hw_cpu, id), SNAP_NEVER, SF_REQUIRED, .max = CPULIST_MAX_CPU,
	  .doc = "an online CPU" },
	{ "core", SK_INT, AT(struct hw_cpu, core_id), -1, .doc = "topology/core_id" },
	{ "package", SK_INT, AT(struct hw_cpu, package_id), -1,
	  .doc = "topology/physical_package_id" },
	{ "siblings", SK_CPULIST, AT(struct hw_cpu, siblings),
	  .doc = "its SMT siblings, itself included (topology/thread_siblings_list)" },
	{ "node", SK_INT, AT(struct hw_cpu, node), -1, .doc = "its NUMA node (node*/cpulist)" },
};
static const struct snap_object cpu_entry_object = { "cpu.cpus[]", "a CPU",
	ROWS(cpu_entry_fields), .size = sizeof(struct hw_cpu), .loc_off = SNAP_NO_OFF,
	.flow = true, .doc = "One online CPU, by id." };

static const struct snap_field cpu_fields[] = {
	{ "vendor", SK_ENUM, AT(struct hw, cpu_vendor), .values = cpu_vendor_names,
	  .nvalues = ARRAY_LEN(cpu_vendor_names), .item = "CPU vendor",
	  .doc = "proc/cpuinfo vendor_id" },
	{ "flags", SK_FLAGS, AT(struct hw, cpu_vmx), SNAP_NEVER, .values = cpu_flag_names,
	  .nvalues = ARRAY_LEN(cpu_flag_names), .item = "CPU flag", .list = "a list of CPU flags",
	  .doc = "those of proc/cpuinfo's flags that vfioc checks" },
	{ "cpus", SK_LIST, .off = offsetof(struct hw, cpus), .off2 = offsetof(struct hw, ncpus),
	  .sub = &cpu_entry_object, .list = "a list of CPUs", .doc = "online CPUs, by id" },
};
static const struct snap_object cpu_object = { "cpu", "cpu", ROWS(cpu_fields),
	.loc_off = SNAP_NO_OFF, .doc = "The processor." };

static const struct snap_field memory_fields[] = {
	{ "total-kib", SK_UINT, AT(struct hw, mem_total_kib), .max = UINT64_MAX >> 10,
	  .doc = "proc/meminfo MemTotal" },
	{ "hugepage-sizes-kib", SK_NUMLIST, .off = offsetof(struct hw, hugepage_kib),
	  .off2 = offsetof(struct hw, nhugepage), .unknown = SNAP_NEVER, .max = UINT64_MAX >> 10,
	  .list = "a list of page sizes in KiB",
	  .doc = "the huge page sizes the kernel offers (sys/kernel/mm/hugepages)" },
};
static const struct snap_object memory_object = { "memory", "memory", ROWS(memory_fields),
	.loc_off = SNAP_NO_OFF, .doc = "Memory." };

static const struct snap_field iommu_fields[] = {
	{ "present", SK_BOOL, AT(struct hw, iommu_present), SNAP_NEVER,
	  .doc = "sys/class/iommu has entries" },
};
static const struct snap_object iommu_object = { "iommu", "iommu", ROWS(iommu_fields),
	.loc_off = SNAP_NO_OFF, .doc = "The IOMMU." };

static const struct snap_field pci_fields[] = {
	{ "address", SK_PCIADDR, AT(struct hw_pci, addr), SNAP_NEVER, SF_REQUIRED | SF_LOC,
	  .off2 = SNAP_NO_OFF, .doc = "domain:bus:slot.function" },
	{ "id", SK_ID, AT(struct hw_pci, vendor), SNAP_NEVER, SF_REQUIRED,
	  .off2 = offsetof(struct hw_pci, device), .doc = "vendor:device" },
	{ "subsystem", SK_ID, AT(struct hw_pci, sub_vendor),
	  .off2 = offsetof(struct hw_pci, sub_device), .doc = "subsystem vendor:device" },
	{ "class", SK_HEX, AT(struct hw_pci, class), SNAP_NEVER, SF_REQUIRED, .max = 0xffffff,
	  .doc = "base class, subclass, prog-if" },
	{ "revision", SK_HEX, AT(struct hw_pci, revision), SNAP_NEVER, .max = 0xff,
	  .doc = "from config space" },
	{ "vendor-name", SK_STR, AT(struct hw_pci, vendor_name), .doc = "from pci.ids" },
	{ "device-name", SK_STR, AT(struct hw_pci, device_name), .doc = "from pci.ids" },
	{ "class-name", SK_STR, AT(struct hw_pci, class_name), .doc = "from pci.ids" },
	{ "iommu-group", SK_INT, AT(struct hw_pci, iommu_group), -1,
	  .doc = "the iommu_group link; absent: in no group" },
	{ "driver", SK_STR, AT(struct hw_pci, driver),
	  .doc = "the driver link; absent: no driver bound" },
	{ "module", SK_STR, AT(struct hw_pci, driver_module), .text = ST_MODULE, .needs = "driver",
	  .doc = "the driver's module (sys/bus/pci/drivers/DRV/module -> .../module/NAME); "
		 "absent: built in, or unknown" },
	{ "boot-vga", SK_TRIBOOL, AT(struct hw_pci, boot_vga), -1,
	  .doc = "boot_vga; absent: no boot_vga file (only VGA devices have one)" },
	{ "reset-methods", SK_WORDS, AT(struct hw_pci, reset_methods), .item = "reset method",
	  .list = "a list of reset methods", .doc = "reset_method; []: none; absent: unknown" },
	{ "numa-node", SK_INT, AT(struct hw_pci, numa_node), -1, .doc = "numa_node" },
	{ "header-type", SK_INT, AT(struct hw_pci, header_type), -1, .max = 0x7f,
	  .doc = "config space byte 0x0E, low 7 bits: 0 normal, 1 PCI-to-PCI bridge, 2 CardBus "
		 "bridge; absent: unknown (the class decides: 0604 and 0609 are 1, 0607 is 2)" },
	{ "multifunction", SK_BOOL, AT(struct hw_pci, multifunction),
	  .doc = "header type bit 7 of function 0; absent: false" },
	{ "physfn", SK_PCIADDR, AT(struct hw_pci, physfn), .off2 = offsetof(struct hw_pci, is_vf),
	  .doc = "the physfn link: only SR-IOV virtual functions have one" },
	{ "host-filesystems", SK_STR, AT(struct hw_pci, host_fs),
	  .doc = "the host's mounted file systems and active swap on this device, each with its "
		 "block devices: \"/ (nvme1n1p2), /boot (nvme1n1p1), swap (nvme1n1p3)\"" },
	{ "host-default-route", SK_STR, AT(struct hw_pci, host_route),
	  .doc = "the host's default-route interface on this device, and the one the route "
		 "names: \"enp5s0 in br0\"" },
};
static const struct snap_object pci_object = { "pci[]", "a PCI device", ROWS(pci_fields),
	.size = sizeof(struct hw_pci), .loc_off = offsetof(struct hw_pci, loc),
	.doc = "One PCI device, in address order." };

static const struct snap_field usb_fields[] = {
	{ "bus", SK_UINT, AT(struct hw_usb, busnum), SNAP_NEVER, .max = 0xffff, .doc = "busnum" },
	{ "device", SK_UINT, AT(struct hw_usb, devnum), SNAP_NEVER, .max = 0xffff, .doc = "devnum" },
	{ "id", SK_ID, AT(struct hw_usb, vendor), SNAP_NEVER, SF_REQUIRED,
	  .off2 = offsetof(struct hw_usb, product), .doc = "vendor:product" },
	{ "port", SK_STR, AT(struct hw_usb, port), .text = ST_USB_PORT,
	  .doc = "its name under sys/bus/usb/devices, BUS-PORT[.PORT]...; absent: a root hub, "
		 "or a snapshot written before ports were recorded" },
	{ "manufacturer", SK_STR, AT(struct hw_usb, manufacturer), .doc = "manufacturer" },
	{ "product", SK_STR, AT(struct hw_usb, product_name), .doc = "product" },
};
static const struct snap_object usb_object = { "usb[]", "a USB device", ROWS(usb_fields),
	.size = sizeof(struct hw_usb), .loc_off = offsetof(struct hw_usb, loc), .flow = true,
	.doc = "One USB device, in bus, device order." };

static const struct snap_field top_fields[] = {
	{ "version", SK_VERSION, .unknown = SNAP_NEVER, .flags = SF_REQUIRED,
	  .doc = "1; anything else is an error" },
	{ "host-id", SK_STR, AT(struct hw, host_id), .text = ST_HOST_ID,
	  .doc = "HMAC-SHA256 of etc/machine-id (else the DMI product UUID) under vfioc's own key: "
		 "the VMs' UUIDs and MACs derive from it; never the id itself" },
	{ "kernel", SK_MAP, .sub = &kernel_object },
	{ "cpu", SK_MAP, .sub = &cpu_object },
	{ "memory", SK_MAP, .sub = &memory_object },
	{ "iommu", SK_MAP, .sub = &iommu_object },
	{ "pci", SK_LIST, .off = offsetof(struct hw, pci), .off2 = offsetof(struct hw, npci),
	  .unknown = SNAP_NEVER, .flags = SF_REQUIRED, .sub = &pci_object,
	  .list = "a list of PCI devices" },
	{ "usb", SK_LIST, .off = offsetof(struct hw, usb), .off2 = offsetof(struct hw, nusb),
	  .unknown = SNAP_NEVER, .sub = &usb_object, .list = "a list of USB devices" },
};
const struct snap_object snapshot_root = { "(top level)", "a hardware snapshot",
	ROWS(top_fields), .loc_off = SNAP_NO_OFF, .doc = "The document: one map." };

/* ---- a row's fact in a record ---- */

unsigned long long snap_uint(const struct snap_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->off;
	switch (f->size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

void snap_set_uint(const struct snap_field *f, void *obj, unsigned long long v)
{
	char *p = (char *)obj + f->off;
	switch (f->size) {
	case 1: *(uint8_t *)p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	default: *(uint64_t *)p = v; break;
	}
}

int snap_hex_digits(unsigned long long max)
{
	int n = 0;
	for (; max; max >>= 4)
		n++;
	return n;
}

bool snap_known(const struct snap_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->off;
	if (f->unknown == SNAP_NEVER)
		return true;
	switch (f->kind) {
	case SK_STR:
	case SK_WORDS: return *(const char *const *)p != NULL;
	case SK_INT:
	case SK_TRIBOOL: return *(const int *)p >= 0;
	case SK_UINT:
	case SK_HEX:
	case SK_ENUM: return snap_uint(f, obj) != (unsigned long long)f->unknown;
	case SK_BOOL: return *(const bool *)p;
	case SK_PCIADDR: return f->off2 == SNAP_NO_OFF || *(const bool *)((const char *)obj + f->off2);
	case SK_ID: return *(const uint16_t *)p || *(const uint16_t *)((const char *)obj + f->off2);
	case SK_CPULIST: return ((const struct cpulist *)p)->n != 0;
	case SK_NUMLIST:
	case SK_LIST: return *(const size_t *)((const char *)obj + f->off2) != 0;
	case SK_MAP:
		for (size_t i = 0; i < f->sub->nfields; i++)
			if (snap_known(&f->sub->fields[i], obj))
				return true;
		return false;
	case SK_VERSION:
	case SK_FLAGS: break;
	}
	return true;
}
