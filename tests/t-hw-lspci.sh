# t-hw-lspci: vfioc's reading of every test root (and of this machine) against lspci, an
# independent reader of the same sysfs files: addresses, class, IDs, names, subsystem,
# revision, driver, IOMMU group and NUMA node must agree device by device.
. ./lib.sh
. ./hwroots.sh

if ! command -v lspci > /dev/null; then
	fail "lspci is installed (apt-get install pciutils)"
	exit 0
fi

# CI runs the suite with udev's hwdb in place (tests/ci-desktop.sh), as on a desktop: there
# lspci reads names from the hwdb unless told not to (hwdb.disable below).
if [ -n "${CI:-}" ]; then
	expect "lspci: udev's hwdb is in place, as on a desktop" \
		sh -c 'test -s /usr/lib/udev/hwdb.bin || test -s /etc/udev/hwdb.bin'
fi

# compare NAME LSPCI_ARGS... -- VFIOC_ARGS...: the two views of one root, halves diffed.
compare() {
	name=$1; shift
	largs=""
	while [ "$1" != "--" ]; do largs="$largs $1"; shift; done
	shift
	# hwdb.disable: names from the root's pci.ids, as vfioc reads them, not from udev's hwdb
	# (which libpci prefers where udev is installed, e.g. with initramfs-tools or dracut).
	# shellcheck disable=SC2086
	lspci -vmm -nn -D -k -O hwdb.disable=1 $largs > "$TMP/lspci.out" 2> /dev/null
	vfioc probe "$@" > "$TMP/snap.yaml" 2> /dev/null
	python3 ./lspci_compare.py "$TMP/lspci.out" "$TMP/snap.yaml" > "$TMP/both.txt"
	sed -n '/^lspci/s/^lspci //p' "$TMP/both.txt" > "$TMP/by-lspci"
	sed -n '/^vfioc/s/^vfioc //p' "$TMP/both.txt" > "$TMP/by-vfioc"
	n=$(wc -l < "$TMP/by-lspci")
	if [ "$n" -gt 0 ] || [ "$name" = "this machine" ]; then
		same "lspci agrees: $name ($n devices)" "$TMP/by-lspci" "$TMP/by-vfioc"
	else
		fail "lspci agrees: $name (lspci saw no devices)"
	fi
}

for r in $HW_ROOTS; do
	root=$(hwroot "$r")
	compare "$r" -A linux-sysfs -O "sysfs.path=$root/sys/bus/pci" -i "$root/usr/share/misc/pci.ids" \
		-- --root "$root"
done
python3 ./mkroot.py --synthetic 300 "$TMP/synthetic"
compare "synthetic 300" -A linux-sysfs -O "sysfs.path=$TMP/synthetic/sys/bus/pci" \
	-i "$TMP/synthetic/usr/share/misc/pci.ids" -- --root "$TMP/synthetic"
if [ -d /sys/bus/pci/devices ]; then
	compare "this machine" -A linux-sysfs -O hwdb.disable=1 -- --root /
fi

# The comparison itself can fail: one root's lspci against another root's snapshot.
seed=$(hwroot seed)
lspci -vmm -nn -D -k -O hwdb.disable=1 -A linux-sysfs -O "sysfs.path=$seed/sys/bus/pci" -i "$seed/usr/share/misc/pci.ids" \
	> "$TMP/lspci.out" 2> /dev/null
vfioc probe --root "$(hwroot twin-gpu)" > "$TMP/snap.yaml"
python3 ./lspci_compare.py "$TMP/lspci.out" "$TMP/snap.yaml" > "$TMP/both.txt"
sed -n '/^lspci/s/^lspci //p' "$TMP/both.txt" > "$TMP/by-lspci"
sed -n '/^vfioc/s/^vfioc //p' "$TMP/both.txt" > "$TMP/by-vfioc"
expect "lspci comparison tells two hosts apart" sh -c "! cmp -s '$TMP/by-lspci' '$TMP/by-vfioc'"
