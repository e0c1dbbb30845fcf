# t-nix-define: the vfioc-define-domains service of the generated vfio.nix. Its script is
# taken from evaluating the module vfioc builds (tests/nix/eval.nix) and run as NixOS runs it
# (bash -e, $STATE_DIRECTORY set by StateDirectory=) against a fake virsh that records calls
# (tests/nix/fake-virsh, which looks a domain up as virsh does: ID, then UUID, then name;
# compared here with Debian's virsh), through a sequence of configs: VMs are defined; a VM
# removed from the config is undefined with its NVRAM and TPM state kept (deleted only with
# host.libvirt.delete-removed-state); domains defined by hand are never touched; a failed
# undefine is tried again; nothing ever starts, stops or restarts a guest or libvirtd. virsh
# is given UUIDs only: a hand-made domain running with ID 1 is never reached through a VM
# once named "1", and a state kept by name (before the UUIDs) is read by exact name. A VM
# renamed with its uuid kept is redefined, its state kept. The unit itself never restarts
# libvirtd. Then the same script against the real libvirt (Debian's
# virsh and a session libvirtd, tests/nix/real-virsh): a removed UEFI VM is undefined with its
# NVRAM file kept, or deleted when asked, and a domain defined by hand stays.
. ./lib.sh

ex=$TESTS_DIR/../examples/headless-server
for tool in nix-instantiate python3 bash; do
	command -v $tool > /dev/null || { fail "nix-define: $tool is installed"; exit 0; }
done

W=$TMP/w
mkdir -p "$W" "$TMP/bin" "$TMP/libvirt" "$TMP/state"
cp "$ex/hardware.yaml" "$W/"
ln -s "$TESTS_DIR/nix/fake-virsh" "$TMP/bin/virsh"
# Anything that would restart a unit goes through systemctl: record it.
printf '#!/bin/sh\necho "$*" >> "%s"\n' "$TMP/systemctl.log" > "$TMP/bin/systemctl"
chmod +x "$TMP/bin/systemctl"
: > "$TMP/systemctl.log"
: > "$TMP/all.log"
# A domain the user defined by hand, running as ID 1.
MANUAL=0b5e1a1e-0000-4000-8000-000000000001
echo "$MANUAL 1" > "$TMP/libvirt/manual"
export FAKE_LIBVIRT=$TMP/libvirt

# config NAME [delete]: the example with both VMs (NAME=both), without `web` (NAME=db), or
# with `web` renamed `web2` and its uuid set to web's (NAME=renamed), with
# host.libvirt.delete-removed-state: true when asked.
config() {
	case $1 in
	both) cp "$ex/host.yaml" "$W/host.yaml" ;;
	db) sed '/^  web:/,$d' "$ex/host.yaml" > "$W/host.yaml" ;;
	renamed) sed "s/^  web:/  web2:\n    uuid: \"$UWEB\"/" "$ex/host.yaml" > "$W/host.yaml" ;;
	esac
	if [ "${2:-}" = delete ]; then
		sed -i 's/^  libvirt:$/  libvirt:\n    delete-removed-state: true/' "$W/host.yaml"
	fi
}

# run LABEL: build, evaluate, run the service's script; its calls end up in $TMP/calls.
run() {
	rm -f "$TMP/calls"
	if ! vfioc build "$W/host.yaml" -o "$W/generated" 2> "$TMP/err"; then
		fail "nix-define: $1: builds"; cat "$TMP/err" >&2; return 1
	fi
	if ! nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix \
		--arg module "$W/generated/vfio.nix" --argstr release "${REL:-25.11}" > "$TMP/eval.json" 2> "$TMP/err"; then
		fail "nix-define: $1: evaluates"; head -5 "$TMP/err" >&2; return 1
	fi
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["systemd"]["services"]["vfioc-define-domains"]["script"], end="")' \
		"$TMP/eval.json" > "$TMP/script.sh"
	: > "$TMP/calls"
	if FAKE_VIRSH_LOG=$TMP/calls FAKE_DOMAINS=$W/generated/domains STATE_DIRECTORY=$TMP/state \
		PATH="${BIN:-$TMP/bin}:$PATH" bash -e "$TMP/script.sh" > "$TMP/run.out" 2>&1; then
		pass "nix-define: $1: the script succeeds"
	else
		fail "nix-define: $1: the script succeeds"; cat "$TMP/run.out" >&2
	fi
	cat "$TMP/calls" >> "$TMP/all.log"
}

# calls LABEL EXPECTED: the recorded calls, one per line, with the store hashes cut.
calls() {
	sed 's|/nix/store/[a-z0-9]*-|STORE/|' "$TMP/calls" > "$TMP/calls.cut"
	printf '%s' "$2" > "$TMP/calls.want"
	same "nix-define: $1" "$TMP/calls.want" "$TMP/calls.cut"
}

state() { expect "nix-define: $1" test "$(tr '\n' ' ' < "$TMP/state/defined-uuids")" = "$2"; }
# uuid_of NAME: the UUID of the domain vfioc wrote for VM NAME.
uuid_of() { sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' "$W/generated/domains/$1.xml"; }
domains() { expect "nix-define: $1" test "$(ls "$TMP/libvirt" | tr '\n' ' ')" = "$2"; }

config both
run "first switch"
UDB=$(uuid_of db) UWEB=$(uuid_of web)
calls "first switch defines both VMs, autostart by UUID" "define STORE/db.xml
autostart $UDB
define STORE/web.xml
autostart $UWEB
" && state "the UUIDs it defined are kept" "$UDB $UWEB " && domains "both defined" "db manual web "

config db
run "web removed" &&
	calls "web removed: undefined by UUID, NVRAM and TPM kept" "list --all --uuid --name
undefine --keep-nvram --keep-tpm $UWEB
define STORE/db.xml
autostart $UDB
" && state "web left the list" "$UDB " && domains "web undefined, manual kept" "db manual "

run "same config again" &&
	calls "same config again: nothing undefined" "list --all --uuid --name
define STORE/db.xml
autostart $UDB
"

# A removed VM the user already undefined: no call for it, no failure.
config both; run "web back"
rm "$TMP/libvirt/web"
config db
run "web removed after a hand undefine" &&
	calls "no undefine of a domain that is gone" "list --all --uuid --name
define STORE/db.xml
autostart $UDB
" && state "a gone domain leaves the list" "$UDB "

# A failing undefine does not fail the switch; the UUID stays to be tried again.
config both; run "web back again"
config db
export FAKE_VIRSH_FAIL=web
run "undefine fails"
unset FAKE_VIRSH_FAIL
state "a failed undefine keeps the UUID" "$UWEB $UDB "
domains "web still defined" "db manual web "
run "undefine tried again" &&
	calls "undefine tried again" "list --all --uuid --name
undefine --keep-nvram --keep-tpm $UWEB
define STORE/db.xml
autostart $UDB
"

# Asked to delete the state of removed VMs.
config both delete; run "with delete-removed-state"
config db delete
run "web removed, state deleted" &&
	calls "delete-removed-state: undefine --nvram --tpm" "list --all --uuid --name
undefine --nvram --tpm $UWEB
define STORE/db.xml
autostart $UDB
"

# web renamed web2 with its uuid kept: libvirt refuses to define a UUID it has under another
# name, so the old domain is undefined first, its NVRAM and TPM kept even with
# delete-removed-state (the VM was not removed).
config both delete; run "web back, delete-removed-state"
config renamed delete
run "web renamed web2, its uuid kept" &&
	calls "renamed: undefined keeping its state, then defined under the new name" "list --all --uuid --name
undefine --keep-nvram --keep-tpm $UWEB
define STORE/db.xml
autostart $UDB
define STORE/web2.xml
autostart $UWEB
" && domains "renamed: web2 defined, web gone" "db manual web2 "
config both; run "web back from web2"
domains "web back from web2" "db manual web "

# A state kept by name, as the service kept it before the UUIDs: each name is the UUID
# libvirt lists with exactly that name. VM "1" was allowed then (vfioc refuses it now); the
# user renamed it, and the hand-made domain runs with ID 1.
echo "11111111-2222-3333-4444-555555555555" > "$TMP/libvirt/1"
rm "$TMP/state/defined-uuids"
printf 'db\n1\nweb\n' > "$TMP/state/defined-domains"
# The control: the name the old script handed virsh reaches the domain with ID 1.
cp -a "$TMP/libvirt" "$TMP/libvirt-control"
FAKE_LIBVIRT=$TMP/libvirt-control FAKE_VIRSH_LOG=/dev/null "$TESTS_DIR/nix/fake-virsh" \
	undefine --keep-nvram --keep-tpm 1 > /dev/null 2>&1
expect "nix-define: control: 'virsh undefine 1' undefines the domain running as ID 1, not '1'" \
	test "$(ls "$TMP/libvirt-control" | tr '\n' ' ')" = "1 db web "
rm -r "$TMP/libvirt-control"
config db delete
run "old state by name, VM 1 and web removed" &&
	calls "old state: '1' and web undefined by their UUIDs, never by name" "list --all --uuid --name
undefine --nvram --tpm 11111111-2222-3333-4444-555555555555
undefine --nvram --tpm $UWEB
define STORE/db.xml
autostart $UDB
" && state "old state: the new one holds UUIDs" "$UDB " &&
	domains "old state: the domain with ID 1 stays" "db manual "
expect "nix-define: old state: the name list is gone" test ! -e "$TMP/state/defined-domains"

expect "nix-define: the hand-defined domain was never touched" test -f "$TMP/libvirt/manual"
if grep -Eq " (manual|1|$MANUAL)\$" "$TMP/all.log"; then
	fail "nix-define: no call names the hand-defined domain, its UUID or its ID"
else pass "nix-define: no call names the hand-defined domain, its UUID or its ID"; fi

# Nothing starts, stops, saves or restarts a guest, and no unit is restarted.
bad=$(grep -Ev '^(define|autostart|undefine|list) ' "$TMP/all.log")
expect "nix-define: only define, autostart, undefine and list are called${bad:+ (also: $bad)}" test -z "$bad"
expect "nix-define: systemctl is never called" test ! -s "$TMP/systemctl.log"

# Every option the script gives virsh exists in the real virsh (Debian's libvirt-clients).
if command -v virsh > /dev/null; then
	sed 's| /nix/store/.*||' "$TMP/all.log" | sort -u | while read -r cmd args; do
		help=$(virsh help "$cmd" 2>&1)
		for a in $args; do
			case $a in --*)
				case $help in *"[$a]"* | *"$a "*) ;;
				*) echo "virsh $cmd has no $a" ;; esac ;;
			esac
		done
	done > "$TMP/opts"
	expect "nix-define: the real virsh knows every option used$(tr '\n' ';' < "$TMP/opts")" test ! -s "$TMP/opts"
else
	fail "nix-define: virsh is installed (apt-get install libvirt-clients)"
fi

# The fake's lookup against real virsh's (libvirt's test driver, in-process: its domain
# "test" runs as ID 1 with UUID 6695eb01-...), for arguments that read as IDs, UUIDs and
# names, with domains named "1", "2" and like test's UUID defined beside it. Also: libvirt
# refuses '/' in a domain name (the define script's fate() relies on it).
if command -v virsh > /dev/null; then
	L=$TMP/lookup
	mkdir -p "$L/fake"
	TESTUUID=6695eb01-f6a4-8304-79aa-97f2502e193f
	echo "$TESTUUID 1" > "$L/fake/test"
	n=0
	for d in "1 11111111-2222-3333-4444-555555555555" "2 22222222-2222-3333-4444-555555555555" \
		"$TESTUUID 33333333-2222-3333-4444-555555555555" "a/b 44444444-2222-3333-4444-555555555555"; do
		set -- $d
		n=$((n + 1))
		printf "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>1024</memory><os><type>hvm</type></os></domain>\n" \
			"$1" "$2" > "$L/d$n.xml"
		[ "$1" = a/b ] || echo "$2" > "$L/fake/$1"
	done
	virsh -c test:///default "define $L/d4.xml" > "$L/slash.out" 2>&1
	has "nix-define: libvirt refuses '/' in a domain name" "name a/b cannot contain '/'" "$L/slash.out"
	: > "$L/differ"
	for arg in 1 " 1" +1 01 -0 2 test "$TESTUUID" 6695EB01-F6A4-8304-79AA-97F2502E193F \
		"6695eb01 f6a4 8304 79aa 97f2502e193f" 6695eb01f6a4830479aa97f2502e193f \
		33333333-2222-3333-4444-555555555555 "-6695eb01f6a4830479aa97f2502e193f---" 1a; do
		real=$(virsh -c test:///default "define $L/d1.xml; define $L/d2.xml; define $L/d3.xml; dominfo --domain '$arg'" 2>&1 |
			grep -E '^(Name:|error: failed to get)')
		fake=$(FAKE_LIBVIRT=$L/fake FAKE_VIRSH_LOG=/dev/null "$TESTS_DIR/nix/fake-virsh" dominfo --domain "$arg" 2>&1)
		[ "$real" = "$fake" ] || echo "'$arg': virsh: $real; fake: $fake" >> "$L/differ"
		case $arg in 1) one=$real ;; esac
	done
	expect "nix-define: the fake looks domains up as virsh does$(tr '\n' ';' < "$L/differ")" test ! -s "$L/differ"
	expect "nix-define: virsh reads '1' as the ID of 'test', not the domain named '1'" \
		test "$one" = "Name:           test"
fi

# The unit: ordered after libvirtd without restarting it, its state directory set, and the
# module defines no other unit (libvirtd's own, restartIfChanged = false in NixOS, is left
# alone).
python3 - "$TMP/eval.json" > "$TMP/unit.out" 2>&1 <<'PY' || echo "FAIL nix-define: unit checker crashed" >> "$TMP/unit.out"
import json, sys
ev = json.load(open(sys.argv[1]))
services = ev["systemd"]["services"]
u = services["vfioc-define-domains"]
def check(name, cond, why=""):
    print(("ok nix-define: %s" % name) if cond else ("FAIL nix-define: %s: %s" % (name, why)))
check("the module defines only its own unit", sorted(services) == ["vfioc-define-domains"], sorted(services))
check("after libvirtd", u.get("after") == ["libvirtd.service"], u.get("after"))
check("no bindsTo, partOf or restartTriggers",
      not set(u) & {"bindsTo", "partOf", "restartTriggers", "reloadTriggers", "upholds"}, sorted(u))
sc = u.get("serviceConfig", {})
check("a oneshot that stays active", sc.get("Type") == "oneshot" and sc.get("RemainAfterExit") is True, sc)
check("its state directory is /var/lib/vfioc", sc.get("StateDirectory") == "vfioc", sc)
PY
report_lines "$TMP/unit.out"

# The real libvirt: a session libvirtd of its own (as nobody when root), the seed (25.05,
# NVRAM files at explicit paths) with a second VM.
for tool in libvirtd virsh setpriv; do
	command -v $tool > /dev/null ||
		{ fail "nix-define: $tool is installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86)"; exit 0; }
done
REAL=$(mktemp -d "${TMPDIR:-/tmp}/vfioc-libvirt.XXXXXX")
chmod 755 "$REAL"
mkdir -p "$REAL/home" "$REAL/run" "$REAL/cfg" "$REAL/cache" "$REAL/nvram" "$REAL/xml"
chmod 700 "$REAL/run"
[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$REAL/home" "$REAL/run" "$REAL/cfg" "$REAL/cache" "$REAL/nvram"
export REAL
stop_libvirtd() {
	pid=$(cat "$REAL/run/libvirt/libvirtd.pid" 2> /dev/null) && kill "$pid" 2> /dev/null
	rm -rf "$REAL"
}
trap 'stop_libvirtd; rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$TMP/realbin"
ln -s "$TESTS_DIR/nix/real-virsh" "$TMP/realbin/virsh"
rm -f "$TMP/state/defined-domains" "$TMP/state/defined-uuids"
seed=$TESTS_DIR/../examples/seed
cp "$seed/hardware.yaml" "$W/"
config() {
	{ cat "$seed/host.yaml"; printf '  linux:\n    memory: 2GiB\n    vcpus: 2\n    firmware: uefi\n'; } > "$W/host.yaml"
	[ "$1" = both ] || sed -i '/^  linux:$/,$d' "$W/host.yaml"
	if [ "${2:-}" = delete ]; then
		sed -i 's/^  libvirt:$/  libvirt:\n    delete-removed-state: true/' "$W/host.yaml"
	fi
}
virshr() { FAKE_VIRSH_LOG=$TMP/hand.log "$TMP/realbin/virsh" "$@"; }
listr() { virshr list --all --name 2> "$TMP/err" | grep . | sort | tr '\n' ' '; }
sed -e 's|<name>win10</name>|<name>manual</name>|' -e '/<uuid>/d' -e '/<mac /d' \
	-e 's/<domain type="kvm">/<domain type="qemu">/' -e "s|/var/lib/libvirt/qemu/nvram/win10|$REAL/nvram/manual|" \
	"$seed/generated/domains/win10.xml" > "$REAL/xml/manual.xml"
if virshr define "$REAL/xml/manual.xml" > "$TMP/out" 2>&1; then
	pass "nix-define: real libvirt: a session libvirtd defines a domain by hand"
else
	fail "nix-define: real libvirt: a session libvirtd defines a domain by hand"; cat "$TMP/out" >&2; exit 0
fi
export BIN=$TMP/realbin REL=25.05
config both
run "real libvirt, first switch" &&
	expect "nix-define: real libvirt: both VMs defined" test "$(listr)" = "linux manual win10 "
touch "$REAL/nvram/linux_VARS.fd"   # as a guest that ran once leaves it
config db
run "real libvirt, linux removed" &&
	expect "nix-define: real libvirt: linux undefined, the others stay" test "$(listr)" = "manual win10 "
expect "nix-define: real libvirt: linux's NVRAM file is kept" test -f "$REAL/nvram/linux_VARS.fd"
config both delete
run "real libvirt, linux back" &&
	expect "nix-define: real libvirt: linux defined again" test "$(listr)" = "linux manual win10 "
# The state as the service kept it before the UUIDs, by name: read against real virsh's list.
rm "$TMP/state/defined-uuids"
printf 'win10\nlinux\n' > "$TMP/state/defined-domains"
config db delete
run "real libvirt, linux removed, state deleted" &&
	expect "nix-define: real libvirt: linux undefined again" test "$(listr)" = "manual win10 "
expect "nix-define: real libvirt: delete-removed-state deletes linux's NVRAM file" \
	test ! -e "$REAL/nvram/linux_VARS.fd"
