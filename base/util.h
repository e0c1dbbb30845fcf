/* util.h: allocation that never returns NULL, growable buffers, a bump arena. */
#ifndef VFIOC_UTIL_H
#define VFIOC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, shared by every command (README.md: "Exit status, for every command"). */
enum exit_code {
	EXIT_OK = 0,      /* clean, or warnings only */
	EXIT_INPUT = 1,   /* errors in the config or against the hardware */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_SYSTEM = 3,  /* I/O, unreadable hardware, out of memory */
};

/* These print "vfioc: out of memory" and exit(EXIT_SYSTEM) instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* An array of n elements of size (at least one, so never a zero-size allocation); a count
 * whose byte size overflows size_t is out of memory, never a short allocation. */
void *xmalloc_array(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* open_memstream(text, len), exiting as out of memory where it fails (it allocates). */
FILE *xopen_memstream(char **text, size_t *len);
/* Whether a relative path, read component by component from depth levels below a folder,
 * ever climbs above that folder ("../x", "a/../../x"). */
bool path_climbs_out(const char *path, long depth);
/* Whether path, with every symlink resolved, is inside dir (resolved too). A path that does
 * not resolve (missing) counts as inside: reading it then fails anyway. */
bool path_resolves_inside(const char *dir, const char *path);
/* The folder of path ("." for a bare file name, "/" for a file in /), malloc'd. */
char *path_dir(const char *path);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *items (of *cap elements of size) so that index `need - 1` fits. */
void *grow(void *items, size_t *cap, size_t need, size_t size);
#define VEC_PUSH(arr, n, cap) \
	(*((arr) = grow((arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++]))

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char *s;     /* contents; NULL until the first append */
	size_t len;  /* bytes used, without the NUL */
	size_t cap;  /* bytes allocated */
};
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_free(struct buf *b);
const char *buf_str(const struct buf *b);  /* "" for an empty buffer */

/* A bump allocator: everything in it is freed at once by arena_free. */
struct arena {
	struct arena_chunk *head;  /* newest chunk first */
};
void *arena_alloc(struct arena *a, size_t n);  /* zeroed, aligned for any type */
/* n zeroed elements of size, at least one; overflow as in xmalloc_array. */
void *arena_array(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Move everything allocated in from into to (from is left empty). */
void arena_adopt(struct arena *to, struct arena *from);
void arena_free(struct arena *a);

/* Levenshtein distance, for "did you mean" hints. */
size_t edit_distance(const char *a, const char *b);
/* The closest of names[0..n) to s, if close enough to be a likely typo; NULL otherwise. */
/* Whether word occurs in s, letters compared without case (ASCII). */
bool str_has_ci(const char *s, const char *word);
const char *closest_name(const char *s, const char *const *names, size_t n);

/* For the invariant checks (hw_check, plan_check): print "WHO: message" to out, unless out
 * is NULL; returns 1, one more broken invariant. */
size_t invariant_broken(FILE *out, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read a whole file (at most max bytes). Returns 0, or an errno value; EFBIG when larger. */
int read_file(const char *path, size_t max, char **out, size_t *len);
/* The same for a file that must be a regular file (a snapshot, an output being replaced):
 * a FIFO, a device or a socket is not opened for reading nor waited on (EINVAL), a
 * directory is EISDIR, and a larger file is refused before it is read (EFBIG). */
int read_regular_file(const char *path, size_t max, char **out, size_t *len);
/* The same for path inside the folder dirfd (AT_FDCWD: the working folder); with nofollow a
 * symlink as its last component is refused (ELOOP). */
int read_regular_at(int dirfd, const char *path, bool nofollow, size_t max, char **out,
		    size_t *len);
/* The same for a file already opened (O_NONBLOCK, as above); closes fd. */
int read_regular_fd(int fd, size_t max, char **out, size_t *len);
/* strerror, but "not a regular file" for read_regular_file's EINVAL. */
const char *read_error_text(int err);

#endif
