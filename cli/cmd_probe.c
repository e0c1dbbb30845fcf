/* cmd_probe.c: `vfioc probe`: read the hardware (live or under --root) and write the
 * snapshot that configs name with `hardware:`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cmd.h"
#include "cli/filewrite.h"
#include "hw/hw.h"
#include "schema/snapshot/snapshot.h"

/* Write to a temporary file beside path, then rename it over path: a reader never sees a
 * half-written snapshot, and a failure leaves the old one in place. */
static bool write_atomically(const struct hw *hw, const char *path, struct diags *ds)
{
	struct buf text = {0};
	int dirfd = file_snapshot_text(hw, &text, ds) ? file_folder(path, ds) : -1;
	bool fits = dirfd >= 0 && file_replaceable(dirfd, path, "-o names the snapshot file, which "
						   "vfioc replaces whole; without -o the snapshot goes "
						   "to standard output", ds);
	char *tmp = fits ? file_stage(dirfd, path, &text, ds) : NULL;
	bool ok = tmp && renameat(dirfd, tmp, dirfd, file_base(path)) == 0;
	if (tmp && !ok) {
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write %s: %s", path, strerror(errno));
		unlinkat(dirfd, tmp, 0);
	}
	if (ok)
		fsync(dirfd);  /* the rename reaches the disk */
	if (dirfd >= 0)
		close(dirfd);
	free(tmp);
	buf_free(&text);
	return ok;
}

static void write_stdout(const struct hw *hw, struct diags *ds)
{
	if (hw_write_snapshot(hw, stdout) != 0)
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write the snapshot to standard output: %s",
			  strerror(errno));
}

static const struct cli_option options[] = {
	{ "root", 0, "DIR", CLI_ROOT, "read DIR/sys and DIR/proc instead of /sys and /proc (a test root, or\n"
	  "a copy of another machine's files)" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "read a snapshot instead and write it again (checks it, and brings\n"
	  "it to the layout of this vfioc)" },
	{ "output", 'o', "FILE", CLI_OUTPUT, "write the snapshot to FILE (atomically: a temporary file, then a\n"
	  "rename); default: standard output" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "diagnostics as text (default), json or github" },
	{ 0 },
};

extern const struct command cmd_probe;

static int run(int argc, char **argv)
{
	struct cli_args a = {0};
	int rc = cli_parse(&cmd_probe, argc, argv, &a, NULL, NULL);
	if (rc != EXIT_OK)
		return rc;
	const char *root = a.hw.root, *snapshot = a.hw.snapshot, *out = a.output;
	if (out && !*out)
		return cli_usage_error("probe", "-o needs a file name");
	struct diags *ds = diags_new();
	struct hw *hw = snapshot ? hw_load_snapshot(snapshot, ds) : hw_probe(root ? root : "/", ds);
	if (hw && out)
		write_atomically(hw, out, ds);
	else if (hw)
		write_stdout(hw, ds);
	hw_free(hw);
	rc = cli_finish(ds, a.fmt, false);
	diags_free(ds);
	return rc;
}

const struct command cmd_probe = {
	"probe", "write a snapshot of this host's hardware (for `hardware:` in a config)",
	"Reads the PCI devices (through libpci), IOMMU groups, drivers, CPUs, memory, hugepage\n"
	"sizes, kernel and USB devices of this machine and writes them as a YAML snapshot. Commit\n"
	"it next to your config and name it with `hardware: FILE`, so `vfioc check` and `vfioc\n"
	"build` work on machines without the GPU (CI). The same hardware gives the same bytes.\n\n",
	options,
	"Exit status: 0 written (warnings about devices left out go to standard error), 1 a\n"
	"malformed --hardware snapshot, 2 bad command line, 3 the hardware could not be read\n"
	"(no DIR/sys/bus/pci, a file there that cannot be read, or no libpci) or FILE could not\n"
	"be written.\n"
	"Missing files are facts (no reset_method file: reset methods unknown; no iommu_groups:\n"
	"the IOMMU is off).\n"
	"Example: vfioc probe -o hardware.yaml\n",
	.run = run,
};
