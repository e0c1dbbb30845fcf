# t-nix-module: what vfio.nix does on a NixOS system, read by evaluating the module vfioc
# builds (tests/nix/eval.nix): it refuses another NixOS release than target.nixos with a
# message naming the fix; it lists vfio_virqfd only for a kernel before 6.2, as NixOS
# evaluates it; its comments tell the truth about module order per release; a
# config whose devices are all `bind: managed` gets no vfio module, softdep or vfio-pci.ids;
# the driver_override comment is a whole sentence.
. ./lib.sh

ex=$TESTS_DIR/../examples
command -v nix-instantiate > /dev/null || { fail "nix-module: nix-instantiate is installed"; exit 0; }

# nixeval MODULE RELEASE [NIXOS_RELEASE]: the evaluation as JSON on stdout.
nixeval() {
	if [ -n "${3:-}" ]; then
		nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$1" \
			--argstr release "$2" --argstr nixosRelease "$3"
	else
		nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$1" \
			--argstr release "$2"
	fi
}

# jget FILE EXPR: a Python expression over the evaluation `e`, printed.
jget() { python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# The release assertion: the module of the seed (25.05) on systems of several releases.
nix=$ex/seed/generated/vfio.nix
for sys in 25.05 25.05.20250601.abcdef0 25.05pre-git; do
	nixeval "$nix" 25.05 "$sys" > "$TMP/e.json" 2> "$TMP/err"
	if [ "$(jget "$TMP/e.json" 'len(e["failedAssertions"])')" = 0 ]; then
		pass "nix-module: a 25.05 module holds on NixOS $sys"
	else
		fail "nix-module: a 25.05 module holds on NixOS $sys"; cat "$TMP/err" >&2
	fi
done
nixeval "$nix" 25.05 25.11.20251201.0123456 > "$TMP/e.json" 2> "$TMP/err"
msg=$(jget "$TMP/e.json" '" | ".join(e["failedAssertions"])')
case $msg in
*'NixOS 25.05 (target.nixos in ../host.yaml)'*'this system is NixOS 25.11.20251201.0123456'*'set target.nixos to "25.11"'*'vfioc build'*)
	pass "nix-module: a 25.05 module on NixOS 25.11 fails, naming target.nixos and the release" ;;
*)	fail "nix-module: a 25.05 module on NixOS 25.11 fails, naming target.nixos and the release (got '$msg')" ;;
esac
nixeval "$ex/win11-gaming/generated/vfio.nix" 26.05 24.11 > "$TMP/e.json" 2> "$TMP/err"
expect "nix-module: a 26.05 module on NixOS 24.11 fails" \
	test "$(jget "$TMP/e.json" 'len(e["failedAssertions"])')" = 1

# The uid that names the VMs' sound server (qemu-config.uid): a system that declares
# another uid for that user fails, naming both; one that declares none, or the same, holds.
nix=$ex/single-gpu/generated/vfio.nix
rel=$(sed -n 's/^# A NixOS module for NixOS \([0-9.]*\).*/\1/p' "$nix")
user=$(sed -n 's/.*qemu-config: { user: \([a-z]*\),.*/\1/p' "$ex/single-gpu/host.yaml")
uid=$(sed -n 's/.*qemu-config: {.* uid: \([0-9]*\) }.*/\1/p' "$ex/single-gpu/host.yaml")
audio_uid() {   # NAME USERS FAILED
	nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$nix" \
		--argstr release "$rel" --arg users "$2" > "$TMP/e.json" 2> "$TMP/err"
	expect "nix-module: sound server uid, $1: $3 failed" \
		test "$(jget "$TMP/e.json" 'len(e["failedAssertions"])')" = "$3"
}
audio_uid "not declared" "{ }" 0
audio_uid "declared the same" "{ $user = { uid = $uid; }; }" 0
audio_uid "declared another" "{ $user = { uid = $((uid + 1)); }; }" 1
expect "nix-module: sound server uid: the message names both uids and the key" \
	grep -q "sound server of $user in /run/user/$uid (host.libvirt.qemu-config.uid in ../host.yaml), but this system gives $user uid $((uid + 1)): set qemu-config.uid" "$TMP/e.json"

# An unstable target: anything from the newest named release on.
W=$TMP/w
mkdir -p "$W"
cp "$ex/seed/hardware.yaml" "$W/"
sed 's/^  nixos: "25.05".*/  nixos: unstable/' "$ex/seed/host.yaml" > "$W/host.yaml"
if vfioc build "$W/host.yaml" -o "$W/unstable" 2> "$TMP/err"; then
	for sys in 26.11 26.11.20261201.abc 27.05; do
		nixeval "$W/unstable/vfio.nix" unstable "$sys" > "$TMP/e.json" 2> "$TMP/err"
		expect "nix-module: an unstable module holds on NixOS $sys" \
			test "$(jget "$TMP/e.json" 'len(e["failedAssertions"])')" = 0
	done
	nixeval "$W/unstable/vfio.nix" unstable 26.05 > "$TMP/e.json" 2> "$TMP/err"
	expect "nix-module: an unstable module on NixOS 26.05 fails" \
		test "$(jget "$TMP/e.json" 'len(e["failedAssertions"])')" = 1
else
	fail "nix-module: the seed builds for unstable"; cat "$TMP/err" >&2
fi

# A release newer than vfioc knows (27.05): built as the newest it knows, with a warning;
# the module holds on that release, and on another names it.
sed 's/^  nixos: "25.05".*/  nixos: "27.05"/' "$ex/seed/host.yaml" > "$W/newer.yaml"
if vfioc build "$W/newer.yaml" -o "$W/newer" 2> "$TMP/err"; then
	expect "nix-module: a 27.05 build warns that vfioc knows up to 26.11" \
		grep -q 'NixOS 27.05 is newer than the newest release this vfioc knows (26.11).*nixos-newer' "$TMP/err"
	nixeval "$W/newer/vfio.nix" 27.05 27.05.20270601.abc > "$TMP/e.json" 2> "$TMP/err"
	expect "nix-module: a 27.05 module holds on NixOS 27.05" \
		test "$(jget "$TMP/e.json" 'len(e["failedAssertions"])')" = 0
	nixeval "$W/newer/vfio.nix" 27.05 26.11 > "$TMP/e.json" 2> "$TMP/err"
	expect "nix-module: a 27.05 module on NixOS 26.11 fails, naming 27.05" \
		grep -q 'NixOS 27.05 (target.nixos' "$TMP/e.json"
else
	fail "nix-module: the seed builds for 27.05"; cat "$TMP/err" >&2
fi

# vfio_virqfd follows the kernel NixOS evaluates (boot.kernelPackages.kernel.version), not
# target.kernel: twin-gpu (target.kernel 6.1) upgraded to 6.6 drops it, the seed (6.12)
# booting 6.1 gets it, right after vfio_iommu_type1.
# kmods MODULE RELEASE KERNEL: the initrd modules, space-separated.
kmods() {
	nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$1" \
		--argstr release "$2" --argstr kernelVersion "$3" > "$TMP/k.json" 2> "$TMP/err" || {
		cat "$TMP/err" >&2; return; }
	jget "$TMP/k.json" '" ".join(e["boot"]["initrd"]["kernelModules"])'
}
expect "nix-module: twin-gpu (target 6.1) on kernel 6.1.119 loads vfio_virqfd" \
	test "$(kmods "$ex/twin-gpu/generated/vfio.nix" 24.11 6.1.119)" = "vfio_pci vfio vfio_iommu_type1 vfio_virqfd"
expect "nix-module: twin-gpu (target 6.1) upgraded to kernel 6.6.60 names no vfio_virqfd" \
	test "$(kmods "$ex/twin-gpu/generated/vfio.nix" 24.11 6.6.60)" = "vfio_pci vfio vfio_iommu_type1"
expect "nix-module: kernel 6.2 (the first without it) names no vfio_virqfd" \
	test "$(kmods "$ex/twin-gpu/generated/vfio.nix" 24.11 6.2)" = "vfio_pci vfio vfio_iommu_type1"
expect "nix-module: the seed (target 6.12) on kernel 6.1.119 loads vfio_virqfd before i915" \
	test "$(kmods "$ex/seed/generated/vfio.nix" 25.05 6.1.119)" = "vfio_pci vfio vfio_iommu_type1 vfio_virqfd i915"
expect "nix-module: the seed on kernel 6.12.10 names no vfio_virqfd" \
	test "$(kmods "$ex/seed/generated/vfio.nix" 25.05 6.12.10)" = "vfio_pci vfio vfio_iommu_type1 i915"
expect "nix-module: headless-server (25.11, a set of names) on 6.1.119 loads vfio_virqfd" \
	test "$(kmods "$ex/headless-server/generated/vfio.nix" 25.11 6.1.119)" = "vfio_pci vfio vfio_iommu_type1 vfio_virqfd"

# Scream's receiver (win11-gaming): only for the file's user, and it waits for QEMU to size
# the file instead of failing on it empty. Its ExecStartPre is run here on a file of ours.
nixeval "$ex/win11-gaming/generated/vfio.nix" 26.05 > "$TMP/e.json" 2> "$TMP/err"
sv='e["systemd"]["user"]["services"]["scream-win11"]'
expect "nix-module: scream runs only for the file's user (ConditionUser)" \
	test "$(jget "$TMP/e.json" "$sv[\"unitConfig\"][\"ConditionUser\"]")" = \
	"$(jget "$TMP/e.json" 'e["systemd"]["tmpfiles"]["settings"]["vfioc-scream"]["/dev/shm/scream-ivshmem-win11"]["f"]["user"]')"
expect "nix-module: scream's start does not time out while it waits" \
	test "$(jget "$TMP/e.json" "$sv[\"serviceConfig\"][\"TimeoutStartSec\"]")" = infinity
pre=$(jget "$TMP/e.json" "$sv[\"serviceConfig\"][\"ExecStartPre\"]")
pre=$(printf '%s' "$pre" | sed -e "s|/dev/shm/scream-ivshmem-win11|$TMP/shm|" -e 's|/nix/store/runtime-shell/bin/bash|sh|' -e 's|pkgs.coreutils/bin/||')
: > "$TMP/shm"
eval "$pre" &
waiter=$!
sleep 3
if kill -0 $waiter 2> /dev/null; then pass "nix-module: scream's ExecStartPre waits while the file is empty"
else fail "nix-module: scream's ExecStartPre waits while the file is empty ($pre)"; fi
truncate -s 2M "$TMP/shm"
for _ in 1 2 3 4 5 6; do kill -0 $waiter 2> /dev/null || break; sleep 1; done
if kill -0 $waiter 2> /dev/null; then fail "nix-module: scream starts once QEMU has sized the file"; kill $waiter
else pass "nix-module: scream starts once QEMU has sized the file"; fi

# Hooks after nixos-rebuild switch: single-gpu's vfio.nix has a unit the switch restarts when
# a hook changes (restartTriggers names each hook), which links them and reloads libvirtd
# (t-libvirt-real shows real libvirtd runs a new hook only after that reload).
nixeval "$ex/single-gpu/generated/vfio.nix" 26.05 > "$TMP/e.json" 2> "$TMP/err"
hs='e["systemd"]["services"]["vfioc-libvirt-hooks"]'
expect "nix-module: the hooks' reload unit is restarted by a switch when a hook changes" \
	test "$(jget "$TMP/e.json" "$hs[\"restartTriggers\"][0][:13]")" = hooks-sha256-
cp -r "$ex/single-gpu" "$TMP/sg" && sed -i 's/^  isolate-cpus-while-running:.*//' "$TMP/sg/host.yaml"
if vfioc build "$TMP/sg/host.yaml" -o "$TMP/sg/out" 2> /dev/null; then
	a=$(grep -o 'hooks-sha256-[0-9a-f]*' "$ex/single-gpu/generated/vfio.nix")
	b=$(grep -o 'hooks-sha256-[0-9a-f]*' "$TMP/sg/out/vfio.nix")
	if grep -q 'isolate-cpus-while-running' "$ex/single-gpu/host.yaml"; then
		expect "nix-module: other hooks, another restart trigger" test -n "$b" -a "$a" != "$b"
	fi
fi
expect "nix-module: the hooks' reload unit links them and reloads libvirtd" \
	sh -c "python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))[\"systemd\"][\"services\"][\"vfioc-libvirt-hooks\"][\"script\"]; assert \"systemctl start libvirtd-config.service\" in s and \"systemctl reload libvirtd.service\" in s' '$TMP/e.json'"
nixeval "$ex/seed/generated/vfio.nix" 25.05 > "$TMP/e.json" 2> "$TMP/err"
expect "nix-module: no hooks, no reload unit (seed)" \
	test "$(jget "$TMP/e.json" '"vfioc-libvirt-hooks" in e.get("systemd", {}).get("services", {})')" = False

# Module order: up to 25.05 the list is ordered (lib.mkBefore, and the comment says vfio
# first); from 25.11 it is a set sorted by name, so no lib.mkBefore, and the comment says
# the softdeps carry the order, and every display driver in the initrd has one.
for n in seed twin-gpu; do
	if grep -q 'boot.initrd.kernelModules = lib.mkBefore' "$ex/$n/generated/vfio.nix" &&
		grep -q 'NixOS up to 25.05 loads this list in order' "$ex/$n/generated/vfio.nix"; then
		pass "nix-module: $n (up to 25.05) orders the module list"
	else
		fail "nix-module: $n (up to 25.05) orders the module list"
	fi
done
for n in seed-25.11 win11-gaming amd-usb-controller headless-server; do
	nix=$ex/$n/generated/vfio.nix
	if grep -q '= lib.mkBefore' "$nix" || grep -q 'before the modules other parts' "$nix" ||
		! grep -q 'alphabetical order (lib.mkBefore does not order it)' "$nix" ||
		! grep -q 'softdeps below make modprobe load vfio-pci before' "$nix"; then
		fail "nix-module: $n (25.11 on) says the softdeps carry the order, not lib.mkBefore"
	else
		pass "nix-module: $n (25.11 on) says the softdeps carry the order, not lib.mkBefore"
	fi
	rel=$(sed -n 's/^  nixos: "\([^"]*\)".*/\1/p' "$ex/$n/host.yaml")
	nixeval "$nix" "$rel" > "$TMP/e.json" 2> "$TMP/err"
	missing=$(jget "$TMP/e.json" '" ".join(m for m in e["boot"]["initrd"].get("kernelModules", [])
		if not m.startswith("vfio") and "softdep %s pre: vfio-pci" % m not in e["boot"].get("extraModprobeConfig", ""))')
	expect "nix-module: $n: each non-vfio initrd module has a softdep${missing:+ (missing: $missing)}" \
		test -z "$missing"
done

# Every device `bind: managed`: the seed with each pci entry made managed.
sed -e 's/^      - 01:00.0 .*/      - { address: 01:00.0, bind: managed }/' \
	-e 's/^      - 01:00.1 .*/      - { address: 01:00.1, bind: managed }/' \
	-e 's/^      - 144d:a80a .*/      - { id: 144d:a80a, bind: managed }/' \
	"$ex/seed/host.yaml" > "$W/managed.yaml"
expect "nix-module: the managed-only config makes every device managed" \
	test "$(grep -c 'bind: managed' "$W/managed.yaml")" = 3
if vfioc build "$W/managed.yaml" -o "$W/managed" 2> "$TMP/err"; then
	printf '{"release": "25.05", "bootBound": false}\n' > "$TMP/expect.json"
	for sd in false true; do
		if nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix \
			--arg module "$W/managed/vfio.nix" --argstr release 25.05 --arg systemdInitrd $sd \
			> "$TMP/e.json" 2> "$TMP/err"; then
			python3 nix/check_eval.py "$TMP/e.json" "$TMP/expect.json" "$W/managed/kernel-cmdline" \
				"nix-module: managed-only (systemd initrd $sd)" $sd > "$TMP/check.out" 2>&1 ||
				echo "FAIL nix-module: check_eval.py crashed" >> "$TMP/check.out"
			report_lines "$TMP/check.out"
		else
			fail "nix-module: managed-only evaluates (systemd initrd $sd)"; head -5 "$TMP/err" >&2
		fi
	done
	expect "nix-module: managed-only keeps the host's display driver in the initrd" \
		test "$(jget "$TMP/e.json" 'e["boot"]["initrd"]["kernelModules"]')" = "['i915']"
	expect "nix-module: managed-only domain keeps its devices managed" \
		test "$(grep -c "<hostdev mode=.subsystem. type=.pci. managed=.yes." "$W/managed/domains/win10.xml")" = 3
else
	fail "nix-module: the managed-only config builds"; cat "$TMP/err" >&2
fi
# One managed device beside boot-bound ones: its driver (nvme) gets no softdep, its ID stays
# out of vfio-pci.ids.
sed -e 's/^      - 144d:a80a .*/      - { id: 144d:a80a, bind: managed }/' "$ex/seed/host.yaml" > "$W/mixed.yaml"
if vfioc build "$W/mixed.yaml" -o "$W/mixed" 2> "$TMP/err"; then
	expect "nix-module: a managed device's driver gets no softdep" \
		test "$(grep -c 'softdep nvme ' "$W/mixed/vfio.nix")" = 0
	expect "nix-module: the boot-bound devices keep theirs" grep -q 'softdep radeon pre: vfio-pci' "$W/mixed/vfio.nix"
	expect "nix-module: a managed device's ID is not in vfio-pci.ids" \
		grep -qx 'intel_iommu=on vfio-pci.ids=1002:67b0,1002:aac8' "$W/mixed/kernel-cmdline"
else
	fail "nix-module: the mixed config builds"; cat "$TMP/err" >&2
fi

# Comments are sentences: a comment line that ends a paragraph, or that is followed by one
# starting a new sentence ("# One variant ..."), ends with a period, colon or parenthesis (a
# wrapped reason once ended "...so passed devices are bound by / # address").
for nix in "$ex"/*/generated/vfio.nix; do
	n=$(basename "$(dirname "$(dirname "$nix")")")
	bad=$(awk '
		function ends(l) { return l ~ /[.:)]$/ || l ~ /imports = / }
		/^ *# / { if (inc && !ends(last) && $0 ~ /^ *# [A-Z][a-z]+ [a-z]/) print last
			  last = $0; inc = 1; next }
		inc { if (!ends(last)) print last; inc = 0 }' "$nix")
	if [ -z "$bad" ]; then pass "nix-module: $n: every comment ends a sentence"
	else fail "nix-module: $n: every comment ends a sentence: $bad"; fi
done
