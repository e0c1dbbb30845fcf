/* schema/config/key_rules.c: what the tables cannot say as data: sizes, the short forms of pci/usb/network
 * entries, and rules between the keys of one object. String formats are strrules.def. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/config/schema.h"

bool schema_parse_size(const char *s, uint64_t *mib, const char **why)
{
	static const struct { const char *unit; uint64_t mib; } units[] = {
		{ "GiB", 1024 }, { "G", 1024 }, { "MiB", 1 }, { "M", 1 }, { "TiB", 1024 * 1024 },
		{ "T", 1024 * 1024 },
	};
	size_t digits = strspn(s, "0123456789");
	const char *unit = s + digits;
	if (*unit == ' ')
		unit++;
	*why = "expected a number and a unit: 16GiB, 8192MiB (G and M mean GiB and MiB)";
	if (!digits || digits > 9)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (!strcmp(unit, units[i].unit)) {
			uint64_t n = 0;
			for (size_t k = 0; k < digits; k++)
				n = n * 10 + (uint64_t)(s[k] - '0');
			*mib = n * units[i].mib;
			*why = NULL;
			return true;
		}
	return false;
}

static void report(struct lower *lw, enum diag_id id, const struct ynode *n, const char *what,
		   const char *hint)
{
	struct diag *d = diag_emit(lw->ds, id, &n->loc, "%s", what);
	if (hint)
		diag_hint(d, "%s", hint);
}

void schema_bad_pci_address(struct lower *lw, const struct ynode *n)
{
	struct pci_addr guess;
	char near[PCI_ADDR_STRLEN];
	struct diag *d;
	if (pci_addr_guess(n->str, &guess)) {
		pci_addr_fmt(&guess, near);
		d = diag_emit(lw->ds, D_BAD_PCI_ADDRESS, &n->loc,
			      "'%s' is not a PCI address; did you mean '%s'?", n->str, near);
	} else {
		d = diag_emit(lw->ds, D_BAD_PCI_ADDRESS, &n->loc, "'%s' is not a PCI address", n->str);
	}
	diag_hint(d, "write DDDD:BB:SS.F in hex, e.g. \"0000:01:00.0\" (domain, bus, slot 00-1f, "
		  "function 0-7); 'lspci -D' lists them");
}

bool schema_pci_scalar(struct lower *lw, const struct ynode *n, void *obj)
{
	struct cfg_pci *p = obj;
	if (pci_id_parse(n->str, &p->id.vendor, &p->id.device)) {
		p->by_id = true;
		p->id.loc = n->loc;
		return true;
	}
	if (pci_addr_parse(n->str, &p->address.v)) {
		p->address.loc = n->loc;
		return true;
	}
	struct pci_addr guess;
	if (strchr(n->str, '.') || pci_addr_guess(n->str, &guess)) {
		schema_bad_pci_address(lw, n);
		return false;
	}
	struct diag *d = diag_emit(lw->ds, D_BAD_PCI_ID, &n->loc,
				   "'%s' is neither a PCI address nor a vendor:device ID", n->str);
	diag_hint(d, "write an address as \"01:00.0\" or \"0000:01:00.0\", an ID as \"1002:67b0\" (hex); 'lspci -Dnn' shows both");
	return false;
}

bool schema_usb_scalar(struct lower *lw, const struct ynode *n, void *obj)
{
	struct cfg_usb *u = obj;
	if (pci_id_parse(n->str, &u->vendor, &u->product))
		return true;
	report(lw, D_BAD_PCI_ID, n, "a USB device is vendor:product, four hex digits each",
	       "'lsusb' shows them, e.g. \"046d:c52b\"");
	return false;
}

void schema_usb_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_usb *u = obj;
	if (LOC_SET(u->id.loc)) {
		u->vendor = u->id.vendor;
		u->product = u->id.device;
	} else if (!u->bus_port.v) {
		struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &map->loc,
					   "a usb entry needs 'id' or 'bus-port'");
		diag_hint(d, "add  id: \"046d:c52b\" ('lsusb' shows it), or  bus-port: \"1-2\" "
			  "(the port's name under /sys/bus/usb/devices)");
	}
}

bool schema_network_scalar(struct lower *lw, const struct ynode *n, void *obj)
{
	struct cfg_network *net = obj;
	const char *why;
	if (!strcmp(n->str, "none")) {
		net->kind = NET_NONE;
		return true;
	}
	if (!schema_check_string(SC_NETNAME, n->str, &why)) {
		report(lw, schema_check_diag(SC_NETNAME), n, why, "use a libvirt network name (virsh net-list), none, or {bridge: br0}");
		return false;
	}
	net->kind = NET_NETWORK;
	net->name = n->str;
	return true;
}

void schema_network_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_network *net = obj;
	net->kind = NET_BRIDGE;
	net->name = net->bridge.v;
}

void schema_pci_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_pci *p = obj;
	if (LOC_SET(p->address.loc))
		return;
	if (LOC_SET(p->id.loc)) {
		p->by_id = true;
		return;
	}
	struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &map->loc,
				   "a pci entry needs 'address' or 'id'");
	diag_hint(d, "add  address: \"01:00.0\"");
}

void schema_disk_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_disk *dk = obj;
	if (!dk->path.v && !dk->cdrom.v) {
		struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &map->loc,
					   "a disk needs 'path' (an image) or 'cdrom' (an ISO)");
		diag_hint(d, "add  path: /var/lib/libvirt/images/NAME.qcow2");
	} else if (dk->path.v && dk->cdrom.v) {
		struct diag *d = diag_emit(lw->ds, D_DISK_KEY_CONFLICT, &dk->cdrom.loc,
					   "'cdrom' conflicts with 'path': a disk has either, not both");
		diag_hint(d, "make the CD-ROM a list entry of its own");
	} else if (dk->cdrom.v && (LOC_SET(dk->bus.loc) || LOC_SET(dk->format.loc))) {
		bool bus = LOC_SET(dk->bus.loc);
		struct diag *d = diag_emit(lw->ds, D_DISK_KEY_CONFLICT,
					   bus ? &dk->bus.loc : &dk->format.loc,
					   "'%s' conflicts with 'cdrom': it applies to 'path' disks, and a "
					   "CD-ROM is always a raw image on SATA", bus ? "bus" : "format");
		diag_hint(d, "remove '%s' from this entry", bus ? "bus" : "format");
	} else if (dk->cdrom.v && (LOC_SET(dk->cache.loc) || LOC_SET(dk->io.loc) ||
				   LOC_SET(dk->discard.loc))) {
		const struct loc *at = LOC_SET(dk->cache.loc) ? &dk->cache.loc
				     : LOC_SET(dk->io.loc) ? &dk->io.loc : &dk->discard.loc;
		const char *key = at == &dk->cache.loc ? "cache" : at == &dk->io.loc ? "io" : "discard";
		struct diag *d = diag_emit(lw->ds, D_DISK_KEY_CONFLICT, at, "'%s' conflicts with "
					   "'cdrom': it applies to 'path' disks", key);
		diag_hint(d, "remove '%s' from this entry", key);
	} else if (dk->io.v == IO_NATIVE && dk->cache.v != CACHE_NONE &&
		   dk->cache.v != CACHE_DIRECTSYNC) {
		struct diag *d = diag_emit(lw->ds, D_DISK_IO_CACHE, &dk->io.loc,
					   "'io: native' needs the host page cache bypassed, but this "
					   "disk's cache is '%s'", disk_cache_name((enum disk_cache)dk->cache.v));
		if (LOC_SET(dk->cache.loc))
			diag_note(d, &dk->cache.loc, "cache set here");
		diag_hint(d, "add 'cache: none' (QEMU refuses aio=native with a cached disk), or use 'io: io_uring'");
	}
}

/* "KEY needs OTHER": a key written without the one it depends on. */
static void requires(struct lower *lw, const struct cfg_vm *vm, const struct loc *at,
		     const char *key, const char *other)
{
	struct diag *d = diag_emit(lw->ds, D_KEY_REQUIRES, at, "'%s' of VM '%s' has no effect "
				   "without '%s'", key, vm->name, other);
	diag_hint(d, "add '%s' to vms.%s, or remove '%s'", other, vm->name, key);
}

/* Rules within one VM; and single-gpu makes `managed` the default bind of its devices (the
 * host uses the GPU until the VM starts, so vfio-pci must not claim it at boot). */
void schema_vm_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_vm *vm = obj;
	if (LOC_SET(vm->hyperv_vendor_id.loc) && !vm->hyperv.v)
		requires(lw, vm, &vm->hyperv_vendor_id.loc, "hyperv-vendor-id", "hyperv: true");
	if (LOC_SET(vm->iothread_pin.loc) && !vm->iothreads.v)
		requires(lw, vm, &vm->iothread_pin.loc, "iothread-pin", "iothreads");
	/* QEMU's ivshmem and the kvmfr module take a power-of-two size (Looking Glass's
	 * documentation sizes it so). */
	const struct cfg_uint *lg = &vm->looking_glass.size;
	if (LOC_SET(lg->loc) && (lg->v & (lg->v - 1))) {
		uint64_t up = 1;
		while (up < lg->v)
			up <<= 1;
		struct diag *d = diag_emit(lw->ds, D_LG_SIZE_POW2, &lg->loc, "looking-glass size "
					   "%llu MiB is not a power of two", (unsigned long long)lg->v);
		diag_hint(d, "use %llu MiB (the next power of two)", (unsigned long long)up);
	}
	if (!vm->single_gpu.v)
		return;
	for (size_t i = 0; i < vm->npci; i++) {
		struct cfg_pci *p = &vm->pci[i];
		if (!LOC_SET(p->bind.loc)) {
			p->bind.v = PCI_BIND_MANAGED;
		} else if (p->bind.v == PCI_BIND_BOOT) {
			struct diag *d = diag_emit(lw->ds, D_SINGLE_GPU_BIND, &p->bind.loc,
						   "VM '%s' is single-gpu, but this device is bound "
						   "to vfio-pci at boot", vm->name);
			diag_note(d, &vm->single_gpu.loc, "single-gpu set here");
			diag_hint(d, "remove 'bind: boot': the hooks hand the GPU over when the VM starts");
		}
	}
}

/* target: NixOS (family nixos, the default) takes `nixos`; another family takes `initramfs`
 * and `bootloader`. kernelstub is Pop!_OS's own tool (a Debian family). */
void schema_target_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	(void)map;
	struct cfg_target *t = obj;
	bool nixos = t->family.v == FAMILY_NIXOS;
	if (!nixos && LOC_SET(t->nixos.loc)) {
		struct diag *d = diag_emit(lw->ds, D_TARGET_KEY, &t->nixos.loc,
					   "'nixos' is the NixOS release, but target.family is %s",
					   family_name((enum family)t->family.v));
		diag_note(d, &t->family.loc, "family set here");
		diag_hint(d, "remove 'nixos', or remove 'family' to build for NixOS");
	}
	const struct cfg_enum *parts[] = { &t->initramfs, &t->bootloader };
	const char *names[] = { "initramfs", "bootloader" };
	for (size_t i = 0; nixos && i < ARRAY_LEN(parts); i++) {
		if (!LOC_SET(parts[i]->loc))
			continue;
		struct diag *d = diag_emit(lw->ds, D_TARGET_KEY, &parts[i]->loc,
					   "'%s' is for hosts other than NixOS, and the target is NixOS",
					   names[i]);
		if (LOC_SET(t->family.loc))
			diag_note(d, &t->family.loc, "family set here");
		diag_hint(d, "add 'family: arch', 'debian' or 'fedora' to target, or remove '%s'",
			  names[i]);
	}
	if (t->bootloader.v == BOOTLOADER_KERNELSTUB && t->family.v != FAMILY_DEBIAN &&
	    LOC_SET(t->bootloader.loc) && !nixos) {
		struct diag *d = diag_emit(lw->ds, D_TARGET_KEY, &t->bootloader.loc,
					   "kernelstub is Pop!_OS's boot loader tool, but the family is %s",
					   family_name((enum family)t->family.v));
		diag_hint(d, "use 'grub' or 'systemd-boot', or 'family: debian' on Pop!_OS");
	}
}
