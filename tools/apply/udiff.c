/* udiff.c: unified diffs (udiff.h). The longest common subsequence of the two files' lines
 * by dynamic programming: the files apply writes are a few dozen lines; beyond
 * UDIFF_MAX_CELLS the whole file is shown as replaced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "tools/apply/udiff.h"

#define UDIFF_MAX_CELLS (4u << 20)
#define CONTEXT 3

struct lines {
	const char **s;
	size_t *len, n;
};

static struct lines split(const struct buf *b)
{
	struct lines l = {0};
	size_t cap = 0, lcap = 0;
	const char *p = b ? buf_str(b) : "", *end = p + (b ? b->len : 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
		l.s = grow(l.s, &cap, l.n + 1, sizeof(*l.s));
		l.len = grow(l.len, &lcap, l.n + 1, sizeof(*l.len));
		l.s[l.n] = p;
		l.len[l.n++] = n;
		p += n;
	}
	return l;
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->s[i], b->s[j], a->len[i]);
}

/* The edit script: ops[k] is ' ', '-' or '+', in order. */
static char *script(const struct lines *a, const struct lines *b, size_t *nops)
{
	char *ops = xmalloc(a->n + b->n + 1);
	size_t k = 0;
	if ((uint64_t)(a->n + 1) * (b->n + 1) > UDIFF_MAX_CELLS) {
		memset(ops, '-', a->n);
		memset(ops + a->n, '+', b->n);
		*nops = a->n + b->n;
		return ops;
	}
	size_t w = b->n + 1;
	uint32_t *t = xcalloc((a->n + 1) * w, sizeof(*t));  /* t[i][j]: LCS of a[i..], b[j..] */
	for (size_t i = a->n; i-- > 0;)
		for (size_t j = b->n; j-- > 0;)
			t[i * w + j] = same(a, i, b, j) ? t[(i + 1) * w + j + 1] + 1
				: t[(i + 1) * w + j] > t[i * w + j + 1] ? t[(i + 1) * w + j] : t[i * w + j + 1];
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && same(a, i, b, j)) {
			ops[k++] = ' ';
			i++, j++;
		} else if (i < a->n && (j == b->n || t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			ops[k++] = '-';
			i++;
		} else {
			ops[k++] = '+';
			j++;
		}
	}
	free(t);
	*nops = k;
	return ops;
}

/* A line through esc_line: the old file is anyone's text (a target root's /etc, a committed
 * output folder), and its controls and bidi controls must not act on the terminal or the
 * CI log that shows the diff. */
static void line_out(FILE *out, char op, const struct lines *l, size_t i)
{
	size_t n = l->len[i];
	bool nl = l->s[i][n - 1] == '\n';
	fputc(op, out);
	esc_line(out, l->s[i], n - nl);  /* s[n - nl]: the '\n', or the buffer's NUL */
	fputs(nl ? "\n" : "\n\\ No newline at end of file\n", out);
}

/* "--- a/PATH" or "--- /dev/null"; PATH escaped as esc_text writes it. */
static void label(FILE *out, const char *head, const char *side, const char *path)
{
	fprintf(out, "%s %s", head, path ? side : "/dev/null");
	if (path)
		esc_text(out, path);
	fputc('\n', out);
}

/* One hunk: ops[from..to) with a starting at line ai, b at bi (0-based). */
static void hunk(FILE *out, const char *ops, size_t from, size_t to, size_t ai, size_t bi,
		 const struct lines *a, const struct lines *b)
{
	size_t na = 0, nb = 0;
	for (size_t k = from; k < to; k++) {
		na += ops[k] != '+';
		nb += ops[k] != '-';
	}
	fprintf(out, "@@ -%zu", na ? ai + 1 : ai);
	if (na != 1)
		fprintf(out, ",%zu", na);
	fprintf(out, " +%zu", nb ? bi + 1 : bi);
	if (nb != 1)
		fprintf(out, ",%zu", nb);
	fputs(" @@\n", out);
	for (size_t k = from; k < to; k++) {
		if (ops[k] == '+')
			line_out(out, '+', b, bi++);
		else {
			line_out(out, ops[k], a, ai++);
			bi += ops[k] == ' ';
		}
	}
}

void udiff_print(FILE *out, const char *path, const struct buf *a, const struct buf *b)
{
	if (a && b && a->len == b->len && !memcmp(buf_str(a), buf_str(b), a->len))
		return;
	struct lines la = split(a), lb = split(b);
	size_t n;
	char *ops = script(&la, &lb, &n);
	label(out, "---", "a/", a ? path : NULL);
	label(out, "+++", "b/", b ? path : NULL);
	/* Hunks: changes closer than 2 * CONTEXT lines share one. */
	size_t k = 0, ai = 0, bi = 0;
	while (k < n) {
		if (ops[k] == ' ') {
			k++, ai++, bi++;
			continue;
		}
		size_t start = k >= CONTEXT ? k - CONTEXT : 0, end = k;
		while (end < n) {
			if (ops[end] != ' ') {
				end++;
				continue;
			}
			size_t run = 0;
			while (end + run < n && ops[end + run] == ' ')
				run++;
			if (end + run == n || run > 2 * CONTEXT)
				break;
			end += run;
		}
		size_t stop = end + CONTEXT < n ? end + CONTEXT : n;
		hunk(out, ops, start, stop, ai - (k - start), bi - (k - start), &la, &lb);
		for (size_t x = k; x < stop; x++) {
			ai += ops[x] != '+';
			bi += ops[x] != '-';
		}
		k = stop;
	}
	free(ops);
	free(la.s), free(la.len), free(lb.s), free(lb.len);
}
