/* yamldoc.h: a YAML file read by libyaml into a small located tree. Aliases, tags, more
 * than one document and excessive nesting are rejected while parsing, so nothing is ever
 * expanded. Both configs and hardware snapshots are read through here. */
#ifndef VFIOC_YAMLDOC_H
#define VFIOC_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "base/loc.h"
#include "base/util.h"

#define YDOC_MAX_BYTES (16u << 20)  /* a config is a few KiB; a 5,000-device snapshot ~2 MiB */
#define YDOC_MAX_DEPTH 64

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ypair;

struct ynode {
	enum ykind kind;
	struct loc loc;        /* where the node starts */
	const char *str;       /* Y_SCALAR: the text, NUL-terminated (may contain no NUL) */
	size_t len;            /* Y_SCALAR: strlen(str) */
	bool plain;            /* Y_SCALAR: unquoted, so `true`, `8`, `null` are typed */
	size_t n;              /* Y_SEQ: items; Y_MAP: pairs */
	struct ynode **items;  /* Y_SEQ */
	struct ypair *pairs;   /* Y_MAP, in file order; keys are unique scalars */
};

struct ypair {
	struct ynode *key;  /* always a Y_SCALAR */
	struct ynode *val;
};

/* Parse path (or an in-memory text named name). Problems go to ds with their places; on
 * any error NULL is returned. Nodes live in a; the source is registered with ds. */
struct ynode *ydoc_load_file(const char *path, struct arena *a, struct diags *ds);
struct ynode *ydoc_load_mem(const char *name, const char *text, size_t len,
			    struct arena *a, struct diags *ds);

/* The value under key in a map, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *key);
/* A plain scalar that YAML 1.1/1.2 would read as null (~, null, empty). */
bool yscalar_is_null(const struct ynode *n);
const char *ykind_name(const struct ynode *n);  /* "a string", "a list", "a mapping" */

#endif
