# t-hostile-text: text that reads differently from how it shows, and config arguments that
# are not what they seem. A stranger's pull request is reviewed in an editor, a terminal or
# `git diff`; what vfioc reads must be what the reviewer saw.
. ./lib.sh
seed=$TESTS_DIR/../examples/seed
W=$TMP/repo
mkdir -p "$W"
cp "$seed/host.yaml" "$seed/hardware.yaml" "$W/"

# refused NAME CODE TEXT FILE: `vfioc check FILE` exits 1 naming CODE and TEXT, nothing on stdout.
refused() {
	timeout 20 "$VFIOC" check "$4" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$TMP/out" ] && grep -q "\[$2\]" "$TMP/err" &&
	   grep -qF -- "$3" "$TMP/err"; then
		pass "hostile-text: $1"
	else
		fail "hostile-text: $1 (exit $rc)"
		head -c 600 "$TMP/err" >&2
	fi
}

# u HEX: the character U+HEX (dash's printf has no \u).
u() { python3 -c 'import sys; sys.stdout.write(chr(int(sys.argv[1], 16)))' "$1"; }

# with PY_EXPR FILE: the seed config with Python's str.replace(PY_EXPR) applied, as UTF-8.
with() {
	python3 - "$W/host.yaml" "$2" "$1" <<'PY'
import sys
src, dst, expr = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src, encoding="utf-8").read()
old, new = eval(expr)
assert old in text, old
open(dst, "w", encoding="utf-8", newline="").write(text.replace(old, new, 1))
PY
}

# ---- 1: line breaks that YAML sees and editors do not ----
# The line shows as `users: [alice]  # the desktop user  nixos-extra: {...}`, a comment.
attack='"  iommu: auto ", "  users: [alice]  # the desktop user%s  nixos-extra: {systemd.services.x.script: \"id\"}\\n  iommu: auto "'
for cp in 2028 2029 0085; do
	with "$(printf "$attack" "\\u$cp")" "$W/ls.yaml"
	refused "U+$cp in a comment is refused (not a root service)" hidden-text "U+$(echo $cp | tr a-f A-F)" "$W/ls.yaml"
	has "hostile-text: U+$cp: the line is the one an editor shows" "ls.yaml:12:37: error" "$TMP/err"
	lacks "hostile-text: U+$cp: the quoted line does not carry it raw" "$(u $cp)" "$TMP/err"
done
with "$(printf "$attack" '\r')" "$W/ls.yaml"
refused "a lone CR in a comment is refused" hidden-text "a carriage return without a line feed" "$W/ls.yaml"
# In a quoted string too: YAML folds it into a space there, and the value then differs
# from what shows.
with '"nixos: \"25.05\"", "nixos: \"25.\u202805\""' "$W/ls.yaml"
refused "U+2028 inside a quoted string is refused too" hidden-text "U+2028" "$W/ls.yaml"
# CRLF line ends are ordinary text.
sed 's/$/\r/' "$W/host.yaml" > "$W/crlf.yaml"
rc_is "hostile-text: a config with CRLF line ends is read" 0 "$VFIOC" check "$W/crlf.yaml"

# Bidirectional controls: refused outside quoted strings, where they reorder the file's
# structure on screen; inside one they are a value, which its key's rules judge.
for cp in 202a 202b 202c 202d 202e 2066 2067 2068 2069 200f 061c; do
	with "$(printf '"# An Intel", "# An \\u%s Intel"' $cp)" "$W/bidi.yaml"
	refused "U+$cp in a comment is refused" hidden-text "U+$(echo $cp | tr a-f A-F)) outside a quoted string" "$W/bidi.yaml"
done
has "hostile-text: the refusal says why" "Trojan Source" "$TMP/err"
with '"iommu: auto", "iommu: auto\u2066"' "$W/bidi.yaml"
refused "a bidi control after a plain value is refused" hidden-text "U+2066" "$W/bidi.yaml"
with '"\ntarget:", "\n\u202etarget:"' "$W/bidi.yaml"
refused "a bidi control before a key is refused" hidden-text "U+202E" "$W/bidi.yaml"
with '"nixos: \"25.05\"", "nixos: \"\u202e25.05\""' "$W/bidi.yaml"
refused "a bidi control in a quoted string is the key's to judge" bad-value "'\\u202e25.05' is not a valid nixos" "$W/bidi.yaml"
lacks "hostile-text: the message escapes it" "$(u 202e)" "$TMP/err"
with '"nixos: \"25.05\"", "nixos: \"25.05\"      # \u05e2\u05d1\u05e8\u05d9\u05ea"' "$W/rtl.yaml"
rc_is "hostile-text: right-to-left letters (no controls) in a comment are fine" 0 "$VFIOC" check "$W/rtl.yaml"

# The same through a snapshot: refused there as in a config.
python3 - "$W/hardware.yaml" "$W/snap.yaml" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
t = t.replace("version: 1\n", "version: 1  # probe\u2028cpu-vendor: amd\n", 1)
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
rc_is "hostile-text: a snapshot with U+2028 is refused" 1 "$VFIOC" check --hardware "$W/snap.yaml" "$W/host.yaml"
has "hostile-text: the snapshot's refusal names it" "snap.yaml:1:.*U\+2028.*hidden-text" "$TMP/rc.err"

# init writes names from the snapshot into comments: escaped there, and its output reads
# back. (Escapes in a quoted string of a snapshot are values, not structure.)
sed 's/device-name: "\(.*\)"/device-name: "\1\\L  nixos-extra: {x: 1}\\N\\P\\u202e\\u2066"/' \
	"$W/hardware.yaml" > "$W/names.yaml"
mkdir "$W/init"
rc_is "hostile-text: init from a snapshot whose names hold line breaks and bidi controls" 0 \
	"$VFIOC" init --hardware "$W/names.yaml" -o "$W/init/host.yaml"
if python3 - "$W/init/host.yaml" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
bad = [c for c in t if c in "\x85\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
sys.exit(1 if bad or "\n  nixos-extra" in t else 0)
PY
then pass "hostile-text: init's config holds none of them raw"
else fail "hostile-text: init's config holds none of them raw"; fi
has "hostile-text: init's comment names them" "Radeon R9 290X/390X\]U\+2028  nixos-extra: \{x: 1\}U\+0085U\+2029U\+202EU\+2066" "$W/init/host.yaml"
rc_is "hostile-text: init's config checks" 0 "$VFIOC" check "$W/init/host.yaml"

# ---- 1b: what vfioc writes holds none of them raw ----
# A device name from a stranger's pci.ids, sysfs or test root reaches the snapshot that probe
# and init write, which is committed and reviewed with `git diff`; config strings (paths,
# libvirt-xml, nixos-extra) reach vfio.nix, the domains and a distro's files. Each writer
# spells hidden.def's characters in its format's own escape, so the text shows as it reads
# and means the same value.
# hidden FILE...: the lines of FILEs holding a raw character of base/hidden.def (exit 1 if any).
hidden() {
	python3 - "$@" <<'PY'
import os, sys
H = {0x85, 0x61c, 0x200e, 0x200f, 0x2028, 0x2029} | set(range(0x202a, 0x202f)) | set(range(0x2066, 0x206a))
bad = 0
for a in sys.argv[1:]:
    files = [os.path.join(r, f) for r, _, fs in os.walk(a) for f in fs] if os.path.isdir(a) else [a]
    for p in files:
        for i, l in enumerate(open(p, encoding="utf-8", errors="replace").read().split("\n")):
            if any(ord(c) in H for c in l):
                print("%s:%d: %s" % (p, i + 1, ascii(l)[:160]))
                bad += 1
sys.exit(1 if bad else 0)
PY
}
# no_hidden NAME FILE...: pass when FILEs hold none raw.
no_hidden() {
	n=$1; shift
	if hidden "$@" > "$TMP/hidden.out"; then pass "hostile-text: $n"
	else fail "hostile-text: $n"; head -5 "$TMP/hidden.out" >&2; fi
}
R202E=$(u 202e); R2066=$(u 2066)
# A test root whose GPU's pci.ids name carries U+202E and U+2066, and whose GPU's
# reset_method (a plain word in the snapshot) carries U+202E.
python3 - "$TESTS_DIR/roots/seed.desc" "$W/bidi.desc" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
old = 'reset=bus name="Hawaii XT / Grenada XT [Radeon R9 290X/390X]"'
assert old in t, old
t = t.replace(old, old.replace('reset=bus', 'reset=flr,b\u202eus')
              .replace('290X/390X]', '290X/390X]\u202e ssaP\u2066 ok'), 1)
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
python3 "$TESTS_DIR/mkroot.py" "$W/bidi.desc" "$W/bidiroot" >&2
# Control: the hostile bytes do reach vfioc raw, from the root's pci.ids and sysfs.
has "hostile-text: control: the root's pci.ids holds U+202E and U+2066 raw" \
	"$R202E ssaP$R2066 ok" "$W/bidiroot/usr/share/misc/pci.ids"
has "hostile-text: control: the root's reset_method holds U+202E raw" "b${R202E}us" \
	"$W/bidiroot/sys/bus/pci/devices/0000:01:00.0/reset_method"
# gpu_name SOURCE...: the GPU's device name and reset methods as vfioc reads SOURCE back.
gpu_name() {
	"$VFIOC" groups "$@" --format json | python3 -c '
import json, sys
for g in json.load(sys.stdin)["groups"]:
    for d in g["devices"]:
        if d["address"] == "0000:01:00.0":
            print(ascii(d["device_name"]), ascii(d["reset_methods"]))'
}
rc_is "hostile-text: probe of the root writes its snapshot" 0 \
	"$VFIOC" probe --root "$W/bidiroot" -o "$W/bidi-snap.yaml"
no_hidden "probe's snapshot holds no raw bidi control" "$W/bidi-snap.yaml"
has "hostile-text: probe's snapshot spells the name's controls as YAML escapes" \
	'290X/390X\]\\u202E ssaP\\u2066 ok"' "$W/bidi-snap.yaml"
has "hostile-text: a reset method holding one is written double-quoted" \
	'reset-methods: \[flr, "b\\u202Eus"\]' "$W/bidi-snap.yaml"
gpu_name --root "$W/bidiroot" > "$TMP/live.name"
gpu_name --hardware "$W/bidi-snap.yaml" > "$TMP/snap.name"
has "hostile-text: control: the live read has the controls" '\\u202e ssaP\\u2066 ok' "$TMP/live.name"
same "hostile-text: the snapshot loads back to the same name and reset methods" \
	"$TMP/live.name" "$TMP/snap.name"
mkdir "$W/binit"
rc_is "hostile-text: init from the root" 0 "$VFIOC" init --root "$W/bidiroot" -o "$W/binit/host.yaml"
no_hidden "init's config and snapshot hold no raw bidi control" "$W/binit"
same "hostile-text: init's snapshot is probe's" "$W/bidi-snap.yaml" "$W/binit/hardware.yaml"
has "hostile-text: init's comment names the controls" \
	'390X\]U\+202E ssaPU\+2066 ok' "$W/binit/host.yaml"
rc_is "hostile-text: init's config checks" 0 "$VFIOC" check "$W/binit/host.yaml"

# Config strings with bidi controls, where the loader takes them (quoted), into build outputs.
python3 - "$W/binit/host.yaml" "$W/bbuild.yaml" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
R, I = "\u202e", "\u2066"
add = (f'      - {{ path: "/var/lib/libvirt/images/w{R}in.qcow2" }}\n'
       f'      - {{ cdrom: "/var/lib/libvirt/iso/W{I}in.iso" }}\n'
       f'    evdev: ["/dev/input/by-id/kbd{R}-event-kbd"]\n'
       f'    libvirt-xml: ["./description=hi{R}there{I}"]\n')
old = "    network: default"
assert old in t
t = t.replace(old, add + old, 1)
t = t.replace("  virt-manager: true\n", "  virt-manager: true\n  nixos-extra:\n"
              f'    "environment.etc.\\"a{R}b\\".text": "x{R}y{I}z"\n', 1)
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
has "hostile-text: control: the config holds the controls raw" "w${R202E}in" "$W/bbuild.yaml"
rc_is "hostile-text: build of strings with bidi controls" 0 "$VFIOC" build "$W/bbuild.yaml" -o "$W/bout"
no_hidden "build's vfio.nix, domains and kernel-cmdline hold no raw bidi control" "$W/bout"
has "hostile-text: the domain spells them as character references" \
	'<source file="/var/lib/libvirt/images/w&#x202E;in.qcow2"/>' "$W/bout/domains/win11.xml"
if python3 - "$W/bout/domains/win11.xml" > "$TMP/xml.out" <<'PY'
import sys, xml.etree.ElementTree as ET
d = ET.parse(sys.argv[1]).getroot()
src = [s.get("file") for s in d.iter("source") if s.get("file")]
ev = [s.get("dev") for s in d.iter("source") if s.get("dev")]
want = ["/var/lib/libvirt/images/w\u202ein.qcow2", "/var/lib/libvirt/iso/W\u2066in.iso"]
ok = all(w in src for w in want) and "/dev/input/by-id/kbd\u202e-event-kbd" in ev and \
     d.findtext("description") == "hi\u202ethere\u2066"
print(ascii(src), ascii(ev), ascii(d.findtext("description")))
sys.exit(0 if ok else 1)
PY
then pass "hostile-text: libvirt reads the domain's values back unchanged"
else fail "hostile-text: libvirt reads the domain's values back unchanged"; cat "$TMP/xml.out" >&2; fi
if command -v nix-instantiate > /dev/null; then
	if nix-instantiate --eval --strict --json --store dummy:// "$TESTS_DIR/nix/eval.nix" \
		--arg module "$W/bout/vfio.nix" --argstr release 26.11 2> "$TMP/eval.err" |
	   python3 -c '
import json, sys
e = json.load(sys.stdin)["environment"]["etc"]
sys.exit(0 if e == {"a\u202eb": {"text": "x\u202ey\u2066z"}} else 1)'
	then pass "hostile-text: Nix reads vfio.nix's strings back unchanged"
	else fail "hostile-text: Nix reads vfio.nix's strings back unchanged"; head -3 "$TMP/eval.err" >&2; fi
fi
# build --check shows a stale file as a diff whose removed lines are the committed file's:
# a pull request's text, which reaches the CI log escaped (tabs kept).
printf '# x\033]0;owned\007 \tq%s\n' "$R202E" >> "$W/bout/vfio.nix"
"$VFIOC" build --check "$W/bbuild.yaml" -o "$W/bout" > "$TMP/udiff" 2> /dev/null
has "hostile-text: control: build --check shows the committed line" '^-# x.*q' "$TMP/udiff"
no_hidden "build --check's diff holds no raw bidi control" "$TMP/udiff"
has "hostile-text: build --check's diff escapes the committed line's controls, keeps its tab" \
	"^-# x\\\\x1b\]0;owned\\\\x07 $(printf '\t')q\\\\u202e\$" "$TMP/udiff"
# A generic host's files, and the config's own name in every header comment.
sed 's/^  nixos: .*/  family: debian\n  initramfs: initramfs-tools\n  bootloader: grub/' \
	"$W/bbuild.yaml" > "$W/bd${R202E}x.yaml"
"$VFIOC" build "$W/bd${R202E}x.yaml" -o "$W/bdout" 2> "$TMP/bd.err"
rc_is "hostile-text: a debian build of them" 0 test -f "$W/bdout/kernel-cmdline"
no_hidden "a debian build's root files hold no raw bidi control" "$W/bdout"
has "hostile-text: a header comment names the control in the config's name" \
	"from \.\./bdU\+202Ex.yaml\." "$W/bdout/root/etc/modprobe.d/vfio.conf"
no_hidden "diagnostics print the config's name without it raw" "$TMP/bd.err"
has "hostile-text: control: the diagnostics name the config" 'bd\\u202ex.yaml' "$TMP/bd.err"
# qemu.conf has no escapes: a device node with one is refused.
python3 - "$W/bbuild.yaml" "$W/acl.yaml" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
t = t.replace("  virt-manager: true\n", "  virt-manager: true\n  libvirt:\n    qemu-config:\n"
              '      cgroup-device-acl: ["/dev/input/by-id/kbd\u202ex"]\n', 1)
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
refused "a device node for qemu.conf holding a bidi control" bad-path "qemu.conf has no escape" "$W/acl.yaml"

# ---- 3: the config argument is opened as the snapshot is ----
mkdir -p "$W/hosts/desktop"
cp "$W/hardware.yaml" "$W/hosts/desktop/"
printf 'https://alice:ghp_SECRETTOKEN@github.com\n' > "$W/.git-credentials"
ln -s ../../.git-credentials "$W/hosts/desktop/host.yaml"
refused "a config linked out of its folder (to a token) is refused" refused-file \
	"symlink that leads outside its folder" "$W/hosts/desktop/host.yaml"
lacks "hostile-text: the token is not printed" "SECRET" "$TMP/err"
rm "$W/hosts/desktop/host.yaml"
export SECRET_VAR=SECRETVALUE
ln -s /proc/self/environ "$W/hosts/desktop/host.yaml"
refused "a config linked to /proc/self/environ is refused" refused-file \
	"symlink that leads outside its folder" "$W/hosts/desktop/host.yaml"
lacks "hostile-text: the environment is not printed" "SECRET" "$TMP/err"
refused "/proc/self/environ named directly: not text, not quoted" \
	yaml-syntax "NUL byte in the file" /proc/self/environ
lacks "hostile-text: its content is not printed" "SECRET|PATH=" "$TMP/err"
printf 'version: 1\nhost:\n  users: [SECRET\001x]\n' > "$W/ctl.yaml"
refused "a control character: not text, not quoted" yaml-syntax "control character U+0001" "$W/ctl.yaml"
lacks "hostile-text: the line is not quoted" "SECRET" "$TMP/err"
rm "$W/hosts/desktop/host.yaml"
cp "$W/host.yaml" "$W/hosts/desktop/desktop.yaml"
ln -s desktop.yaml "$W/hosts/desktop/host.yaml"
rc_is "hostile-text: a config linked inside its folder is read" 0 "$VFIOC" check "$W/hosts/desktop/host.yaml"
mkfifo "$W/fifo.yaml"
refused "a FIFO as config is refused at once (it does not wait for a writer)" refused-file \
	"not a regular file" "$W/fifo.yaml"
refused "a device as config is refused" refused-file "not a regular file" /dev/zero
: > "$W/zero.yaml"
refused "a file of zero bytes is empty" empty-file "the file is empty" "$W/zero.yaml"

# ---- 7: kernel parameters that GRUB or the kernel read as something else ----
kp() { printf 'version: 1\nhardware: hardware.yaml\nhost:\n  kernel-params: [quiet, %s, iommu=pt]\n' "$1" > "$W/kp.yaml"; }
kp '"#"'
refused "a kernel parameter '#' (GRUB: a comment to the end of the line)" bad-kernel-param \
	"is a comment to GRUB" "$W/kp.yaml"
kp '"#vfio"'
refused "a kernel parameter starting with '#'" bad-kernel-param "'#vfio' is not allowed" "$W/kp.yaml"
kp '"--"'
refused "a kernel parameter '--' (the kernel hands the rest to init)" bad-kernel-param \
	"passes every parameter after it to init" "$W/kp.yaml"
for w in '[[' ']]'; do
	kp "\"$w\""
	refused "a kernel parameter '$w' (a GRUB reserved word)" bad-kernel-param "reserved word" "$W/kp.yaml"
done
kp '"a#b", "x=[[1]]", "--x", "init_on_free=1"'
rc_is "hostile-text: '#' inside a parameter, '[[' inside one and a leading '--' are plain text" \
	0 "$VFIOC" check "$W/kp.yaml"
