/* cli.c: what every subcommand does the same way: finishing with diagnostics, formats,
 * usage errors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

const struct command *command_find(const char *name)
{
	for (size_t i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

int cli_finish(struct diags *ds, enum diag_format fmt, bool werror)
{
	fflush(stdout);
	diags_print(ds, stderr, fmt);
	return diags_exit_code(ds, werror);
}

bool cli_parse_format(const char *s, enum diag_format *fmt)
{
	static const char *const names[] = { [DFMT_TEXT] = "text", [DFMT_JSON] = "json",
					     [DFMT_GITHUB] = "github" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum diag_format)i;
			return true;
		}
	return false;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "vfioc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vfioc help %s'.\n", cmd);
	return EXIT_USAGE;
}
