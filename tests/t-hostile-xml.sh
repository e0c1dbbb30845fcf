# t-hostile-xml: libvirt-xml edits from a stranger's config. They may change elements,
# attributes and text inside <domain>, at a bounded cost, and every domain written is one
# well-formed document holding the generated-by comment and <domain>, nothing more.
. ./lib.sh
seed=$TESTS_DIR/../examples/seed
W=$TMP/repo
mkdir -p "$W"
cp "$seed/host.yaml" "$seed/hardware.yaml" "$W/"

# edits FILE EDIT...: the seed config with VM win10's libvirt-xml set to the EDITs.
edits() {
	out=$1; shift
	python3 - "$W/host.yaml" "$out" "$@" <<'PY'
import json, sys
src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
t = open(src).read()
new = t.replace("vms:\n  win10:\n", "vms:\n  win10:\n    libvirt-xml: %s\n" % json.dumps(edits), 1)
assert new != t
open(dst, "w").write(new)
PY
}

# build_fails NAME CODE TEXT: `vfioc build $W/e.yaml -o $W/out` exits 1 within 20 s naming
# CODE and TEXT, and writes no domain.
build_fails() {
	rm -rf "$W/out"
	timeout 20 "$VFIOC" build "$W/e.yaml" -o "$W/out" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "\[$2\]" "$TMP/err" && grep -qF -- "$3" "$TMP/err" &&
	   [ ! -e "$W/out/domains/win10.xml" ]; then
		pass "hostile-xml: $1"
	else
		fail "hostile-xml: $1 (exit $rc)"
		head -c 600 "$TMP/err" >&2
	fi
}

# ---- 2: the cost of an XPath is bounded ----
# count(//node()[...]) nested: each level multiplies by the size of the document.
nest='count(//node())'
for i in 1 2 3 4; do nest="count(//node()[$nest > position()])"; done
edits "$W/e.yaml" "xpath.delete=./devices[$nest = count(//node()[count(//node()[count(//node()) > position()]) > position()])]"
start=$(date +%s)
build_fails "a four-level nested count(//node()) stops at the operation limit" xml-edit-failed \
	"XPath operations to evaluate"
took=$(($(date +%s) - start))
if [ "$took" -le 2 ]; then pass "hostile-xml: it fails fast (${took}s)"; else fail "hostile-xml: it took ${took}s"; fi
has "hostile-xml: the message says what multiplies" "nested //node\(\) or count\(\)" "$TMP/err"
rm -rf "$W/out"
timeout 20 "$VFIOC" build --check "$W/e.yaml" -o "$W/out" > /dev/null 2> "$TMP/err"
has "hostile-xml: build --check stops there too" "XPath operations to evaluate" "$TMP/err"
# Ordinary edits are far below the limit, all of them together.
edits "$W/e.yaml" "./devices/graphics/@listen=127.0.0.1" "./on_crash=destroy" \
	"xpath.delete=./devices/memballoon" "./description=set by //node() in a value" \
	"./devices/disk[target/@dev='sda']/driver/@cache=none"
rc_is "hostile-xml: ordinary edits still apply" 0 "$VFIOC" build "$W/e.yaml" -o "$W/out"

# ---- 5: raw markup ----
edits "$W/e.yaml" "./../comment()=--><!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/shadow'>]><?evil run?><!--"
rc_is "hostile-xml: a comment() target is refused" 1 "$VFIOC" check "$W/e.yaml"
has "hostile-xml: it says why" "cannot target comment\(\) or processing-instruction\(\).*bad-xml-edit" "$TMP/rc.err"
edits "$W/e.yaml" "./devices/processing-instruction ()=x"
rc_is "hostile-xml: a processing-instruction() target is refused" 1 "$VFIOC" check "$W/e.yaml"
edits "$W/e.yaml" "./description=comment()" "xpath.delete=./description[.='comment()']"
rc_is "hostile-xml: 'comment()' inside a literal is text" 0 "$VFIOC" build "$W/e.yaml" -o "$W/out"
edits "$W/e.yaml" "./..//node()=x"
build_fails "a match outside <domain> (the header) is refused" xml-edit-failed "cannot apply"
edits "$W/e.yaml" "./../node()=x"
build_fails "./../node() (the header and <domain>) is refused" xml-edit-failed "cannot apply"
edits "$W/e.yaml" "xpath.delete=./.."
build_fails "deleting the document is refused" xml-edit-failed "win10"
edits "$W/e.yaml" "xpath.delete=/domain/../node()"
rc_is "hostile-xml: an absolute XPath is refused" 1 "$VFIOC" check "$W/e.yaml"
# Every domain written reads back as one document: the generated-by comment and <domain>.
edits "$W/e.yaml" "./description=a--b]]><!-- & <x/>" "./title=<?evil run?>"
rc_is "hostile-xml: markup in a value is text" 0 "$VFIOC" build "$W/e.yaml" -o "$W/out"
if python3 - "$W/out/domains/win10.xml" <<'PY'
import sys
import xml.dom.minidom as m
d = m.parse(sys.argv[1])
kinds = [n.nodeType for n in d.childNodes]
ok = kinds == [m.Node.COMMENT_NODE, m.Node.ELEMENT_NODE] and d.doctype is None
ok = ok and d.getElementsByTagName("description")[0].firstChild.data == "a--b]]><!-- & <x/>"
sys.exit(0 if ok else 1)
PY
then pass "hostile-xml: the domain is the comment and <domain>, the value intact"
else fail "hostile-xml: the domain is the comment and <domain>, the value intact"; fi

# ---- 10: escape hatches are root, and CI can refuse them ----
python3 - "$W/host.yaml" "$W/hatch.yaml" <<'PY'
import sys
t = open(sys.argv[1]).read()
t = t.replace("vms:\n  win10:\n", "vms:\n  win10:\n    libvirt-xml: [\"./on_crash=destroy\"]\n", 1)
t = t.replace("host:\n", "host:\n  nixos-extra: {systemd.services.x.script: \"id\"}\n", 1)
t = t.replace("  libvirt:\n", "  libvirt:\n    qemu-config: {namespaces: true}\n", 1)
open(sys.argv[2], "w").write(t)
PY
rc_is "hostile-xml: a config with escape hatches checks without the switch" 0 "$VFIOC" check "$W/hatch.yaml"
for cmd in "build --check" build check; do
	rm -rf "$W/out"
	out="-o $W/out"
	[ "$cmd" = check ] && out=
	rc_is "hostile-xml: $cmd --no-escape-hatches refuses them" 1 \
		"$VFIOC" $cmd --no-escape-hatches "$W/hatch.yaml" $out
	expect "hostile-xml: $cmd --no-escape-hatches wrote nothing" test ! -e "$W/out/vfio.nix"
done
has "hostile-xml: nixos-extra refused at its place" \
	"hatch.yaml:12:3: error: 'host.nixos-extra' is an escape hatch, refused by --no-escape-hatches \[escape-hatch\]" "$TMP/rc.err"
has "hostile-xml: qemu-config refused at its place" "hatch.yaml:19:5: error: 'host.libvirt.qemu-config' is an escape hatch" "$TMP/rc.err"
has "hostile-xml: libvirt-xml refused at its place" "hatch.yaml:27:5: error: 'vms.win10.libvirt-xml' is an escape hatch" "$TMP/rc.err"
has "hostile-xml: the refusal says why" "runs as root on the host" "$TMP/rc.err"
"$VFIOC" check --no-escape-hatches --format github "$W/hatch.yaml" > /dev/null 2> "$TMP/gh"
has "hostile-xml: as GitHub annotations" "^::error file=.*hatch.yaml,line=27,col=5,title=vfioc escape-hatch::" "$TMP/gh"
rc_is "hostile-xml: a config without escape hatches passes with the switch" 0 \
	"$VFIOC" build --check --no-escape-hatches "$seed/host.yaml"
"$VFIOC" check --help > "$TMP/help"
has "hostile-xml: check --help lists the switch" "--no-escape-hatches" "$TMP/help"
"$VFIOC" build --help > "$TMP/help"
has "hostile-xml: build --help lists the switch" "--no-escape-hatches" "$TMP/help"
# Said plainly where they are documented, and the switch where CI is set up.
for key in libvirt-xml nixos-extra qemu-config; do
	has "hostile-xml: the reference says $key is root" \
		"^\| \`$key\` .*(root on the host|is close to root).*--no-escape-hatches" ../docs/config-reference.md
done
has "hostile-xml: the Actions example passes the switch" \
	"run: .*vfioc build --check --no-escape-hatches" ../docs/ci.md
has "hostile-xml: the pre-commit docs pass the switch" "args: \[--no-escape-hatches," ../docs/ci.md
has "hostile-xml: the hooks file says so" "--no-escape-hatches" ../.pre-commit-hooks.yaml
