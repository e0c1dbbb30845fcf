/* cmd_schema.c: `vfioc schema`: the config language as JSON Schema or as Markdown docs. */
#include <string.h>

#include "cmd.h"
#include "schema.h"
#include "util.h"

static const struct cli_option options[] = {
	{ "format", 'f', "FORMAT", 'f', "json: JSON Schema draft 2020-12 (default), for yaml-language-server:\n"
	  "put '# yaml-language-server: $schema=PATH' on the config's\n"
	  "first line, PATH being where you saved this output;\n"
	  "markdown: the config reference with every diagnostic code" },
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
	else
		return cli_usage_error("schema", "--format is json or markdown, not '%s'", format);
	return EXIT_OK;
}

const struct command cmd_schema = {
	"schema", "print the config language as JSON Schema (for editors) or Markdown",
	"Usage: vfioc schema [--format json|markdown]\n\n"
	"Prints the schema of the config language, generated from the same tables that\n"
	"validate configs.\n\n",
	options,
	"Example: vfioc schema > vfioc.schema.json\n",
	.run = run,
};
