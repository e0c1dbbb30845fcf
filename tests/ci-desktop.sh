#!/bin/sh
# ci-desktop.sh: makes a CI machine look like a developer's Debian rather than a bare one,
# for the suite that follows: udev's hwdb in place (lspci reads device names from it;
# install-deps.sh installs udev) and no /run/libvirt (libvirtd never ran). On CI (CI set)
# install-deps.sh runs it, and t-hw-lspci and t-libvirt-real check, in make check's
# results, that the suite ran so. Refuses where libvirtd runs (its folder stays).
set -eu
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! [ -s /usr/lib/udev/hwdb.bin ] && ! [ -s /etc/udev/hwdb.bin ]; then
	command -v systemd-hwdb > /dev/null || { echo "ci-desktop: no udev (tests/install-deps.sh installs it)" >&2; exit 1; }
	$sudo systemd-hwdb update
fi
if [ -S /run/libvirt/libvirt-sock ]; then
	echo "ci-desktop: libvirtd runs here, so /run/libvirt stays" >&2
	exit 1
fi
$sudo rm -rf /run/libvirt
echo "ci-desktop: udev's hwdb in place, no /run/libvirt"
