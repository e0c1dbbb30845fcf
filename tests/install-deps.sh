#!/bin/sh
# install-deps.sh [build]: installs what vfioc needs on Debian 12 / Ubuntu, with apt-get.
#   build  only what building vfioc needs
#   (none) also everything the test suite uses: lspci, libvirt's schemas and
#          virt-xml-validate, xmllint, nix-instantiate, valgrind, python3 with
#          jsonschema and yaml, libvirtd with its QEMU driver and QEMU (a session
#          libvirtd runs the NixOS module's define-domains script), for
#          t-libvirt-real libvirtd with QEMU, OVMF and swtpm (started by the test itself,
#          without systemd), dnsmasq and ip for its network, systemd-tmpfiles, and a
#          PulseAudio server with pactl and QEMU's pa audio driver (qemu-system-gui holds
#          Debian's audio-pa.so) for its pulseaudio domain; for the lab
#          (tests/lab): qemu-img, kmod, cpio (the lab downloads its kernel itself), and
#          Debian's two initramfs generators for the lab cases 26 and 27: the packages
#          initramfs-tools and dracut conflict (each Provides/Conflicts
#          linux-initramfs-tool), but their -core packages, which hold mkinitramfs and
#          dracut themselves, do not and install side by side (Debian 12); mandoc
#          (lints the manual pages), zsh and fish (run the completions), pre-commit (runs
#          the hooks of .pre-commit-hooks.yaml), clang-tidy (make lint), udev (its hwdb,
#          which lspci reads names from, as on every desktop: t-hw-lspci must pass there)
# Runs apt-get through sudo unless it already runs as root.
set -eu
# liblzma-dev: liblzma.a, which linking libxml2.a in needs (libicu-dev, zlib1g-dev and
# libstdc++'s archive come with libxml2-dev, libpci-dev and build-essential).
build="build-essential pkg-config libyaml-dev libpci-dev libxml2-dev liblzma-dev pci.ids"
tests="pciutils libvirt0 libvirt-clients libxml2-utils nix-bin valgrind time python3
python3-yaml python3-jsonschema libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86
libvirt-daemon-system qemu-utils ovmf swtpm swtpm-tools dnsmasq-base iproute2 systemd
util-linux kmod cpio initramfs-tools-core dracut-core mandoc zsh fish pre-commit clang-tidy udev
pulseaudio pulseaudio-utils qemu-system-gui"
pkgs=$build
[ "${1:-}" = build ] || pkgs="$build $tests"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $pkgs > /dev/null
echo "install-deps: installed $(echo $pkgs | wc -w) packages"
# On CI (CI set, as by .ci/run's runner), the suite runs as on a developer's Debian rather
# than a bare one: udev's hwdb in place, no /run/libvirt (tests/ci-desktop.sh).
[ "${1:-}" = build ] || [ -z "${CI:-}" ] || sh "$(dirname "$0")/ci-desktop.sh"
