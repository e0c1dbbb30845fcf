# t-build-ident: the output folder's manifest records each passed device (address,
# vendor:device, class, subsystem) as the build found it; the next build into that folder
# (and build --check) stops when another device sits at a recorded address that the config
# still passes [hardware-changed], warns on another board of the same chip [board-changed],
# and --accept-hardware-change takes the hardware as it is. A hostile manifest (garbage, huge,
# a symlink, a FIFO, malformed records) is refused clearly [manifest-invalid], never followed,
# hung on or quoted back.
. ./lib.sh
. ./hwroots.sh

seed=$TESTS_DIR/../examples/seed
W=$TMP/ident
mkdir -p "$W"
cp "$seed/host.yaml" "$seed/hardware.yaml" "$W/"
cp "$seed/hardware.yaml" "$W/hardware.orig"
out=$W/out

# snap DIR: every name under DIR with each file's mtime and checksum.
snap() { (cd "$1" && find . | LC_ALL=C sort && find . -type f | LC_ALL=C sort |
	xargs ls -l --time-style=+%s | awk '{print $1, $6, $7}' &&
	find . -type f | LC_ALL=C sort | xargs sha256sum); }

# field ADDR KEY [FILE]: the value of KEY of the device at ADDR in a snapshot, unquoted.
field() {
	awk -v a="- address: \"$1\"" -v k="  $2: " '
		$0 == a { on = 1; next } /^- / { on = 0 }
		on && index($0, k) == 1 { v = substr($0, length(k) + 1); gsub(/"/, "", v); print v; exit }
	' "${3:-$W/hardware.yaml}"
}
# record ADDR [FILE]: the manifest line the snapshot's device at ADDR calls for.
record() {
	cls=$(field "$1" class "$2"); cls=${cls#0x}
	echo "device $1 $(field "$1" id "$2") $cls $(field "$1" subsystem "$2")"
}
# setfield ADDR KEY VALUE: change KEY of the device at ADDR in $W/hardware.yaml.
setfield() {
	awk -v a="- address: \"$1\"" -v k="  $2: " -v val="\"$3\"" '
		$0 == a { on = 1 } /^- / && $0 != a { on = 0 }
		on && index($0, k) == 1 { $0 = k val } { print }
	' "$W/hardware.yaml" > "$W/hw.tmp" && mv "$W/hw.tmp" "$W/hardware.yaml"
}

# ---- the record ----
rc_is "ident: a first build into a new folder passes" 0 vfioc build "$W/host.yaml" -o "$out"
for a in 0000:01:00.0 0000:01:00.1 0000:02:00.0; do
	has "ident: the manifest records $a as the snapshot has it" "^$(record $a)\$" "$out/.vfioc-manifest"
done
n=$(grep -c '^device ' "$out/.vfioc-manifest")
expect "ident: one record per passed device, no other ($n)" test "$n" -eq 3
grep '^device ' "$out/.vfioc-manifest" | cut -d' ' -f2 > "$TMP/addrs"
LC_ALL=C sort -u "$TMP/addrs" > "$TMP/addrs.sorted"
same "ident: records are in address order, each once" "$TMP/addrs.sorted" "$TMP/addrs"
grep '^device ' "$out/.vfioc-manifest" > "$TMP/recs"
grep '^device ' "$seed/generated/.vfioc-manifest" > "$TMP/recs.committed"
same "ident: examples/seed's committed manifest has the same records" "$TMP/recs.committed" "$TMP/recs"

# ---- control: the same hardware builds, and --check is clean ----
snap "$out" > "$TMP/s1"
rc_is "ident: the same hardware builds again" 0 vfioc build "$W/host.yaml" -o "$out"
lacks "ident: and says nothing about hardware" "hardware-changed|board-changed" "$TMP/rc.err"
rc_is "ident: build --check with the same hardware is clean" 0 vfioc build --check "$W/host.yaml" -o "$out"
snap "$out" > "$TMP/s2"
same "ident: an unchanged rebuild touches nothing" "$TMP/s1" "$TMP/s2"

# ---- the card moved: another GPU sits at 01:00.0 now ----
was=$(field 0000:01:00.0 id)
setfield 0000:01:00.0 id 10de:2204
setfield 0000:01:00.0 subsystem 10de:1454
rc_is "ident: another device at a passed address fails the build" 1 vfioc build "$W/host.yaml" -o "$out"
has "ident: the error says what was there and what is there now" \
	"error: 0000:01:00.0 was $was \(VGA\) at the last build, is now 10de:2204 \(VGA\) \[hardware-changed\]" "$TMP/rc.err"
has "ident: a note names the VM and the manifest" "note: VM 'win10' passes 0000:01:00.0; .*out/.vfioc-manifest records" "$TMP/rc.err"
has "ident: the hint says how to accept it" "hint: .*at its new address.*vfioc build .*host.yaml -o .*out --accept-hardware-change" "$TMP/rc.err"
n=$(grep -c 'hardware-changed' "$TMP/rc.err")
expect "ident: only the changed device is named ($n)" test "$n" -eq 1
snap "$out" > "$TMP/s3"
same "ident: nothing was written" "$TMP/s1" "$TMP/s3"
rc_is "ident: build --check fails the same way" 1 vfioc build --check "$W/host.yaml" -o "$out"
has "ident: build --check names the change" "0000:01:00.0 was $was .* is now 10de:2204 .*\[hardware-changed\]" "$TMP/rc.err"
lacks "ident: build --check stops there (no stale-output noise)" "stale-output" "$TMP/rc.err"
rc_is "ident: --format json carries the code" 1 vfioc build --format json "$W/host.yaml" -o "$out"
has "ident: json names hardware-changed, on standard output" '"code": *"hardware-changed"' "$TMP/rc.out"
expect "ident: json writes nothing on standard error" test ! -s "$TMP/rc.err"

# The device no longer passed: not an error (the config no longer names 01:00.x).
grep -v '01:00\.[01] ' "$W/host.yaml" > "$W/nogpu.yaml"
expect "ident: the control config still passes the NVMe" grep -q '144d:a80a' "$W/nogpu.yaml"
rc_is "ident: a device removed from the config is no error" 0 vfioc build "$W/nogpu.yaml" -o "$out"
lacks "ident: nothing said about it" "hardware-changed" "$TMP/rc.err"
lacks "ident: its record goes with it" "^device 0000:01:00" "$out/.vfioc-manifest"
has "ident: the NVMe's record stays" "^$(record 0000:02:00.0)\$" "$out/.vfioc-manifest"

# ---- accepting it ----
rm -rf "$out"
cp "$W/hardware.orig" "$W/hardware.yaml"
vfioc build "$W/host.yaml" -o "$out" 2> /dev/null
setfield 0000:01:00.0 id 10de:2204
setfield 0000:01:00.0 subsystem 10de:1454
rc_is "ident: --accept-hardware-change builds" 0 vfioc build --accept-hardware-change "$W/host.yaml" -o "$out"
lacks "ident: and says nothing about the change" "hardware-changed" "$TMP/rc.err"
has "ident: the manifest records what is there now" "^device 0000:01:00.0 10de:2204 030000 10de:1454\$" "$out/.vfioc-manifest"
has "ident: kernel-cmdline passes the new card's ID" "10de:2204" "$out/kernel-cmdline"
rc_is "ident: the next build passes without the flag" 0 vfioc build "$W/host.yaml" -o "$out"
rc_is "ident: and build --check is clean" 0 vfioc build --check "$W/host.yaml" -o "$out"
cp "$W/hardware.orig" "$W/hardware.yaml"
rc_is "ident: putting the old card back is a change too" 1 vfioc build "$W/host.yaml" -o "$out"
has "ident: named the other way round" "0000:01:00.0 was 10de:2204 \(VGA\) at the last build, is now $was \(VGA\)" "$TMP/rc.err"

# A class change of the same vendor:device (a prog-if or subclass flip): the codes are shown
# when the short names agree.
rm -rf "$out"
vfioc build "$W/host.yaml" -o "$out" 2> /dev/null
setfield 0000:01:00.1 class 0x040100
rc_is "ident: another class at the same ID fails" 1 vfioc build "$W/host.yaml" -o "$out"
has "ident: both classes are spelt out" "0000:01:00.1 was $(field 0000:01:00.1 id) \(audio 0403\) at the last build, is now $(field 0000:01:00.1 id) \(audio 0401\)" "$TMP/rc.err"

# ---- another board of the same chip: a warning, recorded by the build ----
rm -rf "$out"
cp "$W/hardware.orig" "$W/hardware.yaml"
vfioc build "$W/host.yaml" -o "$out" 2> /dev/null
oldsub=$(field 0000:01:00.0 subsystem)
setfield 0000:01:00.0 subsystem 1da2:e445
snap "$out" > "$TMP/b1"
rc_is "ident: --werror stops on another board" 1 vfioc build --werror "$W/host.yaml" -o "$out"
has "ident: the warning names both boards" "warning: 0000:01:00.0 is $was \(VGA\) as at the last build, but another board: subsystem 1da2:e445, was $oldsub \[board-changed\]" "$TMP/rc.err"
snap "$out" > "$TMP/b2"
same "ident: --werror wrote nothing" "$TMP/b1" "$TMP/b2"
rc_is "ident: without --werror another board builds" 0 vfioc build "$W/host.yaml" -o "$out"
has "ident: it warns" "board-changed" "$TMP/rc.err"
has "ident: and records the new board" "^device 0000:01:00.0 $was 030000 1da2:e445\$" "$out/.vfioc-manifest"
rc_is "ident: the next build is quiet" 0 vfioc build "$W/host.yaml" -o "$out"
lacks "ident: no warning the second time" "board-changed" "$TMP/rc.err"

# ---- --root: the live hardware source works the same ----
R=$(hwcopy seed ident-root)
rr=$W/rootout
rc_is "ident: a build from --root" 0 vfioc build --root "$R" "$W/host.yaml" -o "$rr"
dev=$R/sys/bus/pci/devices/0000:01:00.0
[ -e "$dev/device" ] || dev=$(find "$R/sys/devices" -type d -name 0000:01:00.0 | head -1)
expect "ident: the root has the device's files" test -f "$dev/device"
has "ident: --root: the record has the root's vendor:device" "^device 0000:01:00.0 $(sed 's/^0x//' "$dev/vendor"):$(sed 's/^0x//' "$dev/device") " "$rr/.vfioc-manifest"
echo 0x67b1 > "$dev/device"
rc_is "ident: --root: another device ID at 01:00.0 fails" 1 vfioc build --root "$R" "$W/host.yaml" -o "$rr"
has "ident: --root: named" "0000:01:00.0 was .* at the last build, is now 1002:67b1 \(VGA\) \[hardware-changed\]" "$TMP/rc.err"

# ---- a hostile manifest ----
cp "$W/hardware.orig" "$W/hardware.yaml"
fresh() { rm -rf "$out"; vfioc build "$W/host.yaml" -o "$out" 2> /dev/null; }
# hostile NAME [PATTERN]: the build and build --check refuse the manifest within 60 s, naming
# it (and PATTERN: why) and the way out, with nothing written; --accept-hardware-change then
# writes a real one.
hostile() {
	snap "$out" > "$TMP/h1" 2> /dev/null
	rc_is "hostile-manifest: $1: build refuses it" 1 timeout 60 "$VFIOC" build "$W/host.yaml" -o "$out"
	has "hostile-manifest: $1: the error names the manifest [manifest-invalid]" "out/\.vfioc-manifest.*\[manifest-invalid\]" "$TMP/rc.err"
	[ -z "$2" ] || has "hostile-manifest: $1: it says why" "$2" "$TMP/rc.err"
	has "hostile-manifest: $1: the hint says how out" "accept-hardware-change" "$TMP/rc.err"
	lacks "hostile-manifest: $1: nothing of it is quoted back" "$(printf '\033')|GARBAGE" "$TMP/rc.err"
	snap "$out" > "$TMP/h2" 2> /dev/null
	same "hostile-manifest: $1: nothing was written" "$TMP/h1" "$TMP/h2"
	rc_is "hostile-manifest: $1: build --check refuses it" 1 timeout 60 "$VFIOC" build --check "$W/host.yaml" -o "$out"
	has "hostile-manifest: $1: --check says so" "manifest-invalid" "$TMP/rc.err"
	rc_is "hostile-manifest: $1: --accept-hardware-change builds" 0 timeout 60 "$VFIOC" build --accept-hardware-change "$W/host.yaml" -o "$out"
	expect "hostile-manifest: $1: the manifest is a regular file again" test -f "$out/.vfioc-manifest" -a ! -L "$out/.vfioc-manifest"
	has "hostile-manifest: $1: with its records" "^$(record 0000:01:00.0)\$" "$out/.vfioc-manifest"
}
fresh
{ printf 'GARBAGE\033[2J\n'; head -c 4096 /dev/urandom; printf '\0device x\n'; } > "$out/.vfioc-manifest"
hostile "garbage with a NUL byte" ":[0-9]+: holds a NUL byte"
fresh
truncate -s 17M "$out/.vfioc-manifest"
hostile "17 MiB" "is larger than the 16 MiB vfioc reads"
fresh
rm "$out/.vfioc-manifest"
ln -s /dev/zero "$out/.vfioc-manifest"
hostile "a symlink to /dev/zero" "is a symlink, not a file"
expect "hostile-manifest: /dev/zero is still there" test -c /dev/zero
fresh
echo "$(record 0000:01:00.0)" > "$TMP/elsewhere-manifest"
rm "$out/.vfioc-manifest"
ln -s "$TMP/elsewhere-manifest" "$out/.vfioc-manifest"
hostile "a symlink to a valid manifest elsewhere" "is a symlink"
expect "hostile-manifest: the link's target is untouched" grep -qx "$(record 0000:01:00.0)" "$TMP/elsewhere-manifest"
fresh
rm "$out/.vfioc-manifest"
mkfifo "$out/.vfioc-manifest"
hostile "a FIFO" "is not a regular file"
fresh
grep -v '^device 0000:01:00.0' "$out/.vfioc-manifest" > "$TMP/m" && cat "$TMP/m" > "$out/.vfioc-manifest"
printf 'device 0000:01:00.0 1002:67b0 030000 -\ndevice 0000:01:00.0 10de:2204 030000 -\n' >> "$out/.vfioc-manifest"
hostile "the same address twice" "records 0000:01:00.0 twice"
for bad in 'device 0000:01:00.0 1002:67b0 030000' 'device 0000:01:00.0 1002:67b0 30000 -' \
	   'device 0000:01:00.0  1002:67b0 030000 -' 'device 01:00.0 1002:67b0 030000 -' \
	   'device 0000:01:00.0 1002:67b0 030000 - GARBAGE' 'device 0000:01:00.0 1002:67bg 030000 -' \
	   "device 0000:01:00.0 1002:67b0 030000 -$(printf '\r')" 'device 0000:01:00.0 1002:67b0 030000 0000:0000'; do
	fresh
	grep -v '^device 0000:01:00.0' "$out/.vfioc-manifest" > "$TMP/m"
	line=$(($(wc -l < "$TMP/m") + 1))
	{ cat "$TMP/m"; echo "$bad"; } > "$out/.vfioc-manifest"
	hostile "'$bad'" "out/\.vfioc-manifest:$line: is not a device record"
done

# Manifests without records compare nothing: an older vfioc's, or one that lists files only.
fresh
grep -v '^device ' "$out/.vfioc-manifest" > "$TMP/m" && cat "$TMP/m" > "$out/.vfioc-manifest"
setfield 0000:01:00.0 id 10de:2204
rc_is "ident: a manifest without records (an older vfioc) compares nothing" 0 vfioc build "$W/host.yaml" -o "$out"
has "ident: and gets its records" "^device 0000:01:00.0 10de:2204 " "$out/.vfioc-manifest"
rm "$out/.vfioc-manifest"
cp "$W/hardware.orig" "$W/hardware.yaml"
rc_is "ident: no manifest (a first build) compares nothing" 0 vfioc build "$W/host.yaml" -o "$out"
