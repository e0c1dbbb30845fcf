/* cmd_groups.c: `vfioc groups`: the IOMMU groups of a host with, for every device, whether
 * it can be passed through alone, only together with its group's other endpoints, or never
 * (bridges) — the question people run the classic iommu_groups shell loop for. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hw.h"
#include "util.h"

#define MAX_NAMED_SIBLINGS 8  /* beyond this, "the N other endpoints of the group" */

static void print_device(const struct hw_pci *d)
{
	char addr[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, addr);
	printf("  %s  %s [%04x]: ", addr, d->class_name ? d->class_name : "Device",
	       (unsigned)(d->class >> 8));
	if (d->vendor_name)
		printf("%s ", d->vendor_name);
	printf("%s [%04x:%04x]", d->device_name ? d->device_name : "Device", d->vendor, d->device);
	printf("  driver: %s\n", d->driver ? d->driver : "none");
}

/* "only together with A, B" or "... with the N other endpoints of the group". */
static void print_siblings(const struct hw *hw, const struct hw_group *g, const struct hw_pci *d,
			   size_t nend)
{
	if (nend - 1 > MAX_NAMED_SIBLINGS) {
		printf("only together with the %zu other endpoints of the group", nend - 1);
		return;
	}
	printf("only together with");
	const char *sep = " ";
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *o = &hw->pci[g->member[i]];
		char addr[PCI_ADDR_STRLEN];
		if (o == d || hw_is_bridge(o))
			continue;
		pci_addr_fmt(&o->addr, addr);
		printf("%s%s", sep, addr);
		sep = ", ";
	}
}

/* What else a user should know before passing d. */
static void print_marks(const struct hw_pci *d)
{
	if (d->host_route)
		printf("; carries the host's default route (%s)", d->host_route);
	if (d->boot_vga == 1)
		printf("; boot GPU (boot_vga=1): the firmware and the host console use it");
	if (d->reset_methods && !*d->reset_methods)
		printf("; no reset method: it may not come back after a VM stops");
	if (d->is_vf) {
		char pf[PCI_ADDR_STRLEN];
		pci_addr_fmt(&d->physfn, pf);
		printf("; SR-IOV virtual function of %s", pf);
	}
}

static void print_verdict(const struct hw *hw, const struct hw_group *g, const struct hw_pci *d,
			  size_t nend)
{
	const struct hw_pci *disk = hw_is_bridge(d) ? NULL : hw_group_host_disk(hw, g);
	printf("                ");
	if (hw_is_bridge(d)) {
		printf("never: a bridge stays on the host (it does not keep the others from being "
		       "passed)");
	} else if (disk == d) {
		printf("never: it holds the host's %s", d->host_fs);
	} else if (disk) {
		char addr[PCI_ADDR_STRLEN];
		pci_addr_fmt(&disk->addr, addr);
		printf("never: only together with %s, which holds the host's %s", addr, disk->host_fs);
	} else if (nend == 1)
		printf("can be passed alone");
	else
		print_siblings(hw, g, d, nend);
	if (!hw_is_bridge(d))
		print_marks(d);
	putchar('\n');
}

static void print_group(const struct hw *hw, const struct hw_group *g)
{
	size_t nend = hw_group_endpoints(hw, g);
	printf("IOMMU group %d", g->number);
	if (hw_group_host_disk(hw, g) && nend == 1)
		printf(": one endpoint, kept by the host: its own file systems are on it\n");
	else if (hw_group_host_disk(hw, g))
		printf(": %zu endpoints, kept by the host: its own file systems are on one\n", nend);
	else if (nend == 0)
		printf(": bridges only, nothing to pass\n");
	else if (nend == 1)
		printf(": one endpoint, can be passed alone\n");
	else
		printf(": %zu endpoints, to be passed together\n", nend);
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *d = &hw->pci[g->member[i]];
		print_device(d);
		print_verdict(hw, g, d, nend);
	}
}

static void print_ungrouped(const struct hw *hw)
{
	bool header = false;
	for (size_t i = 0; i < hw->npci; i++) {
		if (hw->pci[i].iommu_group >= 0)
			continue;
		if (!header)
			printf("Not in any IOMMU group (cannot be passed through)\n");
		header = true;
		print_device(&hw->pci[i]);
	}
}

static void print_iommu_off(const struct hw *hw)
{
	const char *param = hw->cpu_vendor == CPU_AMD ? "amd_iommu=on"
			    : hw->cpu_vendor == CPU_INTEL ? "intel_iommu=on" : "intel_iommu=on or amd_iommu=on";
	const char *feature = hw->cpu_vendor == CPU_AMD ? "AMD-Vi (IOMMU)"
			      : hw->cpu_vendor == CPU_INTEL ? "VT-d" : "VT-d or AMD-Vi (IOMMU)";
	printf("No IOMMU groups: the IOMMU is off, so no device can be passed through yet.\n");
	if (hw->iommu_present)
		printf("The IOMMU hardware is there (sys/class/iommu) but the kernel did not enable "
		       "it: boot with %s.\n", param);
	else
		printf("Enable %s in the firmware setup, then boot with %s.\n", feature, param);
	printf("'vfioc build' adds %s to the kernel command line it writes.\n", param);
}

static void print_groups(const struct hw *hw)
{
	if (hw->ngroups == 0) {
		print_iommu_off(hw);
		return;
	}
	for (size_t i = 0; i < hw->ngroups; i++) {
		print_group(hw, &hw->groups[i]);
		putchar('\n');
	}
	print_ungrouped(hw);
}

static const struct cli_option options[] = {
	{ "root", 0, "DIR", CLI_ROOT, "read DIR/sys and DIR/proc instead of this machine's" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "read a snapshot written by 'vfioc probe'" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "diagnostics as text (default), json or github" },
	{ 0 },
};

extern const struct command cmd_groups;

static int run(int argc, char **argv)
{
	struct cli_args a = {0};
	int rc = cli_parse(&cmd_groups, argc, argv, &a, NULL, NULL);
	if (rc != EXIT_OK)
		return rc;
	const char *root = a.hw.root, *snapshot = a.hw.snapshot;
	struct diags *ds = diags_new();
	struct hw *hw = snapshot ? hw_load_snapshot(snapshot, ds) : hw_probe(root ? root : "/", ds);
	if (hw)
		print_groups(hw);
	hw_free(hw);
	rc = cli_finish(ds, a.fmt, false);
	diags_free(ds);
	return rc;
}

const struct command cmd_groups = {
	"groups", "list IOMMU groups and which devices can be passed through",
	"Usage: vfioc groups [--root DIR | --hardware FILE] [--format text|json|github]\n\n"
	"Lists every IOMMU group with its devices (address, class, name, [vendor:device], driver\n"
	"in use) and, under each device, whether it can be passed to a VM alone, only together\n"
	"with the other endpoints of its group (name them all in the VM's `pci:` list), or never:\n"
	"bridges and host bridges (class 06xx) stay on the host and do not keep the others from\n"
	"being passed; the disk under the host's own /, /nix or /usr keeps its whole group. The\n"
	"boot GPU, devices without a reset method, the NICs of the host's default route and\n"
	"SR-IOV virtual functions are marked. Without IOMMU groups (IOMMU off) it says how to\n"
	"turn the IOMMU on.\n\n",
	options,
	"Exit status: 0 listed, 1 a malformed snapshot, 2 bad command line, 3 the hardware could\n"
	"not be read.\n"
	"Example: vfioc groups --hardware examples/seed/hardware.yaml\n",
	.run = run,
};
