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
