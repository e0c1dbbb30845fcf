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

# NixOS's stage 1, as far as device binding goes (tests/lab/stage1.py wrote DIR's files from
# the evaluated vfio.nix). Both initrds load boot.initrd.kernelModules one by one with kmod
# (the scripted one's module loop, systemd-modules-load), with boot.extraModprobeConfig as
# /etc/modprobe.d/nixos.conf, before udev's coldplug. The scripted initrd runs
# preDeviceCommands in between; the systemd initrd's udev applies the generated rules to
# each device's add event, before 80-drivers.rules loads its modalias.
# stage1 DIR scripted|systemd
stage1() {
	echo "$(date +%s) stage 1 $1" >> steps.log
	cp "$1/modprobe.conf" /etc/modprobe.d/nixos.conf
	while read -r m; do
		modprobe "$m" || true
	done < "$1/modules"
	if [ "$2" = scripted ]; then
		(. "$1/predevice.sh")
	fi
	for dev in /sys/bus/pci/devices/*; do
		[ "$2" = systemd ] && udev_rules "$1/udev.rules" "${dev##*/}"
		modprobe -b -q "$(cat "$dev/modalias")" || true
	done
	echo "$(date +%s) stage 1 done" >> steps.log
}

# udev_rules FILE DEVICE: applies FILE's rules to DEVICE's add event. The rules vfioc writes
# use ACTION, SUBSYSTEM and KERNEL matches and ATTR assignments; anything else is reported.
udev_rules() {
	awk -v dev="$2" '
	/^[ \t]*(#|$)/ { next }
	{
		n = split($0, tok, /,[ \t]*/); match_ = 1; nset = 0
		for (i = 1; i <= n; i++) {
			t = tok[i]; sub(/^[ \t]+/, "", t); sub(/[ \t]+$/, "", t)
			if (t ~ /^ACTION=="add"$/ || t ~ /^SUBSYSTEM=="pci"$/) continue
			if (t ~ /^KERNEL=="/) {
				pat = t; sub(/^KERNEL=="/, "", pat); sub(/"$/, "", pat)
				gsub(/\./, "\\.", pat); gsub(/\*/, ".*", pat); gsub(/\?/, ".", pat)
				if (dev !~ ("^" pat "$")) match_ = 0
				continue
			}
			if (t ~ /^ATTR\{[a-z_]+\}="/) {
				a = t; sub(/^ATTR\{/, "", a); sub(/\}=.*/, "", a)
				v = t; sub(/^[^=]*="/, "", v); sub(/"$/, "", v)
				set[++nset] = "echo \"" v "\" > /sys/bus/pci/devices/" dev "/" a
				continue
			}
			print "echo \"lab: unsupported udev rule token: " t "\" >&2"
		}
		if (match_) for (i = 1; i <= nset; i++) print set[i]
	}' "$1" | sh
}

# unbind_all: undoes a stage 1 (every module loaded since the guest came up is unloaded, every
# driver_override cleared), so that the next one starts from a fresh boot's state.
unbind_all() {
	echo "$(date +%s) unbind" >> steps.log
	rm -f /etc/modprobe.d/nixos.conf
	for dev in /sys/bus/pci/devices/*; do echo > "$dev/driver_override"; done
	while :; do
		again=
		for m in $(lsmod | awk 'NR > 1 && $3 == 0 { print $1 }'); do
			grep -qx "$m" baseline-modules || { rmmod "$m" && again=1; }
		done
		[ -n "$again" ] || break
	done
}

# assert_bound LABEL FILE: FILE has "ADDR DRIVER" lines: the driver each device must be on.
# For vfio-pci, /dev/vfio/GROUP must exist too.
assert_bound() {
	wrong= nodev=
	while read -r a want; do
		got=$(driver "$a")
		[ "$got" = "$want" ] || wrong="$wrong $a:$got(want $want)"
		if [ "$want" = vfio-pci ]; then
			g=$(basename "$(readlink "/sys/bus/pci/devices/$a/iommu_group")")
			[ -c "/dev/vfio/$g" ] || nodev="$nodev /dev/vfio/$g"
		fi
	done < "$2"
	if [ -z "$wrong" ]; then ok "$1: every passed device on vfio-pci, its twins on their own driver"
	else bad "$1: every passed device on vfio-pci, its twins on their own driver:$wrong"; fi
	if [ -z "$nodev" ]; then ok "$1: /dev/vfio/N of each passed group exists"
	else bad "$1: /dev/vfio/N of each passed group exists: missing$nodev"; fi
}
