/* term.c: colour and width on a terminal, decided in one place. The SGR codes are gcc's
 * (gcc/diagnostic-color.cc, default GCC_COLORS): error bold red, warning bold magenta,
 * note bold cyan, the caret and fix-it hints green, the locus bold. */
#include "base/term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static enum term_color mode = TERM_COLOR_AUTO;
static signed char cached[3] = { -1, -1, -1 };  /* term_colored for fds 0..2, once known */

bool term_parse_color(const char *s, enum term_color *when)
{
	static const char *const names[] = { [TERM_COLOR_AUTO] = "auto",
					     [TERM_COLOR_ALWAYS] = "always",
					     [TERM_COLOR_NEVER] = "never" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*when = (enum term_color)i;
			return true;
		}
	return false;
}

void term_set_color(enum term_color when)
{
	mode = when;
	memset(cached, -1, sizeof cached);
}

bool term_is_tty(FILE *out)
{
	return out && isatty(fileno(out));
}

static bool decide(FILE *out)
{
	if (mode != TERM_COLOR_AUTO)
		return mode == TERM_COLOR_ALWAYS;
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if (no && *no)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return term_is_tty(out);
}

bool term_colored(FILE *out)
{
	int fd = out ? fileno(out) : -1;
	if (fd < 0 || fd > 2)
		return decide(out);
	if (cached[fd] < 0)
		cached[fd] = decide(out);
	return cached[fd];
}

unsigned term_width(FILE *out)
{
	if (!term_is_tty(out))
		return 0;
	const char *cols = getenv("COLUMNS");
	if (cols && *cols) {
		char *end;
		unsigned long n = strtoul(cols, &end, 10);
		if (!*end && n > 0 && n < 10000)
			return (unsigned)n;
	}
	struct winsize ws;
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void term_style(FILE *out, enum term_style s)
{
	term_sgr(out, term_colored(out), s);
}

void term_sgr(FILE *out, bool on, enum term_style s)
{
	static const char *const sgr[] = {
		[TS_RESET] = "\033[m",     [TS_BOLD] = "\033[1m",    [TS_ERROR] = "\033[1;31m",
		[TS_WARNING] = "\033[1;35m", [TS_NOTE] = "\033[1;36m", [TS_HINT] = "\033[1;32m",
		[TS_OK] = "\033[32m",      [TS_DIM] = "\033[2m",
	};
	if (on)
		fputs(sgr[s], out);
}

void term_put(FILE *out, enum term_style st, const char *s)
{
	term_style(out, st);
	fputs(s, out);
	term_style(out, TS_RESET);
}
