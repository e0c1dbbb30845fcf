/* tree.c: a target root's files through directory fds (tree.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tools/apply/tree.h"

void strv_add(struct strv *s, const char *str)
{
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = xstrdup(str);
}

void strv_take(struct strv *s, char *str)
{
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = str;
}

bool strv_has(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strv){0};
}

bool tree_path_ok(const char *rel)
{
	if (!*rel || *rel == '/' || strlen(rel) > 1024)
		return false;
	for (const char *c = rel; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+@:=-/", *c))
			return false;
	for (const char *p = rel; p; ) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = e ? e + 1 : NULL;
	}
	return true;
}

const char *tree_base(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

char *tree_dirname(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? xstrndup(rel, (size_t)(s - rel)) : xstrdup("");
}

/* Without openat2 (Linux < 5.6): component by component, refusing every symlink. */
static int open_walk(int rootfd, const char *rel)
{
	int fd = dup(rootfd);
	char *copy = xstrdup(rel), *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(fd);
		fd = next;
		errno = err;
	}
	free(copy);
	return fd;
}

static int open_in_root(int rootfd, const char *rel)
{
	if (!*rel)
		return dup(rootfd);
	/* RESOLVE_IN_ROOT: rootfd is "/" for every symlink and ".." met on the way (openat2(2)). */
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		return open_walk(rootfd, rel);
	return (int)fd;
}

int tree_opendir(int rootfd, const char *rel, bool create, struct strv *made)
{
	int fd = open_in_root(rootfd, rel);
	if (fd >= 0 || errno != ENOENT || !create || !*rel)
		return fd;
	char *parent = tree_dirname(rel);
	int pfd = tree_opendir(rootfd, parent, true, made);
	free(parent);
	if (pfd < 0)
		return -1;
	const char *name = tree_base(rel);
	int rc = mkdirat(pfd, name, 0755);
	int err = errno;
	if (rc == 0) {
		fchmodat(pfd, name, 0755, 0);  /* whatever the umask */
		strv_add(made, rel);
	}
	close(pfd);
	if (rc != 0 && err != EEXIST) {
		errno = err;
		return -1;
	}
	fd = open_in_root(rootfd, rel);
	if (fd < 0 && errno == ENOENT)
		errno = ELOOP;  /* rel is a symlink that leads nowhere inside the root */
	return fd;
}

enum tree_kind tree_kind(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? TREE_ABSENT : TREE_OTHER;
	return S_ISREG(st.st_mode) ? TREE_FILE : S_ISLNK(st.st_mode) ? TREE_SYMLINK : TREE_OTHER;
}

static int read_fd(int fd, size_t max, struct buf *out)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > max)
			return EFBIG;
		buf_add(out, chunk, (size_t)n);
	}
}

int tree_read(int dirfd, const char *name, size_t max, struct buf *out)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	int err = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	if (!err)
		err = read_fd(fd, max, out);
	close(fd);
	return err;
}

static int write_all(int fd, const char *p, size_t left)
{
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* A new file ".NAME.vfioc-XXXXXX" in dirfd, its name in tmp; the fd or -1. */
static int temp_create(int dirfd, const char *name, char **tmp)
{
	static unsigned long seq;
	for (int tries = 0; tries < 100; tries++) {
		*tmp = xasprintf(".%s.vfioc-%ld-%lu", name, (long)getpid(), ++seq);
		int fd = openat(dirfd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
		free(*tmp);
	}
	*tmp = NULL;
	errno = EEXIST;
	return -1;
}

int tree_write(int dirfd, const char *name, const struct buf *data, mode_t mode)
{
	return tree_write_owned(dirfd, name, data, mode, (uid_t)-1, (gid_t)-1);
}

int tree_write_owned(int dirfd, const char *name, const struct buf *data, mode_t mode,
		     uid_t uid, gid_t gid)
{
	char *tmp;
	int fd = temp_create(dirfd, name, &tmp);
	if (fd < 0)
		return errno;
	int err = write_all(fd, buf_str(data), data->len);
	if (!err && (uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) != 0)
		err = errno;
	if (!err && fchmod(fd, mode) != 0)
		err = errno;
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && renameat(dirfd, tmp, dirfd, name) != 0)
		err = errno;
	if (err)
		unlinkat(dirfd, tmp, 0);
	else
		fsync(dirfd);
	free(tmp);
	return err;
}

/* A copy of the file or symlink from as to (replacing what is there), with its mode, owner
 * and times: written under a temporary name in todir, then renamed. */
static int copy_across(int fromdir, const char *from, int todir, const char *to)
{
	struct stat st;
	if (fstatat(fromdir, from, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno;
	if (!S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode))
		return EINVAL;
	char *tmp = NULL;
	int err = 0, fd = -1;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(fromdir, from, target, sizeof(target) - 1);
		tmp = xasprintf(".%s.vfioc-%ld-link", to, (long)getpid());
		if (n < 0)
			err = errno;
		else {
			target[n] = 0;
			unlinkat(todir, tmp, 0);
			if (symlinkat(target, todir, tmp) != 0)
				err = errno;
			else
				fchownat(todir, tmp, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		}
	} else {
		struct buf b = {0};
		err = tree_read(fromdir, from, (size_t)st.st_size + 1, &b);
		fd = err ? -1 : temp_create(todir, to, &tmp);
		if (!err && fd < 0)
			err = errno;
		if (!err)
			err = write_all(fd, buf_str(&b), b.len);
		if (!err && (fchown(fd, st.st_uid, st.st_gid) != 0 || fchmod(fd, st.st_mode & 07777) != 0))
			err = errno;
		struct timespec times[2] = { st.st_atim, st.st_mtim };
		if (!err && (futimens(fd, times) != 0 || fsync(fd) != 0))
			err = errno;
		if (fd >= 0)
			close(fd);
		buf_free(&b);
	}
	if (!err && renameat(todir, tmp, todir, to) != 0)
		err = errno;
	if (err && tmp)
		unlinkat(todir, tmp, 0);
	free(tmp);
	return err;
}

int tree_link(int fromdir, const char *from, int todir, const char *to, bool move)
{
	int rc = move ? renameat(fromdir, from, todir, to) : linkat(fromdir, from, todir, to, 0);
	if (rc == 0) {
		fsync(todir);
		return 0;
	}
	if (errno != EXDEV)
		return errno;
	int err = copy_across(fromdir, from, todir, to);
	if (!err && move && unlinkat(fromdir, from, 0) != 0)
		err = errno;
	return err;
}
