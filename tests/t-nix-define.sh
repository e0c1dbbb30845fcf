# t-nix-define: the vfioc-define-domains service of the generated vfio.nix. Its script is
# taken from evaluating the module vfioc builds (tests/nix/eval.nix) and run as NixOS runs it
# (bash -e, $STATE_DIRECTORY set by StateDirectory=) against a fake virsh that records calls
# (tests/nix/fake-virsh), through a sequence of configs: VMs are defined; a VM removed from
# the config is undefined with its NVRAM and TPM state kept (deleted only with
# host.libvirt.delete-removed-state); domains defined by hand are never touched; a failed
# undefine is tried again; nothing ever starts, stops or restarts a guest or libvirtd. The
# unit itself never restarts libvirtd. Then the same script against the real libvirt (Debian's
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
: > "$TMP/libvirt/manual"   # a domain the user defined by hand
export FAKE_LIBVIRT=$TMP/libvirt

# config NAME [delete]: the example with both VMs (NAME=both) or without `web` (NAME=db),
# with host.libvirt.delete-removed-state: true when asked.
config() {
	if [ "$1" = both ]; then cp "$ex/host.yaml" "$W/host.yaml"
	else sed '/^  web:/,$d' "$ex/host.yaml" > "$W/host.yaml"; fi
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

state() { expect "nix-define: $1" test "$(tr '\n' ' ' < "$TMP/state/defined-domains")" = "$2"; }
domains() { expect "nix-define: $1" test "$(ls "$TMP/libvirt" | tr '\n' ' ')" = "$2"; }

config both
run "first switch" &&
	calls "first switch defines both VMs" "define STORE/db.xml
autostart db
define STORE/web.xml
autostart web
" && state "the names it defined are kept" "db web " && domains "both defined" "db manual web "

config db
run "web removed" &&
	calls "web removed: undefined, NVRAM and TPM kept" "list --all --name
undefine --keep-nvram --keep-tpm web
define STORE/db.xml
autostart db
" && state "web left the list" "db " && domains "web undefined, manual kept" "db manual "

run "same config again" &&
	calls "same config again: nothing undefined" "list --all --name
define STORE/db.xml
autostart db
"

# A removed VM the user already undefined: no call for it, no failure.
config both; run "web back"
rm "$TMP/libvirt/web"
config db
run "web removed after a hand undefine" &&
	calls "no undefine of a domain that is gone" "list --all --name
define STORE/db.xml
autostart db
" && state "a gone domain leaves the list" "db "

# A failing undefine does not fail the switch; the name stays to be tried again.
config both; run "web back again"
config db
export FAKE_VIRSH_FAIL=web
run "undefine fails"
unset FAKE_VIRSH_FAIL
state "a failed undefine keeps the name" "web db "
domains "web still defined" "db manual web "
run "undefine tried again" &&
	calls "undefine tried again" "list --all --name
undefine --keep-nvram --keep-tpm web
define STORE/db.xml
autostart db
"

# Asked to delete the state of removed VMs.
config both delete; run "with delete-removed-state"
config db delete
run "web removed, state deleted" &&
	calls "delete-removed-state: undefine --nvram --tpm" "list --all --name
undefine --nvram --tpm web
define STORE/db.xml
autostart db
"
expect "nix-define: the hand-defined domain was never touched" test -f "$TMP/libvirt/manual"
if grep -q ' manual$' "$TMP/all.log"; then fail "nix-define: no call names the hand-defined domain"
else pass "nix-define: no call names the hand-defined domain"; fi

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
rm -f "$TMP/state/defined-domains"
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
config db delete
run "real libvirt, linux removed, state deleted" &&
	expect "nix-define: real libvirt: linux undefined again" test "$(listr)" = "manual win10 "
expect "nix-define: real libvirt: delete-removed-state deletes linux's NVRAM file" \
	test ! -e "$REAL/nvram/linux_VARS.fd"
