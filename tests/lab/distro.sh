# distro.sh: boot-time binding on a Debian host, through Debian's real initramfs generators
# (sourced by cases/26-distro-initramfs-tools.sh and 27-distro-dracut.sh). On the Intel machine (tests/lab/machines.sh; its
# snapshot from 10-layouts-intel), for each generator (initramfs-tools, dracut), two configs
# as the NixOS binding cases have: two of four identical e1000e with e1000e as the display
# driver (bound by address), and the unique e1000 and a multi-function slot (by
# vfio-pci.ids). For each:
#   1. vfioc build for a Debian target with that generator;
#   2. a copy of this Debian host's /etc as a scratch root, and `vfioc apply --root` into it
#      (the commands are listed, not run); the lab adds only what a user with an early-KMS
#      driver has, the host drivers in the generator's list (and 9p, to reach the host);
#   3. the generator itself builds the initramfs from that /etc and the lab kernel's modules
#      (tests/lab/initrd.sh), with the lab's hook (tests/lab/distro-hook.sh) as an archive before it;
#   4. by address: the guest boots it with the kernel-cmdline vfioc wrote: after the
#      initramfs's own coldplug, every passed device is on vfio-pci, every twin on its own
#      driver, the host driver was loaded in the initramfs, and `vfioc verify` passes;
#   5. by vfio-pci.ids: booted without the command line, `vfioc verify` fails naming each
#      passed device;
#   6. `vfioc apply --undo` leaves the copy of /etc byte-identical.
. "$LAB_DIR/machines.sh"
snap=${LAB_INTEL_SNAPSHOT:-$LAB_WORK/intel.yaml}

# tree_hash DIR (as tests/t-apply.sh)
tree_hash() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum
}

# lab_cpio DIR GEN: DIR/lab.cpio, the hook where GEN's initramfs runs it, and busybox.
# Only folders the image has as folders: the kernel replaces an entry of another type, and
# /lib is a symlink to usr/lib in both images (a folder there would hide the libraries).
lab_cpio() {
	t=$1/lab-cpio h=usr/lib/dracut/hooks
	rm -rf "$t" && mkdir -p "$t/lab"
	cp "$LAB_CACHE/root/bin/busybox" "$t/lab/busybox"
	if [ "$2" = dracut ]; then
		mkdir -p "$t/$h/initqueue/finished"
		cp "$LAB_DIR/distro-hook.sh" "$t/$h/initqueue/finished/99-lab.sh"
		: > "$t/usr/lib/dracut/need-initqueue"
	else
		mkdir -p "$t/scripts"
		cp "$LAB_DIR/distro-hook.sh" "$t/scripts/lab"
	fi
	(cd "$t" && find . | cpio -o -H newc --quiet) > "$1/lab.cpio"
}


# distro_initrd NAME GEN DISPLAY-DRIVERS "VM1 PCI..." "VM2 PCI...": a work folder (printed)
# with host.yaml for a Debian target with GEN, out/ by vfioc build, sysroot/ (this host's
# /etc with vfioc apply's files and the lab's additions), initrd.img (GEN's real initramfs
# and the lab's hook); or nothing after a failure. sysroot.hash: the copy before apply.
distro_initrd() {
	name=$1 gen=$2 drv=$3; shift 3
	w=$(newdir "$name")
	cp "$snap" "$w/hardware.yaml"
	{
		printf 'version: 1\nhardware: hardware.yaml\ntarget:\n  family: debian\n'
		printf '  initramfs: %s\n  bootloader: grub\n' "$gen"
		host_and_vms "$drv" "$@"
	} > "$w/host.yaml"
	if ! "$VFIOC" build "$w/host.yaml" -o "$w/out" 2> "$w/build.err"; then
		fail "$name: vfioc build for a Debian target with $gen"; sed 's/^/    /' "$w/build.err" >&2; return
	fi
	s=$w/sysroot && mkdir -p "$s" && cp -a /etc "$s/etc"
	tree_hash "$s" > "$w/sysroot.hash"
	if ! "$VFIOC" apply "$w/host.yaml" -o "$w/out" --root "$s" > "$w/apply.out" 2>&1; then
		fail "$name: vfioc apply --root into a copy of this Debian host's /etc"; sed 's/^/    /' "$w/apply.out" >&2; return
	fi
	# What the lab adds: the host drivers in the initramfs (a user's early-KMS setting), 9p.
	if [ "$gen" = dracut ]; then
		echo "add_drivers+=\" $(echo "$drv" | tr -d ,) virtio_pci 9pnet_virtio 9p \"" > "$s/etc/dracut.conf.d/90-lab.conf"
	else
		printf '%s\nvirtio_pci\n9pnet_virtio\n9p\n' "$(echo "$drv" | tr -d ' ' | tr , '\n')" >> "$s/etc/initramfs-tools/modules"
		# For time: the listed modules, not "most" (what vfioc's hook forces is added either way).
		sed -i 's/^MODULES=.*/MODULES=list/' "$s/etc/initramfs-tools/initramfs.conf"
	fi
	t0=$(date +%s)
	if ! sh "$LAB_DIR/initrd.sh" "$gen" "$s" "$LAB_REL" "$w/real.img" > "$w/initrd.log" 2>&1; then
		fail "$name: the real $gen builds the initramfs"; tail -15 "$w/initrd.log" | sed 's/^/    /' >&2; return
	fi
	echo "$name: $gen built the initramfs: $(($(date +%s) - t0))s" >> "$LAB_WORK/times"
	lab_cpio "$w" "$gen"
	# The lab's archive first, as an early (uncompressed) archive goes before the main one.
	cat "$w/lab.cpio" "$w/real.img" > "$w/initrd.img"
	echo "$w"
}

# distro_undo DIR GEN: the lab's additions out, then vfioc apply --undo: byte-identical.
distro_undo() {
	s=$1/sysroot
	if [ "$2" = dracut ]; then rm "$s/etc/dracut.conf.d/90-lab.conf"; else
		cp /etc/initramfs-tools/modules /etc/initramfs-tools/initramfs.conf "$s/etc/initramfs-tools/"; fi
	check "$(basename "$1"): vfioc apply --undo" "$VFIOC" apply --undo --root "$s"
	if [ "$(tree_hash "$s")" = "$(cat "$1/sysroot.hash")" ]; then
		pass "$(basename "$1"): apply --root then --undo leaves the copy of /etc byte-identical"
	else
		fail "$(basename "$1"): apply --root then --undo leaves the copy of /etc byte-identical"
	fi
}

# distro_case GEN: the two boots.
distro_case() {
	gen=$1 boot_arg=
	[ "$gen" = initramfs-tools ] && boot_arg=boot=lab
	# By address: two of four identical e1000e, their driver in the initramfs.
	passed="00:04.0 00:05.0"
	d=$(distro_initrd "distro-$gen" "$gen" "e1000e" "$passed")
	if [ -n "$d" ]; then
		pass "distro $gen: vfioc build, vfioc apply --root, and the real $gen build the initramfs"
		expect_file "$snap" "$passed" > "$d/expect"
		echo "$(cat "$d/out/kernel-cmdline") $boot_arg" > "$d/append"
		cat > "$d/guest.sh" <<G
CASE="distro $gen"
. ./guest-lib.sh
expect "the kernel command line is vfioc's" grep -qF "\$(cat out/kernel-cmdline)" /proc/cmdline
assert_bound "after $gen's initramfs" expect
expect "the host driver e1000e was loaded in the initramfs and lost the race" grep -q "^e1000e " /proc/modules
"$d/vfioc" verify "$d/host.yaml" > verify.out 2>&1
expect "vfioc verify passes" test \$? = 0
G
		# shellcheck disable=SC2086
		boot "$d" "distro $gen" $INTEL_DEVICES && guest_results "$d"
		distro_undo "$d" "$gen"
	fi
	# By vfio-pci.ids: the unique e1000 and a whole multi-function slot, booted without the
	# command line: verify fails naming each.
	passed="00:07.0 00:06.0 00:06.1"
	v=$(distro_initrd "distro-$gen-ids" "$gen" "e1000" "00:07.0" "00:06.0 00:06.1")
	[ -n "$v" ] || return 0
	check "distro $gen ids: the passed devices are bound by vfio-pci.ids" grep -q 'vfio-pci.ids=' "$v/out/kernel-cmdline"
	echo "$boot_arg" > "$v/append"
	{
		printf 'CASE="distro %s, booted without kernel-cmdline"\n. ./guest-lib.sh\n' "$gen"
		printf '"%s/vfioc" verify "%s/host.yaml" > verify.out 2>&1\n' "$v" "$v"
		printf 'expect "vfioc verify fails" test $? = 1\n'
		for a in $passed; do
			printf 'expect "vfioc verify names 0000:%s" grep -q "^FAIL.*0000:%s" verify.out\n' "$a" "$a"
		done
	} > "$v/guest.sh"
	# shellcheck disable=SC2086
	boot "$v" "distro $gen, no kernel-cmdline" $INTEL_DEVICES && guest_results "$v"
	distro_undo "$v" "$gen"
}
