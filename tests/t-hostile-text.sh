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
has "hostile-text: init's comment shows them as '?'" "Radeon R9 290X/390X\]\?  nixos-extra: \{x: 1\}\?\?\?\?" "$W/init/host.yaml"
rc_is "hostile-text: init's config checks" 0 "$VFIOC" check "$W/init/host.yaml"

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
