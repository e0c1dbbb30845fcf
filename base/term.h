/* term.h: what vfioc prints differently on a terminal. One place decides whether a stream
 * gets colour (--color, NO_COLOR, isatty), names the styles the commands use, and measures
 * the terminal's width. Nothing here changes what goes to a pipe or a file unless asked
 * with --color=always. */
#ifndef VFIOC_TERM_H
#define VFIOC_TERM_H

#include <stdbool.h>
#include <stdio.h>

enum term_color { TERM_COLOR_AUTO, TERM_COLOR_ALWAYS, TERM_COLOR_NEVER };

/* What --color WHEN says ("auto", "always", "never"); false on anything else. */
bool term_parse_color(const char *s, enum term_color *when);
/* Set once by the command line; the default is TERM_COLOR_AUTO. */
void term_set_color(enum term_color when);
/* Whether out gets colour: always; never; auto: out is a terminal, NO_COLOR is unset or
 * empty (no-color.org) and TERM is not "dumb". */
bool term_colored(FILE *out);
/* Whether out is a terminal (summary lines, ✓/✗, fitting the width). */
bool term_is_tty(FILE *out);
/* The width of the terminal out is, in columns: COLUMNS when set to a number, else the
 * terminal's own (TIOCGWINSZ); 0 when out is not a terminal (no limit). */
unsigned term_width(FILE *out);

enum term_style {
	TS_RESET,
	TS_BOLD,     /* a place (file:line:col), a heading */
	TS_ERROR,    /* "error:" and its [code], ✗, FAIL, never */
	TS_WARNING,  /* "warning:", a mark to read before passing a device */
	TS_NOTE,     /* "note:" */
	TS_HINT,     /* "hint:", the caret */
	TS_OK,       /* ✓, ok, can be passed */
	TS_DIM,      /* skipped */
};

/* The SGR sequence for style s when out gets colour; nothing otherwise. */
void term_style(FILE *out, enum term_style s);
/* The same when on, whatever out is: for text printed into memory first and written to a
 * stream whose term_colored was asked beforehand. */
void term_sgr(FILE *out, bool on, enum term_style s);
/* s printed in style st (reset after) when out gets colour; s alone otherwise. */
void term_put(FILE *out, enum term_style st, const char *s);

#endif
