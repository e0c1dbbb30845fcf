# guest-lib.sh: helpers for a case's guest.sh, which runs in the lab guest with dash, in its
# work folder (shared with the host). Host programs run against the guest's kernel through
# chroot /host (the host's root, read-only, with the guest's /proc, /sys, /dev).
CASE=${CASE:?}
ok() { echo "ok $CASE: $*" >> results; }
bad() { echo "FAIL $CASE: $*" >> results; }
# expect NAME CMD...: ok when CMD succeeds.
expect() {
	n=$1; shift
	if "$@" > expect.out 2>&1; then ok "$n"; else bad "$n: $(head -c 300 expect.out | tr '\n' ' ')"; fi
}
host() { chroot /host "$@"; }
# driver ADDR: the driver bound to a PCI device, or "none".
driver() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}
# coldplug: what udev's coldplug does for PCI devices: load the modules of each device's
# modalias (80-drivers.rules: kmod load $env{MODALIAS}), honouring the blacklist.
coldplug() {
	for d in /sys/bus/pci/devices/*; do
		modprobe -b -q "$(cat "$d/modalias")" || true
	done
}
# truth: what the guest kernel shows, for the host to compare with the snapshot.
truth() {
	for g in /sys/kernel/iommu_groups/*; do
		[ -d "$g/devices" ] || continue
		for d in "$g"/devices/*; do echo "${d##*/} ${g##*/}"; done
	done > truth-groups
	for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(driver "${d##*/}")"; done > truth-drivers
	host lspci -n -D > truth-lspci
}
