/* cmd_groups.c: `vfioc groups`: the IOMMU groups of a host with, for every device, whether
 * it can be passed through alone, only together with its group's other endpoints, or never
 * (bridges) — the question people run the classic iommu_groups shell loop for. */
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "hw/hw.h"
#include "schema/snapshot/snapshot.h"
#include "tools/groups/groups.h"

/* A string of the snapshot or of sysfs: escaped, so that no control sequence in a device
 * name (an OSC 52 clipboard write, a fake line) reaches the terminal. */
static void put(const char *s)
{
	esc_text(stdout, s);
}

static void print_device(const struct hw_pci *d)
{
	char addr[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, addr);
	printf("  %s  ", addr);
	put(d->class_name ? d->class_name : "Device");
	printf(" [%04x]: ", (unsigned)(d->class >> 8));
	if (d->vendor_name) {
		put(d->vendor_name);
		putchar(' ');
	}
	put(d->device_name ? d->device_name : "Device");
	printf(" [%04x:%04x]  driver: ", d->vendor, d->device);
	put(d->driver ? d->driver : "none");
	putchar('\n');
}

/* The addresses of the endpoints other than d with (holding) or without a driver,
 * ", "-separated, from the few the group's facts name. */
static void print_others(const struct group_facts *f, const struct hw_pci *d, bool holding)
{
	const char *sep = " ";
	for (size_t i = 0; i < GROUPS_MAX_NAMED + 2 && f->named[holding][i]; i++) {
		const struct hw_pci *o = f->named[holding][i];
		char addr[PCI_ADDR_STRLEN];
		if (o == d)
			continue;
		pci_addr_fmt(&o->addr, addr);
		printf("%s%s", sep, addr);
		sep = ", ";
	}
}

/* "can be passed alone", "only together with A, B" or "... with the N other endpoints of
 * the group", then the endpoints without a driver, which may stay. */
static void print_siblings(const struct group_facts *f, const struct hw_pci *d,
			   enum dev_verdict v)
{
	size_t need = groups_others(f, d, true), free_ = groups_others(f, d, false);
	if (v == DV_ALONE)
		printf("can be passed alone");
	else if (need > GROUPS_MAX_NAMED)
		printf("only together with the %zu other endpoints of the group", need);
	else {
		printf("only together with");
		print_others(f, d, true);
	}
	if (free_ > GROUPS_MAX_NAMED)
		printf("; the %zu endpoints without a driver may stay", free_);
	else if (free_) {
		printf(";");
		print_others(f, d, false);
		printf(" may stay (no driver)");
	}
}

/* What else a user should know before passing d. */
static void print_marks(const struct hw_pci *d)
{
	if (d->host_route) {
		printf("; carries the host's default route (");
		put(d->host_route);
		putchar(')');
	}
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

static void print_verdict(const struct group_facts *f, const struct hw_pci *d)
{
	const struct hw_pci *disk = f->host_disk;
	char addr[PCI_ADDR_STRLEN];
	printf("                ");
	enum dev_verdict v = groups_device_verdict(f, d);
	switch (v) {
	case DV_NEVER_BRIDGE:
		printf("never: a bridge stays on the host (it does not keep the others from being "
		       "passed)");
		break;
	case DV_NEVER_PLATFORM:
		printf("never: it stays on the host (%s; without a driver it does not keep the "
		       "others from being passed)", hw_platform_role(d));
		break;
	case DV_NEVER_HOLDS:
		printf("never: it stays on the host (%s), and its driver ", hw_platform_role(d));
		put(d->driver);
		printf(" keeps the group from every VM");
		break;
	case DV_NEVER_BLOCKED_GROUP:
		pci_addr_fmt(&f->blocker->addr, addr);
		printf("never: %s (%s) holds the group on ", addr, hw_platform_role(f->blocker));
		put(f->blocker->driver);
		break;
	case DV_NEVER_HOST_FS:
		printf("never: it holds the host's ");
		put(d->host_fs);
		break;
	case DV_NEVER_HOST_GROUP:
		pci_addr_fmt(&disk->addr, addr);
		printf("never: only together with %s, which holds the host's ", addr);
		put(disk->host_fs);
		break;
	case DV_ALONE:
	case DV_TOGETHER:
		print_siblings(f, d, v);
		break;
	}
	if (!hw_stays_on_host(d))
		print_marks(d);
	putchar('\n');
}

static void print_group(const struct hw *hw, const struct hw_group *g)
{
	/* Found once per group: a group can hold 10^5 devices. */
	struct group_facts f = groups_facts(hw, g);
	size_t nend = f.endpoints;
	char addr[PCI_ADDR_STRLEN];
	printf("IOMMU group %d", g->number);
	switch (groups_group_verdict(&f)) {
	case GV_HOST:
		if (nend == 1)
			printf(": one endpoint, kept by the host: its own file systems are on it\n");
		else
			printf(": %zu endpoints, kept by the host: its own file systems are on one\n", nend);
		break;
	case GV_BLOCKED:
		pci_addr_fmt(&f.blocker->addr, addr);
		printf(": kept by the host: %s (%s) is on ", addr, hw_platform_role(f.blocker));
		put(f.blocker->driver);
		printf(", which the kernel does not allow in a group given to a VM\n");
		break;
	case GV_BRIDGES_ONLY:
		printf(": bridges only, nothing to pass\n");
		break;
	case GV_ALONE:
		printf(": one endpoint, can be passed alone\n");
		break;
	case GV_TOGETHER:
		printf(": %zu endpoints, to be passed together\n", nend);
		break;
	case GV_SOME_MAY_STAY:
		printf(": %zu endpoints: those with a driver go together, the %zu without one "
		       "may stay\n", nend, nend - f.holding);
		break;
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *d = &hw->pci[g->member[i]];
		print_device(d);
		print_verdict(&f, d);
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
	const char *param = groups_iommu_param(hw);
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
	{ "format", 0, "FORMAT", CLI_FORMAT, "text (default), json (the listing and the diagnostics as\n"
	  "one JSON object on standard output) or github (the text\n"
	  "listing, diagnostics as ::error annotations)" },
	CLI_COLOR_OPTION,
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
	if (a.fmt == DFMT_JSON) {
		groups_write_json(hw, ds, stdout);
		rc = diags_exit_code(ds, false);
	} else {
		if (hw)
			print_groups(hw);
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
	"host's mounted file systems or swap keeps its whole group. The\n"
	"boot GPU, devices without a reset method, the NICs of the host's default route and\n"
	"SR-IOV virtual functions are marked. Without IOMMU groups (IOMMU off) it says how to\n"
	"turn the IOMMU on.\n\n",
	options,
	"JSON: {\"iommu\": {\"enabled\", \"hardware\", \"enable_with\"}, \"groups\": [{\"group\",\n"
	"\"endpoints\", \"verdict\": alone|together|some-may-stay|bridges-only|host, \"devices\":\n"
	"[...]}], \"ungrouped\": [...], \"diagnostics\": [as check's]} (\"iommu\" null when the\n"
	"hardware could not be read); each device has address, class, class_name, vendor, device,\n"
	"vendor_name, device_name, driver, host_fs, host_route, boot_vga, reset_methods, physfn,\n"
	"\"verdict\": alone|together|never, \"reason\" (for never: bridge, host-fs,\n"
	"host-fs-in-group, no-group), \"with\" (the addresses it must go with) and \"may_stay\"\n"
	"(the group's endpoints without a driver, which may stay on the host).\n\n"
	"Exit status: 0 listed, 1 a malformed snapshot, 2 bad command line, 3 the hardware could\n"
	"not be read.\n"
	"Example: vfioc groups --hardware examples/seed/hardware.yaml\n",
	.run = run,
};
