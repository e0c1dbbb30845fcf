/* tools/verify/host.c: the facts of the booted host that `vfioc verify` compares with the plan:
 * the IOMMU, the kernel command line, the driver of every passed device, the devices that
 * share an ID with a passed one, /dev/vfio, the IOMMU groups against the snapshot, the
 * hugepage reservation, the isolated CPUs and the uid of the user whose sound server VMs
 * play into. The hardware model of the booted host is read as `probe` reads it; what only a
 * running kernel has (/dev/vfio, nr_hugepages, isolated CPUs) is read here. Group
 * viability is the rule of hw/group.c. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hw/hw.h"
#include "tools/verify/verify.h"

#define MAX_LISTED 5   /* group changes named in one fact */

/* ROOT/rel, malloc'd. */
static char *at_root(const char *root, const char *rel)
{
	size_t n = strlen(root);
	while (n && root[n - 1] == '/')
		n--;
	return xasprintf("%.*s/%s", (int)n, root, rel);
}

/* A small file of the booted host, trailing whitespace removed; NULL with errno set. */
/* etc/passwd is small on most hosts, but one that lists a directory's users (sssd or LDAP
 * enumerated into files) can hold tens of thousands of lines. */
#define PASSWD_MAX (16u << 20)

/* ROOT/rel, at most max bytes, without its trailing newlines and spaces; NULL with errno. */
static char *read_text(const char *root, const char *rel, size_t max)
{
	char *path = at_root(root, rel), *text = NULL;
	size_t len;
	int err = read_file(path, max, &text, &len);
	free(path);
	if (err) {
		errno = err;
		return NULL;
	}
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = 0;
	return text;
}

static char *read_small(const char *root, const char *rel)
{
	return read_text(root, rel, 64 * 1024);
}

static const char *iommu_param(const struct plan *p)
{
	return p->iommu == IOMMU_AMD ? IOMMU_PARAM_AMD : IOMMU_PARAM_INTEL;
}

static void iommu(const struct verify_in *in, struct facts *out)
{
	if (in->live->ngroups) {
		fact_about(fact_add(out, FACT_OK, "iommu", "the IOMMU is on: %zu IOMMU groups",
				    in->live->ngroups), NULL, "on", "on");
		return;
	}
	struct fact *f = fact_add(out, FACT_FAIL, "iommu", "the IOMMU is off: the booted kernel "
				  "shows no IOMMU groups");
	fact_about(f, NULL, "on", "off");
	if (in->live->iommu_present)
		fact_hint(f, "the IOMMU hardware is there but the kernel did not enable it: %s must "
			  "be on the kernel command line", iommu_param(in->plan));
	else
		fact_hint(f, "enable %s in the firmware setup, and boot with %s",
			  in->plan->iommu == IOMMU_AMD ? "AMD-Vi (IOMMU)" : "VT-d", iommu_param(in->plan));
}

static bool has_token(const char *cmdline, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = cmdline; (p = strstr(p, tok)); p += n)
		if ((p == cmdline || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0 || p[n] == '\n'))
			return true;
	return false;
}

/* Returns whether every parameter is there (the driver hints refer to it). */
static bool cmdline(const struct verify_in *in, struct facts *out)
{
	const struct plan_strlist *k = &in->plan->kernel_params;
	if (!k->n)
		return true;
	if (!in->live->cmdline) {
		struct fact *f = fact_add(out, FACT_FAIL, "kernel-cmdline", "the running kernel's "
					  "command line cannot be read (proc/cmdline)");
		fact_hint(f, "run vfioc verify on the booted host itself, with /proc mounted");
		return false;
	}
	struct buf missing = {0};
	size_t n = 0;
	for (size_t i = 0; i < k->n; i++)
		if (!has_token(in->live->cmdline, k->v[i])) {
			buf_printf(&missing, "%s%s", n ? " " : "", k->v[i]);
			n++;
		}
	struct buf want = {0};
	for (size_t i = 0; i < k->n; i++)
		buf_printf(&want, "%s%s", i ? " " : "", k->v[i]);
	struct fact *f;
	if (!n) {
		f = fact_add(out, FACT_OK, "kernel-cmdline", "the kernel command line holds all %zu "
			     "parameters of kernel-cmdline", k->n);
	} else {
		f = fact_add(out, FACT_FAIL, "kernel-cmdline", "the kernel command line lacks %zu of "
			     "the %zu parameters of kernel-cmdline: %s", n, k->n, buf_str(&missing));
		fact_hint(f, "%s", verify_rebuild_hint(in->plan));
		fact_hint(f, "%s", verify_bootentry_hint(in->plan));
	}
	char *live = xstrndup(in->live->cmdline, strcspn(in->live->cmdline, "\n"));
	fact_about(f, NULL, buf_str(&want), live);
	free(live);
	buf_free(&want);
	buf_free(&missing);
	return n == 0;
}

/* Devices of the booted host that a VM of the plan takes: owner VM + 1, 0 for none. */
static size_t *owners(const struct verify_in *in)
{
	size_t *own = xcalloc(in->live->npci, sizeof(*own));
	for (size_t vm = 0; vm < in->plan->nvms; vm++)
		for (size_t k = 0; k < in->plan->vms[vm].ndevs; k++) {
			const struct hw_pci *d = hw_find_pci(in->live, &in->plan->vms[vm].devs[k].addr);
			if (d && !own[d - in->live->pci])
				own[d - in->live->pci] = vm + 1;
		}
	return own;
}

static bool is_vfio(const char *driver)
{
	return driver && !strcmp(driver, "vfio-pci");
}

/* Whether the target is NixOS (vfio.nix), else a family with root/ (vfioc apply). */
static bool nixos(const struct verify_in *in)
{
	return in->plan->family == FAMILY_NIXOS;
}

/* Why a boot-bound device is on another driver than vfio-pci. */
static void driver_hints(const struct verify_in *in, struct fact *f, const struct hw_pci *d,
			 bool cmdline_ok)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	if (!cmdline_ok) {
		fact_hint(f, "the kernel command line lacks parameters of kernel-cmdline (above): "
			  "boot the %s system first", in->plan->family == FAMILY_NIXOS ? "rebuilt"
										     : "applied");
		return;
	}
	if (d->driver) {
		const char *mod = d->driver_module ? d->driver_module : d->driver;
		if (in->plan->family == FAMILY_NIXOS)
			fact_hint(f, "on %s: the host driver was loaded first. Is %s in "
				  "boot.initrd.kernelModules without the softdep? vfio.nix loads vfio_pci "
				  "first and adds 'softdep %s pre: vfio-pci': check that it is imported and "
				  "that no other part of the system configuration loads %s earlier",
				  d->driver, mod, mod, mod);
		else
			fact_hint(f, "on %s: the host driver was loaded first, without 'softdep %s pre: "
				  "vfio-pci'. %s", d->driver, mod, verify_modules_hint(in->plan));
		if (!d->driver_module)
			fact_hint(f, "%s is built into the kernel: no module order can keep it away; "
				  "bind this device with 'bind: driver-override'", d->driver);
	} else if (in->plan->strategy == STRATEGY_IDS) {
		fact_hint(f, "no driver took it: vfio_pci did not load in the initrd, or did not know "
			  "the ID; check 'dmesg | grep -i vfio' and that %s", nixos(in)
			  ? "vfio.nix is imported" : "the build was applied (vfioc apply)");
	} else {
		fact_hint(f, "no driver took it: the initrd did not write vfio-pci to "
			  "/sys/bus/pci/devices/%s/driver_override before the drivers probed (%s does "
			  "it with its 'install vfio_pci' line, which runs whenever vfio_pci loads)", a,
			  nixos(in) ? "vfio.nix's boot.extraModprobeConfig"
				    : "/etc/modprobe.d/vfio.conf, which the initramfs must hold,");
	}
}

static bool present(struct facts *out, const struct plan_vm *vm, const struct plan_dev *pd,
		    const struct hw_pci *d, const struct verify_in *in)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&pd->addr, a);
	struct fact *f = NULL;
	char want[16], got[16];
	snprintf(want, sizeof want, "%04x:%04x", pd->vendor, pd->device);
	if (d)
		snprintf(got, sizeof got, "%04x:%04x", d->vendor, d->device);
	if (!d)
		f = fact_add(out, FACT_FAIL, "device-present", "%s (%04x:%04x) of VM '%s' is not on "
			     "this host", a, pd->vendor, pd->device, vm->name);
	else if (d->vendor != pd->vendor || d->device != pd->device)
		f = fact_add(out, FACT_FAIL, "device-present", "%s of VM '%s' is now %04x:%04x, not "
			     "%04x:%04x", a, vm->name, d->vendor, d->device, pd->vendor, pd->device);
	if (f)
		fact_about(f, a, want, d ? got : NULL);
	if (f)
		fact_hint(f, "the card moved or was removed: run 'vfioc probe -o %s' and "
			  "'vfioc check' to see where it went", in->snapshot ? in->snapshot : "hardware.yaml");
	return !f;
}

static void managed_group(const struct verify_in *in, struct facts *out, size_t vm,
			  const struct hw_pci *d, const size_t *own)
{
	const struct hw *hw = in->live;
	const char *name = in->plan->vms[vm].name;
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	const struct hw_group *g = hw_find_group(hw, d->iommu_group);
	if (!g) {
		struct fact *f = fact_add(out, FACT_FAIL, "group-viable", "%s (%04x:%04x) of VM '%s' "
					  "is in no IOMMU group: it cannot be passed", a, d->vendor,
					  d->device, name);
		fact_about(f, a, "in an IOMMU group", NULL);
		fact_hint(f, "the IOMMU must be on (above)");
		return;
	}
	bool *passed = xcalloc(hw->npci, sizeof(*passed));
	size_t *left = xmalloc(g->n * sizeof(*left));
	for (size_t i = 0; i < hw->npci; i++)
		passed[i] = own[i] == vm + 1;
	size_t n = 0, all = hw_group_left(hw, g, passed, left);
	for (size_t i = 0; i < all; i++)   /* one without a driver keeps the group viable */
		if (hw_holds_group(&hw->pci[left[i]]))
			left[n++] = left[i];
	const struct hw_pci *disk = hw_group_host_disk(hw, g), *held = hw_group_blocker(hw, g);
	if (!n && !disk && !held) {
		fact_about(fact_add(out, FACT_OK, "group-viable", "%s (%04x:%04x) of VM '%s' is there, "
				    "and its IOMMU group %d goes to the VM whole (libvirt detaches it "
				    "when the VM starts)", a, d->vendor, d->device, name, g->number),
			   a, "viable", "viable");
	} else {
		struct fact *f = fact_add(out, FACT_FAIL, "group-viable", "IOMMU group %d of %s (VM "
					  "'%s') is not viable: %zu of its devices stay on the host",
					  g->number, a, name, n + (held != NULL));
		char *stay = xasprintf("%zu devices stay on the host", n + (held != NULL));
		fact_about(f, a, "viable", stay);
		free(stay);
		for (size_t i = 0; i < n; i++) {
			char o[PCI_ADDR_STRLEN];
			pci_addr_fmt(&hw->pci[left[i]].addr, o);
			fact_hint(f, "%s stays on the host (driver %s): the groups changed since the "
				  "config was checked; add it to vms.%s.pci, or run 'vfioc probe' and "
				  "'vfioc check'", o, hw->pci[left[i]].driver ? hw->pci[left[i]].driver
				  : "none", name);
		}
		if (disk)
			fact_hint(f, "the host's own file systems are on a device of this group (%s)",
				  disk->host_fs);
		if (held) {
			char o[PCI_ADDR_STRLEN];
			pci_addr_fmt(&held->addr, o);
			fact_hint(f, "%s, the host's %s, is on %s, which the kernel does not allow in "
				  "a group given to a VM: no VM can have this group", o,
				  hw_platform_role(held), held->driver);
		}
	}
	free(passed);
	free(left);
}

static void drivers(const struct verify_in *in, struct facts *out, const size_t *own,
		    bool cmdline_ok)
{
	for (size_t vm = 0; vm < in->plan->nvms; vm++) {
		const struct plan_vm *v = &in->plan->vms[vm];
		for (size_t k = 0; k < v->ndevs; k++) {
			const struct plan_dev *pd = &v->devs[k];
			const struct hw_pci *d = hw_find_pci(in->live, &pd->addr);
			if (!present(out, v, pd, d, in))
				continue;
			if (pd->managed) {
				managed_group(in, out, vm, d, own);
				continue;
			}
			char a[PCI_ADDR_STRLEN];
			pci_addr_fmt(&d->addr, a);
			if (is_vfio(d->driver)) {
				fact_about(fact_add(out, FACT_OK, "driver", "%s (%04x:%04x) of VM '%s' is "
						    "on vfio-pci", a, d->vendor, d->device, v->name),
					   a, "vfio-pci", d->driver);
				continue;
			}
			struct fact *f = fact_add(out, FACT_FAIL, "driver", "%s (%04x:%04x) of VM '%s' is "
						  "on %s, not vfio-pci", a, d->vendor, d->device,
						  v->name, d->driver ? d->driver : "no driver");
			fact_about(f, a, "vfio-pci", d->driver);
			driver_hints(in, f, d, cmdline_ok);
		}
	}
}

/* Devices with the ID of a boot-bound device that stay on the host: on their own driver. */
static void twins(const struct verify_in *in, struct facts *out, const size_t *own)
{
	const struct hw *hw = in->live;
	bool *seen = xcalloc(hw->npci, sizeof(*seen));
	for (size_t vm = 0; vm < in->plan->nvms; vm++)
		for (size_t k = 0; k < in->plan->vms[vm].ndevs; k++) {
			const struct plan_dev *pd = &in->plan->vms[vm].devs[k];
			if (pd->managed)
				continue;
			size_t one, n = hw_find_ids(hw, pd->vendor, pd->device, &one, 1);
			size_t *all = xmalloc_array(n, sizeof(*all));
			hw_find_ids(hw, pd->vendor, pd->device, all, n);
			for (size_t i = 0; i < n; i++) {
				const struct hw_pci *d = &hw->pci[all[i]];
				if (own[all[i]] || seen[all[i]])
					continue;
				seen[all[i]] = true;
				const struct hw_pci *was = hw_find_pci(in->planned, &d->addr);
				const char *want = was ? was->driver : NULL;
				char a[PCI_ADDR_STRLEN], p[PCI_ADDR_STRLEN];
				pci_addr_fmt(&d->addr, a);
				pci_addr_fmt(&pd->addr, p);
				bool ok = d->driver && !is_vfio(d->driver) &&
					  (!want || is_vfio(want) || !strcmp(want, d->driver));
				/* Without the snapshot's driver, any host driver will do. */
				const char *expect = want && !is_vfio(want) ? want : "not vfio-pci";
				if (ok) {
					fact_about(fact_add(out, FACT_OK, "id-twin", "%s (%04x:%04x, the ID "
							    "of the passed %s) stays on the host, on %s", a,
							    d->vendor, d->device, p, d->driver),
						   a, expect, d->driver);
					continue;
				}
				struct fact *f = fact_add(out, FACT_FAIL, "id-twin", "%s (%04x:%04x, the ID "
							  "of the passed %s) stays on the host but is on "
							  "%s%s%s", a, d->vendor, d->device, p,
							  d->driver ? d->driver : "no driver",
							  want ? ", not " : "", want ? want : "");
				fact_about(f, a, expect, d->driver);
				if (is_vfio(d->driver) && in->plan->strategy == STRATEGY_IDS)
					fact_hint(f, "vfio-pci.ids binds every device with that ID: write "
						  "'bind: driver-override' (or 'auto') so that the passed one "
						  "is bound by its address, then build and %s",
						  nixos(in) ? "rebuild" : "apply");
				else if (is_vfio(d->driver))
					fact_hint(f, "%s binds by address here, so something else bound "
						  "it: a vfio-pci.ids= or 'options vfio-pci ids=' elsewhere in the "
						  "%s?", nixos(in) ? "vfio.nix" : "the build",
						  nixos(in) ? "system configuration" : "kernel command line or "
						  "/etc/modprobe.d");
				else
					fact_hint(f, "its driver did not load or did not take it: see "
						  "'dmesg' and 'lspci -k -s %s'", a);
			}
			free(all);
		}
	free(seen);
}

static void dev_vfio(const struct verify_in *in, struct facts *out)
{
	const struct hw *hw = in->live;
	size_t *gvm = xcalloc(hw->ngroups, sizeof(*gvm));
	for (size_t vm = 0; vm < in->plan->nvms; vm++)
		for (size_t k = 0; k < in->plan->vms[vm].ndevs; k++) {
			const struct plan_dev *pd = &in->plan->vms[vm].devs[k];
			const struct hw_pci *d = hw_find_pci(hw, &pd->addr);
			const struct hw_group *g = d ? hw_find_group(hw, d->iommu_group) : NULL;
			if (g && !pd->managed && !gvm[g - hw->groups])
				gvm[g - hw->groups] = vm + 1;
		}
	for (size_t i = 0; i < hw->ngroups; i++) {
		if (!gvm[i])
			continue;
		const char *name = in->plan->vms[gvm[i] - 1].name;
		int n = hw->groups[i].number;
		char *rel = xasprintf("dev/vfio/%d", n), *path = at_root(in->root, rel);
		struct stat st;
		char *dev = xasprintf("/%s", rel);
		if (stat(path, &st) == 0) {
			fact_about(fact_add(out, FACT_OK, "vfio-group", "/dev/vfio/%d is there: vfio holds "
					    "IOMMU group %d of VM '%s'", n, n, name),
				   dev, "present", "present");
		} else {
			struct fact *f = fact_add(out, FACT_FAIL, "vfio-group", "/dev/vfio/%d is missing: "
						  "vfio does not hold IOMMU group %d of VM '%s'", n, n,
						  name);
			fact_about(f, dev, "present", "missing");
			const struct hw_pci *other = NULL;
			for (size_t k = 0; k < hw->groups[i].n && !other; k++) {
				const struct hw_pci *m = &hw->pci[hw->groups[i].member[k]];
				if (hw_holds_group(m) && !is_vfio(m->driver))
					other = m;
			}
			if (other) {
				char a[PCI_ADDR_STRLEN];
				pci_addr_fmt(&other->addr, a);
				fact_hint(f, "%s of the group is on %s: vfio holds a group only when "
					  "none of its devices is on another driver", a, other->driver);
			} else {
				fact_hint(f, "vfio_iommu_type1 is not loaded (%s), or /dev is not "
					  "mounted", nixos(in) ? "vfio.nix puts it in boot.initrd.kernelModules"
					  : "the initramfs drop-in of the build loads it");
			}
		}
		free(dev);
		free(rel);
		free(path);
	}
	free(gvm);
}

/* Count one change; name the first MAX_LISTED: "ADDR was in group 1, is in 12". */
static void group_change(struct buf *b, size_t *n, const char *addr, int was, int now)
{
	if (++*n > MAX_LISTED)
		return;
	buf_printf(b, "%s%s ", *n > 1 ? "; " : "", addr);
	if (now == INT_MIN)
		buf_printf(b, "(group %d) is gone", was);
	else if (was == INT_MIN)
		buf_printf(b, "is new, in group %d", now);
	else
		buf_printf(b, "was in group %d, is in %d", was, now);
}

static void groups(const struct verify_in *in, struct facts *out)
{
	const struct hw *was = in->planned, *now = in->live;
	if (!now->ngroups)
		return;  /* the IOMMU is off (above) */
	if (!in->snapshot) {
		struct fact *f = fact_add(out, FACT_SKIP, "iommu-groups", "the IOMMU groups: no "
					  "snapshot to compare with (the config has no 'hardware:')");
		fact_hint(f, "'vfioc probe -o hardware.yaml' and 'hardware: hardware.yaml' in the "
			  "config record them, so that a later change shows here");
		return;
	}
	struct buf b = {0};
	size_t n = 0;
	char a[PCI_ADDR_STRLEN];
	for (size_t i = 0; i < was->npci; i++) {
		const struct hw_pci *d = &was->pci[i], *e = hw_find_pci(now, &d->addr);
		pci_addr_fmt(&d->addr, a);
		if (!e)
			group_change(&b, &n, a, d->iommu_group, INT_MIN);
		else if (e->iommu_group != d->iommu_group)
			group_change(&b, &n, a, d->iommu_group, e->iommu_group);
	}
	for (size_t i = 0; i < now->npci; i++)
		if (!hw_find_pci(was, &now->pci[i].addr)) {
			pci_addr_fmt(&now->pci[i].addr, a);
			group_change(&b, &n, a, INT_MIN, now->pci[i].iommu_group);
		}
	char *want = xasprintf("the groups of %s", in->snapshot);
	if (!n) {
		fact_about(fact_add(out, FACT_OK, "iommu-groups", "the IOMMU groups are those of %s "
				    "(%zu groups)", in->snapshot, now->ngroups), NULL, want, want);
	} else {
		struct fact *f = fact_add(out, FACT_FAIL, "iommu-groups", "the IOMMU groups differ "
					  "from %s: %s%s", in->snapshot, buf_str(&b),
					  n > MAX_LISTED ? "; ..." : "");
		fact_about(f, NULL, want, buf_str(&b));
		fact_hint(f, "a firmware update, a moved card or another kernel regrouped the "
			  "devices: run 'vfioc probe -o %s', then 'vfioc check' says what that means "
			  "for the config", in->snapshot);
	}
	free(want);
	buf_free(&b);
}

static void hugepages(const struct verify_in *in, struct facts *out)
{
	const struct plan *p = in->plan;
	if (!p->has_hugepages)
		return;
	uint64_t kib = hw_hugepage_kib(p->hugepage_size);
	const char *size = hugepage_size_name(p->hugepage_size);
	char *rel = xasprintf("sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages",
			      (unsigned long long)kib);
	char *text = read_small(in->root, rel), *end = NULL;
	unsigned long long n = text ? strtoull(text, &end, 10) : 0;
	char *asked = xasprintf("%llu x %s", (unsigned long long)p->hugepage_count, size);
	char *got = xasprintf("%llu x %s", n, size);
	if (!text || end == text || *end) {
		struct fact *f = fact_add(out, FACT_FAIL, "hugepages", "the booted kernel has no %s "
					  "hugepages (no %s)", size, rel);
		fact_about(f, NULL, asked, NULL);
		fact_hint(f, "hugepagesz=%s must be on the kernel command line (above)%s", size,
			  kib > HW_PAGE_2M_KIB ? "; 1G pages need the pdpe1gb CPU flag" : "");
	} else if (n >= p->hugepage_count) {
		fact_about(fact_add(out, FACT_OK, "hugepages", "%llu hugepages of %s are reserved "
				    "(%llu asked)", n, size, (unsigned long long)p->hugepage_count),
			   NULL, asked, got);
	} else {
		struct fact *f = fact_add(out, FACT_FAIL, "hugepages", "only %llu of the %llu hugepages "
					  "of %s asked are reserved", n,
					  (unsigned long long)p->hugepage_count, size);
		fact_about(f, NULL, asked, got);
		fact_hint(f, "hugepages= is not on the kernel command line (above), or the memory was "
			  "too short or fragmented at boot: reserve fewer, or give the host more RAM");
	}
	free(asked);
	free(got);
	free(text);
	free(rel);
}

static void isolation(const struct verify_in *in, struct facts *out)
{
	const struct cfg_cpus *want = &in->cfg->host.isolate_cpus;
	if (!want->v.n)
		return;
	struct buf w = {0}, h = {0};
	struct arena a = {0};
	struct cpulist now = {0};
	const char *why;
	cpulist_fmt(&want->v, &w);
	char *text = read_small(in->root, "sys/devices/system/cpu/isolated");
	if (text && *text && cpulist_parse(text, &a, &now, &why))
		cpulist_fmt(&now, &h);
	if (!text) {
		struct fact *f = fact_add(out, FACT_FAIL, "isolated-cpus", "the isolated CPUs cannot "
					  "be read (sys/devices/system/cpu/isolated)");
		fact_about(f, NULL, buf_str(&w), NULL);
		fact_hint(f, "run vfioc verify on the booted host, with /sys mounted");
	} else if (!strcmp(buf_str(&w), buf_str(&h))) {
		fact_about(fact_add(out, FACT_OK, "isolated-cpus", "CPUs %s are isolated, as "
				    "host.isolate-cpus says", buf_str(&w)), NULL, buf_str(&w), buf_str(&h));
	} else {
		struct fact *f = fact_add(out, FACT_FAIL, "isolated-cpus", "the isolated CPUs are "
					  "'%s', not %s", buf_str(&h), buf_str(&w));
		fact_about(f, NULL, buf_str(&w), buf_str(&h));
		fact_hint(f, "isolcpus= is not on the kernel command line (above), or another "
			  "isolcpus= after it wins");
	}
	free(text);
	arena_free(&a);
	buf_free(&w);
	buf_free(&h);
}

/* The uid of NAME in the booted host's etc/passwd (NixOS and the distributions keep their
 * users there), as text; NULL when the file has no such user. */
static char *passwd_uid(const char *passwd, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = passwd; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		if (strncmp(l, name, n) || l[n] != ':')
			continue;
		const char *uid = strchr(l + n + 1, ':');   /* past the password field */
		return uid ? xasprintf("%.*s", (int)strspn(uid + 1, "0123456789"), uid + 1) : NULL;
	}
	return NULL;
}

/* pulseaudio and pipewire VMs name the sound server of qemu-config's user by the uid the
 * config gives (/run/user/UID): this host must give that user the same uid. */
static void audio_user(const struct verify_in *in, struct facts *out)
{
	const struct plan *p = in->plan;
	bool any = false;
	for (size_t vm = 0; vm < p->nvms; vm++)
		any |= p->vms[vm].audio == AUDIO_PULSEAUDIO || p->vms[vm].audio == AUDIO_PIPEWIRE;
	if (!any || !p->qemu_user || !p->qemu_uid)
		return;
	char *want = xasprintf("%llu", (unsigned long long)p->qemu_uid);
	char *passwd = read_text(in->root, "etc/passwd", PASSWD_MAX);
	char *got = passwd ? passwd_uid(passwd, p->qemu_user) : NULL;
	struct fact *f;
	if (!passwd) {
		f = fact_add(out, FACT_SKIP, "audio-user", "the uid of '%s' cannot be read "
			     "(etc/passwd: %s)", p->qemu_user, strerror(errno));
		fact_about(f, p->qemu_user, want, NULL);
	} else if (!got) {
		f = fact_add(out, FACT_FAIL, "audio-user", "user '%s', whose sound server the VMs "
			     "play into, does not exist on this host", p->qemu_user);
		fact_about(f, p->qemu_user, want, NULL);
		fact_hint(f, "create the user (users.users.%s on NixOS), or set "
			  "host.libvirt.qemu-config.user to the one whose session plays the sound",
			  p->qemu_user);
	} else if (strcmp(got, want)) {
		f = fact_add(out, FACT_FAIL, "audio-user", "'%s' has uid %s here, not %s "
			     "(qemu-config.uid): the VMs' sound server is not in /run/user/%s",
			     p->qemu_user, got, want, want);
		fact_about(f, p->qemu_user, want, got);
		fact_hint(f, "set host.libvirt.qemu-config.uid to %s and run vfioc build again", got);
	} else {
		f = fact_add(out, FACT_OK, "audio-user", "'%s' has uid %s: the VMs play into its "
			     "sound server in /run/user/%s", p->qemu_user, got, got);
		fact_about(f, p->qemu_user, want, got);
	}
	free(got);
	free(passwd);
	free(want);
}

void verify_host(const struct verify_in *in, struct facts *out)
{
	bool any = false;
	for (size_t vm = 0; vm < in->plan->nvms; vm++)
		any |= in->plan->vms[vm].ndevs > 0;
	if (any || in->plan->iommu != IOMMU_OFF)
		iommu(in, out);
	bool cmdline_ok = cmdline(in, out);
	size_t *own = owners(in);
	drivers(in, out, own, cmdline_ok);
	twins(in, out, own);
	dev_vfio(in, out);
	groups(in, out);
	hugepages(in, out);
	isolation(in, out);
	audio_user(in, out);
	free(own);
}
