/* outwrite.c: write an output set into a directory all or nothing (temporary files renamed
 * into place), remove the stale files of the same config, and compare for `build --check`. */
#define _GNU_SOURCE  /* sync_file_range */
#include "outwrite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Compare one file of the set with what dir holds. */
static int diff_file(const struct out_set *set, size_t i, const char *dir,
		     struct out_changes *ch, char **err)
{
	const struct out_file *f = &set->files[i];
	char *path = xasprintf("%s/%s", dir, f->name), *old = NULL;
	size_t len = 0;
	int e = read_file(path, OUT_MAX_READ, &old, &len);
	if (e == ENOENT || e == ENOTDIR)
		add_change(ch, OUT_MISSING, f->name, i);
	else if (e == EFBIG || (!e && (len != f->data.len || memcmp(old, buf_str(&f->data), len))))
		add_change(ch, OUT_DIFFERS, f->name, i);
	else if (e)
		*err = xasprintf("cannot read %s: %s", path, strerror(e));
	free(old);
	free(path);
	return e && e != ENOENT && e != ENOTDIR && e != EFBIG ? -1 : 0;
}

static bool has_marker(const char *path, const char *marker)
{
	char head[MARKER_WINDOW + 1];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, head, MARKER_WINDOW);
	close(fd);
	if (n <= 0)
		return false;
	head[n] = '\0';
	return memchr(head, '\0', (size_t)n) == NULL && strstr(head, marker) != NULL;
}

/* Files in DIR/sub carrying marker that the set no longer has. */
static int find_stale(const struct out_set *set, const char *dir, const char *sub,
		      const char *marker, struct out_changes *ch)
{
	char *subpath = xasprintf("%s/%s", dir, sub);
	DIR *d = opendir(subpath);
	if (!d) {
		free(subpath);
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char *name = xasprintf("%s/%s", sub, e->d_name);
		char *path = xasprintf("%s/%s", dir, name);
		struct stat st;
		if (!out_set_find(set, name) && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    has_marker(path, marker))
			add_change(ch, OUT_STALE, name, 0);
		free(path);
		free(name);
	}
	closedir(d);
	free(subpath);
	return 0;
}

int out_diff(const struct out_set *set, const char *dir, const char *marker,
	     struct out_changes *ch, char **err)
{
	for (size_t i = 0; i < set->n; i++)
		if (diff_file(set, i, dir, ch, err) != 0)
			return -1;
	for (size_t i = 0; backends[i]; i++)
		if (backends[i]->subdir && find_stale(set, dir, backends[i]->subdir, marker, ch)) {
			*err = xasprintf("cannot read %s/%s: %s", dir, backends[i]->subdir,
					 strerror(errno));
			return -1;
		}
	if (ch->n)
		qsort(ch->v, ch->n, sizeof(*ch->v), cmp_change);
	return 0;
}

/* The state of one write, so that a failure can undo it. tmp and bak are parallel to the
 * changes: the new contents' temporary (NULL for a stale file) and a hard link that keeps
 * the old file (NULL for a new one). */
struct writer {
	const char *dir;
	const struct out_changes *ch;
	char **made_dirs; size_t nmade, capmade;  /* created by us, in creation order */
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
			VEC_PUSH(w->made_dirs, w->nmade, w->capmade) = path;
		} else if (errno != EEXIST) {
			free(path);
			return -1;
		} else {
			free(path);
		}
	}
	return 0;
}

/* mkdir -p path, recording what it creates. */
static int make_dir_p(struct writer *w, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	const char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		char *parent = xstrndup(path, (size_t)(slash - path));
		int rc = make_dir_p(w, parent);
		free(parent);
		if (rc != 0)
			return -1;
	}
	if (mkdir(path, 0777) != 0)
		return errno == EEXIST ? 0 : -1;
	VEC_PUSH(w->made_dirs, w->nmade, w->capmade) = xstrdup(path);
	return 0;
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
	for (size_t i = w->nmade; failed && i-- > 0;)
		rmdir(w->made_dirs[i]);
}

static void writer_free(struct writer *w)
{
	for (size_t i = 0; i < w->ch->n; i++) {
		free(w->tmp[i]);
		free(w->bak[i]);
	}
	for (size_t i = 0; i < w->nmade; i++)
		free(w->made_dirs[i]);
	free(w->tmp);
	free(w->bak);
	free(w->made_dirs);
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
	if (make_dir_p(w, w->dir) != 0) {
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
	free(ch->v);
	memset(ch, 0, sizeof(*ch));
}
