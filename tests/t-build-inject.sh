# t-build-inject: hostile strings through the whole of `vfioc build`. Paths may hold quotes,
# '$', '&', '<', backslashes and spaces: they must reach the domain XML escaped, so that an
# XML parser (and libvirt's validator) reads back the very string of the config. VM names,
# user names and kernel parameters with such characters, and paths with control characters,
# must be refused with a clear error and nothing written.
. ./lib.sh

W=$TMP/w
mkdir -p "$W"
cp ../examples/seed/hardware.yaml "$W/"
disk="/var/lib/my \"disk\" \${x} & <y> 'z' \\ .qcow2"
iso='/iso/a&b<c>$(rm -rf)`x`.iso'
kbd='/dev/input/by-id/$(x)`y`"q"-event-kbd'
cat > "$W/host.yaml" <<'EOF2'
version: 1
hardware: hardware.yaml
target: { nixos: "25.05" }
host:
  users: [myUser]
vms:
  win10:
    memory: 4GiB
    vcpus: 2
    pci: [01:00.0, 01:00.1]
    disks:
      - { path: "/var/lib/my \"disk\" ${x} & <y> 'z' \\ .qcow2" }
      - cdrom: '/iso/a&b<c>$(rm -rf)`x`.iso'
    evdev: ['/dev/input/by-id/$(x)`y`"q"-event-kbd']
EOF2
vfioc build "$W/host.yaml" 2> "$TMP/err"
rc=$?
if [ $rc -eq 0 ]; then pass "inject: hostile paths build"; else
	fail "inject: hostile paths build (rc $rc)"; cat "$TMP/err" >&2; fi
xml=$W/generated/domains/win10.xml
expect "inject: the domain passes virt-xml-validate" virt-xml-validate "$xml" domain
python3 - "$xml" "$disk" "$iso" "$kbd" > "$TMP/rt" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
dom = ET.parse(sys.argv[1]).getroot()
got = [d.find("source").get("file") for d in dom.iter("disk")]
got += [i.find("source").get("dev") for i in dom.iter("input")]
want = sys.argv[2:5]
print("ok" if got == want else "got %r\nwant %r" % (got, want))
PY
if [ "$(cat "$TMP/rt")" = ok ]; then pass "inject: paths read back from the XML unchanged"
else fail "inject: paths read back from the XML unchanged"; cat "$TMP/rt" >&2; fi
expect "inject: vfio.nix still parses" nix-instantiate --parse "$W/generated/vfio.nix"

# refused NAME CODE SED: the config edited by SED must fail with CODE and write nothing.
refused() {
	sed "$3" "$W/host.yaml" > "$W/bad.yaml"
	vfioc build "$W/bad.yaml" -o "$W/bad-out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "error: " "$TMP/err" && grep -q "\[$2\]" "$TMP/err" &&
		[ ! -e "$W/bad-out" ]; then
		pass "inject: $1 refused [$2], nothing written"
	else
		fail "inject: $1 refused [$2], nothing written (rc $rc)"; head -5 "$TMP/err" >&2
	fi
}
refused 'VM name with a quote' bad-vm-name 's/^  win10:/  "win\\"10":/'
refused 'VM name with ${' bad-vm-name 's/^  win10:/  "win${x}":/'
refused 'VM name with < and &' bad-vm-name 's/^  win10:/  "a<b\&c":/'
refused 'VM name with a space' bad-vm-name 's/^  win10:/  "win 10":/'
refused "VM name with an apostrophe" bad-vm-name "s/^  win10:/  \"win'10\":/"
refused 'VM name with a newline' bad-vm-name 's/^  win10:/  "win\\n10":/'
refused 'VM name that is a path' bad-vm-name 's/^  win10:/  "..\/x":/'
refused 'user name with a quote' bad-name 's/\[myUser\]/["my\\"User"]/'
refused 'user name with a space' bad-name 's/\[myUser\]/["my User"]/'
refused 'user name with ${' bad-name 's/\[myUser\]/["my${x}"]/'
refused 'user name with a newline' bad-name 's/\[myUser\]/["my\\nUser"]/'
refused 'kernel parameter with ${' bad-kernel-param 's/^host:$/host:\n  kernel-params: ["x=${y}"]/'
refused 'kernel parameter with a backslash' bad-kernel-param 's/^host:$/host:\n  kernel-params: ["a\\\\b"]/'
refused 'kernel parameter with a quote' bad-kernel-param "s/^host:\$/host:\\n  kernel-params: [\"a'b\"]/"
refused 'path with a newline' bad-path 's|cdrom: .*|cdrom: "/iso/a\\nb.iso"|'
