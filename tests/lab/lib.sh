# lib.sh: the lab's host side (sourced by lab.sh and the cases). A case boots one or more
# guests with boot(); the guest writes "ok NAME" / "FAIL NAME: why" lines to its folder's
# `results`, and the case adds its own checks with pass/fail. Every line ends up in
# $RESULTS_FILE, the format of the rest of the suite.

pass() { echo "ok lab: $*" >> "$RESULTS_FILE"; }
fail() {
	echo "FAIL lab: $*" >> "$RESULTS_FILE"
	echo "FAIL lab: $*" >&2
}
# check NAME CMD...: pass when CMD succeeds; else fail with its output.
check() {
	check_name=$1; shift
	check_out=$(mktemp "$LAB_WORK/check.XXXXXX")
	if "$@" > "$check_out" 2>&1; then pass "$check_name"; else
		fail "$check_name"; sed 's/^/    /' "$check_out" | head -20 >&2
	fi
	rm -f "$check_out"
}

# guest_results DIR: the guest's result lines, as results of this run.
guest_results() {
	[ -s "$1/results" ] || { fail "$(basename "$1"): the guest wrote no results"; return; }
	while IFS= read -r line; do
		case $line in
		ok\ *) pass "${line#ok }" ;;
		*) fail "${line#FAIL }" ;;
		esac
	done < "$1/results"
}

# newdir NAME: a fresh work folder for one boot, with the guest's helpers and the vfioc
# under test in it: the guest sees the host's root, but with a tmpfs on /tmp, so a binary in
# a checkout under /tmp would not be there.
newdir() {
	d=$LAB_WORK/$1
	rm -rf "$d" && mkdir -p "$d"
	cp "$LAB_DIR/guest-lib.sh" "$d/"
	ln "$LAB_WORK/vfioc" "$d/vfioc" 2> /dev/null || cp "$LAB_WORK/vfioc" "$d/vfioc"
	echo "$d"
}

# boot DIR NAME [QEMU ARGS...]: boots the lab kernel with DIR/guest.sh as the guest's work,
# DIR/append added to the kernel command line, DIR/memory as -m (MiB, 1024 when absent),
# DIR/cpus as -smp (1 when absent), DIR/cpu as -cpu (GenuineIntel qemu64 when
# absent), the IOMMU device DIR/iommu (intel when absent, "none" for none) and DIR/initrd.img
# as the initramfs (the lab's own when absent). Waits for the
# guest to power off, at most $LAB_TIMEOUT seconds (DIR/timeout overrides). Succeeds when
# the guest's last console line is "LAB-END rc=0"; else one failure for NAME naming what
# went wrong, with the console's tail. The console is DIR/console.log.
boot() {
	dir=$1 boot_name=$2; shift 2
	cpu=$(cat "$dir/cpu" 2> /dev/null || echo qemu64,vendor=GenuineIntel)
	append=$(cat "$dir/append" 2> /dev/null || true)
	limit=$(cat "$dir/timeout" 2> /dev/null || echo "$LAB_TIMEOUT")
	case $(cat "$dir/iommu" 2> /dev/null || echo intel) in
	intel) iommu="-device intel-iommu,intremap=on,caching-mode=on"
	       append="intel_iommu=on $append" ;;
	amd) iommu="-device amd-iommu,intremap=on"
	     append="amd_iommu=on $append" ;;
	none) iommu= ;;
	esac
	initrd=$LAB_OUT/initramfs.cpio
	[ -e "$dir/initrd.img" ] && initrd=$dir/initrd.img
	start=$(date +%s) attempt=1
	while :; do
	# shellcheck disable=SC2086
	timeout -k 10 "$limit" qemu-system-x86_64 -M q35,kernel-irqchip=split -accel "$LAB_ACCEL" \
		-cpu "$cpu" -m "$(cat "$dir/memory" 2> /dev/null || echo 1024)" -smp "$(cat "$dir/cpus" 2> /dev/null || echo 1)" -nographic -no-reboot -nodefaults \
		-serial stdio -kernel "$LAB_OUT/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=4 panic=-1 no_timer_check lab.dir=$dir lab.modules=$LAB_CACHE/root/lib/modules $append" \
		$iommu \
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,addr=1d.0 \
		-fsdev "local,id=labdir,path=$dir,security_model=none,multidevs=remap" \
		-device virtio-9p-pci,fsdev=labdir,mount_tag=labdir,addr=1e.0 \
		"$@" < /dev/null > "$dir/console.log" 2>&1 &
	qpid=$!
	# A TCG guest kernel now and then hangs before it runs /init (soft lockups in its
	# self-tests, every vCPU stuck): with the lab's own initramfs, whose /init prints LAB-INIT
	# first, such a boot is stopped after LAB_INIT_LIMIT seconds and made once more. A guest
	# that hangs twice, or fails after /init ran, fails as before.
	wpid=
	if [ "$initrd" = "$LAB_OUT/initramfs.cpio" ]; then
		(sleep "${LAB_INIT_LIMIT:-300}"
		 tr -d '\r' < "$dir/console.log" | grep -aq 'LAB-INIT' || kill "$qpid") \
			< /dev/null > /dev/null 2>&1 &
		wpid=$!
	fi
	wait "$qpid"
	rc=$?
	[ -z "$wpid" ] || kill "$wpid" 2> /dev/null
	# (qemu stopped by the watchdog exits 0: what counts is whether /init ran.)
	if [ -n "$wpid" ] && [ "$attempt" = 1 ] &&
	   ! tr -d '\r' < "$dir/console.log" | grep -aq 'LAB-INIT'; then
		echo "lab: $boot_name: the kernel never ran /init; booting it once more" >&2
		cp "$dir/console.log" "$dir/console.first.log"
		attempt=2
		continue
	fi
	break
	done
	secs=$(($(date +%s) - start))
	echo "$boot_name: ${secs}s" >> "$LAB_WORK/times"
	last=$(tr -d '\r' < "$dir/console.log" | grep -a '^LAB-END ' | tail -1)
	if [ "$last" = "LAB-END rc=0" ]; then
		pass "$boot_name: the guest booted and ran its checks (${secs}s)"
		return 0
	fi
	if [ "$attempt" = 2 ] && ! tr -d '\r' < "$dir/console.log" | grep -aq 'LAB-INIT'; then
		why="the kernel never ran /init, in two boots of ${LAB_INIT_LIMIT:-300}s each"
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		why="no power-off within ${limit}s (qemu killed)"
	elif [ -z "$last" ]; then
		why="the guest never reached the end of /init (qemu exit $rc)"
	else
		why="the guest ended with '$last'"
	fi
	fail "$boot_name: the guest booted and ran its checks: $why"
	echo "    console tail ($dir/console.log):" >&2
	tr -d '\r' < "$dir/console.log" | tail -25 | sed 's/^/    | /' >&2
	if [ -s "$dir/guest.log" ]; then
		echo "    guest.sh's output tail ($dir/guest.log):" >&2
		tail -15 "$dir/guest.log" | sed 's/^/    | /' >&2
	fi
	return 1
}

# nix_eval VFIO_NIX RELEASE SYSTEMD_INITRD OUT.json: the generated module, evaluated the way
# tests/nix/ does (stub lib/pkgs/config, the module system's wrappers resolved).
nix_eval() {
	nix-instantiate --eval --strict --json --store dummy:// "$LAB_DIR/../nix/eval.nix" \
		--arg module "$1" --argstr release "$2" --arg systemdInitrd "$3" > "$4"
}

# host_and_vms DRIVERS GROUP...: the host: and vms: part of a binding case's config: the
# host drivers as display-drivers, libvirt off, and one small VM per GROUP passing the
# addresses in it (the binding and distro cases share it).
host_and_vms() {
	printf 'host:\n  display-drivers: [%s]\n  libvirt: { enable: false }\nvms:\n' "$1"
	shift
	vm=0
	for group in "$@"; do
		vm=$((vm + 1))
		printf '  vm%s:\n    memory: 256MiB\n    vcpus: 1\n    pci:\n' $vm
		for a in $group; do printf '      - %s\n' "$a"; done
	done
}

# expect_file SNAPSHOT "ADDR..." > FILE: what each device with a passed device's ID must be on:
# the passed ones on vfio-pci, the others on the driver the snapshot saw (binding and distro).
expect_file() {
	python3 - "$1" "$2" <<'P'
import sys, yaml
snap, passed = yaml.safe_load(open(sys.argv[1])), ["0000:" + a for a in sys.argv[2].split()]
devs = {p["address"]: p for p in snap["pci"]}
ids = {devs[a]["id"] for a in passed}
for a, p in devs.items():
    if p["id"] in ids:
        print(a, "vfio-pci" if a in passed else p.get("driver", "none"))
P
}
