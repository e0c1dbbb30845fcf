/* yamldoc.c: reads YAML with libyaml's event parser into a located tree (yamldoc.h).
 * Building from events rather than yaml_document_t lets us stop at the first alias,
 * tag, second document or excessive depth, before anything is expanded. */
#include "base/yamldoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/escape.h"
#include "base/yamlindent.h"

/* A node under construction: its children are collected in a malloc'd vector and
 * copied into the arena when the node ends. */
struct frame {
	struct ynode *node;
	struct ynode **kids;
	size_t n, cap;
};

struct reader {
	const char *file;       /* registered name, used in every loc */
	const char *text;
	size_t len;
	struct arena *arena;
	struct diags *ds;
	struct frame *stack;
	size_t depth, cap;
	size_t scan_off, scan_idx;  /* bidi_scan's place: byte offset, character index */
	bool failed;
};

static struct loc mark_loc(const struct reader *r, yaml_mark_t start, yaml_mark_t end)
{
	struct loc l = { r->file, (unsigned)start.line + 1, (unsigned)start.column + 1, 0 };
	if (end.line == start.line && end.column > start.column)
		l.len = (unsigned)(end.column - start.column);
	return l;
}

/* Line and column (in characters) of a byte offset, for problems found outside libyaml. */
static struct loc offset_loc(const struct reader *r, size_t off)
{
	struct loc l = { r->file, 1, 1, 1 };
	for (size_t i = 0; i < off && i < r->len; i++) {
		if (r->text[i] == '\n') {
			l.line++;
			l.col = 1;
		} else if (((unsigned char)r->text[i] & 0xc0) != 0x80) {
			l.col++;
		}
	}
	return l;
}

/* The code point of the valid UTF-8 sequence at p (at most n bytes) and its length in *len,
 * or *len = 0 if it is invalid. */
static unsigned utf8_decode(const unsigned char *p, size_t n, size_t *len)
{
	unsigned min;
	*len = 0;
	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	size_t l;
	if ((p[0] & 0xe0) == 0xc0) { l = 2; min = 0x80; }
	else if ((p[0] & 0xf0) == 0xe0) { l = 3; min = 0x800; }
	else if ((p[0] & 0xf8) == 0xf0) { l = 4; min = 0x10000; }
	else return 0;
	if (l > n)
		return 0;
	unsigned cp = p[0] & (0x7f >> l);
	for (size_t i = 1; i < l; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*len = l;
	return cp;
}

/* A character YAML 1.1 does not allow in a stream (its c-printable production), which
 * libyaml refuses too: C0 controls but tab, LF and CR; DEL; C1 controls but U+0085;
 * U+FFFE and U+FFFF. */
static bool unprintable(unsigned cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	       (cp >= 0x7f && cp <= 0x9f && cp != 0x85) || cp == 0xfffe || cp == 0xffff;
}

/* Why a file that is not text is refused, at its place but without quoting its line: a
 * config or snapshot path can name any file (/proc/self/environ, a token), and a CI log
 * must not receive its content. */
static void not_text(struct reader *r, size_t off, const char *hint, const char *fmt, unsigned v)
{
	struct loc l = offset_loc(r, off);
	l.file = diags_add_source(r->ds, r->file, "", 0);  /* registered empty: nothing quoted */
	struct diag *d = diag_emit(r->ds, D_YAML_SYNTAX, &l, fmt, v);
	diag_hint(d, "%s", hint);
}

/* What a character libyaml reads as a line break but an editor does not is called, in
 * buf (hidden.def's row, or a lone CR), or NULL. */
static const char *hidden_break(const unsigned char *p, size_t left, char buf[64])
{
	size_t n;
	const struct esc_hidden *h = esc_hidden((const char *)p, &n);
	if (h && h->kind == ESC_HIDDEN_BREAK && n <= left) {
		snprintf(buf, 64, "U+%04X (%s)", h->cp, h->name);
		return buf;
	}
	return p[0] == '\r' && (left < 2 || p[1] != '\n') ? "a carriage return without a line feed"
							   : NULL;
}

static void hidden_line(struct reader *r, size_t off, const char *what)
{
	struct loc l = offset_loc(r, off);
	struct diag *d = diag_emit(r->ds, D_HIDDEN_TEXT, &l, "%s: YAML starts a new line here, "
				   "but editors, cat and git diff show one line", what);
	diag_hint(d, "remove it; what follows it on this line would be read as a line of its own "
		  "(a comment could end there and a key begin)");
}

/* Before libyaml reads anything: NUL bytes (which would end its input early), invalid UTF-8
 * and control characters (reported by libyaml without a line, and a sign the file is not a
 * vfioc file at all: refused without quoting it), and line breaks that do not show (the
 * line in the message is the line an editor shows). */
static bool check_bytes(struct reader *r)
{
	const unsigned char *p = (const unsigned char *)r->text;
	for (size_t i = 0; i < r->len;) {
		size_t n;
		unsigned cp = utf8_decode(p + i, r->len - i, &n);
		const char *what;
		char name[64];
		if (p[i] == 0) {
			not_text(r, i, "a vfioc file is UTF-8 text; is this a binary file?",
				 "NUL byte in the file%.0u", 0);
			return false;
		}
		if (!n) {
			not_text(r, i, "save the file as UTF-8", "invalid UTF-8 (byte 0x%02x)", p[i]);
			return false;
		}
		if (unprintable(cp)) {
			not_text(r, i, "a vfioc file is text: remove the character",
				 "control character U+%04X in the file", cp);
			return false;
		}
		if ((what = hidden_break(p + i, r->len - i, name))) {
			hidden_line(r, i, what);
			return false;
		}
		i += n;
	}
	return true;
}

/* Bidirectional controls are refused outside quoted strings, where they would reorder
 * how the file's structure shows; inside one they are part of a value, which its key's
 * rules then judge. The text is scanned along with the parse: bidi_scan moves to the
 * character index `to` (libyaml's marks count characters), refusing a control on the way
 * unless the way is a quoted string. */
static bool bidi_scan(struct reader *r, size_t to, bool quoted)
{
	while (r->scan_off < r->len && r->scan_idx < to) {
		size_t n;
		const struct esc_hidden *h = esc_hidden(r->text + r->scan_off, &n);
		if (h && h->kind == ESC_HIDDEN_BIDI && !quoted) {
			struct loc l = offset_loc(r, r->scan_off);
			struct diag *d = diag_emit(r->ds, D_HIDDEN_TEXT, &l,
						   "a bidirectional control (U+%04X) outside a quoted string", h->cp);
			diag_hint(d, "remove it: it reorders how the line shows, so a key can look like "
				  "part of a comment, or one value like another (\"Trojan Source\", "
				  "CVE-2021-42574); right-to-left text belongs in a \"quoted string\"");
			return false;
		}
		unsigned char c = (unsigned char)r->text[r->scan_off];
		r->scan_off += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;  /* checked UTF-8 */
		r->scan_idx++;
	}
	return true;
}

static void syntax_error(struct reader *r, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		diag_emit(r->ds, D_IO_ERROR, NULL, "out of memory while reading %s", r->file);
		return;
	}
	if (p->error != YAML_READER_ERROR && p->problem &&
	    yaml_explain_indent(r->ds, r->file, r->text, r->len, (unsigned)p->problem_mark.line + 1,
				p->problem))
		return;
	struct loc l;
	if (p->error == YAML_READER_ERROR)
		l = offset_loc(r, p->problem_offset);
	else
		l = mark_loc(r, p->problem_mark, p->problem_mark);
	struct diag *d = diag_emit(r->ds, D_YAML_SYNTAX, &l, "%s",
				   p->problem ? p->problem : "invalid YAML");
	if (p->context && p->error != YAML_READER_ERROR) {
		struct loc c = mark_loc(r, p->context_mark, p->context_mark);
		diag_note(d, &c, "%s", p->context);
	}
	if (p->problem_mark.index < r->len && r->text[p->problem_mark.index] == '\t')
		diag_hint(d, "YAML does not allow tabs for indentation: indent with spaces");
}

static struct ynode *new_node(struct reader *r, enum ykind kind, const yaml_event_t *ev)
{
	struct ynode *n = arena_alloc(r->arena, sizeof(*n));
	n->kind = kind;
	n->loc = mark_loc(r, ev->start_mark, ev->end_mark);
	return n;
}

static bool reject_tag(struct reader *r, const yaml_event_t *ev, const yaml_char_t *tag,
		       bool implicit)
{
	if (!tag || implicit)
		return false;
	struct loc l = mark_loc(r, ev->start_mark, ev->end_mark);
	struct diag *d = diag_emit(r->ds, D_YAML_TAG, &l, "explicit tag '%s' is not accepted",
				   (const char *)tag);
	diag_hint(d, "remove the tag; quote the value to make it a string");
	return true;
}

/* Duplicate keys: sort the keys, compare neighbours. Reports the later of each pair. */
static int cmp_key(const void *a, const void *b)
{
	const struct ypair *x = *(struct ypair *const *)a, *y = *(struct ypair *const *)b;
	int c = strcmp(x->key->str, y->key->str);
	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static void check_duplicates(struct reader *r, struct ynode *map)
{
	if (map->n < 2)
		return;
	struct ypair **sorted = xmalloc(map->n * sizeof(*sorted));
	for (size_t i = 0; i < map->n; i++)
		sorted[i] = &map->pairs[i];
	qsort(sorted, map->n, sizeof(*sorted), cmp_key);
	for (size_t i = 1; i < map->n; i++) {
		if (strcmp(sorted[i - 1]->key->str, sorted[i]->key->str))
			continue;
		struct ypair *first = sorted[i - 1];
		while (i < map->n && !strcmp(first->key->str, sorted[i]->key->str)) {
			struct diag *d = diag_emit(r->ds, D_DUPLICATE_KEY, &sorted[i]->key->loc,
						   "duplicate key '%s'", sorted[i]->key->str);
			diag_note(d, &first->key->loc, "first defined here");
			i++;
		}
	}
	free(sorted);
}

/* Close the node on top of the stack: move its children into the arena. */
static struct ynode *pop(struct reader *r)
{
	struct frame *f = &r->stack[--r->depth];
	struct ynode *n = f->node;
	if (n->kind == Y_SEQ) {
		n->n = f->n;
		n->items = arena_alloc(r->arena, f->n * sizeof(*n->items));
		if (f->n)  /* an empty list has no kids vector at all */
			memcpy(n->items, f->kids, f->n * sizeof(*n->items));
	} else {
		n->n = f->n / 2;
		n->pairs = arena_alloc(r->arena, n->n * sizeof(*n->pairs));
		for (size_t i = 0; i < n->n; i++)
			n->pairs[i] = (struct ypair){ f->kids[2 * i], f->kids[2 * i + 1] };
		check_duplicates(r, n);
	}
	free(f->kids);
	return n;
}

/* Attach a finished node to its parent (or make it the root). */
static void attach(struct reader *r, struct ynode *n, struct ynode **root)
{
	if (!r->depth) {
		*root = n;
		return;
	}
	struct frame *f = &r->stack[r->depth - 1];
	if (f->node->kind == Y_MAP && f->n % 2 == 0 && n->kind != Y_SCALAR) {
		struct diag *d = diag_emit(r->ds, D_KEY_NOT_STRING, &n->loc,
					   "a mapping key must be a plain string, not %s",
					   ykind_name(n));
		diag_hint(d, "write the key as a word followed by ':'");
		r->failed = true;
		/* Keep the tree well-formed (keys are scalars) for the rest of the parse. */
		struct ynode *key = arena_alloc(r->arena, sizeof(*key));
		*key = (struct ynode){ .kind = Y_SCALAR, .loc = n->loc, .str = "", .plain = true };
		n = key;
	}
	VEC_PUSH(f->kids, f->n, f->cap) = n;
}

static bool push(struct reader *r, struct ynode *n)
{
	if (r->depth >= YDOC_MAX_DEPTH) {
		diag_emit(r->ds, D_YAML_DEPTH, &n->loc,
			  "nesting deeper than %d levels", YDOC_MAX_DEPTH);
		return false;
	}
	VEC_PUSH(r->stack, r->depth, r->cap) = (struct frame){ .node = n };
	return true;
}

static struct ynode *scalar(struct reader *r, const yaml_event_t *ev)
{
	struct ynode *n = new_node(r, Y_SCALAR, ev);
	n->str = arena_strndup(r->arena, (const char *)ev->data.scalar.value, ev->data.scalar.length);
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return n;
}

/* One event. Returns false to stop parsing. */
static bool on_event(struct reader *r, const yaml_event_t *ev, struct ynode **root, int *docs)
{
	struct loc l = mark_loc(r, ev->start_mark, ev->end_mark);
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1) {
			struct diag *d = diag_emit(r->ds, D_YAML_MULTIDOC, &l,
						   "a second YAML document in the file");
			diag_hint(d, "a vfioc file holds one document: remove the '---' line and what follows, or merge them");
			return false;
		}
		return true;
	case YAML_ALIAS_EVENT: {
		struct diag *d = diag_emit(r->ds, D_YAML_ALIAS, &l, "YAML alias '*%s' is not accepted",
					   (const char *)ev->data.alias.anchor);
		diag_hint(d, "write the value out; aliases are refused so that no file can expand to gigabytes");
		return false;
	}
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
			if (!bidi_scan(r, ev->start_mark.index, false) ||
			    !bidi_scan(r, ev->end_mark.index, true))
				return false;
		if (reject_tag(r, ev, ev->data.scalar.tag, ev->data.scalar.plain_implicit ||
			       ev->data.scalar.quoted_implicit))
			return false;
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
			/* A "\0" escape: every string after this is a C string, cut at the NUL. */
			struct diag *d = diag_emit(r->ds, D_YAML_SYNTAX, &l,
						   "a NUL character (\\0) in a string");
			diag_hint(d, "remove the \\0 escape: no value of a vfioc file can hold a NUL");
			r->failed = true;
		}
		attach(r, scalar(r, ev), root);
		return true;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		const yaml_char_t *tag = seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
		int impl = seq ? ev->data.sequence_start.implicit : ev->data.mapping_start.implicit;
		if (reject_tag(r, ev, tag, impl))
			return false;
		return push(r, new_node(r, seq ? Y_SEQ : Y_MAP, ev));
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		attach(r, pop(r), root);
		return true;
	default:
		return true;
	}
}

struct ynode *ydoc_load_mem(const char *name, const char *text, size_t len,
			    struct arena *a, struct diags *ds)
{
	struct reader r = { .text = text, .len = len, .arena = a, .ds = ds };
	if (len > YDOC_MAX_BYTES) {
		struct loc l = { diags_add_source(ds, name, "", 0), 0, 0, 0 };
		diag_emit(ds, D_FILE_TOO_LARGE, &l, "file is larger than %u MiB", YDOC_MAX_BYTES >> 20);
		return NULL;
	}
	r.file = diags_add_source(ds, name, text, len);
	if (!check_bytes(&r))
		return NULL;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		r.scan_off = 3;  /* libyaml does not count a byte order mark */

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		diag_emit(ds, D_IO_ERROR, NULL, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	struct ynode *root = NULL;
	int docs = 0;
	bool ok = true, done = false;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&r, &parser);
			ok = false;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ok = on_event(&r, &ev, &root, &docs);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	while (r.depth)
		free(r.stack[--r.depth].kids);
	free(r.stack);
	if (ok && !bidi_scan(&r, (size_t)-1, false))
		ok = false;
	if (ok && !docs) {
		struct loc l = { r.file, 0, 0, 0 };
		struct diag *d = diag_emit(ds, D_EMPTY_FILE, &l, "the file is empty");
		diag_hint(d, "start from examples/seed/host.yaml, or run 'vfioc schema' for the keys");
		return NULL;
	}
	return ok && !r.failed ? root : NULL;
}

struct ynode *ydoc_load_file(const char *path, struct arena *a, struct diags *ds)
{
	char *text;
	size_t len;
	/* As a snapshot is read: a FIFO must not stall a CI job, nor a device feed it forever. */
	int err = read_regular_file(path, YDOC_MAX_BYTES, &text, &len);
	if (err == EFBIG || err == EINVAL) {
		struct loc l = { diags_add_source(ds, path, "", 0), 0, 0, 0 };
		if (err == EFBIG)
			diag_emit(ds, D_FILE_TOO_LARGE, &l, "file is larger than %u MiB",
				  YDOC_MAX_BYTES >> 20);
		else
			diag_hint(diag_emit(ds, D_REFUSED_FILE, &l, "not a regular file (a FIFO, "
					    "a device or a socket)"), "name the YAML file itself");
		return NULL;
	}
	if (err) {
		diag_emit(ds, D_IO_ERROR, NULL, "cannot read %s: %s", path, strerror(err));
		return NULL;
	}
	struct ynode *root = ydoc_load_mem(path, text, len, a, ds);
	free(text);
	return root;
}

const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->pairs[i].key->str, key) == 0)
			return map->pairs[i].val;
	return NULL;
}

bool yscalar_is_null(const struct ynode *n)
{
	return n->kind == Y_SCALAR && n->plain &&
	       (n->len == 0 || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
		!strcmp(n->str, "Null") || !strcmp(n->str, "NULL"));
}

const char *ykind_name(const struct ynode *n)
{
	if (n->kind == Y_SEQ)
		return "a list";
	if (n->kind == Y_MAP)
		return "a mapping";
	return yscalar_is_null(n) ? "null" : "a string";
}
