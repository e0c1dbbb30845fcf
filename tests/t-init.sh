# t-init: `vfioc init` on every test root and every example snapshot writes a config that
# `vfioc check` passes with no error and the snapshot `vfioc probe` would write; the same
# input gives the same bytes; nothing is overwritten without --force; the choices (GPU,
# functions, group, id guards, display drivers, release, kernel, user) and the cases where
# no GPU can go (IOMMU off, one GPU, a group shared with the host's disk).
. ./lib.sh
. ./hwroots.sh

unset SUDO_USER
export USER=alice

# init_ok NAME DIR ARGS...: init into DIR/host.yaml, then check it: exit 0, no error.
init_ok() {
	name=$1 dir=$2; shift 2
	mkdir -p "$dir"
	rc_is "$name: init exits 0" 0 vfioc init -o "$dir/host.yaml" "$@"
	vfioc check "$dir/host.yaml" > "$TMP/check.out" 2> "$TMP/check.err"
	rc=$?
	if [ "$rc" = 0 ] && ! grep -q 'error' "$TMP/check.err"; then pass "$name: vfioc check passes"; else
		fail "$name: vfioc check passes (exit $rc)"; head -5 "$TMP/check.err" >&2; fi
}

# -o onto something that is not a file, even with --force: refused, left as it was.
mkdir -p "$TMP/special" && mkfifo "$TMP/special/host.yaml"
rc_is "init -o FIFO --force: refused (exit 3)" 3 vfioc init --root "$(hwroot seed)" \
	-o "$TMP/special/host.yaml" --force
has "init -o FIFO: says what it is" 'is a FIFO, not a file' "$TMP/rc.err"
expect "init -o FIFO: still a FIFO, and no snapshot beside it" \
	sh -c "test -p '$TMP/special/host.yaml' && ! test -e '$TMP/special/hardware.yaml'"

for r in $HW_ROOTS; do
	root=$(hwroot "$r")
	init_ok "root $r" "$TMP/$r" --root "$root"
	vfioc probe --root "$root" -o "$TMP/$r.probe.yaml"
	same "root $r: hardware.yaml is what probe writes" "$TMP/$r.probe.yaml" "$TMP/$r/hardware.yaml"
	mkdir -p "$TMP/$r.again"
	vfioc init --root "$root" -o "$TMP/$r.again/host.yaml" > /dev/null 2>&1
	same "root $r: the same root gives the same config" "$TMP/$r/host.yaml" "$TMP/$r.again/host.yaml"
	# From the snapshot it wrote, the same choices (the comments name the source).
	init_ok "root $r, from its snapshot" "$TMP/$r.snap" --hardware "$TMP/$r/hardware.yaml"
	sed 's/ *#.*//' "$TMP/$r/host.yaml" > "$TMP/a"
	sed 's/ *#.*//' "$TMP/$r.snap/host.yaml" > "$TMP/b"
	same "root $r: its snapshot gives the same choices" "$TMP/a" "$TMP/b"
done

for e in ../examples/*/; do
	n=$(basename "$e")
	init_ok "example $n" "$TMP/ex-$n" --hardware "$e/hardware.yaml"
done

# The choices, on the seed host: the R9 290X (not the boot iGPU) with its HDMI audio.
c=$TMP/seed/host.yaml
has "seed: the GPU with its id guard" '^      - \{ address: "0000:01:00.0", id: "1002:67b0" \} # 01:00.0: the GPU, .*not the boot GPU$' "$c"
has "seed: its audio, same group" '^      - \{ address: "0000:01:00.1", id: "1002:aac8" \} # 01:00.1: HDMI audio of the GPU, same group$' "$c"
lacks "seed: not the boot iGPU" 'address: "0000:00:02.0"' "$c"
lacks "seed: not the guest NVMe of another group" 'address: "0000:02:00.0"' "$c"
has "seed: iommu from the Intel CPU" '^  iommu: intel +# the CPU is Intel' "$c"
has "seed: the iGPU's driver stays for the host" '^    - i915 +# 0000:00:02.0 stays on the host' "$c"
has "seed: the user from \$USER" '^  users: \[alice\]' "$c"
has "seed: the kernel series of the root" '^  kernel: "6.6" +# the running kernel, 6.6.30$' "$c"
has "seed: no os-release: the newest release" '^  nixos: "26.11" +# the newest release vfioc supports' "$c"
has "seed: hardware: names the snapshot beside it" '^hardware: hardware.yaml ' "$c"

# The VM installs Windows as written: the system disk, the Windows and virtio-win ISOs as
# placeholders on SATA CD-ROMs after the disk in boot order, the passed GPU as the screen
# (no emulated one), and the snapshot's USB keyboard and mouse. Read from the domain built.
vfioc build "$c" -o "$TMP/seed/out" > /dev/null 2>&1 || fail "seed: builds"
x=$TMP/seed/out/domains/win11.xml
if command -v virt-xml-validate > /dev/null; then
	expect "seed: the domain passes libvirt's schema" virt-xml-validate "$x" domain
fi
q() { xmllint --xpath "$1" "$x" 2> /dev/null; }
[ "$(q 'count(//disk[@device="disk"])')" = 1 ] && pass "seed: one system disk" || fail "seed: one system disk"
[ "$(q 'string(//disk[@device="disk"]/boot/@order)')" = 1 ] && pass "seed: the disk boots first" || fail "seed: the disk boots first"
for iso in windows virtio-win; do
	d="//disk[@device='cdrom'][source/@file='/var/lib/libvirt/iso/CHANGE-ME-$iso.iso']"
	[ "$(q "string($d/target/@bus)")" = sata ] && [ "$(q "count($d/readonly)")" = 1 ] &&
		pass "seed: the $iso ISO, a placeholder, on a read-only SATA CD-ROM" ||
		fail "seed: the $iso ISO, a placeholder, on a read-only SATA CD-ROM"
done
win=$(q "string(//disk[source/@file='/var/lib/libvirt/iso/CHANGE-ME-windows.iso']/boot/@order)")
vio=$(q "string(//disk[source/@file='/var/lib/libvirt/iso/CHANGE-ME-virtio-win.iso']/boot/@order)")
[ "$win" = 2 ] && [ "$vio" = 3 ] && pass "seed: Windows's CD boots next, then the drivers'" || fail "seed: Windows's CD boots next (got $win, $vio)"
[ "$(q 'count(//graphics)')" = 0 ] && [ "$(q 'string(//video/model/@type)')" = none ] &&
	pass "seed: the passed GPU is the only screen" || fail "seed: the passed GPU is the only screen"
for id in 046d:c52b 04d9:0169; do
	[ "$(q "count(//hostdev[@type='usb'][source/vendor/@id='0x${id%:*}'][source/product/@id='0x${id#*:}'])")" = 1 ] &&
		pass "seed: USB input $id passed" || fail "seed: USB input $id passed"
done
has "seed: the qemu-img line for the disk" '# sudo qemu-img create -f qcow2 /var/lib/libvirt/images/win11.qcow2 128G$' "$c"
has "seed: how to switch to evdev" 'replace$' "$c"
has "seed: ... with both Ctrl keys" 'switch with both Ctrl keys' "$c"
lacks "seed: not the xHCI root hub" '"1d6b:' "$c"

# Checked on the host (here its test root), the config warns of the files it names that
# are not there yet, and of nothing else: the disk image with its qemu-img line, the two
# placeholder ISOs with where to get them. From the snapshot it cannot know, and says nothing.
rc_is "seed, on the host: exit 0 (warnings)" 0 vfioc check --root "$(hwroot seed)" "$c"
e=$TMP/rc.err
[ "$(grep -c '\[disk-missing\]$' "$e")" = 1 ] && [ "$(grep -c '\[iso-missing\]$' "$e")" = 2 ] &&
	[ "$(grep -c ': warning: ' "$e")" = 3 ] && ! grep -q ': error: ' "$e" &&
	pass "seed, on the host: only the disk image and the two placeholder ISOs" ||
	{ fail "seed, on the host: only the disk image and the two placeholder ISOs"; cat "$e" >&2; }
has "seed, on the host: the qemu-img line" 'hint: create it: sudo qemu-img create -f qcow2 /var/lib/libvirt/images/win11.qcow2 128G$' "$e"
has "seed, on the host: the Windows ISO is a placeholder" "warning: ISO /var/lib/libvirt/iso/CHANGE-ME-windows.iso of VM 'win11' does not exist on this host" "$e"
has "seed, on the host: where to get virtio-win" 'hint: download the virtio-win drivers from https://' "$e"
rc_is "seed, from the snapshot: exit 0" 0 vfioc check "$c"
lacks "seed, from the snapshot: no word on files it cannot see" 'missing\]' "$TMP/rc.err"

c=$TMP/turing/host.yaml
for f in 0 1 2 3; do
	has "turing: function $f of the card" "address: \"0000:01:00.$f\"" "$c"
done
c=$TMP/twin-gpu/host.yaml
has "twin-gpu: the second card, not the boot one" 'address: "0000:04:00.0"' "$c"
lacks "twin-gpu: the boot card stays" 'address: "0000:01:00.0"' "$c"
has "twin-gpu: says the IDs are shared" '^  bind: auto +# 10de:1b80 is also 0000:01:00.0' "$c"
c=$TMP/amd-chipset/host.yaml
has "amd-chipset: the card in the host disk's group is not passed, and why" \
	"# Not 0000:03:00.0: its IOMMU group 15 also holds 0000:05:00.0, with the host's / \\(sda2\\)" "$c"
lacks "amd-chipset: nothing of the chipset group" 'address: "0000:0[35]:' "$c"
c=$TMP/iommu-off/host.yaml
has "iommu-off: no device passed" '^    pci: \[\] ' "$c"
has "iommu-off: says why" 'No GPU is passed: the IOMMU is off' "$c"
has "iommu-off: says how (AMD)" 'Enable AMD-Vi \(IOMMU\) in the firmware setup' "$c"
has "iommu-off: the GPU to pass later, commented" '^      # - \{ address: "0000:03:00.0", id: "10de:1b81" \}' "$c"
has "iommu-off: iommu from the AMD CPU" '^  iommu: amd ' "$c"

# One GPU only (the seed without its R9 290X): no GPU passed, and how to pass it anyway.
d=$(hwcopy seed one-gpu)
rm "$d/sys/bus/pci/devices/0000:01:00.0" "$d/sys/bus/pci/devices/0000:01:00.1"
init_ok "one GPU" "$TMP/one" --root "$d"
has "one GPU: no device passed" '^    pci: \[\] ' "$TMP/one/host.yaml"
has "one GPU: says why" "# 0000:00:02.0: the host's only GPU" "$TMP/one/host.yaml"
has "one GPU: says how" 'vfioc init --force --gpu 0000:00:02.0' "$TMP/one/host.yaml"
init_ok "one GPU, --gpu" "$TMP/one-gpu" --root "$d" --gpu 00:02.0
has "one GPU, --gpu: passed on request" 'address: "0000:00:02.0"' "$TMP/one-gpu/host.yaml"

# --gpu chooses another card; a device that is not there is an error.
init_ok "--gpu" "$TMP/gpu" --root "$(hwroot twin-gpu)" --gpu 01:00.0
has "--gpu: the card asked for" 'address: "0000:01:00.0"' "$TMP/gpu/host.yaml"
mkdir -p "$TMP/nogpu"
rc_is "--gpu with no such device: exit 1" 1 vfioc init --root "$(hwroot seed)" --gpu 09:00.0 -o "$TMP/nogpu/host.yaml"
has "--gpu with no such device: says so" 'no such device on this host \[hw-missing\]' "$TMP/rc.err"
[ ! -e "$TMP/nogpu/host.yaml" ] && [ ! -e "$TMP/nogpu/hardware.yaml" ] && pass "--gpu with no such device: nothing written" || fail "--gpu with no such device: nothing written"
rc_is "--gpu garbage: exit 2" 2 vfioc init --gpu zz -o "$TMP/nogpu/host.yaml"
# --gpu takes a display controller (class 03xx) only: an NVMe drive or the GPU's HDMI audio
# is refused by name, and nothing is written; the GPU of that audio function is taken.
rc_is "--gpu on an NVMe drive: exit 1" 1 vfioc init --root "$(hwroot seed)" --gpu 02:00.0 -o "$TMP/nogpu/host.yaml"
has "--gpu on an NVMe drive: names what it is" \
	'--gpu 0000:02:00.0 is not a display controller [(]class 03xx[)]: it is 0000:02:00.0 Non-Volatile memory controller \[0108\] 144d:a80a .* \[not-gpu\]' "$TMP/rc.err"
rc_is "--gpu on the GPU's HDMI audio: exit 1" 1 vfioc init --root "$(hwroot seed)" --gpu 01:00.1 -o "$TMP/nogpu/host.yaml"
has "--gpu on the GPU's HDMI audio: names what it is" \
	'--gpu 0000:01:00.1 is not a display controller [(]class 03xx[)]: it is 0000:01:00.1 Audio device \[0403\]' "$TMP/rc.err"
[ ! -e "$TMP/nogpu/host.yaml" ] && [ ! -e "$TMP/nogpu/hardware.yaml" ] && pass "--gpu not a GPU: nothing written" || fail "--gpu not a GPU: nothing written"
init_ok "--gpu on the GPU of that audio" "$TMP/gpu-r9" --root "$(hwroot seed)" --gpu 01:00.0
has "--gpu on the GPU of that audio: the card and its audio" 'address: "0000:01:00.1"' "$TMP/gpu-r9/host.yaml"

# Never overwrite without --force; with it, replace.
echo "mine" > "$TMP/seed/extra.yaml"
cp "$TMP/seed/host.yaml" "$TMP/before"
rc_is "existing config: exit 1" 1 vfioc init --root "$(hwroot turing)" -o "$TMP/seed/host.yaml"
has "existing config: named, with the fix" 'host.yaml exists \[output-exists\]' "$TMP/rc.err"
has "existing config: hint --force" 'hint: add --force' "$TMP/rc.err"
same "existing config: left alone" "$TMP/before" "$TMP/seed/host.yaml"
# A new config next to another config's snapshot needs no --force: the same hardware is
# reused, other hardware kept and the new snapshot named after the config.
mkdir -p "$TMP/only-snap"
echo "mine" > "$TMP/only-snap/hardware.yaml"
rc_is "a snapshot of other hardware there: exit 0" 0 vfioc init --root "$(hwroot turing)" -o "$TMP/only-snap/host.yaml"
grep -qx mine "$TMP/only-snap/hardware.yaml" && pass "... the other snapshot kept" || fail "... the other snapshot kept"
has "... the new one named after the config" "^wrote $TMP/only-snap/host.yaml and $TMP/only-snap/host.hardware.yaml\$" "$TMP/rc.out"
has "... and the config names it" '^hardware: host.hardware.yaml ' "$TMP/only-snap/host.yaml"
expect "... which checks" vfioc check "$TMP/only-snap/host.yaml"
rc_is "-o other.yaml beside the same hardware: exit 0" 0 vfioc init --root "$(hwroot seed)" -o "$TMP/seed/other.yaml"
has "... reuses hardware.yaml and says so" "^wrote $TMP/seed/other.yaml; it names the snapshot $TMP/seed/hardware.yaml, which is there already with this hardware\$" "$TMP/rc.out"
has "... the config names it" '^hardware: hardware.yaml ' "$TMP/seed/other.yaml"
rc_is "-o other.yaml again: exit 1 (it exists)" 1 vfioc init --root "$(hwroot seed)" -o "$TMP/seed/other.yaml"
rc_is "--force: exit 0" 0 vfioc init --force --root "$(hwroot turing)" -o "$TMP/seed/host.yaml"
has "--force: replaced" 'address: "0000:01:00.3"' "$TMP/seed/host.yaml"
ls "$TMP/seed" | grep -q tmp && fail "no temporaries left" || pass "no temporaries left"

# The release from the root's os-release, the user from SUDO_USER first; bad ones left out.
d=$(hwcopy seed nixos)
mkdir -p "$d/etc"
printf 'NAME=NixOS\nID=nixos\nVERSION_ID="25.05"\n' > "$d/etc/os-release"
SUDO_USER=bob init_ok "NixOS 25.05" "$TMP/nixos" --root "$d"
has "os-release: NixOS 25.05" '^  nixos: "25.05" +# the release this system runs' "$TMP/nixos/host.yaml"
has "SUDO_USER wins over USER" '^  users: \[bob\]' "$TMP/nixos/host.yaml"
printf 'NAME=NixOS\nID=nixos\nVERSION_ID="26.11"\n' > "$d/etc/os-release"
init_ok "NixOS 26.11" "$TMP/nixos2611" --root "$d"
has "os-release: NixOS 26.11 is written as it is" '^  nixos: "26.11" +# the release this system runs' "$TMP/nixos2611/host.yaml"
# A release newer than vfioc knows: written as it is, check warns and passes.
printf 'NAME=NixOS\nID=nixos\nVERSION_ID="27.05"\n' > "$d/etc/os-release"
init_ok "NixOS 27.05" "$TMP/nixos2705" --root "$d"
has "os-release: NixOS 27.05 is written as it is" '^  nixos: "27.05" +# the release this system runs .os-release., newer than vfioc knows' "$TMP/nixos2705/host.yaml"
has "NixOS 27.05: check warns" 'warning: NixOS 27.05 is newer than .*26.11.*\[nixos-newer\]' "$TMP/check.err"
printf 'ID=gentoo\nVERSION_ID="2.17"\n' > "$d/etc/os-release"
USER='x y' init_ok "a family vfioc writes no files for, odd user" "$TMP/gentoo" --root "$d"
has "os-release: not NixOS, no family" '^  nixos: "26.11" +# .*this system is gentoo, not NixOS' "$TMP/gentoo/host.yaml"
has "a user name NixOS does not take: left out" '^  users: \[\] ' "$TMP/gentoo/host.yaml"

# Other families: the family from ID or ID_LIKE, the initramfs generator and boot loader from
# what is installed under the root; each config checks and builds a root/ tree.
# family_case NAME OS-RELEASE FAMILY INITRAMFS BOOTLOADER FILES...: FILES are made (empty).
family_case() {
	case_name=$1 osr=$2 fam=$3 gen=$4 boot=$5; shift 5
	d=$(hwcopy seed "fam-$case_name")
	mkdir -p "$d/etc"
	printf '%b' "$osr" > "$d/etc/os-release"
	for f in "$@"; do mkdir -p "$d/$(dirname "$f")"; : > "$d/$f"; done
	init_ok "$case_name" "$TMP/fam-$case_name" --root "$d"
	c=$TMP/fam-$case_name/host.yaml
	has "$case_name: family $fam" "^  family: $fam +# os-release: " "$c"
	has "$case_name: initramfs $gen" "^  initramfs: $gen +# " "$c"
	has "$case_name: bootloader $boot" "^  bootloader: $boot +# " "$c"
	lacks "$case_name: no NixOS release" '^  nixos:' "$c"
	has "$case_name: says to apply" 'sudo vfioc apply' "$c"
	vfioc build "$c" -o "$TMP/fam-$case_name/out" > /dev/null 2>&1
	has "$case_name: the build's root.apply is for it" "^target $fam $gen $boot\$" "$TMP/fam-$case_name/out/root.apply"
}
family_case arch 'ID=arch\n' arch mkinitcpio systemd-boot usr/bin/mkinitcpio boot/loader/loader.conf
family_case manjaro 'ID=manjaro\nID_LIKE=arch\n' arch mkinitcpio grub usr/bin/mkinitcpio etc/default/grub
family_case booster 'ID=endeavouros\nID_LIKE=arch\n' arch booster systemd-boot usr/bin/booster efi/loader/loader.conf
family_case fedora 'ID=fedora\nVERSION_ID=41\n' fedora dracut grub usr/bin/dracut etc/default/grub
family_case ubuntu 'ID=ubuntu\nID_LIKE=debian\n' debian initramfs-tools grub usr/sbin/mkinitramfs boot/grub/grub.cfg
family_case pop 'ID=pop\nID_LIKE="ubuntu debian"\n' debian initramfs-tools kernelstub \
	usr/sbin/mkinitramfs usr/bin/kernelstub boot/efi/loader/loader.conf
family_case debian-dracut 'ID=debian\n' debian dracut systemd-boot usr/bin/dracut boot/efi/loader/loader.conf
family_case bare-debian 'ID=debian\n' debian initramfs-tools grub
has "bare-debian: says nothing was found" '^  initramfs: initramfs-tools +# none found' "$TMP/fam-bare-debian/host.yaml"
has "pop: kernelstub wins over loader.conf" '^  bootloader: kernelstub +# /usr/bin/kernelstub is there' "$TMP/fam-pop/host.yaml"

# A snapshot whose names carry newlines cannot add lines to the config.
sed 's/^\(  device-name: \).*Hawaii XT.*/\1"evil\\nvms: {}\\n#"/' "$TMP/seed.probe.yaml" > "$TMP/evil.yaml"
grep -q 'evil' "$TMP/evil.yaml" || fail "hostile names: the test snapshot was made"
init_ok "hostile names" "$TMP/evil" --hardware "$TMP/evil.yaml"
lacks "hostile names: no line of their own" '^vms: \{\}' "$TMP/evil/host.yaml"

# The snapshot it starts from is the one it would write: kept, not refused.
mkdir -p "$TMP/keep"
cp "$TMP/seed/../seed.probe.yaml" "$TMP/keep/hardware.yaml"
init_ok "--hardware beside -o" "$TMP/keep" --hardware "$TMP/keep/hardware.yaml"
same "--hardware beside -o: the snapshot kept" "$TMP/seed.probe.yaml" "$TMP/keep/hardware.yaml"

# No GPU and no IOMMU: the config still checks and says so.
d=$(hwcopy iommu-off no-gpu)
for a in 0000:02:00.0 0000:02:00.1 0000:03:00.0 0000:03:00.1; do rm "$d/sys/bus/pci/devices/$a"; done
init_ok "no GPU, IOMMU off" "$TMP/no-gpu" --root "$d"
has "no GPU, IOMMU off: says there is no GPU" 'This host has no GPU' "$TMP/no-gpu/host.yaml"
lacks "no GPU, IOMMU off: no empty promise" 'The GPU it would choose' "$TMP/no-gpu/host.yaml"
has "no GPU: the console is the screen" '^    graphics: spice ' "$TMP/no-gpu/host.yaml"
lacks "no GPU: no USB input taken from the host" '^    usb:' "$TMP/no-gpu/host.yaml"
# A GPU passed but no keyboard or mouse in the snapshot: evdev, commented, to fill in.
grep -v 'Keyboard\|Receiver' "$TMP/seed.probe.yaml" > "$TMP/no-input.yaml"
init_ok "no USB input" "$TMP/no-input" --hardware "$TMP/no-input.yaml"
lacks "no USB input: no usb:" '^    usb:' "$TMP/no-input/host.yaml"
has "no USB input: evdev to fill in" '^    #   - /dev/input/by-id/CHANGE-ME-event-kbd$' "$TMP/no-input/host.yaml"

rc_is "init --help" 0 vfioc init --help
has "init --help: usage" '^Usage: vfioc init' "$TMP/rc.out"
