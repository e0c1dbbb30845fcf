/* hw/sysfs_read.c: small-file readers for the probe. Every fact in sysfs is a short text file or a
 * symlink; these turn "missing", "unreadable" and "garbage" into NULL or false. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/sysfs_read.h"

#define HWR_SMALL 8192      /* a sysfs attribute is a page at most; /proc/cmdline 4 KiB */

const char *hwr_vpath(struct hw_reader *r, const char *fmt, va_list ap)
{
	r->path.len = 0;
	buf_puts(&r->path, r->root);
	if (r->path.len == 0 || r->path.s[r->path.len - 1] != '/')
		buf_putc(&r->path, '/');
	buf_vprintf(&r->path, fmt, ap);
	return buf_str(&r->path);
}

const char *hwr_path(struct hw_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *p = hwr_vpath(r, fmt, ap);
	va_end(ap);
	return p;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (s[0] >= 0xf8)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void hw_clean_text(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p >= 0x20 && *p < 0x7f)  /* the common case: printable ASCII, nothing to do */
		p++;
	while (*p) {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				*p = '?';
			p++;
			continue;
		}
		size_t n = utf8_len(p);
		if (n == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

bool hwr_io_error(struct hw_reader *r, const char *path, int err)
{
	switch (err) {
	case 0: case ENOENT: case ENOTDIR: case EISDIR: case EINVAL: case EFBIG: case ELOOP:
		return false;  /* missing, or not what a sysfs file is: an unknown fact */
	default:
		diag_emit(r->ds, D_HW_UNREADABLE, NULL, "cannot read %s: %s", path, strerror(err));
		return true;
	}
}

void hwr_not_regular(struct hw_reader *r, const char *path)
{
	/* As hw_root_check says it, where it is the check. */
	diag_emit(r->ds, D_HW_UNREADABLE, NULL, "test root %s: %s is not a regular file (a FIFO, "
		  "socket or device)", r->root, path);
}

/* After a read of nothing: whether fd is a FIFO, socket or device (reported), which a
 * confined root may hold where a file belongs (hw_root_check refuses them up front). */
static bool not_regular(struct hw_reader *r, int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode))
		return false;
	hwr_not_regular(r, path);
	return true;
}

int hwr_file(struct hw_reader *r, const char *path, size_t max, char **text, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; read_regular_fd refuses it. */
	int fd = hwr_open(r, path, O_RDONLY | O_NONBLOCK);
	int err = fd < 0 ? errno : read_regular_fd(fd, max, text, len);
	if (err == EINVAL)  /* read_regular_fd's "not a regular file" */
		hwr_not_regular(r, path);
	else
		hwr_io_error(r, path, err);
	return err;
}

DIR *hwr_opendir(struct hw_reader *r, const char *path)
{
	DIR *dir = hwr_opendir_at(r, path);
	if (!dir)
		hwr_io_error(r, path, errno);
	return dir;
}

/* A sysfs attribute in one read(2): the kernel hands over the whole page at once, and a
 * regular file (a test root) reads short only at its end. Half the syscalls of read_file
 * (no fstat, no read to see EOF), which counts when 5,000 devices have 3 files each. */
static int read_small(struct hw_reader *r, const char *path, char *buf, size_t *len)
{
	int fd = hwr_open(r, path, O_RDONLY | O_NONBLOCK);  /* a FIFO must not hang us */
	if (fd < 0)
		return errno;
	ssize_t n;
	do
		n = read(fd, buf, HWR_SMALL + 1);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? errno : n > HWR_SMALL ? EFBIG : 0;
	if (n == 0 && not_regular(r, fd, path))
		err = EINVAL;  /* reported */
	close(fd);
	*len = n > 0 ? (size_t)n : 0;
	return err;
}

char *hwr_text_at(struct hw_reader *r, const char *path)
{
	char text[HWR_SMALL + 1];
	size_t len;
	int err = read_small(r, path, text, &len);
	if (err) {
		hwr_io_error(r, path, err);  /* EINVAL: not_regular reported it */
		return NULL;
	}
	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	/* A NUL inside (binary garbage) ends the text there. */
	char *s = arena_strndup(r->a, text, strnlen(text, len));
	hw_clean_text(s);
	return s;
}

char *hwr_text(struct hw_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *path = hwr_vpath(r, fmt, ap);
	va_end(ap);
	return hwr_text_at(r, path);
}

bool hw_parse_long(const char *s, int base, long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, base);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

int hw_group_number(const char *s)
{
	long v;
	return hw_parse_long(s, 10, &v) && v >= 0 && v <= 0x7fffffff ? (int)v : -1;
}

bool hwr_long(struct hw_reader *r, long *out, int base, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *path = hwr_vpath(r, fmt, ap);
	va_end(ap);
	return hw_parse_long(hwr_text_at(r, path), base, out);
}

char *hwr_link_at(struct hw_reader *r, const char *path, bool must_resolve)
{
	char target[4096];
	ssize_t n = hwr_readlink(r, path, target, sizeof(target) - 1);
	if (n <= 0) {
		hwr_io_error(r, path, n < 0 ? errno : 0);
		return NULL;
	}
	target[n] = '\0';
	if (must_resolve && !hwr_access(r, path, F_OK))  /* a dangling link is no fact */
		return NULL;
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	const char *base = strrchr(target, '/');
	char *s = arena_strdup(r->a, base ? base + 1 : target);
	hw_clean_text(s);
	return s;
}

char *hwr_link_base(struct hw_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *path = hwr_vpath(r, fmt, ap);
	va_end(ap);
	return hwr_link_at(r, path, true);
}

void hwr_devpath_init(struct hw_devpath *dp, struct hw_reader *r)
{
	*dp = (struct hw_devpath){0};
	buf_puts(&dp->b, hwr_path(r, "sys/bus/pci/devices/"));
	dp->base = dp->dir = dp->b.len;
}

void hwr_devpath_at(struct hw_devpath *dp, const struct pci_addr *a)
{
	char addr[PCI_ADDR_STRLEN];
	pci_addr_fmt(a, addr);
	dp->b.len = dp->base;
	buf_puts(&dp->b, addr);
	buf_putc(&dp->b, '/');
	dp->dir = dp->b.len;
}

const char *hwr_devpath_file(struct hw_devpath *dp, const char *name)
{
	dp->b.len = dp->dir;
	buf_puts(&dp->b, name);
	return buf_str(&dp->b);
}

void hwr_devpath_free(struct hw_devpath *dp)
{
	buf_free(&dp->b);
}

void *hw_arena_keep(struct arena *a, void *vec, size_t bytes)
{
	void *p = NULL;
	if (bytes) {
		p = arena_alloc(a, bytes);
		memcpy(p, vec, bytes);
	}
	free(vec);
	return p;
}
