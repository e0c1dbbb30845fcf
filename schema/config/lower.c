/* lower.c: the YAML tree -> struct config, driven by the tables in schema/. Generic: it
 * finds each key in its object's table, converts the value by the field's kind, stores it
 * at the field's offset with its place, and applies defaults. Every problem is reported;
 * lowering goes on after an error so one run shows them all. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/release.h"
#include "schema/config/lower.h"
#include "schema/config/schema.h"

/* `where` names the object in messages: "host.libvirt", "vms.win10", "vms.win10.pci[2]". */
static void lower_object(struct lower *lw, const struct object *o, const struct ynode *n,
			 char *base, const char *where);
static void lower_value(struct lower *lw, const struct field *f, const struct ynode *n,
			char *base, const char *where);
static void apply_default(struct lower *lw, const struct field *f, char *base);

#define AT(base, off, type) ((type *)((base) + (off)))

static const char *expected(const struct field *f)
{
	switch (f->kind) {
	case FK_BOOL: return "true or false";
	case FK_UINT: return "a whole number";
	case FK_STR: return "a string";
	case FK_ENUM: return "one of the listed values";
	case FK_SIZE: return "a size such as 16GiB";
	case FK_CPULIST: return "a CPU list such as \"2-7,10-15\"";
	case FK_STRLIST: return "a list of strings";
	case FK_PCIADDR: return "a PCI address such as \"01:00.0\"";
	case FK_PCIID: return "a vendor:device ID such as \"1002:67b0\"";
	case FK_OBJECT: return f->sub->scalar ? "a string or a mapping" : "a mapping";
	case FK_OBJLIST: return "a list";
	case FK_OBJMAP: return "a mapping of names to settings";
	case FK_NIXATTRS: return "a mapping of NixOS option paths to values";
	}
	return "?";
}

static void wrong_type(struct lower *lw, const struct field *f, const struct ynode *n)
{
	struct diag *d;
	if (n->kind == Y_SCALAR && n->plain && !yscalar_is_null(n))
		d = diag_emit(lw->ds, D_WRONG_TYPE, &n->loc, "'%s' must be %s, not '%s'",
			      f->key, expected(f), n->str);
	else
		d = diag_emit(lw->ds, D_WRONG_TYPE, &n->loc, "'%s' must be %s, not %s",
			      f->key, expected(f), ykind_name(n));
	if (n->kind == Y_SCALAR && !n->plain && (f->kind == FK_UINT || f->kind == FK_BOOL))
		diag_hint(d, "remove the quotes");
}

static bool need_scalar(struct lower *lw, const struct field *f, const struct ynode *n)
{
	if (n->kind == Y_SCALAR && !yscalar_is_null(n))
		return true;
	wrong_type(lw, f, n);
	return false;
}

static void lower_bool(struct lower *lw, const struct field *f, const struct ynode *n,
		       struct cfg_bool *out)
{
	if (!need_scalar(lw, f, n))
		return;
	static const char *const yes[] = { "true", "True", "TRUE" }, *const no[] = { "false", "False", "FALSE" };
	for (size_t i = 0; n->plain && i < 3; i++)
		if (!strcmp(n->str, yes[i]) || !strcmp(n->str, no[i])) {
			*out = (struct cfg_bool){ !strcmp(n->str, yes[i]), n->loc };
			return;
		}
	struct diag *d = diag_emit(lw->ds, D_WRONG_TYPE, &n->loc, n->plain ?
				   "'%s' must be true or false, not '%s'" :
				   "'%s' must be true or false, not the string \"%s\"", f->key, n->str);
	diag_hint(d, n->plain ? "YAML 1.2 booleans are spelled true and false" : "remove the quotes");
}

static void range_error(struct lower *lw, const struct field *f, const struct ynode *n,
			const char *unit)
{
	if (f->range_diag) {
		struct diag *d = diag_emit(lw->ds, f->range_diag, &n->loc,
					   "%s must be %llu, not %s", f->key,
					   (unsigned long long)f->min, n->str);
		diag_hint(d, "this vfioc reads version %llu files", (unsigned long long)f->min);
		return;
	}
	diag_emit(lw->ds, D_OUT_OF_RANGE, &n->loc, "'%s' must be between %llu%s and %llu%s, not %s",
		  f->key, (unsigned long long)f->min, unit, (unsigned long long)f->max, unit, n->str);
}

static void lower_uint(struct lower *lw, const struct field *f, const struct ynode *n,
		       struct cfg_uint *out)
{
	if (!need_scalar(lw, f, n))
		return;
	size_t digits = strspn(n->str, "0123456789");
	if (!n->plain || !digits || n->str[digits]) {
		wrong_type(lw, f, n);
		return;
	}
	if (digits > 1 && n->str[0] == '0') {
		/* YAML 1.1 (PyYAML, libvirt's and many tools' readers) reads 010 as octal 8; a
		 * YAML 1.2 reader as 10: one file, two numbers. */
		struct diag *d = diag_emit(lw->ds, D_WRONG_TYPE, &n->loc, "'%s: %s' has a leading "
					   "zero: a YAML 1.1 reader takes it as an octal number",
					   f->key, n->str);
		diag_hint(d, "write it without the leading zero (%s: %s)", f->key,
			  n->str + strspn(n->str, "0") - (n->str[strspn(n->str, "0")] == '\0'));
		return;
	}
	uint64_t v = 0;
	bool big = digits > 18;
	for (size_t i = 0; !big && i < digits; i++)
		v = v * 10 + (uint64_t)(n->str[i] - '0');
	if (big || v < f->min || v > f->max) {
		range_error(lw, f, n, "");
		return;
	}
	*out = (struct cfg_uint){ v, n->loc };
}

static void lower_str(struct lower *lw, const struct field *f, const struct ynode *n,
		      struct cfg_str *out)
{
	const char *why;
	if (!need_scalar(lw, f, n))
		return;
	if (!schema_check_string(f->check, n->str, &why)) {
		diag_emit(lw->ds, schema_check_diag(f->check), &n->loc, "invalid '%s': %s", f->key, why);
		return;
	}
	*out = (struct cfg_str){ n->str, n->loc };
}

static void lower_enum(struct lower *lw, const struct field *f, const struct ynode *n,
		       struct cfg_enum *out)
{
	if (!need_scalar(lw, f, n))
		return;
	size_t count = 0;
	for (; f->values[count]; count++)
		if (!strcmp(f->values[count], n->str)) {
			*out = (struct cfg_enum){ (int)count, n->loc, n->str };
			return;
		}
	bool releases = f->flags & F_RELEASES;
	if (releases && release_is_newer(n->str)) {
		const char *newest = nixos_release_name(NIXOS_NEWEST);
		*out = (struct cfg_enum){ (int)NIXOS_NEWEST, n->loc, n->str };
		struct diag *d = diag_emit(lw->ds, D_NIXOS_NEWER, &n->loc,
					   "NixOS %s is newer than the newest release this vfioc knows "
					   "(%s): the outputs are written as for %s", n->str, newest,
					   newest);
		diag_hint(d, "review the generated vfio.nix against the %s release notes, or "
			     "update vfioc", n->str);
		return;
	}
	struct buf all = {0};
	for (size_t i = 0; i < count; i++)
		buf_printf(&all, "%s%s", i ? ", " : "", f->values[i]);
	struct diag *d = diag_emit(lw->ds, D_BAD_ENUM, &n->loc, "'%s' is not a valid %s (one of: %s)",
				   n->str, f->key, buf_str(&all));
	/* A release is never offered for a newer one: "26.12" is not a typo of "26.05". */
	const char *near = closest_name(n->str, f->values, count);
	if (near && !(releases && release_older_than(near, n->str)))
		diag_hint(d, "did you mean '%s'?", near);
	else if (releases)
		diag_hint(d, "NixOS releases are named YY.05 and YY.11; one newer than %s is "
			     "accepted with a warning", nixos_release_name(NIXOS_NEWEST));
	buf_free(&all);
}

static void lower_size(struct lower *lw, const struct field *f, const struct ynode *n,
		       struct cfg_uint *out)
{
	const char *why;
	uint64_t mib;
	if (!need_scalar(lw, f, n))
		return;
	if (!schema_parse_size(n->str, &mib, &why)) {
		struct diag *d = diag_emit(lw->ds, D_BAD_SIZE, &n->loc, "invalid size '%s' for '%s'",
					   n->str, f->key);
		diag_hint(d, "%s", why);
		return;
	}
	if (mib < f->min || mib > f->max) {
		range_error(lw, f, n, "MiB");
		return;
	}
	*out = (struct cfg_uint){ mib, n->loc };
}

static void lower_cpulist(struct lower *lw, const struct field *f, const struct ynode *n,
			  struct cfg_cpus *out)
{
	const char *why;
	if (!need_scalar(lw, f, n))
		return;
	if (!cpulist_parse(n->str, lw->arena, &out->v, &why)) {
		struct diag *d = diag_emit(lw->ds, D_BAD_CPU_LIST, &n->loc, "invalid CPU list '%s': %s",
					   n->str, why);
		diag_hint(d, "write CPUs and ranges separated by commas, e.g. \"2-7,10-15\"");
		return;
	}
	out->loc = n->loc;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	const struct cfg_str *x = *(struct cfg_str *const *)a, *y = *(struct cfg_str *const *)b;
	int c = strcmp(x->v, y->v);
	return c ? c : (x < y ? -1 : x > y);
}

/* Report entries that repeat an earlier one (sort, then compare neighbours). */
static void strlist_duplicates(struct lower *lw, const struct field *f, struct cfg_strlist *l)
{
	struct cfg_str **s = xmalloc_array(l->n, sizeof(*s));
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].v)
			s[n++] = &l->v[i];
	qsort(s, n, sizeof(*s), cmp_str_ptr);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(s[i - 1]->v, s[i]->v)) {
			struct diag *d = diag_emit(lw->ds, D_DUPLICATE_ITEM, &s[i]->loc,
						   "'%s' appears twice in '%s'", s[i]->v, f->key);
			diag_note(d, &s[i - 1]->loc, "first listed here");
		}
	free(s);
}

static void lower_strlist(struct lower *lw, const struct field *f, const struct ynode *n,
			  struct cfg_strlist *out)
{
	if (n->kind != Y_SEQ) {
		wrong_type(lw, f, n);
		return;
	}
	out->loc = n->loc;
	out->n = n->n;
	out->v = arena_alloc(lw->arena, n->n * sizeof(*out->v));
	for (size_t i = 0; i < n->n; i++)
		lower_str(lw, f, n->items[i], &out->v[i]);
	strlist_duplicates(lw, f, out);
}

static void lower_pciaddr(struct lower *lw, const struct field *f, const struct ynode *n,
			  struct cfg_pciaddr *out)
{
	if (!need_scalar(lw, f, n))
		return;
	if (!pci_addr_parse(n->str, &out->v)) {
		schema_bad_pci_address(lw, n);
		return;
	}
	out->loc = n->loc;
}

static void lower_pciid(struct lower *lw, const struct field *f, const struct ynode *n,
			struct cfg_pciid *out)
{
	if (!need_scalar(lw, f, n))
		return;
	if (!pci_id_parse(n->str, &out->vendor, &out->device)) {
		struct diag *d = diag_emit(lw->ds, D_BAD_PCI_ID, &n->loc,
					   "'%s' is not a vendor:device ID", n->str);
		diag_hint(d, "write four hex digits each, e.g. \"1002:67b0\"; 'lspci -nn' shows them");
		return;
	}
	out->loc = n->loc;
}

/* One element of a list or map of objects: a mapping, or the object's short form. */
static void lower_element(struct lower *lw, const struct field *f, const struct ynode *n,
			  char *elem, const char *where)
{
	const struct object *o = f->sub;
	if (o->loc_off != (size_t)-1)
		*AT(elem, o->loc_off, struct loc) = n->loc;
	if (n->kind == Y_SCALAR && o->scalar && !yscalar_is_null(n)) {
		for (size_t i = 0; i < o->nfields; i++)
			apply_default(lw, &o->fields[i], elem);
		o->scalar(lw, n, elem);
	}
	else if (n->kind == Y_MAP || yscalar_is_null(n))
		lower_object(lw, o, n, elem, where);
	else
		wrong_type(lw, f, n);
}

static void lower_objlist(struct lower *lw, const struct field *f, const struct ynode *n,
			  char *base, const char *where)
{
	if (n->kind != Y_SEQ) {
		wrong_type(lw, f, n);
		return;
	}
	char *items = arena_alloc(lw->arena, n->n * f->sub->size);
	for (size_t i = 0; i < n->n; i++)
		lower_element(lw, f, n->items[i], items + i * f->sub->size,
			      arena_printf(lw->arena, "%s[%zu]", where, i));
	*AT(base, f->off, void *) = items;
	*AT(base, f->count_off, size_t) = n->n;
}

static const struct field *find_field(const struct object *o, const char *key)
{
	for (size_t i = 0; i < o->nfields; i++)
		if (!strcmp(o->fields[i].key, key))
			return &o->fields[i];
	return NULL;
}

/* Where a key that belongs one level deeper should go: the map `into` (the value of the
 * entry before it) holds its siblings. Emits yaml-indent at key when sub (the object `into`
 * lowers as) has the key; "what" says what the indentation made it instead. */
static bool dedented_key(struct lower *lw, const struct object *sub, const struct ynode *key,
			 const struct ynode *owner, const struct ynode *into, const char *what)
{
	if (!sub || !into || into->kind != Y_MAP || !into->n || !find_field(sub, key->str))
		return false;
	const struct loc *sib = &into->pairs[into->n - 1].key->loc;
	struct diag *d = diag_emit(lw->ds, D_YAML_INDENT, &key->loc,
				   "'%s' belongs in '%s', but its indentation makes it %s", key->str,
				   owner->str, what);
	diag_hint(d, "indent line %u by %u spaces, as '%s' on line %u is, to put it in '%s'",
		  key->loc.line, sib->col - 1, into->pairs[into->n - 1].key->str, sib->line,
		  owner->str);
	return true;
}

static void lower_objmap(struct lower *lw, const struct field *f, const struct ynode *n,
			 char *base, const char *where)
{
	const struct object *o = f->sub;
	const char *why;
	if (n->kind != Y_MAP) {
		wrong_type(lw, f, n);
		return;
	}
	char *items = arena_alloc(lw->arena, n->n * o->size);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *key = n->pairs[i].key;
		char *elem = items + i * o->size;
		*AT(elem, o->name_off, const char *) = key->str;
		*AT(elem, o->name_loc_off, struct loc) = key->loc;
		lw->owner = key->loc;
		/* "vcpus: 4" a level too far left of the VM it belongs to. */
		if (i > 0 && n->pairs[i].val->kind == Y_SCALAR &&
		    dedented_key(lw, o, key, n->pairs[i - 1].key, n->pairs[i - 1].val,
				 arena_printf(lw->arena, "an entry of '%s' of its own", f->key)))
			continue;
		if (!schema_check_string(o->name_check, key->str, &why)) {
			struct diag *d = diag_emit(lw->ds, schema_check_diag(o->name_check), &key->loc,
						   "invalid VM name '%s'", key->str);
			diag_hint(d, "%s", why);
		}
		lower_element(lw, f, n->pairs[i].val, elem,
			      arena_printf(lw->arena, "%s.%s", where, key->str));
	}
	*AT(base, f->off, void *) = items;
	*AT(base, f->count_off, size_t) = n->n;
}

static void lower_value(struct lower *lw, const struct field *f, const struct ynode *n,
			char *base, const char *parent)
{
	const char *where = !f->sub ? parent : *parent ? arena_printf(lw->arena, "%s.%s", parent, f->key) : f->key;
	bool empty = yscalar_is_null(n);  /* `key:` with no value: an empty object or list */
	switch (f->kind) {
	case FK_BOOL: lower_bool(lw, f, n, AT(base, f->off, struct cfg_bool)); break;
	case FK_UINT: lower_uint(lw, f, n, AT(base, f->off, struct cfg_uint)); break;
	case FK_STR: lower_str(lw, f, n, AT(base, f->off, struct cfg_str)); break;
	case FK_ENUM: lower_enum(lw, f, n, AT(base, f->off, struct cfg_enum)); break;
	case FK_SIZE: lower_size(lw, f, n, AT(base, f->off, struct cfg_uint)); break;
	case FK_CPULIST: lower_cpulist(lw, f, n, AT(base, f->off, struct cfg_cpus)); break;
	case FK_PCIADDR: lower_pciaddr(lw, f, n, AT(base, f->off, struct cfg_pciaddr)); break;
	case FK_PCIID: lower_pciid(lw, f, n, AT(base, f->off, struct cfg_pciid)); break;
	case FK_STRLIST:
		if (!empty)
			lower_strlist(lw, f, n, AT(base, f->off, struct cfg_strlist));
		break;
	case FK_OBJECT:
		lower_element(lw, f, n, base + f->off, where);
		break;
	case FK_OBJLIST:
		if (!empty)
			lower_objlist(lw, f, n, base, where);
		break;
	case FK_OBJMAP:
		if (!empty)
			lower_objmap(lw, f, n, base, where);
		break;
	case FK_NIXATTRS:
		if (!empty)
			schema_lower_nixattrs(lw, f, n, AT(base, f->off, struct cfg_nixattrs));
		break;
	}
}

/* Defaults are written in the tables as YAML text: lower them like the user's, unlocated. */
static void apply_default(struct lower *lw, const struct field *f, char *base)
{
	if (f->kind == FK_OBJECT) {
		const struct object *o = f->sub;
		char *sub = base + f->off;
		for (size_t i = 0; i < o->nfields; i++)
			apply_default(lw, &o->fields[i], sub);
		if (f->def && o->scalar) {
			struct ynode n = { .kind = Y_SCALAR, .str = f->def, .len = strlen(f->def), .plain = true };
			o->scalar(lw, &n, sub);
		}
		return;
	}
	if (!f->def || f->kind == FK_OBJLIST || f->kind == FK_OBJMAP || f->kind == FK_STRLIST)
		return;
	struct ynode n = { .kind = Y_SCALAR, .str = f->def, .len = strlen(f->def), .plain = true };
	lower_value(lw, f, &n, base, "");
	/* The value came from the table, not the file: leave its place unset. */
	switch (f->kind) {
	case FK_BOOL: AT(base, f->off, struct cfg_bool)->loc = (struct loc){0}; break;
	case FK_ENUM: AT(base, f->off, struct cfg_enum)->loc = (struct loc){0}; break;
	case FK_UINT: case FK_SIZE: AT(base, f->off, struct cfg_uint)->loc = (struct loc){0}; break;
	case FK_STR: AT(base, f->off, struct cfg_str)->loc = (struct loc){0}; break;
	default: break;
	}
}

/* Returns the suggested key, if any, so a "missing" report for it can be left out. */
static const char *unknown_key(struct lower *lw, const struct object *o, const struct ynode *key,
			       const char *where)
{
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < o->nfields && n < ARRAY_LEN(names); i++)
		names[n++] = o->fields[i].key;
	struct diag *d = diag_emit(lw->ds, D_UNKNOWN_KEY, &key->loc, "unknown key '%s'%s%s",
				   key->str, *where ? " in " : " at the top level", where);
	const char *near = closest_name(key->str, names, n);
	if (near) {
		diag_hint(d, "did you mean '%s'?", near);
		return near;
	}
	struct buf all = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&all, "%s%s", i ? ", " : "", names[i]);
	diag_hint(d, "the keys here are: %s", buf_str(&all));
	buf_free(&all);
	return NULL;
}


static void lower_object(struct lower *lw, const struct object *o, const struct ynode *n,
			 char *base, const char *where)
{
	static const struct ynode empty = { .kind = Y_MAP };
	if (yscalar_is_null(n)) {
		struct ynode *copy = arena_alloc(lw->arena, sizeof(*copy));
		*copy = empty;
		copy->loc = n->loc;
		n = copy;
	}
	if (n->kind != Y_MAP) {
		diag_emit(lw->ds, D_WRONG_TYPE, &n->loc, "%s must be a mapping, not %s",
			  *where ? where : "the top level", ykind_name(n));
		return;
	}
	/* Report a missing key at the key that names this object ("w:" of vms.w). */
	struct loc owner = LOC_SET(lw->owner) ? lw->owner : n->loc;
	size_t errors = diags_count(lw->ds, SEV_ERROR);
	bool seen[64] = { false };
	for (size_t i = 0; i < n->n; i++) {
		const struct field *f = find_field(o, n->pairs[i].key->str);
		const struct field *pf = i > 0 ? find_field(o, n->pairs[i - 1].key->str) : NULL;
		if (!f && pf && pf->kind == FK_OBJECT &&
		    dedented_key(lw, pf->sub, n->pairs[i].key, n->pairs[i - 1].key,
				 n->pairs[i - 1].val,
				 *where ? arena_printf(lw->arena, "a key of '%s'", where)
					: "a key of the top level"))
			continue;
		if (!f) {
			const char *near = unknown_key(lw, o, n->pairs[i].key, where);
			if (near)  /* a typo of a required key: one report is enough */
				seen[find_field(o, near) - o->fields] = true;
			continue;
		}
		seen[f - o->fields] = true;
		if ((f->flags & F_ESCAPE_HATCH) && lw->cfg)
			VEC_PUSH(lw->cfg->hatches, lw->cfg->nhatches, lw->cfg->caphatches) =
				(struct cfg_hatch){ arena_printf(lw->arena, "%s%s%s", where,
								 *where ? "." : "", f->key),
						    n->pairs[i].key->loc };
		lw->owner = n->pairs[i].key->loc;
		lower_value(lw, f, n->pairs[i].val, base, where);
		lw->owner = (struct loc){0};
	}
	for (size_t i = 0; i < o->nfields; i++) {
		const struct field *f = &o->fields[i];
		if (seen[i])
			continue;
		if (f->flags & F_REQUIRED) {
			struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &owner,
						   "missing required key '%s'%s%s", f->key,
						   *where ? " in " : " at the top level", where);
			diag_hint(d, "%s", f->doc);
		} else {
			apply_default(lw, f, base);
		}
	}
	/* Rules between keys only make sense when each key was valid on its own. */
	if (o->validate && diags_count(lw->ds, SEV_ERROR) == errors)
		o->validate(lw, n, base);
}

static struct config *lower_root(struct config *cfg, const char *name, const struct ynode *root,
				 struct diags *ds)
{
	if (!root) {
		config_free(cfg);
		return NULL;
	}
	cfg->path = arena_strdup(&cfg->arena, name);
	struct lower lw = { .ds = ds, .arena = &cfg->arena, .cfg = cfg };
	lower_object(&lw, &schema_root, root, (char *)cfg, "");
	if (diags_has_errors(ds)) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load_mem(const char *name, const char *text, size_t len, struct diags *ds)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	return lower_root(cfg, name, ydoc_load_mem(name, text, len, &cfg->arena, ds), ds);
}

/* A config that is a symlink out of the folder it is named in is refused, without reading
 * it: a pull request can commit hosts/x/host.yaml -> /proc/self/environ (or a link to
 * ~/.git-credentials), and the diagnostics of its first line would print the target's
 * content into a CI log. A link inside the folder (host.yaml -> hosts/current.yaml) is
 * followed. */
static bool config_link_leaves(const char *path, struct diags *ds)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
		return false;
	char *dir = path_dir(path);
	bool inside = path_resolves_inside(dir, path);
	if (!inside) {
		struct loc l = { diags_add_source(ds, path, "", 0), 0, 0, 0 };
		struct diag *d = diag_emit(ds, D_REFUSED_FILE, &l,
					   "the config is a symlink that leads outside its folder %s", dir);
		diag_hint(d, "name the file it points to, if you mean to read it");
	}
	free(dir);
	return !inside;
}

struct config *config_load(const char *path, struct diags *ds)
{
	if (config_link_leaves(path, ds))
		return NULL;
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	return lower_root(cfg, path, ydoc_load_file(path, &cfg->arena, ds), ds);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->hatches);
	arena_free(&cfg->arena);
	free(cfg);
}
