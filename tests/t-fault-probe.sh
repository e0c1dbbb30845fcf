# t-fault-probe: `vfioc probe` under injected faults (tests/fault/failwrite.c): unreadable
# sysfs files, no libpci, -o FILE failing half-way (write, close, rename) or on a read-only
# file system.
# Each must exit 3 with a message naming the file, and leave an earlier FILE as it was.
. ./lib.sh
. ./fault/faultlib.sh

root=$(seed_root)
out=$TMP/out
mkdir -p "$out"
vfioc probe --root "$root" -o "$out/hardware.yaml" || fail "fault-probe: setup probe failed"
cp -a "$out" "$TMP/before"

# Unreadable sysfs and procfs files (as root chmod 000 does not stop reads: the shim fails
# the open).
for m in reset_method numa_node 01:00.0/vendor 01:00.0/class 01:00.0/config 00:02.0/boot_vga \
	self/mountinfo net/route net/ipv6_route; do
	faulty FAIL_OPEN_MATCH="$m" -- probe --root "$root"
	fault_ok "fault-probe: unreadable $m: exit 3 naming it" 3 "$m" - -
done

# No libpci on the machine: the probe exits 3 naming it, with the way on; a run against a
# snapshot never loads libpci, so it works there (the probe loads it on demand).
faulty FAIL_DLOPEN_MATCH=libpci -- probe --root "$root"
fault_ok "fault-probe: no libpci: exit 3 naming libpci.so.3" 3 libpci.so.3 - -
grep -qF -- "--hardware FILE" "$TMP/f.err" && grep -qF "apt-get install libpci3" "$TMP/f.err" \
	&& pass "fault-probe: no libpci: the hint names the package and --hardware" \
	|| { fail "fault-probe: no libpci: no hint"; cat "$TMP/f.err" >&2; }
# Not on the loader's search path (as on NixOS): found where vfioc was built against it.
faulty FAIL_DLOPEN_MATCH=libpci FAIL_DLOPEN_SEARCH=1 -- probe --root "$root" -o "$TMP/found.yaml"
[ "$frc" -eq 0 ] && grep -q '^failwrite: failing dlopen' "$TMP/f.err" && cmp -s "$TMP/found.yaml" "$out/hardware.yaml" \
	&& pass "fault-probe: libpci off the search path: loaded from its build-time directory" \
	|| { fail "fault-probe: libpci off the search path (exit $frc)"; cat "$TMP/f.err" >&2; }
faulty FAIL_DLOPEN_MATCH=libpci -- build ../examples/seed/host.yaml -o "$TMP/nopci-out"
[ "$frc" -eq 0 ] && ! grep -q '^failwrite: failing dlopen' "$TMP/f.err" && [ -s "$TMP/nopci-out/vfio.nix" ] \
	&& pass "fault-probe: no libpci: a build from a snapshot works and never loads it" \
	|| { fail "fault-probe: no libpci: a build from a snapshot (exit $frc)"; cat "$TMP/f.err" >&2; }

# The snapshot being written fails half-way: at once, after 1000 bytes, on close, on rename.
for f in FAIL_WRITE_AFTER=0 FAIL_WRITE_AFTER=1000 FAIL_WRITE_CALL=1 FAIL_CLOSE_CALL=1 \
	FAIL_RENAME_CALL=1; do
	faulty "$f" -- probe --root "$root" -o "$out/hardware.yaml"
	fault_ok "fault-probe: -o with $f: exit 3, FILE named and intact" 3 hardware.yaml \
		"$TMP/before" "$out"
	leftovers "fault-probe: -o with $f: no temporary left" "$out"
done

# A read-only output directory: a real read-only mount where allowed, else EROFS by the shim.
if ro_mount "$out"; then
	vfioc probe --root "$root" -o "$out/hardware.yaml" > "$TMP/f.out" 2> "$TMP/f.err"
	frc=$?
	echo "failwrite: failing (a read-only mount)" >> "$TMP/f.err"
	ro_umount "$out"
else
	faulty FAIL_OPEN_MATCH="$out/" FAIL_OPEN_ERRNO=30 -- probe --root "$root" -o "$out/hardware.yaml"
fi
fault_ok "fault-probe: read-only -o directory: exit 3, FILE named and intact" 3 hardware.yaml \
	"$TMP/before" "$out"

# The snapshot being read fails (--hardware): EIO at once and after 2000 bytes.
for after in 0 2000; do
	faulty FAIL_READ_MATCH=hardware.yaml FAIL_READ_AFTER=$after -- probe --hardware "$out/hardware.yaml"
	fault_ok "fault-probe: --hardware read fails after $after bytes: exit 3 naming it" 3 \
		hardware.yaml - -
done
