/* cmd_schema.c: `vfioc schema`: the config language as JSON Schema or as Markdown docs. */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "hw_snapshot.h"
#include "schema.h"
#include "util.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { 0 } };
	const char *format = "json";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else
			return cli_usage_error("schema", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("schema", "unexpected argument '%s'", argv[optind]);
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
	"Usage: vfioc schema [--format json|markdown|man|snapshot]\n\n"
	"Prints the schema of the config language, generated from the same tables that\n"
	"validate configs.\n\n"
	"  -f, --format json      JSON Schema draft 2020-12 (default), for yaml-language-server:\n"
	"                         put '# yaml-language-server: $schema=PATH' on the config's\n"
	"                         first line, PATH being where you saved this output\n"
	"  -f, --format markdown  the config reference with every diagnostic code\n"
	"  -f, --format man       the same as the manual page vfioc.yaml(5) (mdoc)\n"
	"  -f, --format snapshot  the hardware snapshot format (vfioc probe) as Markdown, the\n"
	"                         format section of docs/hardware.md\n\n"
	"Example: vfioc schema > vfioc.schema.json\n",
	run,
};
