/* yamlindent.h: why a YAML file failed to parse, when the reason is its indentation: a key
 * indented to a column no block above it starts at, a line indented under a key that
 * already has a value, a tab in the indentation. libyaml says "did not find expected key";
 * this says which line to change, and to what. */
#ifndef VFIOC_YAMLINDENT_H
#define VFIOC_YAMLINDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"

/* Looks at line `line` (1-based) of text, where libyaml stopped with `problem`. When its
 * indentation explains the error, emits a diagnostic (yaml-indent, or yaml-syntax for a
 * tab) with a hint and a note quoting libyaml, and returns true; otherwise false. */
bool yaml_explain_indent(struct diags *ds, const char *file, const char *text, size_t len,
			 unsigned line, const char *problem);

#endif
