# layouts.sh: the layout cases' parts (sourced by cases/*-layouts-*.sh). Six hardware
# layouts on three machines (tests/lab/machines.sh). On each, in the guest: coldplug (drivers bind as udev would), `vfioc probe`, `vfioc groups`, and `vfioc
# check` of a config per layout. On the host: the snapshot's devices, IDs, classes, groups
# and drivers equal what the guest kernel showed (sysfs, lspci -n); every verdict of
# `vfioc groups` follows from the kernel's groups; `vfioc check` of the same config with
# the guest's snapshot gives the same exit status and the same diagnostics as in the guest.
. "$LAB_DIR/machines.sh"

# config NAME NIXOS PCI...: a config passing the PCI entries to one VM.
config() {
	n=$1 rel=$2; shift 2
	{
		printf 'version: 1\ntarget:\n  nixos: "%s"\nvms:\n  %s:\n    memory: 256MiB\n    vcpus: 1\n    pci:\n' "$rel" "$n"
		for a in "$@"; do printf '      - %s\n' "$a"; done
	} > "$d/configs/$n.yaml"
}

guest_script() {
	cat > "$d/guest.sh" <<G
CASE="$1"; VFIOC="$d/vfioc"; DIR="$d"
. ./guest-lib.sh
G
	cat >> "$d/guest.sh" <<'G'
coldplug
truth
host "$VFIOC" probe -o "$DIR/snap.yaml" 2> probe.err && ok "vfioc probe runs live" ||
	bad "vfioc probe runs live: $(head -3 probe.err)"
host "$VFIOC" groups > groups.out 2>&1; echo $? > groups.rc
for c in configs/*.yaml; do
	c=${c#configs/}
	host "$VFIOC" check "$DIR/configs/$c" > "check-${c%.yaml}.out" 2>&1
	echo $? > "check-${c%.yaml}.rc"
done
G
}

# host_side MACHINE LAYOUT:EXPECTED_RC...: the comparisons, after the boot.
host_side() {
	m=$1; shift
	if [ ! -s "$d/snap.yaml" ]; then fail "$m: no snapshot from the guest"; return; fi
	python3 "$LAB_DIR/compare.py" "$m" "$d" > "$d/compare.out" 2>&1 ||
		echo "FAIL $m: compare.py crashed: $(tail -3 "$d/compare.out" | tr '\n' ' ')" >> "$d/compare.out"
	while IFS= read -r line; do
		case $line in ok\ *) pass "${line#ok }" ;; *) fail "${line#FAIL }" ;; esac
	done < "$d/compare.out"
	for lr in "$@"; do
		l=${lr%%:*} want=${lr#*:}
		"$VFIOC" check "$d/configs/$l.yaml" --hardware "$d/snap.yaml" > "$d/check-$l.host" 2>&1
		echo $? > "$d/check-$l.hostrc"
		got=$(cat "$d/check-$l.rc" 2> /dev/null)
		if [ "$got" = "$want" ]; then pass "$m $l: check in the guest exits $want"
		else fail "$m $l: check in the guest exits $want, not ${got:-nothing}"; sed 's/^/    /' "$d/check-$l.out" >&2; fi
		if cmp -s "$d/check-$l.rc" "$d/check-$l.hostrc" && cmp -s "$d/check-$l.out" "$d/check-$l.host"; then
			pass "$m $l: check on the host with the guest's snapshot says the same"
		else
			fail "$m $l: check on the host with the guest's snapshot says the same"
			diff -u "$d/check-$l.out" "$d/check-$l.host" | head -20 >&2
			echo "    guest rc $(cat "$d/check-$l.rc"), host rc $(cat "$d/check-$l.hostrc")" >&2
		fi
	done
}

