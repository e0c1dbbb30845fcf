/* yamlindent.c: the indentation behind a YAML syntax error (yamlindent.h). A block
 * mapping's keys all start at one column, and a line may only go back to a column one of
 * the blocks it is in starts at (YAML 1.2.2, 6.1 "Indentation Spaces" and 8.2.2 "Block
 * Mappings"); tabs never indent (6.1). */
#include "base/yamlindent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* One line of the file: where it starts, its indentation, what follows it. */
struct line {
	const char *s;       /* first character */
	size_t n;            /* length without the '\n' */
	unsigned no;         /* 1-based */
	unsigned indent;     /* leading spaces */
	bool tab;            /* a tab among the leading blanks */
	bool content;        /* not blank, not a comment */
};

static struct line line_at(const char *text, size_t len, size_t off, unsigned no)
{
	struct line l = { text + off, 0, no, 0, false, false };
	const char *end = memchr(l.s, '\n', len - off);
	l.n = end ? (size_t)(end - l.s) : len - off;
	size_t i = 0;
	for (; i < l.n && (l.s[i] == ' ' || l.s[i] == '\t'); i++) {
		if (l.s[i] == '\t')
			l.tab = true;
		else if (!l.tab)
			l.indent++;
	}
	l.content = i < l.n && l.s[i] != '#' && l.s[i] != '\r';
	return l;
}

/* The key a line starts with ("vcpus" of "  vcpus: 4", "address" of "- address: x"), at
 * most `size` - 1 characters, into buf; false when it starts with no plain key. */
static bool line_key(const struct line *l, char *buf, size_t size)
{
	size_t i = 0;
	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t' || l->s[i] == '-'))
		i++;
	size_t k = i;
	while (k < l->n && l->s[k] != ':' && l->s[k] != ' ' && l->s[k] != '#' && l->s[k] != '"' &&
	       l->s[k] != '\'')
		k++;
	if (k == i || k >= l->n || l->s[k] != ':' || k - i >= size)
		return false;
	memcpy(buf, l->s + i, k - i);
	buf[k - i] = '\0';
	return true;
}

/* "'vcpus'" or "line 5", for messages. */
static void name_line(const struct line *l, char *buf, size_t size)
{
	char key[48];
	if (line_key(l, key, sizeof key))
		snprintf(buf, size, "'%s'", key);
	else
		snprintf(buf, size, "line %u", l->no);
}

/* Does the line end with "key:" and nothing after it (a block follows)? */
static bool opens_block(const struct line *l)
{
	size_t n = l->n;
	const char *hash = NULL;
	for (size_t i = 0; i < n; i++)
		if (l->s[i] == '#' && (i == 0 || l->s[i - 1] == ' ')) {
			hash = l->s + i;
			break;
		}
	if (hash)
		n = (size_t)(hash - l->s);
	while (n && (l->s[n - 1] == ' ' || l->s[n - 1] == '\r'))
		n--;
	return (n && l->s[n - 1] == ':') || (n >= 1 && l->s[n - 1] == '-' &&
					     (n == 1 || l->s[n - 2] == ' '));
}

static const char *spaces(unsigned n)
{
	return n == 1 ? "space" : "spaces";
}

static bool is_item(const struct line *l)
{
	return l->indent < l->n && l->s[l->indent] == '-' &&
	       (l->indent + 1 == l->n || l->s[l->indent + 1] == ' ');
}

/* A column a line above may be continued at: a block's indentation and the line that set it. */
struct level {
	unsigned col;
	const struct line *at;
};

#define MAX_LEVELS 64
#define MAX_LINES 4096  /* lines looked back at; deeper than a config gets */

static bool explain(struct diags *ds, const char *file, const struct line *lines, size_t nl,
		    const char *problem);

bool yaml_explain_indent(struct diags *ds, const char *file, const char *text, size_t len,
			 unsigned line, const char *problem)
{
	/* The last MAX_LINES content lines up to the problem's (and that one), in a ring. */
	struct line *ring = xcalloc(MAX_LINES, sizeof *ring), *lines = xcalloc(MAX_LINES, sizeof *lines);
	size_t total = 0, off = 0;
	for (unsigned no = 1; off <= len && no <= line; no++) {
		struct line l = line_at(text, len, off, no);
		if (l.content || no == line)
			ring[total++ % MAX_LINES] = l;
		off += l.n + 1;
	}
	size_t nl = total < MAX_LINES ? total : MAX_LINES;
	for (size_t i = 0; i < nl; i++)
		lines[i] = ring[(total - nl + i) % MAX_LINES];
	free(ring);
	bool said = nl && lines[nl - 1].no == line && lines[nl - 1].content &&
		    explain(ds, file, lines, nl, problem);
	free(lines);
	return said;
}

static bool explain(struct diags *ds, const char *file, const struct line *lines, size_t nl,
		    const char *problem)
{
	unsigned line = lines[nl - 1].no;
	const struct line *bad = &lines[nl - 1];
	struct loc at = { file, line, bad->indent + 1, 1 };
	char name[64];
	name_line(bad, name, sizeof name);

	if (bad->tab) {
		struct diag *d = diag_emit(ds, D_YAML_SYNTAX, &at,
					   "line %u is indented with a tab; YAML indents with spaces only",
					   line);
		const struct line *prev = nl > 1 ? &lines[nl - 2] : NULL;
		if (prev && opens_block(prev))
			diag_hint(d, "replace the tab with spaces: %u to put %s under line %u", prev->indent + 2,
				  name, prev->no);
		else if (prev)
			diag_hint(d, "replace the tab with spaces: %u to line %s up with line %u",
				  prev->indent, name, prev->no);
		else
			diag_hint(d, "replace the tab with spaces");
		diag_note(d, NULL, "libyaml: %s", problem);
		return true;
	}

	/* The columns the problem line may go back to: each block it is in, innermost first. */
	struct level lv[MAX_LEVELS];
	size_t n = 0;
	unsigned below = (unsigned)-1;
	for (size_t i = nl - 1; i-- > 0 && n < MAX_LEVELS - 1;) {
		const struct line *l = &lines[i];
		/* "- key: v" opens two columns: the item's key, then the dash. */
		size_t k = l->indent;
		while (k < l->n && l->s[k] == '-' && k + 1 < l->n && l->s[k + 1] == ' ') {
			k += 2;
			while (k < l->n && l->s[k] == ' ')
				k++;
		}
		if (k > l->indent && k < below && k < l->n) {
			lv[n++] = (struct level){ (unsigned)k, l };
			below = (unsigned)k;
		}
		if (l->indent < below && n < MAX_LEVELS) {
			lv[n++] = (struct level){ l->indent, l };
			below = l->indent;
		}
		if (below == 0)
			break;
	}
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lv[i].col == bad->indent)
			return false;  /* the indentation is one that fits: something else is wrong */

	struct diag *d;
	const struct line *prev = &lines[nl - 2];
	if (bad->indent > lv[0].col) {
		if (opens_block(prev))
			return false;
		char pname[64];
		name_line(prev, pname, sizeof pname);
		d = diag_emit(ds, D_YAML_INDENT, &at,
			      "%s is indented by %u %s, more than %s on line %u above it, which "
			      "already has a value", name, bad->indent, spaces(bad->indent), pname,
			      prev->no);
		diag_hint(d, "indent line %u by %u %s, as line %u is, to put %s beside %s", line,
			  prev->indent, spaces(prev->indent), prev->no, name, pname);
	} else {
		size_t i = 0;
		while (i + 1 < n && lv[i + 1].col > bad->indent)
			i++;
		/* lv[i].col > indent > lv[i + 1].col (when there is one). */
		char inner[64], outer[64];
		name_line(lv[i].at, inner, sizeof inner);
		d = diag_emit(ds, D_YAML_INDENT, &at,
			      "%s is indented by %u %s, which lines up with no block above it",
			      name, bad->indent, spaces(bad->indent));
		/* An item most likely continues the list of the last item above it. */
		const struct level *list = NULL;
		for (size_t j = 0; is_item(bad) && j < n && !list; j++)
			if (is_item(lv[j].at) && lv[j].at->indent == lv[j].col)
				list = &lv[j];
		const struct level *near = list ? list : &lv[i];
		struct loc il = { file, near->at->no, near->col + 1, 1 };
		if (list)
			diag_note(d, &il, "the list above starts at %u %s", near->col, spaces(near->col));
		else
			diag_note(d, &il, "the block %s is in starts at %u %s", inner, near->col,
				  spaces(near->col));
		if (list) {
			diag_hint(d, "indent line %u by %u %s, as the item on line %u is", line, list->col,
				  spaces(list->col), list->at->no);
		} else if (i + 1 < n) {
			name_line(lv[i + 1].at, outer, sizeof outer);
			diag_hint(d, "indent line %u by %u %s to put %s beside %s (line %u), or by %u "
				  "to put it beside %s (line %u)", line, lv[i].col, spaces(lv[i].col), name,
				  inner, lv[i].at->no, lv[i + 1].col, outer, lv[i + 1].at->no);
		} else {
			diag_hint(d, "indent line %u by %u %s to put %s beside %s (line %u)", line,
				  lv[i].col, spaces(lv[i].col), name, inner, lv[i].at->no);
		}
	}
	diag_note(d, NULL, "libyaml: %s", problem);
	return true;
}
