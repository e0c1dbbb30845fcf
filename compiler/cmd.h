/* cmd.h: the subcommands. Each lives in its own cmd_*.c and is listed once in commands.c;
 * main.c only dispatches and prints help from these records. */
#ifndef VFIOC_CMD_H
#define VFIOC_CMD_H

#include <stdbool.h>

#include "diag.h"

struct command {
	const char *name;     /* "check" */
	const char *summary;  /* one line for `vfioc --help` */
	const char *help;     /* the whole text of `vfioc help NAME`: usage, options, examples */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name; returns an exit code */
};

extern const struct command *const commands[];  /* NULL-terminated, in help order */
const struct command *command_find(const char *name);

/* For commands: print ds to stderr in fmt and return the exit code they call for. */
int cli_finish(struct diags *ds, enum diag_format fmt, bool werror);
/* "text", "json", "github" -> fmt; false on anything else. */
bool cli_parse_format(const char *s, enum diag_format *fmt);
/* A usage error: "vfioc CMD: message" + "try 'vfioc help CMD'"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
