# t-hw-probe: `vfioc probe` on every test root: deterministic snapshots that load back to
# the same bytes, the facts of each root, -o written atomically, examples/seed/hardware.yaml
# current, and damaged roots (missing, dangling, garbage files) read without a crash.
. ./lib.sh
. ./hwroots.sh

# dev_field SNAPSHOT ADDR KEY: the value of KEY in the device ADDR of a snapshot.
dev_field() {
	awk -v a="- address: \"$2\"" -v k="  $3: " '
		$0 == a { on = 1; next } /^- / { on = 0 } /^[a-z]/ { on = 0 }
		on && index($0, k) == 1 { print substr($0, length(k) + 1) }' "$1"
}

# field_is NAME SNAPSHOT ADDR KEY VALUE
field_is() {
	got=$(dev_field "$2" "$3" "$4")
	if [ "$got" = "$5" ]; then pass "$1"; else fail "$1 (got '$got', want '$5')"; fi
}

for r in $HW_ROOTS; do
	root=$(hwroot "$r")
	rc_is "probe $r: exit 0" 0 vfioc probe --root "$root"
	cp "$TMP/rc.out" "$TMP/$r.yaml"
	has "probe $r: version 1 first" '^version: 1$' "$TMP/$r.yaml"
	expect "probe $r: nothing on stderr" test ! -s "$TMP/rc.err"
	vfioc probe --root "$root" > "$TMP/$r.again.yaml"
	same "probe $r: same bytes twice" "$TMP/$r.yaml" "$TMP/$r.again.yaml"
	vfioc probe --hardware "$TMP/$r.yaml" > "$TMP/$r.round.yaml"
	same "probe $r: snapshot loads back to the same bytes" "$TMP/$r.yaml" "$TMP/$r.round.yaml"
	rc_is "probe $r: -o exit 0" 0 vfioc probe --root "$root" -o "$TMP/out-$r.yaml"
	same "probe $r: -o writes what stdout shows" "$TMP/$r.yaml" "$TMP/out-$r.yaml"
	expect "probe $r: -o prints nothing" test ! -s "$TMP/rc.out"
done
expect "probe -o: no temporary files left" sh -c "! ls '$TMP' | grep -q '\.tmp\.'"

# -o onto something that is not a file: refused, and it stays what it was. A rename over a
# device would, as root, put a regular file where (say) /dev/null was.
root=$(hwroot seed)
mkfifo "$TMP/fifo"
rc_is "probe -o FIFO: refused (exit 3)" 3 vfioc probe --root "$root" -o "$TMP/fifo"
has "probe -o FIFO: says what it is and what to do" 'is a FIFO, not a file' "$TMP/rc.err"
expect "probe -o FIFO: still a FIFO" test -p "$TMP/fifo"
if mknod "$TMP/null" c 1 3 2> /dev/null; then   # as root
	rc_is "probe -o device: refused (exit 3)" 3 vfioc probe --root "$root" -o "$TMP/null"
	expect "probe -o device: still the device" test -c "$TMP/null"
	expect "probe -o device: control: the node was a device before" test "$(stat -c %t:%T "$TMP/null")" = 1:3
fi

# The facts of the roots (tests/roots/*.desc).
s=$TMP/seed.yaml
field_is "seed: 01:00.0 is the R9 290X" "$s" 0000:01:00.0 id '"1002:67b0"'
field_is "seed: 01:00.0 in group 1" "$s" 0000:01:00.0 iommu-group 1
field_is "seed: 01:00.1 in group 1" "$s" 0000:01:00.1 iommu-group 1
field_is "seed: 01:00.0 multifunction" "$s" 0000:01:00.0 multifunction true
field_is "seed: 01:00.1 multifunction (function 0's bit)" "$s" 0000:01:00.1 multifunction true
field_is "seed: iGPU is the boot GPU" "$s" 0000:00:02.0 boot-vga true

# What the host runs on: disks through partitions, LVM over md (slaves/), btrfs (whose
# device number is anonymous); NICs through a bridge, a VLAN on a bond (lower_*).
v=$TMP/server.yaml
field_is "uses: seed / on the SM981" "$s" 0000:03:00.0 host-filesystems '"/ (nvme1n1p2)"'
field_is "uses: seed default route via br0" "$s" 0000:00:1f.6 host-default-route '"enp0s31f6 in br0"'
field_is "uses: seed guest NVMe is not the host's" "$s" 0000:02:00.0 host-filesystems ''
field_is "uses: server / through LVM and md, /nix on btrfs" "$v" 0000:00:17.0 host-filesystems \
	'"/ (sda2), /nix (sda3)"'
field_is "uses: server / through md's other disk" "$v" 0000:00:11.5 host-filesystems '"/ (sdb2)"'
field_is "uses: server route through VLAN and bond, port 0" "$v" 0000:18:00.0 host-default-route \
	'"enp24s0f0 in bond0.100"'
field_is "uses: server route through VLAN and bond, port 1" "$v" 0000:18:00.1 host-default-route \
	'"enp24s0f1 in bond0.100"'
field_is "uses: a VF of a bond port is not the host's" "$v" 0000:18:02.0 host-default-route ''
# Links that loop or dangle, and routes only on lo or virtual devices, mark nothing and stop
# nothing.
u=$TMP/uses-root
python3 ./mkroot.py roots/seed.desc "$u" > /dev/null
rm -f "$u/sys/dev/block/259:2" "$u/sys/class/net/br0/lower_enp0s31f6"
ln -s ../../../../../../../../../etc "$u/sys/dev/block/259:2"
ln -s lower_loop "$u/sys/class/net/br0/lower_loop"
printf '20 1 259:2 / / rw - ext4 /dev/root rw\n21 1 0:99 / /nix rw - btrfs /dev/gone rw\nshort line\n' \
	> "$u/proc/self/mountinfo"
printf 'Iface\tDestination\nwg0\t00000000\t0\t0\t0\t0\t0\t00000000\n../x\t00000000\t0\t0\t0\t0\t0\t00000000\n' \
	> "$u/proc/net/route"
# A link that leaves the root is refused, naming it, where the root cannot be confined by
# openat2 (VFIOC_TEST_NO_OPENAT2 forces that; t-hostile-hw has the other cases); confined,
# it climbs no higher than the root, whose etc/ holds no disk ...
VFIOC_TEST_NO_OPENAT2=1 rc_is "uses: a link out of the root: probe exits 3 (no openat2)" 3 vfioc probe --root "$u"
rc_is "uses: a link out of the root stays in it: probe exits 0 (openat2)" 0 vfioc probe --root "$u"
expect "uses: a link out of the root stays in it: / not marked" sh -c "! grep -q '\"/ (' '$TMP/rc.out'"
# ... the loop, the dangling links and the routes are not.
rm "$u/sys/dev/block/259:2"
ln -s ../../devices/nowhere "$u/sys/dev/block/259:2"
rc_is "uses: hostile links and routes: probe exits 0" 0 vfioc probe --root "$u"
expect "uses: hostile links and routes: nothing marked" sh -c "! grep -Eq 'host-(filesystems|default-route)' '$TMP/rc.out'"
field_is "seed: R9 290X is not" "$s" 0000:01:00.0 boot-vga false
field_is "seed: R9 290X resets by bus only" "$s" 0000:01:00.0 reset-methods '[bus]'
field_is "seed: root port has no reset method" "$s" 0000:00:01.0 reset-methods '[]'
field_is "seed: host NVMe bound to nvme" "$s" 0000:03:00.0 driver '"nvme"'
field_is "seed: guest NVMe 144d:a80a" "$s" 0000:02:00.0 id '"144d:a80a"'
field_is "seed: class of the NVMe" "$s" 0000:02:00.0 class '"0x010802"'
field_is "seed: subsystem" "$s" 0000:01:00.0 subsystem '"1043:046a"'
field_is "seed: revision" "$s" 0000:00:00.0 revision '"0x0a"'
field_is "seed: name from the root's pci.ids" "$s" 0000:01:00.0 device-name \
	'"Hawaii XT / Grenada XT [Radeon R9 290X/390X]"'
field_is "seed: SRAM has no driver" "$s" 0000:00:14.2 driver ''
has "seed: Intel CPU" '^  vendor: intel$' "$s"
has "seed: vmx and pdpe1gb" '^  flags: \[vmx, pdpe1gb\]$' "$s"
has "seed: SMT siblings" 'id: 7, core: 1, package: 0, siblings: "1,7"' "$s"
has "seed: 12 CPUs" '\{id: 11,' "$s"
has "seed: memory" '^  total-kib: 32795660$' "$s"
has "seed: 2M and 1G hugepages" '^  hugepage-sizes-kib: \[2048, 1048576\]$' "$s"
has "seed: kernel release" '^  release: "6.6.30"$' "$s"
has "seed: cmdline" 'cmdline: ".*intel_iommu=on"$' "$s"
has "seed: IOMMU hardware" '^  present: true$' "$s"
has "seed: USB receiver, with its port" '\{bus: 1, device: 2, id: "046d:c52b", port: "1-3", manufacturer: "Logitech", product: "USB Receiver"\}' "$s"
lacks "seed: USB interfaces are not devices" '1-3:1.0' "$s"
s=$TMP/amd-chipset.yaml
has "amd-chipset: AMD CPU with svm" '^  flags: \[svm, pdpe1gb\]$' "$s"
field_is "amd-chipset: GTX 1050 Ti in the chipset group" "$s" 0000:03:00.0 iommu-group 15
field_is "amd-chipset: SATA in the chipset group" "$s" 0000:05:00.0 iommu-group 15
field_is "amd-chipset: a device unknown to pci.ids has no name" "$s" 0000:00:18.3 device-name ''
s=$TMP/iommu-off.yaml
lacks "iommu-off: no groups" 'iommu-group' "$s"
has "iommu-off: no IOMMU hardware" '^  present: false$' "$s"
s=$TMP/server.yaml
n=$(grep -c '^- address:' "$s")
expect "server: more than 100 PCI devices ($n)" test "$n" -gt 100
n=$(grep -c '^  physfn: ' "$s")
expect "server: 16 virtual functions ($n)" test "$n" -eq 16
field_is "server: VF's physical function" "$s" 0000:18:02.5 physfn '"0000:18:00.1"'
field_is "server: NUMA node 1" "$s" 0000:af:00.0 numa-node 1
field_is "server: NUMA node 0" "$s" 0000:5e:00.0 numa-node 0
has "server: 64 CPUs, two packages" '\{id: 63, core: 15, package: 1, siblings: "31,63", node: 1\}' "$s"
s=$TMP/turing.yaml
field_is "turing: UCSI function in the GPU's group" "$s" 0000:01:00.3 iommu-group 11
# Modules, not driver names (sys/bus/pci/drivers/DRV/module): what modprobe's softdep needs.
field_is "turing: UCSI driver nvidia-gpu" "$s" 0000:01:00.3 driver '"nvidia-gpu"'
field_is "turing: ... is module i2c_nvidia_gpu" "$s" 0000:01:00.3 module '"i2c_nvidia_gpu"'
field_is "turing: xhci_hcd is module xhci_pci" "$s" 0000:01:00.2 module '"xhci_pci"'
field_is "turing: nvidia is module nvidia" "$s" 0000:01:00.0 module '"nvidia"'
field_is "turing: pcieport is built in: no module" "$s" 0000:00:01.0 module ''
field_is "turing: no driver, no module" "$s" 0000:00:00.0 module ''

# mkroot.py: module= overrides the kernel's module of a driver; "module=" is built in.
cat > "$TMP/mod.desc" << 'EOF'
pci 00:01.0 8086:1901 060400 driver=pcieport module=pcie_test
pci 00:02.0 144d:a80a 010802 driver=nvme module=
pci 00:03.0 8086:15b8 020000 driver=e1000e
EOF
python3 ./mkroot.py "$TMP/mod.desc" "$TMP/mod-root" && vfioc probe --root "$TMP/mod-root" > "$TMP/mod.yaml"
field_is "mkroot module=NAME: that module" "$TMP/mod.yaml" 0000:00:01.0 module '"pcie_test"'
field_is "mkroot module=: built in" "$TMP/mod.yaml" 0000:00:02.0 module ''
field_is "mkroot unlisted driver: module of its name" "$TMP/mod.yaml" 0000:00:03.0 module '"e1000e"'

# The seed example's snapshot is this generator's output.
same "examples/seed/hardware.yaml is current (vfioc probe --root seed)" \
	../examples/seed/hardware.yaml "$TMP/seed.yaml"

# Failures: exit 3 naming the path, nothing on stdout.
# The host identity: a keyed hash of etc/machine-id, never the machine-id itself.
vfioc probe --root "$(hwroot seed)" > "$TMP/id.yaml" 2> /dev/null
mid=$(sed -n 's/^machine-id //p' roots/seed.desc)
has "probe: records host-id" '^host-id: "[0-9a-f]{32}"$' "$TMP/id.yaml"
if grep -qi "$mid" "$TMP/id.yaml"; then fail "probe: the machine-id itself is not in the snapshot"
else pass "probe: the machine-id itself is not in the snapshot"; fi
vfioc probe --root "$(hwroot server)" > "$TMP/id2.yaml" 2> /dev/null
if [ "$(grep '^host-id' "$TMP/id.yaml")" != "$(grep '^host-id' "$TMP/id2.yaml")" ]; then
	pass "probe: two hosts, two host-ids"
else
	fail "probe: two hosts, two host-ids"
fi
has "probe: CPUs know their NUMA node" 'node: 1}$' "$TMP/id2.yaml"

rc_is "probe: missing root exits 3" 3 vfioc probe --root "$TMP/no-such-root"
has "probe: missing root names sys/bus/pci" "no-such-root/sys/bus/pci.*\[hw-unreadable\]" "$TMP/rc.err"
expect "probe: missing root prints nothing on stdout" test ! -s "$TMP/rc.out"
mkdir -p "$TMP/empty-root"
rc_is "probe: root without sys/bus/pci exits 3" 3 vfioc probe --root "$TMP/empty-root"
mkdir -p "$TMP/no-devices/sys/bus/pci/devices"
rc_is "probe: root without PCI devices exits 0" 0 vfioc probe --root "$TMP/no-devices"
has "probe: ... and lists none" '^pci: \[\]$' "$TMP/rc.out"
has "probe: ... and knows no CPU vendor" '^cpu:$' "$TMP/rc.out"
mkdir -p "$TMP/pci-no-devices/sys/bus/pci"
rc_is "probe: sys/bus/pci without devices/ exits 3" 3 vfioc probe --root "$TMP/pci-no-devices"
has "probe: ... with libpci's message" 'Cannot open .*devices' "$TMP/rc.err"
rc_is "probe: -o into a missing directory exits 3" 3 \
	vfioc probe --root "$(hwroot seed)" -o "$TMP/nodir/x.yaml"
has "probe: ... io-error" 'cannot write .*nodir/x.yaml.*\[io-error\]' "$TMP/rc.err"
rc_is "probe: an argument is a usage error" 2 vfioc probe extra
rc_is "probe: --root with --hardware is a usage error" 2 vfioc probe --root / --hardware x

# Damaged roots: unknown facts or a warning, never a crash.
d=$(hwcopy seed damaged)
p=$d/sys/bus/pci/devices
rm "$p/0000:00:17.0/vendor"
echo garbage > "$p/0000:00:02.0/boot_vga"
printf '\001\377flr\n' > "$p/0000:00:14.0/reset_method"
rm "$p/0000:00:14.0/config"
rm -r "$d/sys/bus/pci/drivers/nvme"
rm "$p/0000:00:14.2/iommu_group"
ln -sfn ../../../kernel/iommu_groups/99 "$p/0000:00:1f.3/iommu_group"
ln -sfn ../../../kernel/iommu_groups/98 "$p/0000:00:1f.4/iommu_group"
rm "$d/sys/kernel/iommu_groups/7/devices/0000:00:1f.4"
echo 'zz' > "$p/0000:00:1f.4/class"
echo 'zz' > "$p/0000:00:1f.5/numa_node"
echo '1' > "$p/0000:00:1f.6/numa_node"
rm -r "$d/proc" "$d/sys/devices/system/cpu/cpu3"
rm "$d/sys/bus/pci/drivers/snd_hda_intel/module"
ln -sfn "../../../../module/bad name" "$d/sys/bus/pci/drivers/radeon/module"
echo '0-3,x' > "$d/sys/devices/system/cpu/online"
echo 'not a pci.ids line' > "$d/usr/share/misc/pci.ids"
rc_is "damaged: probe exits 0" 0 vfioc probe --root "$d"
cp "$TMP/rc.out" "$TMP/damaged.yaml"
cp "$TMP/rc.err" "$TMP/damaged.err"
has "damaged: a device libpci cannot read is left out, with a warning" \
	'0000:00:17.0 left out.*vendor.*\[hw-incomplete\]' "$TMP/damaged.err"
lacks "damaged: ... and is not in the snapshot" '0000:00:17.0' "$TMP/damaged.yaml"
has "damaged: a broken pci.ids is a warning" 'device names unavailable.*\[hw-incomplete\]' "$TMP/damaged.err"
lacks "damaged: ... and names are unknown" 'device-name' "$TMP/damaged.yaml"
field_is "damaged: garbage boot_vga is unknown" "$TMP/damaged.yaml" 0000:00:02.0 boot-vga ''
field_is "damaged: control bytes in reset_method cleaned" "$TMP/damaged.yaml" 0000:00:14.0 reset-methods "['??flr']"
field_is "damaged: no config space: not multifunction" "$TMP/damaged.yaml" 0000:00:14.0 multifunction ''
field_is "damaged: ... nor its function 2" "$TMP/damaged.yaml" 0000:00:14.2 multifunction ''
field_is "damaged: dangling driver link: no driver" "$TMP/damaged.yaml" 0000:03:00.0 driver ''
field_is "damaged: missing iommu_group link: group from iommu_groups/N/devices" \
	"$TMP/damaged.yaml" 0000:00:14.2 iommu-group 3
field_is "damaged: dangling iommu_group link: group from iommu_groups/N/devices" \
	"$TMP/damaged.yaml" 0000:00:1f.3 iommu-group 7
field_is "damaged: dangling link, not listed in any group: no group" "$TMP/damaged.yaml" \
	0000:00:1f.4 iommu-group ''
field_is "damaged: no module link: no module" "$TMP/damaged.yaml" 0000:01:00.1 module ''
field_is "damaged: ... but the driver" "$TMP/damaged.yaml" 0000:01:00.1 driver '"snd_hda_intel"'
field_is "damaged: a module link to a malformed name: unknown" "$TMP/damaged.yaml" 0000:01:00.0 module ''
field_is "damaged: garbage numa_node is unknown" "$TMP/damaged.yaml" 0000:00:1f.5 numa-node ''
field_is "damaged: numa_node 1 read" "$TMP/damaged.yaml" 0000:00:1f.6 numa-node 1
field_is "damaged: garbage class reads as 0" "$TMP/damaged.yaml" 0000:00:1f.4 class '"0x000000"'
lacks "damaged: no proc: kernel unknown" '^kernel:' "$TMP/damaged.yaml"
has "damaged: CPUs from the cpuN directories when online is garbage" '\{id: 11,' "$TMP/damaged.yaml"
lacks "damaged: ... a missing cpuN is not online" '\{id: 3,' "$TMP/damaged.yaml"
# A bridge's subsystem IDs: from its SSVID capability, past the 64-byte header that anyone
# may read; for an unprivileged reader (config cut at 64 bytes), from the kernel's files.
field_is "bridge: subsystem IDs" "$TMP/intel-desktop.yaml" 0000:00:1c.0 subsystem '"1462:7d25"'
d=$(hwcopy intel-desktop bridge-subsys)
b=$d/sys/bus/pci/devices/0000:00:1c.0
printf '0x0000\n' > "$b/subsystem_vendor"
printf '0x0000\n' > "$b/subsystem_device"
vfioc probe --root "$d" > "$TMP/bridge.yaml"
field_is "bridge: ... read from the SSVID capability when config space allows" \
	"$TMP/bridge.yaml" 0000:00:1c.0 subsystem '"1462:7d25"'
head -c 64 "$b/config" > "$TMP/config64" && cat "$TMP/config64" > "$b/config"
vfioc probe --root "$d" > "$TMP/bridge.yaml"
field_is "bridge: ... from the kernel's files past 64 bytes (here: none)" \
	"$TMP/bridge.yaml" 0000:00:1c.0 subsystem ''
printf '0x1462\n' > "$b/subsystem_vendor"
printf '0x7d25\n' > "$b/subsystem_device"
vfioc probe --root "$d" > "$TMP/bridge.yaml"
same "bridge: ... the same snapshot either way" "$TMP/intel-desktop.yaml" "$TMP/bridge.yaml"

d=$(hwcopy seed junk-entry)
mkdir "$d/sys/bus/pci/devices/junk"
rc_is "junk entry in sys/bus/pci/devices: exit 3" 3 vfioc probe --root "$d"
has "junk entry: named, no crash" 'devices/junk: not a PCI device address \[hw-unreadable\]' "$TMP/rc.err"
d=$(hwcopy seed plain-dirs)
p=$d/sys/bus/pci/devices
for l in "$p"/*; do
	t=$(readlink -f "$l"); rm "$l"; cp -a "$t" "$l"
	drv=$(readlink "$l/driver") && ln -sfn "../../drivers/${drv##*/}" "$l/driver"
	grp=$(readlink "$l/iommu_group") && ln -sfn "../../../../kernel/iommu_groups/${grp##*/}" "$l/iommu_group"
done
vfioc probe --root "$d" > "$TMP/plain.yaml" 2> "$TMP/plain.err"
same "plain directories under sys/bus/pci/devices read like links" "$TMP/seed.yaml" "$TMP/plain.yaml"
