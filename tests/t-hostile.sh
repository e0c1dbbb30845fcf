# t-hostile: inputs built to hurt a YAML reader. Each must end with exit 1, a clear
# diagnostic with its code, nothing on stdout, and no crash, however large the input.
. ./lib.sh
py=python3

# hostile NAME CODE FILE: `vfioc check FILE` must exit 1 naming CODE.
hostile() {
	vfioc check "$3" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$TMP/out" ] && grep -q "\[$2\]" "$TMP/err"; then
		pass "hostile: $1"
	else
		fail "hostile: $1 (exit $rc)"
		head -c 600 "$TMP/err" >&2
	fi
}

# A billion laughs, nine levels of nine: 387 million nodes if expanded.
$py -c '
print("version: 1")
print("a: &a [" + ",".join(["\"lol\""] * 9) + "]")
for i in range(1, 10):
    p, c = chr(96 + i), chr(97 + i)
    print(f"{c}: &{c} [" + ",".join(["*" + p] * 9) + "]")
' > "$TMP/laughs.yaml"
hostile "billion laughs" yaml-alias "$TMP/laughs.yaml"

$py -c 'print("version: 1\nx: " + "[" * 10000 + "]" * 10000)' > "$TMP/deep-flow.yaml"
hostile "10,000 nested flow lists" yaml-depth "$TMP/deep-flow.yaml"

$py -c 'print("version: 1\nx: " + "{a: " * 10000 + "1" + "}" * 10000)' > "$TMP/deep-map.yaml"
hostile "10,000 nested flow maps" yaml-depth "$TMP/deep-map.yaml"

$py -c 'print("version: 1\nx:\n" + "".join("  " * i + "- \n" for i in range(1, 200)))' > "$TMP/deep-block.yaml"
hostile "200 nested block lists" yaml-depth "$TMP/deep-block.yaml"

$py -c '
import sys
sys.stdout.write("version: 1\nhost:\n  users:\n")
line = "    - user%07d\n"
for i in range(50 * 1024 * 1024 // len(line % 0) + 1):
    sys.stdout.write(line % i)
' > "$TMP/big.yaml"
hostile "a 50 MB file" file-too-large "$TMP/big.yaml"

# Many errors in one file: reported, but capped, and still exit 1.
$py -c '
print("version: 1\nvms:")
for i in range(3000):
    print(f"  vm{i}: {{memory: 1X, vcpus: 0}}")
' > "$TMP/many.yaml"
hostile "6,000 errors in one file" bad-size "$TMP/many.yaml"
lines=$(wc -l < "$TMP/err")
if [ "$lines" -lt 1000 ] && grep -q "more diagnostics not shown" "$TMP/err"; then
	pass "hostile: error output is capped ($lines lines)"
else
	fail "hostile: error output is not capped ($lines lines)"
fi

printf 'version: 1\nhost:\n  users: [%s]\n' "$(head -c 300000 /dev/zero | tr '\0' a)" > "$TMP/longline.yaml"
hostile "a 300 KB line" bad-name "$TMP/longline.yaml"

printf '\xff\xfe v\0e\0r\0' > "$TMP/utf16.yaml"
hostile "UTF-16 with a BOM" yaml-syntax "$TMP/utf16.yaml"

head -c 4096 /dev/urandom > "$TMP/random.bin"
vfioc check "$TMP/random.bin" > /dev/null 2>&1
rc=$?
if [ $rc -eq 1 ]; then pass "hostile: random bytes"; else fail "hostile: random bytes (exit $rc)"; fi

vfioc check "$TMP/does-not-exist.yaml" 2> "$TMP/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "does-not-exist.yaml" "$TMP/err"; then
	pass "a missing config is a system error naming the file"
else
	fail "a missing config: exit $rc"
fi
vfioc check "$TMP" 2> "$TMP/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "Is a directory" "$TMP/err"; then
	pass "a directory as config is a system error"
else
	fail "a directory as config: exit $rc"; cat "$TMP/err" >&2
fi

# ---- strings that would mean something else further down ----

# refused NAME CODE TEXT YAML: `vfioc check` of YAML (a config against the seed's snapshot)
# exits 1 with CODE and TEXT in the message, and prints nothing on stdout.
cp ../examples/seed/hardware.yaml "$TMP/hw.yaml"
refused() {
	printf 'version: 1\nhardware: hw.yaml\n%b' "$4" > "$TMP/str.yaml"
	vfioc check "$TMP/str.yaml" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$TMP/out" ] && grep -q "\[$2\]" "$TMP/err" &&
	   grep -qF -- "$3" "$TMP/err"; then
		pass "hostile: $1"
	else
		fail "hostile: $1 (exit $rc)"
		head -c 600 "$TMP/err" >&2
	fi
}
refused "a no-break space in a kernel parameter (the kernel splits there)" bad-kernel-param \
	"U+00A0 is not allowed" 'host:\n  kernel-params: ["quiet\\u00a0init=/bin/sh"]\n'
refused "a raw 0xa0 byte in a kernel parameter" bad-kernel-param "U+00A0" \
	'host:\n  kernel-params: [quiet\0302\0240init=/bin/sh]\n'
refused "a NUL in a string is not silently cut" yaml-syntax "a NUL character" \
	'host:\n  kernel-params: ["a\\0 b=c"]\n'
for c in '|' '&' ';' '<' '>' '{' '}' '`'; do
	refused "'$c' in a kernel parameter names the character" bad-kernel-param \
		"'$c' is not allowed" "host:\n  kernel-params: [\"a${c}b\"]\n"
done
refused "a GRUB operator's refusal says why" bad-kernel-param "GRUB reads it as an operator" \
	'host:\n  kernel-params: ["a;b"]\n'
refused "a display driver starting with '-' (modprobe option)" bad-name "does not start with '-'" \
	'host:\n  display-drivers: ["-r"]\n'
refused "U+FFFF in a disk path (XML cannot hold it)" bad-path "U+FFFE or U+FFFF" \
	'vms:\n  a:\n    memory: 1GiB\n    vcpus: 1\n    disks: [{path: "/var/lib/\\uffff.qcow2"}]\n'
refused "U+FFFE in a ROM path" bad-path "U+FFFE or U+FFFF" \
	'vms:\n  a:\n    memory: 1GiB\n    vcpus: 1\n    pci: [{address: "01:00.0", rom: "/x\\ufffe"}]\n'

# The JSON Schema says the same about kernel parameters as the checker.
vfioc schema > "$TMP/schema.json"
if python3 - "$TMP/schema.json" <<'PY'
import json, re, sys
def find(o):
    if isinstance(o, dict):
        if "kernel-params" in o.get("properties", {}):
            return o["properties"]["kernel-params"]["items"]["pattern"]
        for v in o.values():
            r = find(v)
            if r: return r
    elif isinstance(o, list):
        for v in o:
            r = find(v)
            if r: return r
pat = re.compile(find(json.load(open(sys.argv[1]))))
good = ["quiet", "vfio-pci.ids=10de:1b81,10de:10f0", "a=b:c/d[0]~%#!?^_"]
bad = ["#", "#a", "a b", "quiet\u00a0x", "a|b", "a&b", "a;b", "a<b", "a>b", "a{b", "a}b", "a`b", "a$b", "a'b", 'a"b', "a\\b"]
sys.exit(0 if all(pat.match(g) for g in good) and not any(pat.match(b) for b in bad) else 1)
PY
then pass "schema: the kernel-params pattern refuses the same characters"
else fail "schema: the kernel-params pattern refuses the same characters"; fi

# ---- round two, 4: VM names that virsh reads as something else ----
# virsh resolves a domain argument as an ID, then a UUID, then a name: the define-domains
# service would undefine (and with delete-removed-state wipe the NVRAM and TPM of) another
# domain. Such names, names that differ only in case (one file on a case-insensitive file
# system) and numbers with a leading zero (octal to a YAML 1.1 reader) are refused.
refused "a VM named 1 (a domain ID to virsh)" bad-vm-name "read by virsh as a domain ID" \
	'vms:\n  "1":\n    memory: 1GiB\n    vcpus: 1\n'
refused "a VM named 007 (a domain ID to virsh)" bad-vm-name "domain ID" \
	'vms:\n  "007":\n    memory: 1GiB\n    vcpus: 1\n'
refused "a UUID-shaped VM name" bad-vm-name "read by virsh as a UUID" \
	'vms:\n  3f2b1c9e-5d4a-4e8f-9b1a-2c3d4e5f6a7b:\n    memory: 1GiB\n    vcpus: 1\n'
refused "a UUID-shaped VM name without dashes" bad-vm-name "as a UUID" \
	'vms:\n  3f2b1c9e5d4a4e8f9b1a2c3d4e5f6a7b:\n    memory: 1GiB\n    vcpus: 1\n'
refused "VM names that differ only in case" vm-name-case "differs from VM 'Gaming' only in case" \
	'vms:\n  Gaming:\n    memory: 1GiB\n    vcpus: 1\n  gaming:\n    memory: 1GiB\n    vcpus: 1\n'
refused "vcpus: 010 (octal 8 to a YAML 1.1 reader)" wrong-type "'vcpus: 010' has a leading zero" \
	'vms:\n  a:\n    memory: 1GiB\n    vcpus: 010\n'
printf 'version: 1\nhardware: hw.yaml\nvms:\n  vm1:\n    memory: 1GiB\n    vcpus: 10\n  a0:\n    memory: 1GiB\n    vcpus: 1\n' > "$TMP/str.yaml"
rc_is "hostile: vm1, a0 and vcpus: 10 are fine" 0 "$VFIOC" check "$TMP/str.yaml"

# ---- round two, 11: verify prints what others wrote through the one escaper ----
# A fact can quote virsh's complaint. A virsh (or a libvirtd) that answers with terminal
# escapes, C1 controls, bidirectional controls and bytes that are not UTF-8 reaches the
# terminal, the JSON and the GitHub annotations only as escape.c writes it.
python3 ./mkroot.py roots/seed.desc "$TMP/vroot" > /dev/null
mkdir -p "$TMP/vbin"
cat > "$TMP/vbin/virsh" <<'FAKE'
#!/bin/sh
case $3 in
uri) echo "qemu:///system" ;;
*) printf 'error: \033]0;owned\007\033[2J\302\233 31m \342\200\256evil\377\376 x\r%%0A::error::y\n' >&2; exit 1 ;;
esac
FAKE
chmod +x "$TMP/vbin/virsh"
for f in text json github; do
	PATH=$TMP/vbin:$PATH "$VFIOC" verify ../examples/seed/host.yaml --root "$TMP/vroot" \
		--format $f > "$TMP/v.$f" 2> "$TMP/v.$f.err"
done
if python3 - "$TMP/v.text" "$TMP/v.json" "$TMP/v.github" <<'PY'
import json, sys
bad = []
for name in sys.argv[1:]:
    raw = open(name, "rb").read()
    if b"evil" not in raw: bad.append(name + ": the fact is not there")
    try: text = raw.decode("utf-8")
    except UnicodeDecodeError: bad.append(name + ": not UTF-8"); continue
    for c in "\x1b\x07\r\x9b\u202e":
        if c in text: bad.append("%s: raw U+%04X" % (name, ord(c)))
    if name.endswith("json"): json.loads(text)
    if name.endswith("github") and any(l.startswith("::error::y") for l in text.split("\n")):
        bad.append(name + ": a second workflow command")
print("\n".join(bad)); sys.exit(1 if bad else 0)
PY
then pass "hostile: verify escapes virsh's words in text, JSON and GitHub output"
else fail "hostile: verify escapes virsh's words in text, JSON and GitHub output"; fi

# ---- round two, 8: many disks ----
# Each disk's tuning was found by a search over the domain's disks (n^2, n^3 with the
# list of those taken: 4,000 disks took 7-12 s) and names past vdzz became vd{a (libvirt
# refuses it; at 4,000 not UTF-8). Names follow libvirt's numbering (vdzz, vdaaa, ...).
python3 - "$TMP/disks.yaml" 4000 <<'PY'
import sys
open(sys.argv[1], "w").write("version: 1\nhardware: hw.yaml\nvms:\n  a:\n    memory: 1GiB\n"
    "    vcpus: 1\n    network: none\n    disks:\n" + "".join(
    "      - {path: /var/lib/d%d.qcow2, cache: none}\n" % i for i in range(int(sys.argv[2]))))
PY
/usr/bin/time -f "%U %S" -o "$TMP/disks.time" "$VFIOC" build "$TMP/disks.yaml" -o "$TMP/disks-out" \
	> /dev/null 2> "$TMP/disks.err"
rc=$?
cpu=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$TMP/disks.time" 2> /dev/null)
expect "hostile: a VM with 4000 disks builds (exit $rc) in under 2 s of CPU (${cpu:-?} ms)" \
	test "$rc" = 0 -a "${cpu:-99999}" -lt 2000
grep -o 'target dev="[^"]*"' "$TMP/disks-out/domains/a.xml" 2> /dev/null | sed 's/.*="//; s/"//' > "$TMP/disks.names"
expect "hostile: 4000 disk names, all distinct" test "$(sort -u "$TMP/disks.names" | wc -l)" -eq 4000
expect "hostile: every disk name is vd and letters" sh -c "! grep -vqx 'vd[a-z]*' '$TMP/disks.names'"
expect "hostile: vdzz is followed by vdaaa, as libvirt numbers them" \
	test "$(sed -n '702,703p' "$TMP/disks.names" | tr '\n' ' ')" = "vdzz vdaaa "
expect "hostile: every disk keeps its tuning" test "$(grep -c 'cache="none"' "$TMP/disks-out/domains/a.xml")" -eq 4000
