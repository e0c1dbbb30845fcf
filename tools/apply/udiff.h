/* udiff.h: a unified diff (diff -u, 3 lines of context) of two texts, for `apply --dry-run`. */
#ifndef VFIOC_UDIFF_H
#define VFIOC_UDIFF_H

#include <stdio.h>

#include "base/util.h"

/* Print the diff from a (NULL: no file; shown as /dev/null) to b (NULL: removed), labelled
 * "a/PATH" and "b/PATH", to out. Nothing when the two are the same. The lines are written
 * through esc_line and PATH through esc_text (base/escape.h): controls, bidi controls and
 * bytes that are not UTF-8 never reach the terminal raw; a tab stays a tab. */
void udiff_print(FILE *out, const char *path, const struct buf *a, const struct buf *b);

#endif
