/* plan.h: the resolved plan. plan_build (plan.c) builds it from the checked config and
 * hardware once every check has passed (pipeline.c); backends read it and nothing else:
 * they never see YAML or sysfs, and refuse only what is theirs to know (a libvirt-xml edit
 * that does not apply, a domain libvirt's schema rejects: backend.h). Everything here is
 * final: ordered, deduplicated, defaults applied. */
#ifndef VFIOC_PLAN_H
#define VFIOC_PLAN_H

/* Guest buses of passed devices: 8 bits, bus 0 is pcie-root, and libvirt needs numbers
 * after ours for the root ports of the VM's own devices (disks, NIC, USB, ...). */
#define GUEST_FIRST_BUS 1
#define GUEST_MAX_SLOTS 224

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/pci.h"
#include "model/config.h"

struct plan_dev {
	struct pci_addr addr;
	uint16_t vendor, device;
	uint16_t sub_vendor, sub_device;        /* the board; 0 when unknown */
	uint32_t class;
	const char *vendor_name, *device_name;  /* NULL when unknown */
	int iommu_group;                        /* -1 without IOMMU */
	const char *host_driver;                /* driver in use on the host now; NULL: none */
	const char *rom;                        /* VBIOS file, or NULL */
	bool managed;                           /* bind: managed (libvirt detaches at VM start) */
	/* Guest placement: functions of one physical device share a guest slot; each physical
	 * device has a bus of its own, GUEST_FIRST_BUS on (plan_vm.c, check_slots.c). */
	unsigned guest_bus, guest_slot, guest_func;
	bool guest_multifunction;               /* set on function 0 of a multi-function slot */
	unsigned boot_order;                    /* 1, 2...: a boot device, before the disks; 0: not */
	bool nic_vf;                            /* an SR-IOV virtual function of a NIC (class 02) */
	uint8_t mac[6];                         /* nic_vf: its MAC, derived like the VM's */
};

struct plan_disk {
	bool cdrom;
	const char *path;                       /* NULL: an empty CD-ROM drive */
	enum disk_bus bus;
	enum disk_format format;
	enum disk_cache cache;                  /* CACHE_DEFAULT: not written */
	enum disk_io io;                        /* IO_DEFAULT: not written */
	bool discard;
};

/* A USB device as libvirt finds it: by vendor:product, or by bus and device number when
 * the config names its port (libvirt has no port of its own). */
struct plan_usb {
	uint16_t vendor, product;
	unsigned bus, device;                   /* 0: by vendor:product */
	bool optional;                          /* startupPolicy='optional' */
};

struct plan_vm {
	const char *name;
	uint8_t uuid[16];                       /* written, or derived from host and name */
	uint8_t mac[6];                         /* written, or 52:54:00:xx:xx:xx derived so */
	uint64_t memory_kib;
	unsigned vcpus;
	unsigned sockets, cores, threads;       /* product == vcpus */
	unsigned *pin; size_t npin;             /* host CPU of vCPU i; npin == 0 or vcpus */
	unsigned *emulator_pin; size_t nemulator_pin;
	int numa_node;                          /* every pinned CPU is on this node of a host with
						 * several; -1: no such node */
	bool hugepages;                         /* back RAM with the host reservation */
	uint64_t hugepage_kib;                  /* page size when hugepages */
	enum firmware firmware;
	bool secure_boot;                       /* implies SMM and q35 */
	bool tpm;
	bool hyperv;
	const char *hyperv_vendor_id;           /* at most 12 characters */
	bool hide_kvm;
	bool host_amd;                          /* host CPU is AMD: topoext with SMT */
	struct plan_dev *devs; size_t ndevs;    /* address order */
	struct plan_usb *usb; size_t nusb;
	struct plan_disk *disks; size_t ndisks;
	enum net_kind net_kind;
	const char *net_name;
	enum graphics graphics;
	const char **evdev; size_t nevdev;
	uint64_t looking_glass_mib;             /* 0: none */
	bool autostart;
	enum audio audio;
	unsigned iothreads;
	unsigned *iothread_pin; size_t niothread_pin;
	bool cpu_cache_passthrough;
	bool invtsc;
	bool smbios_host;
	bool input_virtio;
	bool single_gpu;                        /* libvirt hooks release the host's GPU */
	bool kvmfr;                             /* Looking Glass on /dev/kvmfrN, not /dev/shm */
	unsigned kvmfr_index;                   /* N */
	const char **xml_edits; size_t nxml_edits;  /* libvirt-xml, applied in order */
};

/* host.nixos-extra, copied into the plan's arena (see struct cfg_nixattr). */
struct plan_nixattr {
	const char **path; size_t npath;
	struct cfg_nixval value;
};

struct plan_strlist { const char **v; size_t n; };

enum bind_strategy { STRATEGY_IDS, STRATEGY_DRIVER_OVERRIDE };

struct plan {
	const char *config_rel;                 /* the config's path relative to the output dir */
	enum family family;                     /* FAMILY_NIXOS: vfio.nix; else root/ */
	enum initramfs initramfs;               /* not NixOS: resolved (the family's default) */
	enum bootloader bootloader;             /* not NixOS */
	enum nixos_release nixos;               /* FAMILY_NIXOS only */
	const char *nixos_name;                 /* "26.11"; a newer release as written ("27.05") */
	const char *kernel_series;              /* "6.12"; NULL: unknown (not NixOS) */
	enum iommu_mode iommu;                  /* resolved: INTEL, AMD or OFF */
	enum bind_strategy strategy;
	const char *strategy_reason;            /* one sentence, for a comment in the outputs */
	struct plan_strlist vfio_ids;           /* "1002:67b0", address order, each once; ids only */
	struct pci_addr *override_addrs; size_t noverride;  /* driver-override: boot-bound devices */
	struct plan_strlist kernel_params;      /* the one list: cmdline == boot.kernelParams */
	struct plan_strlist initrd_modules;     /* vfio modules first, then display drivers */
	struct plan_strlist softdep_drivers;    /* "softdep <module> pre: vfio-pci": module names
						 * (not sysfs driver names), sorted, once each */
	bool has_hugepages;
	enum hugepage_size hugepage_size;
	uint64_t hugepage_count;
	struct plan_strlist users;
	bool virt_manager;
	bool spice_usb_redirection;
	bool libvirt_enable;
	enum qemu_package qemu_package;
	bool run_as_root;
	bool swtpm;
	bool ovmf_secure_boot, ovmf_tpm;        /* emitted only where the release has the options */
	bool ovmf_ms_keys;                      /* with ovmf_secure_boot: OVMF_VARS.ms.fd, enrolled */
	bool define_domains;
	bool delete_removed_state;              /* undefine removed VMs with --nvram --tpm */
	struct plan_strlist blacklist_drivers;
	const char *qemu_user, *qemu_group;     /* NULL: not written */
	uint64_t qemu_uid;                      /* qemu_user's uid, 0: not given; pipewire and
						 * pulseaudio VMs play into /run/user/UID */
	bool qemu_namespaces;
	bool qemu_namespaces_written;           /* qemu-config.namespaces is in the config */
	struct plan_strlist cgroup_device_acl;  /* written when not empty: defaults included */
	uint64_t *kvmfr_mib; size_t nkvmfr;     /* static_size_mb of /dev/kvmfr0, 1, ... */
	unsigned *isolate_running; size_t nisolate_running;  /* CPUs taken while VMs run */
	unsigned *host_cpus; size_t nhost_cpus;                /* every CPU, to give them back */
	struct plan_nixattr *nixos_extra; size_t nnixos_extra;
	struct plan_vm *vms; size_t nvms;       /* config order */
	struct arena arena;                     /* owns everything above */
};

void plan_free(struct plan *p);
/* The invariants the backends rely on (plan_check.c): per VM sockets x cores x threads ==
 * vcpus, no pins or one per vCPU, devices in address order each once, each on its own guest
 * bus:slot.function; VM names and vfio ids each once; driver-override addresses in order;
 * hugepages with a size. Returns how many are broken, each named on out (NULL: silent).
 * For tests and fuzz targets. */
size_t plan_check(const struct plan *p, FILE *out);

#endif
