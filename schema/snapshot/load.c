/* schema/snapshot/load.c: hw_load_snapshot(): a snapshot read through yamldoc, so a damaged one gets
 * FILE:LINE:COL diagnostics like a config, each key by its row of schema/snapshot/table.c and the
 * handler of its kind. Every problem is reported (D_SNAPSHOT_INVALID); any problem means
 * no model. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/yamldoc.h"
#include "hw/hw.h"
#include "model/strrules.h"
#include "schema/snapshot/snapshot.h"

struct loader {
	struct hw *hw;
	struct diags *ds;
	bool failed;
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

static int get_int(struct loader *l, const struct ynode *n, unsigned long long max)
{
	unsigned long long v;
	return get_uint(l, n, max ? max : 0x7fffffff, &v) ? (int)v : -1;
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
	unsigned long v = 0;
	bool digits = false;
	if (!strncmp(n->str, "0x", 2)) {  /* only then is n->str + 2 inside the string */
		v = strtoul(n->str + 2, &end, 16);
		digits = end != n->str + 2 && !*end;
	}
	if (!digits || v > max) {
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

/* "a, b or c": the names of values[from..n). */
static void alternatives(struct buf *b, const char *const *values, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++)
		buf_printf(b, "%s%s", i == from ? "" : i + 1 == n ? " or " : ", ", values[i]);
}

/* What a string must look like beyond being one (enum snap_text); reports it when not. */
static bool text_ok(struct loader *l, const struct ynode *v, enum snap_text text, const char *s)
{
	switch (text) {
	case ST_ANY:
		return true;
	case ST_HOST_ID:
		if (strlen(s) == HOST_ID_LEN && strspn(s, "0123456789abcdef") == HOST_ID_LEN)
			return true;
		bad(l, v, "host-id is not %d lowercase hex digits", HOST_ID_LEN);
		return false;
	case ST_MODULE:
		if (schema_check_ok(SC_MODULE, s))
			return true;
		bad(l, v, "malformed module name '%s'", s);
		return false;
	case ST_USB_PORT:
		if (schema_check_ok(SC_USBPORT, s))
			return true;
		bad(l, v, "malformed USB port '%s' (expected BUS-PORT[.PORT]..., e.g. 1-2.3)", s);
		return false;
	}
	return false;
}

/* SK_WORDS: [flr, bus] kept as "flr bus". */
static void load_words(struct loader *l, const struct snap_field *f, const struct ynode *v,
		       const char **out)
{
	if (!want(l, v, Y_SEQ, f->list))
		return;
	struct buf b = {0};
	for (size_t i = 0; i < v->n; i++) {
		const char *m = get_str(l, v->items[i]);
		if (m && (!*m || strchr(m, ' ')))
			bad(l, v->items[i], "malformed %s '%s'", f->item, m);
		else if (m)
			buf_printf(&b, "%s%s", i ? " " : "", m);
	}
	*out = arena_strdup(&l->hw->arena, buf_str(&b));
	buf_free(&b);
}

static void load_numlist(struct loader *l, const struct snap_field *f, const struct ynode *v,
			 void *obj)
{
	uint64_t **list = (uint64_t **)((char *)obj + f->off);
	size_t *n = (size_t *)((char *)obj + f->off2);
	if (!want(l, v, Y_SEQ, f->list))
		return;
	*list = arena_array(&l->hw->arena, v->n, sizeof(**list));
	*n = 0;  /* a repeated key must not append past this new list (fuzz finding F4) */
	for (size_t i = 0; i < v->n; i++) {
		unsigned long long x;
		if (get_uint(l, v->items[i], f->max, &x))
			(*list)[(*n)++] = x;
	}
}

static void load_enum(struct loader *l, const struct snap_field *f, const struct ynode *v,
		      void *obj)
{
	struct buf alts = {0};
	alternatives(&alts, f->values, 1, f->nvalues);
	if (want(l, v, Y_SCALAR, buf_str(&alts))) {
		size_t i = 1;
		while (i < f->nvalues && strcmp(v->str, f->values[i]))
			i++;
		if (i < f->nvalues)
			snap_set_uint(f, obj, i);
		else
			bad(l, v, "unknown %s '%s' (expected %s)", f->item, v->str, buf_str(&alts));
	}
	buf_free(&alts);
}

/* SK_FLAGS: each name listed sets its bool. */
static void load_flags(struct loader *l, const struct snap_field *f, const struct ynode *v,
		       void *obj)
{
	bool *flag = (bool *)((char *)obj + f->off);
	if (!want(l, v, Y_SEQ, f->list))
		return;
	struct buf one = {0}, alts = {0};
	buf_printf(&one, "a %s", f->item);
	alternatives(&alts, f->values, 0, f->nvalues);
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *n = v->items[i];
		size_t k = 0;
		if (!want(l, n, Y_SCALAR, buf_str(&one)))
			continue;
		while (k < f->nvalues && strcmp(n->str, f->values[k]))
			k++;
		if (k == f->nvalues)
			bad(l, n, "unknown %s '%s' (expected %s)", f->item, n->str, buf_str(&alts));
		else
			flag[k] = true;
	}
	buf_free(&one);
	buf_free(&alts);
}

static void load_map(struct loader *l, const struct ynode *map, const struct snap_object *o,
		     void *obj);

/* SK_LIST: a new array of records, each at its unknown values before its map is read. */
static void load_list(struct loader *l, const struct snap_field *f, const struct ynode *v,
		      void *obj)
{
	const struct snap_object *o = f->sub;
	char **list = (char **)((char *)obj + f->off);
	size_t *n = (size_t *)((char *)obj + f->off2);
	if (!want(l, v, Y_SEQ, f->list))
		return;
	*list = arena_array(&l->hw->arena, v->n, o->size);
	for (*n = 0; *n < v->n; (*n)++) {
		char *rec = *list + *n * o->size;
		for (size_t i = 0; i < o->nfields; i++)
			if (o->fields[i].unknown == -1)
				*(int *)(rec + o->fields[i].off) = -1;
		if (o->loc_off != SNAP_NO_OFF)
			*(struct loc *)(rec + o->loc_off) = v->items[*n]->loc;
		load_map(l, v->items[*n], o, rec);
	}
}

/* The handler of f's kind: v into obj, or a diagnostic. */
static void load_value(struct loader *l, const struct snap_object *o, const struct snap_field *f,
		       const struct ynode *v, void *obj)
{
	char *p = (char *)obj + f->off;
	unsigned long long n;
	unsigned long x;
	switch (f->kind) {
	case SK_VERSION:
		break;  /* checked before anything else, in check_version */
	case SK_STR: {
		const char *s = get_str(l, v);
		if (!s || text_ok(l, v, f->text, s))
			*(const char **)p = s;
		break;
	}
	case SK_WORDS: load_words(l, f, v, (const char **)p); break;
	case SK_INT: *(int *)p = get_int(l, v, f->max); break;
	case SK_UINT:
		if (get_uint(l, v, f->max, &n))
			snap_set_uint(f, obj, n);
		break;
	case SK_HEX:
		if (get_hex(l, v, (unsigned long)f->max, &x))
			snap_set_uint(f, obj, x);
		break;
	case SK_BOOL: *(bool *)p = get_bool(l, v); break;
	case SK_TRIBOOL: *(int *)p = get_bool(l, v); break;
	case SK_PCIADDR: {
		bool ok = get_addr(l, v, (struct pci_addr *)p);
		if (f->off2 != SNAP_NO_OFF)
			*(bool *)((char *)obj + f->off2) = ok;
		if (ok && (f->flags & SF_LOC))
			*(struct loc *)((char *)obj + o->loc_off) = v->loc;
		break;
	}
	case SK_ID: get_id(l, v, (uint16_t *)p, (uint16_t *)((char *)obj + f->off2)); break;
	case SK_CPULIST: {
		const char *why;
		if (want(l, v, Y_SCALAR, "a CPU list") &&
		    !cpulist_parse(v->str, &l->hw->arena, (struct cpulist *)p, &why))
			bad(l, v, "malformed CPU list '%s': %s", v->str, why);
		break;
	}
	case SK_NUMLIST: load_numlist(l, f, v, obj); break;
	case SK_ENUM: load_enum(l, f, v, obj); break;
	case SK_FLAGS: load_flags(l, f, v, obj); break;
	case SK_MAP: load_map(l, v, f->sub, obj); break;
	case SK_LIST: load_list(l, f, v, obj); break;
	}
}

static const struct snap_field *find_field(const struct snap_object *o, const char *key)
{
	for (size_t i = 0; i < o->nfields; i++)
		if (!strcmp(o->fields[i].key, key))
			return &o->fields[i];
	return NULL;
}

/* Each key through its row; then unknown keys, missing required ones, and a fact without
 * the one it needs are errors. */
static void load_map(struct loader *l, const struct ynode *map, const struct snap_object *o,
		     void *obj)
{
	if (!want(l, map, Y_MAP, "a mapping"))
		return;
	for (size_t i = 0; i < map->n; i++) {
		const struct ypair *p = &map->pairs[i];
		const struct snap_field *f = find_field(o, p->key->str);
		if (!f)
			bad(l, p->key, "unknown key '%s' in %s", p->key->str, o->what);
		else
			load_value(l, o, f, p->val, obj);
	}
	for (size_t i = 0; i < o->nfields; i++)
		if ((o->fields[i].flags & SF_REQUIRED) && !ymap_get(map, o->fields[i].key))
			bad(l, map, "%s without '%s'", o->what, o->fields[i].key);
	for (size_t i = 0; i < o->nfields; i++) {
		const struct snap_field *f = &o->fields[i];
		if (f->needs && snap_known(f, obj) && !snap_known(find_field(o, f->needs), obj))
			bad(l, map, "%s with a %s but no %s", o->what, f->key, f->needs);
	}
}

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
	struct loader l = { .hw = hw_new(name), .ds = ds };
	if (want(&l, root, Y_MAP, "a mapping (a vfioc hardware snapshot)") && check_version(&l, root)) {
		load_map(&l, root, &snapshot_root, l.hw);
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
