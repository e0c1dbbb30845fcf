/* escape.h: writing strings that come from files (snapshot names, paths, config values) so
 * that they cannot act on a terminal or break the format around them, for what vfioc prints:
 * text, JSON strings and GitHub annotations (diagnostics, `vfioc groups`); what vfioc writes
 * into files: YAML strings and comments (init, the snapshot); and the characters no file
 * vfioc writes may hold raw (base/hidden.def), which the YAML reader refuses. Generated
 * files quote in their own format: Nix strings in backends/emit.c, XML through libxml2, each
 * spelling hidden.def's characters with esc_hidden_spell. */
#ifndef VFIOC_ESCAPE_H
#define VFIOC_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/util.h"

/* For a terminal or a log, on one line: newline as \n, tab as \t, other C0 controls and DEL
 * as \xNN, C1 controls (U+0080-U+009F, which terminals may read as CSI) and the invisible
 * characters of esc_invisible as \uNNNN, bytes that are not UTF-8 as \xNN. Everything else
 * as is. */
void esc_text(FILE *out, const char *s);
/* The n bytes of one line from a file vfioc did not write (a diff's removed and context
 * lines), as esc_text but a tab as is, so a diff of ordinary text stays the same: controls,
 * base/hidden.def's characters and bytes that are not UTF-8 never reach a terminal raw.
 * s[n] must be readable (the line's '\n', or a NUL after the text). */
void esc_line(FILE *out, const char *s, size_t n);
/* A character no file vfioc writes may hold raw: a row of base/hidden.def. */
enum esc_hidden_kind { ESC_HIDDEN_BREAK, ESC_HIDDEN_BIDI };
struct esc_hidden {
	unsigned cp;                /* its code point */
	enum esc_hidden_kind kind;  /* a line break to YAML only, or a bidirectional control */
	const char *name;           /* "RIGHT-TO-LEFT OVERRIDE" */
};
/* The row of base/hidden.def whose character s starts with, else NULL; *len: its bytes
 * (0 with NULL). They are U+0085, U+2028 and U+2029, which YAML reads as line breaks and
 * editors, `cat` and `git diff` do not, and the bidirectional controls U+061C, U+200E,
 * U+200F, U+202A-U+202E and U+2066-U+2069, which reorder a line on screen ("Trojan
 * Source", CVE-2021-42574). */
const struct esc_hidden *esc_hidden(const char *s, size_t *len);
/* Whether s holds a character of base/hidden.def raw anywhere. */
bool esc_has_hidden(const char *s);
/* esc_hidden's code point, or 0. esc_text and esc_json escape these characters; the YAML
 * reader refuses them. */
unsigned esc_invisible(const char *s, size_t *len);
/* The n bytes at s appended to b, each character of base/hidden.def spelled as pre, its
 * code point in 4 upper-case hex digits, then post: a format's escape that keeps the value
 * ("\u" then "" in a YAML double-quoted string; "&#x" then ";" in XML text). Where the format
 * has no such escape it must not be used (a comment takes esc_comment). */
void esc_hidden_spell(struct buf *b, const char *s, size_t n, const char *pre, const char *post);
/* s as comment text in any format (YAML, Nix and shell '#', XML): on one line and shown as it
 * reads. The characters of base/hidden.def as "U+NNNN" (a reviewer sees that one was there
 * and which), other controls (C0, DEL, C1) and bytes that are not UTF-8 as '?'. */
void esc_comment(struct buf *b, const char *s);
/* s as a YAML double-quoted string, quotes included, which libyaml reads back as s: " and
 * \ escaped, C0 controls and DEL as \xNN, C1 controls and base/hidden.def's characters as
 * \uNNNN, bytes that are not UTF-8 as \uFFFD (YAML text is Unicode). */
void esc_yaml(struct buf *b, const char *s);
/* A JSON string with its quotes, always valid UTF-8: controls (C0, DEL, C1) and the
 * invisible characters of esc_invisible as \uNNNN, bytes that are not UTF-8 as U+FFFD. */
void esc_json(FILE *out, const char *s);
/* A GitHub workflow command's message (property false) or property value: % CR LF (and
 * : , in properties) percent-encoded as GitHub decodes them, then esc_text's rules. */
void esc_github(FILE *out, const char *s, bool property);

#endif
