/* strrules.h: the rules a string must follow, rows of strrules.def. */
#ifndef VFIOC_STRRULES_H
#define VFIOC_STRRULES_H

#include <stdbool.h>

#include "base/diag.h"

enum str_check {
#define STR_RULE(id, diag, type, form, why) SC_##id,
#include "model/strrules.def"
#undef STR_RULE
	SC_COUNT
};

/* Whether s follows rule c; if not, *why says what the rule asks (static text). */
bool schema_check_string(enum str_check c, const char *s, const char **why);
/* The same, for values read from sysfs or a snapshot, where no one is told why. */
bool schema_check_ok(enum str_check c, const char *s);
const char *schema_check_pattern(enum str_check c);  /* for the JSON Schema; NULL: none */
enum diag_id schema_check_diag(enum str_check c);
const char *schema_check_type(enum str_check c);     /* "absolute path", "string": for docs */
/* For tests: the row's ID ("NAME"), and whether its pattern matches just what it accepts
 * (otherwise the pattern may match more). */
const char *schema_check_name(enum str_check c);
bool schema_check_exact(enum str_check c);

#endif
