/* escape.h: writing strings that come from files (snapshot names, paths, config values) so
 * that they cannot act on a terminal or break the format around them. One place for every
 * output format: diagnostics and `vfioc groups` call these. */
#ifndef VFIOC_ESCAPE_H
#define VFIOC_ESCAPE_H

#include <stdbool.h>
#include <stdio.h>

/* For a terminal or a log, on one line: newline as \n, tab as \t, other C0 controls and DEL
 * as \xNN, C1 controls (U+0080-U+009F, which terminals may read as CSI) as \uNNNN, bytes
 * that are not UTF-8 as \xNN. Everything else as is. */
void esc_text(FILE *out, const char *s);
/* A JSON string with its quotes, always valid UTF-8: controls as \uNNNN, bytes that are not
 * UTF-8 as U+FFFD. */
void esc_json(FILE *out, const char *s);
/* A GitHub workflow command's message (property false) or property value: % CR LF (and
 * : , in properties) percent-encoded as GitHub decodes them, then esc_text's rules. */
void esc_github(FILE *out, const char *s, bool property);

#endif
