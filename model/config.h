/* config.h: the config as the front end hands it on: typed, defaults applied, and every
 * value with the place it was written (loc.line == 0: not written, the default applies).
 * Filled by lower.c from the tables in schema/; read by check.c. */
#ifndef VFIOC_CONFIG_H
#define VFIOC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cpulist.h"
#include "base/loc.h"
#include "base/pci.h"
#include "base/util.h"

/* Enumerations of the config language: X(C_NAME, "yaml-spelling"). */
#define NIXOS_RELEASES(X) X(NIXOS_24_05, "24.05") X(NIXOS_24_11, "24.11") \
	X(NIXOS_25_05, "25.05") X(NIXOS_25_11, "25.11") X(NIXOS_26_05, "26.05") \
	X(NIXOS_26_11, "26.11") X(NIXOS_UNSTABLE, "unstable")
/* Hosts other than NixOS: the os-release family, its initramfs generator and boot loader.
 * FAMILY_NIXOS is the NixOS target (target.nixos), never written as a family. */
#define FAMILIES(X) X(FAMILY_NIXOS, "nixos") X(FAMILY_ARCH, "arch") X(FAMILY_DEBIAN, "debian") \
	X(FAMILY_FEDORA, "fedora")
#define INITRAMFS_GENERATORS(X) X(INITRAMFS_MKINITCPIO, "mkinitcpio") X(INITRAMFS_DRACUT, "dracut") \
	X(INITRAMFS_TOOLS, "initramfs-tools") X(INITRAMFS_BOOSTER, "booster")
#define BOOTLOADERS(X) X(BOOTLOADER_GRUB, "grub") X(BOOTLOADER_SYSTEMD_BOOT, "systemd-boot") \
	X(BOOTLOADER_KERNELSTUB, "kernelstub")
#define IOMMU_MODES(X) X(IOMMU_AUTO, "auto") X(IOMMU_INTEL, "intel") X(IOMMU_AMD, "amd") \
	X(IOMMU_OFF, "off")
#define BIND_MODES(X) X(BIND_AUTO, "auto") X(BIND_IDS, "ids") \
	X(BIND_DRIVER_OVERRIDE, "driver-override")
#define QEMU_PACKAGES(X) X(QEMU_PLAIN, "qemu") X(QEMU_KVM, "qemu_kvm") X(QEMU_FULL, "qemu_full")
#define HUGEPAGE_SIZES(X) X(HUGEPAGE_2M, "2M") X(HUGEPAGE_1G, "1G")
#define FIRMWARES(X) X(FW_UEFI, "uefi") X(FW_BIOS, "bios")
#define PCI_BINDS(X) X(PCI_BIND_BOOT, "boot") X(PCI_BIND_MANAGED, "managed")
#define DISK_BUSES(X) X(DISK_VIRTIO, "virtio") X(DISK_SATA, "sata") X(DISK_SCSI, "scsi")
#define DISK_FORMATS(X) X(DISK_QCOW2, "qcow2") X(DISK_RAW, "raw")
#define GRAPHICS(X) X(GFX_SPICE, "spice") X(GFX_VNC, "vnc") X(GFX_NONE, "none")
#define AUDIOS(X) X(AUDIO_NONE, "none") X(AUDIO_PIPEWIRE, "pipewire") \
	X(AUDIO_PULSEAUDIO, "pulseaudio") X(AUDIO_SCREAM, "scream")
#define DISK_CACHES(X) X(CACHE_DEFAULT, "default") X(CACHE_NONE, "none") \
	X(CACHE_WRITEBACK, "writeback") X(CACHE_WRITETHROUGH, "writethrough") \
	X(CACHE_DIRECTSYNC, "directsync") X(CACHE_UNSAFE, "unsafe")
#define DISK_IOS(X) X(IO_DEFAULT, "default") X(IO_NATIVE, "native") X(IO_THREADS, "threads") \
	X(IO_URING, "io_uring")
#define CPU_CACHES(X) X(CPU_CACHE_DEFAULT, "default") X(CPU_CACHE_PASSTHROUGH, "passthrough")
#define SMBIOS_MODES(X) X(SMBIOS_NONE, "none") X(SMBIOS_HOST, "host")
#define INPUTS(X) X(INPUT_DEFAULT, "default") X(INPUT_VIRTIO, "virtio")
#define LG_DEVICES(X) X(LG_SHM, "shm") X(LG_KVMFR, "kvmfr")

#define ENUM_MEMBER(c, s) c,
enum nixos_release { NIXOS_RELEASES(ENUM_MEMBER) NIXOS_COUNT };
enum family { FAMILIES(ENUM_MEMBER) FAMILY_COUNT };
enum initramfs { INITRAMFS_GENERATORS(ENUM_MEMBER) INITRAMFS_COUNT };
enum bootloader { BOOTLOADERS(ENUM_MEMBER) BOOTLOADER_COUNT };
enum iommu_mode { IOMMU_MODES(ENUM_MEMBER) IOMMU_COUNT };
enum bind_mode { BIND_MODES(ENUM_MEMBER) BIND_COUNT };
enum qemu_package { QEMU_PACKAGES(ENUM_MEMBER) QEMU_COUNT };
enum hugepage_size { HUGEPAGE_SIZES(ENUM_MEMBER) HUGEPAGE_COUNT };
enum firmware { FIRMWARES(ENUM_MEMBER) FW_COUNT };
enum pci_bind { PCI_BINDS(ENUM_MEMBER) PCI_BIND_COUNT };
enum disk_bus { DISK_BUSES(ENUM_MEMBER) DISK_BUS_COUNT };
enum disk_format { DISK_FORMATS(ENUM_MEMBER) DISK_FORMAT_COUNT };
enum graphics { GRAPHICS(ENUM_MEMBER) GFX_COUNT };
enum audio { AUDIOS(ENUM_MEMBER) AUDIO_COUNT };
enum disk_cache { DISK_CACHES(ENUM_MEMBER) DISK_CACHE_COUNT };
enum disk_io { DISK_IOS(ENUM_MEMBER) DISK_IO_COUNT };
enum cpu_cache { CPU_CACHES(ENUM_MEMBER) CPU_CACHE_COUNT };
enum smbios_mode { SMBIOS_MODES(ENUM_MEMBER) SMBIOS_COUNT };
enum input_bus { INPUTS(ENUM_MEMBER) INPUT_COUNT };
enum lg_device { LG_DEVICES(ENUM_MEMBER) LG_DEVICE_COUNT };
#undef ENUM_MEMBER

/* Located scalar values. */
struct cfg_bool { bool v; struct loc loc; };
struct cfg_uint { uint64_t v; struct loc loc; };
/* written: the value as the file spells it, where it can differ from the name of v (a NixOS
 * release newer than vfioc knows, taken as the newest it knows); NULL: not written. */
struct cfg_enum { int v; struct loc loc; const char *written; };
struct cfg_str  { const char *v; struct loc loc; };   /* v NULL: absent */
struct cfg_cpus { struct cpulist v; struct loc loc; }; /* v.n == 0 and !LOC_SET: absent */
struct cfg_strlist { struct cfg_str *v; size_t n; struct loc loc; };

struct cfg_pciaddr { struct pci_addr v; struct loc loc; };
struct cfg_pciid { uint16_t vendor, device; struct loc loc; };  /* !LOC_SET: absent */

/* A `pci` entry: "01:00.0", "1002:67b0", or {address, id, rom, bind}. */
struct cfg_pci {
	struct loc loc;             /* the list entry */
	bool by_id;                 /* written as "vvvv:dddd" alone: resolved against the hardware */
	struct cfg_pciaddr address; /* set unless by_id */
	struct cfg_pciid id;        /* by_id, or the `id` guard of the map form */
	struct cfg_str rom;         /* VBIOS file */
	struct cfg_enum bind;       /* enum pci_bind */
	struct cfg_bool boot;       /* !LOC_SET: the default (plan_vm.c) */
};

/* A `usb` entry: "046d:c52b", or {id, bus-port, optional}. */
struct cfg_usb {
	struct loc loc;
	uint16_t vendor, product;   /* by ID (written, or the `id` of the map form); 0:0 by port */
	struct cfg_pciid id;        /* the map form's vendor:product */
	struct cfg_str bus_port;    /* "1-2.3": the host port the device is plugged into */
	struct cfg_bool optional;   /* the VM starts without it when it is unplugged */
};

/* A disk: {path, bus, format} or {cdrom}. */
struct cfg_disk {
	struct loc loc;
	struct cfg_str path;        /* an image or block device; NULL for a CD-ROM */
	struct cfg_str cdrom;       /* an ISO, or "empty" (a drive without media); NULL for a disk */
	struct cfg_enum bus;        /* enum disk_bus */
	struct cfg_enum format;     /* enum disk_format */
	struct cfg_enum cache;      /* enum disk_cache */
	struct cfg_enum io;         /* enum disk_io */
	struct cfg_bool discard;    /* discard='unmap' */
};
#define CDROM_EMPTY "empty"

enum net_kind { NET_NETWORK, NET_BRIDGE, NET_NONE };
struct cfg_network {
	struct loc loc;
	enum net_kind kind;
	const char *name;          /* libvirt network, or the bridge; NULL for NET_NONE */
	struct cfg_str bridge;     /* the map form {bridge: name} */
};

struct cfg_topology {
	struct loc loc;            /* unset: derived from vcpus */
	struct cfg_uint sockets, cores, threads;
};

struct cfg_looking_glass {
	struct loc loc;            /* unset: no Looking Glass */
	struct cfg_uint size;      /* MiB */
	struct cfg_enum device;    /* enum lg_device */
};

/* host.nixos-extra: `attr.path: value`, a string, bool, integer or a list of those. */
enum nix_kind { NIX_STR, NIX_BOOL, NIX_INT, NIX_LIST };
struct cfg_nixval {
	enum nix_kind kind;
	const char *str;           /* NIX_STR */
	bool b;                    /* NIX_BOOL */
	int64_t i;                 /* NIX_INT */
	struct cfg_nixval *items; size_t nitems;  /* NIX_LIST: scalars only */
	struct loc loc;
};
struct cfg_nixattr {
	const char **path; size_t npath;  /* the components, unquoted */
	struct loc loc;            /* the key */
	struct cfg_nixval value;
};
struct cfg_nixattrs { struct cfg_nixattr *v; size_t n; struct loc loc; };

struct cfg_vm {
	const char *name;
	struct loc name_loc;
	struct loc loc;            /* the VM's mapping */
	struct cfg_uint memory;    /* MiB */
	struct cfg_uint vcpus;
	struct cfg_topology topology;
	struct cfg_cpus pin;
	struct cfg_cpus emulator_pin;
	struct cfg_bool hugepages;
	struct cfg_enum firmware;  /* enum firmware */
	struct cfg_bool secure_boot;
	struct cfg_bool tpm;
	struct cfg_bool hyperv;
	struct cfg_bool hide_kvm;
	struct cfg_pci *pci; size_t npci;
	struct cfg_usb *usb; size_t nusb;
	struct cfg_disk *disks; size_t ndisks;
	struct cfg_network network;
	struct cfg_enum graphics;  /* enum graphics */
	struct cfg_strlist evdev;
	struct cfg_looking_glass looking_glass;
	struct cfg_bool autostart;
	struct cfg_str uuid;       /* NULL: derived from the host identity and the name */
	struct cfg_str mac;        /* NULL: derived likewise */
	struct cfg_enum audio;     /* enum audio */
	struct cfg_uint iothreads;
	struct cfg_cpus iothread_pin;
	struct cfg_enum cpu_cache; /* enum cpu_cache */
	struct cfg_bool invtsc;
	struct cfg_enum smbios;    /* enum smbios_mode */
	struct cfg_str hyperv_vendor_id;
	struct cfg_enum input;     /* enum input_bus */
	struct cfg_bool single_gpu;
	struct cfg_strlist libvirt_xml;  /* "XPATH=VALUE" edits of the generated domain */
};

struct cfg_hugepages {
	struct loc loc;            /* unset: no reservation */
	struct cfg_enum size;      /* enum hugepage_size */
	struct cfg_uint count;
};

struct cfg_ovmf {
	struct loc loc;
	struct cfg_bool secure_boot, tpm, ms_keys;
};

/* host.libvirt.qemu-config: qemu.conf settings, written as verbatimConfig. */
struct cfg_qemu_config {
	struct loc loc;
	struct cfg_str user, group;
	struct cfg_uint uid;       /* user's uid: its sound server's /run/user/UID */
	struct cfg_bool namespaces;
	struct cfg_strlist cgroup_device_acl;  /* added to libvirt's default list */
};

struct cfg_libvirt {
	struct loc loc;
	struct cfg_bool enable;
	struct cfg_enum qemu_package;  /* enum qemu_package */
	struct cfg_bool run_as_root;
	struct cfg_bool swtpm;         /* !LOC_SET: true when any VM has tpm */
	struct cfg_ovmf ovmf;
	struct cfg_bool define_domains;
	struct cfg_bool delete_removed_state;
	struct cfg_qemu_config qemu_config;
};

struct cfg_host {
	struct loc loc;
	struct cfg_enum iommu;             /* enum iommu_mode */
	struct cfg_bool iommu_passthrough;
	struct cfg_enum bind;              /* enum bind_mode */
	struct cfg_strlist display_drivers;
	struct cfg_strlist kernel_params;
	struct cfg_hugepages hugepages;
	struct cfg_cpus isolate_cpus;
	struct cfg_strlist users;
	struct cfg_bool virt_manager;
	struct cfg_bool spice_usb_redirection;
	struct cfg_libvirt libvirt;
	struct cfg_strlist blacklist_drivers;
	struct cfg_cpus isolate_cpus_while_running;
	struct cfg_nixattrs nixos_extra;
};

struct cfg_target {
	struct loc loc;
	struct cfg_enum nixos;     /* enum nixos_release */
	struct cfg_str kernel;     /* "6.6"; NULL: the release's default */
	struct cfg_enum family;    /* enum family; !LOC_SET: NixOS */
	struct cfg_enum initramfs; /* enum initramfs; !LOC_SET: the family's */
	struct cfg_enum bootloader; /* enum bootloader */
};

/* A key set in the config whose value vfioc cannot check (schema.h F_ESCAPE_HATCH). */
struct cfg_hatch {
	const char *key;           /* its full name: "vms.win10.libvirt-xml" */
	struct loc loc;            /* the key */
};

struct config {
	const char *path;          /* as given on the command line */
	struct loc loc;            /* the top-level mapping */
	struct cfg_uint version;
	struct cfg_str hardware;   /* relative to the config's directory */
	struct cfg_target target;
	struct cfg_host host;
	struct cfg_vm *vms; size_t nvms;  /* in file order */
	struct cfg_hatch *hatches; size_t nhatches, caphatches;  /* in file order; malloc'd */
	struct arena arena;        /* owns everything above */
};

const char *nixos_release_name(enum nixos_release r);
const char *family_name(enum family f);
const char *initramfs_name(enum initramfs i);
const char *bootloader_name(enum bootloader b);
const char *iommu_mode_name(enum iommu_mode m);
/* The kernel parameters that turn the IOMMU on (the kernel's
 * Documentation/admin-guide/kernel-parameters.txt), and the one of a mode: NULL for auto
 * and off. */
#define IOMMU_PARAM_INTEL "intel_iommu=on"
#define IOMMU_PARAM_AMD "amd_iommu=on"
const char *iommu_kernel_param(enum iommu_mode m);
const char *bind_mode_name(enum bind_mode m);
const char *qemu_package_name(enum qemu_package p);
const char *hugepage_size_name(enum hugepage_size s);
const char *firmware_name(enum firmware f);
const char *disk_bus_name(enum disk_bus b);
const char *disk_format_name(enum disk_format f);
const char *graphics_name(enum graphics g);
const char *audio_name(enum audio a);
const char *disk_cache_name(enum disk_cache c);
const char *disk_io_name(enum disk_io i);

#endif
