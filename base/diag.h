/* diag.h: the one sink for diagnostics. They are collected, never printed where they arise;
 * the CLI prints them sorted by position and derives the exit status from them. */
#ifndef VFIOC_DIAG_H
#define VFIOC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "base/loc.h"

/* SEV_NOTE: information (a choice vfioc made for the user); never affects the exit status. */
enum severity { SEV_WARNING, SEV_ERROR, SEV_SYSTEM, SEV_NOTE };

enum diag_id {
#define DIAG(id, sev, code, doc) D_##id,
#include "base/diag.def"
#undef DIAG
	D_COUNT
};

enum diag_format { DFMT_TEXT, DFMT_JSON, DFMT_GITHUB };

struct diag;   /* one diagnostic with its notes and hints */
struct diags;  /* the collection of one run */

struct diags *diags_new(void);
void diags_free(struct diags *ds);

/* Keep a file's text so diagnostics can quote its lines. The name is copied and the copy is
 * returned: use it as loc.file. The text is copied too. */
const char *diags_add_source(struct diags *ds, const char *name, const char *text, size_t len);

/* Report a problem at loc (NULL or unset: no place). Returns the diagnostic, to attach notes. */
struct diag *diag_emit(struct diags *ds, enum diag_id id, const struct loc *loc,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Whether d keeps no more notes (hint false) or hints (true): MAX_NOTES of each per
 * diagnostic, and a cap for the whole run (diag.c). A note past it is only counted ("N more
 * notes not shown"); a caller may skip formatting its text and still call diag_note. */
bool diag_full(const struct diag *d, bool hint);
/* n notes (hint false) or hints past the cap at once, as n calls of diag_note or diag_hint
 * would count them once diag_full(d, hint): a check that reports a group of 10^5 devices
 * from each of 10^5 VMs formats the notes kept and counts the rest in one step. */
void diag_count_more(struct diag *d, bool hint, size_t n);
/* A related place ("also passed to VM 'linux' here"). */
void diag_note(struct diag *d, const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A fix the user can apply. */
void diag_hint(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append from's diagnostics (and kept sources) to to, in their order; from is left empty. */
void diags_move(struct diags *to, struct diags *from);

size_t diags_count(const struct diags *ds, enum severity sev);
bool diags_has_errors(const struct diags *ds);  /* any ERROR or SYSTEM */

/* Print every diagnostic, sorted by (file, line, column, order of emission). */
void diags_print(const struct diags *ds, FILE *out, enum diag_format fmt);
/* 0, 1 (errors, or warnings with werror) or 3 (a system failure). */
int diags_exit_code(const struct diags *ds, bool werror);

const char *diag_code(enum diag_id id);
const char *diag_doc(enum diag_id id);
enum severity diag_severity(enum diag_id id);

/* s as a JSON string, quoted and escaped the way --format json writes messages; for other
 * JSON vfioc prints (vfioc groups --format json). */
void diag_json_string(FILE *out, const char *s);

#endif
