/* libvirt.c: the libvirt backend: one domain per VM, domains/<vm>.xml, built as a libxml2
 * tree (never pasted as text) and serialized to memory; and its --validate hook, which checks
 * a domain against libvirt's RelaxNG schema. libxml2 objects live and die in this file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "base/escape.h"
#include "backends/backend.h"
#include "backends/emit.h"
#include "backends/libvirt_edit.h"
#include "model/release.h"
#include "model/strrules.h"

#define SCHEMA_DIR "/usr/share/libvirt/schemas"
#define OVMF_DIR NIXOS_OVMF_DIR   /* where NixOS <= 25.05 links OVMF (qemu.ovmf) */
#define NVRAM_DIR "/var/lib/libvirt/qemu/nvram"
#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"
#define SCREAM_MIB 2   /* Scream's IVSHMEM region */

/* One domain under construction. */
struct dom {
	const struct plan *p;
	const struct plan_vm *vm;
	xmlDocPtr doc;
	const char *bad;  /* first string that XML cannot carry (not UTF-8, control chars) */
	xmlNodePtr *disk_node;  /* parallel to vm->disks: the <disk> add_disk wrote */
};

/* Text XML 1.0 can carry: UTF-8 without control characters other than tab and newline. */
static void check_text(struct dom *d, const char *s)
{
	if (!d->bad && (!xmlCheckUTF8((const xmlChar *)s)))
		d->bad = s;
	for (const unsigned char *u = (const unsigned char *)s; !d->bad && *u; u++)
		if (*u < 0x20 && *u != '\t' && *u != '\n')
			d->bad = s;
}

static xmlNodePtr el(struct dom *d, xmlNodePtr parent, const char *name, const char *text)
{
	if (text)
		check_text(d, text);
	/* xmlNewTextChild escapes text (xmlNewChild would read entity references in it). */
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

static void attr(struct dom *d, xmlNodePtr n, const char *name, const char *value)
{
	check_text(d, value);
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);  /* escapes value */
}

static void attrf(struct dom *d, xmlNodePtr n, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void attrf(struct dom *d, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	attr(d, n, name, buf_str(&b));
	buf_free(&b);
}

/* <NAME a1='v1' a2='v2' .../>: attribute name/value pairs, NULL-terminated. */
static xmlNodePtr el_attrs(struct dom *d, xmlNodePtr parent, const char *name, ...)
	__attribute__((sentinel));
static xmlNodePtr el_attrs(struct dom *d, xmlNodePtr parent, const char *name, ...)
{
	xmlNodePtr n = el(d, parent, name, NULL);
	va_list ap;
	va_start(ap, name);
	for (const char *k; (k = va_arg(ap, const char *));)
		attr(d, n, k, va_arg(ap, const char *));
	va_end(ap);
	return n;
}

static xmlNodePtr el_uint(struct dom *d, xmlNodePtr parent, const char *name, uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	return el(d, parent, name, s);
}

static void add_header(struct dom *d)
{
	char *m = emit_marker(d->p);
	char *text = xasprintf(" %s\n     %s ", m, EMIT_ADVICE);
	xmlAddChild((xmlNodePtr)d->doc, xmlNewDocComment(d->doc, (const xmlChar *)text));
	free(text);
	free(m);
}

static void add_memory(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	attr(d, el_uint(d, root, "memory", vm->memory_kib), "unit", "KiB");
	attr(d, el_uint(d, root, "currentMemory", vm->memory_kib), "unit", "KiB");
	if (vm->hugepages) {
		xmlNodePtr hp = el(d, el(d, root, "memoryBacking", NULL), "hugepages", NULL);
		xmlNodePtr page = el(d, hp, "page", NULL);
		attrf(d, page, "size", "%llu", (unsigned long long)vm->hugepage_kib);
		attr(d, page, "unit", "KiB");
	}
	attr(d, el_uint(d, root, "vcpu", vm->vcpus), "placement", "static");
}

static void add_cputune(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	if (!vm->npin && !vm->nemulator_pin)
		return;
	xmlNodePtr t = el(d, root, "cputune", NULL);
	for (size_t i = 0; i < vm->npin; i++) {
		xmlNodePtr pin = el(d, t, "vcpupin", NULL);
		attrf(d, pin, "vcpu", "%zu", i);
		attrf(d, pin, "cpuset", "%u", vm->pin[i]);
	}
	if (vm->nemulator_pin) {
		struct cpulist l = { vm->emulator_pin, vm->nemulator_pin };
		struct buf s = {0};
		cpulist_fmt(&l, &s);
		attr(d, el(d, t, "emulatorpin", NULL), "cpuset", buf_str(&s));
		buf_free(&s);
	}
}

/* Firmware: libvirt's autoselection where the target has QEMU's firmware descriptors (NixOS
 * 25.11 and later), else the OVMF images NixOS links into /run/libvirt/nix-ovmf. Never a
 * /nix/store path: it changes with every QEMU update.
 * Autoselection asks only for `secure-boot`: QEMU's own descriptors, which NixOS installs,
 * list secure-boot and requires-smm but no enrolled-keys (its varstore template is empty), so
 * asking for enrolled-keys leaves libvirt with no firmware at all. */
static void add_firmware(struct dom *d, xmlNodePtr os)
{
	const struct plan_vm *vm = d->vm;
	const char *sb = vm->secure_boot ? "yes" : "no";
	if (d->p->family != FAMILY_NIXOS) {
		/* The distributions' OVMF packages install QEMU firmware descriptors, so libvirt
		 * finds the image wherever the distribution puts it. Their Microsoft-enrolled
		 * secure varstore comes first (Debian's ovmf 40-edk2-x86_64-secure-enrolled.json,
		 * Fedora's and Arch's edk2-ovmf 30-edk2-ovmf-x64-sb-enrolled.json), so secure-boot
		 * alone gets it where there is one and still a firmware where there is none;
		 * without ms-keys, enrolled-keys is turned down explicitly. */
		attr(d, os, "firmware", "efi");
		xmlNodePtr fw = el(d, os, "firmware", NULL);
		if (vm->secure_boot && !d->p->ovmf_ms_keys)
			el_attrs(d, fw, "feature", "enabled", "no", "name", "enrolled-keys", NULL);
		el_attrs(d, fw, "feature", "enabled", sb, "name", "secure-boot", NULL);
		return;
	}
	if (!release_has_ovmf(d->p->nixos)) {
		attr(d, os, "firmware", "efi");
		xmlNodePtr fw = el(d, os, "firmware", NULL);
		el_attrs(d, fw, "feature", "enabled", sb, "name", "secure-boot", NULL);
		return;
	}
	xmlNodePtr loader = el(d, os, "loader", OVMF_DIR "/OVMF_CODE.fd");
	attr(d, loader, "readonly", "yes");
	attr(d, loader, "secure", sb);
	attr(d, loader, "type", "pflash");
	/* OVMF_VARS.ms.fd (msVarsTemplate) has Microsoft's keys enrolled; OVMF_VARS.fd none. */
	char *nvram = xasprintf(NVRAM_DIR "/%s_VARS.fd", vm->name);
	attr(d, el(d, os, "nvram", nvram), "template", vm->secure_boot && d->p->ovmf_ms_keys
						       ? OVMF_DIR "/OVMF_VARS.ms.fd"
						       : OVMF_DIR "/OVMF_VARS.fd");
	free(nvram);
}

/* Guest RAM from the node the vCPUs are pinned to, so hugepages do not come from the other
 * node. 'preferred', not 'strict': boot-time hugepages are spread over the nodes, and a VM
 * larger than its node's share still starts (partly remote) instead of failing. */
static void add_numatune(struct dom *d, xmlNodePtr root)
{
	if (d->vm->numa_node < 0)
		return;
	xmlNodePtr m = el_attrs(d, el(d, root, "numatune", NULL), "memory", "mode", "preferred",
				NULL);
	attrf(d, m, "nodeset", "%d", d->vm->numa_node);
}

static void add_os(struct dom *d, xmlNodePtr root)
{
	xmlNodePtr os = el(d, root, "os", NULL);
	xmlNodePtr type = el(d, os, "type", "hvm");
	attr(d, type, "arch", "x86_64");
	attr(d, type, "machine", "q35");
	if (d->vm->firmware == FW_UEFI)
		add_firmware(d, os);
}

/* Hyper-V enlightenments. tlbflush (QEMU 3.0, libvirt 4.7) and ipi (QEMU 3.1, libvirt 4.10)
 * are in every release vfioc targets: NixOS 24.05 ships QEMU 8.2 and libvirt 10. */
static void add_hyperv(struct dom *d, xmlNodePtr features)
{
	static const char *const on[] = { "relaxed", "vapic", "vpindex", "runtime", "synic",
					 "stimer", "reset", "frequencies", "tlbflush", "ipi" };
	xmlNodePtr hv = el(d, features, "hyperv", NULL);
	for (size_t i = 0; i < ARRAY_LEN(on); i++) {
		attr(d, el(d, hv, on[i], NULL), "state", "on");
		if (!strcmp(on[i], "vapic"))
			el_attrs(d, hv, "spinlocks", "state", "on", "retries", "8191", NULL);
	}
	if (d->vm->hyperv_vendor_id)
		el_attrs(d, hv, "vendor_id", "state", "on", "value", d->vm->hyperv_vendor_id, NULL);
}

static void add_features(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	xmlNodePtr f = el(d, root, "features", NULL);
	el(d, f, "acpi", NULL);
	el(d, f, "apic", NULL);
	if (vm->hyperv)
		add_hyperv(d, f);
	if (vm->hide_kvm)
		attr(d, el(d, el(d, f, "kvm", NULL), "hidden", NULL), "state", "on");
	el_attrs(d, f, "vmport", "state", "off", NULL);
	if (vm->secure_boot)
		el_attrs(d, f, "smm", "state", "on", NULL);
	/* The IOAPIC in KVM, not QEMU's split irqchip (q35's default since QEMU 4.0): with
	 * Hyper-V guests the split one causes NVIDIA's Code 43 and stutter. */
	if (vm->hyperv)
		el_attrs(d, f, "ioapic", "driver", "kvm", NULL);
}

static void add_cpu_clock(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	xmlNodePtr cpu = el_attrs(d, root, "cpu", "mode", "host-passthrough", "check", "none", NULL);
	xmlNodePtr topo = el(d, cpu, "topology", NULL);
	attrf(d, topo, "sockets", "%u", vm->sockets);
	attrf(d, topo, "cores", "%u", vm->cores);
	attrf(d, topo, "threads", "%u", vm->threads);
	if (vm->host_amd && vm->threads > 1)
		el_attrs(d, cpu, "feature", "policy", "require", "name", "topoext", NULL);

	/* Windows (Hyper-V guests) keeps the RTC in local time. */
	xmlNodePtr clock = el_attrs(d, root, "clock", "offset", vm->hyperv ? "localtime" : "utc",
				    NULL);
	el_attrs(d, clock, "timer", "name", "rtc", "tickpolicy", "catchup", NULL);
	el_attrs(d, clock, "timer", "name", "pit", "tickpolicy", "delay", NULL);
	el_attrs(d, clock, "timer", "name", "hpet", "present", "no", NULL);
	if (vm->hyperv)
		el_attrs(d, clock, "timer", "name", "hypervclock", "present", "yes", NULL);
}

static void add_lifecycle(struct dom *d, xmlNodePtr root)
{
	el(d, root, "on_poweroff", "destroy");
	el(d, root, "on_reboot", "restart");
	el(d, root, "on_crash", "destroy");
	/* Guest suspend does not survive with VFIO devices. */
	xmlNodePtr pm = el(d, root, "pm", NULL);
	el_attrs(d, pm, "suspend-to-mem", "enabled", "no", NULL);
	el_attrs(d, pm, "suspend-to-disk", "enabled", "no", NULL);
}

/* Counters while the disks are written: guest names (vda... for virtio, sda... shared by
 * SATA and SCSI, as libvirt requires them unique) and the unit on each bus's controller. */
struct disk_count {
	unsigned vd, sd;
	unsigned sata, scsi;
};

#define SATA_PORTS 6  /* ports of one ICH9 AHCI controller */

#define DISK_NAME_MAX 16  /* "vd" + the letters of 2^32 disks + NUL */

/* The guest name of the i-th disk on a bus, as libvirt numbers them (src/util/virutil.c
 * virIndexToDiskName, read back by virDiskNameToIndex): the letters count in bijective base
 * 26, a..z, aa..zz, aaa..., so vdzz is followed by vdaaa. */
static void disk_target(const struct plan_disk *disk, struct disk_count *c,
			char out[DISK_NAME_MAX])
{
	bool virtio = disk->bus == DISK_VIRTIO && !disk->cdrom;
	unsigned long long i = (virtio ? c->vd++ : c->sd++) + 1ull;
	char letters[DISK_NAME_MAX];
	size_t n = sizeof(letters) - 1;
	letters[n] = '\0';
	for (; i > 0 && n > 0; i = (i - 1) / 26)
		letters[--n] = (char)('a' + (i - 1) % 26);
	snprintf(out, DISK_NAME_MAX, "%s%s", virtio ? "vd" : "sd", letters + n);
}

/* An explicit drive address for SATA and SCSI devices. Without one libvirt derives the
 * controller from the sdX name, which SATA and SCSI share: the 8th sd* device would land on
 * an automatically added LSI SCSI controller that Windows has no driver for. SCSI devices all
 * sit on the one virtio-scsi controller (index 0); SATA devices fill AHCI controllers of
 * six ports. */
static void add_drive_address(struct dom *d, xmlNodePtr disk, const char *bus,
			      struct disk_count *c)
{
	unsigned controller, unit;
	if (!strcmp(bus, "scsi")) {
		controller = 0;
		unit = c->scsi++;
	} else if (!strcmp(bus, "sata")) {
		controller = c->sata / SATA_PORTS;
		unit = c->sata++ % SATA_PORTS;
	} else {
		return;
	}
	xmlNodePtr a = el_attrs(d, disk, "address", "type", "drive", NULL);
	attrf(d, a, "controller", "%u", controller);
	attr(d, a, "bus", "0");
	attr(d, a, "target", "0");
	attrf(d, a, "unit", "%u", unit);
}

static xmlNodePtr add_disk(struct dom *d, xmlNodePtr devs, const struct plan_disk *disk,
			   struct disk_count *c, unsigned boot)
{
	bool block = disk->path && !strncmp(disk->path, "/dev/", 5);
	xmlNodePtr n = el_attrs(d, devs, "disk", "type", block ? "block" : "file", "device",
				disk->cdrom ? "cdrom" : "disk", NULL);
	el_attrs(d, n, "driver", "name", "qemu", "type",
		 disk->cdrom ? "raw" : disk_format_name(disk->format), NULL);
	if (disk->path)   /* NULL: an empty CD-ROM drive */
		el_attrs(d, n, "source", block ? "dev" : "file", disk->path, NULL);
	char dev[DISK_NAME_MAX];
	disk_target(disk, c, dev);
	const char *bus = disk->cdrom && disk->bus == DISK_VIRTIO ? "sata" : disk_bus_name(disk->bus);
	el_attrs(d, n, "target", "dev", dev, "bus", bus, NULL);
	if (disk->cdrom)
		el(d, n, "readonly", NULL);
	attrf(d, el(d, n, "boot", NULL), "order", "%u", boot);
	add_drive_address(d, n, bus, c);
	return n;
}

/* Passed boot devices first (their hostdevs carry the order), then disks, then CD-ROMs:
 * an empty disk falls through to the installer. */
static void add_disks(struct dom *d, xmlNodePtr devs)
{
	const struct plan_vm *vm = d->vm;
	struct disk_count c = {0};
	unsigned boot = 1;
	for (size_t i = 0; i < vm->ndevs; i++)
		if (vm->devs[i].boot_order >= boot)
			boot = vm->devs[i].boot_order + 1;
	for (int cd = 0; cd < 2; cd++)
		for (size_t i = 0; i < vm->ndisks; i++)
			if (vm->disks[i].cdrom == (cd == 1))
				d->disk_node[i] = add_disk(d, devs, &vm->disks[i], &c, boot++);
}

static bool any_scsi(const struct plan_vm *vm)
{
	for (size_t i = 0; i < vm->ndisks; i++)
		if (vm->disks[i].bus == DISK_SCSI)
			return true;
	return false;
}

static bool guest_placed(const struct plan_dev *dev)
{
	return dev->guest_bus || dev->guest_slot;  /* 00:00 is the host bridge: not placed */
}

/* One pcie-root-port per guest bus the passed devices sit on. */
static void add_controllers(struct dom *d, xmlNodePtr devs)
{
	const struct plan_vm *vm = d->vm;
	el_attrs(d, devs, "controller", "type", "usb", "index", "0", "model", "qemu-xhci",
		 "ports", "15", NULL);
	if (any_scsi(vm))
		el_attrs(d, devs, "controller", "type", "scsi", "index", "0", "model", "virtio-scsi",
			 NULL);
	for (size_t i = 0; i < vm->ndevs; i++) {
		unsigned bus = vm->devs[i].guest_bus;
		bool seen = !guest_placed(&vm->devs[i]) || bus == 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = vm->devs[j].guest_bus == bus && guest_placed(&vm->devs[j]);
		if (seen)
			continue;
		xmlNodePtr c = el_attrs(d, devs, "controller", "type", "pci", NULL);
		attrf(d, c, "index", "%u", bus);
		attr(d, c, "model", "pcie-root-port");
	}
}

static void add_pci_address(struct dom *d, xmlNodePtr parent, const struct pci_addr *a,
			    bool typed)
{
	xmlNodePtr n = el(d, parent, "address", NULL);
	if (typed)
		attr(d, n, "type", "pci");
	attrf(d, n, "domain", "0x%04x", a->domain);
	attrf(d, n, "bus", "0x%02x", a->bus);
	attrf(d, n, "slot", "0x%02x", a->slot);
	attrf(d, n, "function", "0x%x", a->func);
}

/* A passed PCI device: a <hostdev>, or for a NIC's SR-IOV virtual function libvirt's
 * <interface type='hostdev'>, which sets the VF's MAC on its physical function before the
 * guest starts (a plain hostdev VF has whatever MAC the host left, often all zeros).
 * Boot-bound devices stay on vfio-pci: managed='no' keeps libvirt from handing them back
 * to a host driver when the VM stops (failure catalogue F24). */
static void add_hostdev(struct dom *d, xmlNodePtr devs, const struct plan_dev *dev)
{
	xmlNodePtr h = dev->nic_vf ? el_attrs(d, devs, "interface", "type", "hostdev", NULL)
				   : el_attrs(d, devs, "hostdev", "mode", "subsystem", "type",
					      "pci", NULL);
	attr(d, h, "managed", dev->managed ? "yes" : "no");
	el_attrs(d, h, "driver", "name", "vfio", NULL);
	xmlNodePtr src = el(d, h, "source", NULL);
	add_pci_address(d, src, &dev->addr, dev->nic_vf);
	if (dev->nic_vf) {
		char mac[EMIT_MAC_STRLEN];
		emit_mac(mac, dev->mac);
		el_attrs(d, h, "mac", "address", mac, NULL);
	}
	if (dev->rom)
		el_attrs(d, h, "rom", "file", dev->rom, NULL);
	if (dev->boot_order)
		attrf(d, el(d, h, "boot", NULL), "order", "%u", dev->boot_order);
	if (!guest_placed(dev))
		return;
	struct pci_addr g = { 0, (uint8_t)dev->guest_bus, (uint8_t)dev->guest_slot,
			      (uint8_t)dev->guest_func };
	add_pci_address(d, h, &g, true);
	if (dev->guest_multifunction)
		attr(d, h->last, "multifunction", "on");
}

/* An unplugged optional device is left out at start instead of failing it. With a bus and
 * device number libvirt takes exactly that device, and only if it has the vendor:product. */
static void add_usb(struct dom *d, xmlNodePtr devs, const struct plan_usb *u)
{
	xmlNodePtr h = el_attrs(d, devs, "hostdev", "mode", "subsystem", "type", "usb", "managed",
				"yes", NULL);
	xmlNodePtr src = el(d, h, "source", NULL);
	if (u->optional)
		attr(d, src, "startupPolicy", "optional");
	attrf(d, el(d, src, "vendor", NULL), "id", "0x%04x", u->vendor);
	attrf(d, el(d, src, "product", NULL), "id", "0x%04x", u->product);
	if (u->bus) {
		xmlNodePtr a = el(d, src, "address", NULL);
		attrf(d, a, "bus", "%u", u->bus);
		attrf(d, a, "device", "%u", u->device);
	}
}

/* Keyboards (by-id names with "kbd" or "keyboard") are grabbed, toggled by both Ctrl keys. */
static void add_evdev(struct dom *d, xmlNodePtr devs, const char *path)
{
	xmlNodePtr src = el_attrs(d, el_attrs(d, devs, "input", "type", "evdev", NULL), "source",
				  "dev", path, NULL);
	if (strstr(path, "kbd") || strstr(path, "keyboard")) {
		attr(d, src, "grab", "all");
		attr(d, src, "grabToggle", "ctrl-ctrl");
		attr(d, src, "repeat", "on");
	}
}

static void add_net(struct dom *d, xmlNodePtr devs)
{
	const struct plan_vm *vm = d->vm;
	if (vm->net_kind == NET_NONE)
		return;
	bool bridge = vm->net_kind == NET_BRIDGE;
	xmlNodePtr n = el_attrs(d, devs, "interface", "type", bridge ? "bridge" : "network", NULL);
	char mac[EMIT_MAC_STRLEN];
	emit_mac(mac, vm->mac);
	el_attrs(d, n, "mac", "address", mac, NULL);
	el_attrs(d, n, "source", bridge ? "bridge" : "network", vm->net_name ? vm->net_name : "default",
		 NULL);
	el_attrs(d, n, "model", "type", "virtio", NULL);
}

static bool passes_display(const struct plan_vm *vm)
{
	for (size_t i = 0; i < vm->ndevs; i++)
		if (((vm->devs[i].class >> 16) & 0xff) == 0x03)
			return true;
	return false;
}

/* Graphics and video. A passed GPU is the guest's display (also what Looking Glass
 * captures), so with SPICE (kept for input and USB redirection) there is then no emulated
 * video card. VNC shows only an emulated card, so it keeps one even next to a passed GPU;
 * Looking Glass without a passed GPU needs the emulated card as the guest's display. */
static void add_display(struct dom *d, xmlNodePtr devs)
{
	const struct plan_vm *vm = d->vm;
	const char *video = vm->graphics == GFX_SPICE ? "qxl" : vm->graphics == GFX_VNC ? "vga"
											: "none";
	if (vm->graphics != GFX_VNC && passes_display(vm))
		video = "none";
	if (vm->graphics != GFX_NONE) {
		xmlNodePtr g = el_attrs(d, devs, "graphics", "type", graphics_name(vm->graphics),
					"autoport", "yes", NULL);
		el_attrs(d, g, "listen", "type", "address", NULL);
	}
	if (vm->graphics == GFX_SPICE) {
		xmlNodePtr ch = el_attrs(d, devs, "channel", "type", "spicevmc", NULL);
		el_attrs(d, ch, "target", "type", "virtio", "name", "com.redhat.spice.0", NULL);
		for (int i = 0; i < 2 && d->p->spice_usb_redirection; i++)
			el_attrs(d, devs, "redirdev", "bus", "usb", "type", "spicevmc", NULL);
	}
	el_attrs(d, el(d, devs, "video", NULL), "model", "type", video, NULL);
}

static void add_devices(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	xmlNodePtr devs = el(d, root, "devices", NULL);
	add_disks(d, devs);
	add_controllers(d, devs);
	add_net(d, devs);
	for (size_t i = 0; i < vm->nevdev; i++)
		add_evdev(d, devs, vm->evdev[i]);
	add_display(d, devs);
	for (size_t i = 0; i < vm->ndevs; i++)
		add_hostdev(d, devs, &vm->devs[i]);
	for (size_t i = 0; i < vm->nusb; i++)
		add_usb(d, devs, &vm->usb[i]);
	if (vm->tpm) {
		xmlNodePtr tpm = el_attrs(d, devs, "tpm", "model", "tpm-crb", NULL);
		el_attrs(d, tpm, "backend", "type", "emulator", "version", "2.0", NULL);
	}
	if (vm->looking_glass_mib && !vm->kvmfr) {
		char *name = emit_looking_glass_name(vm);
		xmlNodePtr shm = el_attrs(d, devs, "shmem", "name", name, NULL);
		free(name);
		el_attrs(d, shm, "model", "type", "ivshmem-plain", NULL);
		attr(d, el_uint(d, shm, "size", vm->looking_glass_mib), "unit", "M");
	}
	el_attrs(d, devs, "memballoon", "model", "none", NULL);  /* useless with pinned VFIO RAM */
}

/* The first child element of parent called name, or NULL. */
static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

static xmlNodePtr child_or_new(struct dom *d, xmlNodePtr parent, const char *name)
{
	xmlNodePtr c = child(parent, name);
	return c ? c : el(d, parent, name, NULL);
}

/* I/O threads and their pinning; virtio disks take them in turn (iothread 1, 2, ...). */
static void add_iothreads(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	if (!vm->iothreads)
		return;
	char n[16];
	snprintf(n, sizeof(n), "%u", vm->iothreads);
	xmlAddNextSibling(child(root, "vcpu"),
			  xmlNewDocNode(d->doc, NULL, (const xmlChar *)"iothreads", (const xmlChar *)n));
	if (!vm->niothread_pin)
		return;
	struct cpulist l = { vm->iothread_pin, vm->niothread_pin };
	struct buf set = {0};
	cpulist_fmt(&l, &set);
	xmlNodePtr t = child_or_new(d, root, "cputune");
	for (unsigned i = 1; i <= vm->iothreads; i++) {
		xmlNodePtr pin = el(d, t, "iothreadpin", NULL);
		attrf(d, pin, "iothread", "%u", i);
		attr(d, pin, "cpuset", buf_str(&set));
	}
	buf_free(&set);
}

/* Host SMBIOS, CPU cache passthrough and the invariant TSC. */
static void add_cpu_details(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	if (vm->smbios_host)
		el_attrs(d, child(root, "os"), "smbios", "mode", "host", NULL);
	xmlNodePtr cpu = child(root, "cpu");
	if (vm->cpu_cache_passthrough)
		el_attrs(d, cpu, "cache", "mode", "passthrough", NULL);
	if (vm->invtsc)
		el_attrs(d, cpu, "feature", "policy", "require", "name", "invtsc", NULL);
}

/* Cache, I/O mode, discard and I/O thread of each disk (not CD-ROMs), on the <driver> that
 * add_disk wrote (d->disk_node: one step per disk, where a search by source was n^2). */
static void add_disk_tuning(struct dom *d, xmlNodePtr devs)
{
	const struct plan_vm *vm = d->vm;
	unsigned next_iothread = 0;
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct plan_disk *pd = &vm->disks[i];
		xmlNodePtr n = pd->cdrom || !pd->path ? NULL : d->disk_node[i];
		xmlNodePtr drv = n ? child(n, "driver") : NULL;
		if (!drv)
			continue;
		if (pd->cache != CACHE_DEFAULT)
			attr(d, drv, "cache", disk_cache_name(pd->cache));
		if (pd->io != IO_DEFAULT)
			attr(d, drv, "io", disk_io_name(pd->io));
		if (pd->discard)
			attr(d, drv, "discard", "unmap");
		if (vm->iothreads && pd->bus == DISK_VIRTIO)
			attrf(d, drv, "iothread", "%u", next_iothread++ % vm->iothreads + 1);
	}
}

/* Guest sound: an ich9 card on libvirt's pipewire or pulseaudio backend, into the sound
 * server of the user QEMU runs as (check_host_settings.c, audio_server); or Scream, whose
 * guest driver writes into an IVSHMEM region that the host's receiver reads.
 * QEMU under system libvirt has no session environment: its pa driver without a server
 * looks for $XDG_RUNTIME_DIR/pulse/pid and fails without it ("Could not init `pa' audio
 * driver"; QEMU audio/paaudio.c, qpa_audio_init), and its pipewire driver finds no socket.
 * So the server is named: libvirt's `serverName` (docs/formatdomain.rst, "PulseAudio audio
 * backend"; QEMU's audiodev `server`) and `runtimeDir` ("PipeWire audio backend", which
 * libvirt gives QEMU as PIPEWIRE_RUNTIME_DIR), both in the user's /run/user/UID. */
static void add_audio(struct dom *d, xmlNodePtr devs)
{
	const struct plan_vm *vm = d->vm;
	if (vm->audio == AUDIO_SCREAM) {
		char *name = xasprintf("scream-ivshmem-%s", vm->name);
		xmlNodePtr shm = el_attrs(d, devs, "shmem", "name", name, NULL);
		el_attrs(d, shm, "model", "type", "ivshmem-plain", NULL);
		attr(d, el_uint(d, shm, "size", SCREAM_MIB), "unit", "M");
		free(name);
		return;
	}
	if (vm->audio != AUDIO_PIPEWIRE && vm->audio != AUDIO_PULSEAUDIO)
		return;
	xmlNodePtr snd = el_attrs(d, devs, "sound", "model", "ich9", NULL);
	el_attrs(d, snd, "audio", "id", "1", NULL);
	xmlNodePtr a = el_attrs(d, devs, "audio", "id", "1", "type", audio_name(vm->audio), NULL);
	if (!d->p->qemu_uid)
		return;
	char *dir = xasprintf("/run/user/%llu", (unsigned long long)d->p->qemu_uid);
	if (vm->audio == AUDIO_PULSEAUDIO)
		attrf(d, a, "serverName", "unix:%s/pulse/native", dir);
	else
		attr(d, a, "runtimeDir", dir);
	free(dir);
}

static void add_virtio_input(struct dom *d, xmlNodePtr devs)
{
	if (!d->vm->input_virtio)
		return;
	el_attrs(d, devs, "input", "type", "keyboard", "bus", "virtio", NULL);
	el_attrs(d, devs, "input", "type", "mouse", "bus", "virtio", NULL);
}

/* Looking Glass on /dev/kvmfrN: libvirt has no element for a memory-backend-file IVSHMEM,
 * so QEMU gets it on its command line (QEMU's JSON syntax for -device and -object). */
static void add_kvmfr(struct dom *d, xmlNodePtr root)
{
	const struct plan_vm *vm = d->vm;
	if (!vm->kvmfr)
		return;
	xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)QEMU_NS, (const xmlChar *)"qemu");
	xmlNodePtr cl = xmlNewChild(root, ns, (const xmlChar *)"commandline", NULL);
	char *dev = xstrdup("{\"driver\":\"ivshmem-plain\",\"id\":\"shmem-looking-glass\","
			    "\"memdev\":\"looking-glass\"}");
	char *obj = xasprintf("{\"qom-type\":\"memory-backend-file\",\"id\":\"looking-glass\","
			      "\"mem-path\":\"/dev/kvmfr%u\",\"size\":%llu,\"share\":true}",
			      vm->kvmfr_index, (unsigned long long)vm->looking_glass_mib << 20);
	const char *args[] = { "-device", dev, "-object", obj };
	for (size_t i = 0; i < ARRAY_LEN(args); i++)
		attr(d, xmlNewChild(cl, ns, (const xmlChar *)"arg", NULL), "value", args[i]);
	free(dev);
	free(obj);
}

/* Additions kept apart from the core elements above: they only add to what is there. */
static void add_details(struct dom *d, xmlNodePtr root)
{
	xmlNodePtr devs = child(root, "devices");
	add_iothreads(d, root);
	add_cpu_details(d, root);
	add_disk_tuning(d, devs);
	add_virtio_input(d, devs);
	add_audio(d, devs);
	/* memballoon stays the last device, as libvirt writes it */
	xmlNodePtr balloon = child(devs, "memballoon");
	if (balloon) {
		xmlUnlinkNode(balloon);
		xmlAddChild(devs, balloon);
	}
	add_kvmfr(d, root);
}

static void build_domain(struct dom *d)
{
	char uuid[EMIT_UUID_STRLEN];
	add_header(d);
	xmlNodePtr root = xmlNewDocNode(d->doc, NULL, (const xmlChar *)"domain", NULL);
	xmlDocSetRootElement(d->doc, root);
	attr(d, root, "type", "kvm");
	el(d, root, "name", d->vm->name);
	emit_uuid(uuid, d->vm->uuid);
	el(d, root, "uuid", uuid);
	add_memory(d, root);
	add_cputune(d, root);
	add_numatune(d, root);
	add_os(d, root);
	add_features(d, root);
	add_cpu_clock(d, root);
	add_lifecycle(d, root);
	add_devices(d, root);
	add_details(d, root);
}

static int libvirt_validate(const struct out_file *f, const char *schema_dir, char **err);

/* A domain changed by libvirt-xml edits is validated here, where libvirt's schema is
 * installed (build --validate checks every domain either way). */
static int validate_edited(const struct plan_vm *vm, const struct out_set *out, char **err)
{
	const struct out_file *f = &out->files[out->n - 1];
	if (!vm->nxml_edits || access(SCHEMA_DIR "/domain.rng", R_OK) != 0)
		return 0;
	char *why = NULL;
	int rc = libvirt_validate(f, NULL, &why);
	if (rc == 1) {
		for (char *c = why; *c; c++)
			if (*c == '\n')
				*c = c[1] ? ';' : '\0';
		*err = xasprintf("VM '%s': after its libvirt-xml edits the domain fails libvirt's "
				 "schema: %s", vm->name, why);
	}
	free(why);
	return rc == 1;
}

/* Why the written domain is not one well-formed XML document holding the generated-by
 * comment and <domain>, nothing else (no DOCTYPE, no processing instruction), or NULL.
 * libxml2 reads it back as libvirt will, checked here for every domain: where libvirt's
 * schemas are not installed nothing else would notice. malloc'd. */
static char *not_well_formed(const xmlChar *mem, int len)
{
	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	if (!pc)
		return xstrdup("out of memory");
	xmlDocPtr doc = xmlCtxtReadMemory(pc, (const char *)mem, len, "domain.xml", "UTF-8",
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *why = NULL;
	if (!doc || !pc->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		const char *m = e && e->message ? e->message : "no detail";
		why = xasprintf("it is not well-formed XML (line %d: %.*s)", e ? e->line : 0,
				(int)strcspn(m, "\n"), m);
	} else {
		size_t comments = 0, elements = 0, other = 0;
		for (xmlNodePtr n = doc->children; n; n = n->next)
			n->type == XML_COMMENT_NODE ? comments++ : n->type == XML_ELEMENT_NODE
				? elements++ : other++;
		xmlNodePtr root = xmlDocGetRootElement(doc);
		if (doc->intSubset || other || comments != 1 || elements != 1 ||
		    xmlStrcmp(root->name, (const xmlChar *)"domain"))
			why = xstrdup("it holds more than the generated-by comment and <domain> "
				      "(a DOCTYPE, a processing instruction)");
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pc);
	return why;
}

/* The domain as libxml2 wrote it, with each character of base/hidden.def (a bidirectional
 * control in a disk path, a libvirt-xml value) as a character reference "&#xNNNN;":
 * libxml2 writes them raw, which reorders how the file shows in a terminal or `git diff`,
 * and a reference is the same character to libvirt. Only text and attribute values can
 * hold one: the one comment, the generated-by header, comes from emit_comment_safe, which
 * spells them "U+NNNN" (a reference is not read in a comment, and a viewer would render it),
 * edits write no comment, CDATA or processing instruction, and a name holding one (U+061C
 * is a name character in XML 1.0) no longer parses, which not_well_formed then reports. */
static void spell_hidden(struct buf *out, const xmlChar *mem, int len)
{
	esc_hidden_spell(out, mem ? (const char *)mem : "", len > 0 ? (size_t)len : 0, "&#x", ";");
}

static int emit_vm(const struct plan *p, const struct plan_vm *vm, struct out_set *out,
		   char **err)
{
	if (!schema_check_ok(SC_NAME, vm->name)) {
		*err = xasprintf("VM name '%s' is not usable as a file name", vm->name);
		return -1;
	}
	struct dom d = { p, vm, xmlNewDoc((const xmlChar *)"1.0"), NULL,
			 xcalloc(vm->ndisks, sizeof(xmlNodePtr)) };
	build_domain(&d);
	free(d.disk_node);  /* the nodes stay in d.doc */
	d.disk_node = NULL;
	int rc = libvirt_apply_edits(d.doc, vm, err);
	if (rc) {
		/* *err says which edit */
	} else if (d.bad) {
		*err = xasprintf("VM '%s': a value cannot be written in XML (not UTF-8, or control "
				 "characters)", vm->name);
		rc = -1;
	} else {
		xmlChar *mem = NULL;
		int len = 0;
		xmlDocDumpFormatMemoryEnc(d.doc, &mem, &len, "UTF-8", 1);
		struct buf text = {0};
		spell_hidden(&text, mem, len);
		xmlFree(mem);
		mem = xmlStrndup((const xmlChar *)buf_str(&text), (int)text.len);
		len = (int)text.len;
		buf_free(&text);
		char *why = not_well_formed(mem, len);
		if (why) {
			/* Only edits can do this; without any it is vfioc's own bug. */
			*err = xasprintf("VM '%s': the domain %s: %s", vm->name,
					 vm->nxml_edits ? "after its libvirt-xml edits" : "vfioc wrote",
					 why);
			rc = vm->nxml_edits ? 1 : -1;
		} else {
			char *name = xasprintf("domains/%s.xml", vm->name);
			buf_add(out_set_add(out, name), (const char *)mem, (size_t)len);
			free(name);
			rc = validate_edited(vm, out, err);
		}
		free(why);
		xmlFree(mem);
	}
	xmlFreeDoc(d.doc);
	return rc;
}

/* -1: a value XML cannot carry; 1: a libvirt-xml edit failed (the config's fault). */
static int libvirt_emit(const struct plan *p, struct out_set *out, char **err)
{
	for (size_t i = 0; i < p->nvms; i++) {
		int rc = emit_vm(p, &p->vms[i], out, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* libxml2 2.12 made the error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *error_arg;
#else
typedef xmlErrorPtr error_arg;
#endif

/* libxml2 reports schema and validity problems here; they are collected one per line. */
static void collect_error(void *ctx, error_arg e)
{
	struct buf *b = ctx;
	if (!e || !e->message)
		return;
	if (e->line > 0)
		buf_printf(b, "line %d: ", e->line);
	buf_add(b, e->message, strcspn(e->message, "\n"));
	buf_putc(b, '\n');
}

static int validate_doc(xmlRelaxNGPtr rng, const struct out_file *f, struct buf *msgs)
{
	xmlDocPtr doc = xmlReadMemory(f->data.s, (int)f->data.len, f->name, NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		buf_puts(msgs, "not well-formed XML\n");
		return 1;
	}
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidStructuredErrors(vc, collect_error, msgs);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	return rc == 0 ? 0 : 1;
}

static int libvirt_validate(const struct out_file *f, const char *schema_dir, char **err)
{
	char *path = xasprintf("%s/domain.rng", schema_dir ? schema_dir : SCHEMA_DIR);
	struct buf msgs = {0};
	int rc = -1;
	if (access(path, R_OK) != 0) {
		*err = xasprintf("libvirt's RelaxNG schema %s is missing: install libvirt's schemas "
				 "(Debian: libvirt0) or name their directory with --schema-dir", path);
		free(path);
		return -1;
	}
	xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
	xmlRelaxNGSetParserStructuredErrors(pc, collect_error, &msgs);
	xmlRelaxNGPtr rng = xmlRelaxNGParse(pc);
	xmlRelaxNGFreeParserCtxt(pc);
	if (!rng) {
		*err = xasprintf("cannot read libvirt's RelaxNG schema %s: %s", path, buf_str(&msgs));
	} else {
		rc = validate_doc(rng, f, &msgs);
		if (rc)
			*err = xstrdup(buf_str(&msgs));
		xmlRelaxNGFree(rng);
	}
	buf_free(&msgs);
	free(path);
	return rc;
}

const struct backend backend_libvirt = {
	.name = "libvirt",
	.doc = "domains/VM.xml: one libvirt domain per VM",
	.subdir = "domains",
	.emit = libvirt_emit,
	.validate = libvirt_validate,
};
