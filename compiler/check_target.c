/* check_target.c: rules for a target other than NixOS that depend on the binding: what the
 * booster initramfs cannot do, and the NixOS-only keys another family ignores. */
#include "compiler/check.h"

/* Whether some device is bound to vfio-pci at boot (the initramfs must bind it). */
static bool boot_bound(const struct check_ctx *cx)
{
	for (size_t v = 0; v < cx->cfg->nvms; v++)
		for (size_t k = 0; k < cx->res.vms[v].n; k++)
			if (cx->res.vms[v].dev[k].entry->bind.v == PCI_BIND_BOOT)
				return true;
	return false;
}

/* Booster's init loads modules itself and reads only `options` of modprobe.d (booster's
 * generator/kmod.go, readModprobeOptions): no install line can write driver_override before
 * a host driver, and no softdep orders vfio-pci first. */
static void run_booster(const struct check_ctx *cx)
{
	const struct cfg_target *t = &cx->cfg->target;
	if (t->family.v == FAMILY_NIXOS || t->initramfs.v != INITRAMFS_BOOSTER ||
	    !LOC_SET(t->initramfs.loc) || !boot_bound(cx))
		return;
	if (cx->res.bind == BIND_DRIVER_OVERRIDE) {
		struct diag *d = diag_emit(cx->ds, D_TARGET_BINDING, &t->initramfs.loc,
					   "booster cannot bind devices by address: its init does not "
					   "run modprobe's install lines, which write driver_override");
		diag_hint(d, "use 'initramfs: mkinitcpio' or 'dracut', or give the devices 'bind: "
			  "managed' (libvirt detaches them when the VM starts)");
		return;
	}
	struct diag *d = diag_emit(cx->ds, D_TARGET_RACE, &t->initramfs.loc,
				   "with booster, vfio-pci.ids races the host drivers: booster's init "
				   "ignores modprobe.d's softdeps, which load vfio-pci first");
	diag_hint(d, "list the passed devices' drivers in host.blacklist-drivers when the host "
		  "keeps no device that needs them, or use mkinitcpio");
}

/* host.nixos-extra is Nix, written into vfio.nix only. */
static void run_nixos_only(const struct check_ctx *cx)
{
	const struct config *c = cx->cfg;
	if (c->target.family.v == FAMILY_NIXOS || !c->host.nixos_extra.n)
		return;
	struct diag *d = diag_emit(cx->ds, D_TARGET_IGNORED, &c->host.nixos_extra.loc,
				   "host.nixos-extra is written into vfio.nix, which a %s target "
				   "does not get", family_name((enum family)c->target.family.v));
	diag_hint(d, "remove host.nixos-extra, or set these options on the host yourself");
}

const struct check check_target = { "target", run_booster, NEEDS_HW };
const struct check check_target_keys = { "target-keys", run_nixos_only, CONFIG_ONLY };
