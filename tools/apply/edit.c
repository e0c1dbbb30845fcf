/* edit.c: edits of files apply does not own (edit.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tools/apply/edit.h"

static size_t key_len(const char *w, size_t n)
{
	const char *eq = memchr(w, '=', n);
	return eq ? (size_t)(eq - w) : n;
}

/* The next blank-separated word of s[*i..n): its start and length; false at the end. */
static bool next_word(const char *s, size_t n, size_t *i, const char **w, size_t *wn)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	if (*i >= n)
		return false;
	*w = s + *i;
	while (*i < n && s[*i] != ' ' && s[*i] != '\t')
		(*i)++;
	*wn = (size_t)(s + *i - *w);
	return true;
}

/* The word of s[0..n) whose key is w's, or NULL. */
static const char *find_key(const char *s, size_t n, const char *w, size_t wn, size_t *fn)
{
	size_t i = 0, k = key_len(w, wn);
	const char *p;
	while (next_word(s, n, &i, &p, fn))
		if (key_len(p, *fn) == k && !memcmp(p, w, k))
			return p;
	return NULL;
}

void edit_words(const char *line, size_t len, const char *params, struct buf *out)
{
	size_t i = 0, wn, pn, np = strlen(params);
	const char *w, *p;
	bool first = true;
	while (next_word(line, len, &i, &w, &wn)) {
		p = find_key(params, np, w, wn, &pn);
		if (!first)
			buf_putc(out, ' ');
		buf_add(out, p ? p : w, p ? pn : wn);
		first = false;
	}
	i = 0;
	while (next_word(params, np, &i, &p, &pn)) {
		if (find_key(line, len, p, pn, &wn))
			continue;
		if (!first)
			buf_putc(out, ' ');
		buf_add(out, p, pn);
		first = false;
	}
}

/* The line of base starting at *pos (without its newline), advancing *pos. */
static bool next_line(const struct buf *base, size_t *pos, const char **l, size_t *n)
{
	const char *s = buf_str(base);
	if (*pos >= base->len)
		return false;
	*l = s + *pos;
	const char *nl = memchr(*l, '\n', base->len - *pos);
	*n = nl ? (size_t)(nl - *l) : base->len - *pos;
	*pos += *n + (nl != NULL);
	return true;
}

static bool is_comment(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && isspace((unsigned char)l[i]))
		i++;
	return i < n && l[i] == '#';
}

static bool is_assignment(const char *l, size_t n, const char *key, bool spaces)
{
	size_t k = strlen(key), i = 0;
	while (spaces && i < n && isspace((unsigned char)l[i]))
		i++;
	if (n - i < k || memcmp(l + i, key, k))
		return false;
	i += k;
	while (spaces && i < n && isspace((unsigned char)l[i]))
		i++;
	return i < n && l[i] == '=';
}

/* Whether the comma-separated list s[0..n) has the member m. */
static bool has_member(const char *s, size_t n, const char *m)
{
	size_t k = strlen(m);
	for (size_t i = 0; i <= n;) {
		const char *comma = memchr(s + i, ',', n - i);
		size_t end = comma ? (size_t)(comma - s) : n;
		if (end - i == k && !memcmp(s + i, m, k))
			return true;
		i = end + 1;
	}
	return false;
}

/* group(5) and gshadow(5) lines are NAME:PASSWORD:GID-or-ADMINS:MEMBERS: e->value joins
 * the members of group e->key, once; the rest of the file is kept byte for byte. */
static bool edit_group(const struct apply_edit *e, const struct buf *base, struct buf *out,
		       char **why)
{
	size_t pos = 0, n, k = strlen(e->key);
	const char *l;
	bool found = false;
	while (next_line(base, &pos, &l, &n)) {
		const char *c3 = NULL;
		if (!found && n > k && !memcmp(l, e->key, k) && l[k] == ':') {
			const char *c = l + k;
			for (int i = 0; i < 2 && c; i++)
				c = memchr(c + 1, ':', (size_t)(l + n - c - 1));
			c3 = c;
		}
		buf_add(out, l, n);
		if (c3 && !memchr(c3 + 1, ':', (size_t)(l + n - c3 - 1))) {
			found = true;
			if (!has_member(c3 + 1, (size_t)(l + n - c3 - 1), e->value))
				buf_printf(out, "%s%s", c3 + 1 == l + n ? "" : ",", e->value);
		}
		if (l + n < buf_str(base) + base->len)
			buf_putc(out, '\n');
	}
	if (!found)
		*why = xasprintf("it has no line for the group %s (NAME:x:ID:MEMBERS)", e->key);
	return found;
}

bool edit_apply(const struct apply_edit *e, const struct buf *base, struct buf *out, char **why)
{
	if (e->kind == EDIT_GROUP)
		return edit_group(e, base, out, why);
	size_t pos = 0, n;
	const char *l;
	bool found = false;
	if (e->kind == EDIT_CMDLINE) {
		/* The readers join every line that is not a comment: kernel-install's
		 * 90-loaderentry.install (grep -Gv '^\s*#' | tr -s "$IFS" ' ') and mkinitcpio's
		 * build_uki (grep -ha '^[^#]'). The first such line gets the parameters; a comment
		 * before it is kept as it is. */
		size_t at = pos;
		while (next_line(base, &pos, &l, &n) && is_comment(l, n))
			at = pos;
		pos = at;
		buf_add(out, buf_str(base), at);
		if (!next_line(base, &pos, &l, &n))
			l = "", n = 0;
		edit_words(l, n, e->value, out);
		buf_putc(out, '\n');
		buf_add(out, buf_str(base) + pos, base->len - pos);
		return true;
	}
	while (next_line(base, &pos, &l, &n)) {
		if (found || !is_assignment(l, n, e->key, e->kind == EDIT_CONF_SET)) {
			buf_add(out, l, n);
			buf_putc(out, '\n');
			continue;
		}
		found = true;
		if (e->kind == EDIT_CONF_SET) {
			buf_printf(out, "%s = %s\n", e->key, e->value);
			continue;
		}
		size_t k = strlen(e->key) + 1;
		char q = n > k ? l[k] : 0;
		if ((q != '"' && q != '\'') || n < k + 2 || l[n - 1] != q) {
			*why = xasprintf("its line %.*s is not %s=\"...\" on one line", (int)n, l, e->key);
			return false;
		}
		buf_add(out, l, k + 1);
		edit_words(l + k + 1, n - k - 2, e->value, out);
		buf_putc(out, q);
		buf_putc(out, '\n');
	}
	if (!found && e->kind == EDIT_CONF_SET)
		buf_printf(out, "%s = %s\n", e->key, e->value);
	else if (!found)
		buf_printf(out, "%s=\"%s\"\n", e->key, e->value);
	return true;
}
