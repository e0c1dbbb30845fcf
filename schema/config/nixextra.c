/* nixextra.c: lowering host.nixos-extra, the typed escape hatch into the NixOS module. Each
 * key is an attribute path (components bare, or in double quotes when they hold dots); each
 * value a string, bool, integer or a list of those. Nothing is free Nix text: the backend
 * writes every string through the same quoting as the rest of vfio.nix. */
#include <stdlib.h>
#include <string.h>

#include "schema/config/schema.h"

#define NIX_MAX_PATH 32   /* components of one attribute path */

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '\'';
}

/* Split "a.b.\"c.d\"" into its components. Returns NULL with *why on a malformed path. */
static const char **split_path(struct lower *lw, const char *s, size_t *n, const char **why)
{
	const char **v = arena_alloc(lw->arena, NIX_MAX_PATH * sizeof(*v));
	*n = 0;
	*why = NULL;
	while (*s) {
		const char *start = s;
		if (*n == NIX_MAX_PATH) {
			*why = "an attribute path has at most 32 components";
			return NULL;
		}
		if (*s == '"') {
			start = ++s;
			s += strcspn(s, "\"\\");
			if (*s != '"' || s == start) {
				*why = "a quoted component is \"...\" with no \\ or \" inside, and not empty";
				return NULL;
			}
			v[(*n)++] = arena_printf(lw->arena, "%.*s", (int)(s - start), start);
			s++;
		} else {
			if (!ident_start(*s)) {
				*why = "a component starts with a letter or '_' (quote it otherwise: \"...\")";
				return NULL;
			}
			while (ident_char(*s))
				s++;
			v[(*n)++] = arena_printf(lw->arena, "%.*s", (int)(s - start), start);
		}
		if (*s == '.' && s[1])
			s++;
		else if (*s) {
			*why = "components are separated by single dots";
			return NULL;
		}
	}
	if (!*n)
		*why = "the attribute path is empty";
	return *n ? v : NULL;
}

static bool scalar_value(struct lower *lw, const struct ynode *n, struct cfg_nixval *out)
{
	*out = (struct cfg_nixval){ .kind = NIX_STR, .str = n->str, .loc = n->loc };
	const char *why;
	if (n->kind != Y_SCALAR) {
		struct diag *d = diag_emit(lw->ds, D_BAD_NIX_ATTR, &n->loc, "nixos-extra values "
					   "are strings, booleans, integers or lists of those, not %s",
					   ykind_name(n));
		diag_hint(d, "write each leaf option as its own dotted path");
		return false;
	}
	if (n->plain && yscalar_is_null(n)) {
		diag_emit(lw->ds, D_BAD_NIX_ATTR, &n->loc, "nixos-extra has no null: leave the option out");
		return false;
	}
	if (!schema_check_string(SC_ANY, n->str, &why)) {
		diag_emit(lw->ds, D_BAD_NIX_ATTR, &n->loc, "invalid nixos-extra string: %s", why);
		return false;
	}
	if (!n->plain)
		return true;
	if (!strcmp(n->str, "true") || !strcmp(n->str, "false")) {
		out->kind = NIX_BOOL;
		out->b = n->str[0] == 't';
		return true;
	}
	const char *digits = n->str + (n->str[0] == '-');
	size_t nd = strspn(digits, "0123456789");
	if (nd && !digits[nd] && nd <= 18) {
		out->kind = NIX_INT;
		out->i = strtoll(n->str, NULL, 10);
	}
	return true;
}

static bool lower_nixval(struct lower *lw, const struct ynode *n, struct cfg_nixval *out)
{
	if (n->kind != Y_SEQ)
		return scalar_value(lw, n, out);
	*out = (struct cfg_nixval){ .kind = NIX_LIST, .loc = n->loc, .nitems = n->n };
	out->items = arena_array(lw->arena, n->n, sizeof(*out->items));
	bool ok = true;
	for (size_t i = 0; i < n->n; i++)
		ok &= scalar_value(lw, n->items[i], &out->items[i]);
	return ok;
}

/* One path may not be another's prefix: Nix would refuse to define both. */
static bool prefix_of(const struct cfg_nixattr *a, const struct cfg_nixattr *b)
{
	if (a->npath > b->npath)
		return false;
	for (size_t i = 0; i < a->npath; i++)
		if (strcmp(a->path[i], b->path[i]))
			return false;
	return true;
}

static void check_overlaps(struct lower *lw, const struct cfg_nixattrs *l)
{
	for (size_t i = 0; i < l->n; i++)   /* quadratic, but a config has a handful */
		for (size_t j = 0; j < i; j++)
			if (prefix_of(&l->v[j], &l->v[i]) || prefix_of(&l->v[i], &l->v[j])) {
				struct diag *d = diag_emit(lw->ds, D_BAD_NIX_ATTR, &l->v[i].loc,
							   "this nixos-extra path overlaps an "
							   "earlier one: Nix cannot define both");
				diag_note(d, &l->v[j].loc, "the earlier path");
				break;
			}
}

void schema_lower_nixattrs(struct lower *lw, const struct field *f, const struct ynode *n,
			   struct cfg_nixattrs *out)
{
	if (n->kind != Y_MAP) {
		diag_emit(lw->ds, D_WRONG_TYPE, &n->loc, "'%s' must be a mapping of attribute paths "
			  "to values, not %s", f->key, ykind_name(n));
		return;
	}
	out->loc = n->loc;
	out->n = 0;   /* a duplicate key is lowered again into the same place */
	out->v = arena_array(lw->arena, n->n, sizeof(*out->v));
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *key = n->pairs[i].key;
		struct cfg_nixattr *a = &out->v[out->n];
		const char *why;
		a->loc = key->loc;
		a->path = split_path(lw, key->str, &a->npath, &why);
		if (!a->path) {
			struct diag *d = diag_emit(lw->ds, D_BAD_NIX_ATTR, &key->loc,
						   "'%s' is not a NixOS option path: %s", key->str, why);
			diag_hint(d, "write it as in configuration.nix, e.g. services.openssh.enable "
				  "or boot.kernel.sysctl.\"vm.swappiness\"");
			continue;
		}
		if (lower_nixval(lw, n->pairs[i].val, &a->value))
			out->n++;
	}
	check_overlaps(lw, out);
}
