/* tree.h: files in a target root (/ or `apply --root DIR`) reached only through directory
 * fds: every path is resolved inside the root (openat2 RESOLVE_IN_ROOT: a symlink, absolute
 * or with "..", never leads out of it), the last component is never followed, and every
 * file is put in place whole (a temporary file beside it, fsync, rename). */
#ifndef VFIOC_TREE_H
#define VFIOC_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/util.h"

struct strv {
	char **v;
	size_t n, cap;
};
void strv_add(struct strv *s, const char *str);
void strv_take(struct strv *s, char *str);  /* adds str itself (malloc'd) */
bool strv_has(const struct strv *s, const char *str);
void strv_free(struct strv *s);

/* A path a target tree may hold: relative, components of [A-Za-z0-9._+@:=-] without
 * "." or "..", no empty ones. */
bool tree_path_ok(const char *rel);

/* The folder rel ("" for the root) of the tree at rootfd, as an O_DIRECTORY fd; -1 with
 * errno. create: missing folders are made (mode 0755), each one's path appended to made. */
int tree_opendir(int rootfd, const char *rel, bool create, struct strv *made);

/* What is at name in dirfd, not followed. */
enum tree_kind { TREE_ABSENT, TREE_FILE, TREE_SYMLINK, TREE_OTHER };
enum tree_kind tree_kind(int dirfd, const char *name);

/* The bytes of the regular file name in dirfd (not followed), at most max; 0 or an errno. */
int tree_read(int dirfd, const char *name, size_t max, struct buf *out);

/* Put data in place as name in dirfd with mode: a temporary file beside it, written,
 * fchmod, fsync, renamed over name, the folder synced. 0 or an errno. */
int tree_write(int dirfd, const char *name, const struct buf *data, mode_t mode);
/* The same, owned by uid:gid (-1: that one unchanged), set before the rename. */
int tree_write_owned(int dirfd, const char *name, const struct buf *data, mode_t mode,
		     uid_t uid, gid_t gid);

/* A second name for what is at from (a file or symlink): a hard link, or where the two
 * folders are on different filesystems a copy with the same mode, owner and times.
 * move: from's name goes away (a rename). 0 or an errno. */
int tree_link(int fromdir, const char *from, int todir, const char *to, bool move);

/* The last component of rel, and its folder (malloc'd, "" for the root). */
const char *tree_base(const char *rel);
char *tree_dirname(const char *rel);

#endif
