/* edit.h: the edits `vfioc apply` makes to files it does not own (apply.h's apply_edit). */
#ifndef VFIOC_APPLY_EDIT_H
#define VFIOC_APPLY_EDIT_H

#include <stdbool.h>

#include "base/util.h"
#include "tools/apply/apply.h"

/* The words of line with each word of params added: a word with the same key (the text
 * before its first '=', or the whole word) is replaced in place, the others appended. */
void edit_words(const char *line, size_t len, const char *params, struct buf *out);

/* base (the file's bytes; empty when it is missing) with e applied, into out. false with
 * *why (malloc'd) when base cannot be edited so (a shell variable that is not quoted). */
bool edit_apply(const struct apply_edit *e, const struct buf *base, struct buf *out, char **why);

#endif
