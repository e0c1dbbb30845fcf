/* cli.c: what every subcommand does the same way: its options (parsed and shown in --help
 * from its options[] table), finishing with diagnostics, formats, usage errors. */
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/pci.h"
#include "base/term.h"
#include "base/util.h"
#include "cli/cmd.h"

const struct command *command_find(const char *name)
{
	for (size_t i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

const char *command_near(const char *name)
{
	const char *names[32];
	size_t n = 0;
	for (size_t i = 0; commands[i] && n < ARRAY_LEN(names) - 1; i++)
		names[n++] = commands[i]->name;
	names[n++] = "help";
	return closest_name(name, names, n);
}

void cli_unknown_command(const char *who, const char *name)
{
	const char *near = command_near(name);
	fprintf(stderr, "%s: unknown command '%s'", who, name);
	if (near)
		fprintf(stderr, "; did you mean '%s'?", near);
	fputs("\nTry 'vfioc --help'.\n", stderr);
}

int cli_finish(struct diags *ds, enum diag_format fmt, bool werror)
{
	fflush(stdout);
	diags_print(ds, stderr, fmt);
	return diags_exit_code(ds, werror);
}

int cli_finish_report(struct diags *ds, enum diag_format fmt, bool werror)
{
	fflush(stdout);
	diags_print(ds, fmt == DFMT_JSON ? stdout : stderr, fmt);
	return diags_exit_code(ds, werror);
}

/* "1 VM", "2 VMs". */
static void count(struct buf *b, const char *sep, size_t n, const char *one, const char *many)
{
	buf_printf(b, "%s%zu %s", sep, n, n == 1 ? one : many);
}

void cli_checked(struct buf *b, const char *config, const struct compile_counts *n)
{
	if (!n->loaded) {
		buf_printf(b, "read %s", config);
		return;
	}
	count(b, "checked ", n->vms, "VM", "VMs");
	count(b, " passing ", n->devices, "device", "devices");
	if (n->hardware && !strcmp(n->hardware, "/"))
		buf_printf(b, " against this machine");
	else if (n->hardware)
		buf_printf(b, " against %s", n->hardware);
	if (n->hardware)
		count(b, " (", n->hw_devices, "PCI device)", "PCI devices)");
}

void cli_summary(const struct diags *ds, enum diag_format fmt, const char *what)
{
	if (fmt != DFMT_TEXT || !term_is_tty(stderr))
		return;
	size_t e = diags_count(ds, SEV_ERROR) + diags_count(ds, SEV_SYSTEM);
	size_t w = diags_count(ds, SEV_WARNING);
	struct buf b = {0};
	if (!e && !w)
		buf_printf(&b, "no errors or warnings");
	else if (e && w) {
		count(&b, "", e, "error", "errors");
		count(&b, ", ", w, "warning", "warnings");
	} else if (e)
		count(&b, "", e, "error", "errors");
	else
		count(&b, "", w, "warning", "warnings");
	term_put(stderr, TS_BOLD, "vfioc:");
	fputc(' ', stderr);
	esc_text(stderr, what);
	fputs(": ", stderr);
	term_put(stderr, e ? TS_ERROR : w ? TS_WARNING : TS_OK, buf_str(&b));
	fputc('\n', stderr);
	buf_free(&b);
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

int cli_bad_address(const char *cmd, const char *what, const char *value)
{
	struct pci_addr guess;
	char near[PCI_ADDR_STRLEN];
	if (pci_addr_guess(value, &guess)) {
		pci_addr_fmt(&guess, near);
		return cli_usage_error(cmd, "%s takes a PCI address, not '%s'; did you mean '%s'?", what,
				       value, near);
	}
	return cli_usage_error(cmd, "%s takes a PCI address like 0000:01:00.0 ('lspci -D' lists "
			       "them), not '%s'", what, value);
}

#define MAX_OPTIONS 16
#define HELP_INDENT_MAX 22  /* a longer option name gets its text after two spaces */

/* "  -o, --output DIR" into buf; its length. */
static int option_label(const struct cli_option *o, char *buf, size_t size)
{
	char shortf[8] = "";
	if (o->letter)
		snprintf(shortf, sizeof shortf, "-%c, ", o->letter);
	return snprintf(buf, size, "  %s--%s%s%s", shortf, o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
}

/* The option o with its value as the usage line shows it: "-o DIR", "--check". */
static int usage_item(const struct cli_option *o, char *buf, size_t size)
{
	if (o->letter)
		return snprintf(buf, size, "-%c%s%s", o->letter, o->arg ? " " : "", o->arg ? o->arg : "");
	return snprintf(buf, size, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static const struct cli_option *find_key(const struct cli_option *opts, int key)
{
	for (const struct cli_option *o = opts; o && o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

/* "Usage: vfioc NAME CONFIG [-o DIR] [--root DIR | --hardware FILE] ...", from the options,
 * wrapped within USAGE_WIDTH columns under the first item. */
#define USAGE_WIDTH 80
static void print_usage(const struct command *c, FILE *out)
{
	const struct cli_option *root = find_key(c->options, CLI_ROOT);
	const struct cli_option *hw = find_key(c->options, CLI_HARDWARE);
	bool either = root && hw && !c->root_and_hardware;  /* one item for the two */
	int indent = fprintf(out, "Usage: vfioc %s", c->name) + 1, col = indent - 1;
	if (c->operand)
		col += fprintf(out, c->operand_optional ? " [%s]" : " %s", c->operand);
	for (const struct cli_option *o = c->options; o && o->name; o++) {
		char item[96], a[40], b[40];
		if (either && o == hw)
			continue;
		if (either && o == root) {
			usage_item(root, a, sizeof a);
			usage_item(hw, b, sizeof b);
			snprintf(item, sizeof item, "[%s | %s]", a, b);
		} else {
			usage_item(o, a, sizeof a);
			snprintf(item, sizeof item, "[%s]", a);
		}
		if (col + 1 + (int)strlen(item) > USAGE_WIDTH) {
			col = fprintf(out, "\n%*s%s", indent, "", item) - 1;
		} else {
			col += fprintf(out, " %s", item);
		}
	}
	fputs("\n\n", out);
}

void cli_print_help(const struct command *c, FILE *out)
{
	char label[64];
	int width = 0;
	for (const struct cli_option *o = c->options; o && o->name; o++) {
		int n = option_label(o, label, sizeof label) + 2;
		if (n > width && n <= HELP_INDENT_MAX)
			width = n;
	}
	print_usage(c, out);
	fputs(c->intro, out);
	if (c->describe)
		c->describe(out);
	for (const struct cli_option *o = c->options; o && o->name; o++) {
		int n = option_label(o, label, sizeof label);
		int col = n + 2 > width ? n + 2 : width;  /* where its text starts, on every line */
		fprintf(out, "%s%*s", label, col - n, "");
		for (const char *line = o->help;;) {
			const char *nl = strchr(line, '\n');
			fprintf(out, "%.*s\n", (int)(nl ? nl - line : (ptrdiff_t)strlen(line)), line);
			if (!nl)
				break;
			line = nl + 1;
			fprintf(out, "%*s", col, "");
		}
	}
	if (c->options && c->options->name)
		fputc('\n', out);
	fputs(c->more, out);
}

static int shared_option(const char *cmd, int key, const char *value, struct cli_args *a)
{
	switch (key) {
	case CLI_ROOT: a->hw.root = value; break;
	case CLI_HARDWARE: a->hw.snapshot = value; break;
	case CLI_WERROR: a->werror = true; break;
	case CLI_NO_ESCAPE_HATCHES: a->no_escape_hatches = true; break;
	case CLI_OUTPUT: a->output = value; break;
	case CLI_COLOR: {
		enum term_color when;
		if (!term_parse_color(value, &when))
			return cli_usage_error(cmd, "--color is auto, always or never, not '%s'", value);
		term_set_color(when);
		break;
	}
	case CLI_FORMAT:
		if (!cli_parse_format(value, &a->fmt))
			return cli_usage_error(cmd, "--format is text, json or github, not '%s'", value);
		break;
	}
	return EXIT_OK;
}

/* "unknown option '--chek'; did you mean '--check'?" when one is close. */
static int unknown_option(const struct command *c, const char *arg)
{
	const char *names[MAX_OPTIONS];
	size_t n = 0;
	for (const struct cli_option *o = c->options; o && o->name && n < MAX_OPTIONS; o++)
		names[n++] = o->name;
	size_t len = strcspn(arg, "=");
	char given[64];
	const char *near = NULL;
	if (!strncmp(arg, "--", 2) && len - 2 < sizeof given) {
		memcpy(given, arg + 2, len - 2);
		given[len - 2] = '\0';
		near = closest_name(given, names, n);
	}
	if (near)
		return cli_usage_error(c->name, "unknown option '%s'; did you mean '--%s'?", arg, near);
	return cli_usage_error(c->name, "unknown option '%s'", arg);
}

int cli_parse(const struct command *c, int argc, char **argv, struct cli_args *a,
	      int (*option)(int key, const char *value, void *ctx), void *ctx)
{
	struct option longopts[MAX_OPTIONS + 1] = {0};
	char shortopts[2 * MAX_OPTIONS + 2] = ":";  /* ':' first: a missing value returns ':' */
	size_t n = 0, ns = 1;
	for (const struct cli_option *o = c->options; o && o->name; o++, n++) {
		if (n == MAX_OPTIONS)
			abort();  /* a command with more options: raise MAX_OPTIONS */
		longopts[n] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					       o->key };
		if (o->letter) {
			shortopts[ns++] = o->letter;
			if (o->arg)
				shortopts[ns++] = ':';
		}
	}
	a->fmt = DFMT_TEXT;
	optind = 1;
	opterr = 0;
	int k;
	while ((k = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (k == ':')
			return cli_usage_error(c->name, "%s needs a value", argv[optind - 1]);
		if (k == '?' && strncmp(argv[optind - 1], "--", 2) && optopt > 0 && optopt < 256)
			return cli_usage_error(c->name, "unknown option '-%c'", optopt);
		const char *eq = strchr(argv[optind - 1], '=');
		/* getopt sets optopt to the row's key for a known long option, 0 for an unknown one. */
		if (k == '?' && eq && !strncmp(argv[optind - 1], "--", 2) && optopt)
			return cli_usage_error(c->name, "%.*s takes no value",
					       (int)(eq - argv[optind - 1]), argv[optind - 1]);
		if (k == '?')
			return unknown_option(c, argv[optind - 1]);
		/* A letter stands for its row's key. */
		for (const struct cli_option *o = c->options; o->name; o++)
			if (o->letter && k == o->letter) {
				k = o->key;
				break;
			}
		int rc = k >= CLI_ROOT ? shared_option(c->name, k, optarg, a) : option(k, optarg, ctx);
		if (rc != EXIT_OK)
			return rc;
	}
	if (a->hw.root && a->hw.snapshot && !c->root_and_hardware)
		return cli_usage_error(c->name, "--root and --hardware exclude each other");
	if (!c->operand && optind < argc)
		return cli_usage_error(c->name, "unexpected argument '%s'", argv[optind]);
	if (c->operand && (argc - optind > 1 || (argc == optind && !c->operand_optional)))
		return cli_usage_error(c->name, argc == optind ? "missing %s" : "more than one %s",
				       c->operand);
	a->operand = c->operand && optind < argc ? argv[optind] : NULL;
	return EXIT_OK;
}
