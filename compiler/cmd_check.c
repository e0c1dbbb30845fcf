/* cmd_check.c: `vfioc check`: validate a config, and check it against the hardware. */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "pipeline.h"
#include "util.h"

struct check_opts {
	const char *config;
	struct hw_opts hw;
	enum diag_format fmt;
	bool werror;
};

static int parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "werror", no_argument, NULL, 'W' },
		{ "root", required_argument, NULL, 'r' },
		{ "hardware", required_argument, NULL, 'H' },
		{ 0 },
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f' && !cli_parse_format(optarg, &o->fmt))
			return cli_usage_error("check", "--format is text, json or github, not '%s'", optarg);
		else if (c == 'W')
			o->werror = true;
		else if (c == 'r')
			o->hw.root = optarg;
		else if (c == 'H')
			o->hw.snapshot = optarg;
		else if (c == ':')
			return cli_usage_error("check", "%s needs a value", argv[optind - 1]);
		else if (c == '?')
			return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
	}
	if (o->hw.root && o->hw.snapshot)
		return cli_usage_error("check", "--root and --hardware exclude each other");
	if (argc - optind != 1)
		return cli_usage_error("check", argc == optind ? "missing CONFIG" : "more than one CONFIG");
	o->config = argv[optind];
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct check_opts o = { .fmt = DFMT_TEXT };
	int rc = parse_args(argc, argv, &o);
	if (rc != EXIT_OK)
		return rc;
	struct diags *ds = diags_new();
	plan_free(compile_config(o.config, &o.hw, NULL, ds));
	rc = cli_finish(ds, o.fmt, o.werror);
	diags_free(ds);
	return rc;
}

const struct command cmd_check = {
	"check", "validate a config and check it against the hardware",
	"Usage: vfioc check CONFIG [--root DIR | --hardware FILE] [--werror]\n"
	"                   [--format text|json|github]\n\n"
	"Reads CONFIG, then the hardware, and reports every problem at once, as\n"
	"FILE:LINE:COL: error: message [code], with notes on related places and hints.\n"
	"Nothing is printed on standard output.\n\n"
	"  --root DIR       read the hardware from a sysfs tree under DIR (tests)\n"
	"  --hardware FILE  read the hardware from a snapshot by 'vfioc probe'\n"
	"                   (default: 'hardware:' of CONFIG, else this machine)\n"
	"  --werror         treat warnings as errors (exit 1)\n"
	"  --format FORMAT  text (default), json (an array of objects: file, line, column,\n"
	"                   severity, code, message, notes, hints) or github (::error\n"
	"                   annotations for GitHub Actions)\n\n"
	"Exit status: 0 clean or warnings only, 1 errors, 2 bad command line, 3 system failure.\n"
	"Example: vfioc check examples/seed/host.yaml\n",
	run,
};
