/* cmd.h: the subcommands. Each lives in its own cmd_*.c and is listed once in commands.c;
 * main.c only dispatches and prints help from these records.
 *
 * To add an option: one row in the command's options[] (its place in the usage line and its
 * lines in --help come from the row); an option several commands share (--root, --hardware, --format, --werror, --output,
 * --color)
 * is parsed here into struct cli_args, any other reaches the command's option callback. */
#ifndef VFIOC_CMD_H
#define VFIOC_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "base/diag.h"
#include "compiler/pipeline.h"

/* The keys of the shared options; a command's own options use printable letters. */
enum cli_key {
	CLI_ROOT = 256,     /* --root DIR */
	CLI_HARDWARE,       /* --hardware FILE */
	CLI_FORMAT,         /* --format text|json|github */
	CLI_WERROR,         /* --werror */
	CLI_NO_ESCAPE_HATCHES,  /* --no-escape-hatches */
	CLI_OUTPUT,         /* -o, --output DIR|FILE */
	CLI_COLOR,          /* --color auto|always|never: base/term.h decides from it */
};

/* The --color row, the same in every command that colours its output. */
#define CLI_COLOR_OPTION \
	{ "color", 0, "WHEN", CLI_COLOR, "colour: auto (default: on a terminal, unless NO_COLOR\n" \
	  "is set), always or never" }

struct cli_option {
	const char *name;   /* long name: "root" */
	char letter;        /* short form: 'o' for -o; 0: none */
	const char *arg;    /* "DIR" when it takes a value; NULL for a flag */
	int key;            /* enum cli_key, or the command's own key */
	const char *help;   /* its text in --help; '\n' starts a continuation line */
};

/* What the shared options and the operand say. */
struct cli_args {
	struct hw_opts hw;
	enum diag_format fmt;
	bool werror;
	bool no_escape_hatches;
	const char *output;
	const char *operand;  /* CONFIG, for a command that takes one */
};

struct command {
	const char *name;     /* "check" */
	const char *summary;  /* one line for `vfioc --help` */
	const char *intro;    /* --help after the usage line (made from the options), before
			       * the options: what the command does */
	const struct cli_option *options;  /* its options, in help order; ends with a NULL name */
	const char *more;     /* --help after the options: exit status, example */
	const char *operand;  /* "CONFIG" when it takes exactly one; NULL: none */
	bool root_and_hardware;  /* --root and --hardware may go together */
	bool operand_optional;   /* the operand may be left out */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name; returns an exit code */
	/* Optional: printed between usage and the options (text made from other tables). */
	void (*describe)(FILE *out);
};

extern const struct command *const commands[];  /* NULL-terminated, in help order */
const struct command *command_find(const char *name);
/* The command (or "help") name is likely a typo of; NULL when none is close. */
const char *command_near(const char *name);
/* "WHO: unknown command 'NAME'; did you mean 'check'?" and where to look, on stderr. */
void cli_unknown_command(const char *who, const char *name);

/* `vfioc help NAME`: the usage line (from options[]), intro, describe, one line per option
 * (from options[]), more. */
void cli_print_help(const struct command *c, FILE *out);
/* Parse argv by c->options: the shared options into *a, every other option to
 * option(key, value, ctx), which returns EXIT_OK or a cli_usage_error. Unknown options,
 * missing values, --root with --hardware and a wrong number of operands are usage errors
 * worded the same for every command. Returns EXIT_OK or EXIT_USAGE. */
int cli_parse(const struct command *c, int argc, char **argv, struct cli_args *a,
	      int (*option)(int key, const char *value, void *ctx), void *ctx);

/* For commands: print ds to stderr in fmt and return the exit code they call for. */
int cli_finish(struct diags *ds, enum diag_format fmt, bool werror);
/* --format json writes one JSON document, on standard output, and nothing on standard error
 * but a usage error. For check and build, whose report is their diagnostics, that document
 * is the array of them: cli_finish_report prints it there (text and github go to stderr as
 * cli_finish's). groups and verify put the array in their own object (its "diagnostics"). */
int cli_finish_report(struct diags *ds, enum diag_format fmt, bool werror);
/* The line check and build end with on a terminal: "vfioc: WHAT: 1 error, 2 warnings", on
 * standard error after the diagnostics; nothing unless fmt is text and standard error is
 * a terminal, so that what a pipe or a golden file receives never changes. */
void cli_summary(const struct diags *ds, enum diag_format fmt, const char *what);
/* "checked 2 VMs passing 3 devices against hardware.yaml (41 PCI devices)" into b. */
void cli_checked(struct buf *b, const char *config, const struct compile_counts *n);
/* "text", "json", "github" -> fmt; false on anything else. */
bool cli_parse_format(const char *s, enum diag_format *fmt);
/* A usage error: "vfioc CMD: message" + "try 'vfioc help CMD'"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error for an option or argument WHAT ("--gpu") whose VALUE is not a PCI address,
 * with "did you mean" when pci_addr_guess reads one in it. Returns EXIT_USAGE. */
int cli_bad_address(const char *cmd, const char *what, const char *value);

#endif
