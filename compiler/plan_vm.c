/* plan_vm.c: one VM of the plan: its devices with their guest placement, the derived
 * topology, identities, and the rest of its settings copied out of the config (the plan
 * owns every string, so it outlives the config and the hardware).
 *
 * Guest placement: each physical device (host domain:bus:slot) gets a guest bus of its own,
 * GUEST_FIRST_BUS + i for the i-th physical device of the VM in address order, at slot 0;
 * its functions keep their order as functions 0, 1, ...; function 0 has multifunction='on'
 * when there are several. Buses from 1 without gaps let the backend give each its own
 * pcie-root-port (controller index = bus), as GPUs and their drivers expect, without
 * libvirt filling gaps with unused controllers. */
#include <stdlib.h>
#include <string.h>

#include "compiler/plan_parts.h"

#define HYPERV_VENDOR_ID "vfioc"  /* any value up to 12 characters; not "KVMKVMKVM" */

static const char *copy(struct plan *p, const char *s)
{
	return s ? arena_strdup(&p->arena, s) : NULL;
}

static void place_devices(struct plan_dev *d, size_t n, const bool *vf)
{
	unsigned bus = GUEST_FIRST_BUS - 1, func = 0;
	size_t first = 0;
	for (size_t i = 0; i < n; i++) {
		/* Virtual functions share a host slot with VFs of other physical functions
		 * (igb and ixgbe interleave them): each gets a guest slot of its own. */
		if (i == 0 || vf[i] || vf[i - 1] || !pci_same_slot(&d[i - 1].addr, &d[i].addr)) {
			bus++;
			func = 0;
			first = i;
		}
		d[i].guest_bus = bus;
		d[i].guest_slot = 0;
		d[i].guest_func = func++;
		d[first].guest_multifunction = func > 1;
	}
}

static void devices(struct plan *p, const struct check_ctx *cx, size_t vm, struct plan_vm *out)
{
	const struct rvm *r = &cx->res.vms[vm];
	out->devs = arena_array(&p->arena, r->n, sizeof(*out->devs));
	out->ndevs = r->n;
	bool *vf = arena_array(&p->arena, r->n, sizeof(*vf));
	for (size_t k = 0; k < r->n; k++) {
		const struct hw_pci *h = &cx->hw->pci[r->dev[k].hw];
		const struct cfg_pci *e = r->dev[k].entry;
		out->devs[k] = (struct plan_dev){
			.addr = h->addr, .vendor = h->vendor, .device = h->device, .class = h->class,
			.sub_vendor = h->sub_vendor, .sub_device = h->sub_device,
			.vendor_name = copy(p, h->vendor_name), .device_name = copy(p, h->device_name),
			.iommu_group = h->iommu_group, .host_driver = copy(p, h->driver),
			.rom = copy(p, e->rom.v), .managed = e->bind.v == PCI_BIND_MANAGED,
			.nic_vf = h->is_vf && (h->class >> 16) == 0x02,
		};
		vf[k] = h->is_vf;
		if (out->devs[k].nic_vf) {
			char a[PCI_ADDR_STRLEN];
			pci_addr_fmt(&h->addr, a);
			char *id = xasprintf("%s/%s", cx->cfg->vms[vm].name, a);
			plan_mac(cx->hw->host_id, id, out->devs[k].mac);
			free(id);
		}
	}
	place_devices(out->devs, out->ndevs, vf);
}

static bool has_disk_image(const struct cfg_vm *v)
{
	for (size_t i = 0; i < v->ndisks; i++)
		if (!v->disks[i].cdrom.v)
			return true;
	return false;
}

/* Boot devices among the passed ones: those with `boot: true`; unless one is written, the
 * first storage controller (class 01xx) when the VM has no disk image, for OVMF boots only
 * devices with a boot order. In address order, before the disks. */
static void boot_devices(const struct check_ctx *cx, const struct cfg_vm *v, size_t vm,
			 struct plan_vm *out)
{
	const struct rvm *r = &cx->res.vms[vm];
	bool written = false;
	for (size_t k = 0; k < r->n; k++)
		written |= r->dev[k].entry->boot.v;
	unsigned order = 0;
	for (size_t k = 0; k < r->n; k++) {
		const struct cfg_bool *b = &r->dev[k].entry->boot;
		bool storage = (out->devs[k].class >> 16) == 0x01;
		bool boot = written ? b->v
				    : storage && !has_disk_image(v) && !LOC_SET(b->loc) && !order;
		if (boot)
			out->devs[k].boot_order = ++order;
	}
}

static bool host_smt(const struct hw *hw)
{
	for (size_t i = 0; i < hw->ncpus; i++)
		if (hw->cpus[i].siblings.n > 1)
			return true;
	return false;
}

/* Written, or derived: one socket; with pins, as many threads per core as the pins put on
 * the SMT siblings of one host core (hw_pin_threads); unpinned, two threads per core
 * when vcpus is even and the host has SMT (so the guest schedules pairs like the host). */
static void topology(const struct check_ctx *cx, const struct cfg_vm *v, struct plan_vm *out)
{
	if (LOC_SET(v->topology.loc)) {
		out->sockets = (unsigned)v->topology.sockets.v;
		out->cores = (unsigned)v->topology.cores.v;
		out->threads = (unsigned)v->topology.threads.v;
		return;
	}
	out->sockets = 1;
	if (v->pin.v.n == out->vcpus)
		out->threads = hw_pin_threads(cx->hw, &v->pin.v);
	else
		out->threads = out->vcpus % 2 == 0 && host_smt(cx->hw) ? 2 : 1;
	out->cores = out->vcpus / out->threads;
}

/* The NUMA node all of the VM's pinned CPUs are on, when the host has more than one. */
static int pinned_node(const struct hw *hw, const struct cpulist *pin)
{
	bool several = false;
	for (size_t i = 1; i < hw->ncpus && !several; i++)
		several = hw->cpus[i].node != hw->cpus[0].node;
	if (!several || !pin->n)
		return -1;
	int node = -1;
	for (size_t i = 0; i < pin->n; i++) {
		const struct hw_cpu *c = hw_find_cpu(hw, pin->cpu[i]);
		if (!c || c->node < 0 || (i && c->node != node))
			return -1;
		node = c->node;
	}
	return node;
}

static unsigned *cpus(struct plan *p, const struct cpulist *l, size_t *n)
{
	unsigned *c = arena_array(&p->arena, l->n, sizeof(*c));
	if (l->n)   /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(c, l->cpu, l->n * sizeof(*c));
	*n = l->n;
	return c;
}

/* USB entries by port take the device now plugged in there (check_usb made sure of one). */
static void usb(const struct check_ctx *cx, struct plan *p, const struct cfg_vm *v,
		struct plan_vm *out)
{
	out->usb = arena_array(&p->arena, v->nusb, sizeof(*out->usb));
	out->nusb = v->nusb;
	for (size_t i = 0; i < v->nusb; i++) {
		const struct cfg_usb *u = &v->usb[i];
		const struct hw_usb *h = u->bus_port.v ? hw_find_usb_port(cx->hw, u->bus_port.v) : NULL;
		out->usb[i] = (struct plan_usb){ .vendor = h ? h->vendor : u->vendor,
			.product = h ? h->product : u->product, .bus = h ? h->busnum : 0,
			.device = h ? h->devnum : 0, .optional = u->optional.v };
	}
}

static void io(struct plan *p, const struct cfg_vm *v, struct plan_vm *out)
{
	out->disks = arena_array(&p->arena, v->ndisks, sizeof(*out->disks));
	out->ndisks = v->ndisks;
	for (size_t i = 0; i < v->ndisks; i++) {
		const struct cfg_disk *d = &v->disks[i];
		bool empty = d->cdrom.v && !strcmp(d->cdrom.v, CDROM_EMPTY);
		out->disks[i] = (struct plan_disk){
			.cdrom = d->cdrom.v != NULL,
			.path = empty ? NULL : copy(p, d->cdrom.v ? d->cdrom.v : d->path.v),
			.bus = (enum disk_bus)d->bus.v, .format = (enum disk_format)d->format.v,
			.cache = (enum disk_cache)d->cache.v, .io = (enum disk_io)d->io.v,
			.discard = d->discard.v,
		};
	}
	out->net_kind = v->network.kind;
	out->net_name = copy(p, v->network.name);
	out->graphics = (enum graphics)v->graphics.v;
	out->evdev = arena_array(&p->arena, v->evdev.n, sizeof(char *));
	for (size_t i = 0; i < v->evdev.n; i++)
		out->evdev[i] = copy(p, v->evdev.v[i].v);
	out->nevdev = v->evdev.n;
	out->looking_glass_mib = LOC_SET(v->looking_glass.loc) ? v->looking_glass.size.v : 0;
}

/* The settings of issue-tracker favourites: audio, I/O threads, CPU cache, invtsc, SMBIOS,
 * virtio input, single-GPU hooks and the libvirt-xml edits. */
static void details(struct plan *p, const struct cfg_vm *v, struct plan_vm *out)
{
	out->audio = (enum audio)v->audio.v;
	out->iothreads = (unsigned)v->iothreads.v;
	out->iothread_pin = cpus(p, &v->iothread_pin.v, &out->niothread_pin);
	out->cpu_cache_passthrough = v->cpu_cache.v == CPU_CACHE_PASSTHROUGH;
	out->invtsc = v->invtsc.v;
	out->smbios_host = v->smbios.v == SMBIOS_HOST;
	out->input_virtio = v->input.v == INPUT_VIRTIO;
	out->single_gpu = v->single_gpu.v;
	if (v->hyperv_vendor_id.v)
		out->hyperv_vendor_id = copy(p, v->hyperv_vendor_id.v);
	if (out->looking_glass_mib && v->looking_glass.device.v == LG_KVMFR) {
		out->kvmfr = true;
		out->kvmfr_index = (unsigned)p->nkvmfr;
		p->kvmfr_mib[p->nkvmfr++] = out->looking_glass_mib;
	}
	out->xml_edits = arena_array(&p->arena, v->libvirt_xml.n, sizeof(char *));
	for (size_t i = 0; i < v->libvirt_xml.n; i++)
		out->xml_edits[i] = copy(p, v->libvirt_xml.v[i].v);
	out->nxml_edits = v->libvirt_xml.n;
}

void plan_vm(struct plan *p, const struct check_ctx *cx, size_t vm, struct plan_vm *out)
{
	const struct cfg_vm *v = &cx->cfg->vms[vm];
	out->name = copy(p, v->name);
	memcpy(out->uuid, cx->res.vms[vm].uuid, sizeof(out->uuid));
	memcpy(out->mac, cx->res.vms[vm].mac, sizeof(out->mac));
	out->memory_kib = v->memory.v * 1024;
	out->vcpus = (unsigned)v->vcpus.v;
	topology(cx, v, out);
	out->pin = cpus(p, &v->pin.v, &out->npin);
	out->emulator_pin = cpus(p, &v->emulator_pin.v, &out->nemulator_pin);
	out->numa_node = pinned_node(cx->hw, &v->pin.v);
	out->hugepages = v->hugepages.v;
	out->hugepage_kib = v->hugepages.v ? hw_hugepage_kib(p->hugepage_size) : 0;
	out->firmware = (enum firmware)v->firmware.v;
	out->secure_boot = v->secure_boot.v;
	out->tpm = v->tpm.v;
	out->hyperv = v->hyperv.v;
	out->hyperv_vendor_id = HYPERV_VENDOR_ID;
	out->hide_kvm = v->hide_kvm.v;
	out->host_amd = cx->hw->cpu_vendor == CPU_AMD;
	out->autostart = v->autostart.v;
	devices(p, cx, vm, out);
	boot_devices(cx, v, vm, out);
	usb(cx, p, v, out);
	io(p, v, out);
	details(p, v, out);
}
