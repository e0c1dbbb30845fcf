# 26-group-viability: vfioc's verdict on an IOMMU group holding a normal-header bridge with a
# driver equals the kernel's. QEMU q35's ICH9 functions share one group: the LPC bridge
# 00:1f.0 (class 0601, header type 0, lpc_ich), the SATA controller 00:1f.2 (ahci) and the
# SMBus controller 00:1f.3 (i801_smbus). With 00:1f.2 on vfio-pci, the guest asks the kernel
# (VFIO_GROUP_GET_STATUS on /dev/vfio/N, its viable flag) and vfioc (`check` of a config
# passing 00:1f.2, live) in three states: the LPC bridge on lpc_ich and the SMBus unbound;
# both unbound; the LPC unbound and the SMBus on i801_smbus. The kernel's flag must be 0, 1,
# 0 (the control: the states do differ), and vfioc must report group-not-viable exactly when
# the flag is 0. The snapshot's header-type of 00:1f.0 is config byte 0x0e's low 7 bits.
# On the host: `check` with each state's snapshot says what it said in the guest.
d=$(newdir group-viability)
cat > "$d/sata.yaml" <<'Y'
version: 1
target:
  nixos: "25.05"
vms:
  sata:
    memory: 256MiB
    vcpus: 1
    pci: ["00:1f.2"]
Y
cat > "$d/guest.sh" <<G
CASE="group viability"; VFIOC="$d/vfioc"; DIR="$d"
. ./guest-lib.sh
G
cat >> "$d/guest.sh" <<'G'
coldplug
modprobe vfio-pci && modprobe vfio_iommu_type1
dev=/sys/bus/pci/devices
expect "lpc_ich holds the LPC bridge 00:1f.0" test "$(driver 0000:00:1f.0)" = lpc_ich
expect "i801_smbus holds the SMBus 00:1f.3" test "$(driver 0000:00:1f.3)" = i801_smbus
g=$(basename "$(readlink $dev/0000:00:1f.0/iommu_group)")
expect "00:1f.0, 00:1f.2 and 00:1f.3 share IOMMU group $g" test \
	"$(basename "$(readlink $dev/0000:00:1f.2/iommu_group)")/$(basename "$(readlink $dev/0000:00:1f.3/iommu_group)")" = "$g/$g"
# unbind ADDR: leave the device without a driver (driver_override keeps any from probing it).
unbind() {
	echo none > "$dev/$1/driver_override"
	[ -e "$dev/$1/driver" ] && echo "$1" > "$dev/$1/driver/unbind"
	true
}
# bind ADDR DRIVER: to DRIVER only.
bind() {
	echo "$2" > "$dev/$1/driver_override"
	[ -e "$dev/$1/driver" ] && echo "$1" > "$dev/$1/driver/unbind"
	echo "$1" > /sys/bus/pci/drivers_probe
	true
}
bind 0000:00:1f.2 vfio-pci
expect "00:1f.2 is on vfio-pci" test "$(driver 0000:00:1f.2)" = vfio-pci
# The kernel's verdict: VFIO_GROUP_GET_STATUS = _IO(';', 100 + 3), struct { u32 argsz, flags }
# with flags bit 0 = viable; from the host's python3 through the chroot.
viable() {
	host python3 -c '
import fcntl, os, struct, sys
fd = os.open("/dev/vfio/" + sys.argv[1], os.O_RDWR)
argsz, flags = struct.unpack("II", fcntl.ioctl(fd, 0x3b67, struct.pack("II", 8, 0)))
print(flags & 1)' "$g"
}
# state NAME KERNEL-SAYS: the kernel's flag, then vfioc's probe and check, live.
state() {
	k=$(viable 2> "viable-$1.err")
	echo "$k" > "kernel-$1"
	expect "$1: the kernel's viable flag is $2" test "$k" = "$2"
	host "$VFIOC" probe -o "$DIR/snap-$1.yaml" 2> "probe-$1.err" ||
		bad "$1: vfioc probe runs live: $(head -3 "probe-$1.err")"
	host "$VFIOC" check "$DIR/sata.yaml" --hardware "$DIR/snap-$1.yaml" > "check-$1.out" 2>&1
	echo $? > "check-$1.rc"
	if grep -q '\[group-not-viable\]' "check-$1.out"; then v=0; else v=1; fi
	if [ "$v" = "$k" ]; then ok "$1: vfioc's verdict (viable=$v) is the kernel's"
	else bad "$1: vfioc's verdict (viable=$v) is the kernel's ($k): $(head -c 400 "check-$1.out" | tr '\n' ' ')"; fi
}
unbind 0000:00:1f.3
state lpc-bound 0
unbind 0000:00:1f.0
state lpc-unbound 1
bind 0000:00:1f.3 i801_smbus
state smbus-bound 0
# The header type as the kernel has it in config space, and as the snapshot records it.
hdr=$(($(od -An -tu1 -j14 -N1 $dev/0000:00:1f.0/config) & 127))
expect "the snapshot's header-type of 00:1f.0 is config byte 0x0e's ($hdr)" \
	sh -c 'awk "/^- address: \"0000:00:1f.0\"/ { f = 1; next } /^- / { f = 0 } f" snap-lpc-bound.yaml |
		grep -qx "  header-type: $1"' hdr "$hdr"
G
# shellcheck disable=SC2086
if boot "$d" "group viability"; then
	guest_results "$d"
	for s in lpc-bound lpc-unbound smbus-bound; do
		if [ ! -s "$d/snap-$s.yaml" ]; then fail "group viability $s: no snapshot from the guest"; continue; fi
		"$VFIOC" check "$d/sata.yaml" --hardware "$d/snap-$s.yaml" > "$d/check-$s.host" 2>&1
		echo $? > "$d/check-$s.hostrc"
		if cmp -s "$d/check-$s.rc" "$d/check-$s.hostrc" && cmp -s "$d/check-$s.out" "$d/check-$s.host"; then
			pass "group viability $s: check on the host with the guest's snapshot says the same"
		else
			fail "group viability $s: check on the host with the guest's snapshot says the same"
			diff -u "$d/check-$s.out" "$d/check-$s.host" | head -20 >&2
		fi
	done
	# The guest must have asked the kernel in every state: no results, no pass.
	for s in lpc-bound lpc-unbound smbus-bound; do
		[ -s "$d/kernel-$s" ] || fail "group viability $s: the guest asked the kernel"
	done
else
	fail "group viability: no verdicts without a booted guest"
fi
