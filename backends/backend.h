/* backend.h: the backend interface. A backend is one file plus one line in registry.c: it
 * reads the plan and adds files to an output set in memory; `build` writes the set all or
 * nothing. A backend reads the plan (compiler/plan.h) and the model's facts (model/), and
 * writes with base/'s helpers and its library's headers; it includes nothing of the
 * hardware (hw/), the schemas (schema/) or the checks. */
#ifndef VFIOC_BACKEND_H
#define VFIOC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "compiler/plan.h"

struct backend;

struct out_file {
	char *name;         /* relative to the output directory: "vfio.nix", "domains/win10.xml" */
	struct buf data;
	const struct backend *backend;  /* who added it; set by backends_run */
};

struct out_set {
	struct out_file *files;
	size_t n, cap;
};

/* Add a file to the set and return its buffer to fill. */
struct buf *out_set_add(struct out_set *set, const char *name);
void out_set_free(struct out_set *set);
/* The file called name, or NULL. */
const struct out_file *out_set_find(const struct out_set *set, const char *name);

struct backend {
	const char *name;   /* "nixos", "libvirt", "cmdline" */
	const char *doc;    /* "FILE: what it is", one line of `vfioc help build` */
	/* A subdirectory the backend owns files in ("domains"), or NULL. `build` removes the
	 * files there that carry the generated-by marker of the same config but are no longer
	 * in the set (a VM removed from the config). */
	const char *subdir;
	/* subdir mirrors a tree ("root": etc/...): any file the manifest names under it, not
	 * only SUB/VM.xml, is removed once the set no longer has it (same marker rule). */
	bool subdir_tree;
	/* Returns 0, or -1 after putting a one-line reason into *err (malloc'd); 1 when an
	 * escape hatch of the config (libvirt-xml) cannot be applied, the reason in *err. */
	int (*emit)(const struct plan *p, struct out_set *out, char **err);
	/* Optional (NULL: nothing to validate). Check one file this backend added against its
	 * consumer's schema, found in schema_dir (NULL: the consumer's default). Returns 0 when
	 * valid; 1 when invalid, with the reasons, one per line, in *err; -1 when it could not
	 * validate (schema missing or unreadable), the reason in *err. *err is malloc'd. */
	int (*validate)(const struct out_file *f, const char *schema_dir, char **err);
};

extern const struct backend *const backends[];  /* NULL-terminated, in output order */

/* Run every backend in order into out, marking each file with its backend. Returns 0, or -1
 * with "BACKEND: reason" in *err (malloc'd), or 1 with the config's mistake in *err; out
 * then holds what was emitted so far. */
int backends_run(const struct plan *p, struct out_set *out, char **err);

/* The generated-by marker of p's outputs, by which `build` recognizes its own files. */
char *backends_marker(const struct plan *p);

#endif
