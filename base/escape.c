/* escape.c: see escape.h. */
#include "base/escape.h"

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (2-4 bytes, shortest form, no surrogates), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

static const struct esc_hidden hidden_rows[] = {
#define HIDDEN(cp, kind, name) { cp, ESC_HIDDEN_##kind, name },
#include "base/hidden.def"
#undef HIDDEN
};

const struct esc_hidden *esc_hidden(const char *str, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp;
	*len = 0;
	if ((s[0] == 0xc2 || s[0] == 0xd8) && (s[1] & 0xc0) == 0x80) {  /* U+0085, U+061C */
		cp = (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		*len = 2;
	} else if (s[0] == 0xe2 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		cp = 0x2000u | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		*len = 3;
	} else {
		return NULL;  /* every row is one of these lead bytes (hidden.def) */
	}
	for (size_t i = 0; i < ARRAY_LEN(hidden_rows); i++)
		if (hidden_rows[i].cp == cp)
			return &hidden_rows[i];
	*len = 0;
	return NULL;
}

bool esc_has_hidden(const char *s)
{
	for (size_t n; *s; s++)
		if (esc_hidden(s, &n))
			return true;
	return false;
}

unsigned esc_invisible(const char *s, size_t *len)
{
	const struct esc_hidden *h = esc_hidden(s, len);
	return h ? h->cp : 0;
}

void esc_hidden_spell(struct buf *b, const char *s, size_t n, const char *pre, const char *post)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const struct esc_hidden *h;
		unsigned char c = (unsigned char)s[i];
		if ((c != 0xc2 && c != 0xd8 && c != 0xe2) || i + 3 > n + (c != 0xe2) ||
		    !(h = esc_hidden(s + i, &len)))
			continue;
		buf_add(b, s + start, i - start);
		buf_printf(b, "%s%04X%s", pre, h->cp, post);
		i += len - 1;
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}

void esc_comment(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p), len;
		const struct esc_hidden *h = n > 1 ? esc_hidden((const char *)p, &len) : NULL;
		if (h)
			buf_printf(b, "U+%04X", h->cp);
		else if (*p < 0x20 || *p == 0x7f || n == 0 || (*p == 0xc2 && p[1] < 0xa0))
			buf_putc(b, '?');
		else
			buf_add(b, (const char *)p, n);
		p += n ? n : 1;
	}
}

void esc_yaml(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p), len;
		const struct esc_hidden *h = n > 1 ? esc_hidden((const char *)p, &len) : NULL;
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02X", *p);
		else if (n == 0)
			buf_puts(b, "\\uFFFD");
		else if (h || (*p == 0xc2 && p[1] < 0xa0))
			buf_printf(b, "\\u%04X", h ? h->cp : p[1]);
		else
			buf_add(b, (const char *)p, n);
		p += n ? n : 1;
	}
	buf_putc(b, '"');
}

/* One character at *p for esc_text's rules; advances *p. */
static void text_char(FILE *out, const unsigned char **p)
{
	const unsigned char *s = *p;
	size_t n = s[0] < 0x80 ? 1 : utf8_len(s), hidden_len;
	unsigned hidden = esc_invisible((const char *)s, &hidden_len);
	if (s[0] == '\n')
		fputs("\\n", out);
	else if (s[0] == '\t')
		fputs("\\t", out);
	else if (s[0] < 0x20 || s[0] == 0x7f || n == 0)
		fprintf(out, "\\x%02x", s[0]);
	else if (s[0] == 0xc2 && s[1] < 0xa0)  /* C1 */
		fprintf(out, "\\u%04x", (unsigned)s[1]);
	else if (hidden)
		fprintf(out, "\\u%04x", hidden);
	else
		fwrite(s, 1, n, out);
	*p = s + (n ? n : 1);
}

void esc_text(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		text_char(out, &p);
}

void esc_line(FILE *out, const char *s, size_t n)
{
	/* A line ends before its '\n', and a UTF-8 sequence never holds one: text_char reads
	 * no further than the line (or the NUL after the text it is in). */
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		if (*p == '\t')
			fputc(*p++, out);
		else
			text_char(out, &p);
	}
}

void esc_json(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p), len;
		unsigned cp;
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else if (n == 0)
			fputs("\\ufffd", out);
		else if (*p == 0xc2 && p[1] < 0xa0)
			fprintf(out, "\\u%04x", (unsigned)p[1]);
		else if ((cp = esc_invisible((const char *)p, &len)))
			fprintf(out, "\\u%04x", cp);  /* JSON shown by cat must not reorder */
		else
			fwrite(p, 1, n, out);
		p += n ? n : 1;
	}
	fputc('"', out);
}

void esc_github(FILE *out, const char *s, bool property)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == '%')
			fputs("%25", out);
		else if (*p == '\r')
			fputs("%0D", out);
		else if (*p == '\n')
			fputs("%0A", out);
		else if (property && *p == ':')
			fputs("%3A", out);
		else if (property && *p == ',')
			fputs("%2C", out);
		else {
			text_char(out, &p);
			continue;
		}
		p++;
	}
}
