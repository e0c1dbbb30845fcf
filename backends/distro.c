/* distro.c: the backend for hosts other than NixOS (target.family arch, debian, fedora):
 * root/, the files that mirror /etc, each owned wholly by vfioc, and root.apply, the steps
 * `vfioc apply` takes: install them, edit the few files a distribution keeps in one piece
 * (the kernel command line), and regenerate the initramfs and the boot loader's menu. The
 * binding is the NixOS module's: the same kernel parameters (kernel-cmdline), softdeps, the
 * driver_override install line and blacklists (backends/hostconf.c), and the vfio modules
 * in the initramfs before the host's display drivers. */
#include <stdlib.h>
#include <string.h>

#include "backends/distro.h"
#include "backends/emit.h"
#include "backends/hostconf.h"

#define MODPROBE_CONF "etc/modprobe.d/vfio.conf"

struct buf *tree_file(struct tree *t, const char *path, const char *mode, const char *shebang)
{
	char *name = xasprintf(DISTRO_TREE "/%s", path);
	struct buf *b = out_set_add(t->out, name);
	free(name);
	if (shebang)
		buf_printf(b, "%s\n", shebang);
	emit_header(b, t->p, "# ");
	buf_printf(&t->files, "file %s %s\n", path, mode);
	return b;
}

void tree_regen(struct tree *t, const char *cmd)
{
	char *line = xasprintf("regenerate %s\n", cmd);
	if (!strstr(buf_str(&t->regen), line))
		buf_puts(&t->regen, line);
	free(line);
}

/* modprobe.d(5): the softdeps, the install line and the blacklists. Every generator puts
 * it into the initramfs (see each below), so the order holds there too. */
static bool modprobe_conf(struct tree *t)
{
	const struct plan *p = t->p;
	if (!p->softdep_drivers.n && !hostconf_override(p) && !p->blacklist_drivers.n)
		return false;
	struct buf *b = tree_file(t, MODPROBE_CONF, "0644", NULL);
	buf_puts(b, "#\n# modprobe.d(5), read by modprobe on the host and in the initramfs.\n");
	if (p->softdep_drivers.n)
		buf_puts(b, "# Each softdep makes modprobe load vfio-pci before the driver, so vfio-pci\n"
			    "# claims the passed devices first, whichever module the initramfs or udev\n"
			    "# loads first.\n");
	if (hostconf_override(p)) {
		char *why = hostconf_override_why(p);
		emit_comment(b, "# ", why);
		free(why);
		buf_puts(b, "# vfio_pci's install line writes driver_override before vfio_pci loads.\n");
	}
	hostconf_modprobe(b, p);
	if (p->blacklist_drivers.n)
		buf_puts(b, "# host.blacklist-drivers: never loaded (no device the host keeps needs them).\n");
	hostconf_blacklist(b, p);
	return true;
}

/* mkinitcpio.conf(5): from mkinitcpio 36 (its CHANGELOG, 2023-11-15) the script
 * `mkinitcpio` appends each /etc/mkinitcpio.conf.d/NAME.conf (version-sorted) to
 * mkinitcpio.conf and sources the whole once, unless -c names a config: a preset with
 * ALL_config or PRESET_config set passes -c (presets written before 36 set ALL_config).
 * functions:arrayize_config() still takes a MODULES that is a string, as configs before
 * mkinitcpio 24 wrote it: the drop-in makes it an array the same way first, else
 * "${MODULES[@]}" would hand add_module all its words as one name. The image's init loads
 * MODULES in order before any hook (parse_config() writes them to its /config); the modconf
 * hook of the default HOOKS copies /etc/modprobe.d/NAME.conf into it (install/modconf).
 * tests/t-generators.sh replays that loading. */
static void mkinitcpio(struct tree *t, const struct plan_strlist *mods)
{
	struct buf *b = tree_file(t, "etc/mkinitcpio.conf.d/vfio.conf", "0644", NULL);
	buf_puts(b, "#\n# A mkinitcpio.conf(5) drop-in (mkinitcpio 36 or later; read only when no preset\n"
		    "# in /etc/mkinitcpio.d sets ALL_config or default_config). The vfio modules\n"
		    "# come first, before those mkinitcpio.conf lists, so vfio-pci is loaded before\n"
		    "# a display driver; HOOKS must keep modconf, which puts /etc/modprobe.d into\n"
		    "# the image. A MODULES written as a string is made an array first, as\n"
		    "# mkinitcpio itself does.\n"
		    "[[ ${MODULES@a} == *a* ]] || IFS=' ' read -r -a MODULES <<<\"$MODULES\"\n"
		    "MODULES=(");
	size_t i = 0;
	for (; i < mods->n && !strncmp(mods->v[i], "vfio", 4); i++)
		buf_printf(b, "%s ", mods->v[i]);
	buf_puts(b, "\"${MODULES[@]}\"");
	for (; i < mods->n; i++)
		buf_printf(b, " %s", mods->v[i]);
	buf_puts(b, ")\n");
	tree_regen(t, "mkinitcpio -P");
	buf_puts(&t->notes, "# mkinitcpio -P reads etc/mkinitcpio.conf.d only for presets that set neither\n"
			    "# ALL_config nor PRESET_config: a preset written before mkinitcpio 36 sets\n"
			    "# ALL_config=\"/etc/mkinitcpio.conf\"; comment that line out.\n");
}

/* dracut.conf(5): force_drivers are added to the image and loaded early by modprobe, in
 * order (dracut.sh writes one rd.driver.pre= each). dracut copies /etc/modprobe.d only in
 * host-only mode (modules.d/80base/module-setup.sh: `[[ $hostonly ]] && inst_multiple -H -o
 * /etc/modprobe.d/NAME.conf`), so install_items names vfio.conf for generic images too. */
static void dracut(struct tree *t, const struct plan_strlist *mods, bool conf)
{
	struct buf *b = tree_file(t, "etc/dracut.conf.d/vfio.conf", "0644", NULL);
	buf_puts(b, "#\n# A dracut.conf(5) drop-in: the vfio modules are loaded early, in this order,\n"
		    "# before the display drivers.\nforce_drivers+=\" ");
	for (size_t i = 0; i < mods->n; i++)
		buf_printf(b, "%s ", mods->v[i]);
	buf_puts(b, "\"\n");
	if (conf)
		buf_puts(b, "# The softdeps in every image, host-only or not.\n"
			    "install_items+=\" /" MODPROBE_CONF " \"\n");
}

/* initramfs-tools(7): mkinitramfs runs every hook in /etc/initramfs-tools/hooks
 * (`run_scripts "${CONFDIR}"/hooks`), and hook-functions' force_load adds a module and a
 * line of conf/modules, which the initramfs loads in order at boot. mkinitramfs copies
 * /etc/modprobe.d/NAME.conf into the image itself. A hook, not /etc/initramfs-tools/modules:
 * that file is the administrator's, a hook file is vfioc's alone. */
static void initramfs_tools(struct tree *t, const struct plan_strlist *mods)
{
	struct buf *b = tree_file(t, "etc/initramfs-tools/hooks/vfioc", "0755", "#!/bin/sh");
	buf_puts(b, "#\n# An initramfs-tools(7) hook: the vfio modules are added to the initramfs and\n"
		    "# loaded in this order at boot, before the display drivers.\n"
		    "PREREQ=\"\"\nprereqs() { echo \"$PREREQ\"; }\n"
		    "case \"$1\" in\nprereqs) prereqs; exit 0 ;;\nesac\n"
		    ". /usr/share/initramfs-tools/hook-functions\n");
	for (size_t i = 0; i < mods->n; i++)
		buf_printf(b, "force_load %s\n", mods->v[i]);
	tree_regen(t, "update-initramfs -u -k all");
}

/* booster(1) reads one file, /etc/booster.yaml, with no drop-in folder: this one replaces
 * it (apply names it when one is there). Its init loads modules itself, not by modprobe:
 * of modprobe.d it reads only `options` lines (generator/kmod.go, readModprobeOptions). */
static void booster(struct tree *t, const struct plan_strlist *mods)
{
	struct buf *b = tree_file(t, "etc/booster.yaml", "0644", NULL);
	buf_puts(b, "#\n# booster(1)'s one configuration file. modules_force_load: added to the image\n"
		    "# and loaded at boot. Booster's init does not run modprobe: the softdeps of\n"
		    "# modprobe.d do not order it, so vfio-pci.ids alone must claim the devices.\n"
		    "modules_force_load: ");
	for (size_t i = 0; i < mods->n; i++)
		buf_printf(b, "%s%s", i ? "," : "", mods->v[i]);
	buf_puts(b, "\n");
	tree_regen(t, "/usr/lib/booster/regenerate_images");
}

static void initramfs(struct tree *t)
{
	const struct plan *p = t->p;
	bool conf = modprobe_conf(t);
	/* vfio_virqfd is never named: before Linux 6.2 vfio_pci depends on it (modules.dep), so
	 * every generator adds it and modprobe loads it; from 6.2 it is part of vfio. */
	const struct plan_strlist *mods = &p->initrd_modules;
	switch (p->initramfs) {
	case INITRAMFS_MKINITCPIO:
		if (mods->n)
			mkinitcpio(t, mods);
		else if (conf)
			tree_regen(t, "mkinitcpio -P");
		break;
	case INITRAMFS_DRACUT:
		if (mods->n || conf)
			dracut(t, mods, conf);
		/* With systemd-boot, kernel-install add-all runs dracut (its 50-dracut.install). */
		if ((mods->n || conf) && p->bootloader != BOOTLOADER_SYSTEMD_BOOT)
			tree_regen(t, "dracut --regenerate-all --force");
		break;
	case INITRAMFS_TOOLS:
		if (mods->n)
			initramfs_tools(t, mods);
		else if (conf)
			tree_regen(t, "update-initramfs -u -k all");
		break;
	case INITRAMFS_BOOSTER:
		if (mods->n)
			booster(t, mods);
		break;
	case INITRAMFS_COUNT:
		break;
	}
}

/* GRUB. Debian's grub-mkconfig sources /etc/default/grub.d/NAME.cfg after /etc/default/grub
 * (Debian's default-grub-d patch; Ubuntu and Pop!_OS have it), and so does Arch's (its grub
 * package, 2:2.12, applies 0003-support-dropins-for-default-configuration.patch, a subset of
 * Debian's). Fedora's boot entries are BLS snippets whose options grub2-mkconfig no longer
 * rewrites (since Fedora 39 / RHEL 9.3, only with --update-bls-cmdline): grubby edits them,
 * for every kernel. The parameters go into GRUB_CMDLINE_LINUX_DEFAULT, so the recovery
 * entries boot without them. */
static void grub(struct tree *t, const char *params)
{
	if (t->p->family == FAMILY_FEDORA) {
		buf_printf(&t->run, "run grubby --update-kernel=ALL --args=\"%s\"\n", params);
		buf_printf(&t->undo, "undo grubby --update-kernel=ALL --remove-args=\"%s\"\n", params);
		return;
	}
	struct buf *b = tree_file(t, "etc/default/grub.d/vfio.cfg", "0644", NULL);
	buf_printf(b, "#\n# Sourced by grub-mkconfig after /etc/default/grub and the grub.d files\n"
		      "# named before this one.\n"
		      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT %s\"\n", params);
	tree_regen(t, t->p->family == FAMILY_DEBIAN ? "update-grub"
						    : "grub-mkconfig -o /boot/grub/grub.cfg");
}

/* systemd-boot: kernel-install (its 90-loaderentry.install) writes each entry's options from
 * /etc/kernel/cmdline, else /proc/cmdline, and mkinitcpio's UKIs take theirs from it too;
 * the file is the whole command line (root= and all), so apply edits it instead of owning
 * it. Debian's systemd-boot runs kernel-install from update-initramfs; on Fedora
 * kernel-install add-all (systemd 255) rebuilds the initramfs and the entries. */
static void systemd_boot(struct tree *t, const char *params)
{
	buf_printf(&t->edits, "cmdline-file etc/kernel/cmdline %s\n", params);
	if (t->p->initramfs == INITRAMFS_DRACUT || t->p->initramfs == INITRAMFS_BOOSTER)
		tree_regen(t, "kernel-install add-all");
	buf_puts(&t->notes, "# Boot loader entries written by hand (loader/entries/*.conf without\n"
			    "# kernel-install) do not read /etc/kernel/cmdline: add kernel-cmdline's\n"
			    "# parameters to their options line.\n");
}

static void bootloader(struct tree *t)
{
	const struct plan *p = t->p;
	if (!p->kernel_params.n)
		return;
	struct buf params = {0};
	emit_join(&params, &p->kernel_params, " ");
	switch (p->bootloader) {
	case BOOTLOADER_GRUB:
		grub(t, buf_str(&params));
		break;
	case BOOTLOADER_SYSTEMD_BOOT:
		systemd_boot(t, buf_str(&params));
		break;
	case BOOTLOADER_KERNELSTUB:
		/* Pop!_OS: kernelstub keeps the options in /etc/kernelstub/configuration and
		 * writes them to the ESP's loader entry. */
		buf_printf(&t->run, "run kernelstub --add-options \"%s\"\n", buf_str(&params));
		buf_printf(&t->undo, "undo kernelstub --delete-options \"%s\"\n", buf_str(&params));
		break;
	case BOOTLOADER_COUNT:
		break;
	}
	buf_free(&params);
}

static void write_steps(struct tree *t)
{
	const struct plan *p = t->p;
	struct buf *b = out_set_add(t->out, DISTRO_STEPS);
	emit_header(b, p, "# ");
	buf_printf(b, "#\n# What `vfioc apply` does on this %s host, in order: install each file of\n"
		      "# " DISTRO_TREE "/ at its place under /, edit the files named (undone from a backup),\n"
		      "# run the commands, regenerate. `vfioc apply --undo` takes it all back.\n"
		      "# The format: docs/outputs.md.\n"
		      "target %s %s %s\n", family_name(p->family), family_name(p->family),
		   initramfs_name(p->initramfs), bootloader_name(p->bootloader));
	buf_puts(b, buf_str(&t->files));
	buf_puts(b, buf_str(&t->edits));
	buf_puts(b, buf_str(&t->run));
	buf_puts(b, buf_str(&t->undo));
	buf_puts(b, buf_str(&t->regen));
	buf_puts(b, buf_str(&t->notes));
}

static int distro_emit(const struct plan *p, struct out_set *out, char **err)
{
	(void)err;
	if (p->family == FAMILY_NIXOS)
		return 0;
	struct tree t = { .p = p, .out = out };
	initramfs(&t);
	bootloader(&t);
	distro_libvirt(&t);
	write_steps(&t);
	buf_free(&t.files);
	buf_free(&t.edits);
	buf_free(&t.run);
	buf_free(&t.undo);
	buf_free(&t.regen);
	buf_free(&t.notes);
	return 0;
}

const struct backend backend_distro = {
	.name = "distro",
	.doc = "root/, root.apply: files under /etc and the steps `vfioc apply` takes (not NixOS)",
	.subdir = DISTRO_TREE,
	.subdir_tree = true,
	.emit = distro_emit,
};
