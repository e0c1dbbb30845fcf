/* nixos.c: the NixOS backend: vfio.nix, a module `{ config, lib, pkgs, ... }: { ... }` with
 * the kernel parameters, initrd modules, device binding, libvirtd and its companions, for
 * the target NixOS release: only options that exist there are written. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "emit.h"

/* `[ "a" "b" ]` on one line when short, else one item per line. */
static void nix_list(struct buf *b, const struct plan_strlist *l, const char *indent)
{
	if (l->n <= 1) {
		buf_puts(b, "[ ");
		for (size_t i = 0; i < l->n; i++) {
			nix_str(b, l->v[i]);
			buf_putc(b, ' ');
		}
		buf_putc(b, ']');
		return;
	}
	buf_puts(b, "[\n");
	for (size_t i = 0; i < l->n; i++) {
		buf_printf(b, "%s  ", indent);
		nix_str(b, l->v[i]);
		buf_putc(b, '\n');
	}
	buf_printf(b, "%s]", indent);
}

static void emit_preamble(struct buf *b, const struct plan *p)
{
	emit_header(b, p, "# ");
	buf_printf(b, "#\n# A NixOS module for NixOS %s", nixos_release_name(p->nixos));
	if (p->kernel_series) {
		char *k = emit_comment_safe(p->kernel_series);
		buf_printf(b, " with Linux %s", k);
		free(k);
	}
	buf_puts(b, ". Import it from configuration.nix:\n"
		    "#   imports = [ ./generated/vfio.nix ];\n"
		    "{ config, lib, pkgs, ... }:\n\n{\n");
}

static void emit_kernel(struct buf *b, const struct plan *p)
{
	buf_puts(b, "  # IOMMU, device binding, hugepages, CPU isolation, host.kernel-params:\n"
		    "  # the same list as kernel-cmdline.\n  boot.kernelParams = ");
	nix_list(b, &p->kernel_params, "  ");
	buf_puts(b, ";\n\n  # vfio first, so that vfio-pci claims the passed devices before a display\n"
		    "  # driver can; before the modules other parts of the configuration add.\n");
	if (!p->kernel_before_6_2)
		buf_puts(b, "  # (No vfio_virqfd: it is part of vfio since Linux 6.2.)\n");
	buf_puts(b, "  boot.initrd.kernelModules = lib.mkBefore ");
	nix_list(b, &p->initrd_modules, "  ");
	buf_puts(b, ";\n");
	if (p->softdep_drivers.n) {
		struct buf t = {0};
		for (size_t i = 0; i < p->softdep_drivers.n; i++)
			buf_printf(&t, "softdep %s pre: vfio-pci\n", p->softdep_drivers.v[i]);
		buf_puts(b, "  boot.extraModprobeConfig = ");
		nix_lines(b, buf_str(&t), "  ");
		buf_puts(b, ";\n");
		buf_free(&t);
	}
}

static void emit_override(struct buf *b, const struct plan *p)
{
	struct buf sh = {0}, udev = {0};
	buf_puts(&sh, "modprobe -i vfio-pci\n");
	for (size_t i = 0; i < p->noverride; i++) {
		char a[PCI_ADDR_STRLEN];
		pci_addr_fmt(&p->override_addrs[i], a);
		buf_printf(&sh, "echo vfio-pci > /sys/bus/pci/devices/%s/driver_override\n", a);
		buf_printf(&sh, "echo %s > /sys/bus/pci/drivers_probe\n", a);
		buf_printf(&udev, "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
			   "ATTR{driver_override}=\"vfio-pci\"\n", a);
	}
	char *why = xasprintf("Binding by PCI address (driver_override)%s%s",
			      p->strategy_reason ? ": " : ".", p->strategy_reason ? p->strategy_reason : "");
	buf_putc(b, '\n');
	emit_comment(b, "  # ", why);
	free(why);
	buf_puts(b, "  # One variant per initrd; each applies only where that initrd is in use.\n"
		    "  boot.initrd.preDeviceCommands = lib.mkIf (!config.boot.initrd.systemd.enable) ");
	nix_lines(b, buf_str(&sh), "  ");
	buf_puts(b, ";\n  boot.initrd.services.udev.rules = lib.mkIf config.boot.initrd.systemd.enable ");
	nix_lines(b, buf_str(&udev), "  ");
	buf_puts(b, ";\n");
	buf_free(&sh);
	buf_free(&udev);
}

static void emit_ovmf(struct buf *b, const struct plan *p)
{
	if (!emit_release_has_ovmf(p->nixos)) {
		buf_printf(b, "      # qemu.ovmf is not written: NixOS %s has no such option (removed in\n"
			   "      # 25.11); libvirt selects QEMU's own UEFI firmware by its descriptors.\n",
			   nixos_release_name(p->nixos));
		return;
	}
	buf_puts(b, "      ovmf.enable = true;\n      ovmf.packages = [ ");
	if (p->ovmf_secure_boot || p->ovmf_tpm)
		buf_printf(b, "(pkgs.OVMF.override { secureBoot = %s; tpmSupport = %s; }).fd",
			   p->ovmf_secure_boot ? "true" : "false", p->ovmf_tpm ? "true" : "false");
	else
		buf_puts(b, "pkgs.OVMF.fd");
	buf_puts(b, " ];\n");
}

static void emit_libvirtd(struct buf *b, const struct plan *p)
{
	if (!p->libvirt_enable) {
		buf_puts(b, "\n  # libvirtd is not enabled (host.libvirt.enable is false).\n");
		return;
	}
	/* A guest with VFIO devices cannot be managed-saved, so the default onShutdown
	 * "suspend" fails at host shutdown; onBoot "ignore" still starts autostart VMs. */
	buf_printf(b, "\n  virtualisation.libvirtd = {\n    enable = true;\n"
		   "    # VFIO guests cannot be suspended to disk: shut them down with the host.\n"
		   "    onShutdown = \"shutdown\";\n    onBoot = \"ignore\";\n    qemu = {\n"
		   "      package = pkgs.%s;\n      runAsRoot = %s;\n      swtpm.enable = %s;\n",
		   qemu_package_name(p->qemu_package), p->run_as_root ? "true" : "false",
		   p->swtpm ? "true" : "false");
	emit_ovmf(b, p);
	buf_puts(b, "    };\n  };\n");
}

static void emit_desktop(struct buf *b, const struct plan *p)
{
	if (p->virt_manager)
		buf_puts(b, "  programs.virt-manager.enable = true;\n");
	if (p->spice_usb_redirection)
		buf_puts(b, "  virtualisation.spiceUSBRedirection.enable = true;\n");
	for (size_t i = 0; i < p->users.n; i++) {
		buf_puts(b, "  users.users.");
		nix_attr(b, p->users.v[i]);
		buf_puts(b, ".extraGroups = [ \"libvirtd\" ];\n");
	}
}

static bool any_looking_glass(const struct plan *p)
{
	for (size_t i = 0; i < p->nvms; i++)
		if (p->vms[i].looking_glass_mib)
			return true;
	return false;
}

static void emit_host_memory(struct buf *b, const struct plan *p)
{
	if (p->has_hugepages)
		buf_printf(b, "\n  # Hugepages: %llu pages of %s, reserved at boot by boot.kernelParams.\n",
			   (unsigned long long)p->hugepage_count, hugepage_size_name(p->hugepage_size));
	if (!any_looking_glass(p))
		return;
	char *rule = xasprintf("f /dev/shm/looking-glass 0660 %s %s -",
			       p->users.n ? p->users.v[0] : "root",
			       p->run_as_root ? "libvirtd" : "qemu-libvirtd");
	buf_puts(b, "\n  # Looking Glass shared memory, readable by the user and by QEMU.\n"
		    "  systemd.tmpfiles.rules = [ ");
	nix_str(b, rule);
	buf_puts(b, " ];\n");
	free(rule);
}

static void emit_define(struct buf *b, const struct plan *p)
{
	if (!p->define_domains || !p->libvirt_enable || !p->nvms)
		return;
	buf_puts(b, "\n  # Defines the domains in domains/ (next to this file) in libvirt, at boot and\n"
		    "  # whenever they change.\n"
		    "  systemd.services.vfioc-define-domains = {\n"
		    "    description = \"Define the libvirt domains generated by vfioc\";\n"
		    "    after = [ \"libvirtd.service\" ];\n"
		    "    requires = [ \"libvirtd.service\" ];\n"
		    "    wantedBy = [ \"multi-user.target\" ];\n"
		    "    path = [ config.virtualisation.libvirtd.package ];\n"
		    "    serviceConfig.Type = \"oneshot\";\n"
		    "    serviceConfig.RemainAfterExit = true;\n"
		    "    script = ''\n");
	/* Written directly: the ${./...} interpolations are meant, and the VM names were
	 * checked by nixos_emit (emit_vm_name_ok), so they are plain path and shell words. */
	for (size_t i = 0; i < p->nvms; i++) {
		const struct plan_vm *vm = &p->vms[i];
		buf_printf(b, "      virsh define ${./domains/%s.xml}\n", vm->name);
		buf_printf(b, "      virsh autostart %s%s\n", vm->autostart ? "" : "--disable ",
			   vm->name);
	}
	buf_puts(b, "    '';\n  };\n");
}

static int nixos_emit(const struct plan *p, struct out_set *out, char **err)
{
	for (size_t i = 0; i < p->nvms; i++)
		if (!emit_vm_name_ok(p->vms[i].name)) {
			*err = xasprintf("VM name '%s' is not usable as a file name", p->vms[i].name);
			return -1;
		}
	struct buf *b = out_set_add(out, "vfio.nix");
	emit_preamble(b, p);
	emit_kernel(b, p);
	if (p->strategy == STRATEGY_DRIVER_OVERRIDE && p->noverride)
		emit_override(b, p);
	emit_libvirtd(b, p);
	emit_desktop(b, p);
	emit_host_memory(b, p);
	emit_define(b, p);
	buf_puts(b, "}\n");
	return 0;
}

const struct backend backend_nixos = {
	.name = "nixos",
	.doc = "vfio.nix: a NixOS module for the target release",
	.emit = nixos_emit,
};
