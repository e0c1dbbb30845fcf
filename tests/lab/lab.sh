#!/bin/sh
# lab.sh [CASE...]: the lab. Boots Debian's kernel under QEMU (KVM when /dev/kvm works, else
# TCG) with an emulated IOMMU and emulated PCI devices standing in for GPUs, and runs the
# freshly built vfioc and its outputs on it: tests/lab/cases/*.sh (or those named), in name
# order of their first digit: the cases of one digit run side by side, at most LAB_JOBS (2)
# at once; 1x cases provide what 2x cases use. Prints the failures and each case's time,
# and ends with "lab: N passed, N failed".
#   VFIOC        the vfioc binary under test (make lab sets it)
#   LAB_CACHE    where the kernel and busybox packages are kept (~/.cache/vfioc-lab)
#   LAB_TIMEOUT  seconds one boot may take before it fails (default 600)
#   LAB_JOBS     guests booted at the same time (default 2)
#   LAB_NO_KVM=1 TCG even where /dev/kvm works (a first short boot decides otherwise)
#   RESULTS      a folder for make check's summary (results.lab goes there)
#   LAB_KEEP=1   keep the work folder (consoles, snapshots, outputs) and print its path
set -u
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
: "${VFIOC:?set VFIOC to the vfioc binary}"
: "${LAB_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/vfioc-lab}"
: "${LAB_TIMEOUT:=600}"
: "${LAB_JOBS:=2}"
export VFIOC LAB_DIR LAB_CACHE LAB_TIMEOUT
export RESULTS_FILE="${RESULTS:-${TMPDIR:-/tmp}}/results.lab.$$"
: > "$RESULTS_FILE"
# The work folder: a folder per boot in it is shared with that guest over 9p.
LAB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vfioc-lab.XXXXXX")
export LAB_WORK LAB_OUT="$LAB_WORK/boot"
cp "$VFIOC" "$LAB_WORK/vfioc"  # what the guests run (newdir links it into each boot's folder)
[ -n "${LAB_KEEP:-}" ] || trap 'rm -rf "$LAB_WORK"' EXIT INT TERM
. "$LAB_DIR/lib.sh"

finish() {
	pass=$(grep -c '^ok ' "$RESULTS_FILE")
	fail=$(grep -c '^FAIL ' "$RESULTS_FILE")
	[ -n "${RESULTS:-}" ] || rm -f "$RESULTS_FILE"
	[ -s "$LAB_WORK/times" ] && sed 's/^/== boot /' "$LAB_WORK/times"
	[ -n "${LAB_KEEP:-}" ] && echo "lab: work folder kept in $LAB_WORK"
	echo "lab: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

for tool in qemu-system-x86_64 apt-get dpkg depmod kmod cpio nix-instantiate python3; do
	command -v "$tool" > /dev/null || fail "lab needs $tool (tests/install-deps.sh installs it)"
done
grep -q '^FAIL' "$RESULTS_FILE" && finish
start=$(date +%s)
if ! LAB_REL=$(sh "$LAB_DIR/prepare.sh" "$LAB_CACHE" "$LAB_OUT" 2> "$LAB_WORK/prepare.err"); then
	fail "the kernel, busybox and initramfs are prepared"; sed 's/^/    /' "$LAB_WORK/prepare.err" >&2
	finish
fi
pass "kernel $LAB_REL, busybox and initramfs prepared ($(($(date +%s) - start))s)"
export LAB_REL

# Whether /dev/kvm opens, speaks KVM's API 12 and makes a VM (the ioctls KVM_GET_API_VERSION
# and KVM_CREATE_VM, _IO(0xAE, 0) and _IO(0xAE, 1) in the kernel's include/uapi/linux/kvm.h):
# at once, where there is no /dev/kvm, or one that cannot be used (no module, a container's
# node without access).
kvm_opens() {
	python3 -c 'import fcntl, os
fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
assert fcntl.ioctl(fd, 0xAE00) == 12
os.close(fcntl.ioctl(fd, 0xAE01, 0))' 2> /dev/null
}

# KVM when it works; nested KVM can fail in odd ways (on one machine the guest's kernel hung
# right after the BIOS although /dev/kvm made VMs), so a first boot decides, where the
# device works at all. Under KVM this guest boots in seconds: 20 s is ample on a loaded
# machine, and all a hang costs (a probe that runs out only means TCG).
LAB_ACCEL=tcg
export LAB_ACCEL
if [ "${LAB_NO_KVM:-}" != 1 ] && kvm_opens; then
	d=$(newdir kvm-probe)
	printf 'echo "ok kvm-probe: booted" > results\n' > "$d/guest.sh"
	echo 20 > "$d/timeout"
	LAB_ACCEL=kvm
	results=$RESULTS_FILE
	RESULTS_FILE=/dev/null   # the probe is no test
	boot "$d" "kvm probe" > /dev/null 2>&1 || LAB_ACCEL=tcg
	RESULTS_FILE=$results
fi
echo "lab: accelerator $LAB_ACCEL"

if [ $# -eq 0 ]; then
	set -- $(cd "$LAB_DIR/cases" && ls ./*.sh | sed 's|^\./||; s/\.sh$//')
fi
for c in "$@"; do
	[ -f "$LAB_DIR/cases/${c%.sh}.sh" ] || fail "no case ${c%.sh} in tests/lab/cases"
done
for digit in $(printf '%s\n' "$@" | cut -c1 | sort -u); do
	group=$(for c in "$@"; do [ -f "$LAB_DIR/cases/${c%.sh}.sh" ] && echo "${c%.sh}"; done | grep "^$digit")
	printf '%s\n' $group | xargs -r -P "$LAB_JOBS" -n 1 sh "$LAB_DIR/run-case.sh"
	for c in $group; do cat "$LAB_WORK/$c.log"; done
done
finish
