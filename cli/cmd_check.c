/* cmd_check.c: `vfioc check`: validate a config, and check it against the hardware. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cmd.h"
#include "compiler/pipeline.h"

static const struct cli_option options[] = {
	{ "root", 0, "DIR", CLI_ROOT, "read the hardware from a sysfs tree under DIR (tests)" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "read the hardware from a snapshot by 'vfioc probe'\n"
	  "(default: 'hardware:' of CONFIG, else this machine)" },
	{ "werror", 0, NULL, CLI_WERROR, "treat warnings as errors (exit 1)" },
	{ "no-escape-hatches", 0, NULL, CLI_NO_ESCAPE_HATCHES, "refuse libvirt-xml, nixos-extra and qemu-config\n"
	  "(whoever writes them is root on the host): for\n"
	  "configs from pull requests" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "text (default), json (an array of objects: file, line, column,\n"
	  "severity, code, message, notes, hints; on standard output, the\n"
	  "only thing printed) or github (::error annotations for GitHub\n"
	  "Actions)" },
	CLI_COLOR_OPTION,
	{ 0 },
};

extern const struct command cmd_check;

static int run(int argc, char **argv)
{
	struct cli_args o = {0};
	int rc = cli_parse(&cmd_check, argc, argv, &o, NULL, NULL);
	if (rc != EXIT_OK)
		return rc;
	struct diags *ds = diags_new();
	struct compile_counts n = {0};
	plan_free(compile_config_counted(o.operand, &o.hw, NULL,
					 o.no_escape_hatches ? COMPILE_NO_ESCAPE_HATCHES : 0, ds, &n));
	rc = cli_finish_report(ds, o.fmt, o.werror);
	struct buf what = {0};
	cli_checked(&what, o.operand, &n);
	cli_summary(ds, o.fmt, buf_str(&what));
	buf_free(&what);
	free(n.hardware);
	diags_free(ds);
	return rc;
}

const struct command cmd_check = {
	"check", "validate a config and check it against the hardware",
	"Reads CONFIG, then the hardware, and reports every problem at once, as\n"
	"FILE:LINE:COL: error: message [code], with notes on related places and hints.\n"
	"Standard output stays empty, except for the array of --format json.\n\n",
	options,
	"Exit status: 0 clean or warnings only, 1 errors, 2 bad command line, 3 system failure.\n"
	"Example: vfioc check examples/seed/host.yaml\n",
	.operand = "CONFIG",
	.run = run,
};
