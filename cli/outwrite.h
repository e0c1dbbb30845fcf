/* outwrite.h: putting an output set into a directory, all or nothing, and telling what that
 * would change (for `build --check`). Used by cmd_build.c (and cmd_apply.c: the default folder). */
#ifndef VFIOC_OUTWRITE_H
#define VFIOC_OUTWRITE_H

#include "backends/backend.h"

enum out_change_kind {
	OUT_MISSING,  /* in the set, not in the directory */
	OUT_DIFFERS,  /* in both, with other bytes */
	OUT_STALE,    /* named by the manifest, with this config's marker, no longer in the set */
};

struct out_change {
	enum out_change_kind kind;
	char *name;   /* relative to the directory */
	size_t file;  /* index into the set (OUT_MISSING, OUT_DIFFERS) */
};

struct out_changes {
	struct out_change *v;
	size_t n, cap;
	/* No manifest in the folder (written by an older vfioc): the files the old rule would
	 * have removed as stale (SUB/VM.xml with this config's marker), sorted. Kept. */
	char **unlisted;
	size_t nunlisted, capunlisted;
	bool unsafe;  /* out_diff failed because of what the folder holds, not an I/O error */
};

/* The folder build writes by default: DIR of "DIR/host.yaml" + "/generated"; "generated"
 * for a bare file name (malloc'd). */
char *out_default_dir(const char *config);

/* The record of what build wrote into a folder, itself one of the files written. */
#define OUT_MANIFEST ".vfioc-manifest"
/* The most vfioc reads of a file in an output folder: a generated file is far smaller. */
#define OUT_MAX_READ (64u << 20)

/* Add the manifest to set: a comment, then the name of every file of set, sorted. Returns
 * its contents, for the build to append records of its own (cli/ident.h) before adding any
 * other file to set. */
struct buf *out_manifest_add(struct out_set *set);

/* What writing set into the folder dirfd (named dir in messages; -1: there is none yet)
 * would change, sorted by name. Every name is reached through dirfd, never through a
 * symlink. A file is stale only when
 * dir's manifest (OUT_MANIFEST) names it, the set no longer has it, it is SUB/VM.xml in a
 * backend's folder, a regular file, and holds marker in its first 512 bytes. Existing files
 * are read only when they are regular files; anything else where an output belongs differs.
 * Returns 0, or -1 with a one-line reason in *err (malloc'd): dir cannot be read, or a
 * backend's folder there is not a real folder (ch->unsafe). */
int out_diff(const struct out_set *set, int dirfd, const char *dir, const char *marker,
	     struct out_changes *ch, char **err);

/* Apply ch to the folder dirfd (named dir in messages), every name reached through dirfd
 * (openat, renameat, linkat, unlinkat, mkdirat; folders inside it opened with O_NOFOLLOW):
 * every new or changed file is first written to a temporary file next to
 * it, and every file to be replaced or removed gets a second (hard-linked) name; only then
 * are the temporaries renamed into place and stale files removed. If one of those steps
 * fails, the ones done are undone from the second names. Unchanged files are not touched.
 * Returns 0, or -1 with *err (malloc'd) and dir as it was (directories it created are
 * removed again, no temporaries are left). */
int out_write(const struct out_set *set, int dirfd, const char *dir,
	      const struct out_changes *ch, char **err);

void out_changes_free(struct out_changes *ch);

/* Builds into one folder take turns: out_lock_take flocks DIR/OUT_LOCK, exclusively to
 * write (creating DIR and the file when missing) or shared to compare (no lock when there is
 * no file: no build is under way). DIR itself must not be a symlink (the caller resolves
 * one it accepts). It waits for the build before, saying so on stderr. NULL
 * with *err (malloc'd) when it cannot. out_lock_release removes the lock file when it made
 * it, and after a failed build (failed) the folders it made. */
#define OUT_LOCK ".vfioc-lock"
struct out_lock;
struct out_lock *out_lock_take(const char *dir, bool write, char **err);
/* The output folder as out_lock_take opened it (O_DIRECTORY | O_NOFOLLOW, once): every
 * later read and write goes through it. -1 when a --check found no folder. */
int out_lock_folder(const struct out_lock *lk);
void out_lock_release(struct out_lock *lk, bool failed);

#endif
