/* test_escape.c: the writers' escapes of base/escape.h for every row of base/hidden.def:
 * none is written raw, and a YAML string written by esc_yaml reads back through the YAML
 * reader as the same value. */
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/yamldoc.h"
#include "harness.h"

static const unsigned rows[] = {
#define HIDDEN(cp, kind, name) cp,
#include "base/hidden.def"
#undef HIDDEN
};

/* The UTF-8 of cp (below U+10000) at out; its length. */
static size_t utf8(unsigned cp, char *out)
{
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* "a<row>b" for every row, then quotes, a backslash, a tab and a C1 control. */
static void hostile(struct buf *b)
{
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char u[4];
		buf_putc(b, 'a');
		buf_add(b, u, utf8(rows[i], u));
		buf_putc(b, 'b');
	}
	buf_puts(b, "\"q\\ \t\xc2\x80 \xe2\x80\x8d");  /* U+200D (a joiner) is no control: kept */
}

static void test_lookup(void)
{
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char u[4] = {0}, name[48];
		size_t n, len = utf8(rows[i], u);
		const struct esc_hidden *h = esc_hidden(u, &n);
		snprintf(name, sizeof(name), "lookup: U+%04X is a row, %zu bytes", rows[i], len);
		OK(h && h->cp == rows[i] && n == len, name);
	}
	size_t n;
	OK(!esc_hidden("\xe2\x80\x8d", &n) && n == 0, "lookup: U+200D is not");
	OK(!esc_hidden("\xe2\x80", &n), "lookup: a cut sequence is not");
	OK(esc_has_hidden("key \xe2\x80\xae x") && esc_has_hidden("\xe2\x81\xa6"),
	   "esc_has_hidden: U+202E mid-string, U+2066 alone");
	OK(!esc_has_hidden("plain \xe2\x80\x8d text\t") && !esc_has_hidden(""),
	   "esc_has_hidden: U+200D, a tab and the empty string are not");
}

static void test_yaml_round_trip(void)
{
	struct buf in = {0}, doc = {0};
	hostile(&in);
	buf_puts(&doc, "k: ");
	esc_yaml(&doc, buf_str(&in));
	buf_putc(&doc, '\n');
	OK(!esc_has_hidden(buf_str(&doc)), "esc_yaml: none raw");
	OK(strstr(buf_str(&doc), "a\\u202Eb") != NULL, "esc_yaml: U+202E as \\u202E");
	struct arena a = {0};
	struct diags *ds = diags_new();
	struct ynode *root = ydoc_load_mem("t.yaml", doc.s, doc.len, &a, ds);
	const struct ynode *k = root ? ymap_get(root, "k") : NULL;
	OK(k && k->kind == Y_SCALAR, "esc_yaml: the YAML reader takes it");
	OK(k && k->len == in.len && !memcmp(k->str, in.s, in.len), "esc_yaml: read back the same");
	diags_free(ds);
	arena_free(&a);
	buf_free(&in);
	buf_free(&doc);
}

static void test_comment_and_spell(void)
{
	struct buf in = {0}, c = {0}, x = {0};
	hostile(&in);
	esc_comment(&c, buf_str(&in));
	OK(!esc_has_hidden(buf_str(&c)) && !strpbrk(buf_str(&c), "\t\n\r"), "esc_comment: none raw");
	OK(strstr(buf_str(&c), "aU+2028b") && strstr(buf_str(&c), "aU+0085b"),
	   "esc_comment: as U+NNNN");
	esc_hidden_spell(&x, in.s, in.len, "&#x", ";");
	OK(!esc_has_hidden(buf_str(&x)), "esc_hidden_spell: none raw");
	OK(strstr(buf_str(&x), "a&#x061C;b") && strstr(buf_str(&x), "\t"),
	   "esc_hidden_spell: only the rows, in the format's spelling");
	buf_free(&x);
	esc_hidden_spell(&x, "\xe2\x80\xae", 2, "<", ">");  /* a cut sequence at the end */
	INT_EQ(x.len, 2, "esc_hidden_spell: stops at n");
	buf_free(&in);
	buf_free(&c);
	buf_free(&x);
}

int main(void)
{
	test_lookup();
	test_yaml_round_trip();
	test_comment_and_spell();
	HARNESS_END();
}
