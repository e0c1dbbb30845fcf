/* outwrite.h: putting an output set into a directory, all or nothing, and telling what that
 * would change (for `build --check`). Used by cmd_build.c only. */
#ifndef VFIOC_OUTWRITE_H
#define VFIOC_OUTWRITE_H

#include "backend.h"

enum out_change_kind {
	OUT_MISSING,  /* in the set, not in the directory */
	OUT_DIFFERS,  /* in both, with other bytes */
	OUT_STALE,    /* in a backend's subdir with this config's marker, no longer in the set */
};

struct out_change {
	enum out_change_kind kind;
	char *name;   /* relative to the directory */
	size_t file;  /* index into the set (OUT_MISSING, OUT_DIFFERS) */
};

struct out_changes {
	struct out_change *v;
	size_t n, cap;
};

/* What writing set into dir would change, sorted by name. Files are stale when they sit in
 * the subdir of a backend, do not start with '.', and hold marker in their first 512 bytes.
 * Returns 0, or -1 with a one-line reason in *err (malloc'd) when dir cannot be read. */
int out_diff(const struct out_set *set, const char *dir, const char *marker,
	     struct out_changes *ch, char **err);

/* Apply ch to dir: every new or changed file is first written to a temporary file next to
 * it, and every file to be replaced or removed gets a second (hard-linked) name; only then
 * are the temporaries renamed into place and stale files removed. If one of those steps
 * fails, the ones done are undone from the second names. Unchanged files are not touched.
 * Returns 0, or -1 with *err (malloc'd) and dir as it was (directories it created are
 * removed again, no temporaries are left). */
int out_write(const struct out_set *set, const char *dir, const struct out_changes *ch,
	      char **err);

void out_changes_free(struct out_changes *ch);

#endif
