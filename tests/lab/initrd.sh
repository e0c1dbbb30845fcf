#!/bin/sh
# initrd.sh GENERATOR SYSROOT RELEASE OUT: builds an initramfs for the lab kernel with the
# distribution's real generator (Debian's packages, tests/install-deps.sh), reading its
# configuration from SYSROOT/etc (a copy of this Debian host's /etc into which `vfioc apply
# --root SYSROOT` installed what `vfioc build` wrote) and the lab kernel's modules
# ($LAB_CACHE/root/lib/modules/RELEASE) and /boot/config-RELEASE (which kernel
# decompressors mkinitramfs may use). Both generators read /etc and /lib/modules by
# fixed paths, so each runs in a private mount namespace (unshare -m) where SYSROOT/etc is
# bound over /etc and the kernel's modules are laid over /usr/lib (an overlay without an
# upper layer: nothing is written to the host), the kernel package's /boot over /boot.
#   initramfs-tools  mkinitramfs -d /etc/initramfs-tools -o OUT RELEASE
#   dracut           dracut --no-hostonly --kver RELEASE OUT (the conf and conf.d of /etc)
set -eu
gen=$1 sysroot=$(cd "$2" && pwd) rel=$3 out=$4
: "${LAB_CACHE:?}"
mods=$LAB_CACHE/root/lib
[ -e "$mods/modules/$rel/modules.dep" ] || { echo "initrd.sh: no modules for $rel in $mods" >&2; exit 1; }
case $gen in
initramfs-tools) run="mkinitramfs -d /etc/initramfs-tools -o '$out' '$rel'" ;;
# --no-hostonly: the build host is not the machine that boots it. For time, only the dracut
# modules of a systemd initrd that loads drivers (-m), no compression, and of the kernel's
# drivers only those the configuration asks for (add_drivers, force_drivers: --drivers
# replaces only dracut's own choice of storage and input drivers).
dracut) run="dracut --quiet --force --no-hostonly --no-hostonly-cmdline --no-compress \
	-m 'base systemd systemd-initrd systemd-udevd systemd-modules-load udev-rules kernel-modules dracut-systemd' \
	--drivers ' ' --kver '$rel' '$out'" ;;
*) echo "initrd.sh: unknown generator $gen" >&2; exit 2 ;;
esac
unshare -m --propagation private sh -ec "
	mount --bind '$sysroot/etc' /etc
	mount -t overlay overlay -o 'lowerdir=/usr/lib:$mods' /usr/lib
	mount --bind '$LAB_CACHE/root/boot' /boot
	$run"
