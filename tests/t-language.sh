# t-language: the keys that published passthrough setups needed (tests/language/full.yaml on
# the seed host): the domains pass libvirt's schema and carry what the config says, read back
# as XML; vfio.nix evaluates (tests/nix/eval.nix) to what it says, nixos-extra values with
# their types and hostile strings unchanged; libvirt-xml edits that cannot apply fail the
# build with xml-edit-failed and write nothing.
. ./lib.sh
. ./hwroots.sh

W=$TMP/w
mkdir -p "$W"
cp language/full.yaml "$W/host.yaml"
cp ../examples/seed/hardware.yaml "$W/"
rc_is "language: full config builds and validates" 0 vfioc build --validate "$W/host.yaml" -o "$W/out"
for f in "$W"/out/domains/*.xml; do
	expect "language: $(basename "$f") passes virt-xml-validate" virt-xml-validate "$f" domain
done
if nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$W/out/vfio.nix" \
	--argstr release 25.11 > "$TMP/eval.json" 2> "$TMP/eval.err"; then
	pass "language: vfio.nix evaluates"
else
	fail "language: vfio.nix evaluates"; head -5 "$TMP/eval.err" >&2
fi
python3 language/check_full.py "$W/host.yaml" "$W/out" "$TMP/eval.json" > "$TMP/check.out" 2>&1 ||
	echo "FAIL language: check_full.py crashed" >> "$TMP/check.out"
report_lines "$TMP/check.out" "language: "

# pipewire: libvirt's audio type since 9.10, whose schema this libvirt (9.0) lacks: the
# element as libvirt documents it (docs/formatdomain.rst, "PipeWire audio backend":
# runtimeDir on <audio>), the server of qemu-config's user; the rest of the domain is valid
# for this libvirt.
sed -e 's/audio: pulseaudio/audio: pipewire/' language/full.yaml > "$W/host.yaml"
rc_is "language: pipewire audio builds" 0 vfioc build "$W/host.yaml" -o "$W/pw"
uid=$(sed -n 's/^      uid: \([0-9]*\)$/\1/p' language/full.yaml)
has "language: pipewire audio backend in /run/user/$uid" \
	"<audio id=\"1\" type=\"pipewire\" runtimeDir=\"/run/user/$uid\"/>" "$W/pw/domains/lin.xml"
sed 's/type="pipewire" runtimeDir="[^"]*"/type="pulseaudio"/' "$W/pw/domains/lin.xml" > "$TMP/lin.xml"
expect "language: pipewire domain is otherwise valid" virt-xml-validate "$TMP/lin.xml" domain

# Edits that cannot apply: the build fails, says which edit, and writes nothing.
bad_edit() {   # NAME EDIT WHAT
	sed -e "s|      - \"xpath.delete=./pm .*$|      - \"$2\"|" language/full.yaml > "$W/host.yaml"
	rm -rf "$W/bad"
	rc_is "language: $1 fails the build" 1 vfioc build "$W/host.yaml" -o "$W/bad"
	has "language: $1 is xml-edit-failed" "\\[xml-edit-failed\\]" "$TMP/rc.err"
	has "language: $1 says $3" "$3" "$TMP/rc.err"
	expect "language: $1 writes nothing" test ! -e "$W/bad"
}
bad_edit "an edit matching nothing" "./devices/hostdev[@type='usb']/@managed=no" "cannot create it"
bad_edit "a delete matching nothing" "xpath.delete=./devices/sound" "matches nothing it can change"
bad_edit "an edit breaking the schema" "./devices/graphics/@type=bogus" "fails libvirt's schema"

# libvirt's own parser (virsh's test driver: no daemon) keeps what vfioc wrote. The qemu:
# namespace belongs to the QEMU driver and is left out there.
if command -v virsh > /dev/null; then
	sed 's/<domain xmlns:qemu="[^"]*" type="kvm">/<domain type="test">/; s/<domain type="kvm">/<domain type="test">/' \
		"$W/out/domains/win10.xml" > "$TMP/test.xml"
	virsh -c test:///default "define $TMP/test.xml; dumpxml win10" > "$TMP/dump.xml" 2>&1
	for want in "<iothreads>2</iothreads>" "<iothreadpin iothread='2' cpuset='6-7'/>" \
		"<smbios mode='host'/>" "<cache mode='passthrough'/>" "name='invtsc'" \
		"cache='none' io='native' discard='unmap' iothread='1'" "<input type='keyboard' bus='virtio'/>" \
		"<shmem name='scream-ivshmem-win10'>" "<vendor_id state='on' value='0123456789ab'/>" \
		"<serial type='pty'>"; do
		if grep -qF -- "$want" "$TMP/dump.xml"; then pass "language: libvirt keeps $want"
		else fail "language: libvirt keeps $want"; head -5 "$TMP/dump.xml" >&2; fi
	done
else
	fail "language: virsh is installed"
fi
