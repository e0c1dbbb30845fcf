/* nixos.c: the NixOS backend: vfio.nix, a module `{ config, lib, pkgs, ... }: { ... }` with
 * the kernel parameters, initrd modules, device binding, libvirtd and its companions, for
 * the target NixOS release: only options that exist there are written. */
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/emit.h"
#include "backends/hostconf.h"
#include "backends/nixos_define.h"
#include "backends/nixos_setup.h"
#include "model/release.h"
#include "model/strrules.h"

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
	buf_printf(b, "#\n# A NixOS module for NixOS %s", p->nixos_name);
	if (p->kernel_series) {
		char *k = emit_comment_safe(p->kernel_series);
		buf_printf(b, " with Linux %s", k);
		free(k);
	}
	buf_puts(b, ". Import it from configuration.nix:\n"
		    "#   imports = [ ./generated/vfio.nix ];\n"
		    "{ config, lib, pkgs, ... }:\n\n{\n");
}

/* The plan lists the vfio modules first (vfio_pci, vfio, vfio_iommu_type1), and only when a
 * device is bound at boot; vfio_virqfd is the module's to add. */
static void emit_modules(struct buf *b, const struct plan *p)
{
	bool vfio = p->initrd_modules.n && !strcmp(p->initrd_modules.v[0], "vfio_pci");
	if (!vfio) {
		buf_puts(b, "\n  # No device is bound at boot (all are bind: managed): libvirt loads vfio-pci\n"
			    "  # when a VM starts, so no vfio module, softdep or vfio-pci.ids here.\n");
		if (p->initrd_modules.n)
			buf_puts(b, "  # The host's display drivers, loaded in the initrd as host.display-drivers asks.\n");
	} else if (release_sorts_modules(p->nixos))
		buf_puts(b, "\n  # Loaded in the initrd. From NixOS 25.11 this option is a set of names, loaded\n"
			    "  # in alphabetical order (lib.mkBefore does not order it), so a display driver\n"
			    "  # may come first: the softdeps below make modprobe load vfio-pci before each\n"
			    "  # of them, so that vfio-pci claims the passed devices first.\n");
	else
		buf_puts(b, "\n  # vfio first, so that vfio-pci claims the passed devices before a display\n"
			    "  # driver can: NixOS up to 25.05 loads this list in order, and lib.mkBefore\n"
			    "  # puts it before the modules other parts of the configuration add. The\n"
			    "  # softdeps below keep that order for drivers loaded later.\n");
	if (!p->initrd_modules.n)
		return;
	if (!vfio) {
		buf_puts(b, "  boot.initrd.kernelModules = ");
		nix_list(b, &p->initrd_modules, "  ");
		buf_puts(b, ";\n");
		return;
	}
	/* Decided by the kernel the system evaluates, not target.kernel: after an upgrade past
	 * 6.2 NixOS refuses to build an initrd naming a module that no longer exists (its
	 * modules-closure fails), and before 6.2 vfio needs it (drivers/vfio/Kconfig). */
	buf_puts(b, "  # vfio_virqfd is part of vfio from Linux 6.2, and NixOS refuses an initrd that\n"
		    "  # names a module the kernel lacks: it is listed only for the kernel this\n"
		    "  # system boots (boot.kernelPackages) when that is older than 6.2.\n");
	struct plan_strlist vfio_mods = { p->initrd_modules.v, 3 };
	struct plan_strlist rest = { p->initrd_modules.v + 3, p->initrd_modules.n - 3 };
	buf_puts(b, release_sorts_modules(p->nixos) ? "  boot.initrd.kernelModules = "
						    : "  boot.initrd.kernelModules = lib.mkBefore (");
	nix_list(b, &vfio_mods, "  ");
	buf_puts(b, "\n    ++ lib.optional (lib.versionOlder config.boot.kernelPackages.kernel.version \"6.2\")\n"
		    "      \"vfio_virqfd\"");
	if (rest.n) {
		buf_puts(b, "\n    ++ ");
		nix_list(b, &rest, "    ");
	}
	buf_puts(b, release_sorts_modules(p->nixos) ? ";\n" : ");\n");
}

/* The domains name the sound server of qemu-config's user by the uid the config gives
 * (libvirt.c, add_audio): a uid this system declares for that user must be the same. An
 * undeclared one (NixOS allocates it) cannot be read at evaluation: docs/outputs.md. */
static void emit_audio_uid_assertion(struct buf *b, const struct plan *p, const char *conf)
{
	bool any = false;
	for (size_t i = 0; i < p->nvms; i++)
		any |= p->vms[i].audio == AUDIO_PULSEAUDIO || p->vms[i].audio == AUDIO_PIPEWIRE;
	if (!any || !p->qemu_user || !p->qemu_uid)
		return;
	unsigned long long uid = (unsigned long long)p->qemu_uid;
	buf_puts(b, "    {\n      # The VMs' sound server: qemu-config's user by the uid in the config.\n"
		    "      assertion = let uid = (config.users.users.");
	nix_str(b, p->qemu_user);
	buf_printf(b, " or { }).uid or null; in uid == null || uid == %llu;\n      message = ", uid);
	char *head = xasprintf("VMs play into the sound server of %s in /run/user/%llu "
			       "(host.libvirt.qemu-config.uid in %s), but this system gives %s uid ",
			       p->qemu_user, uid, conf, p->qemu_user);
	nix_str(b, head);
	buf_puts(b, "\n        + \"${toString ((config.users.users.");
	nix_str(b, p->qemu_user);
	buf_puts(b, " or { }).uid or null)}: set qemu-config.uid to it and run vfioc build again.\";\n"
		    "    }\n");
	free(head);
}

/* The options written are those of one release: on another, the module refuses to build
 * with a message that names the fix, instead of failing on some option it lacks. `unstable`
 * is anything from the newest named release on. */
static void emit_assertion(struct buf *b, const struct plan *p)
{
	const char *want = p->nixos_name;
	char *conf = emit_config_name(p->config_rel);
	char *head = p->nixos == NIXOS_UNSTABLE
		? xasprintf("vfio.nix is for NixOS unstable (target.nixos in %s), but this", conf)
		: xasprintf("vfio.nix is for NixOS %s (target.nixos in %s), but this", want, conf);
	buf_puts(b, "  # Written for the release in target.nixos: another release may lack its options.\n"
		    "  assertions = [\n    {\n      assertion = ");
	if (p->nixos == NIXOS_UNSTABLE)
		buf_printf(b, "lib.versionAtLeast config.system.nixos.release \"%s\";\n",
			   nixos_release_name(NIXOS_NEWEST));
	else
		buf_printf(b, "lib.versions.majorMinor config.system.nixos.release == \"%s\";\n", want);
	buf_puts(b, "      message = ");
	nix_str(b, head);
	buf_puts(b, "\n        + \" system is NixOS ${config.system.nixos.release}: set target.nixos to\"\n"
		    "        + \" \\\"${lib.versions.majorMinor config.system.nixos.release}\\\" and run vfioc build again.\";\n"
		    "    }\n");
	emit_audio_uid_assertion(b, p, conf);
	buf_puts(b, "  ];\n\n");
	free(head);
	free(conf);
}

static void emit_modprobe(struct buf *b, const struct plan *p)
{
	if (!p->softdep_drivers.n && !hostconf_override(p))
		return;
	if (hostconf_override(p)) {
		char *why = hostconf_override_why(p);
		buf_putc(b, '\n');
		emit_comment(b, "  # ", why);
		free(why);
		buf_puts(b, "  # vfio_pci's install line sets driver_override before vfio_pci loads;\n"
			    "  # the softdeps load vfio_pci before these drivers, in either initrd.\n");
	}
	struct buf t = {0};
	hostconf_modprobe(&t, p);
	buf_puts(b, "  boot.extraModprobeConfig = ");
	nix_lines(b, buf_str(&t), "  ");
	buf_puts(b, ";\n");
	buf_free(&t);
}

static void emit_kernel(struct buf *b, const struct plan *p)
{
	buf_puts(b, "  # IOMMU, device binding, hugepages, CPU isolation, host.kernel-params:\n"
		    "  # the same list as kernel-cmdline.\n  boot.kernelParams = ");
	nix_list(b, &p->kernel_params, "  ");
	buf_puts(b, ";\n");
	emit_modules(b, p);
	emit_modprobe(b, p);
}

static void emit_ovmf(struct buf *b, const struct plan *p)
{
	if (!release_has_ovmf(p->nixos)) {
		buf_printf(b, "      # qemu.ovmf is not written: NixOS %s has no such option (removed in\n"
			   "      # 25.11); libvirt selects QEMU's own UEFI firmware by its descriptors.\n",
			   p->nixos_name);
		return;
	}
	if (p->ovmf_ms_keys)
		buf_puts(b, "      # msVarsTemplate: OVMF_VARS.ms.fd, Microsoft's keys enrolled; secure-boot\n"
			    "      # VMs start from it, so Secure Boot is enforced, not in setup mode.\n");
	buf_puts(b, "      ovmf.enable = true;\n      ovmf.packages = [ ");
	if (p->ovmf_secure_boot || p->ovmf_tpm)
		buf_printf(b, "(pkgs.OVMF.override { secureBoot = %s;%s tpmSupport = %s; }).fd",
			   p->ovmf_secure_boot ? "true" : "false",
			   p->ovmf_ms_keys ? " msVarsTemplate = true;" : "",
			   p->ovmf_tpm ? "true" : "false");
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
		   "      package = pkgs.%s;\n", qemu_package_name(p->qemu_package));
	if (nixos_qemu_user_in_verbatim(p))
		buf_puts(b, "      # true only so that NixOS writes no user = \"qemu-libvirtd\" ahead of\n"
			    "      # verbatimConfig (libvirt takes the first): QEMU runs as the user and\n"
			    "      # group of qemu-config, written in verbatimConfig below.\n");
	buf_printf(b, "      runAsRoot = %s;\n      swtpm.enable = %s;\n",
		   p->run_as_root || nixos_qemu_user_in_verbatim(p) ? "true" : "false",
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

static void emit_host_memory(struct buf *b, const struct plan *p)
{
	if (p->has_hugepages)
		buf_printf(b, "\n  # Hugepages: %llu pages of %s, reserved at boot by boot.kernelParams.\n",
			   (unsigned long long)p->hugepage_count, hugepage_size_name(p->hugepage_size));
	struct arena a = {0};
	struct plan_strlist rules;
	hostconf_looking_glass_rules(&rules, p, &a);
	if (rules.n) {
		buf_puts(b, "\n  # Looking Glass shared memory, one file per VM (looking-glass-client -f\n"
		    "  # /dev/shm/<name>), readable by the user and by QEMU. Created empty; QEMU\n"
		    "  # sizes it. A new size is a new name: the old file goes at the next boot.\n"
		    "  systemd.tmpfiles.rules = ");
		nix_list(b, &rules, "  ");
		buf_puts(b, ";\n");
	}
	arena_free(&a);
}

static int nixos_emit(const struct plan *p, struct out_set *out, char **err)
{
	if (p->family != FAMILY_NIXOS)
		return 0;
	for (size_t i = 0; i < p->nvms; i++)
		if (!schema_check_ok(SC_NAME, p->vms[i].name)) {
			*err = xasprintf("VM name '%s' is not usable as a file name", p->vms[i].name);
			return -1;
		}
	struct buf *b = out_set_add(out, "vfio.nix");
	emit_preamble(b, p);
	emit_assertion(b, p);
	emit_kernel(b, p);
	emit_libvirtd(b, p);
	emit_desktop(b, p);
	emit_host_memory(b, p);
	nixos_emit_define(b, p);
	nixos_emit_setup(b, p);
	buf_puts(b, "}\n");
	return 0;
}

const struct backend backend_nixos = {
	.name = "nixos",
	.doc = "vfio.nix: a NixOS module for the target release (import it)",
	.emit = nixos_emit,
};
