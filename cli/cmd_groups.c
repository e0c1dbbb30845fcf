/* cmd_groups.c: `vfioc groups`: the IOMMU groups of a host with, for every device, whether
 * it can be passed through alone, only together with its group's other endpoints, or never
 * (bridges) — the question people run the classic iommu_groups shell loop for. The listing
 * is tools/groups/ (text.c, json.c); here the options and what to list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/term.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "hw/hw.h"
#include "schema/snapshot/snapshot.h"
#include "tools/groups/groups.h"

static const struct cli_option options[] = {
	{ "root", 0, "DIR", CLI_ROOT, "read DIR/sys and DIR/proc instead of this machine's" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "read a snapshot written by 'vfioc probe'" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "text (default), json (the listing and the diagnostics as\n"
	  "one JSON object on standard output) or github (the text\n"
	  "listing, diagnostics as ::error annotations)" },
	CLI_COLOR_OPTION,
	/* One row per class of tools/groups/filter.c (the key is its GC_* + 1). */
	{ "gpu", 0, NULL, GC_GPU + 1, "only the groups with a display controller (03xx)" },
	{ "audio", 0, NULL, GC_AUDIO + 1, "only the groups with an audio device (0401, 0403)" },
	{ "usb", 0, NULL, GC_USB + 1, "only the groups with a USB controller (0c03)" },
	{ "net", 0, NULL, GC_NET + 1, "only the groups with a network controller (02xx)" },
	{ "storage", 0, NULL, GC_STORAGE + 1, "only the groups with a storage controller (01xx)" },
	{ 0 },
};

extern const struct command cmd_groups;

static int class_option(int key, const char *value, void *ctx)
{
	struct groups_filter *f = ctx;
	f->classes |= 1u << (key - 1);
	return EXIT_OK;
}

/* FILTER: a group number ("13") or a PCI address ("01:00.0", "0000:01:00.0"). */
static int parse_filter(const char *s, struct groups_filter *f)
{
	if (!s)
		return EXIT_OK;
	size_t n = strspn(s, "0123456789");
	if (n && !s[n] && n < 7) {
		f->group = atoi(s);
		return EXIT_OK;
	}
	if (pci_addr_parse(s, &f->addr)) {
		f->has_addr = true;
		return EXIT_OK;
	}
	struct pci_addr guess;
	if (pci_addr_guess(s, &guess))
		return cli_bad_address("groups", "FILTER", s);
	return cli_usage_error("groups", "FILTER is an IOMMU group number or a PCI address like "
			       "0000:01:00.0, not '%s'", s);
}

/* A filter that takes nothing: said, with what there is. */
static void no_match(const struct hw *hw, const struct groups_filter *f, const char *what,
		     const struct cli_args *a, struct diags *ds)
{
	struct buf b = {0};
	if (what)
		buf_printf(&b, "%s%s", f->group >= 0 ? "IOMMU group " : "", what);
	/* The classes are alternatives: "01:00.0 with USB controllers (...) or network ...". */
	const char *sep = what ? " with " : "";
	for (unsigned c = 0; c < GC_COUNT; c++)
		if (f->classes & (1u << c)) {
			buf_printf(&b, "%s%s", sep, groups_classes[c].doc);
			sep = " or ";
		}
	struct diag *d = diag_emit(ds, D_GROUPS_NO_MATCH, NULL, "%s has no %s", hw->source,
				   buf_str(&b));
	/* The same hardware as this run's: the command to copy names it. */
	const char *opt = a->hw.snapshot ? " --hardware " : a->hw.root ? " --root " : "";
	const char *arg = a->hw.snapshot ? a->hw.snapshot : a->hw.root ? a->hw.root : "";
	diag_hint(d, "'vfioc groups%s%s' without a filter lists all %zu IOMMU groups", opt, arg,
		  hw->ngroups);
	buf_free(&b);
}

static int run(int argc, char **argv)
{
	struct cli_args a = {0};
	struct groups_filter f = { .group = -1 };
	int rc = cli_parse(&cmd_groups, argc, argv, &a, class_option, &f);
	if (rc == EXIT_OK)
		rc = parse_filter(a.operand, &f);
	if (rc != EXIT_OK)
		return rc;
	const char *root = a.hw.root, *snapshot = a.hw.snapshot;
	struct diags *ds = diags_new();
	struct hw *hw = snapshot ? hw_load_snapshot(snapshot, ds) : hw_probe(root ? root : "/", ds);
	if (hw && groups_filter_any(&f) && hw->ngroups && !groups_filter_matches(hw, &f))
		no_match(hw, &f, a.operand, &a, ds);
	if (a.fmt == DFMT_JSON) {
		groups_write_json(hw, &f, ds, stdout);
		rc = diags_exit_code(ds, false);
	} else {
		struct groups_text_opts o = { term_width(stdout), term_colored(stdout) };
		if (hw && !diags_has_errors(ds))
			groups_write_text(hw, &f, &o, stdout);
		rc = cli_finish(ds, a.fmt, false);
	}
	hw_free(hw);
	diags_free(ds);
	return rc;
}

const struct command cmd_groups = {
	"groups", "list IOMMU groups and which devices can be passed through",
	"Lists every IOMMU group with its devices (address, class, name, [vendor:device], driver\n"
	"in use) and, under each device, whether it can be passed to a VM alone, only together\n"
	"with the other endpoints of its group that have a driver (name them all in the VM's\n"
	"`pci:` list; those without a driver may stay on the host, unbound), or never:\n"
	"bridges and host bridges (class 06xx) and the host's SMBus, SPI flash and IOMMU\n"
	"functions stay on the host; unbound (or PCI-to-PCI bridges on pcieport) they do not\n"
	"keep the others from being passed, but on another driver (lpc_ich on the LPC bridge)\n"
	"they keep their whole group from every VM, as the kernel does; the disk under the\n"
	"host's mounted file systems or swap keeps its whole group. The boot GPU, devices\n"
	"without a reset method, the NICs of the host's default route and SR-IOV virtual\n"
	"functions are marked; the boot GPU and the host's own devices (its disk, its network)\n"
	"also on their line: [boot GPU], [host disk], [host network].\n"
	"Without IOMMU groups (IOMMU off) it says how to turn the IOMMU on.\n\n"
	"FILTER lists one group: its number (13) or a device's address (01:00.0 or\n"
	"0000:01:00.0); a class option (--gpu, ...) lists the groups holding such a device.\n"
	"Filters combine: '--gpu 01:00.0' is that device's group if it holds a GPU. A filter\n"
	"that matches nothing is an error [groups-no-match]. On a terminal the listing fits\n"
	"its width (COLUMNS, else the terminal's): device names are cut with an ellipsis,\n"
	"addresses never.\n\n",
	options,
	"JSON: {\"iommu\": {\"enabled\", \"hardware\", \"enable_with\"}, \"groups\": [{\"group\",\n"
	"\"endpoints\", \"verdict\": alone|together|some-may-stay|bridges-only|host|blocked,\n"
	"\"blocked_by\" ({\"address\", \"role\"} of the device that keeps a blocked group, else\n"
	"null), \"devices\": [...]}], \"ungrouped\": [...], \"diagnostics\": [as check's]}\n"
	"(\"iommu\" null when the hardware could not be read); each device has address, class,\n"
	"class_name, vendor, device, vendor_name, device_name, driver, role, host_fs, host_route,\n"
	"boot_vga, reset_methods, physfn, \"verdict\": alone|together|never, \"reason\" (for never:\n"
	"bridge, platform, holds-group, blocked-group, host-fs, host-fs-in-group, no-group),\n"
	"\"with\" (the addresses it must go with) and \"may_stay\" (the group's endpoints without\n"
	"a driver, which may stay on the host).\n\n"
	"Exit status: 0 listed, 1 a malformed snapshot or a FILTER that matches nothing, 2 bad\n"
	"command line, 3 the hardware could not be read.\n"
	"Example: vfioc groups --hardware examples/seed/hardware.yaml\n",
	.operand = "FILTER",
	.operand_optional = true,
	.run = run,
};
