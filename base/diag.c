/* diag.c: collecting diagnostics, and printing them as text (gcc style, with the source
 * line and a caret), JSON, or GitHub Actions annotations. */
#include "base/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/term.h"
#include "base/util.h"

#define MAX_PRINTED 100  /* like gcc's -fmax-errors: a garbled file must not print megabytes */
#define MAX_NOTES 20     /* notes, and hints, per diagnostic: a group of 10^5 devices must not
			  * print 10^5 of each */
/* Notes and hints kept in one run, in all: beyond them (and beyond MAX_NOTES of each per
 * diagnostic) a note is only counted, never formatted or stored, so 2,500 VMs each
 * reporting a 2,500-device group cost memory in the VMs, not VMs x devices. Room for every
 * printed diagnostic's full share, twice over. */
#define MAX_RUN_NOTES (4 * MAX_PRINTED * MAX_NOTES)

static const struct {
	enum severity sev;
	const char *code, *doc;
} table[D_COUNT] = {
#define DIAG(id, sev, code, doc) [D_##id] = { SEV_##sev, code, doc },
#include "base/diag.def"
#undef DIAG
};

struct note {
	struct loc loc;  /* unset for a hint */
	char *msg;
	bool hint;
};

struct diag {
	enum diag_id id;
	struct loc loc;
	char *msg;
	size_t seq;      /* emission order, the last sort key */
	struct note *notes;
	size_t nnotes, capnotes;
	size_t kept[2], more[2];  /* notes [0] and hints [1]: stored, and only counted */
	struct diags *owner;      /* for the run's cap */
};

struct source {
	char *name, *text;
	size_t len;
};

struct diags {
	struct diag **d;
	size_t n, cap;
	size_t count[SEV_NOTE + 1];  /* per severity: asked once per config object */
	size_t kept_notes;           /* notes and hints stored, against MAX_RUN_NOTES */
	struct source *src;
	size_t nsrc, capsrc;
};

struct diags *diags_new(void)
{
	return xcalloc(1, sizeof(struct diags));
}

void diags_free(struct diags *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->n; i++) {
		struct diag *d = ds->d[i];
		for (size_t j = 0; j < d->nnotes; j++)
			free(d->notes[j].msg);
		free(d->notes);
		free(d->msg);
		free(d);
	}
	for (size_t i = 0; i < ds->nsrc; i++) {
		free(ds->src[i].name);
		free(ds->src[i].text);
	}
	free(ds->src);
	free(ds->d);
	free(ds);
}

const char *diags_add_source(struct diags *ds, const char *name, const char *text, size_t len)
{
	struct source *s = &VEC_PUSH(ds->src, ds->nsrc, ds->capsrc);
	s->name = xstrdup(name);
	s->text = xstrndup(text, len);
	s->len = len;
	return s->name;
}

static char *vformat(const char *fmt, va_list ap)
{
	struct buf b = {0};
	buf_vprintf(&b, fmt, ap);
	return b.s ? b.s : xstrdup("");
}

struct diag *diag_emit(struct diags *ds, enum diag_id id, const struct loc *loc,
		       const char *fmt, ...)
{
	struct diag *d = xcalloc(1, sizeof(*d));
	d->id = id;
	if (loc)
		d->loc = *loc;
	va_list ap;
	va_start(ap, fmt);
	d->msg = vformat(fmt, ap);
	va_end(ap);
	d->seq = ds->n;
	d->owner = ds;
	VEC_PUSH(ds->d, ds->n, ds->cap) = d;
	ds->count[table[id].sev]++;
	return d;
}

void diags_move(struct diags *to, struct diags *from)
{
	for (size_t i = 0; i < from->n; i++) {
		from->d[i]->seq = to->n;
		from->d[i]->owner = to;
		VEC_PUSH(to->d, to->n, to->cap) = from->d[i];
		to->count[table[from->d[i]->id].sev]++;
	}
	memset(from->count, 0, sizeof(from->count));
	to->kept_notes += from->kept_notes;
	from->kept_notes = 0;
	for (size_t i = 0; i < from->nsrc; i++)
		VEC_PUSH(to->src, to->nsrc, to->capsrc) = from->src[i];
	from->n = from->nsrc = 0;
}

bool diag_full(const struct diag *d, bool hint)
{
	return d->kept[hint] >= MAX_NOTES || d->owner->kept_notes >= MAX_RUN_NOTES;
}

void diag_count_more(struct diag *d, bool hint, size_t n)
{
	d->more[hint] += n;
}

static void add_note(struct diag *d, const struct loc *loc, bool hint, char *msg)
{
	struct note *n = &VEC_PUSH(d->notes, d->nnotes, d->capnotes);
	n->loc = loc ? *loc : (struct loc){0};
	n->msg = msg;
	n->hint = hint;
	d->kept[hint]++;
	d->owner->kept_notes++;
}

void diag_note(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	if (diag_full(d, false)) {
		d->more[0]++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	add_note(d, loc, false, vformat(fmt, ap));
	va_end(ap);
}

void diag_hint(struct diag *d, const char *fmt, ...)
{
	if (diag_full(d, true)) {
		d->more[1]++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	add_note(d, NULL, true, vformat(fmt, ap));
	va_end(ap);
}

size_t diags_count(const struct diags *ds, enum severity sev)
{
	return ds->count[sev];
}

bool diags_has_errors(const struct diags *ds)
{
	return diags_count(ds, SEV_ERROR) + diags_count(ds, SEV_SYSTEM) > 0;
}

int diags_exit_code(const struct diags *ds, bool werror)
{
	if (diags_count(ds, SEV_SYSTEM))
		return EXIT_SYSTEM;
	if (diags_count(ds, SEV_ERROR) || (werror && diags_count(ds, SEV_WARNING)))
		return EXIT_INPUT;
	return EXIT_OK;
}

const char *diag_code(enum diag_id id) { return table[id].code; }
const char *diag_doc(enum diag_id id) { return table[id].doc; }
enum severity diag_severity(enum diag_id id) { return table[id].sev; }

static const char *sev_word(enum severity s)
{
	return s == SEV_WARNING ? "warning" : s == SEV_NOTE ? "note" : "error";
}

/* Diagnostics without a place first, then by file, line, column, emission order. */
static int cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = *(struct diag *const *)pa, *b = *(struct diag *const *)pb;
	const char *fa = a->loc.file ? a->loc.file : "", *fb = b->loc.file ? b->loc.file : "";
	int c = strcmp(fa, fb);
	if (c)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const struct source *find_source(const struct diags *ds, const char *name)
{
	for (size_t i = ds->nsrc; name && i-- > 0;)
		if (strcmp(ds->src[i].name, name) == 0)
			return &ds->src[i];
	return NULL;
}

/* The text of line `line` (1-based) of a source, without its newline. */
static const char *source_line(const struct source *s, unsigned line, size_t *len)
{
	const char *p = s->text, *end = s->text + s->len;
	for (unsigned l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end)
		return NULL;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

/* "   14 |       - address: x" and "      |         ^~~~". Control bytes and tabs print as
 * one space each so the caret stays under its column; long lines are cut. */
static void print_quote(const struct diags *ds, const struct loc *loc, FILE *out, bool color)
{
	const struct source *s = find_source(ds, loc->file);
	size_t len;
	const char *text = s && loc->line ? source_line(s, loc->line, &len) : NULL;
	if (!text)
		return;
	if (len > 200)
		len = 200;
	fprintf(out, "%5u | ", loc->line);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] < 0xa0) {
			fputc(' ', out);  /* a C1 control (U+0080-U+009F), one column like the others */
			i++;
			continue;
		}
		size_t hidden;
		if (c >= 0xd8 && esc_invisible(text + i, &hidden) && i + hidden <= len) {
			fputc(' ', out);  /* a line separator or bidi control: one column, not raw */
			i += hidden - 1;
			continue;
		}
		fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
	}
	fputs("\n      | ", out);
	term_sgr(out, color, TS_HINT);
	/* libyaml counts columns in characters; skip UTF-8 continuation bytes to match. */
	unsigned col = 1;
	for (size_t i = 0; i < len && col < loc->col; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80) {
			fputc(' ', out);
			col++;
		}
	fputc('^', out);
	for (unsigned i = 1; i < loc->len && i < 80; i++)
		fputc('~', out);
	term_sgr(out, color, TS_RESET);
	fputc('\n', out);
}

/* Messages quote the user's values: a newline or escape sequence in a value must not
 * break the one-line format or reach the terminal raw. */
static void put_message(const char *s, FILE *out)
{
	esc_text(out, s);
}

static void print_prefix(const struct loc *loc, FILE *out, bool color)
{
	term_sgr(out, color, TS_BOLD);
	if (!loc->file) {
		fputs("vfioc:", out);
	} else {
		esc_text(out, loc->file);  /* a file name is text from elsewhere too */
		if (loc->line)
			fprintf(out, ":%u:%u", loc->line, loc->col);
		fputc(':', out);
	}
	term_sgr(out, color, TS_RESET);
	fputc(' ', out);
}

static enum term_style sev_style(enum severity s)
{
	return s == SEV_WARNING ? TS_WARNING : s == SEV_NOTE ? TS_NOTE : TS_ERROR;
}

/* "error: " in its colour. */
static void print_word(FILE *out, bool color, enum term_style st, const char *word)
{
	term_sgr(out, color, st);
	fprintf(out, "%s:", word);
	term_sgr(out, color, TS_RESET);
	fputc(' ', out);
}

static void print_text(const struct diags *ds, const struct diag *d, FILE *out, bool color)
{
	enum severity sev = table[d->id].sev;
	print_prefix(&d->loc, out, color);
	print_word(out, color, sev_style(sev), sev_word(sev));
	put_message(d->msg, out);
	fputc(' ', out);
	term_sgr(out, color, sev_style(sev));
	fprintf(out, "[%s]", table[d->id].code);
	term_sgr(out, color, TS_RESET);
	fputc('\n', out);
	print_quote(ds, &d->loc, out, color);
	for (size_t i = 0; i < d->nnotes; i++) {
		const struct note *n = &d->notes[i];
		const struct loc *at = n->hint || !n->loc.file ? &d->loc : &n->loc;
		print_prefix(at, out, color);
		print_word(out, color, n->hint ? TS_HINT : TS_NOTE, n->hint ? "hint" : "note");
		put_message(n->msg, out);
		fputc('\n', out);
		if (!n->hint && n->loc.file)
			print_quote(ds, &n->loc, out, color);
	}
	if (d->more[0] || d->more[1]) {
		print_prefix(&d->loc, out, color);
		fprintf(out, "note: %zu more notes and %zu more hints not shown\n", d->more[0],
			d->more[1]);
	}
}

static void json_str(FILE *out, const char *s)
{
	esc_json(out, s);
}

static void json_loc(FILE *out, const struct loc *l)
{
	fputs("\"file\": ", out);
	if (l->file)
		json_str(out, l->file);
	else
		fputs("null", out);
	fprintf(out, ", \"line\": %u, \"column\": %u", l->line, l->col);
}

static void print_json(const struct diag *d, FILE *out, bool first)
{
	fputs(first ? "  {" : ",\n  {", out);
	json_loc(out, &d->loc);
	fprintf(out, ", \"severity\": \"%s\", \"code\": \"%s\", \"message\": ",
		sev_word(table[d->id].sev), table[d->id].code);
	json_str(out, d->msg);
	for (int hints = 0; hints < 2; hints++) {
		fputs(hints ? ", \"hints\": [" : ", \"notes\": [", out);
		bool any = false;
		for (size_t i = 0; i < d->nnotes; i++) {
			const struct note *n = &d->notes[i];
			if (n->hint != hints)
				continue;
			fputs(any ? ", " : "", out);
			any = true;
			if (hints) {
				json_str(out, n->msg);
				continue;
			}
			fputc('{', out);
			json_loc(out, &n->loc);
			fputs(", \"message\": ", out);
			json_str(out, n->msg);
			fputc('}', out);
		}
		if (!hints && d->more[0])
			fprintf(out, "%s{\"file\": null, \"line\": 0, \"column\": 0, \"message\": "
				"\"%zu more notes not shown\"}", any ? ", " : "", d->more[0]);
		else if (hints && d->more[1])
			fprintf(out, "%s\"%zu more hints not shown\"", any ? ", " : "", d->more[1]);
		fputc(']', out);
	}
	fputc('}', out);
}

/* GitHub workflow commands: %, CR and LF escaped in messages; also ',' and ':' in
 * properties; ESC, BEL and the other controls too (escape.h). */
static void gh_escape(FILE *out, const char *s, bool property)
{
	esc_github(out, s, property);
}

static void print_github(const struct diag *d, FILE *out)
{
	enum severity sev = table[d->id].sev;
	fprintf(out, "::%s ", sev == SEV_WARNING ? "warning" : sev == SEV_NOTE ? "notice" : "error");
	if (d->loc.file) {
		fputs("file=", out);
		gh_escape(out, d->loc.file, true);
		if (d->loc.line)
			fprintf(out, ",line=%u,col=%u", d->loc.line, d->loc.col);
		fputc(',', out);
	}
	fprintf(out, "title=vfioc %s::", table[d->id].code);
	gh_escape(out, d->msg, false);
	for (size_t i = 0; i < d->nnotes; i++) {
		fputs(d->notes[i].hint ? "%0Ahint: " : "%0Anote: ", out);
		gh_escape(out, d->notes[i].msg, false);
	}
	if (d->more[0] || d->more[1])
		fprintf(out, "%%0Anote: %zu more notes and %zu more hints not shown", d->more[0],
			d->more[1]);
	fputc('\n', out);
}

static void print_all(const struct diags *ds, FILE *out, enum diag_format fmt, bool color)
{
	struct diag **sorted = xmalloc_array(ds->n, sizeof(*sorted));
	if (ds->n)   /* ds->d is NULL until the first diagnostic */
		memcpy(sorted, ds->d, ds->n * sizeof(*sorted));
	qsort(sorted, ds->n, sizeof(*sorted), cmp_diag);
	size_t shown = ds->n < MAX_PRINTED ? ds->n : MAX_PRINTED;
	if (fmt == DFMT_JSON)
		fputs("[\n", out);
	for (size_t i = 0; i < shown; i++) {
		if (fmt == DFMT_JSON)
			print_json(sorted[i], out, i == 0);
		else if (fmt == DFMT_GITHUB)
			print_github(sorted[i], out);
		else
			print_text(ds, sorted[i], out, color);
	}
	if (fmt == DFMT_JSON)
		fputs(shown ? "\n]\n" : "]\n", out);
	else if (shown < ds->n)
		fprintf(out, "vfioc: note: %zu more diagnostics not shown\n", ds->n - shown);
	free(sorted);
}

void diags_print(const struct diags *ds, FILE *out, enum diag_format fmt)
{
	/* Into memory first, then one write: stderr is unbuffered, and the escaping prints a
	 * character at a time (100 diagnostics of 20 notes each took 480,000 write calls, a
	 * third of a second). */
	bool color = fmt == DFMT_TEXT && term_colored(out);  /* out's, not the memory's */
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem) {
		print_all(ds, out, fmt, color);
		return;
	}
	print_all(ds, mem, fmt, color);
	fclose(mem);
	fwrite(text, 1, len, out);
	fflush(out);
	free(text);
}

void diag_json_string(FILE *out, const char *s)
{
	json_str(out, s);
}
