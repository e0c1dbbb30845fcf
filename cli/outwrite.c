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

#include "schema/config/schema.h"

#define OUT_MAX_READ (64u << 20)  /* a generated file is far smaller */
#define MARKER_WINDOW 512
#define FLUSH_BATCH 32            /* temporaries written but not yet fsync'd, at most */

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

void out_manifest_add(struct out_set *set)
{
	const char **names = sorted_names(set);
	size_t n = set->n;
	struct buf *b = out_set_add(set, OUT_MANIFEST);
	buf_puts(b, "# The files vfioc build wrote into this folder. It removes a domain file only\n"
		    "# when this list names it and its VM has left the config.\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s\n", names[i]);
	free(names);
}

/* Compare one file of the set with what dir holds. Only a regular file is read: a symlink,
 * FIFO or device where an output belongs (say, to /dev/zero or /dev/kmsg) differs, unread,
 * and the rename of the write replaces the entry itself, not what it points at. */
static int diff_file(const struct out_set *set, size_t i, const char *dir,
		     struct out_changes *ch, char **err)
{
	const struct out_file *f = &set->files[i];
	char *path = xasprintf("%s/%s", dir, f->name), *old = NULL;
	size_t len = 0;
	struct stat st;
	int e = lstat(path, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL
	      : (uint64_t)st.st_size != f->data.len ? EFBIG
	      : read_regular_file(path, OUT_MAX_READ, &old, &len);
	if (e == ENOENT || e == ENOTDIR)
		add_change(ch, OUT_MISSING, f->name, i);
	else if (e == EFBIG || e == EINVAL || e == ELOOP ||
		 (!e && (len != f->data.len || memcmp(old, buf_str(&f->data), len))))
		add_change(ch, OUT_DIFFERS, f->name, i);
	else if (e)
		*err = xasprintf("cannot read %s: %s", path, strerror(e));
	free(old);
	free(path);
	return e && e != ENOENT && e != ENOTDIR && e != EFBIG && e != EINVAL && e != ELOOP ? -1 : 0;
}

static bool has_marker(const char *path, const char *marker)
{
	char head[MARKER_WINDOW + 1];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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
static void stale_from(const struct out_set *set, const char **names, const char *dir,
		       const char *marker, char *list, struct out_changes *ch)
{
	for (char *line = list, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || in_names(names, set->n, line) || !removable_name(line))
			continue;
		char *path = xasprintf("%s/%s", dir, line);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && has_marker(path, marker))
			add_change(ch, OUT_STALE, line, 0);
		free(path);
	}
}

/* A folder written by a vfioc without manifests: files that the old rule would have
 * removed, for a note. Nothing is removed without a manifest naming it. */
static void unlisted_from(const char **names, size_t nnames, const char *dir, const char *sub,
			  const char *marker, struct out_changes *ch)
{
	char *subpath = xasprintf("%s/%s", dir, sub);
	DIR *d = opendir(subpath);
	for (struct dirent *e; d && (e = readdir(d));) {
		char *name = xasprintf("%s/%s", sub, e->d_name);
		char *path = xasprintf("%s/%s", dir, name);
		struct stat st;
		if (removable_name(name) && !in_names(names, nnames, name) &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode) && has_marker(path, marker))
			VEC_PUSH(ch->unlisted, ch->nunlisted, ch->capunlisted) = xstrdup(name);
		free(path);
		free(name);
	}
	if (d)
		closedir(d);
	free(subpath);
}

/* Backend folders must be real folders: a committed `domains -> ../elsewhere` would
 * otherwise receive the domains and have its files removed. */
static int check_subdirs(const char *dir, char **err)
{
	for (size_t i = 0; backends[i]; i++) {
		if (!backends[i]->subdir)
			continue;
		char *path = xasprintf("%s/%s", dir, backends[i]->subdir);
		struct stat st;
		bool bad = lstat(path, &st) == 0 && !S_ISDIR(st.st_mode);
		if (bad)
			*err = xasprintf("%s is %s: remove it, vfioc creates the folder itself",
					 path, S_ISLNK(st.st_mode) ? "a symlink, not a folder" : "not a folder");
		free(path);
		if (bad)
			return -1;
	}
	return 0;
}

int out_diff(const struct out_set *set, const char *dir, const char *marker,
	     struct out_changes *ch, char **err)
{
	if (check_subdirs(dir, err) != 0) {
		ch->unsafe = true;
		return -1;
	}
	for (size_t i = 0; i < set->n; i++)
		if (diff_file(set, i, dir, ch, err) != 0)
			return -1;
	const char **names = sorted_names(set);
	char *path = xasprintf("%s/" OUT_MANIFEST, dir), *list = NULL;
	size_t len;
	int e = read_regular_file(path, OUT_MAX_READ, &list, &len);
	if (e == 0 && !memchr(list, '\0', len)) {
		stale_from(set, names, dir, marker, list, ch);
	} else if (e == ENOENT) {
		for (size_t i = 0; backends[i]; i++)
			if (backends[i]->subdir)
				unlisted_from(names, set->n, dir, backends[i]->subdir, marker, ch);
	}
	free(list);
	free(path);
	free(names);
	if (ch->n)
		qsort(ch->v, ch->n, sizeof(*ch->v), cmp_change);
	if (ch->nunlisted)
		qsort(ch->unlisted, ch->nunlisted, sizeof(*ch->unlisted), cmp_name);
	return 0;
}

/* Folders a build created, in creation order, so that a failure can remove them again. */
struct made_dirs {
	char **path;
	size_t n, cap;
};

/* The state of one write, so that a failure can undo it. tmp and bak are parallel to the
 * changes: the new contents' temporary (NULL for a stale file) and a hard link that keeps
 * the old file (NULL for a new one). */
struct writer {
	const char *dir;
	const struct out_changes *ch;
	struct made_dirs made;                    /* created by us */
	char **tmp, **bak;
	mode_t mode;                              /* 0666 & ~umask */
	int pending_fd[FLUSH_BATCH];              /* written, writeback started, not fsync'd */
	size_t pending_change[FLUSH_BATCH], npending;
};

/* Create rel's directory and its parents inside w->dir when missing. */
static int make_parents(struct writer *w, const char *rel)
{
	for (const char *slash = rel; (slash = strchr(slash, '/')); slash++) {
		char *sub = xstrndup(rel, (size_t)(slash - rel));
		char *path = xasprintf("%s/%s", w->dir, sub);
		free(sub);
		if (mkdir(path, 0777) == 0) {
			VEC_PUSH(w->made.path, w->made.n, w->made.cap) = path;
		} else if (errno != EEXIST) {
			free(path);
			return -1;
		} else {
			free(path);
		}
	}
	return 0;
}

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

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* A new hidden file beside rel: DIR/[SUB/].BASE.vfioc-TAGXXXXXX, created empty. */
static char *make_sibling(const struct writer *w, const char *rel, const char *tag, int *fd)
{
	const char *base = strrchr(rel, '/');
	size_t dirlen = base ? (size_t)(base - rel) + 1 : 0;
	char *name = xasprintf("%s/%.*s.%s.vfioc-%sXXXXXX", w->dir, (int)dirlen, rel,
			       base ? base + 1 : rel, tag);
	*fd = mkstemp(name);
	if (*fd < 0) {
		free(name);
		return NULL;
	}
	return name;
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
	if (make_parents(w, f->name) != 0 || !(w->tmp[i] = make_sibling(w, f->name, "", &fd)))
		return -1;
	if (write_all(fd, buf_str(&f->data), f->data.len) != 0 || fchmod(fd, w->mode) != 0) {
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
	int fd;
	char *path = xasprintf("%s/%s", w->dir, w->ch->v[i].name);
	w->bak[i] = make_sibling(w, w->ch->v[i].name, "old-", &fd);
	int rc = -1;
	if (w->bak[i]) {
		rc = close(fd) == 0 && unlink(w->bak[i]) == 0 ? link(path, w->bak[i]) : -1;
		if (rc != 0) {
			int e = errno;
			unlink(w->bak[i]);  /* the placeholder, if still there */
			errno = e;
			free(w->bak[i]);
			w->bak[i] = NULL;
		}
	}
	free(path);
	return rc;
}

/* Remove every temporary and kept old file still there, and (after a failure) the
 * directories we made, newest first. */
static void cleanup(struct writer *w, bool failed)
{
	for (size_t k = 0; k < w->npending; k++)
		close(w->pending_fd[k]);
	for (size_t i = 0; i < w->ch->n; i++) {
		if (w->tmp[i])
			unlink(w->tmp[i]);
		if (w->bak[i])
			unlink(w->bak[i]);
	}
	for (size_t i = w->made.n; failed && i-- > 0;)
		rmdir(w->made.path[i]);
}

static void writer_free(struct writer *w)
{
	for (size_t i = 0; i < w->ch->n; i++) {
		free(w->tmp[i]);
		free(w->bak[i]);
	}
	made_dirs_clear(&w->made, false);
	free(w->tmp);
	free(w->bak);
}

static mode_t file_mode(void)
{
	mode_t um = umask(0);
	umask(um);
	return 0666 & ~um;
}

/* Phase 1: directories, every temporary, a second name for every file to replace or
 * remove. Nothing visible has changed yet. */
static int stage(struct writer *w, const struct out_set *set, char **err)
{
	if (make_dir_p(&w->made, w->dir) != 0) {
		*err = xasprintf("cannot create %s: %s", w->dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < w->ch->n; i++) {
		const struct out_change *c = &w->ch->v[i];
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
		char *path = xasprintf("%s/%s", w->dir, w->ch->v[n].name);
		if (w->bak[n] && rename(w->bak[n], path) == 0) {
			free(w->bak[n]);
			w->bak[n] = NULL;
		} else if (!w->bak[n]) {
			unlink(path);  /* a new file */
		}
		free(path);
	}
}

/* Phase 2: rename every temporary into place and remove stale files; on a failure, undo
 * the ones done so far. */
static int commit(struct writer *w, char **err)
{
	for (size_t i = 0; i < w->ch->n; i++) {
		bool stale = w->ch->v[i].kind == OUT_STALE;
		char *path = xasprintf("%s/%s", w->dir, w->ch->v[i].name);
		int rc = stale ? unlink(path) : rename(w->tmp[i], path);
		if (rc != 0) {
			*err = xasprintf("cannot %s %s: %s", stale ? "remove" : "replace", path,
					 strerror(errno));
			free(path);
			roll_back(w, i);
			return -1;
		}
		if (!stale) {  /* consumed by the rename */
			free(w->tmp[i]);
			w->tmp[i] = NULL;
		}
		free(path);
	}
	return 0;
}

int out_write(const struct out_set *set, const char *dir, const struct out_changes *ch,
	      char **err)
{
	struct writer w = { .dir = dir, .ch = ch, .mode = file_mode() };
	w.tmp = xcalloc(ch->n, sizeof(*w.tmp));
	w.bak = xcalloc(ch->n, sizeof(*w.bak));
	*err = NULL;
	int rc = stage(&w, set, err);
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
	int fd;
	bool created;       /* the lock file was made by this build */
	char *path;
	struct made_dirs made;  /* folders made to hold the lock */
};

struct out_lock *out_lock_take(const char *dir, bool write, char **err)
{
	struct out_lock *lk = xcalloc(1, sizeof(*lk));
	lk->fd = -1;
	lk->path = xasprintf("%s/" OUT_LOCK, dir);
	bool told = false;
	for (;;) {
		if (write && make_dir_p(&lk->made, dir) != 0) {
			*err = xasprintf("cannot create %s: %s", dir, strerror(errno));
			break;
		}
		/* O_NOFOLLOW and O_NONBLOCK: a committed symlink or FIFO named like the lock is
		 * neither followed nor waited on; fstat then refuses it. */
		int flags = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
		int fd = write ? open(lk->path, O_RDWR | O_CREAT | O_EXCL | flags, 0666) : -1;
		lk->created = fd >= 0;
		if (fd < 0 && (!write || errno == EEXIST))
			fd = open(lk->path, (write ? O_RDWR : O_RDONLY) | flags);
		if (fd < 0 && !write && (errno == ENOENT || errno == ENOTDIR))
			return lk;  /* nothing has been written there: nothing to wait for */
		struct stat st, now;
		if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			*err = fd < 0 && errno != ELOOP
			     ? xasprintf("cannot open %s: %s", lk->path, strerror(errno))
			     : xasprintf("%s is not a regular file: remove it, vfioc creates it",
					 lk->path);
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
		if (stat(lk->path, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
			lk->fd = fd;
			return lk;
		}
		close(fd);
		made_dirs_clear(&lk->made, false);
	}
	made_dirs_clear(&lk->made, true);
	free(lk->path);
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
		unlink(lk->path);
	if (lk->fd >= 0)
		close(lk->fd);  /* releases the flock */
	made_dirs_clear(&lk->made, failed);
	free(lk->path);
	free(lk);
}
