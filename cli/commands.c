/* commands.c: the list of subcommands, in the order `vfioc --help` shows them.
 * A command appears here once it works. */
#include <stddef.h>

#include "cli/cmd.h"

extern const struct command cmd_init;
extern const struct command cmd_check;
extern const struct command cmd_build;
extern const struct command cmd_apply;
extern const struct command cmd_verify;
extern const struct command cmd_schema;
extern const struct command cmd_probe;
extern const struct command cmd_groups;

const struct command *const commands[] = {
	&cmd_init,
	&cmd_check,
	&cmd_build,
	&cmd_apply,
	&cmd_verify,
	&cmd_schema,
	&cmd_probe,
	&cmd_groups,
	NULL,
};
