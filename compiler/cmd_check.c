/* cmd_check.c: `vfioc check`: validate a config, and check it against the hardware. */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "pipeline.h"
#include "util.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "werror", no_argument, NULL, 'W' },
		{ 0 },
	};
	enum diag_format fmt = DFMT_TEXT;
	bool werror = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f' && !cli_parse_format(optarg, &fmt))
			return cli_usage_error("check", "--format is text, json or github, not '%s'", optarg);
		else if (c == 'W')
			werror = true;
		else if (c == '?')
			return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_usage_error("check", argc == optind ? "missing CONFIG" : "more than one CONFIG");
	struct diags *ds = diags_new();
	struct config *cfg = config_load(argv[optind], ds);
	config_free(cfg);
	int rc = cli_finish(ds, fmt, werror);
	diags_free(ds);
	return rc;
}

const struct command cmd_check = {
	"check", "validate a config and check it against the hardware",
	"Usage: vfioc check CONFIG [--werror] [--format text|json|github]\n\n"
	"Reads CONFIG and reports every problem at once, as FILE:LINE:COL: error: message [code].\n"
	"Nothing is printed on standard output.\n\n"
	"  --werror         treat warnings as errors (exit 1)\n"
	"  --format FORMAT  text (default), json (an array of objects: file, line, column,\n"
	"                   severity, code, message, notes, hints) or github (::error\n"
	"                   annotations for GitHub Actions)\n\n"
	"Exit status: 0 clean or warnings only, 1 errors, 2 bad command line, 3 system failure.\n"
	"Example: vfioc check examples/seed/host.yaml\n",
	run,
};
