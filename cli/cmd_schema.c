/* cmd_schema.c: `vfioc schema`: the config language as JSON Schema, Markdown docs or a man
 * page, and the snapshot format as Markdown. */
#include <string.h>

#include "base/util.h"
#include "cli/cmd.h"
#include "schema/config/schema.h"
#include "schema/snapshot/snapshot.h"

static const struct cli_option options[] = {
	{ "format", 'f', "FORMAT", 'f', "json: JSON Schema draft 2020-12 (default), for\n"
	  "yaml-language-server: put '# yaml-language-server:\n"
	  "$schema=PATH' on the config's first line, PATH being\n"
	  "where you saved this output; markdown: the config\n"
	  "reference with every diagnostic code; man: the same as\n"
	  "the manual page vfioc.yaml(5) (mdoc); snapshot: the\n"
	  "hardware snapshot format (vfioc probe) as Markdown, the\n"
	  "format section of docs/hardware.md" },
	{ 0 },
};

extern const struct command cmd_schema;

static int schema_option(int key, const char *value, void *ctx)
{
	if (key == 'f')
		*(const char **)ctx = value;
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	const char *format = "json";
	struct cli_args a = {0};
	int rc = cli_parse(&cmd_schema, argc, argv, &a, schema_option, &format);
	if (rc != EXIT_OK)
		return rc;
	if (!strcmp(format, "json"))
		schema_write_json(stdout);
	else if (!strcmp(format, "markdown"))
		schema_write_markdown(stdout);
	else if (!strcmp(format, "man"))
		schema_write_man(stdout);
	else if (!strcmp(format, "snapshot"))
		snapshot_write_markdown(stdout);
	else
		return cli_usage_error("schema", "--format is json, markdown, man or snapshot, not '%s'",
				       format);
	return EXIT_OK;
}

const struct command cmd_schema = {
	"schema", "print the config language as JSON Schema (for editors), Markdown or a man page",
	"Prints the schema of the config language, generated from the same tables that\n"
	"validate configs.\n\n",
	options,
	"Example: vfioc schema > vfioc.schema.json\n",
	.run = run,
};
