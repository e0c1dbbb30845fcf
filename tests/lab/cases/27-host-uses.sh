# 27-host-uses: what the host runs on, beyond /, /nix and /usr. Two emulated NVMe drives
# (00:05.0, 00:06.0): the guest makes the first its active swap and mounts an ext4 file
# system of the second at /boot. The live probe records them (host-filesystems "swap (…)"
# and "/boot (…)"), and `check` refuses to pass either drive, naming swap or /boot
# (host-disk). Then swapoff and umount: the same configs check clean (the control: the
# refusal comes from the uses, not from the drives). On the host: `check` with each
# snapshot says what it said in the guest.
d=$(newdir host-uses)
for n in 0 1; do truncate -s 64M "$d/nvme$n.img"; done
for c in swap:00:05.0 boot:00:06.0; do
	cat > "$d/${c%%:*}.yaml" <<Y
version: 1
target:
  nixos: "25.05"
vms:
  guest:
    memory: 256MiB
    vcpus: 1
    pci: ["${c#*:}"]
Y
done
cat > "$d/guest.sh" <<G
CASE="host uses"; VFIOC="$d/vfioc"; DIR="$d"
. ./guest-lib.sh
G
cat >> "$d/guest.sh" <<'G'
modprobe nvme && modprobe ext4
# name_of ADDR: the NVMe namespace of the drive at ADDR (namespaces appear asynchronously).
name_of() {
	for i in $(seq 30); do
		for b in /sys/block/nvme*n1; do
			[ -e "$b" ] && readlink -f "$b" | grep -q "/$1/" && { basename "$b"; return; }
		done
		sleep 1
	done
}
sw=$(name_of 0000:00:05.0) bt=$(name_of 0000:00:06.0)
expect "both NVMe drives have a namespace ($sw, $bt)" test -n "$sw" -a -n "$bt"
host mkswap "/dev/$sw" > /dev/null && host swapon "/dev/$sw"
expect "swap is active on /dev/$sw" host grep -q "^/dev/$sw " /proc/swaps
host mkfs.ext4 -q "/dev/$bt" && mount -t ext4 "/dev/$bt" /host/boot
expect "/dev/$bt is mounted at /boot" host grep -q " /boot .* /dev/$bt " /proc/self/mountinfo
# state NAME: the live probe, and check of each config against it.
state() {
	host "$VFIOC" probe -o "$DIR/snap-$1.yaml" 2> "probe-$1.err" ||
		bad "$1: vfioc probe runs live: $(head -3 "probe-$1.err")"
	for c in swap boot; do
		host "$VFIOC" check "$DIR/$c.yaml" --hardware "$DIR/snap-$1.yaml" > "check-$1-$c.out" 2>&1
		echo $? > "check-$1-$c.rc"
	done
}
# field ADDR: host-filesystems of the device at ADDR in the used state's snapshot.
field() {
	awk -v a="- address: \"$1\"" '$0 == a { f = 1; next } /^- / { f = 0 }
		f && /^  host-filesystems:/ { sub(/^  host-filesystems: /, ""); print }' snap-used.yaml
}
state used
expect "the snapshot records the swap on 00:05.0" test "$(field 0000:00:05.0)" = "\"swap ($sw)\""
expect "the snapshot records /boot on 00:06.0" test "$(field 0000:00:06.0)" = "\"/boot ($bt)\""
expect "check refuses to pass the swap drive" test "$(cat check-used-swap.rc)" = 1
expect "check names the swap" grep -q "holds what the host has mounted or swaps to: swap ($sw) \[host-disk\]" check-used-swap.out
expect "check refuses to pass the /boot drive" test "$(cat check-used-boot.rc)" = 1
expect "check names /boot" grep -q "holds what the host has mounted or swaps to: /boot ($bt) \[host-disk\]" check-used-boot.out
host swapoff "/dev/$sw"
umount /host/boot
state free
for c in swap boot; do
	expect "control: without the $c, the same config passes" test "$(cat check-free-$c.rc)" = 0
	expect "control: without the $c, no host-disk" sh -c "! grep -q host-disk check-free-$c.out"
done
G
if boot "$d" "host uses" \
	-drive "file=$d/nvme0.img,if=none,id=nv0,format=raw" -device nvme,drive=nv0,serial=swap0,addr=05.0 \
	-drive "file=$d/nvme1.img,if=none,id=nv1,format=raw" -device nvme,drive=nv1,serial=boot0,addr=06.0; then
	guest_results "$d"
	for s in used free; do
		for c in swap boot; do
			if [ ! -s "$d/snap-$s.yaml" ]; then fail "host uses $s: no snapshot from the guest"; break; fi
			"$VFIOC" check "$d/$c.yaml" --hardware "$d/snap-$s.yaml" > "$d/check-$s-$c.host" 2>&1
			echo $? > "$d/check-$s-$c.hostrc"
			if cmp -s "$d/check-$s-$c.rc" "$d/check-$s-$c.hostrc" &&
			   cmp -s "$d/check-$s-$c.out" "$d/check-$s-$c.host"; then
				pass "host uses $s $c: check on the host with the guest's snapshot says the same"
			else
				fail "host uses $s $c: check on the host with the guest's snapshot says the same"
				diff -u "$d/check-$s-$c.out" "$d/check-$s-$c.host" | head -20 >&2
			fi
		done
	done
else
	fail "host uses: no verdicts without a booted guest"
fi
rm -f "$d/nvme0.img" "$d/nvme1.img"
