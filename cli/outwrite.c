/* outwrite.c: write an output set into a directory all or nothing (temporary files renamed
 * into place), remove the stale files of the same config, and compare for `build --check`. */
#define _GNU_SOURCE  /* sync_file_range */
#include "cli/outwrite.h"

#include <stdint.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/folder.h"
#include "schema/config/schema.h"

#define MARKER_WINDOW 512
#define FLUSH_BATCH 32            /* temporaries written but not yet fsync'd, at most */

char *out_default_dir(const char *config)
{
	const char *slash = strrchr(config, '/');
	if (!slash)
		return xstrdup("generated");
	return xasprintf("%.*s/generated", (int)(slash - config), config);
}

static struct out_change *add_change(struct out_changes *ch, enum out_change_kind k,
				     const char *name, size_t file)
{
	struct out_change *c = &VEC_PUSH(ch->v, ch->n, ch->cap);
	c->kind = k;
	c->name = xstrdup(name);
	c->file = file;
	return c;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct out_change *)a)->name, ((const struct out_change *)b)->name);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The set's file names, sorted, for lookups by name (a set can hold 10^5 domains). */
static const char **sorted_names(const struct out_set *set)
{
	const char **v = xmalloc_array(set->n, sizeof(*v));
	for (size_t i = 0; i < set->n; i++)
		v[i] = set->files[i].name;
	qsort(v, set->n, sizeof(*v), cmp_name);
	return v;
}

static bool in_names(const char **names, size_t n, const char *name)
{
	return bsearch(&name, names, n, sizeof(*names), cmp_name) != NULL;
}

struct buf *out_manifest_add(struct out_set *set)
{
	const char **names = sorted_names(set);
	size_t n = set->n;
	struct buf *b = out_set_add(set, OUT_MANIFEST);
	buf_puts(b, "# The files vfioc build wrote into this folder. It removes a domain file only\n"
		    "# when this list names it and its VM has left the config.\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s\n", names[i]);
	free(names);
	return b;
}

/* ---- folders inside the output folder ----
 * Each reached once from the output folder's descriptor, never through a symlink, and kept
 * open: "SUB/FILE" is FILE inside SUB's descriptor, so renaming the output folder or a
 * folder in it for a symlink while vfioc runs sends nothing elsewhere. */

struct made_dir {
	int parent;   /* a descriptor of the tree */
	char *name;
};

struct tree {
	int root;                                 /* the output folder (not owned) */
	struct { char *rel; int fd; } *sub;      /* "domains", ... */
	size_t nsub, capsub;
	struct made_dir *made;                    /* created by this build, oldest first */
	size_t nmade, capmade;
};

/* The descriptor of the folder rel[0..len) inside t->root, opened (and with create made)
 * when first asked for; -1 with errno. */
static int tree_dir(struct tree *t, const char *rel, size_t len, bool create)
{
	for (size_t i = 0; i < t->nsub; i++)
		if (strlen(t->sub[i].rel) == len && !strncmp(t->sub[i].rel, rel, len))
			return t->sub[i].fd;
	const char *slash = memrchr(rel, '/', len);
	int parent = slash ? tree_dir(t, rel, (size_t)(slash - rel), create) : t->root;
	if (parent < 0)
		return -1;
	const char *base = slash ? slash + 1 : rel;
	char *name = xstrndup(base, len - (size_t)(base - rel));
	bool made;
	int fd = folder_sub(parent, name, create, &made);
	if (made) {
		struct made_dir *m = &VEC_PUSH(t->made, t->nmade, t->capmade);
		m->parent = parent;
		m->name = xstrdup(name);
	}
	free(name);
	if (fd < 0)
		return -1;
	VEC_PUSH(t->sub, t->nsub, t->capsub).fd = fd;
	t->sub[t->nsub - 1].rel = xstrndup(rel, len);
	return fd;
}

/* The folder holding rel ("SUB/FILE": SUB's descriptor, FILE in *base). */
static int tree_parent(struct tree *t, const char *rel, bool create, const char **base)
{
	const char *slash = strrchr(rel, '/');
	*base = slash ? slash + 1 : rel;
	return slash ? tree_dir(t, rel, (size_t)(slash - rel), create) : t->root;
}

/* fsync every folder of the tree: the renames and removals in them reach the disk. */
static void tree_sync(const struct tree *t)
{
	for (size_t i = 0; i < t->nsub; i++)
		fsync(t->sub[i].fd);
	fsync(t->root);
}

/* Close the folders; after a failure (remove) remove the ones made, newest first. */
static void tree_free(struct tree *t, bool remove)
{
	for (size_t i = t->nmade; i-- > 0;) {
		if (remove)
			unlinkat(t->made[i].parent, t->made[i].name, AT_REMOVEDIR);
		free(t->made[i].name);
	}
	for (size_t i = 0; i < t->nsub; i++) {
		close(t->sub[i].fd);
		free(t->sub[i].rel);
	}
	free(t->made);
	free(t->sub);
	memset(t, 0, sizeof(*t));
}

/* Compare one file of the set with what the folder holds. Only a regular file is read: a
 * symlink, FIFO or device where an output belongs (say, to /dev/zero or /dev/kmsg)
 * differs, unread, and the rename of the write replaces the entry itself, not what it
 * points at. */
static int diff_file(const struct out_set *set, size_t i, struct tree *t, const char *dir,
		     struct out_changes *ch, char **err)
{
	const struct out_file *f = &set->files[i];
	const char *base = f->name;
	int parent = t->root < 0 ? (errno = ENOENT, -1) : tree_parent(t, f->name, false, &base);
	char *old = NULL;
	size_t len = 0;
	struct stat st;
	int e = parent < 0 ? errno
	      : fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) != 0 ? errno
	      : !S_ISREG(st.st_mode) ? EINVAL
	      : (uint64_t)st.st_size != f->data.len ? EFBIG
	      : read_regular_at(parent, base, true, OUT_MAX_READ, &old, &len);
	if (e == ENOENT || e == ENOTDIR)
		add_change(ch, OUT_MISSING, f->name, i);
	else if (e == EFBIG || e == EINVAL || e == ELOOP ||
		 (!e && (len != f->data.len || memcmp(old, buf_str(&f->data), len))))
		add_change(ch, OUT_DIFFERS, f->name, i);
	else if (e)
		*err = xasprintf("cannot read %s/%s: %s", dir, f->name, strerror(e));
	free(old);
	return e && e != ENOENT && e != ENOTDIR && e != EFBIG && e != EINVAL && e != ELOOP ? -1 : 0;
}

static bool has_marker(int dirfd, const char *name, const char *marker)
{
	char head[MARKER_WINDOW + 1];
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, head, MARKER_WINDOW) : -1;
	close(fd);
	if (n <= 0)
		return false;
	head[n] = '\0';
	return memchr(head, '\0', (size_t)n) == NULL && strstr(head, marker) != NULL;
}

/* A regular file (not followed) inside dirfd that carries marker. */
static bool marked_file(int dirfd, const char *name, const char *marker)
{
	struct stat st;
	return dirfd >= 0 && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) && has_marker(dirfd, name, marker);
}

/* A path inside a tree folder: components that are neither empty nor "." or "..". */
static bool tree_name(const char *path)
{
	for (const char *c = path; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '/' && !*++c)
			return false;
	}
	return *path != '\0';
}

/* "SUB/VM.xml" with SUB a backend's folder and VM a VM name (no '/', no leading '.'): the
 * only kind of file build ever removes. */
static bool removable_name(const char *name)
{
	for (size_t i = 0; backends[i]; i++) {
		const char *sub = backends[i]->subdir;
		size_t n = sub ? strlen(sub) : 0;
		if (!sub || strncmp(name, sub, n) || name[n] != '/')
			continue;
		const char *base = name + n + 1, *why;
		if (backends[i]->subdir_tree)
			return tree_name(base);
		size_t len = strlen(base);
		if (len <= 4 || strcmp(base + len - 4, ".xml"))
			return false;
		char *vm = xstrndup(base, len - 4);
		bool ok = schema_check_string(SC_NAME, vm, &why);
		free(vm);
		return ok;
	}
	return false;
}

/* A file named in the manifest that the set no longer has is stale when its name is one
 * build writes, it is still a regular file, and it still carries this config's marker: the
 * manifest sits in a folder anyone may have committed to, so it is a claim, checked. */
static void stale_from(const struct out_set *set, const char **names, struct tree *t,
		       const char *marker, char *list, struct out_changes *ch)
{
	for (char *line = list, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || in_names(names, set->n, line) || !removable_name(line))
			continue;
		const char *base = line;
		int parent = tree_parent(t, line, false, &base);
		if (marked_file(parent, base, marker))
			add_change(ch, OUT_STALE, line, 0);
	}
}

/* A folder written by a vfioc without manifests: files that the old rule would have
 * removed, for a note. Nothing is removed without a manifest naming it. */
static void unlisted_from(const char **names, size_t nnames, struct tree *t, const char *sub,
			  const char *marker, struct out_changes *ch)
{
	int subfd = tree_dir(t, sub, strlen(sub), false);
	/* A descriptor of its own for readdir: the tree's keeps its offset. */
	int fd = subfd < 0 ? -1 : openat(subfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (fd >= 0 && !d)
		close(fd);
	for (struct dirent *e; d && (e = readdir(d));) {
		char *name = xasprintf("%s/%s", sub, e->d_name);
		if (removable_name(name) && !in_names(names, nnames, name) &&
		    marked_file(subfd, e->d_name, marker))
			VEC_PUSH(ch->unlisted, ch->nunlisted, ch->capunlisted) = xstrdup(name);
		free(name);
	}
	if (d)
		closedir(d);
}

/* Backend folders must be real folders: a committed `domains -> ../elsewhere` would
 * otherwise receive the domains and have its files removed. */
static int check_subdirs(int dirfd, const char *dir, char **err)
{
	for (size_t i = 0; dirfd >= 0 && backends[i]; i++) {
		const char *sub = backends[i]->subdir;
		struct stat st;
		if (sub && fstatat(dirfd, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
			*err = xasprintf("%s/%s is %s: remove it, vfioc creates the folder itself",
					 dir, sub, S_ISLNK(st.st_mode) ? "a symlink, not a folder"
								 : "not a folder");
			return -1;
		}
	}
	return 0;
}

int out_diff(const struct out_set *set, int dirfd, const char *dir, const char *marker,
	     struct out_changes *ch, char **err)
{
	if (check_subdirs(dirfd, dir, err) != 0) {
		ch->unsafe = true;
		return -1;
	}
	struct tree t = { .root = dirfd };
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < set->n; i++)
		rc = diff_file(set, i, &t, dir, ch, err);
	const char **names = sorted_names(set);
	char *list = NULL;
	size_t len;
	int e = rc != 0 || dirfd < 0 ? EIO
	      : read_regular_at(dirfd, OUT_MANIFEST, true, OUT_MAX_READ, &list, &len);
	if (e == 0 && !memchr(list, '\0', len)) {
		stale_from(set, names, &t, marker, list, ch);
	} else if (e == ENOENT) {
		for (size_t i = 0; backends[i]; i++)
			if (backends[i]->subdir)
				unlisted_from(names, set->n, &t, backends[i]->subdir, marker, ch);
	}
	free(list);
	free(names);
	tree_free(&t, false);
	if (ch->n)
		qsort(ch->v, ch->n, sizeof(*ch->v), cmp_change);
	if (ch->nunlisted)
		qsort(ch->unlisted, ch->nunlisted, sizeof(*ch->unlisted), cmp_name);
	return rc;
}

/* Folders made by path to hold the lock (the output folder and its parents), in creation
 * order, so that a failure can remove them again. */
struct made_dirs {
	char **path;
	size_t n, cap;
};

/* The state of one write, so that a failure can undo it. Parallel to the changes: the
 * folder holding the file (parent) and its name there (base), the new contents' temporary
 * (NULL for a stale file) and a hard link that keeps the old file (NULL for a new one),
 * both names in parent. */
struct writer {
	const char *dir;                          /* for messages */
	const struct out_changes *ch;
	struct tree tree;
	int *parent;
	const char **base;
	char **tmp, **bak;
	mode_t mode;                              /* 0666 & ~umask */
	int pending_fd[FLUSH_BATCH];              /* written, writeback started, not fsync'd */
	size_t pending_change[FLUSH_BATCH], npending;
};

/* mkdir -p path, recording what it creates in made. */
static int make_dir_p(struct made_dirs *made, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	const char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		char *parent = xstrndup(path, (size_t)(slash - path));
		int rc = make_dir_p(made, parent);
		free(parent);
		if (rc != 0)
			return -1;
	}
	if (mkdir(path, 0777) != 0)
		return errno == EEXIST ? 0 : -1;
	VEC_PUSH(made->path, made->n, made->cap) = xstrdup(path);
	return 0;
}

/* Forget the folders made, removing them first (newest first) when remove is set. */
static void made_dirs_clear(struct made_dirs *made, bool remove)
{
	for (size_t i = made->n; i-- > 0;) {
		if (remove)
			rmdir(made->path[i]);
		free(made->path[i]);
	}
	free(made->path);
	*made = (struct made_dirs){ 0 };
}

/* A new hidden file beside change i: .BASE.vfioc-TAGXXXXXX in its folder, created empty. */
static char *make_sibling(const struct writer *w, size_t i, const char *tag, int *fd)
{
	char *prefix = xasprintf(".%s.vfioc-%s", w->base[i], tag), *name = NULL;
	*fd = folder_temp(w->parent[i], prefix, &name);
	free(prefix);
	return *fd >= 0 ? name : NULL;
}

/* fsync the pending temporaries and close them. Their writeback was started when each was
 * written, so the waits overlap: three files cost about one fsync, not three. */
static int flush_pending(struct writer *w, char **err)
{
	int rc = 0;
	for (size_t k = 0; k < w->npending; k++) {
		int fd = w->pending_fd[k], e = 0;
		if (fsync(fd) != 0)
			e = errno;
		if (close(fd) != 0 && !e)
			e = errno;
		if (e && rc == 0) {
			*err = xasprintf("cannot write %s/%s: %s", w->dir,
					 w->ch->v[w->pending_change[k]].name, strerror(e));
			rc = -1;
		}
	}
	w->npending = 0;
	return rc;
}

/* Write f into a new temporary beside its final place (w->tmp[i]) and start its writeback;
 * the fsync comes later, in flush_pending. */
static int write_temp(struct writer *w, size_t i, const struct out_file *f, char **err)
{
	int fd;
	if (!(w->tmp[i] = make_sibling(w, i, "", &fd)))
		return -1;
	if (folder_write_all(fd, buf_str(&f->data), f->data.len) != 0 || fchmod(fd, w->mode) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);  /* a hint: fsync reports errors */
#endif
	w->pending_fd[w->npending] = fd;
	w->pending_change[w->npending++] = i;
	return w->npending == FLUSH_BATCH ? flush_pending(w, err) : 0;
}

/* Keep the file being replaced or removed under a second name (w->bak[i]), so that a
 * failure in the commit can put it back. */
static int keep_old(struct writer *w, size_t i)
{
	char *prefix = xasprintf(".%s.vfioc-old-", w->base[i]);
	int rc = folder_alias(w->parent[i], w->base[i], prefix, &w->bak[i]);
	free(prefix);
	return rc;
}

/* Remove every temporary and kept old file still there, and (after a failure) the
 * folders we made, newest first. */
static void cleanup(struct writer *w, bool failed)
{
	for (size_t k = 0; k < w->npending; k++)
		close(w->pending_fd[k]);
	for (size_t i = 0; i < w->ch->n; i++) {
		if (w->tmp[i])
			unlinkat(w->parent[i], w->tmp[i], 0);
		if (w->bak[i])
			unlinkat(w->parent[i], w->bak[i], 0);
	}
	tree_free(&w->tree, failed);
}

static void writer_free(struct writer *w)
{
	for (size_t i = 0; i < w->ch->n; i++) {
		free(w->tmp[i]);
		free(w->bak[i]);
	}
	free(w->tmp);
	free(w->bak);
	free(w->parent);
	free(w->base);
}

static mode_t file_mode(void)
{
	mode_t um = umask(0);
	umask(um);
	return 0666 & ~um;
}

/* Phase 1: folders, every temporary, a second name for every file to replace or
 * remove. Nothing visible has changed yet. */
static int stage(struct writer *w, const struct out_set *set, char **err)
{
	for (size_t i = 0; i < w->ch->n; i++) {
		const struct out_change *c = &w->ch->v[i];
		w->parent[i] = tree_parent(&w->tree, c->name, c->kind != OUT_STALE, &w->base[i]);
		if (w->parent[i] < 0) {
			*err = xasprintf("cannot create the folder of %s/%s: %s", w->dir, c->name,
					 errno == ELOOP ? "a symlink is in the way" : strerror(errno));
			return -1;
		}
		if (c->kind != OUT_STALE && write_temp(w, i, &set->files[c->file], err) != 0) {
			if (!*err)
				*err = xasprintf("cannot write %s/%s: %s", w->dir, c->name,
						 strerror(errno));
			return -1;
		}
		if (c->kind != OUT_MISSING && keep_old(w, i) != 0) {
			*err = xasprintf("cannot link %s/%s: %s", w->dir, c->name, strerror(errno));
			return -1;
		}
	}
	return flush_pending(w, err);
}

/* Undo the first n actions of the commit, newest first: the old files come back. */
static void roll_back(struct writer *w, size_t n)
{
	while (n-- > 0) {
		if (w->bak[n] && renameat(w->parent[n], w->bak[n], w->parent[n], w->base[n]) == 0) {
			free(w->bak[n]);
			w->bak[n] = NULL;
		} else if (!w->bak[n]) {
			unlinkat(w->parent[n], w->base[n], 0);  /* a new file */
		}
	}
}

/* Phase 2: rename every temporary into place and remove stale files; on a failure, undo
 * the ones done so far. */
static int commit(struct writer *w, char **err)
{
	for (size_t i = 0; i < w->ch->n; i++) {
		bool stale = w->ch->v[i].kind == OUT_STALE;
		int p = w->parent[i];
		int rc = stale ? unlinkat(p, w->base[i], 0) : renameat(p, w->tmp[i], p, w->base[i]);
		if (rc != 0) {
			*err = xasprintf("cannot %s %s/%s: %s", stale ? "remove" : "replace", w->dir,
					 w->ch->v[i].name, strerror(errno));
			roll_back(w, i);
			return -1;
		}
		if (!stale) {  /* consumed by the rename */
			free(w->tmp[i]);
			w->tmp[i] = NULL;
		}
	}
	tree_sync(&w->tree);
	return 0;
}

int out_write(const struct out_set *set, int dirfd, const char *dir,
	      const struct out_changes *ch, char **err)
{
	struct writer w = { .dir = dir, .ch = ch, .mode = file_mode(), .tree = { .root = dirfd } };
	w.tmp = xcalloc(ch->n, sizeof(*w.tmp));
	w.bak = xcalloc(ch->n, sizeof(*w.bak));
	w.parent = xcalloc(ch->n, sizeof(*w.parent));
	w.base = xcalloc(ch->n, sizeof(*w.base));
	*err = NULL;
	int rc = dirfd < 0 ? (*err = xasprintf("%s is not open", dir), -1) : stage(&w, set, err);
	if (rc == 0)
		rc = commit(&w, err);
	cleanup(&w, rc != 0);
	writer_free(&w);
	return rc;
}

void out_changes_free(struct out_changes *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		free(ch->v[i].name);
	for (size_t i = 0; i < ch->nunlisted; i++)
		free(ch->unlisted[i]);
	free(ch->unlisted);
	free(ch->v);
	memset(ch, 0, sizeof(*ch));
}

/* ---- the lock ---- */

struct out_lock {
	int fd;             /* the lock file */
	int dirfd;          /* the output folder, opened once; -1: none (a --check) */
	bool created;       /* the lock file was made by this build */
	struct made_dirs made;  /* folders made to hold the lock */
};

int out_lock_folder(const struct out_lock *lk)
{
	return lk->dirfd;
}

struct out_lock *out_lock_take(const char *dir, bool write, char **err)
{
	struct out_lock *lk = xcalloc(1, sizeof(*lk));
	lk->fd = lk->dirfd = -1;
	bool told = false;
	for (;;) {
		if (write && make_dir_p(&lk->made, dir) != 0) {
			*err = xasprintf("cannot create %s: %s", dir, strerror(errno));
			break;
		}
		/* The folder is opened once, never through a symlink; everything after goes
		 * through this descriptor (renaming the folder for a link then changes nothing). */
		lk->dirfd = folder_open(dir, true);
		if (lk->dirfd < 0 && !write && (errno == ENOENT || errno == ENOTDIR))
			return lk;  /* nothing has been written there: nothing to wait for */
		if (lk->dirfd < 0) {
			*err = errno == ELOOP || errno == ENOTDIR
			     ? xasprintf("%s is not a folder (a symlink?): vfioc writes only into a real "
					 "folder", dir)
			     : xasprintf("cannot open %s: %s", dir, strerror(errno));
			break;
		}
		/* O_NOFOLLOW and O_NONBLOCK: a committed symlink or FIFO named like the lock is
		 * neither followed nor waited on; fstat then refuses it. */
		int flags = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
		int fd = write ? openat(lk->dirfd, OUT_LOCK, O_RDWR | O_CREAT | O_EXCL | flags, 0666) : -1;
		lk->created = fd >= 0;
		if (fd < 0 && (!write || errno == EEXIST))
			fd = openat(lk->dirfd, OUT_LOCK, (write ? O_RDWR : O_RDONLY) | flags);
		if (fd < 0 && !write && (errno == ENOENT || errno == ENOTDIR))
			return lk;  /* no build is under way */
		struct stat st, now;
		if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			*err = fd < 0 && errno != ELOOP
			     ? xasprintf("cannot open %s/" OUT_LOCK ": %s", dir, strerror(errno))
			     : xasprintf("%s/" OUT_LOCK " is not a regular file: remove it, vfioc "
					 "creates it", dir);
			if (fd >= 0)
				close(fd);
			break;
		}
		int how = write ? LOCK_EX : LOCK_SH;
		if (flock(fd, how | LOCK_NB) != 0) {
			if (!told)
				fprintf(stderr, "vfioc: waiting for another vfioc build into %s\n", dir);
			told = true;
			while (flock(fd, how) != 0 && errno == EINTR)
				;
		}
		/* The build holding it before may have removed the folder it had created (it
		 * failed): then the lock is on a file no longer there, and this starts again. */
		if (fstatat(lk->dirfd, OUT_LOCK, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
			lk->fd = fd;
			return lk;
		}
		close(fd);
		close(lk->dirfd);
		lk->dirfd = -1;
		made_dirs_clear(&lk->made, false);
	}
	if (lk->dirfd >= 0)
		close(lk->dirfd);
	made_dirs_clear(&lk->made, true);
	free(lk);
	return NULL;
}

void out_lock_release(struct out_lock *lk, bool failed)
{
	if (!lk)
		return;
	/* A lock file this build made goes again (a build waiting on it then starts over, see
	 * out_lock_take): a folder is left with only what the build wrote. One that was there
	 * before (a vfioc killed meanwhile) stays. */
	if (lk->created)
		unlinkat(lk->dirfd, OUT_LOCK, 0);
	if (lk->fd >= 0)
		close(lk->fd);  /* releases the flock */
	if (lk->dirfd >= 0)
		close(lk->dirfd);
	made_dirs_clear(&lk->made, failed);
	free(lk);
}
