#!/bin/sh
# prepare.sh CACHE OUT: the lab's kernel, modules and initramfs.
# On first use, downloads Debian's kernel (the release linux-image-amd64 depends on) and
# busybox-static with `apt-get download` into CACHE and unpacks them there with `dpkg -x`:
# nothing is installed. depmod runs on the unpacked tree, which the guest mounts over 9p as
# its /lib/modules. Then writes OUT/initramfs.cpio: busybox, kmod's modprobe (not busybox's
# applet: softdep, install and module.param= behave as on a distribution), dash as /bin/sh
# (what modprobe's install commands run), the modules that mount the host's root over 9p,
# and tests/lab/init. Prints the kernel release.
set -eu
cache=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache/debs" "$out"

# fetch PKG: download and unpack PKG into $cache/root once.
fetch() {
	[ -e "$cache/root/.unpacked-$1" ] && return 0
	(cd "$cache/debs" && apt-get download -q "$1" > apt.log 2>&1) || {
		echo "lab: apt-get download $1 failed:" >&2; tail -5 "$cache/debs/apt.log" >&2; exit 1; }
	dpkg -x "$cache/debs/$(ls "$cache/debs" | grep "^${1}_" | sort | tail -1)" "$cache/root"
	touch "$cache/root/.unpacked-$1"
}

if [ ! -s "$cache/kernel-package" ]; then
	apt-cache depends linux-image-amd64 2> /dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1 > "$cache/kernel-package"
fi
kpkg=$(cat "$cache/kernel-package")
[ -n "$kpkg" ] || { echo "lab: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
rel=${kpkg#linux-image-}
fetch "$kpkg"
fetch busybox-static
if [ ! -e "$cache/root/lib/modules/$rel/modules.dep" ]; then
	depmod -b "$cache/root" "$rel"
fi

# The initramfs tree.
t=$out/initramfs
rm -rf "$t"
mkdir -p "$t/bin" "$t/sbin" "$t/lib/modules/$rel" "$t/etc/modprobe.d" "$t/proc" "$t/sys" \
	"$t/dev" "$t/run" "$t/tmp" "$t/host"
cp "$cache/root/bin/busybox" "$t/bin/busybox"
for a in $("$t/bin/busybox" --list); do
	[ -e "$t/bin/$a" ] || ln -s busybox "$t/bin/$a"
done
# copy_bin FILE NAME: FILE as /bin/NAME, with the libraries ldd lists.
copy_bin() {
	rm -f "$t/bin/$2"
	cp "$1" "$t/bin/$2"
	ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$t$(dirname "$lib")"
		cp -L "$lib" "$t$lib"
	done
}
copy_bin "$(command -v kmod)" kmod
copy_bin "$(readlink -f /bin/sh)" sh
for a in modprobe insmod rmmod lsmod modinfo depmod; do
	rm -f "$t/bin/$a" && ln -s kmod "$t/bin/$a"
	ln -s ../bin/kmod "$t/sbin/$a"
done
m=$cache/root/lib/modules/$rel
for mod in $(for n in 9p 9pnet_virtio virtio_pci; do
	modprobe -d "$cache/root" -S "$rel" --show-depends "$n" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | sort -u); do
	mkdir -p "$t$(dirname "${mod#"$cache/root"}")"
	cp "$mod" "$t${mod#"$cache/root"}"
done
cp "$m/modules.order" "$m/modules.builtin" "$m/modules.builtin.modinfo" "$t/lib/modules/$rel/"
depmod -b "$t" "$rel"
cp "$here/init" "$t/init"
chmod 755 "$t/init"
(cd "$t" && find . | cpio -o -H newc --quiet) > "$out/initramfs.cpio"
cp "$cache/root/boot/vmlinuz-$rel" "$out/vmlinuz"
echo "$rel"
