/* test_hw.c: the hardware model: hw_finish ordering and groups, O(log n) lookups, the
 * snapshot loader (values, defaults, located errors) and write -> load -> write. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/pipeline.h"
#include "harness.h"
#include "hw/hw.h"
#include "hw/sysfs_read.h"
#include "schema/snapshot/snapshot.h"

/* A model with devices at the given addresses, groups and IDs, in scrambled order. */
static struct hw *model(void)
{
	static const struct { const char *addr; uint16_t v, d; uint32_t cls; int group; } devs[] = {
		{ "0000:03:00.0", 0x144d, 0xa808, 0x010802, 9 },
		{ "0000:01:00.1", 0x1002, 0xaac8, 0x040300, 1 },
		{ "0000:00:01.0", 0x8086, 0x1901, 0x060400, 1 },
		{ "0000:01:00.0", 0x1002, 0x67b0, 0x030000, 1 },
		{ "0000:04:00.0", 0x1002, 0x67b0, 0x030000, 12 },
		{ "0000:00:00.0", 0x8086, 0x3ec2, 0x060000, -1 },
	};
	struct hw *hw = hw_new("test");
	hw->npci = ARRAY_LEN(devs);
	hw->pci = arena_alloc(&hw->arena, sizeof(devs) / sizeof(devs[0]) * sizeof(struct hw_pci));
	for (size_t i = 0; i < hw->npci; i++) {
		struct hw_pci *p = &hw->pci[i];
		pci_addr_parse(devs[i].addr, &p->addr);
		p->vendor = devs[i].v;
		p->device = devs[i].d;
		p->class = devs[i].cls;
		p->iommu_group = devs[i].group;
		p->boot_vga = p->numa_node = p->header_type = -1;
	}
	hw->ncpus = 3;
	hw->cpus = arena_alloc(&hw->arena, 3 * sizeof(struct hw_cpu));
	hw->cpus[0].id = 5;
	hw->cpus[1].id = 0;
	hw->cpus[2].id = 2;
	hw_finish(hw);
	INT_EQ(hw_check(hw, stdout), 0, "hw_check: a finished model keeps its invariants");
	/* hw_check finds what it is for: devices out of order, a group holding a device of
	 * another, CPUs twice. */
	struct hw_pci t = hw->pci[0];
	hw->pci[0] = hw->pci[1];
	hw->pci[1] = t;
	OK(hw_check(hw, NULL) > 0, "hw_check: devices out of address order found");
	hw->pci[1] = hw->pci[0];
	hw->pci[0] = t;
	hw->pci[hw->groups[0].member[0]].iommu_group++;
	OK(hw_check(hw, NULL) > 0, "hw_check: a group member of another group found");
	hw->pci[hw->groups[0].member[0]].iommu_group--;
	hw->cpus[1].id = hw->cpus[0].id;
	OK(hw_check(hw, NULL) == 1, "hw_check: a CPU twice found");
	hw->cpus[1].id = 2;
	INT_EQ(hw_check(hw, NULL), 0, "hw_check: the restored model is whole again");
	return hw;
}

static void test_finish_and_lookups(void)
{
	struct hw *hw = model();
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&hw->pci[0].addr, a);
	STR_EQ(a, "0000:00:00.0", "finish: devices in address order (first)");
	pci_addr_fmt(&hw->pci[5].addr, a);
	STR_EQ(a, "0000:04:00.0", "finish: devices in address order (last)");
	INT_EQ(hw->ngroups, 3, "finish: three groups (a device without one is in none)");
	INT_EQ(hw->groups[0].number, 1, "finish: groups in number order");
	INT_EQ(hw->groups[2].number, 12, "finish: group 12 last");
	INT_EQ(hw->groups[0].n, 3, "finish: group 1 has three members");
	pci_addr_fmt(&hw->pci[hw->groups[0].member[0]].addr, a);
	STR_EQ(a, "0000:00:01.0", "finish: members in address order");

	struct pci_addr x;
	pci_addr_parse("01:00.1", &x);
	const struct hw_pci *d = hw_find_pci(hw, &x);
	OK(d && d->device == 0xaac8, "find_pci: 01:00.1 is the audio function");
	pci_addr_parse("01:00.2", &x);
	OK(!hw_find_pci(hw, &x), "find_pci: absent address");
	OK(hw_find_group(hw, 9) && hw_find_group(hw, 9)->n == 1, "find_group: group 9");
	OK(!hw_find_group(hw, 2), "find_group: absent group");
	OK(hw_find_cpu(hw, 2) && !hw_find_cpu(hw, 3), "find_cpu: 2 yes, 3 no");
	INT_EQ(hw->cpus[2].id, 5, "finish: CPUs by id");

	size_t out[4];
	INT_EQ(hw_find_ids(hw, 0x1002, 0x67b0, out, 4), 2, "find_ids: two R9 290X");
	pci_addr_fmt(&hw->pci[out[0]].addr, a);
	STR_EQ(a, "0000:01:00.0", "find_ids: in address order");
	INT_EQ(hw_find_ids(hw, 0x1002, 0x67b0, out, 1), 2, "find_ids: count beyond max");
	INT_EQ(hw_find_ids(hw, 0x10de, 0x1b80, out, 4), 0, "find_ids: absent ID");
	INT_EQ(hw_find_ids(hw, 0xffff, 0xffff, out, 4), 0, "find_ids: ffff:ffff");
	OK(hw_is_bridge(&hw->pci[0]) && !hw_is_bridge(hw_find_pci(hw, &hw->pci[2].addr)),
	   "is_bridge: class 06xx");
	pci_addr_parse("01:00.0", &x);
	OK(hw_is_gpu(hw_find_pci(hw, &x)), "is_gpu: class 03xx");
	hw_free(hw);
}

static const char snapshot[] =
	"version: 1\n"
	"kernel:\n  release: \"6.6.30\"\n  cmdline: \"quiet intel_iommu=on\"\n"
	"cpu:\n  vendor: intel\n  flags: [vmx, pdpe1gb]\n"
	"  cpus:\n  - {id: 1, core: 0, package: 0, siblings: \"0-1\"}\n  - {id: 0}\n"
	"memory:\n  total-kib: 1024\n  hugepage-sizes-kib: [2048, 1048576]\n"
	"iommu:\n  present: true\n"
	"pci:\n"
	"- address: \"0000:01:00.0\"\n  id: \"1002:67b0\"\n  class: \"0x030000\"\n  revision: \"0x01\"\n"
	"  device-name: \"Hawaii\"\n  iommu-group: 1\n  driver: \"radeon\"\n  module: \"radeon\"\n"
	"  boot-vga: false\n"
	"  reset-methods: [flr, bus]\n  numa-node: 0\n  multifunction: true\n"
	"- address: \"0000:00:02.0\"\n  id: \"8086:3e92\"\n  class: \"0x030000\"\n  revision: \"0x00\"\n"
	"  reset-methods: []\n  physfn: \"0000:00:01.0\"\n"
	"usb:\n- {bus: 1, device: 2, id: \"046d:c52b\", port: \"1-3.2\", product: \"USB Receiver\"}\n";

static char *print_diags(struct diags *ds)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	diags_print(ds, f, DFMT_TEXT);
	fclose(f);
	return text;
}

static void test_load(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("s.yaml", snapshot, strlen(snapshot), ds);
	OK(hw != NULL, "load: a valid snapshot loads");
	INT_EQ(hw ? hw_check(hw, stdout) : 1, 0, "hw_check: a loaded snapshot keeps the invariants");
	if (!hw) {
		diags_free(ds);
		return;
	}
	INT_EQ(hw->cpu_vendor, CPU_INTEL, "load: CPU vendor");
	OK(hw->cpu_vmx && !hw->cpu_svm && hw->cpu_pdpe1gb, "load: CPU flags");
	INT_EQ(hw->ncpus, 2, "load: two CPUs");
	INT_EQ(hw->cpus[0].core_id, -1, "load: CPU 0 core unknown");
	INT_EQ(hw->cpus[1].siblings.n, 2, "load: siblings of CPU 1");
	INT_EQ(hw->mem_total_kib, 1024, "load: memory");
	INT_EQ(hw->nhugepage, 2, "load: hugepage sizes");
	STR_EQ(hw->cmdline, "quiet intel_iommu=on", "load: cmdline");
	OK(hw->iommu_present, "load: IOMMU present");
	const struct hw_pci *d = &hw->pci[1];
	INT_EQ(d->revision, 1, "load: revision");
	STR_EQ(d->reset_methods, "flr bus", "load: reset methods joined");
	STR_EQ(d->driver_module, "radeon", "load: the driver's module");
	INT_EQ(d->boot_vga, 0, "load: boot-vga false");
	OK(d->multifunction && d->numa_node == 0, "load: multifunction, numa node");
	INT_EQ(d->loc.line, 17, "load: device located at its address");
	d = &hw->pci[0];
	OK(d->iommu_group == -1 && d->boot_vga == -1 && !d->driver && !d->driver_module &&
	   !d->device_name,
	   "load: absent keys are unknown facts");
	OK(d->is_vf && d->physfn.slot == 1, "load: physfn makes a virtual function");
	STR_EQ(d->reset_methods, "", "load: [] is no reset method");
	INT_EQ(hw->nusb, 1, "load: one USB device");
	OK(hw->usb[0].product == 0xc52b && !hw->usb[0].manufacturer, "load: USB device fields");
	STR_EQ(hw->usb[0].port, "1-3.2", "load: USB port");
	OK(hw_find_usb_port(hw, "1-3.2") == &hw->usb[0] && !hw_find_usb_port(hw, "1-3"),
	   "load: USB device by port");
	hw_free(hw);
	diags_free(ds);
}

/* bad snapshot -> the diagnostics must contain want. */
static void load_fails(const char *text, const char *want, const char *name)
{
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("bad.yaml", text, strlen(text), ds);
	char *out = print_diags(ds);
	OK(!hw && strstr(out, want), name);
	if (hw || !strstr(out, want))
		printf("    got: %s\n", out);
	free(out);
	hw_free(hw);
	diags_free(ds);
}

static void test_load_errors(void)
{
	load_fails("version: 2\npci: []\n", "bad.yaml:1:10: error: snapshot version '2' is not supported",
		   "load: version 2 rejected, located");
	load_fails("pci: []\n", "no 'version'", "load: no version");
	load_fails("version: 1\n", "without 'pci'", "load: no pci");
	load_fails("version: 1\npci: []\nextra: 1\n", "bad.yaml:3:1: error: unknown key 'extra'",
		   "load: unknown top-level key");
	load_fails("version: 1\npci:\n- address: \"01:00.x\"\n  id: \"1002:67b0\"\n  class: \"0x030000\"\n",
		   "bad.yaml:3:12: error: malformed PCI address", "load: bad address located");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: \"1002:67b0\", class: \"0x030000\"}\n"
		   "- {address: \"01:00.0\", id: \"1002:67b1\", class: \"0x030000\"}\n",
		   "bad.yaml:4:13: error: PCI device 0000:01:00.0 appears twice", "load: duplicate address");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: \"1002:67b0\"}\n",
		   "a PCI device without 'class'", "load: device without class");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: 1002, class: \"0x030000\"}\n",
		   "malformed ID '1002'", "load: bad ID");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: \"1002:67b0\", class: \"0x030000\", "
		   "iommu-group: -1}\n", "expected a number", "load: negative group");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: \"1002:67b0\", class: \"0x030000\", "
		   "boot-vga: yes}\n", "expected true or false", "load: bad boolean");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: \"1002:67b0\", class: \"0x030000\", "
		   "driver: xhci_hcd, module: \"xhci pci\"}\n", "malformed module name 'xhci pci'",
		   "load: bad module name");
	load_fails("version: 1\npci:\n- {address: \"01:00.0\", id: \"1002:67b0\", class: \"0x030000\", "
		   "module: radeon}\n", "a module but no driver", "load: module without driver");
	load_fails("version: 1\npci: {}\n", "expected a list of PCI devices", "load: pci not a list");
	load_fails("version: 1\npci: []\nusb:\n- {id: \"046d:c52b\", port: \"1-2/../x\"}\n",
		   "bad.yaml:4:27: error: malformed USB port '1-2/../x'", "load: bad USB port located");
	load_fails("version: 1\ncpu: {vendor: via}\npci: []\n", "unknown CPU vendor 'via'",
		   "load: unknown CPU vendor");
	load_fails("version: 1\npci: [\n", "yaml-syntax", "load: YAML syntax error");
	load_fails("- 1\n", "expected a mapping", "load: not a mapping");
}

static void test_round_trip(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("s.yaml", snapshot, strlen(snapshot), ds);
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	FILE *f = open_memstream(&a, &alen);
	INT_EQ(hw ? hw_write_snapshot(hw, f) : -1, 0, "write: snapshot written");
	fclose(f);
	struct hw *again = hw_load_snapshot_mem("a.yaml", a, alen, ds);
	INT_EQ(again ? hw_check(again, stdout) : 1, 0, "hw_check: a written snapshot loads whole");
	f = open_memstream(&b, &blen);
	INT_EQ(again ? hw_write_snapshot(again, f) : -1, 0, "write: written snapshot loads");
	fclose(f);
	OK(alen == blen && memcmp(a, b, alen) == 0, "write: load -> write gives the same bytes");
	OK(strstr(a, "- address: \"0000:00:02.0\"") < strstr(a, "- address: \"0000:01:00.0\""),
	   "write: devices in address order");
	OK(strstr(a, "reset-methods: []") != NULL, "write: no reset method is []");
	OK(strstr(a, "driver: \"radeon\"\n  module: \"radeon\"\n") != NULL,
	   "write: module right after driver");
	free(a);
	free(b);
	hw_free(hw);
	hw_free(again);
	diags_free(ds);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* hw_for_config: `hardware:` relative to the config's directory; --hardware wins. */
static void test_hw_for_config(void)
{
	char dir[] = "/tmp/vfioc-test-hw.XXXXXX";
	if (!mkdtemp(dir))
		return;
	char *cfgpath = xasprintf("%s/host.yaml", dir), *snap = xasprintf("%s/hw.yaml", dir);
	write_text(snap, snapshot);
	struct config cfg = { .path = cfgpath };
	cfg.hardware.v = "hw.yaml";
	cfg.hardware.loc = (struct loc){ cfgpath, 2, 11, 7 };
	struct diags *ds = diags_new();
	struct hw *hw = hw_for_config(&cfg, &(struct hw_opts){ 0 }, ds);
	OK(hw && hw->npci == 2, "hw_for_config: hardware: relative to the config");
	hw_free(hw);
	cfg.hardware.v = "missing.yaml";
	hw = hw_for_config(&cfg, NULL, ds);
	char *out = print_diags(ds);
	OK(!hw && strstr(out, "host.yaml:2:11: error: cannot read the hardware snapshot") &&
	   strstr(out, "hint: write it on the host with 'vfioc probe -o missing.yaml'"),
	   "hw_for_config: a missing snapshot is reported at hardware:");
	free(out);
	hw = hw_for_config(&cfg, &(struct hw_opts){ .snapshot = snap }, ds);
	OK(hw != NULL, "hw_for_config: --hardware wins over hardware:");
	hw_free(hw);
	hw = hw_for_config(&cfg, &(struct hw_opts){ .root = dir }, ds);
	OK(!hw && diags_exit_code(ds, false) == 3, "hw_for_config: --root wins (no sys/bus/pci: exit 3)");
	diags_free(ds);
	remove(snap);
	remove(dir);
	free(cfgpath);
	free(snap);
}

static void test_describe(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("s.yaml", snapshot, strlen(snapshot), ds);
	struct buf b = {0};
	STR_EQ(hw ? hw_pci_describe(&hw->pci[1], HW_DESC_FULL, &b) : NULL,
	       "0000:01:00.0 class [0300] 1002:67b0 (Hawaii)",
	       "describe: address, class (unknown here), ID, name");
	b.len = 0;
	STR_EQ(hw ? hw_pci_describe(&hw->pci[1], HW_DESC_CLASS, &b) : NULL, "class [0300] 1002:67b0",
	       "describe: class and ID, for a hint's comment");
	b.len = 0;
	STR_EQ(hw ? hw_pci_describe(&hw->pci[1], HW_DESC_NAME, &b) : NULL, "Hawaii [1002:67b0]",
	       "describe: name and ID, for init's comments");
	b.len = 0;
	STR_EQ(hw ? hw_pci_describe(&hw->pci[0], HW_DESC_NAME, &b) : NULL,
	       "unnamed device [8086:3e92]", "describe: no name, no class name");
	STR_EQ(hw_cpu_vendor_name(CPU_AMD), "amd", "cpu_vendor_name: amd");
	buf_free(&b);
	hw_free(hw);
	diags_free(ds);
}

/* The rows of schema/snapshot/table.c hold together: what the loader and writer assume of them. */
static int snap_rows_bad(const struct snap_object *o, char *why, size_t whylen)
{
	int bad = 0;
	for (size_t i = 0; i < o->nfields; i++) {
		const struct snap_field *f = &o->fields[i];
		const char *err = NULL;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->fields[j].key, f->key))
				err = "key listed twice";
		bool minus1 = f->kind == SK_INT || f->kind == SK_TRIBOOL;
		if (f->unknown != SNAP_NEVER && f->unknown != (minus1 ? -1 : 0))
			err = "unknown is neither SNAP_NEVER nor its kind's (0, or -1 for SK_INT/SK_TRIBOOL)";
		if (minus1 && f->size != sizeof(int))
			err = "SK_INT/SK_TRIBOOL not an int";
		if ((f->kind == SK_UINT || f->kind == SK_HEX || f->kind == SK_ENUM) &&
		    f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
			err = "integer of an odd size";
		if ((f->kind == SK_UINT || f->kind == SK_HEX) && f->size < 8 &&
		    f->max >> (8 * f->size))
			err = "max does not fit the member";
		if (f->kind == SK_HEX && (f->max + 1) & ~(~0ULL << snap_hex_digits(f->max) * 4))
			err = "SK_HEX max is not all f digits";
		if ((f->kind == SK_MAP) != (f->sub && !f->sub->size) ||
		    (f->kind == SK_LIST) != (f->sub && f->sub->size))
			err = "SK_MAP needs a sub of the same struct, SK_LIST one with a size";
		if ((f->kind == SK_ENUM || f->kind == SK_FLAGS) && (!f->values || !f->nvalues || !f->item))
			err = "SK_ENUM/SK_FLAGS without values or item";
		if ((f->kind == SK_WORDS || f->kind == SK_FLAGS || f->kind == SK_NUMLIST ||
		     f->kind == SK_LIST) && !f->list)
			err = "a list kind without its 'a list of' words";
		if (f->kind == SK_WORDS && !f->item)
			err = "SK_WORDS without item";
		if ((f->flags & SF_LOC) && (o->loc_off == SNAP_NO_OFF || f->kind != SK_PCIADDR))
			err = "SF_LOC on a record without a loc, or not on an address";
		if (f->needs) {
			size_t j = 0;
			while (j < o->nfields && strcmp(o->fields[j].key, f->needs))
				j++;
			if (j == o->nfields)
				err = "needs names no key of its record";
		}
		if (!f->doc && !(f->sub && f->sub->doc))
			err = "no doc";
		if (err && !bad++)
			snprintf(why, whylen, "%s.%s: %s", o->path, f->key, err);
		if (f->sub)
			bad += snap_rows_bad(f->sub, why, whylen);
	}
	return bad;
}

static void test_snap_table(void)
{
	char why[200] = "";
	int bad = snap_rows_bad(&snapshot_root, why, sizeof(why));
	if (bad)
		printf("# %s\n", why);
	INT_EQ(bad, 0, "snapshot table: every row holds together");
}

static uint32_t u32_at(const void *v, size_t i)
{
	return ((const uint32_t *)v)[i];
}

/* The one binary search, and the lookups built on it. */
static void test_lookups(void)
{
	static const uint32_t keys[] = { 2, 4, 4, 4, 9 };
	INT_EQ((long)hw_lower_bound(0, u32_at, keys, 4), 0, "lower bound: empty");
	INT_EQ((long)hw_lower_bound(5, u32_at, keys, 1), 0, "lower bound: below all");
	INT_EQ((long)hw_lower_bound(5, u32_at, keys, 4), 1, "lower bound: the first of equals");
	INT_EQ((long)hw_lower_bound(5, u32_at, keys, 5), 4, "lower bound: between");
	INT_EQ((long)hw_lower_bound(5, u32_at, keys, UINT32_MAX), 5, "lower bound: above all");
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("s.yaml", snapshot, strlen(snapshot), ds);
	if (!hw) {
		OK(false, "lookups: the snapshot loads");
		diags_free(ds);
		return;
	}
	struct pci_addr a;
	pci_addr_parse("0000:00:03.0", &a);
	INT_EQ((long)hw_pci_index(hw, &a), 1, "pci index: the first device after a gap");
	OK(hw_find_pci(hw, &a) == NULL, "find pci: nothing in the gap");
	pci_addr_parse("0000:01:00.0", &a);
	OK(hw_find_pci(hw, &a) == &hw->pci[1], "find pci: an address that is there");
	size_t idx[4];
	INT_EQ((long)hw_find_vendor(hw, 0x1002, idx, 4), 1, "find vendor: one AMD device");
	INT_EQ((long)idx[0], 1, "find vendor: its index");
	INT_EQ((long)hw_find_vendor(hw, 0xffff, idx, 4), 0, "find vendor: the last vendor ID");
	INT_EQ((long)hw_find_ids(hw, 0x8086, 0x3e92, idx, 4), 1, "find ids: one");
	hw_free(hw);
	diags_free(ds);
}

/* Whether a device may leave the host: the rule `vfioc groups` and the checks share. */
static void test_may_leave(void)
{
	struct hw_pci bridge = { .class = 0x060400, .host_fs = "/" }, disk = { .class = 0x010802,
		.host_fs = "/ (nvme0n1p2)" }, gpu = { .class = 0x030000 };
	INT_EQ(hw_may_leave(&bridge, NULL), HW_STAYS_BRIDGE, "may leave: a bridge never");
	INT_EQ(hw_may_leave(&disk, NULL), HW_STAYS_HOST_FS, "may leave: the host's disk never");
	INT_EQ(hw_may_leave(&disk, &disk), HW_STAYS_HOST_FS, "may leave: the group's host disk");
	INT_EQ(hw_may_leave(&gpu, &disk), HW_STAYS_HOST_GROUP, "may leave: not with the host disk");
	INT_EQ(hw_may_leave(&gpu, NULL), HW_MAY_LEAVE, "may leave: a GPU alone");
	struct hw_pci smbus = { .class = 0x0c0500, .driver = "i801_smbus", .header_type = 0 },
		spi = { .class = 0x0c8000, .driver = "intel-spi", .header_type = 0 },
		ucsi = { .class = 0x0c8000, .driver = "nvidia-gpu", .device_name = "TU104 USB "
			 "Type-C UCSI Controller", .header_type = 0 };
	INT_EQ(hw_may_leave(&smbus, NULL), HW_STAYS_PLATFORM, "may leave: SMBus never");
	INT_EQ(hw_may_leave(&spi, NULL), HW_STAYS_PLATFORM, "may leave: SPI flash never");
	INT_EQ(hw_may_leave(&ucsi, NULL), HW_MAY_LEAVE, "may leave: a GPU's UCSI function (0c80)");
}

/* vfio's viability rule: which members left on the host keep the kernel from giving their
 * group to a VM. */
static void test_holds_group(void)
{
	struct hw_pci lpc = { .class = 0x060100, .driver = "lpc_ich", .header_type = 0 },
		port = { .class = 0x060400, .driver = "pcieport", .header_type = 1 },
		port_unknown = { .class = 0x060400, .driver = "pcieport", .header_type = -1 },
		host_bridge = { .class = 0x060000, .driver = "skl_uncore", .header_type = -1 },
		stub = { .class = 0x060100, .driver = "pci-stub", .header_type = 0 },
		unbound = { .class = 0x060100, .header_type = 0 },
		shpc = { .class = 0x060400, .driver = "shpchp", .header_type = 1 },
		nic = { .class = 0x020000, .driver = "e1000e", .header_type = 0 };
	OK(hw_holds_group(&lpc), "holds: lpc_ich on a normal-header LPC bridge");
	OK(!hw_holds_group(&port), "holds: not pcieport on a PCI-to-PCI bridge");
	OK(!hw_holds_group(&port_unknown), "holds: not pcieport on a 0604 of unknown header");
	OK(hw_holds_group(&host_bridge), "holds: an uncore driver on a host bridge (class: normal)");
	OK(!hw_holds_group(&stub), "holds: not pci-stub");
	OK(!hw_holds_group(&unbound), "holds: not without a driver");
	OK(hw_holds_group(&shpc), "holds: a bridge's driver other than pcieport (since 5.19)");
	OK(hw_holds_group(&nic), "holds: an endpoint's driver");
	INT_EQ(hw_header_type(&port_unknown), HW_HEADER_BRIDGE, "header type: 0604 implies 1");
	INT_EQ(hw_header_type(&(struct hw_pci){ .class = 0x060700, .header_type = -1 }),
	       HW_HEADER_CARDBUS, "header type: 0607 implies 2");
	INT_EQ(hw_header_type(&lpc), HW_HEADER_NORMAL, "header type: as read");
}

static void test_pages(void)
{
	INT_EQ((long)hw_hugepage_kib(HUGEPAGE_1G), 1048576, "hugepages: 1G in KiB");
	INT_EQ((long)hw_hugepage_kib(HUGEPAGE_2M), 2048, "hugepages: 2M in KiB");
}

/* A path the config names, looked up in a test root as if it were "/": an absolute symlink
 * and one that climbs out both stay inside the root (/etc/hostname of this machine is
 * there, the root's is not); a snapshot (no root) knows nothing. */
static void test_host_file(void)
{
	char dir[] = "/tmp/vfioc-hostfile.XXXXXX";
	if (!mkdtemp(dir)) {
		OK(false, "host file: a temporary root");
		return;
	}
	char *p;
	FILE *f = fopen(p = xasprintf("%s/in.iso", dir), "w");
	if (f)
		fclose(f);
	free(p);
	int ok = symlink("/etc/hostname", p = xasprintf("%s/abs.iso", dir));
	free(p);
	ok |= symlink("../../../../../../../etc/hostname", p = xasprintf("%s/climb.iso", dir));
	free(p);
	ok |= symlink("in.iso", p = xasprintf("%s/rel.iso", dir));
	free(p);
	OK(ok == 0, "host file: the links made");
	struct hw *hw = hw_new(dir);
	hw->root = hw->source;
	INT_EQ(hw_host_file(hw, "/in.iso"), HW_FILE_REGULAR, "host file: a file in the root");
	INT_EQ(hw_host_file(hw, "/rel.iso"), HW_FILE_REGULAR, "host file: a link inside the root");
	INT_EQ(hw_host_file(hw, "/gone.iso"), HW_FILE_MISSING, "host file: missing");
	INT_EQ(hw_host_file(hw, "/"), HW_FILE_OTHER, "host file: a folder is not a file");
	/* Without openat2 (or VFIOC_TEST_NO_OPENAT2) the probe's guard refuses such links
	 * before any lookup; this root was never probed, so only the confined way is asked. */
	int confined = hw_root_open(dir);
	if (confined >= 0)
		close(confined);
	if (confined >= 0 && access("/etc/hostname", F_OK) == 0) {
		INT_EQ(hw_host_file(hw, "/abs.iso"), HW_FILE_MISSING,
		       "host file: an absolute link resolves inside the root");
		INT_EQ(hw_host_file(hw, "/climb.iso"), HW_FILE_MISSING,
		       "host file: a climbing link stops at the root");
	}
	hw->root = NULL;
	INT_EQ(hw_host_file(hw, "/in.iso"), HW_FILE_UNKNOWN, "host file: a snapshot has no files");
	hw_free(hw);
	const char *const names[] = { "in.iso", "abs.iso", "climb.iso", "rel.iso" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		unlink(p = xasprintf("%s/%s", dir, names[i]));
		free(p);
	}
	rmdir(dir);
}

int main(void)
{
	test_host_file();
	setvbuf(stdout, NULL, _IOLBF, 0);  /* a table that breaks the loader shows here first */
	test_snap_table();
	test_lookups();
	test_may_leave();
	test_holds_group();
	test_pages();
	test_hw_for_config();
	test_describe();
	test_finish_and_lookups();
	test_load();
	test_load_errors();
	test_round_trip();
	HARNESS_END();
}
