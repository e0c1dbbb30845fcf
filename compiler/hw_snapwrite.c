/* hw_snapwrite.c: hw_write_snapshot(): the model as YAML through libyaml's emitter (event
 * API), deterministic: fixed key order, devices in address order, no timestamps. The
 * layout is described in hw_snapshot.h and read back by hw_snapload.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hw.h"
#include "hw_snapshot.h"

struct emitter {
	yaml_emitter_t e;
	bool failed;
};

static void emit(struct emitter *em, yaml_event_t *ev)
{
	if (em->failed)
		yaml_event_delete(ev);
	else if (!yaml_emitter_emit(&em->e, ev))
		em->failed = true;
}

static void scalar(struct emitter *em, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	/* Both implicit: never a "!" tag, even when a word cannot be plain ("?x"). */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					  style)) {
		em->failed = true;
		return;
	}
	emit(em, &ev);
}

static void key(struct emitter *em, const char *k) { scalar(em, k, YAML_PLAIN_SCALAR_STYLE); }
static void str(struct emitter *em, const char *s) { scalar(em, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE); }
static void word(struct emitter *em, const char *s) { scalar(em, s, YAML_PLAIN_SCALAR_STYLE); }

static void num(struct emitter *em, uint64_t v)
{
	char s[24], *p = s + sizeof(s) - 1;
	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	word(em, p);
}

static void collection(struct emitter *em, bool map, bool flow)
{
	yaml_event_t ev;
	if (map)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
	emit(em, &ev);
}

static void end(struct emitter *em, bool map)
{
	yaml_event_t ev;
	if (map)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	emit(em, &ev);
}

static void kv_str(struct emitter *em, const char *k, const char *v)
{
	if (v) {
		key(em, k);
		str(em, v);
	}
}

static void kv_num(struct emitter *em, const char *k, uint64_t v)
{
	key(em, k);
	num(em, v);
}

static void kv_true(struct emitter *em, const char *k, bool v)
{
	if (v) {
		key(em, k);
		word(em, "true");
	}
}

static void write_kernel(struct emitter *em, const struct hw *hw)
{
	if (!hw->kernel_release && !hw->cmdline)
		return;
	key(em, "kernel");
	collection(em, true, false);
	kv_str(em, "release", hw->kernel_release);
	kv_str(em, "cmdline", hw->cmdline);
	end(em, true);
}

static void write_cpu_list(struct emitter *em, const struct hw *hw)
{
	key(em, "cpus");
	collection(em, false, false);
	for (size_t i = 0; i < hw->ncpus; i++) {
		const struct hw_cpu *c = &hw->cpus[i];
		collection(em, true, true);
		kv_num(em, "id", c->id);
		if (c->core_id >= 0)
			kv_num(em, "core", (uint64_t)c->core_id);
		if (c->package_id >= 0)
			kv_num(em, "package", (uint64_t)c->package_id);
		if (c->siblings.n) {
			struct buf b = {0};
			cpulist_fmt(&c->siblings, &b);
			kv_str(em, "siblings", buf_str(&b));
			buf_free(&b);
		}
		if (c->node >= 0)
			kv_num(em, "node", (uint64_t)c->node);
		end(em, true);
	}
	end(em, false);
}

static void write_cpu(struct emitter *em, const struct hw *hw)
{
	key(em, "cpu");
	collection(em, true, false);
	if (hw->cpu_vendor != CPU_UNKNOWN) {
		key(em, "vendor");
		word(em, hw_cpu_vendor_name(hw->cpu_vendor));
	}
	key(em, "flags");
	collection(em, false, true);
	const bool have[] = { hw->cpu_vmx, hw->cpu_svm, hw->cpu_pdpe1gb };
	for (size_t i = 0; i < ARRAY_LEN(have); i++)
		if (have[i])
			word(em, snapshot_cpu_flags[i]);
	end(em, false);
	if (hw->ncpus)
		write_cpu_list(em, hw);
	end(em, true);
}

static void write_memory(struct emitter *em, const struct hw *hw)
{
	key(em, "memory");
	collection(em, true, false);
	if (hw->mem_total_kib)
		kv_num(em, "total-kib", hw->mem_total_kib);
	key(em, "hugepage-sizes-kib");
	collection(em, false, true);
	for (size_t i = 0; i < hw->nhugepage; i++)
		num(em, hw->hugepage_kib[i]);
	end(em, false);
	end(em, true);
}

static void write_iommu(struct emitter *em, const struct hw *hw)
{
	key(em, "iommu");
	collection(em, true, false);
	key(em, "present");
	word(em, hw->iommu_present ? "true" : "false");
	end(em, true);
}

/* reset_method "flr bus" as a flow list [flr, bus]. */
static void write_resets(struct emitter *em, const char *methods)
{
	if (!methods)
		return;
	key(em, "reset-methods");
	collection(em, false, true);
	for (const char *p = methods; *p;) {
		size_t n = strcspn(p, " ");
		if (n) {
			char *w = xstrndup(p, n);
			word(em, w);
			free(w);
		}
		p += n + (p[n] == ' ');
	}
	end(em, false);
}

/* "vvvv:dddd" */
static const char *id_fmt(char out[10], unsigned vendor, unsigned device)
{
	char *p = pci_hex(out, vendor, 4);
	*p++ = ':';
	pci_hex(p, device, 4);
	return out;
}

static void write_ids(struct emitter *em, const struct hw_pci *d)
{
	char s[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, s);
	kv_str(em, "address", s);
	kv_str(em, "id", id_fmt(s, d->vendor, d->device));
	if (d->sub_vendor || d->sub_device)
		kv_str(em, "subsystem", id_fmt(s, d->sub_vendor, d->sub_device));
	s[0] = '0', s[1] = 'x';
	pci_hex(s + 2, d->class & 0xffffff, 6);
	kv_str(em, "class", s);
	pci_hex(s + 2, d->revision, 2);
	kv_str(em, "revision", s);
}

static void write_device(struct emitter *em, const struct hw_pci *d)
{
	collection(em, true, false);
	write_ids(em, d);
	kv_str(em, "vendor-name", d->vendor_name);
	kv_str(em, "device-name", d->device_name);
	kv_str(em, "class-name", d->class_name);
	if (d->iommu_group >= 0)
		kv_num(em, "iommu-group", (uint64_t)d->iommu_group);
	if (d->driver) {
		key(em, "driver");
		str(em, d->driver);
	}
	if (d->driver_module) {
		key(em, "module");
		str(em, d->driver_module);
	}
	if (d->boot_vga >= 0) {
		key(em, "boot-vga");
		word(em, d->boot_vga ? "true" : "false");
	}
	write_resets(em, d->reset_methods);
	if (d->numa_node >= 0)
		kv_num(em, "numa-node", (uint64_t)d->numa_node);
	kv_true(em, "multifunction", d->multifunction);
	if (d->is_vf) {
		char pf[PCI_ADDR_STRLEN];
		pci_addr_fmt(&d->physfn, pf);
		kv_str(em, "physfn", pf);
	}
	kv_str(em, "host-filesystems", d->host_fs);
	kv_str(em, "host-default-route", d->host_route);
	end(em, true);
}

static void write_usb(struct emitter *em, const struct hw_usb *u)
{
	char id[10];
	collection(em, true, true);
	kv_num(em, "bus", u->busnum);
	kv_num(em, "device", u->devnum);
	kv_str(em, "id", id_fmt(id, u->vendor, u->product));
	kv_str(em, "port", u->port);
	kv_str(em, "manufacturer", u->manufacturer);
	kv_str(em, "product", u->product_name);
	end(em, true);
}

static void write_document(struct emitter *em, const struct hw *hw)
{
	collection(em, true, false);
	kv_num(em, "version", SNAPSHOT_VERSION);
	kv_str(em, "host-id", hw->host_id);
	write_kernel(em, hw);
	write_cpu(em, hw);
	write_memory(em, hw);
	write_iommu(em, hw);
	key(em, "pci");
	collection(em, false, false);
	for (size_t i = 0; i < hw->npci; i++)
		write_device(em, &hw->pci[i]);
	end(em, false);
	key(em, "usb");
	collection(em, false, false);
	for (size_t i = 0; i < hw->nusb; i++)
		write_usb(em, &hw->usb[i]);
	end(em, false);
	end(em, true);
}

static void write_stream(struct emitter *em, const struct hw *hw)
{
	yaml_event_t ev;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(em, &ev);
	write_document(em, hw);
	yaml_document_end_event_initialize(&ev, 1);
	emit(em, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(em, &ev);
}

int hw_write_snapshot(const struct hw *hw, FILE *out)
{
	struct emitter em = { .failed = false };
	if (!yaml_emitter_initialize(&em.e)) {
		errno = ENOMEM;
		return -1;
	}
	yaml_emitter_set_output_file(&em.e, out);
	yaml_emitter_set_unicode(&em.e, 1);
	yaml_emitter_set_width(&em.e, -1);
	yaml_emitter_set_indent(&em.e, 2);
	yaml_emitter_set_break(&em.e, YAML_LN_BREAK);
	write_stream(&em, hw);
	if (!em.failed && !yaml_emitter_flush(&em.e))
		em.failed = true;
	yaml_emitter_delete(&em.e);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	if (em.failed) {
		errno = EIO;
		return -1;
	}
	return 0;
}
