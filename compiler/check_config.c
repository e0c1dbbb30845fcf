/* check_config.c: rules between keys of the config that need no hardware: firmware and TPM,
 * hugepages without a reservation, pcie_acs_override, CPU topology and pin counts. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/check.h"
#include "model/release.h"

static void check_secure_boot(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	if (!vm->secure_boot.v || vm->firmware.v != FW_BIOS)
		return;
	struct diag *d = diag_emit(cx->ds, D_SECURE_BOOT_BIOS, &vm->secure_boot.loc,
				   "VM '%s' has secure-boot, which needs UEFI firmware", vm->name);
	if (LOC_SET(vm->firmware.loc))
		diag_note(d, &vm->firmware.loc, "firmware set to bios here");
	diag_hint(d, "set 'firmware: uefi' in vms.%s, or remove 'secure-boot'", vm->name);
}

/* Up to 25.05 NixOS builds the OVMF all VMs share: without Secure Boot in it, a secure-boot
 * VM would run without, silently. (From 25.11 libvirt picks QEMU's own firmware.) */
static void check_secure_boot_ovmf(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	const struct cfg_bool *ovmf_sb = &cx->cfg->host.libvirt.ovmf.secure_boot;
	enum nixos_release r = (enum nixos_release)cx->cfg->target.nixos.v;
	if (!vm->secure_boot.v || ovmf_sb->v || !release_has_ovmf(r) ||
	    cx->cfg->target.family.v != FAMILY_NIXOS)
		return;
	struct diag *d = diag_emit(cx->ds, D_SECURE_BOOT_OVMF, &vm->secure_boot.loc,
				   "VM '%s' has secure-boot, but host.libvirt.ovmf builds OVMF "
				   "without Secure Boot", vm->name);
	diag_note(d, &ovmf_sb->loc, "Secure Boot left out of OVMF here");
	diag_hint(d, "set 'host.libvirt.ovmf.secure-boot: true', or remove 'secure-boot' from "
		  "vms.%s", vm->name);
}

static void check_tpm(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	const struct cfg_bool *swtpm = &cx->cfg->host.libvirt.swtpm;
	/* Unwritten, swtpm follows the VMs (plan.c): only an explicit false conflicts. */
	if (!vm->tpm.v || !LOC_SET(swtpm->loc) || swtpm->v)
		return;
	struct diag *d = diag_emit(cx->ds, D_TPM_NO_SWTPM, &vm->tpm.loc,
				   "VM '%s' has a TPM, but the host has no swtpm to emulate it",
				   vm->name);
	diag_note(d, &swtpm->loc, "swtpm turned off here");
	diag_hint(d, "set 'host.libvirt.swtpm: true', or remove 'tpm' from vms.%s", vm->name);
}

static void check_vm_hugepages(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	if (!vm->hugepages.v || LOC_SET(cx->cfg->host.hugepages.loc))
		return;
	struct diag *d = diag_emit(cx->ds, D_HUGEPAGES_NO_RESERVATION, &vm->hugepages.loc,
				   "VM '%s' asks for hugepages, but host.hugepages reserves none",
				   vm->name);
	diag_hint(d, "add to host: 'hugepages: { size: 1G, count: %llu }' (enough for %llu MiB)",
		  (unsigned long long)((vm->memory.v + 1023) / 1024),
		  (unsigned long long)vm->memory.v);
}

/* "sockets: 1, cores: 3, threads: 2" for n vCPUs: two threads per core when n is even. */
static void suggest_topology(struct diag *d, uint64_t n)
{
	uint64_t threads = n % 2 == 0 ? 2 : 1;
	diag_hint(d, "for %llu vCPUs: 'topology: { sockets: 1, cores: %llu, threads: %llu }'",
		  (unsigned long long)n, (unsigned long long)(n / threads),
		  (unsigned long long)threads);
}

static void check_topology(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	const struct cfg_topology *t = &vm->topology;
	if (!LOC_SET(t->loc))
		return;
	uint64_t product = t->sockets.v * t->cores.v * t->threads.v;
	if (product == vm->vcpus.v)
		return;
	struct diag *d = diag_emit(cx->ds, D_TOPOLOGY_MISMATCH, &t->loc,
				   "cpu.topology of VM '%s' gives %llu x %llu x %llu = %llu vCPUs, "
				   "but vcpus is %llu", vm->name, (unsigned long long)t->sockets.v,
				   (unsigned long long)t->cores.v, (unsigned long long)t->threads.v,
				   (unsigned long long)product, (unsigned long long)vm->vcpus.v);
	diag_note(d, &vm->vcpus.loc, "vcpus set here");
	suggest_topology(d, vm->vcpus.v);
}

static void check_pin_count(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	if (!LOC_SET(vm->pin.loc) || vm->pin.v.n == vm->vcpus.v)
		return;
	struct diag *d = diag_emit(cx->ds, D_PIN_COUNT, &vm->pin.loc,
				   "cpu.pin of VM '%s' lists %zu CPUs, but vcpus is %llu: "
				   "one host CPU per vCPU, in order", vm->name, vm->pin.v.n,
				   (unsigned long long)vm->vcpus.v);
	diag_note(d, &vm->vcpus.loc, "vcpus set here");
}

/* Emulator threads on vCPU CPUs steal time from the guest: a bitmap keeps this linear. */
static void check_emulator_overlap(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	if (!vm->pin.v.n || !vm->emulator_pin.v.n)
		return;
	unsigned char *pinned = xcalloc(CPULIST_MAX_CPU + 1, 1);
	for (size_t i = 0; i < vm->pin.v.n; i++)
		pinned[vm->pin.v.cpu[i]] = 1;
	struct arena a = {0};
	struct cpulist both = { arena_alloc(&a, vm->emulator_pin.v.n * sizeof(unsigned)), 0 };
	for (size_t i = 0; i < vm->emulator_pin.v.n; i++)
		if (pinned[vm->emulator_pin.v.cpu[i]])
			both.cpu[both.n++] = vm->emulator_pin.v.cpu[i];
	free(pinned);
	if (both.n) {
		struct buf list = {0};
		cpulist_fmt(&both, &list);
		struct diag *d = diag_emit(cx->ds, D_EMULATOR_OVERLAP, &vm->emulator_pin.loc,
					   "VM '%s' pins both emulator threads and vCPUs to CPU %s",
					   vm->name, buf_str(&list));
		diag_note(d, &vm->pin.loc, "vCPUs pinned here");
		diag_hint(d, "pin the emulator to host CPUs that no vCPU uses");
		buf_free(&list);
	}
	arena_free(&a);
}

static void check_kernel_params(const struct check_ctx *cx)
{
	const struct cfg_strlist *kp = &cx->cfg->host.kernel_params;
	for (size_t i = 0; i < kp->n; i++) {
		if (strncmp(kp->v[i].v, "pcie_acs_override", 17) != 0)
			continue;
		struct diag *d = diag_emit(cx->ds, D_ACS_OVERRIDE, &kp->v[i].loc,
					   "'%s' removes the isolation between devices that IOMMU "
					   "groups stand for", kp->v[i].v);
		diag_note(d, NULL, "the stock NixOS kernel has no ACS override patch: there the "
			  "parameter does nothing and the groups stay as they are");
		diag_hint(d, "devices split this way can still reach each other by peer-to-peer "
			  "DMA; prefer moving the card to a slot with its own group");
		diag_hint(d, "to get the patch: boot.kernelPackages = pkgs.linuxPackages_zen (it "
			  "carries it), or add the patch with boot.kernelPatches");
	}
}

/* A kernel series the release no longer ships would not evaluate. */
static void check_kernel_series(const struct check_ctx *cx)
{
	const struct cfg_target *t = &cx->cfg->target;
	unsigned major, minor;
	if (!t->kernel.v || t->family.v != FAMILY_NIXOS)
		return;
	release_oldest_kernel((enum nixos_release)t->nixos.v, &major, &minor);
	if (!kernel_before(t->kernel.v, major, minor))
		return;
	const char *rel = nixos_release_name((enum nixos_release)t->nixos.v);
	struct diag *d = diag_emit(cx->ds, D_KERNEL_TOO_OLD, &t->kernel.loc,
				   "NixOS %s ships no kernel %s: its oldest series is %u.%u", rel,
				   t->kernel.v, major, minor);
	if (LOC_SET(t->nixos.loc))
		diag_note(d, &t->nixos.loc, "the release is set here");
	diag_hint(d, "set target.kernel to \"%u.%u\" or newer, or remove it for the release's "
		  "default (%s)", major, minor, release_default_kernel((enum nixos_release)t->nixos.v));
}

static int cmp_vm_name_nocase(const void *a, const void *b)
{
	const struct cfg_vm *x = *(const struct cfg_vm *const *)a, *y = *(const struct cfg_vm *const *)b;
	int c = strcasecmp(x->name, y->name);
	return c ? c : x < y ? -1 : x > y;  /* config order among equals */
}

/* Two VMs whose names differ only in case write domains/Win.xml and domains/win.xml: one
 * file on a case-insensitive file system (a checkout on macOS or Windows, a FAT stick).
 * Sorted, so that 10^5 VMs cost n log n. */
static void check_name_case(const struct check_ctx *cx)
{
	size_t n = cx->cfg->nvms;
	const struct cfg_vm **v = xmalloc_array(n, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &cx->cfg->vms[i];
	qsort(v, n, sizeof(*v), cmp_vm_name_nocase);
	for (size_t i = 1; i < n; i++) {
		if (strcasecmp(v[i - 1]->name, v[i]->name))
			continue;
		struct diag *d = diag_emit(cx->ds, D_VM_NAME_CASE, &v[i]->name_loc,
					   "VM '%s' differs from VM '%s' only in case", v[i]->name,
					   v[i - 1]->name);
		diag_note(d, &v[i - 1]->name_loc, "'%s' is here", v[i - 1]->name);
		diag_hint(d, "rename one: on a case-insensitive file system both domains are one "
			  "file (domains/%s.xml)", v[i]->name);
	}
	free(v);
}

static void run(const struct check_ctx *cx)
{
	check_name_case(cx);
	check_kernel_params(cx);
	check_kernel_series(cx);
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		check_secure_boot(cx, vm);
		check_secure_boot_ovmf(cx, vm);
		check_tpm(cx, vm);
		check_vm_hugepages(cx, vm);
		check_topology(cx, vm);
		check_pin_count(cx, vm);
		check_emulator_overlap(cx, vm);
	}
}

const struct check check_config = { "config", run, CONFIG_ONLY };
