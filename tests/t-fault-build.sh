# t-fault-build: `vfioc build` under injected faults (tests/fault/failwrite.c): the output
# directory read-only, a write, fsync, close or rename failing part-way, the config or the
# snapshot failing while being read, an unreadable sysfs file under --root. Each must exit 3,
# name the file, leave DIR exactly as the previous build left it and no temporaries behind.
. ./lib.sh
. ./fault/faultlib.sh

if ! "$VFIOC" build --help > /dev/null 2>&1; then
	fail "fault-build: 'vfioc build' does not exist yet"; exit 0
fi
W=$TMP/w
out=$W/out
mkdir -p "$W"
cp ../examples/seed/host.yaml ../examples/seed/hardware.yaml "$W/"
vfioc build "$W/host.yaml" -o "$out" 2> "$TMP/setup.err" || {
	fail "fault-build: setup build failed"; cat "$TMP/setup.err" >&2; exit 0; }
# The next build changes every file: other memory, a second VM (a new domain file).
sed -e 's/memory: 16GiB/memory: 12GiB/' -e 's/i915\]/i915, amdgpu]/' "$W/host.yaml" > "$W/v2.yaml"
printf '  linux:\n    memory: 2GiB\n    vcpus: 2\n' >> "$W/v2.yaml"
cp "$W/v2.yaml" "$W/host.yaml"
cp -a "$out" "$TMP/before"
# restore: DIR back to what the previous build left (one failed case must not spoil the next).
restore() { rm -rf "$out" && cp -a "$TMP/before" "$out"; }

for f in FAIL_WRITE_AFTER=0 FAIL_WRITE_AFTER=700 FAIL_WRITE_AFTER=4000 FAIL_WRITE_CALL=1 \
	FAIL_WRITE_CALL=3 FAIL_FSYNC_CALL=1 FAIL_FSYNC_CALL=3 FAIL_CLOSE_CALL=1 FAIL_CLOSE_CALL=3 \
	FAIL_RENAME_CALL=1 FAIL_RENAME_CALL=2 FAIL_RENAME_CALL=3; do
	restore
	faulty "$f" -- build "$W/host.yaml" -o "$out"
	fault_ok "fault-build: $f: exit 3, DIR named, DIR as before" 3 "$out" "$TMP/before" "$out"
	leftovers "fault-build: $f: no temporary left" "$out"
done

# A read-only DIR: a real read-only mount where allowed, else EROFS from the shim.
restore
if ro_mount "$out"; then
	vfioc build "$W/host.yaml" -o "$out" > "$TMP/f.out" 2> "$TMP/f.err"
	frc=$?
	echo "failwrite: failing (a read-only mount)" >> "$TMP/f.err"
	ro_umount "$out"
else
	faulty FAIL_OPEN_MATCH="$out/" FAIL_OPEN_ERRNO=30 -- build "$W/host.yaml" -o "$out"
fi
fault_ok "fault-build: read-only DIR: exit 3, DIR named, DIR as before" 3 "$out" "$TMP/before" "$out"

# The config and the snapshot failing while being read (EIO at once, and half-way).
for f in host.yaml hardware.yaml; do
	for after in 0 400; do
		restore
		faulty FAIL_READ_MATCH="$f" FAIL_READ_AFTER=$after -- build "$W/host.yaml" -o "$out"
		fault_ok "fault-build: $f read fails after $after bytes: exit 3 naming it" 3 "$f" \
			"$TMP/before" "$out"
	done
done

# An unreadable sysfs file under --root (root ignores chmod 000: the shim fails the open).
root=$(seed_root)
restore
faulty FAIL_OPEN_MATCH=reset_method -- build "$W/host.yaml" --root "$root" -o "$out"
fault_ok "fault-build: unreadable reset_method: exit 3 naming it" 3 reset_method \
	"$TMP/before" "$out"

# After all that, a build without faults still works and writes the new outputs.
restore
vfioc build "$W/host.yaml" -o "$out" 2> "$TMP/err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$out/domains/linux.xml" ] && ! diff -r -q "$TMP/before" "$out" > /dev/null; then
	pass "fault-build: a clean build afterwards writes the new outputs"
else
	fail "fault-build: a clean build afterwards writes the new outputs (rc $rc)"; cat "$TMP/err" >&2
fi
