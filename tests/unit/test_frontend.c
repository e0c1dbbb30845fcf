/* test_frontend.c: unit tests of the front end: PCI/ID/CPU-list/size parsing, the schema
 * tables' invariants, YAML loading limits, lowering and defaults, diagnostic formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/pipeline.h"
#include "harness.h"
#include "schema/config/schema.h"

static void test_pci(void)
{
	struct pci_addr a;
	char s[PCI_ADDR_STRLEN];
	OK(pci_addr_parse("01:00.1", &a) && a.domain == 0 && a.bus == 1 && a.func == 1, "pci: short address");
	OK(pci_addr_parse("0000:0A:1f.7", &a) && a.bus == 10 && a.slot == 31 && a.func == 7, "pci: full address, mixed case");
	pci_addr_fmt(&a, s);
	STR_EQ(s, "0000:0a:1f.7", "pci: formatted lower-case with domain");
	struct pci_addr top = { 0xffff, 0xff, 31, 7 };
	pci_addr_fmt(&top, s);
	STR_EQ(s, "ffff:ff:1f.7", "pci: the largest address formatted");
	char h[8];
	OK(pci_hex(h, 0x3ec2, 4) == h + 4, "pci: pci_hex returns the end");
	STR_EQ(h, "3ec2", "pci: pci_hex four digits");
	pci_hex(h, 0x1ab, 2);
	STR_EQ(h, "ab", "pci: pci_hex keeps the low digits");
	pci_hex(h, 0, 6);
	STR_EQ(h, "000000", "pci: pci_hex pads with zeros");
	OK(!pci_addr_parse("01:20.0", &a), "pci: slot 0x20 rejected");
	OK(!pci_addr_parse("01:00.8", &a), "pci: function 8 rejected");
	OK(!pci_addr_parse("1:00.0", &a), "pci: one-digit bus rejected");
	OK(!pci_addr_parse("01:00.0 ", &a), "pci: trailing space rejected");
	/* What a malformed address most likely means (the "did you mean" of bad-pci-address). */
	struct pci_addr g;
	const struct pci_addr g1 = { 0, 1, 0, 0 };
	OK(pci_addr_guess("0000:01:00:0", &g) && !pci_addr_cmp(&g, &g1), "pci guess: ':' for '.'");
	OK(pci_addr_guess("1:0.0", &g) && !pci_addr_cmp(&g, &g1), "pci guess: short fields");
	OK(pci_addr_guess("01:00", &g) && !pci_addr_cmp(&g, &g1), "pci guess: no function is 0");
	OK(pci_addr_guess("0001-2-1f-7", &g) && g.domain == 1 && g.bus == 2 && g.slot == 31 && g.func == 7,
	   "pci guess: '-' and a domain");
	OK(!pci_addr_guess("01:00.0", &g), "pci guess: none for a well-formed address");
	OK(!pci_addr_guess("01:20.0", &g) && !pci_addr_guess("01:00.8", &g), "pci guess: none out of range");
	OK(!pci_addr_guess("10de:1b8", &g) && !pci_addr_guess("1:2:3:4:5", &g) && !pci_addr_guess("", &g) &&
	   !pci_addr_guess("01::0", &g) && !pci_addr_guess("01:00.", &g) && !pci_addr_guess("1f", &g),
	   "pci guess: none for other text, nor for one field");
	uint16_t v, d;
	OK(pci_id_parse("1002:67B0", &v, &d) && v == 0x1002 && d == 0x67b0, "pci: id parsed");
	OK(!pci_id_parse("1002:67b", &v, &d) && !pci_id_parse("1002-67b0", &v, &d), "pci: bad ids rejected");
	struct pci_addr x = { 0, 1, 0, 1 }, y = { 0, 1, 0, 0 }, z = { 1, 0, 0, 0 };
	OK(pci_addr_cmp(&y, &x) < 0 && pci_addr_cmp(&x, &z) < 0, "pci: address order");
}

static void test_cpulist(void)
{
	struct arena a = {0};
	struct cpulist l;
	const char *why;
	struct buf b = {0};
	OK(cpulist_parse("10-11,2-4,3", &a, &l, &why) && l.n == 6 && l.cpu[0] == 10, "cpulist: parsed in order");
	cpulist_fmt(&l, &b);
	STR_EQ(buf_str(&b), "2-4,10-11", "cpulist: formatted sorted, deduplicated, folded");
	OK(!cpulist_parse("3-1", &a, &l, &why), "cpulist: downward range rejected");
	OK(!cpulist_parse("1,,2", &a, &l, &why), "cpulist: empty element rejected");
	OK(!cpulist_parse("1,", &a, &l, &why), "cpulist: trailing comma rejected");
	OK(!cpulist_parse("99999", &a, &l, &why), "cpulist: absurd CPU rejected");
	OK(cpulist_has(&(struct cpulist){ (unsigned[]){ 4, 7 }, 2 }, 7), "cpulist: has");
	buf_free(&b);
	arena_free(&a);
}

/* arena_array and xmalloc_array: never zero bytes, zeroed (arena), and a count whose size
 * overflows exits as out of memory instead of allocating short. */
static void test_arrays(void)
{
	struct arena a = {0};
	uint64_t *v = arena_array(&a, 3, sizeof(*v));
	OK(v && v[0] == 0 && v[2] == 0, "arena_array: zeroed elements");
	OK(arena_array(&a, 0, sizeof(*v)) != NULL, "arena_array: an empty array is not NULL");
	free(xmalloc_array(0, 8));
	arena_free(&a);
	for (int which = 0; which < 2; which++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stderr))
				_exit(1);
			struct arena b = {0};
			if (which == 0)
				arena_array(&b, SIZE_MAX / 4 + 2, 4);
			else
				xmalloc_array(SIZE_MAX / 4 + 2, 4);
			_exit(0);  /* allocated: the overflow went unseen */
		}
		int st = 0;
		waitpid(pid, &st, 0);
		OK(WIFEXITED(st) && WEXITSTATUS(st) == EXIT_SYSTEM,
		   which == 0 ? "arena_array: an overflowing count is out of memory"
			      : "xmalloc_array: an overflowing count is out of memory");
	}
}

static void test_size(void)
{
	uint64_t mib;
	const char *why;
	OK(schema_parse_size("16GiB", &mib, &why) && mib == 16384, "size: GiB");
	OK(schema_parse_size("512M", &mib, &why) && mib == 512, "size: M");
	OK(schema_parse_size("2 G", &mib, &why) && mib == 2048, "size: with a space");
	OK(!schema_parse_size("16GB", &mib, &why) && !schema_parse_size("16", &mib, &why), "size: GB and bare numbers rejected");
}

/* Every table: keys unique, enum defaults valid, no more fields than lower.c tracks. */
static int check_object(const struct object *o)
{
	int bad = 0;
	if (o->nfields > 64)
		bad++;
	for (size_t i = 0; i < o->nfields; i++) {
		const struct field *f = &o->fields[i];
		for (size_t j = i + 1; j < o->nfields; j++)
			bad += !strcmp(f->key, o->fields[j].key);
		if (!f->doc || !*f->doc)
			bad++;
		if (f->kind == FK_ENUM && f->def) {
			bool found = false;
			for (size_t k = 0; f->values[k]; k++)
				found |= !strcmp(f->values[k], f->def);
			bad += !found;
		}
		if (f->sub)
			bad += check_object(f->sub);
	}
	return bad;
}

static void test_tables(void)
{
	INT_EQ(check_object(&schema_root), 0, "schema: keys unique, documented, enum defaults valid");
	for (int i = 0; i < D_COUNT; i++)
		for (int j = i + 1; j < D_COUNT; j++)
			if (!strcmp(diag_code((enum diag_id)i), diag_code((enum diag_id)j)))
				printf("FAIL diag code %s twice\n", diag_code((enum diag_id)i)), harness_failed++;
	OK(D_COUNT > 40, "diag: codes are unique");
}

static struct config *load(const char *text, struct diags *ds)
{
	return config_load_mem("t.yaml", text, strlen(text), ds);
}

static void test_lowering(void)
{
	struct diags *ds = diags_new();
	struct config *c = load("version: 1\nvms:\n  w:\n    memory: 8G\n    vcpus: 4\n"
				"    pci: [\"01:00.0\", 10de:1b80, {address: 02:00.0, bind: managed}]\n"
				"    usb: []\n    evdev: []\n    disks: []\n", ds);
	OK(c != NULL, "lower: a small config loads");
	if (c) {
		INT_EQ(c->nvms, 1, "lower: one VM");
		INT_EQ(c->vms[0].memory.v, 8192, "lower: memory in MiB");
		INT_EQ(c->vms[0].npci, 3, "lower: three pci entries");
		OK(!c->vms[0].pci[0].by_id && c->vms[0].pci[1].by_id, "lower: address vs id entries");
		INT_EQ(c->vms[0].pci[0].bind.v, PCI_BIND_BOOT, "lower: short-form entry gets the default bind");
		INT_EQ(c->vms[0].pci[2].bind.v, PCI_BIND_MANAGED, "lower: bind from the map");
		INT_EQ(c->vms[0].pci[1].id.loc.line, 6, "lower: values keep their line");
		INT_EQ(c->target.nixos.v, NIXOS_26_11, "lower: default release");
		OK(!LOC_SET(c->target.nixos.loc), "lower: a default has no place");
		OK(c->host.libvirt.enable.v && c->host.libvirt.ovmf.secure_boot.v, "lower: nested defaults without the maps");
		INT_EQ(c->vms[0].network.kind, NET_NETWORK, "lower: network default kind");
		STR_EQ(c->vms[0].network.name, "default", "lower: network default name");
	}
	config_free(c);
	diags_free(ds);
}

static void test_diag_format(void)
{
	struct diags *ds = diags_new();
	struct config *c = load("version: 1\nhost:\n  iommu: intl\n", ds);
	OK(c == NULL, "diag: a bad config gives no config");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	diags_print(ds, f, DFMT_TEXT);
	fclose(f);
	STR_EQ(text, "t.yaml:3:10: error: 'intl' is not a valid iommu (one of: auto, intel, amd, off) [bad-value]\n"
		     "    3 |   iommu: intl\n      |          ^~~~\nt.yaml:3:10: hint: did you mean 'intel'?\n",
	       "diag: text format with caret and hint");
	free(text);
	f = open_memstream(&text, &len);
	diags_print(ds, f, DFMT_GITHUB);
	fclose(f);
	OK(strstr(text, "::error file=t.yaml,line=3,col=10,title=vfioc bad-value::") == text, "diag: github format");
	free(text);
	f = open_memstream(&text, &len);
	diags_print(ds, f, DFMT_JSON);
	fclose(f);
	OK(strstr(text, "\"code\": \"bad-value\"") && strstr(text, "\"hints\": [\"did you mean 'intel'?\"]"), "diag: json format");
	free(text);
	INT_EQ(diags_exit_code(ds, false), 1, "diag: errors exit 1");
	diags_free(ds);

	ds = diags_new();
	load("version: 1\nvms:\n  \"a\\nb\": {memory: 8G, vcpus: 1}\n", ds);
	f = open_memstream(&text, &len);
	diags_print(ds, f, DFMT_TEXT);
	fclose(f);
	OK(strstr(text, "invalid VM name 'a\\nb'") != NULL, "diag: a newline in a value is printed escaped");
	free(text);
	diags_free(ds);
}

static void test_limits(void)
{
	struct diags *ds = diags_new();
	struct arena a = {0};
	char *big = malloc(YDOC_MAX_BYTES + 2);
	memset(big, 'a', YDOC_MAX_BYTES + 1);
	big[YDOC_MAX_BYTES + 1] = 0;
	OK(!ydoc_load_mem("big", big, YDOC_MAX_BYTES + 1, &a, ds), "yaml: too large refused");
	free(big);
	OK(!ydoc_load_mem("al", "a: &x 1\nb: *x\n", 14, &a, ds), "yaml: alias refused");
	struct ynode *n = ydoc_load_mem("ok", "a: [1, {b: c}]\n", 15, &a, ds);
	OK(n && n->kind == Y_MAP && ymap_get(n, "a")->n == 2, "yaml: tree shape");
	/* A carriage return as the last byte, with nothing after it in memory (ASan sees a
	 * read past the end). */
	char *cr = malloc(5);
	memcpy(cr, "a: 1\r", 5);
	OK(!ydoc_load_mem("cr", cr, 5, &a, ds), "yaml: a lone carriage return at the end refused");
	free(cr);
	arena_free(&a);
	diags_free(ds);
}

int main(void)
{
	test_pci();
	test_cpulist();
	test_arrays();
	test_size();
	test_tables();
	test_lowering();
	test_diag_format();
	test_limits();
	HARNESS_END();
}
