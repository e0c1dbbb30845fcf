/* cmd_verify.c: `vfioc verify`: after the rebuild and the reboot, does the host hold what the
 * config plans? The plan is made as `build` makes it (from the config's snapshot, or the
 * host); the booted host is read as `probe` reads it; the facts (verify_*.c) are printed
 * one per line: ✓/✗ on a terminal, ok/FAIL otherwise, or as JSON or GitHub annotations,
 * each through base/escape.h (a fact may quote what the host's files hold). */
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/term.h"
#include "cli/cmd.h"
#include "compiler/pipeline.h"
#include "tools/verify/verify.h"

#define DEFAULT_URI "qemu:///system"

struct verify_opts {
	const char *config;
	const char *root;        /* the booted host: --root DIR, else / */
	const char *snapshot;    /* --hardware FILE: the plan's hardware instead of `hardware:` */
	const char *uri;
	enum diag_format fmt;
};

static const struct cli_option options[] = {
	{ "root", 0, "DIR", CLI_ROOT, "read the booted host from DIR/sys, DIR/proc and DIR/dev (tests)" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "plan from this snapshot instead of the config's 'hardware:'" },
	{ "connect", 'c', "URI", 'c', "libvirt URI (default " DEFAULT_URI ")" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "text (default), json (one object on standard output: facts\n"
	  "[{status, code, device, expected, actual, fact, hints}], the\n"
	  "counts, diagnostics) or github (::error annotations)" },
	CLI_COLOR_OPTION,
	{ 0 },
};

extern const struct command cmd_verify;

static int verify_option(int key, const char *value, void *ctx)
{
	struct verify_opts *o = ctx;
	if (key == 'c')
		o->uri = value;
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct verify_opts *o)
{
	struct cli_args a = {0};
	int rc = cli_parse(&cmd_verify, argc, argv, &a, verify_option, o);
	if (rc != EXIT_OK)
		return rc;
	if (!*o->uri)
		return cli_usage_error("verify", "--connect needs a libvirt URI");
	o->config = a.operand;
	o->root = a.hw.root;
	o->snapshot = a.hw.snapshot;
	o->fmt = a.fmt;
	return EXIT_OK;
}

/* ", \"key\": value" with a string or null. */
static void json_field(const char *key, const char *v)
{
	printf(", \"%s\": ", key);
	if (v)
		esc_json(stdout, v);
	else
		fputs("null", stdout);
}

/* The one document of --format json: {"facts": [...], "hold", "failed", "skipped",
 * "diagnostics": [...]}, on standard output. */
static void print_json(const struct facts *fs, const struct diags *ds)
{
	static const char *const state[] = { "ok", "fail", "skip" };
	size_t count[3] = {0};
	fputs("{\"facts\": [", stdout);
	for (size_t i = 0; i < fs->n; i++) {
		const struct fact *f = &fs->v[i];
		count[f->state]++;
		printf("%s\n  {\"status\": \"%s\"", i ? "," : "", state[f->state]);
		json_field("code", f->code);
		json_field("device", f->device);
		json_field("expected", f->expected);
		json_field("actual", f->actual);
		json_field("fact", f->text);
		printf(", \"hints\": [");
		for (size_t k = 0; k < f->nhints; k++) {
			printf("%s", k ? ", " : "");
			esc_json(stdout, f->hints[k]);
		}
		printf("]}");
	}
	printf("%s],\n\"hold\": %zu, \"failed\": %zu, \"skipped\": %zu,\n\"diagnostics\": ",
	       fs->n ? "\n" : "", count[FACT_OK], count[FACT_FAIL], count[FACT_SKIP]);
	diags_print(ds, stdout, DFMT_JSON);
	puts("}");
}

static void print_github(const struct facts *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct fact *f = &fs->v[i];
		if (f->state == FACT_OK) {
			fputs("ok   ", stdout);
			esc_text(stdout, f->text);
			putchar('\n');
			continue;
		}
		fputs(f->state == FACT_FAIL ? "::error title=vfioc verify::" :
		      "::notice title=vfioc verify::", stdout);
		esc_github(stdout, f->text, false);
		for (size_t k = 0; k < f->nhints; k++) {
			fputs("%0Ahint: ", stdout);
			esc_github(stdout, f->hints[k], false);
		}
		putchar('\n');
	}
}

static void print_text(const struct facts *fs)
{
	static const char *const plain[] = { "ok  ", "FAIL", "skip" };
	static const char *const marks[] = { "\u2713", "\u2717", "-" };
	static const enum term_style style[] = { TS_OK, TS_ERROR, TS_DIM };
	bool tty = term_is_tty(stdout);
	size_t count[3] = {0};
	for (size_t i = 0; i < fs->n; i++) {
		const struct fact *f = &fs->v[i];
		count[f->state]++;
		term_put(stdout, style[f->state], tty ? marks[f->state] : plain[f->state]);
		putchar(' ');
		esc_text(stdout, f->text);
		putchar('\n');
		for (size_t k = 0; k < f->nhints; k++) {
			printf("%*s", tty ? 2 : 5, "");
			term_put(stdout, TS_HINT, "hint:");
			putchar(' ');
			esc_text(stdout, f->hints[k]);
			putchar('\n');
		}
	}
	term_style(stdout, count[FACT_FAIL] ? TS_ERROR : TS_OK);
	printf("%zu hold, %zu failed, %zu skipped", count[FACT_OK], count[FACT_FAIL],
	       count[FACT_SKIP]);
	term_style(stdout, TS_RESET);
	putchar('\n');
}

static int run(int argc, char **argv)
{
	struct verify_opts o = { .uri = DEFAULT_URI, .fmt = DFMT_TEXT };
	int rc = parse_args(argc, argv, &o);
	if (rc != EXIT_OK)
		return rc;
	struct diags *ds = diags_new(), *quiet = diags_new();
	const char *root = o.root ? o.root : "/";
	struct config *cfg = config_load(o.config, ds);
	struct hw *planned = NULL, *live = cfg ? hw_probe(root, ds) : NULL;
	const char *snapshot = o.snapshot ? o.snapshot : cfg ? cfg->hardware.v : NULL;
	if (live && snapshot)
		planned = hw_for_config(cfg, &(struct hw_opts){ .snapshot = o.snapshot }, ds);
	struct plan *plan = NULL;
	if (live && (planned || !snapshot)) {
		/* The check's warnings were for `vfioc check`; only its errors stop verify. */
		plan = check_and_plan(cfg, planned ? planned : live, NULL, quiet);
		if (!plan)
			diags_move(ds, quiet);
	}
	struct facts fs = {0};
	if (plan) {
		struct verify_in in = { cfg, plan, planned ? planned : live, snapshot, live, root, o.uri };
		verify_host(&in, &fs);
		verify_media(&in, &fs);
		verify_libvirt(&in, &fs);
		if (o.fmt == DFMT_GITHUB)
			print_github(&fs);
		else if (o.fmt == DFMT_TEXT)
			print_text(&fs);  /* json: below, with the diagnostics */
	}
	if (o.fmt == DFMT_JSON) {
		print_json(&fs, ds);
		rc = diags_exit_code(ds, false);
	} else {
		rc = cli_finish(ds, o.fmt, false);
	}
	if (rc == EXIT_OK && facts_failed(&fs))
		rc = EXIT_INPUT;
	facts_free(&fs);
	plan_free(plan);
	hw_free(planned);
	hw_free(live);
	config_free(cfg);
	diags_free(quiet);
	diags_free(ds);
	return rc;
}

const struct command cmd_verify = {
	"verify", "check the booted host against the config (after the rebuild and reboot)",
	"After nixos-rebuild and a reboot: does the running host hold what CONFIG plans? One\n"
	"line per fact, with a hint naming the likely cause and the fix when it does not:\n"
	"  - the IOMMU is on, and the kernel command line holds every parameter of kernel-cmdline\n"
	"  - every `bind: boot` device is on vfio-pci; every `bind: managed` device is there and\n"
	"    its IOMMU group can go to its VM whole; devices that share an ID with a passed one\n"
	"    and stay on the host are on their own driver\n"
	"  - /dev/vfio/N exists for the group of every boot-bound device; the IOMMU groups are\n"
	"    still those of the config's snapshot\n"
	"  - the hugepages of host.hugepages are reserved; host.isolate-cpus are isolated\n"
	"  - each VM's domain is defined in libvirt ('virsh -c URI dumpxml --inactive UUID') as\n"
	"    vfioc generates it, in devices, memory, CPUs and firmware (what libvirt adds is\n"
	"    ignored); skipped, with a note, when libvirt cannot be reached; each libvirt\n"
	"    network the VMs use is defined and active ('virsh net-info')\n"
	"  - the files each VM starts from (disk images, ISOs, firmware) are on the host\n"
	"  - with guest sound into a user's server, that user has qemu-config.uid (etc/passwd)\n"
	"On a terminal facts are marked \u2713 and \u2717, else ok and FAIL.\n\n",
	options,
	"Exit status: 0 every fact holds (skipped ones aside), 1 a fact fails or the config has\n"
	"errors, 2 bad command line, 3 the host could not be read.\n"
	"Example: vfioc verify host.yaml\n",
	.operand = "CONFIG",
	.root_and_hardware = true,
	.run = run,
};
