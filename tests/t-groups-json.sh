# t-groups-json: `vfioc groups --format json` on every test root: strict UTF-8 JSON whose
# groups, devices and verdicts are those of the text listing (tests/groups_agree.py writes
# the text's lines from the JSON and compares), the same from a root and its snapshot, the
# IOMMU-off case, and JSON that stays valid whatever bytes sysfs holds.
. ./lib.sh
. ./hwroots.sh

for r in $HW_ROOTS; do
	root=$(hwroot "$r")
	vfioc groups --root "$root" > "$TMP/$r.txt" 2> /dev/null
	rc_is "groups --format json $r: exit 0" 0 vfioc groups --format json --root "$root"
	cp "$TMP/rc.out" "$TMP/$r.json"
	expect "groups --format json $r: one document, nothing on stderr" test ! -s "$TMP/rc.err"
	expect "groups --format json $r: its diagnostics inside it" python3 -c \
		'import json, sys; assert json.load(open(sys.argv[1]))["diagnostics"] == []' "$TMP/rc.out"
	python3 groups_agree.py "$TMP/$r.txt" "$TMP/$r.json" "groups json $r" > "$TMP/agree" 2>&1
	report_lines "$TMP/agree"
	vfioc probe --root "$root" -o "$TMP/$r.yaml" 2> /dev/null
	vfioc groups --format json --hardware "$TMP/$r.yaml" > "$TMP/$r.snap.json" 2> /dev/null
	same "groups json $r: a snapshot gives what the root gives" "$TMP/$r.json" "$TMP/$r.snap.json"
done

# Facts the agreement cannot show: picked from the JSON by key, against the roots' files.
q() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
dev='[d for g in j["groups"] for d in g["devices"] if d["address"]==sys.argv[2]][0]'
qd() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); d=$dev; print($3)" "$1" "$2"; }
expect "json seed: the R9 290X goes with its audio" \
	test "$(qd "$TMP/seed.json" 0000:01:00.0 'd["verdict"], d["with"]')" = "together ['0000:01:00.1']"
expect "json seed: the root port is a bridge, never" \
	test "$(qd "$TMP/seed.json" 0000:00:01.0 'd["verdict"], d["reason"]')" = "never bridge"
expect "json seed: the boot GPU is marked" \
	test "$(qd "$TMP/seed.json" 0000:00:02.0 'd["boot_vga"], d["verdict"]')" = "True alone"
expect "json seed: driver as sysfs names it" \
	test "$(qd "$TMP/seed.json" 0000:01:00.0 'd["driver"]')" = \
	"$(basename "$(readlink "$(hwroot seed)/sys/bus/pci/devices/0000:01:00.0/driver")")"
expect "json amd-chipset: the disk's group is kept by the host" \
	test "$(q "$TMP/amd-chipset.json" '[g["verdict"] for g in j["groups"] if g["group"]==15][0]')" = host
expect "json server: a VF names its physical function" \
	test "$(qd "$TMP/server.json" 0000:d8:02.4 'd["physfn"], d["verdict"]')" = "0000:d8:00.1 alone"
# A group whose driverless member may stay: the text and JSON agree, and name it apart.
python3 ./mkroot.py golden/check/roots/amd-usb-group.desc "$TMP/amd-usb-group" >&2
vfioc groups --root "$TMP/amd-usb-group" > "$TMP/usb.txt" 2> /dev/null
vfioc groups --format json --root "$TMP/amd-usb-group" > "$TMP/usb.json" 2> /dev/null
python3 groups_agree.py "$TMP/usb.txt" "$TMP/usb.json" "groups json amd-usb-group" > "$TMP/agree" 2>&1
report_lines "$TMP/agree"
expect "json amd-usb-group: the group with a driverless member is some-may-stay" \
	test "$(q "$TMP/usb.json" '[g["verdict"] for g in j["groups"] if g["group"]==20][0]')" = some-may-stay
expect "json amd-usb-group: a USB controller goes with the other, the Reserved SPP may stay" \
	test "$(qd "$TMP/usb.json" 0000:06:00.1 'd["verdict"], d["with"], d["may_stay"]')" = \
	"together ['0000:06:00.3'] ['0000:06:00.0']"
expect "json amd-usb-group: the Reserved SPP goes with both controllers" \
	test "$(qd "$TMP/usb.json" 0000:06:00.0 'd["verdict"], d["with"], d["may_stay"]')" = \
	"together ['0000:06:00.1', '0000:06:00.3'] []"
has "groups amd-usb-group: the text says the driverless member may stay" \
	'only together with 0000:06:00.3; 0000:06:00.0 may stay [(]no driver[)]' "$TMP/usb.txt"
expect "json iommu-off: no groups, how to enable it" \
	test "$(q "$TMP/iommu-off.json" 'j["groups"], j["iommu"]["enabled"], j["iommu"]["enable_with"]')" = "[] False amd_iommu=on"

# Whatever a snapshot's strings hold (control characters, escape sequences, quotes,
# backslashes, U+2028), the JSON parses as strict UTF-8 and gives back the same string.
# (A root's bytes are cleaned when read: invalid UTF-8 and control characters become '?'.)
sed 's/^  device-name: "Hawaii XT .*/  device-name: "R9\\x01\\e[31m \\"q\\" b\\\\s \\u2028 \\t \\x7f \\xff"/' \
	../examples/seed/hardware.yaml > "$TMP/hostile.yaml"
rc_is "json hostile snapshot: exit 0" 0 vfioc groups --format json --hardware "$TMP/hostile.yaml"
python3 - "$TMP/rc.out" > "$TMP/hostile.res" 2>&1 <<'PY'
import json, sys
want = 'R9\x01\x1b[31m "q" b\\s \u2028 \t \x7f \xff'
try:
    j = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", errors="strict"))
    got = [d for g in j["groups"] for d in g["devices"] if d["address"] == "0000:01:00.0"][0]["device_name"]
    print(("ok" if got == want else "FAIL") + " json hostile snapshot: strict JSON, the name kept: " + repr(got))
except Exception as e:
    print("FAIL json hostile snapshot: " + repr(e))
PY
report_lines "$TMP/hostile.res"
expect "json hostile snapshot: no raw control character on stdout" python3 -c \
	'import sys; b=open(sys.argv[1],"rb").read(); assert not [c for c in b if (c<32 and c!=10) or c==127]' "$TMP/rc.out"

# Errors: one document still, with no groups and the diagnostics; nothing on stderr.
printf 'version: 2\npci: []\n' > "$TMP/v2.yaml"
rc_is "groups --format json: a bad snapshot exits 1" 1 vfioc groups --format json --hardware "$TMP/v2.yaml"
expect "groups --format json: ... nothing on stderr" test ! -s "$TMP/rc.err"
expect "groups --format json: ... the diagnostic in the document" python3 -c \
	'import json,sys; j = json.load(open(sys.argv[1])); assert j["diagnostics"][0]["code"] == "snapshot-invalid" and j["iommu"] is None and j["groups"] == []' "$TMP/rc.out"
rc_is "groups --format json: missing root exits 3" 3 vfioc groups --format json --root "$TMP/nowhere"
expect "groups --format json: ... nothing on stderr" test ! -s "$TMP/rc.err"
vfioc groups --format json --root "$TMP/nowhere" > "$TMP/both" 2>&1
expect "groups --format json: 2>&1 is one document" python3 -m json.tool "$TMP/both"
rc_is "groups --format yaml: usage error" 2 vfioc groups --format yaml

# docs/ci.md lists the keys: exactly those of the output (seed: every kind of object).
python3 - ../docs/ci.md "$TMP/seed.json" "$TMP/server.json" "$TMP/iommu-off.json" > "$TMP/keys" 2>&1 <<'PY'
import json, re, sys
doc = open(sys.argv[1]).read()
rows = dict(re.findall(r"^\| (top level|`iommu`|group|device) \| (.*) \|$", doc, re.M))
def named(row):   # the keys of a row: each `key` not inside parentheses, before a colon
    row = re.sub(r"\([^)]*\)", "", row)
    return {k for k in re.findall(r"(?:^|, )`([a-z_]+)`", row)}
want = {"top": named(rows["top level"]), "iommu": named(rows["`iommu`"]),
        "group": named(rows["group"]), "device": named(rows["device"])}
got = {"top": set(), "iommu": set(), "group": set(), "device": set()}
for f in sys.argv[2:]:
    j = json.load(open(f))
    got["top"] |= set(j); got["iommu"] |= set(j["iommu"])
    for g in j["groups"]:
        got["group"] |= set(g)
        for d in g["devices"]:
            got["device"] |= set(d)
for k in want:
    ok = want[k] == got[k]
    print(("ok" if ok else "FAIL") + f" docs/ci.md: the {k} keys of groups --format json"
          + ("" if ok else f": doc {sorted(want[k] - got[k])} output {sorted(got[k] - want[k])}"))
PY
report_lines "$TMP/keys"

# `vfioc help groups` and vfioc(1) name every verdict and reason the JSON can hold: the words of
# tools/groups/json.c's tables (group_words, dev_words), each in the help's JSON paragraph.
vfioc help groups > "$TMP/help" 2>&1
words=$(sed -n '/^static const char \*const group_words/,/^};/p; /^} dev_words/,/^};/p' \
	../tools/groups/json.c | grep -o '"[a-z-]*"' | tr -d '"' | sort -u)
expect "help groups: a control, the tables give words (blocked-group among them)" \
	sh -c "echo '$words' | grep -qx blocked-group"
for w in $words no-group; do
	has "help groups names the JSON word $w" "(^|[ :|(,])$w([,|) .]|\$)" "$TMP/help"
	has "vfioc(1) names the groups JSON word $w" "(^|[ :|(,])$w([,|) .]|\$)" ../man/vfioc.1
done
