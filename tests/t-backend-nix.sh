# t-backend-nix: the generated NixOS modules against Nix itself (nix-instantiate): they parse,
# evaluate offline with stub lib/pkgs/config (tests/nix/eval.nix) under both initrds, set only
# options of their release, read hostile strings back unchanged, and kernel-cmdline equals
# boot.kernelParams. The modules come from hand-built plans (test_backend --dump).
. ./lib.sh
[ -n "${UNIT_DIR:-}" ] || exit 0   # the valgrind run has no unit binaries

if ! command -v nix-instantiate > /dev/null; then
	fail "nix-instantiate is installed (apt-get install nix-bin)"
	exit 0
fi
"$UNIT_DIR/test_backend" --dump "$TMP/dump" > "$TMP/dump.log" 2>&1
expect "backend-nix: outputs dumped" test -f "$TMP/dump/ids-25.05/vfio.nix"

# release_of DIR: the "release" of DIR/expect.json.
release_of() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["release"])' "$1/expect.json"
}

for d in "$TMP"/dump/*/; do
	d=${d%/}
	v=$(basename "$d")
	expect "backend-nix: $v parses" nix-instantiate --parse "$d/vfio.nix"
	rel=$(release_of "$d")
	kver=6.12.10
	grep -q '"oldKernel": true' "$d/expect.json" && kver=6.1.119
	for sd in false true; do
		if nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix 2> "$TMP/eval.err" \
			--arg module "$d/vfio.nix" --argstr release "$rel" --arg systemdInitrd $sd \
			--argstr kernelVersion $kver \
			> "$d/eval-$sd.json"; then
			pass "backend-nix: $v evaluates (systemd initrd $sd)"
		else
			fail "backend-nix: $v evaluates (systemd initrd $sd)"; head -5 "$TMP/eval.err" >&2
			continue
		fi
		python3 nix/check_eval.py "$d/eval-$sd.json" "$d/expect.json" "$d/kernel-cmdline" \
			"backend-nix: $v (systemd initrd $sd)" $sd > "$TMP/check.out" 2>&1 ||
			echo "FAIL backend-nix: $v: check_eval.py crashed" >> "$TMP/check.out"
		report_lines "$TMP/check.out"
	done
done

# The module references its domains relative to itself: moved without them, it fails.
cp "$TMP/dump/ids-25.05/vfio.nix" "$TMP/alone.nix"
if nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$TMP/alone.nix" \
	--argstr release 25.05 > /dev/null 2>&1; then
	fail "backend-nix: domains are referenced relative to the module"
else
	pass "backend-nix: domains are referenced relative to the module"
fi

# The stub must be able to fail: a module setting an option the release lacks is caught.
nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix \
	--arg module "$TMP/dump/ids-25.05/vfio.nix" \
	--argstr release 25.11 > "$TMP/bad.json" 2>&1
if grep -qF '"unknown":["virtualisation.libvirtd.qemu.ovmf' "$TMP/bad.json"; then
	pass "backend-nix: the ovmf options are unknown to 25.11"
else
	fail "backend-nix: the ovmf options are unknown to 25.11"
fi
