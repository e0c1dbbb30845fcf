/* hw.h: the hardware model. One struct hw holds every fact of hardware.md, however it was
 * obtained: probed live, probed under a test root (--root), or loaded from a snapshot.
 * Checks and backends read only this, never sysfs. */
#ifndef VFIOC_HW_H
#define VFIOC_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/cpulist.h"
#include "base/diag.h"
#include "base/loc.h"
#include "base/pci.h"
#include "base/util.h"
#include "model/config.h"   /* enum hugepage_size */

enum cpu_vendor { CPU_UNKNOWN, CPU_INTEL, CPU_AMD };

#define HOST_ID_LEN 32  /* hex digits of hw.host_id */

struct hw_pci {
	struct pci_addr addr;
	uint16_t vendor, device;
	uint16_t sub_vendor, sub_device;   /* 0 when unknown */
	uint32_t class;                    /* 24-bit: base, sub, prog-if (0x030000 = VGA) */
	uint8_t revision;
	bool multifunction;                /* header type bit 7 of function 0's config space */
	int header_type;                   /* config byte 0x0E, low 7 bits: HW_HEADER_*; -1:
					    * unknown (use hw_header_type) */
	int iommu_group;                   /* -1: none (IOMMU off, or not in a group) */
	const char *driver;                /* driver in use; NULL: none */
	const char *driver_module;         /* its kernel module (sys/bus/pci/drivers/DRV/module);
					    * NULL: built-in, unknown, or no driver */
	int boot_vga;                      /* 1, 0, or -1: no boot_vga file */
	const char *reset_methods;         /* "flr bus"; "": none; NULL: unknown (no file) */
	int numa_node;                     /* -1: unknown */
	bool is_vf;                        /* an SR-IOV virtual function (has a physfn link) */
	struct pci_addr physfn;            /* is_vf: its physical function */
	const char *vendor_name;           /* from pci.ids; NULL when unknown */
	const char *device_name;
	const char *class_name;            /* "VGA compatible controller" */
	/* What the host itself runs on through this device (hw/host_uses.c); NULL: nothing known. */
	const char *host_fs;               /* mounted file systems and swap: "/ (nvme1n1p2),
					    * /boot (nvme1n1p1), swap (nvme1n1p3)" */
	const char *host_route;            /* default-route interfaces: "enp5s0 in br0" */
	struct loc loc;                    /* in the snapshot, when loaded from one */
};

struct hw_group {
	int number;
	size_t *member;                    /* indices into hw.pci, in address order */
	size_t n;
};

struct hw_cpu {
	unsigned id;
	int core_id, package_id;           /* -1: unknown */
	int node;                          /* NUMA node; -1: unknown */
	struct cpulist siblings;           /* thread_siblings_list */
};

struct hw_usb {
	uint16_t vendor, product;
	unsigned busnum, devnum;
	const char *port;                  /* "1-2.3", its name in sys/bus/usb/devices; NULL:
					    * a root hub, or unknown (older snapshots) */
	const char *manufacturer, *product_name;  /* NULL when unknown */
	struct loc loc;
};

struct hw {
	const char *source;                /* "/", the root, or the snapshot path, for messages */
	const char *root;                  /* probed: "/" or the test root, whose files are at
					    * hand (hw_host_file); NULL: loaded from a snapshot */
	bool iommu_present;                /* sys/class/iommu has entries */
	enum cpu_vendor cpu_vendor;
	bool cpu_vmx, cpu_svm, cpu_pdpe1gb;
	struct hw_cpu *cpus; size_t ncpus; /* online CPUs, by id */
	uint64_t mem_total_kib;            /* 0: unknown */
	uint64_t *hugepage_kib; size_t nhugepage;  /* supported sizes, ascending */
	const char *kernel_release;        /* NULL: unknown */
	const char *cmdline;               /* NULL: unknown */
	const char *host_id;               /* HOST_ID_LEN hex digits, a keyed hash of the
					    * machine-id (hw/host.c); NULL: unknown */
	struct hw_pci *pci; size_t npci;   /* address order */
	struct hw_group *groups; size_t ngroups;  /* number order */
	struct hw_usb *usb; size_t nusb;   /* bus, device order */
	size_t *by_id;                     /* indices into pci sorted by vendor:device, address */
	struct arena arena;                /* owns everything above */
};

/* An empty model named source. Everything a struct hw points to must live in hw->arena:
 * hw_free frees the arena and the struct, nothing else. */
struct hw *hw_new(const char *source);

/* Read live (root "/") or a test root. Problems go to ds: a missing ROOT/sys/bus/pci, or a
 * file that is there but unreadable (EACCES, EIO), is a SYSTEM diagnostic naming the path
 * (D_HW_UNREADABLE, and NULL is returned); missing optional files and garbage in them are
 * unknown facts; a device whose vendor/device/class file is missing is left out with a
 * warning (D_HW_INCOMPLETE). Names come from ROOT/usr/share/misc/pci.ids
 * (or ROOT/usr/share/hwdata/pci.ids) when the root has one, else from the system's pci.ids.
 * Returns NULL when nothing usable could be read. */
struct hw *hw_probe(const char *root, struct diags *ds);
void hw_free(struct hw *hw);

/* What path (absolute, as the config names it) is on the host hw was probed from
 * (hw/hostfile.c): under a test root, resolved inside it, never out. HW_FILE_UNKNOWN for a
 * snapshot (no files at hand), a relative path, or a lookup that failed otherwise (EACCES). */
enum hw_file { HW_FILE_UNKNOWN, HW_FILE_MISSING, HW_FILE_REGULAR, HW_FILE_BLOCK, HW_FILE_OTHER };
enum hw_file hw_host_file(const struct hw *hw, const char *path);
/* After filling pci/usb/cpus by any means: sort them, build groups and by_id. */
void hw_finish(struct hw *hw);

/* The invariants of a finished model (hw/invariants.c): pci, cpus, hugepage sizes and usb in
 * order without duplicates, groups in number order holding exactly the grouped devices in
 * address order, by_id sorted. Returns how many are broken, each named on out (NULL:
 * silent). For tests and fuzz targets. */
size_t hw_check(const struct hw *hw, FILE *out);

/* The one binary search of the model: the first i in [0, n) whose key(ctx, i) is not below
 * want, or n, for keys that do not descend with i. */
size_t hw_lower_bound(size_t n, uint32_t (*key)(const void *ctx, size_t i), const void *ctx,
		      uint32_t want);

/* Lookups, all O(log n). */
const struct hw_pci *hw_find_pci(const struct hw *hw, const struct pci_addr *addr);
/* Index of the first device at or after addr in hw->pci (hw->npci when none). */
size_t hw_pci_index(const struct hw *hw, const struct pci_addr *addr);
const struct hw_group *hw_find_group(const struct hw *hw, int number);
const struct hw_cpu *hw_find_cpu(const struct hw *hw, unsigned id);
/* Devices with this vendor:device, in address order: writes up to max indices into out and
 * returns how many there are in all. */
size_t hw_find_ids(const struct hw *hw, uint16_t vendor, uint16_t device, size_t *out, size_t max);
/* The same for every device of vendor, in vendor:device, address order. */
size_t hw_find_vendor(const struct hw *hw, uint16_t vendor, size_t *out, size_t max);
bool hw_is_bridge(const struct hw_pci *d);  /* class 06xx */
/* PCI header types (config byte 0x0E, low 7 bits), as the kernel's hdr_type. */
enum { HW_HEADER_NORMAL = 0, HW_HEADER_BRIDGE = 1, HW_HEADER_CARDBUS = 2 };
/* The group rule (hw/group.c). d's header type (the one its class implies when unknown). */
int hw_header_type(const struct hw_pci *d);
/* A function of the host platform that never leaves it: the SMBus controller (0c05), the
 * SPI flash controller (the firmware's flash), an IOMMU (0806). hw_stays_on_host: that or a
 * bridge (06xx: host, LPC/ISA, PCI bridges). Neither is ever passed nor suggested. */
bool hw_is_platform(const struct hw_pci *d);
bool hw_stays_on_host(const struct hw_pci *d);
/* What it is, for messages: "LPC/ISA bridge", "SMBus controller", "bridge"... */
const char *hw_platform_role(const struct hw_pci *d);
/* Whether d, left on the host, keeps the kernel from giving its group to a VM: it has a
 * driver that is not pci-stub, and not pcieport on a bridge header (see group.c). */
bool hw_holds_group(const struct hw_pci *d);
/* The endpoints of g (members that may leave the host, hw_stays_on_host aside); the member
 * that holds the host's own file systems (the group then stays), or NULL; the first member
 * that stays on the host and holds the group (no VM can have the group), or NULL; and the
 * endpoints not marked in passed (one flag per hw->pci), written to out (room for g->n). */
size_t hw_group_endpoints(const struct hw *hw, const struct hw_group *g);
const struct hw_pci *hw_group_host_disk(const struct hw *hw, const struct hw_group *g);
const struct hw_pci *hw_group_blocker(const struct hw *hw, const struct hw_group *g);
size_t hw_group_left(const struct hw *hw, const struct hw_group *g, const bool *passed,
		     size_t *out);
/* Whether d may leave the host for a VM: never a bridge or a platform function (they stay
 * without keeping the others of their group from being passed, unless hw_holds_group),
 * nor the device of the host's own file systems, nor anything in its group. host_disk:
 * hw_group_host_disk of d's group, found once per group; NULL judges d alone. */
enum hw_leave {
	HW_MAY_LEAVE,
	HW_STAYS_BRIDGE,      /* class 06xx */
	HW_STAYS_PLATFORM,    /* hw_is_platform */
	HW_STAYS_HOST_FS,     /* d holds the host's own file systems */
	HW_STAYS_HOST_GROUP,  /* another member of its group holds them */
};
enum hw_leave hw_may_leave(const struct hw_pci *d, const struct hw_pci *host_disk);
bool hw_is_gpu(const struct hw_pci *d);     /* class 03xx */
/* The USB device plugged into port ("1-2.3"), or NULL. */
const struct hw_usb *hw_find_usb_port(const struct hw *hw, const char *port);
const char *hw_cpu_vendor_name(enum cpu_vendor v);  /* "intel", "amd", "unknown" */
/* The IOMMU mode a CPU vendor calls for: OFF for an unknown vendor. */
enum iommu_mode hw_cpu_iommu(enum cpu_vendor v);

/* Hugepages (hw/pages.c): x86-64 has pages of 2 MiB and of 1 GiB, the latter only on CPUs
 * with the pdpe1gb flag. The size in KiB of the config's page size; whether the host can
 * reserve pages of kib KiB (the CPU flag, and the sizes the kernel offers when known). */
#define HW_PAGE_2M_KIB 2048
#define HW_PAGE_1G_KIB 1048576
uint64_t hw_hugepage_kib(enum hugepage_size s);
bool hw_hugepage_supported(const struct hw *hw, uint64_t kib);

/* vCPU pins on the host's CPUs (hw/cpu.c). Whether host CPU b is in a's
 * thread_siblings_list (and is not a); the first vCPU of the first run of t pins that are
 * not t sibling threads of one host core, or pin->n when every run is; and the threads per
 * guest core the pins give: t when every run of t consecutive pins is t SMT siblings of one
 * host core (QEMU makes vCPU i thread i % t of core i / t), else 1. The derived topology
 * and the topology-smt check both use the last. */
bool hw_smt_siblings(const struct hw *hw, unsigned a, unsigned b);
size_t hw_pin_split(const struct hw *hw, const struct cpulist *pin, unsigned t);
unsigned hw_pin_threads(const struct hw *hw, const struct cpulist *pin);
/* How a device is named in messages (hw/describe.c). */
enum hw_desc {
	HW_DESC_CLASS,  /* "USB controller [0c03] 10de:1ad8": the comment of a hint's YAML */
	HW_DESC_FULL,   /* "0000:01:00.2 USB controller [0c03] 10de:1ad8 (TU104 USB 3.1 Host
			 * Controller)": notes and messages of the checks */
	HW_DESC_NAME,   /* "TU104 USB 3.1 Host Controller [10de:1ad8]": init's comments */
};
/* Appends d's description to out; returns buf_str(out). */
const char *hw_pci_describe(const struct hw_pci *d, enum hw_desc how, struct buf *out);

#endif
