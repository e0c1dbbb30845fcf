/* escape.h: writing strings that come from files (snapshot names, paths, config values) so
 * that they cannot act on a terminal or break the format around them, for what vfioc prints:
 * text, JSON strings and GitHub annotations (diagnostics, `vfioc groups`), and the invisible
 * characters yamldoc and init look for. Generated files quote in their own format: Nix
 * strings in backends/emit.c, XML through libxml2. */
#ifndef VFIOC_ESCAPE_H
#define VFIOC_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* For a terminal or a log, on one line: newline as \n, tab as \t, other C0 controls and DEL
 * as \xNN, C1 controls (U+0080-U+009F, which terminals may read as CSI) and the invisible
 * characters of esc_invisible as \uNNNN, bytes that are not UTF-8 as \xNN. Everything else
 * as is. */
void esc_text(FILE *out, const char *s);
/* The code point that s starts with when it is a character that changes how the text
 * around it displays without showing itself, else 0 (*len: its bytes). They are U+2028 and
 * U+2029, which YAML reads as line breaks and editors, `cat` and `git diff` do not (U+0085,
 * the third, is a C1 control), and the bidirectional controls U+061C, U+200E, U+200F,
 * U+202A-U+202E and U+2066-U+2069, which reorder a line on screen ("Trojan Source",
 * CVE-2021-42574). esc_text escapes them; the YAML reader refuses them. */
unsigned esc_invisible(const char *s, size_t *len);
/* A JSON string with its quotes, always valid UTF-8: controls (C0, DEL, C1) and the
 * invisible characters of esc_invisible as \uNNNN, bytes that are not UTF-8 as U+FFFD. */
void esc_json(FILE *out, const char *s);
/* A GitHub workflow command's message (property false) or property value: % CR LF (and
 * : , in properties) percent-encoded as GitHub decodes them, then esc_text's rules. */
void esc_github(FILE *out, const char *s, bool property);

#endif
