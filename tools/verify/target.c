/* target.c: what verify's hints tell to do, in the target's own commands: nixos-rebuild and
 * vfio.nix on NixOS; vfioc apply, the initramfs generator and the boot loader elsewhere. */
#include "tools/verify/verify.h"

const char *verify_rebuild_hint(const struct plan *p)
{
	if (p->family == FAMILY_NIXOS)
		return "the rebuilt system was not booted: run 'nixos-rebuild boot' (or switch) and "
		       "reboot into the new generation";
	return "the applied configuration was not booted: run 'sudo vfioc apply CONFIG' (it "
	       "regenerates the initramfs and the boot loader's entries) and reboot";
}

const char *verify_bootentry_hint(const struct plan *p)
{
	if (p->family == FAMILY_NIXOS)
		return "or the bootloader did not take it: its boot entry must carry "
		       "boot.kernelParams (systemd-boot: /boot/loader/entries/nixos-*.conf; GRUB: "
		       "/boot/grub/grub.cfg)";
	switch (p->bootloader) {
	case BOOTLOADER_SYSTEMD_BOOT:
		return "or the boot entry did not take them: /etc/kernel/cmdline must hold them and "
		       "the entry or UKI be rebuilt from it ('kernel-install add-all', 'mkinitcpio -P'); "
		       "an entry written by hand needs them on its options line";
	case BOOTLOADER_KERNELSTUB:
		return "or kernelstub did not take them: 'sudo kernelstub --print-config' must list "
		       "them among the kernel options";
	default:
		break;
	}
	if (p->family == FAMILY_FEDORA)
		return "or GRUB's entries did not take them: 'sudo grubby --info=ALL' must show them "
		       "in each kernel's args";
	if (p->family == FAMILY_DEBIAN)
		return "or GRUB did not take them: /etc/default/grub.d/vfio.cfg must be there and "
		       "'sudo update-grub' have written them into /boot/grub/grub.cfg (a grub.d file "
		       "named after vfio.cfg may set GRUB_CMDLINE_LINUX_DEFAULT again)";
	return "or GRUB did not take them: /etc/default/grub.d/vfio.cfg must be there (Arch's "
	       "grub 2.12 package reads grub.d) and 'sudo grub-mkconfig -o /boot/grub/grub.cfg' "
	       "have written them into /boot/grub/grub.cfg";
}

const char *verify_modules_hint(const struct plan *p)
{
	switch (p->initramfs) {
	case INITRAMFS_MKINITCPIO:
		return "/etc/modprobe.d/vfio.conf (the softdep) must be in the initramfs: HOOKS in "
		       "/etc/mkinitcpio.conf need modconf; 'lsinitcpio /boot/initramfs-linux.img' "
		       "lists what it holds; then 'sudo mkinitcpio -P'";
	case INITRAMFS_DRACUT:
		return "/etc/modprobe.d/vfio.conf (the softdep) must be in the initramfs: 'sudo "
		       "lsinitrd | grep vfio' shows it; then 'sudo dracut --regenerate-all --force'";
	case INITRAMFS_TOOLS:
		return "/etc/modprobe.d/vfio.conf (the softdep) must be in the initramfs: "
		       "'lsinitramfs /boot/initrd.img-$(uname -r) | grep vfio' shows it; then 'sudo "
		       "update-initramfs -u -k all'";
	case INITRAMFS_BOOSTER:
	case INITRAMFS_COUNT:
		break;
	}
	return "booster's init ignores modprobe.d's softdeps: blacklist the driver "
	       "(host.blacklist-drivers) or use mkinitcpio";
}
