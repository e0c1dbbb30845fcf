/* tables.c: the vfioc config language, version 1: every key, its type, default and
 * meaning. Validation, defaults, `vfioc schema` (JSON Schema) and docs/config-reference.md
 * are all generated from these tables; adding a key is one row here (plus its field in
 * model/config.h). Keys are listed in the order the docs show them. */
#include <stddef.h>

#include "model/enums.h"
#include "schema/config/schema.h"

#define F(T, m) .off = offsetof(T, m)
#define LIST(T, m, cnt) .off = offsetof(T, m), .count_off = offsetof(T, cnt)
#define OBJECT(name, T, tab, ...) { .path = name, .fields = tab, .nfields = ARRAY_LEN(tab), \
	.size = sizeof(T), .loc_off = offsetof(T, loc), __VA_ARGS__ }

/* pci entries: "01:00.0", "1002:67b0" or a map. */
static const struct field pci_fields[] = {
	{ "address", FK_PCIADDR, F(struct cfg_pci, address),
	  .doc = "PCI address, [DDDD:]BB:SS.F; the domain is 0000 when left out." },
	{ "id", FK_PCIID, F(struct cfg_pci, id),
	  .doc = "vendor:device guard: with `address`, the device there must have this ID "
		 "(catches a card that moved); alone, the one device with this ID." },
	{ "rom", FK_STR, F(struct cfg_pci, rom), .check = SC_PATH,
	  .doc = "VBIOS file for the device (absolute path)." },
	{ "bind", FK_ENUM, F(struct cfg_pci, bind), .values = pci_bind_names, .def = "boot",
	  .doc = "`boot`: claimed by vfio-pci at boot; `managed`: libvirt detaches it from its "
		 "host driver when the VM starts." },
	{ "boot", FK_BOOL, F(struct cfg_pci, boot),
	  .def_doc = "true for the first passed storage controller of a VM without a disk image",
	  .doc = "Boot from this device (<boot order> in its hostdev; OVMF tries no device "
		 "without one): before the VM's disks and CD-ROMs, in address order." },
};
static const struct object pci_object = OBJECT("vms.<name>.pci[]", struct cfg_pci, pci_fields,
	.doc = "A device to pass through: an address, a vendor:device ID, or a map.",
	.scalar = schema_pci_scalar, .scalar_doc = "\"01:00.0\", \"0000:01:00.0\" or \"1002:67b0\"",
	.scalar_pattern = "^(" RE_PCIADDR "|" RE_PCIID ")$",
	.validate = schema_pci_validate);

static const struct field usb_fields[] = {
	{ "id", FK_PCIID, F(struct cfg_usb, id),
	  .doc = "vendor:product, as 'lsusb' shows it; with `bus-port`, the device there must have it." },
	{ "bus-port", FK_STR, F(struct cfg_usb, bus_port), .check = SC_USBPORT,
	  .doc = "The host port the device is plugged into, as /sys/bus/usb/devices names it "
		 "(\"1-2\", \"3-1.4\"): tells identical devices apart. libvirt takes a USB device "
		 "by bus and device number, which the kernel hands out anew on every plug: vfioc "
		 "takes them from the hardware, so probe and build again after re-plugging." },
	{ "optional", FK_BOOL, F(struct cfg_usb, optional), .def = "true",
	  .doc = "The VM starts without the device when it is not plugged in (libvirt's "
		 "startupPolicy='optional'); false: the start fails instead." },
};
static const struct object usb_object = OBJECT("vms.<name>.usb[]", struct cfg_usb, usb_fields,
	.doc = "A USB device to pass through: vendor:product, or a map {id, bus-port, optional}.",
	.scalar = schema_usb_scalar, .scalar_doc = "\"046d:c52b\"",
	.scalar_pattern = PAT_PCIID, .validate = schema_usb_validate);

static const struct field disk_fields[] = {
	{ "path", FK_STR, F(struct cfg_disk, path), .check = SC_PATH,
	  .doc = "Disk image or block device (absolute path)." },
	{ "cdrom", FK_STR, F(struct cfg_disk, cdrom), .check = SC_CDROM,
	  .doc = "ISO image attached as a CD-ROM (absolute path), or `empty` for a drive without "
		 "media (to insert one later with virsh change-media); instead of `path`." },
	{ "bus", FK_ENUM, F(struct cfg_disk, bus), .values = disk_bus_names, .def = "virtio",
	  .doc = "Disk bus (with `path`)." },
	{ "format", FK_ENUM, F(struct cfg_disk, format), .values = disk_format_names,
	  .def = "qcow2", .doc = "Image format (with `path`)." },
	{ "cache", FK_ENUM, F(struct cfg_disk, cache), .values = disk_cache_names, .def = "default",
	  .doc = "Host page cache mode (with `path`); `default` leaves QEMU's (writeback)." },
	{ "io", FK_ENUM, F(struct cfg_disk, io), .values = disk_io_names, .def = "default",
	  .doc = "Asynchronous I/O (with `path`); `native` needs `cache: none` or `directsync`." },
	{ "discard", FK_BOOL, F(struct cfg_disk, discard), .def = "false",
	  .doc = "Pass the guest's TRIM/discard through to the image or device (discard='unmap')." },
};
static const struct object disk_object = OBJECT("vms.<name>.disks[]", struct cfg_disk,
	disk_fields, .doc = "A disk `{path, bus, format}` or a CD-ROM `{cdrom}`.",
	.validate = schema_disk_validate);

static const struct field network_fields[] = {
	{ "bridge", FK_STR, F(struct cfg_network, bridge), .check = SC_NETNAME, .flags = F_REQUIRED,
	  .doc = "Host bridge to attach the NIC to." },
};
static const struct object network_object = OBJECT("vms.<name>.network", struct cfg_network,
	network_fields, .doc = "One virtio NIC: a libvirt network name, `none`, or `{bridge: br0}`.",
	.scalar = schema_network_scalar, .scalar_doc = "a libvirt network name, or none",
	.scalar_check = SC_NETNAME, .validate = schema_network_validate);

static const struct field topology_fields[] = {
	{ "sockets", FK_UINT, F(struct cfg_topology, sockets), .min = 1, .max = 64, .flags = F_REQUIRED,
	  .doc = "Guest CPU sockets." },
	{ "cores", FK_UINT, F(struct cfg_topology, cores), .min = 1, .max = 1024, .flags = F_REQUIRED,
	  .doc = "Cores per socket." },
	{ "threads", FK_UINT, F(struct cfg_topology, threads), .min = 1, .max = 8, .flags = F_REQUIRED,
	  .doc = "Threads per core." },
};
static const struct object topology_object = OBJECT("vms.<name>.cpu.topology", struct cfg_topology,
	topology_fields, .doc = "Guest CPU topology; the product must equal `vcpus`.");

static const struct field looking_glass_fields[] = {
	{ "size", FK_SIZE, F(struct cfg_looking_glass, size), .min = 1, .max = 1024, .def = "32MiB",
	  .doc = "IVSHMEM size, a power of two (32MiB covers 1080p SDR; 128MiB 4K)." },
	{ "device", FK_ENUM, F(struct cfg_looking_glass, device), .values = lg_device_names,
	  .def = "shm", .doc = "`kvmfr`: Looking Glass's kernel module (/dev/kvmfrN, static size, "
		 "udev permissions, cgroup ACL, passed by qemu:commandline; what upstream recommends); "
		 "`shm`: a file in /dev/shm." },
};
static const struct object looking_glass_object = OBJECT("vms.<name>.looking-glass",
	struct cfg_looking_glass, looking_glass_fields, .doc = "IVSHMEM shared memory for Looking Glass.");

/* `cpu` has no struct of its own: its keys live in struct cfg_vm (offset 0). */
static const struct field vm_cpu_fields[] = {
	{ "topology", FK_OBJECT, F(struct cfg_vm, topology), .sub = &topology_object,
	  .def_doc = "derived: 1 socket; with `pin`, as many threads per core as the pins put on "
		     "one host core's SMT siblings (\"4,12,5,13\" where 4/12 are siblings: 2), else 1; "
		     "unpinned, 2 threads per core when vcpus is even on an SMT host",
	  .doc = "Guest CPU topology. An explicit one that the pins and the host's SMT siblings "
		 "contradict is a warning (topology-smt)." },
	{ "pin", FK_CPULIST, F(struct cfg_vm, pin),
	  .doc = "Host CPU for each vCPU, in order (\"2-7,10-15\"); as many CPUs as vcpus. "
		 "Consecutive vCPUs on SMT siblings (\"2,10,3,11\") become threads of one guest core." },
	{ "emulator-pin", FK_CPULIST, F(struct cfg_vm, emulator_pin),
	  .doc = "Host CPUs for QEMU's emulator threads; must not overlap `pin`." },
	{ "iothreads", FK_UINT, F(struct cfg_vm, iothreads), .max = 64, .def = "0",
	  .doc = "I/O threads; virtio disks are spread over them in turn." },
	{ "iothread-pin", FK_CPULIST, F(struct cfg_vm, iothread_pin),
	  .doc = "Host CPUs the I/O threads run on (needs `iothreads`); best ones no vCPU uses." },
	{ "cache", FK_ENUM, F(struct cfg_vm, cpu_cache), .values = cpu_cache_names, .def = "default",
	  .doc = "`passthrough`: the guest sees the host's CPU cache topology." },
	{ "invtsc", FK_BOOL, F(struct cfg_vm, invtsc), .def = "false",
	  .doc = "Expose the invariant TSC (a stable clock for games; the VM can no longer be "
		 "migrated)." },
};
static const struct object vm_cpu_object = { .path = "vms.<name>.cpu", .fields = vm_cpu_fields,
	.nfields = ARRAY_LEN(vm_cpu_fields), .size = sizeof(struct cfg_vm),
	.loc_off = (size_t)-1, .doc = "vCPU topology and pinning." };

static const struct field vm_fields[] = {
	{ "memory", FK_SIZE, F(struct cfg_vm, memory), .flags = F_REQUIRED, .min = 64,
	  .max = 16u << 20, .doc = "Guest RAM: 16GiB, 8192MiB (G and M mean GiB and MiB)." },
	{ "vcpus", FK_UINT, F(struct cfg_vm, vcpus), .flags = F_REQUIRED, .min = 1, .max = 4096,
	  .doc = "Number of vCPUs." },
	{ "cpu", FK_OBJECT, 0, .sub = &vm_cpu_object, .doc = "vCPU topology and pinning." },
	{ "hugepages", FK_BOOL, F(struct cfg_vm, hugepages), .def = "false",
	  .doc = "Back guest RAM with the pages of `host.hugepages` (which must be set)." },
	{ "firmware", FK_ENUM, F(struct cfg_vm, firmware), .values = firmware_names, .def = "uefi",
	  .doc = "Guest firmware: OVMF (uefi) or SeaBIOS (bios)." },
	{ "secure-boot", FK_BOOL, F(struct cfg_vm, secure_boot), .def = "false",
	  .doc = "UEFI Secure Boot; requires uefi, implies SMM and q35. Up to NixOS 25.05 the "
		 "VM's NVRAM starts with Microsoft's keys enrolled (`host.libvirt.ovmf.ms-keys`): "
		 "Secure Boot is enforced. From 25.11 libvirt picks QEMU's secure-boot firmware, "
		 "whose NVRAM template holds no keys: the guest is Secure Boot capable (enough for "
		 "Windows 11's installer) but in setup mode, enforcing nothing until keys are "
		 "enrolled." },
	{ "tpm", FK_BOOL, F(struct cfg_vm, tpm), .def = "false",
	  .doc = "TPM 2.0 emulator (tpm-crb); needs swtpm on the host." },
	{ "hyperv", FK_BOOL, F(struct cfg_vm, hyperv), .def = "false",
	  .doc = "Hyper-V enlightenments for Windows guests, including vendor_id." },
	{ "hyperv-vendor-id", FK_STR, F(struct cfg_vm, hyperv_vendor_id), .check = SC_VENDOR_ID,
	  .def_doc = "`vfioc`", .doc = "The Hyper-V vendor_id value (needs `hyperv`): 1 to 12 "
		 "letters, digits or _ . -; anything but KVM's own (NVIDIA drivers before 465 "
		 "stopped with error 43 on it)." },
	{ "smbios", FK_ENUM, F(struct cfg_vm, smbios), .values = smbios_mode_names, .def = "none",
	  .doc = "`host`: the guest sees the host's SMBIOS (vendor, board, serials), as some "
		 "anti-cheat and licensing software expects." },
	{ "hide-kvm", FK_BOOL, F(struct cfg_vm, hide_kvm), .def = "false",
	  .doc = "Hide the KVM signature from the guest (<kvm><hidden state='on'/>)." },
	{ "pci", FK_OBJLIST, LIST(struct cfg_vm, pci, npci), .sub = &pci_object, .def = "[]",
	  .doc = "PCI devices to pass through." },
	{ "usb", FK_OBJLIST, LIST(struct cfg_vm, usb, nusb), .sub = &usb_object, .def = "[]",
	  .doc = "USB devices to pass through: vendor:product, or {id, bus-port, optional}." },
	{ "disks", FK_OBJLIST, LIST(struct cfg_vm, disks, ndisks), .sub = &disk_object,
	  .def = "[]", .doc = "Disks and CD-ROMs." },
	{ "network", FK_OBJECT, F(struct cfg_vm, network), .sub = &network_object,
	  .def = "default", .doc = "One virtio NIC: a libvirt network name, `none`, or `{bridge: br0}`." },
	{ "graphics", FK_ENUM, F(struct cfg_vm, graphics), .values = graphics_names,
	  .def = "spice", .doc = "Emulated display for the console." },
	{ "evdev", FK_STRLIST, F(struct cfg_vm, evdev), .check = SC_EVDEV, .def = "[]",
	  .doc = "Keyboard and mouse passthrough: /dev/input/by-id/...-event-kbd paths." },
	{ "looking-glass", FK_OBJECT, F(struct cfg_vm, looking_glass), .sub = &looking_glass_object,
	  .doc = "IVSHMEM shared memory for Looking Glass." },
	{ "audio", FK_ENUM, F(struct cfg_vm, audio), .values = audio_names, .def = "none",
	  .doc = "Guest sound to the host: an ich9 sound card played through libvirt's `pipewire` "
		 "or `pulseaudio` audio backend into the sound server of the user QEMU runs as "
		 "(`run-as-root: false`, `qemu-config.user` and its `uid`: the server's socket in "
		 "/run/user/UID), or `scream` (an IVSHMEM region read by a Scream receiver "
		 "running as a user service of the first of host.users)." },
	{ "input", FK_ENUM, F(struct cfg_vm, input), .values = input_bus_names, .def = "default",
	  .doc = "`virtio`: virtio keyboard and mouse (lower latency; the guest needs virtio "
		 "drivers), besides the emulated PS/2 ones." },
	{ "single-gpu", FK_BOOL, F(struct cfg_vm, single_gpu), .def = "false",
	  .doc = "The VM takes the host's only GPU: libvirt hooks stop the display manager, unbind "
		 "the consoles and framebuffer when it starts and give them back when it stops; its "
		 "devices default to `bind: managed`." },
	{ "libvirt-xml", FK_STRLIST, F(struct cfg_vm, libvirt_xml), .check = SC_XML_EDIT, .def = "[]",
	  .flags = F_ESCAPE_HATCH,
	  .doc = "Escape hatch: edits of the generated domain, as in virt-install's --xml: "
		 "`XPATH=VALUE` sets (and creates) an attribute or element, `xpath.delete=XPATH` "
		 "removes; XPATH is relative to <domain> (`./devices/graphics/@listen=0.0.0.0`). The "
		 "result must still pass libvirt's schema; vfioc cannot check what it changes. "
		 "Whoever writes it is root on the host: an edit can set <emulator> to any program, "
		 "drop the seclabel, or back the guest's memory with any file (/etc/shadow), and "
		 "libvirtd runs QEMU as root. `--no-escape-hatches` refuses it." },
	{ "autostart", FK_BOOL, F(struct cfg_vm, autostart), .def = "false",
	  .doc = "Start the VM when the host boots." },
	{ "uuid", FK_STR, F(struct cfg_vm, uuid), .check = SC_UUID,
	  .def_doc = "derived from the VM name and the snapshot's host-id",
	  .doc = "The domain's UUID, e.g. to keep the one an existing domain has. Derived, it "
		 "differs between hosts (a snapshot without host-id: from the name alone)." },
	{ "mac", FK_STR, F(struct cfg_vm, mac), .check = SC_MAC,
	  .def_doc = "52:54:00:xx:xx:xx derived from the VM name and the snapshot's host-id",
	  .doc = "The NIC's MAC address (unicast)." },
};
static const struct object vm_object = OBJECT("vms.<name>", struct cfg_vm, vm_fields,
	.doc = "A VM.", .name_check = SC_NAME, .validate = schema_vm_validate,
	.name_off = offsetof(struct cfg_vm, name), .name_loc_off = offsetof(struct cfg_vm, name_loc));

static const struct field hugepages_fields[] = {
	{ "size", FK_ENUM, F(struct cfg_hugepages, size), .values = hugepage_size_names, .flags = F_REQUIRED,
	  .doc = "Page size: 2M, or 1G (needs the pdpe1gb CPU flag)." },
	{ "count", FK_UINT, F(struct cfg_hugepages, count), .flags = F_REQUIRED, .min = 1, .max = 1u << 24,
	  .doc = "Number of pages reserved at boot." },
};
static const struct object hugepages_object = OBJECT("host.hugepages", struct cfg_hugepages,
	hugepages_fields, .doc = "Boot-time hugepage reservation. Reserved pages are never "
	"given back to the host, even while no VM runs, so the reservation must leave the host "
	"the larger of 2 GiB and 10% of its RAM (hugepages-host-floor): 2 GiB for the kernel, "
	"its services, libvirtd, each QEMU's own memory beside guest RAM and a nixos-rebuild's "
	"evaluation; 10% to keep that headroom in proportion on bigger hosts, which run more.");

static const struct field ovmf_fields[] = {
	{ "secure-boot", FK_BOOL, F(struct cfg_ovmf, secure_boot), .def = "true",
	  .doc = "Build OVMF with Secure Boot; a VM with `secure-boot: true` needs it." },
	{ "tpm", FK_BOOL, F(struct cfg_ovmf, tpm), .def = "true", .doc = "Build OVMF with TPM support." },
	{ "ms-keys", FK_BOOL, F(struct cfg_ovmf, ms_keys), .def = "true",
	  .doc = "With secure-boot: also build the NVRAM template with Microsoft's keys enrolled "
		 "(msVarsTemplate, OVMF_VARS.ms.fd), which secure-boot VMs start from: Secure Boot "
		 "enforced. false: they start from the empty OVMF_VARS.fd, in setup mode." },
};
static const struct object ovmf_object = OBJECT("host.libvirt.ovmf", struct cfg_ovmf, ovmf_fields,
	.doc = "OVMF build, for NixOS releases that still have the ovmf options (up to 25.05).");

static const struct field qemu_config_fields[] = {
	{ "user", FK_STR, F(struct cfg_qemu_config, user), .check = SC_USER,
	  .doc = "User QEMU runs as (qemu.conf `user`); needs `run-as-root: false`." },
	{ "group", FK_STR, F(struct cfg_qemu_config, group), .check = SC_USER,
	  .doc = "Group QEMU runs as (qemu.conf `group`); needs `run-as-root: false`." },
	{ "uid", FK_UINT, F(struct cfg_qemu_config, uid), .min = 1, .max = 4294967294u,
	  .doc = "The numeric uid of `user` (`id -u USER` prints it), which vfioc cannot look up "
		 "where it builds: VMs with `audio: pulseaudio` or `pipewire` play into that "
		 "user's sound server in /run/user/UID. Not written to qemu.conf." },
	{ "namespaces", FK_BOOL, F(struct cfg_qemu_config, namespaces), .def = "false",
	  .doc = "Private /dev per VM (qemu.conf `namespaces`); NixOS turns them off." },
	{ "cgroup-device-acl", FK_STRLIST, F(struct cfg_qemu_config, cgroup_device_acl),
	  .check = SC_DEVPATH, .def = "[]", .doc = "Device nodes QEMU may open besides libvirt's "
		 "default list (/dev/null, /dev/kvm...); vfioc adds /dev/kvmfrN, and libvirt allows "
		 "a domain's own evdev inputs and hostdevs itself." },
};
static const struct object qemu_config_object = OBJECT("host.libvirt.qemu-config",
	struct cfg_qemu_config, qemu_config_fields,
	.doc = "qemu.conf settings, written as virtualisation.libvirtd.qemu.verbatimConfig.");

static const struct field libvirt_fields[] = {
	{ "enable", FK_BOOL, F(struct cfg_libvirt, enable), .def = "true",
	  .doc = "virtualisation.libvirtd.enable." },
	{ "qemu-package", FK_ENUM, F(struct cfg_libvirt, qemu_package), .values = qemu_package_names,
	  .def = "qemu_kvm", .doc = "virtualisation.libvirtd.qemu.package." },
	{ "run-as-root", FK_BOOL, F(struct cfg_libvirt, run_as_root), .def = "true",
	  .doc = "virtualisation.libvirtd.qemu.runAsRoot." },
	{ "swtpm", FK_BOOL, F(struct cfg_libvirt, swtpm), .def_doc = "true when any VM has tpm: true",
	  .doc = "virtualisation.libvirtd.qemu.swtpm.enable." },
	{ "ovmf", FK_OBJECT, F(struct cfg_libvirt, ovmf), .sub = &ovmf_object,
	  .def_doc = "{secure-boot: true, tpm: true, ms-keys: true}",
	  .doc = "OVMF build (NixOS up to 25.05)." },
	{ "define-domains", FK_BOOL, F(struct cfg_libvirt, define_domains), .def = "true",
	  .doc = "The NixOS module defines the generated domains in libvirt at boot (virsh define)." },
	{ "delete-removed-state", FK_BOOL, F(struct cfg_libvirt, delete_removed_state), .def = "false",
	  .doc = "When a VM leaves the config, the define-domains service undefines it and keeps its "
		 "NVRAM and TPM state; true deletes them too." },
	{ "qemu-config", FK_OBJECT, F(struct cfg_libvirt, qemu_config), .sub = &qemu_config_object,
	  .flags = F_ESCAPE_HATCH,
	  .doc = "qemu.conf settings (typed; no free text). Escape hatch: they change what QEMU, "
		 "root by default, may open on the host (any device node), so whoever writes them "
		 "is close to root. `--no-escape-hatches` refuses it." },
};
static const struct object libvirt_object = OBJECT("host.libvirt", struct cfg_libvirt, libvirt_fields,
	.doc = "libvirtd settings.");

static const struct field host_fields[] = {
	{ "iommu", FK_ENUM, F(struct cfg_host, iommu), .values = iommu_mode_names, .def = "auto",
	  .doc = IOMMU_PARAM_INTEL " or " IOMMU_PARAM_AMD "; auto takes the CPU vendor from the hardware." },
	{ "iommu-passthrough", FK_BOOL, F(struct cfg_host, iommu_passthrough), .def = "false",
	  .doc = "Add iommu=pt (host devices bypass IOMMU translation: faster, less DMA protection)." },
	{ "bind", FK_ENUM, F(struct cfg_host, bind), .values = bind_mode_names, .def = "auto",
	  .doc = "How boot-bound devices reach vfio-pci: vfio-pci.ids, or driver_override by "
		 "address; auto uses ids unless an ID is shared with a device that stays on the host." },
	{ "display-drivers", FK_STRLIST, F(struct cfg_host, display_drivers), .check = SC_MODULE,
	  .def = "[]", .doc = "Host display drivers (i915, amdgpu, nouveau, nvidia...), loaded in "
		 "the initrd after the vfio modules." },
	{ "kernel-params", FK_STRLIST, F(struct cfg_host, kernel_params), .check = SC_TOKEN,
	  .def = "[]", .doc = "Extra kernel parameters, appended verbatim; one token each: "
		 "printable ASCII without spaces, quotes, backslashes, or the shell's and GRUB's "
		 "operators (the error names the character); not starting with '#' (a comment "
		 "to GRUB, which drops the rest of the line), and not '--' (the kernel hands what "
		 "follows to init), '[[' or ']]'." },
	{ "hugepages", FK_OBJECT, F(struct cfg_host, hugepages), .sub = &hugepages_object,
	  .doc = "Boot-time hugepage reservation {size, count}." },
	{ "isolate-cpus", FK_CPULIST, F(struct cfg_host, isolate_cpus),
	  .doc = "CPUs kept from the host scheduler: isolcpus=, nohz_full=, rcu_nocbs=." },
	{ "users", FK_STRLIST, F(struct cfg_host, users), .check = SC_USER, .def = "[]",
	  .doc = "Users added to the libvirtd group." },
	{ "virt-manager", FK_BOOL, F(struct cfg_host, virt_manager), .def = "false",
	  .doc = "programs.virt-manager.enable." },
	{ "spice-usb-redirection", FK_BOOL, F(struct cfg_host, spice_usb_redirection),
	  .def = "false", .doc = "virtualisation.spiceUSBRedirection.enable." },
	{ "libvirt", FK_OBJECT, F(struct cfg_host, libvirt), .sub = &libvirt_object,
	  .doc = "libvirtd settings." },
	{ "blacklist-drivers", FK_STRLIST, F(struct cfg_host, blacklist_drivers), .check = SC_MODULE,
	  .def = "[]", .doc = "Kernel modules the host never loads (boot.blacklistedKernelModules); "
		 "no device that stays on the host may need one." },
	{ "isolate-cpus-while-running", FK_CPULIST, F(struct cfg_host, isolate_cpus_while_running),
	  .doc = "CPUs taken from the host's services while any VM runs (systemd AllowedCPUs, set "
		 "by a libvirt hook), and given back when the last one stops: the runtime "
		 "alternative to `isolate-cpus`." },
	{ "nixos-extra", FK_NIXATTRS, F(struct cfg_host, nixos_extra), .flags = F_ESCAPE_HATCH,
	  .doc = "Escape hatch: NixOS options vfioc does not cover, as `attr.path: value` "
		 "(a string, bool, integer or list of those), written into vfio.nix; a component "
		 "with dots is quoted (`boot.kernel.sysctl.\"vm.swappiness\": 10`). vfioc cannot "
		 "check what they change. Whoever writes it is root on the host: any option, such "
		 "as `systemd.services.x.script`, can run any command as root at the next "
		 "nixos-rebuild. `--no-escape-hatches` refuses it." },
};
static const struct object host_object = OBJECT("host", struct cfg_host, host_fields,
	.doc = "Host-side settings.");

static const struct field target_fields[] = {
	{ "nixos", FK_ENUM, F(struct cfg_target, nixos), .values = nixos_release_names, .def = "26.11",
	  .flags = F_RELEASES,
	  .doc = "NixOS release the module is written for; options it lacks are never emitted. "
		 "A release newer than those listed (\"27.05\") is accepted with a warning and "
		 "written as for the newest listed (family nixos only)." },
	{ "kernel", FK_STR, F(struct cfg_target, kernel), .check = SC_KERNEL,
	  .def_doc = "the default kernel series of that NixOS release",
	  .doc = "Kernel series, e.g. \"6.6\", that the checks and comments assume (the module "
		 "itself adds vfio_virqfd by the kernel NixOS boots, before 6.2)." },
	{ "family", FK_ENUM, F(struct cfg_target, family), .values = family_names, .def = "nixos",
	  .doc = "The host's distribution family, as /etc/os-release names it in ID or ID_LIKE: "
		 "`nixos` writes vfio.nix; `arch` (Arch, Manjaro, EndeavourOS), `debian` (Debian, "
		 "Ubuntu, Pop!_OS, Mint) and `fedora` (Fedora, Nobara, RHEL-likes) write root/, a "
		 "tree of files under /etc, and root.apply, the steps `vfioc apply` performs." },
	{ "initramfs", FK_ENUM, F(struct cfg_target, initramfs), .values = initramfs_names,
	  .def_doc = "the family's: arch mkinitcpio, debian initramfs-tools, fedora dracut",
	  .doc = "The initramfs generator that gets the vfio modules and modprobe.d (not NixOS)." },
	{ "bootloader", FK_ENUM, F(struct cfg_target, bootloader), .values = bootloader_names,
	  .def = "grub", .doc = "Where the kernel parameters go (not NixOS): `grub` "
		 "(an /etc/default/grub.d drop-in on Arch and Debian-likes, grubby on Fedora), "
		 "`systemd-boot` (/etc/kernel/cmdline, read by kernel-install and by "
		 "mkinitcpio's UKIs), `kernelstub` (Pop!_OS)." },
};
static const struct object target_object = OBJECT("target", struct cfg_target, target_fields,
	.doc = "What the outputs are written for: NixOS (`nixos`), or another distribution "
	       "(`family`, `initramfs`, `bootloader`).", .validate = schema_target_validate);

static const struct field root_fields[] = {
	{ "version", FK_UINT, F(struct config, version), .flags = F_REQUIRED, .min = 1, .max = 1,
	  .range_diag = D_BAD_VERSION, .doc = "Version of the config language: 1." },
	{ "hardware", FK_STR, F(struct config, hardware), .check = SC_RELPATH,
	  .doc = "Hardware snapshot from `vfioc probe`, relative to this file and inside its "
		 "folder (a snapshot elsewhere is named with --hardware FILE). --hardware and "
		 "--root win over it; without any, vfioc reads the machine it runs on." },
	{ "target", FK_OBJECT, F(struct config, target), .sub = &target_object,
	  .doc = "What the outputs are written for." },
	{ "host", FK_OBJECT, F(struct config, host), .sub = &host_object, .doc = "Host-side settings." },
	{ "vms", FK_OBJMAP, LIST(struct config, vms, nvms), .sub = &vm_object, .def = "{}",
	  .doc = "The VMs, by name." },
};
const struct object schema_root = OBJECT("", struct config, root_fields,
	.doc = "A vfioc config: one host and the VMs that get its PCI devices.");
