/* failwrite.c: a test-only LD_PRELOAD shim that makes file I/O fail on demand, to test that
 * vfioc exits 3, names the file and leaves earlier outputs intact. Controlled by env vars:
 *   FAIL_WRITE_AFTER=N   writes (write, pwrite, fwrite, fputs, fputc) to files succeed for N
 *                        bytes in all, then a short write, then ENOSPC
 *   FAIL_WRITE_CALL=N    the Nth write call to a file fails with ENOSPC (and every later one)
 *   FAIL_RENAME_CALL=N   the Nth rename (rename, renameat) fails with EIO (later ones
 *                        succeed)
 *   FAIL_FSYNC_CALL=N    the Nth fsync fails with EIO
 *   FAIL_CLOSE_CALL=N    the Nth close (close, fclose) of a file opened for writing closes
 *                        it and reports EIO
 *   FAIL_OPEN_MATCH=S    opening (open, openat, fopen, mkstemp) a path containing S (for
 *                        openat: the folder's path, '/', the name) fails with
 *                        EACCES, or errno FAIL_OPEN_ERRNO (30: EROFS, a read-only file system)
 *   FAIL_READ_MATCH=S    reads of a file whose path contains S stop after FAIL_READ_AFTER
 *                        bytes (default 0): with FAIL_READ_EOF=1 as if truncated, else EIO
 *   FAIL_DLOPEN_MATCH=S  dlopen of a library whose name contains S finds nothing, as if
 *                        the library were not installed; with FAIL_DLOPEN_SEARCH=1 only
 *                        a name without a '/', as if the loader's search path lacked it
 * Standard input, output and error are never failed, so messages still get out. Every fault
 * it injects is logged to stderr as "failwrite: ..." when FAIL_VERBOSE=1. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 4096

static long long env_num(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? atoll(s) : -1;
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "failwrite: no %s\n", name);
		abort();
	}
	return f;
}

static void note(const char *what, const char *detail)
{
	const char *v = getenv("FAIL_VERBOSE");
	if (v && *v == '1') {
		char msg[512];
		int n = snprintf(msg, sizeof(msg), "failwrite: failing %s %s\n", what, detail);
		ssize_t (*w)(int, const void *, size_t) = real("write");
		if (n > 0)
			(void)!w(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	}
}

/* ---- writes ---- */

static long long written, write_calls, rename_calls, fsync_calls, close_calls;

/* How many of n bytes a write may pass; -1: fail it outright (errno set). */
static ssize_t write_budget(int fd, size_t n)
{
	if (fd <= 2)
		return (ssize_t)n;
	long long call = env_num("FAIL_WRITE_CALL"), after = env_num("FAIL_WRITE_AFTER");
	write_calls++;
	if (call > 0 && write_calls >= call) {
		note("write call", "(FAIL_WRITE_CALL)");
		errno = ENOSPC;
		return -1;
	}
	if (after < 0)
		return (ssize_t)n;
	if (written >= after) {
		note("write", "(FAIL_WRITE_AFTER)");
		errno = ENOSPC;
		return -1;
	}
	size_t left = (size_t)(after - written);
	if (n > left)
		note("write", "half-way (FAIL_WRITE_AFTER)");
	return (ssize_t)(n < left ? n : left);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*w)(int, const void *, size_t);
	if (!w)
		w = real("write");
	ssize_t ok = write_budget(fd, n);
	if (ok < 0)
		return -1;
	ssize_t r = w(fd, buf, (size_t)ok);
	if (r > 0 && fd > 2)
		written += r;
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*w)(int, const void *, size_t, off_t);
	if (!w)
		w = real("pwrite");
	ssize_t ok = write_budget(fd, n);
	if (ok < 0)
		return -1;
	ssize_t r = w(fd, buf, (size_t)ok, off);
	if (r > 0 && fd > 2)
		written += r;
	return r;
}

/* stdio writes reach write() inside libc, out of our reach: budget them here. A refused
 * write sets the stream's error flag as a real failure would. */
static size_t stdio_budget(FILE *f, size_t n)
{
	int fd = fileno(f);
	if (fd < 0)
		return n;            /* a memory stream */
	ssize_t ok = write_budget(fd, n);
	if (ok < 0) {
		f->_flags |= 0x20;   /* glibc _IO_ERR_SEEN: ferror() is true from now on */
		return 0;
	}
	if ((size_t)ok < n)
		f->_flags |= 0x20;
	if (fd > 2)
		written += ok;
	return (size_t)ok;
}

size_t fwrite(const void *p, size_t size, size_t nmemb, FILE *f)
{
	static size_t (*w)(const void *, size_t, size_t, FILE *);
	if (!w)
		w = real("fwrite");
	if (!size || !nmemb)
		return 0;
	size_t ok = stdio_budget(f, size * nmemb) / size;
	size_t done = ok ? w(p, size, ok, f) : 0;
	if (done < nmemb)
		errno = ENOSPC;   /* as a real short write leaves it */
	return done;
}

int fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);
	return n == 0 || fwrite(s, 1, n, f) == n ? 1 : EOF;
}

int fputc(int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;
	return fwrite(&ch, 1, 1, f) == 1 ? ch : EOF;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	static int (*v)(FILE *, const char *, va_list);
	if (!v)
		v = real("vfprintf");
	if (fileno(f) <= 2)
		return v(f, fmt, ap);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	if (n < 0)
		return -1;
	size_t done = fwrite(s, 1, (size_t)n, f);
	free(s);
	return done == (size_t)n ? n : -1;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int rename(const char *from, const char *to)
{
	static int (*r)(const char *, const char *);
	if (!r)
		r = real("rename");
	if (++rename_calls == env_num("FAIL_RENAME_CALL")) {
		note("rename to", to);
		errno = EIO;
		return -1;
	}
	return r(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	static int (*r)(int, const char *, int, const char *);
	if (!r)
		r = real("renameat");
	if (++rename_calls == env_num("FAIL_RENAME_CALL")) {
		note("rename to", to);
		errno = EIO;
		return -1;
	}
	return r(fromfd, from, tofd, to);
}

int fsync(int fd)
{
	static int (*s)(int);
	if (!s)
		s = real("fsync");
	if (++fsync_calls == env_num("FAIL_FSYNC_CALL")) {
		note("fsync", "(FAIL_FSYNC_CALL)");
		errno = EIO;
		return -1;
	}
	return s(fd);
}

/* ---- reads: paths are remembered per descriptor at open ---- */

static char watched[MAX_FD];       /* fd was opened from a FAIL_READ_MATCH path */
static char writable[MAX_FD];      /* fd was opened for writing */
static long long read_so_far[MAX_FD];

static int path_matches(const char *path, const char *var)
{
	const char *m = getenv(var);
	return path && m && *m && strstr(path, m);
}

/* Refuse the open (errno set) when FAIL_OPEN_MATCH says so. */
static int open_refused(const char *path)
{
	if (!path_matches(path, "FAIL_OPEN_MATCH"))
		return 0;
	long long e = env_num("FAIL_OPEN_ERRNO");
	note("open of", path);
	errno = e > 0 ? (int)e : EACCES;
	return 1;
}

static int opened(int fd, const char *path)
{
	if (fd >= 0 && fd < MAX_FD) {
		watched[fd] = (char)path_matches(path, "FAIL_READ_MATCH");
		read_so_far[fd] = 0;
	}
	return fd;
}

static int opened_w(int fd, const char *path, int for_writing)
{
	if (fd >= 0 && fd < MAX_FD)
		writable[fd] = (char)for_writing;
	return opened(fd, path);
}

/* Count a close of fd; true when this one is to be reported as failed. */
static int close_fails(int fd)
{
	int was_writable = fd >= 0 && fd < MAX_FD && writable[fd];
	if (fd >= 0 && fd < MAX_FD)
		watched[fd] = writable[fd] = 0;
	if (fd <= 2 || !was_writable || ++close_calls != env_num("FAIL_CLOSE_CALL"))
		return 0;
	note("close", "(FAIL_CLOSE_CALL)");
	return 1;
}

int close(int fd)
{
	static int (*c)(int);
	if (!c)
		c = real("close");
	int fails = close_fails(fd);
	int r = c(fd);
	if (r == 0 && fails) {
		errno = EIO;
		return -1;
	}
	return r;
}

#define WRITING(flags) (((flags) & O_ACCMODE) != O_RDONLY || ((flags) & O_CREAT))

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
	static int (*o)(const char *, int, ...);
	if (!o)
		o = real("open");
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return open_refused(path) ? -1 : opened_w(o(path, flags, mode), path, WRITING(flags));
}

int open64(const char *path, int flags, ...)
{
	static int (*o)(const char *, int, ...);
	if (!o)
		o = real("open64");
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return open_refused(path) ? -1 : opened_w(o(path, flags, mode), path, WRITING(flags));
}

/* The path openat(dirfd, path) names, for matching: the folder's path (from /proc), '/',
 * path; path itself when it is absolute or the folder's path is unknown. */
static const char *at_path(int dirfd, const char *path, char *out, size_t size)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	ssize_t n = dirfd == AT_FDCWD || path[0] == '/' ? -1 : readlink(link, out, size - 2);
	if (n <= 0)
		return path;
	snprintf(out + n, size - (size_t)n, "/%s", path);
	return out;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*o)(int, const char *, int, ...);
	if (!o)
		o = real("openat");
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	char buf[4096];
	const char *full = at_path(dirfd, path, buf, sizeof(buf));
	return open_refused(full) ? -1 : opened_w(o(dirfd, path, flags, mode), full, WRITING(flags));
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	static int (*o)(int, const char *, int, ...);
	if (!o)
		o = real("openat64");
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	char buf[4096];
	const char *full = at_path(dirfd, path, buf, sizeof(buf));
	return open_refused(full) ? -1 : opened_w(o(dirfd, path, flags, mode), full, WRITING(flags));
}

/* What _FORTIFY_SOURCE builds call for open (libpci opens config space this way). */
int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

/* Temporary files: mkstemp opens inside libc, so FAIL_OPEN_MATCH is applied here too. */
int mkstemp(char *template)
{
	static int (*m)(char *);
	if (!m)
		m = real("mkstemp");
	return open_refused(template) ? -1 : opened_w(m(template), template, 1);
}

int mkostemp(char *template, int flags)
{
	static int (*m)(char *, int);
	if (!m)
		m = real("mkostemp");
	return open_refused(template) ? -1 : opened_w(m(template, flags), template, 1);
}

static FILE *fopen_common(const char *name, const char *path, const char *mode)
{
	FILE *(*o)(const char *, const char *) = real(name);
	if (open_refused(path))
		return NULL;
	FILE *f = o(path, mode);
	if (f)
		opened_w(fileno(f), path, strpbrk(mode, "wa+") != NULL);
	return f;
}

FILE *fopen(const char *path, const char *mode) { return fopen_common("fopen", path, mode); }
FILE *fopen64(const char *path, const char *mode) { return fopen_common("fopen64", path, mode); }

int fclose(FILE *f)
{
	static int (*c)(FILE *);
	if (!c)
		c = real("fclose");
	int fails = close_fails(fileno(f));
	int r = c(f);
	if (r == 0 && fails) {
		errno = EIO;
		return EOF;
	}
	return r;
}

/* How many of n bytes a read of fd may return; -1: fail it (errno set). */
static ssize_t read_budget(int fd, size_t n)
{
	if (fd < 0 || fd >= MAX_FD || !watched[fd])
		return (ssize_t)n;
	long long after = env_num("FAIL_READ_AFTER");
	long long left = (after < 0 ? 0 : after) - read_so_far[fd];
	if (left > 0)
		return (ssize_t)((long long)n < left ? (long long)n : left);
	if (env_num("FAIL_READ_EOF") == 1)
		return 0;
	note("read", "(FAIL_READ_MATCH)");
	errno = EIO;
	return -1;
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*r)(int, void *, size_t);
	if (!r)
		r = real("read");
	ssize_t ok = read_budget(fd, n);
	if (ok <= 0)
		return ok;
	ssize_t got = r(fd, buf, (size_t)ok);
	if (got > 0 && fd < MAX_FD)
		read_so_far[fd] += got;
	return got;
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	static ssize_t (*r)(int, void *, size_t, off_t);
	if (!r)
		r = real("pread");
	ssize_t ok = read_budget(fd, n);
	if (ok <= 0)
		return ok;
	ssize_t got = r(fd, buf, (size_t)ok, off);
	if (got > 0 && fd < MAX_FD)
		read_so_far[fd] += got;
	return got;
}

/* stdio reads: the same budget; a refused read sets the error flag (or EOF when truncated). */
size_t fread(void *p, size_t size, size_t nmemb, FILE *f)
{
	static size_t (*r)(void *, size_t, size_t, FILE *);
	if (!r)
		r = real("fread");
	int fd = fileno(f);
	if (!size || !nmemb || fd < 0 || fd >= MAX_FD || !watched[fd])
		return r(p, size, nmemb, f);
	ssize_t ok = read_budget(fd, size * nmemb);
	if (ok <= 0) {
		f->_flags |= ok == 0 ? 0x10 : 0x20;   /* glibc _IO_EOF_SEEN / _IO_ERR_SEEN */
		return 0;
	}
	size_t got = r(p, size, (size_t)ok / size ? (size_t)ok / size : 1, f);
	read_so_far[fd] += (long long)(got * size);
	return got;
}

/* ---- libraries ---- */

/* The real dlopen is asked for a path that does not exist, so that dlerror() tells why in
 * the words of the real loader. */
void *dlopen(const char *file, int flags)
{
	static void *(*d)(const char *, int);
	if (!d)
		d = real("dlopen");
	const char *search = getenv("FAIL_DLOPEN_SEARCH");
	if (!file || !path_matches(file, "FAIL_DLOPEN_MATCH") ||
	    (search && *search == '1' && strchr(file, '/')))
		return d(file, flags);
	note("dlopen of", file);
	char missing[4096];
	snprintf(missing, sizeof(missing), "/nonexistent/%s", file);
	return d(missing, flags);
}
