/* util.c: allocation that never returns NULL, growable buffers, a bump arena. */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(void)
{
	fputs("vfioc: error: out of memory\n", stderr);
	exit(EXIT_SYSTEM);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

/* n * size, with n of 0 counted as 1; exits as out of memory when it overflows. */
static size_t array_bytes(size_t n, size_t size)
{
	if (n == 0)
		n = 1;
	if (size && n > SIZE_MAX / size)
		out_of_memory();
	return n * size;
}

void *xmalloc_array(size_t n, size_t size)
{
	return xmalloc(array_bytes(n, size));
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

FILE *xopen_memstream(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	if (!f)
		out_of_memory();
	return f;
}

bool path_climbs_out(const char *path, long depth)
{
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2))
			depth--;
		else if (n && !(n == 1 && *p == '.'))
			depth++;
		if (depth < 0)
			return true;
		p += n + (p[n] == '/');
	}
	return false;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.s ? b.s : xstrdup("");
}

void *grow(void *items, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return items;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		out_of_memory();
	*cap = ncap;
	return xrealloc(items, ncap * size);
}

void buf_add(struct buf *b, const char *s, size_t n)
{
	b->s = grow(b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	b->s = grow(b->s, &b->cap, b->len + (size_t)n + 1, 1);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_free(struct buf *b)
{
	free(b->s);
	*b = (struct buf){0};
}

const char *buf_str(const struct buf *b)
{
	return b->s ? b->s : "";
}

/* Chunks grow with demand so a 5,000-device snapshot does not mean 5,000 mallocs. */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	if (n > SIZE_MAX - sizeof(struct arena_chunk) - align)
		out_of_memory();
	n = (n + align - 1) / align * align;
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = c ? c->size * 2 : 4096;
		if (size > (1u << 20))
			size = 1u << 20;
		if (size < n)
			size = n;
		c = xmalloc(sizeof(*c) + size);
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void *arena_array(struct arena *a, size_t n, size_t size)
{
	return arena_alloc(a, array_bytes(n, size));
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *p = arena_strndup(a, buf_str(&b), b.len);
	buf_free(&b);
	return p;
}

void arena_adopt(struct arena *to, struct arena *from)
{
	struct arena_chunk *tail = from->head;
	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	tail->next = to->head;
	to->head = from->head;
	from->head = NULL;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;  /* no sensible suggestion for long strings */
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

bool path_resolves_inside(const char *dir, const char *path)
{
	char rdir[PATH_MAX], rpath[PATH_MAX];
	if (!realpath(dir, rdir) || !realpath(path, rpath))
		return true;
	size_t n = strlen(rdir);
	if (n == 1)  /* dir is / */
		return true;
	return !strncmp(rpath, rdir, n) && rpath[n] == '/';
}

char *path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

bool str_has_ci(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (; s && *s; s++)
		if (!strncasecmp(s, word, n))
			return true;
	return false;
}

const char *closest_name(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, len = strlen(s);
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return best && (bestd <= 2 || bestd <= len / 3) && bestd < len ? best : NULL;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno;
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	int err = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max) {
			err = EFBIG;
			break;
		}
		buf_add(&b, chunk, n);
	}
	if (!err && ferror(f))
		err = errno ? errno : EIO;
	fclose(f);
	if (err) {
		buf_free(&b);
		return err;
	}
	*out = b.s ? b.s : xstrdup("");
	*len = b.len;
	return 0;
}

int read_regular_file(const char *path, size_t max, char **out, size_t *len)
{
	return read_regular_at(AT_FDCWD, path, false, max, out, len);
}

int read_regular_at(int dirfd, const char *path, bool nofollow, size_t max, char **out,
		    size_t *len)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it. */
	int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return errno;
	return read_regular_fd(fd, max, out, len);
}

int read_regular_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
		: !S_ISREG(st.st_mode) ? EINVAL : (uint64_t)st.st_size > max ? EFBIG : 0;
	struct buf b = {0};
	char chunk[65536];
	while (!err) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		if (b.len + (size_t)n > max)  /* grew since fstat, or a procfs file (size 0) */
			err = EFBIG;
		else
			buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (err) {
		buf_free(&b);
		return err;
	}
	*out = b.s ? b.s : xstrdup("");
	*len = b.len;
	return 0;
}

const char *read_error_text(int err)
{
	return err == EINVAL ? "not a regular file" : strerror(err);
}

size_t invariant_broken(FILE *out, const char *who, const char *fmt, ...)
{
	va_list ap;
	if (!out)
		return 1;
	fprintf(out, "%s: ", who);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	return 1;
}
