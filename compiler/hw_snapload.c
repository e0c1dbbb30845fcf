/* hw_snapload.c: hw_load_snapshot(): a snapshot (hw_snapshot.h) read through yamldoc, so a
 * damaged one gets FILE:LINE:COL diagnostics like a config. Every problem is reported
 * (D_SNAPSHOT_INVALID); any problem means no model. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "hw_snapshot.h"
#include "strrules.h"
#include "yamldoc.h"

const char *const snapshot_cpu_flags[3] = { "vmx", "svm", "pdpe1gb" };

struct loader {
	struct hw *hw;
	struct diags *ds;
	bool failed;
};

struct field {
	const char *key;
	void (*load)(struct loader *l, const struct ynode *val, void *obj);
};

static __attribute__((format(printf, 3, 4)))
struct diag *bad(struct loader *l, const struct ynode *n, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	struct diag *d = diag_emit(l->ds, D_SNAPSHOT_INVALID, &n->loc, "%s", buf_str(&b));
	buf_free(&b);
	l->failed = true;
	return d;
}

static bool want(struct loader *l, const struct ynode *n, enum ykind kind, const char *what)
{
	if (n->kind == kind && !(kind == Y_SCALAR && yscalar_is_null(n)))
		return true;
	bad(l, n, "expected %s, found %s", what, ykind_name(n));
	return false;
}

static bool get_uint(struct loader *l, const struct ynode *n, unsigned long long max,
		     unsigned long long *out)
{
	if (!want(l, n, Y_SCALAR, "a number"))
		return false;
	char *end;
	unsigned long long v = strtoull(n->str, &end, 10);
	if (!n->plain || end == n->str || *end || n->str[0] == '-' || n->str[0] == '+' || v > max) {
		bad(l, n, "expected a number from 0 to %llu, found '%s'", max, n->str);
		return false;
	}
	*out = v;
	return true;
}

static int get_int(struct loader *l, const struct ynode *n)
{
	unsigned long long v;
	return get_uint(l, n, 0x7fffffff, &v) ? (int)v : -1;
}

static bool get_bool(struct loader *l, const struct ynode *n)
{
	if (want(l, n, Y_SCALAR, "true or false") && n->plain &&
	    (!strcmp(n->str, "true") || !strcmp(n->str, "false")))
		return n->str[0] == 't';
	if (n->kind == Y_SCALAR)
		bad(l, n, "expected true or false, found '%s'", n->str);
	return false;
}

static const char *get_str(struct loader *l, const struct ynode *n)
{
	if (!want(l, n, Y_SCALAR, "a string"))
		return NULL;
	return arena_strndup(&l->hw->arena, n->str, n->len);
}

/* "0x" and hex digits, at most max. */
static bool get_hex(struct loader *l, const struct ynode *n, unsigned long max, unsigned long *out)
{
	if (!want(l, n, Y_SCALAR, "a hex number"))
		return false;
	char *end;
	unsigned long v = strtoul(n->str + 2, &end, 16);
	if (strncmp(n->str, "0x", 2) || end == n->str + 2 || *end || v > max) {
		bad(l, n, "expected a hex number 0x0 to 0x%lx, found '%s'", max, n->str);
		return false;
	}
	*out = v;
	return true;
}

static bool get_id(struct loader *l, const struct ynode *n, uint16_t *a, uint16_t *b)
{
	if (!want(l, n, Y_SCALAR, "a vendor:device ID"))
		return false;
	if (pci_id_parse(n->str, a, b))
		return true;
	bad(l, n, "malformed ID '%s' (expected vvvv:dddd in hex)", n->str);
	return false;
}

static bool get_addr(struct loader *l, const struct ynode *n, struct pci_addr *out)
{
	if (!want(l, n, Y_SCALAR, "a PCI address"))
		return false;
	if (pci_addr_parse(n->str, out))
		return true;
	bad(l, n, "malformed PCI address '%s' (expected DDDD:BB:SS.F)", n->str);
	return false;
}

/* Call each field's loader; unknown keys and missing required ones are errors. */
static void load_map(struct loader *l, const struct ynode *map, const struct field *fields,
		     size_t nfields, const char *what, void *obj)
{
	if (!want(l, map, Y_MAP, "a mapping"))
		return;
	for (size_t i = 0; i < map->n; i++) {
		const struct ypair *p = &map->pairs[i];
		size_t f = 0;
		while (f < nfields && strcmp(fields[f].key, p->key->str))
			f++;
		if (f == nfields)
			bad(l, p->key, "unknown key '%s' in %s", p->key->str, what);
		else
			fields[f].load(l, p->val, obj);
	}
}

static void require(struct loader *l, const struct ynode *map, const char *const *keys, size_t n,
		    const char *what)
{
	for (size_t i = 0; map->kind == Y_MAP && i < n; i++)
		if (!ymap_get(map, keys[i]))
			bad(l, map, "%s without '%s'", what, keys[i]);
}

/* ---- pci ---- */

static void pci_address(struct loader *l, const struct ynode *v, void *o)
{
	struct hw_pci *d = o;
	if (get_addr(l, v, &d->addr))
		d->loc = v->loc;
}

static void pci_id(struct loader *l, const struct ynode *v, void *o)
{
	struct hw_pci *d = o;
	get_id(l, v, &d->vendor, &d->device);
}

static void pci_subsystem(struct loader *l, const struct ynode *v, void *o)
{
	struct hw_pci *d = o;
	get_id(l, v, &d->sub_vendor, &d->sub_device);
}

static void pci_class(struct loader *l, const struct ynode *v, void *o)
{
	unsigned long c;
	if (get_hex(l, v, 0xffffff, &c))
		((struct hw_pci *)o)->class = (uint32_t)c;
}

static void pci_revision(struct loader *l, const struct ynode *v, void *o)
{
	unsigned long r;
	if (get_hex(l, v, 0xff, &r))
		((struct hw_pci *)o)->revision = (uint8_t)r;
}

static void pci_vendor_name(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->vendor_name = get_str(l, v);
}

static void pci_device_name(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->device_name = get_str(l, v);
}

static void pci_class_name(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->class_name = get_str(l, v);
}

static void pci_group(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->iommu_group = get_int(l, v);
}

static void pci_driver(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->driver = get_str(l, v);
}

static void pci_module(struct loader *l, const struct ynode *v, void *o)
{
	const char *m = get_str(l, v);
	if (m && !schema_check_ok(SC_MODULE, m))
		bad(l, v, "malformed module name '%s'", m);
	else
		((struct hw_pci *)o)->driver_module = m;
}

static void pci_boot_vga(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->boot_vga = get_bool(l, v);
}

static void pci_resets(struct loader *l, const struct ynode *v, void *o)
{
	if (!want(l, v, Y_SEQ, "a list of reset methods"))
		return;
	struct buf b = {0};
	for (size_t i = 0; i < v->n; i++) {
		const char *m = get_str(l, v->items[i]);
		if (m && (!*m || strchr(m, ' ')))
			bad(l, v->items[i], "malformed reset method '%s'", m);
		else if (m)
			buf_printf(&b, "%s%s", i ? " " : "", m);
	}
	((struct hw_pci *)o)->reset_methods = arena_strdup(&l->hw->arena, buf_str(&b));
	buf_free(&b);
}

static void pci_numa(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->numa_node = get_int(l, v);
}

static void pci_multifunction(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->multifunction = get_bool(l, v);
}

static void pci_physfn(struct loader *l, const struct ynode *v, void *o)
{
	struct hw_pci *d = o;
	d->is_vf = get_addr(l, v, &d->physfn);
}

static void pci_host_fs(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->host_fs = get_str(l, v);
}

static void pci_host_route(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_pci *)o)->host_route = get_str(l, v);
}

static const struct field pci_fields[] = {
	{ "address", pci_address }, { "id", pci_id }, { "subsystem", pci_subsystem },
	{ "class", pci_class }, { "revision", pci_revision }, { "vendor-name", pci_vendor_name },
	{ "device-name", pci_device_name }, { "class-name", pci_class_name },
	{ "iommu-group", pci_group }, { "driver", pci_driver }, { "module", pci_module },
	{ "boot-vga", pci_boot_vga },
	{ "reset-methods", pci_resets }, { "numa-node", pci_numa },
	{ "multifunction", pci_multifunction }, { "physfn", pci_physfn },
	{ "host-filesystems", pci_host_fs }, { "host-default-route", pci_host_route },
};

static void load_device(struct loader *l, const struct ynode *n, struct hw_pci *d)
{
	static const char *const required[] = { "address", "id", "class" };
	*d = (struct hw_pci){ .iommu_group = -1, .boot_vga = -1, .numa_node = -1, .loc = n->loc };
	load_map(l, n, pci_fields, ARRAY_LEN(pci_fields), "a PCI device", d);
	require(l, n, required, ARRAY_LEN(required), "a PCI device");
	if (d->driver_module && !d->driver)
		bad(l, n, "a PCI device with a module but no driver");
}

static void load_pci(struct loader *l, const struct ynode *v, void *o)
{
	struct hw *hw = l->hw;
	if (!want(l, v, Y_SEQ, "a list of PCI devices"))
		return;
	hw->pci = arena_array(&hw->arena, v->n, sizeof(*hw->pci));
	for (hw->npci = 0; hw->npci < v->n; hw->npci++)
		load_device(l, v->items[hw->npci], &hw->pci[hw->npci]);
}

/* ---- usb ---- */

static void usb_bus(struct loader *l, const struct ynode *v, void *o)
{
	unsigned long long n;
	if (get_uint(l, v, 0xffff, &n))
		((struct hw_usb *)o)->busnum = (unsigned)n;
}

static void usb_device(struct loader *l, const struct ynode *v, void *o)
{
	unsigned long long n;
	if (get_uint(l, v, 0xffff, &n))
		((struct hw_usb *)o)->devnum = (unsigned)n;
}

static void usb_id(struct loader *l, const struct ynode *v, void *o)
{
	struct hw_usb *u = o;
	get_id(l, v, &u->vendor, &u->product);
}

static void usb_port(struct loader *l, const struct ynode *v, void *o)
{
	const char *p = get_str(l, v);
	if (p && !schema_check_ok(SC_USBPORT, p))
		bad(l, v, "malformed USB port '%s' (expected BUS-PORT[.PORT]..., e.g. 1-2.3)", p);
	else
		((struct hw_usb *)o)->port = p;
}

static void usb_manufacturer(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_usb *)o)->manufacturer = get_str(l, v);
}

static void usb_product(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_usb *)o)->product_name = get_str(l, v);
}

static const struct field usb_fields[] = {
	{ "bus", usb_bus }, { "device", usb_device }, { "id", usb_id }, { "port", usb_port },
	{ "manufacturer", usb_manufacturer }, { "product", usb_product },
};

static void load_usb(struct loader *l, const struct ynode *v, void *o)
{
	static const char *const required[] = { "id" };
	struct hw *hw = l->hw;
	if (!want(l, v, Y_SEQ, "a list of USB devices"))
		return;
	hw->usb = arena_array(&hw->arena, v->n, sizeof(*hw->usb));
	for (hw->nusb = 0; hw->nusb < v->n; hw->nusb++) {
		struct hw_usb *u = &hw->usb[hw->nusb];
		*u = (struct hw_usb){ .loc = v->items[hw->nusb]->loc };
		load_map(l, v->items[hw->nusb], usb_fields, ARRAY_LEN(usb_fields), "a USB device", u);
		require(l, v->items[hw->nusb], required, 1, "a USB device");
	}
}

/* ---- cpu ---- */

static void cpu_id(struct loader *l, const struct ynode *v, void *o)
{
	unsigned long long n;
	if (get_uint(l, v, CPULIST_MAX_CPU, &n))
		((struct hw_cpu *)o)->id = (unsigned)n;
}

static void cpu_core(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_cpu *)o)->core_id = get_int(l, v);
}

static void cpu_package(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_cpu *)o)->package_id = get_int(l, v);
}

static void cpu_siblings(struct loader *l, const struct ynode *v, void *o)
{
	const char *why;
	if (want(l, v, Y_SCALAR, "a CPU list") &&
	    !cpulist_parse(v->str, &l->hw->arena, &((struct hw_cpu *)o)->siblings, &why))
		bad(l, v, "malformed CPU list '%s': %s", v->str, why);
}

static void cpu_node(struct loader *l, const struct ynode *v, void *o)
{
	((struct hw_cpu *)o)->node = get_int(l, v);
}

static const struct field cpu_entry_fields[] = {
	{ "id", cpu_id }, { "core", cpu_core }, { "package", cpu_package },
	{ "siblings", cpu_siblings }, { "node", cpu_node },
};

static void load_cpus(struct loader *l, const struct ynode *v, void *o)
{
	static const char *const required[] = { "id" };
	struct hw *hw = l->hw;
	if (!want(l, v, Y_SEQ, "a list of CPUs"))
		return;
	hw->cpus = arena_array(&hw->arena, v->n, sizeof(*hw->cpus));
	for (hw->ncpus = 0; hw->ncpus < v->n; hw->ncpus++) {
		struct hw_cpu *c = &hw->cpus[hw->ncpus];
		*c = (struct hw_cpu){ .core_id = -1, .package_id = -1, .node = -1 };
		load_map(l, v->items[hw->ncpus], cpu_entry_fields, ARRAY_LEN(cpu_entry_fields),
			 "a CPU", c);
		require(l, v->items[hw->ncpus], required, 1, "a CPU");
	}
}

static void cpu_vendor(struct loader *l, const struct ynode *v, void *o)
{
	if (!want(l, v, Y_SCALAR, "intel or amd"))
		return;
	if (!strcmp(v->str, "intel"))
		l->hw->cpu_vendor = CPU_INTEL;
	else if (!strcmp(v->str, "amd"))
		l->hw->cpu_vendor = CPU_AMD;
	else
		bad(l, v, "unknown CPU vendor '%s' (expected intel or amd)", v->str);
}

static void cpu_flags(struct loader *l, const struct ynode *v, void *o)
{
	bool *flag[] = { &l->hw->cpu_vmx, &l->hw->cpu_svm, &l->hw->cpu_pdpe1gb };
	if (!want(l, v, Y_SEQ, "a list of CPU flags"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		size_t f = 0;
		const struct ynode *n = v->items[i];
		if (!want(l, n, Y_SCALAR, "a CPU flag"))
			continue;
		while (f < ARRAY_LEN(flag) && strcmp(n->str, snapshot_cpu_flags[f]))
			f++;
		if (f == ARRAY_LEN(flag))
			bad(l, n, "unknown CPU flag '%s' (expected vmx, svm or pdpe1gb)", n->str);
		else
			*flag[f] = true;
	}
}

static const struct field cpu_fields[] = {
	{ "vendor", cpu_vendor }, { "flags", cpu_flags }, { "cpus", load_cpus },
};

static void load_cpu(struct loader *l, const struct ynode *v, void *o)
{
	load_map(l, v, cpu_fields, ARRAY_LEN(cpu_fields), "cpu", o);
}

/* ---- memory, kernel, iommu ---- */

static void mem_total(struct loader *l, const struct ynode *v, void *o)
{
	unsigned long long n;
	if (get_uint(l, v, UINT64_MAX >> 10, &n))
		l->hw->mem_total_kib = n;
}

static void mem_hugepages(struct loader *l, const struct ynode *v, void *o)
{
	struct hw *hw = l->hw;
	if (!want(l, v, Y_SEQ, "a list of page sizes in KiB"))
		return;
	hw->hugepage_kib = arena_array(&hw->arena, v->n, sizeof(uint64_t));
	hw->nhugepage = 0;  /* a repeated `memory:` map must not append past this new list */
	for (size_t i = 0; i < v->n; i++) {
		unsigned long long n;
		if (get_uint(l, v->items[i], UINT64_MAX >> 10, &n))
			hw->hugepage_kib[hw->nhugepage++] = n;
	}
}

static const struct field memory_fields[] = {
	{ "total-kib", mem_total }, { "hugepage-sizes-kib", mem_hugepages },
};

static void load_memory(struct loader *l, const struct ynode *v, void *o)
{
	load_map(l, v, memory_fields, ARRAY_LEN(memory_fields), "memory", o);
}

static void kernel_release(struct loader *l, const struct ynode *v, void *o)
{
	l->hw->kernel_release = get_str(l, v);
}

static void kernel_cmdline(struct loader *l, const struct ynode *v, void *o)
{
	l->hw->cmdline = get_str(l, v);
}

static const struct field kernel_fields[] = {
	{ "release", kernel_release }, { "cmdline", kernel_cmdline },
};

static void load_kernel(struct loader *l, const struct ynode *v, void *o)
{
	load_map(l, v, kernel_fields, ARRAY_LEN(kernel_fields), "kernel", o);
}

static void iommu_present(struct loader *l, const struct ynode *v, void *o)
{
	l->hw->iommu_present = get_bool(l, v);
}

static const struct field iommu_fields[] = { { "present", iommu_present } };

static void load_iommu(struct loader *l, const struct ynode *v, void *o)
{
	load_map(l, v, iommu_fields, ARRAY_LEN(iommu_fields), "iommu", o);
}

/* The writer's HOST_ID_LEN lowercase hex digits, nothing else (it ends up in UUIDs). */
static void load_host_id(struct loader *l, const struct ynode *v, void *o)
{
	const char *s = get_str(l, v);
	if (!s)
		return;
	if (strlen(s) != HOST_ID_LEN || strspn(s, "0123456789abcdef") != HOST_ID_LEN)
		bad(l, v, "host-id is not %d lowercase hex digits", HOST_ID_LEN);
	else
		l->hw->host_id = s;
}

static void load_version(struct loader *l, const struct ynode *v, void *o)
{
	/* Checked before anything else, in check_version. */
}

static const struct field top_fields[] = {
	{ "version", load_version }, { "host-id", load_host_id }, { "kernel", load_kernel }, { "cpu", load_cpu },
	{ "memory", load_memory }, { "iommu", load_iommu }, { "pci", load_pci }, { "usb", load_usb },
};

/* ---- the document ---- */

static bool check_version(struct loader *l, const struct ynode *root)
{
	const struct ynode *v = ymap_get(root, "version");
	if (!v) {
		struct diag *d = bad(l, root, "not a vfioc hardware snapshot: no 'version'");
		diag_hint(d, "write one with 'vfioc probe -o FILE'");
		return false;
	}
	if (v->kind == Y_SCALAR && v->plain && strcmp(v->str, "1") == 0)
		return true;
	struct diag *d = bad(l, v, "snapshot version '%s' is not supported (this vfioc reads version %d)",
			     v->kind == Y_SCALAR ? v->str : ykind_name(v), SNAPSHOT_VERSION);
	diag_hint(d, "write it again with this vfioc: 'vfioc probe -o FILE'");
	return false;
}

/* Two devices with one address, two CPUs with one id: the first is named in a note. */
static void check_duplicates(struct loader *l)
{
	struct hw *hw = l->hw;
	for (size_t i = 1; i < hw->npci; i++)
		if (!pci_addr_cmp(&hw->pci[i - 1].addr, &hw->pci[i].addr)) {
			char a[PCI_ADDR_STRLEN];
			pci_addr_fmt(&hw->pci[i].addr, a);
			const struct hw_pci *first = &hw->pci[i - 1], *second = &hw->pci[i];
			if (first->loc.line > second->loc.line) {
				first = &hw->pci[i];
				second = &hw->pci[i - 1];
			}
			struct diag *d = diag_emit(l->ds, D_SNAPSHOT_INVALID, &second->loc,
						   "PCI device %s appears twice", a);
			diag_note(d, &first->loc, "first here");
			l->failed = true;
		}
	for (size_t i = 1; i < hw->ncpus; i++)
		if (hw->cpus[i - 1].id == hw->cpus[i].id) {
			diag_emit(l->ds, D_SNAPSHOT_INVALID, NULL, "%s: CPU %u appears twice",
				  hw->source, hw->cpus[i].id);
			l->failed = true;
		}
}

static struct hw *load_tree(const char *name, const struct ynode *root, struct diags *ds)
{
	static const char *const required[] = { "pci" };
	struct loader l = { .hw = hw_new(name), .ds = ds };
	if (want(&l, root, Y_MAP, "a mapping (a vfioc hardware snapshot)") && check_version(&l, root)) {
		load_map(&l, root, top_fields, ARRAY_LEN(top_fields), "a hardware snapshot", NULL);
		require(&l, root, required, 1, "a hardware snapshot");
	}
	if (!l.failed) {
		hw_finish(l.hw);
		check_duplicates(&l);
	}
	if (l.failed) {
		hw_free(l.hw);
		return NULL;
	}
	return l.hw;
}

/* A problem with the file as a whole, named without quoting any of it: whatever a config's
 * `hardware:` points at (a token file, /proc/self/environ) must not reach a CI log. */
static void refuse_file(struct diags *ds, const char *path, const char *why)
{
	struct loc l = { diags_add_source(ds, path, "", 0), 0, 0, 0 };
	struct diag *d = diag_emit(ds, D_SNAPSHOT_INVALID, &l,
				   "not a vfioc hardware snapshot: %s", why);
	diag_hint(d, "write one on the host with 'vfioc probe -o FILE'");
}

struct hw *hw_load_snapshot(const char *path, struct diags *ds)
{
	static const char signature[] = "version:";  /* the first line vfioc probe writes */
	char *text;
	size_t len;
	int err = read_regular_file(path, YDOC_MAX_BYTES, &text, &len);
	if (err == EFBIG) {
		struct loc l = { diags_add_source(ds, path, "", 0), 0, 0, 0 };
		diag_emit(ds, D_FILE_TOO_LARGE, &l, "file is larger than %u MiB",
			  YDOC_MAX_BYTES >> 20);
		return NULL;
	}
	if (err == EINVAL || err == EISDIR) {
		refuse_file(ds, path, err == EISDIR ? "it is a directory"
			    : "it is not a regular file (a FIFO, a device or a socket)");
		return NULL;
	}
	if (err) {
		diag_emit(ds, D_IO_ERROR, NULL, "cannot read %s: %s", path, strerror(err));
		return NULL;
	}
	struct hw *hw = NULL;
	if (len < sizeof(signature) - 1 || memcmp(text, signature, sizeof(signature) - 1))
		refuse_file(ds, path, "it does not start with 'version:'");
	else
		hw = hw_load_snapshot_mem(path, text, len, ds);
	free(text);
	return hw;
}

struct hw *hw_load_snapshot_mem(const char *name, const char *text, size_t len, struct diags *ds)
{
	struct arena a = {0};
	const struct ynode *root = ydoc_load_mem(name, text, len, &a, ds);
	struct hw *hw = root ? load_tree(name, root, ds) : NULL;
	arena_free(&a);
	return hw;
}
