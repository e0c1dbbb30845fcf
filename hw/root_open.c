/* hw/root_open.c: every path the probe opens under a test root (--root DIR), resolved by the
 * kernel inside DIR. Where the kernel has openat2 (Linux 5.6), each path is opened relative
 * to one descriptor of DIR with RESOLVE_IN_ROOT: an absolute symlink, a "..", or a chain of
 * links through folders that are links themselves all stay in DIR, as if DIR were "/", and
 * no entry of DIR has to be checked beforehand. RESOLVE_NO_MAGICLINKS keeps /proc/self/fd
 * style links of a test root from naming the probe's own descriptors. Without openat2
 * (older kernels, or a seccomp filter that refuses it with ENOSYS or EPERM) the paths are
 * opened as they are, after hw/root_guard.c has checked every entry of DIR.
 *
 * The files of one folder (a PCI device's vendor, class, config, driver link) are opened
 * relative to a descriptor of that folder, itself opened in the root: one path walk per
 * device rather than one per file, which is what keeps the probe as fast as lspci. */
#define _GNU_SOURCE  /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hw/sysfs_read.h"

#define RESOLVE_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

#define RETRIES 1000  /* EAGAIN: see openat2_in */

/* openat2(rootfd, rel) with the root's resolve flags. A ".." under RESOLVE_IN_ROOT fails
 * with EAGAIN when a rename or mount anywhere on the machine raced with it (the kernel's
 * rename_lock and mount_lock are global; openat2(2) says to retry), and every device link
 * of sysfs climbs with "..": on a busy machine that is not rare. */
static int openat2_in(int rootfd, const char *rel, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_ROOT };
	int fd, tries = 0;
	do
		fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < RETRIES);
	return fd;
}

void hwr_init(struct hw_reader *r, const char *root, int rootfd, struct arena *a,
	      struct diags *ds)
{
	*r = (struct hw_reader){ .root = root, .a = a, .ds = ds, .rootfd = rootfd, .dirfd = -1,
				 .rootlen = strlen(root) };
}

void hwr_fini(struct hw_reader *r)
{
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
	buf_free(&r->dir);
	buf_free(&r->path);
}

int hw_root_open(const char *root)
{
	if (!strcmp(root, "/"))
		return -1;  /* the machine itself: its own links lead where they lead */
	/* A hidden switch for the tests: the fallback, on a kernel that has openat2. */
	const char *off = getenv("VFIOC_TEST_NO_OPENAT2");
	if (off && *off)
		return -1;
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;  /* the fallback reports what it cannot read */
	int probe = openat2_in(fd, ".", O_PATH | O_DIRECTORY);
	if (probe < 0) {  /* ENOSYS: before 5.6; EPERM: a seccomp filter; E2BIG, EINVAL */
		close(fd);
		return -1;
	}
	/* pci.ids goes to libpci as /proc/self/fd/N: without /proc, the fallback. */
	char self[64], target[8];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", probe);
	bool proc = readlink(self, target, sizeof(target)) > 0;
	close(probe);
	if (!proc) {
		close(fd);
		return -1;
	}
	return fd;
}

/* path (hwr_path's "ROOT/rel") relative to the root: "rel", "." for the root itself. */
static const char *rel_of(const struct hw_reader *r, const char *path)
{
	const char *rel = strncmp(path, r->root, r->rootlen) ? path : path + r->rootlen;
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

/* The descriptor of rel's folder (opened in the root, kept for the next file in it) and
 * rel's last component in *base; -1 when rel has no folder part or its last component
 * could climb ("." or ".."), with errno 0, or when the folder cannot be opened. */
static int folder_of(struct hw_reader *r, const char *rel, const char **base)
{
	const char *slash = strrchr(rel, '/');
	if (!slash || !strcmp(slash + 1, ".") || !strcmp(slash + 1, "..") || !slash[1]) {
		errno = 0;
		return -1;
	}
	size_t n = (size_t)(slash - rel);
	*base = slash + 1;
	if (r->dir.len != n || memcmp(buf_str(&r->dir), rel, n) != 0) {
		if (r->dirfd >= 0)
			close(r->dirfd);
		r->dir.len = 0;
		buf_add(&r->dir, rel, n);
		r->dirfd = openat2_in(r->rootfd, buf_str(&r->dir), O_PATH | O_DIRECTORY);
		r->dir_err = r->dirfd < 0 ? errno : 0;
	}
	errno = r->dir_err;
	return r->dirfd;
}

int hwr_open(struct hw_reader *r, const char *path, int flags)
{
	if (r->rootfd < 0)
		return open(path, flags | O_CLOEXEC);
	const char *rel = rel_of(r, path), *base;
	int dir = folder_of(r, rel, &base);
	if (dir < 0 && errno)
		return -1;  /* the folder is missing: so is the file */
	if (dir >= 0 && !(flags & O_PATH)) {
		/* A symlink as the last component is not followed from here (ELOOP): it is
		 * resolved in the root below. */
		int fd = openat(dir, base, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 || errno != ELOOP)
			return fd;
	}
	return openat2_in(r->rootfd, rel, flags);
}

ssize_t hwr_readlink(struct hw_reader *r, const char *path, char *buf, size_t size)
{
	if (r->rootfd < 0)
		return readlink(path, buf, size);
	const char *rel = rel_of(r, path), *base;
	int dir = folder_of(r, rel, &base);
	if (dir >= 0)
		return readlinkat(dir, base, buf, size);
	if (errno)
		return -1;
	/* The link itself, its folders resolved in the root. */
	int fd = openat2_in(r->rootfd, rel, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	ssize_t n = readlinkat(fd, "", buf, size);
	int err = errno;
	close(fd);
	errno = err;
	return n;
}

bool hwr_access(struct hw_reader *r, const char *path, int mode)
{
	if (r->rootfd < 0)
		return access(path, mode) == 0;
	int fd = openat2_in(r->rootfd, rel_of(r, path),
			    mode == R_OK ? O_RDONLY | O_NONBLOCK : O_PATH);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

char *hwr_realpath(struct hw_reader *r, const char *path)
{
	if (r->rootfd < 0)
		return realpath(path, NULL);
	int fd = openat2_in(r->rootfd, rel_of(r, path), O_PATH);
	if (fd < 0)
		return NULL;
	char self[64], real[4096];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(self, real, sizeof(real) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	real[n] = '\0';
	return xstrdup(real);
}

DIR *hwr_opendir_at(struct hw_reader *r, const char *path)
{
	if (r->rootfd < 0)
		return opendir(path);
	int fd = openat2_in(r->rootfd, rel_of(r, path), O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		int err = errno;
		close(fd);
		errno = err;
	}
	return d;
}
