# t-hooks: the libvirt hook scripts of examples/single-gpu, taken from its vfio.nix as Nix
# evaluates it (tests/nix/eval.nix), run the way libvirt runs them (SCRIPT DOMAIN OPERATION
# SUB-OPERATION -, empty environment) under sh and bash against a test root: sysfs and
# /run under a temporary directory (VFIOC_HOOK_ROOT), systemctl and modprobe replaced by
# scripts that log their arguments.
. ./lib.sh

ex=../examples/single-gpu
command -v nix-instantiate > /dev/null || { fail "hooks: nix-instantiate is installed"; exit 0; }
if ! nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$ex/generated/vfio.nix" \
	--argstr release 26.05 > "$TMP/eval.json" 2> "$TMP/eval.err"; then
	fail "hooks: single-gpu/vfio.nix evaluates"; head -5 "$TMP/eval.err" >&2; exit 0
fi
python3 - "$TMP/eval.json" "$TMP" <<'PY' || fail "hooks: the module sets the hooks"
import json, sys
hooks = json.load(open(sys.argv[1]))["virtualisation"]["libvirtd"]["hooks"]["qemu"]
for name in ("vfioc-single-gpu", "vfioc-isolate-cpus"):
    open("%s/%s" % (sys.argv[2], name), "w").write(hooks[name])
PY
for h in vfioc-single-gpu vfioc-isolate-cpus; do
	first=$(head -1 "$TMP/$h")
	case $first in
	'#!/nix/store/'*) pass "hooks: $h names its shell by store path ($first)" ;;
	*) fail "hooks: $h names its shell by store path (got '$first')" ;;
	esac
done

# The host's CPUs and the ones the config takes, for what AllowedCPUs must be.
all=$(sed -n 's/^  - {id: \([0-9]*\),.*/\1/p' "$ex/hardware.yaml" | tr '\n' ' ')
taken=$(sed -n 's/^  isolate-cpus-while-running: "\(.*\)".*/\1/p' "$ex/host.yaml")
# cpus LIST: "2-4,7" as "2 3 4 7".
cpus() {
	echo "$1" | tr ',' '\n' | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done | tr '\n' ' '
}
kept=""
for c in $all; do
	case " $(cpus "$taken") " in *" $c "*) ;; *) kept="$kept$c " ;; esac
done

# newroot: a fresh test root in $R with bound consoles and an EFI framebuffer, and fake
# systemctl/modprobe in $R/bin logging to $R/log (modprobe -r fails when $R/busy exists).
newroot() {
	R=$TMP/root.$1
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/run/libvirt/qemu" "$R/sys/bus/platform/drivers/efi-framebuffer/efi-framebuffer.0"
	for c in vtcon0 vtcon1; do mkdir -p "$R/sys/class/vtconsole/$c"; echo 1 > "$R/sys/class/vtconsole/$c/bind"; done
	: > "$R/sys/bus/platform/drivers/efi-framebuffer/unbind"
	: > "$R/sys/bus/platform/drivers/efi-framebuffer/bind"
	: > "$R/log"
	cat > "$R/bin/systemctl" <<EOS
#!/bin/sh
echo "systemctl \$*" >> "$R/log"
EOS
	cat > "$R/bin/modprobe" <<EOS
#!/bin/sh
echo "modprobe \$*" >> "$R/log"
[ "\$1" = -r ] && [ -e "$R/busy" ] && exit 1
exit 0
EOS
	# A hook must not call back into libvirt (libvirt's hooks.html: libvirtd waits for the
	# script, a deadlock is likely): a virsh here is logged to $TMP/virsh.log, never reset.
	cat > "$R/bin/virsh" <<EOS
#!/bin/sh
echo "virsh \$*" >> "$TMP/virsh.log"
EOS
	chmod +x "$R/bin/systemctl" "$R/bin/modprobe" "$R/bin/virsh"
}

# hook SHELL SCRIPT ARGS...: run it as libvirt does, in a bare environment.
hook() {
	sh_=$1 script=$2; shift 2
	env -i PATH="$R/bin:/usr/bin:/bin" VFIOC_HOOK_ROOT="$R" "$sh_" "$TMP/$script" "$@" - \
		> "$R/out" 2>&1
}

logged() { has "$1" "^$2\$" "$R/log"; }   # NAME LINE: the log has the line LINE

for sh_ in sh bash; do
	command -v $sh_ > /dev/null || continue
	newroot sg-$sh_
	hook $sh_ vfioc-single-gpu win11 prepare begin
	expect "hooks($sh_): prepare succeeds" test $? -eq 0
	logged "hooks($sh_): prepare stops the display manager" "systemctl stop display-manager.service"
	logged "hooks($sh_): prepare unloads nvidia" "modprobe -r nvidia"
	expect "hooks($sh_): the consoles are unbound" \
		test "$(cat "$R/sys/class/vtconsole/vtcon0/bind" "$R/sys/class/vtconsole/vtcon1/bind")" = "0
0"
	expect "hooks($sh_): the EFI framebuffer is unbound" \
		grep -qx efi-framebuffer.0 "$R/sys/bus/platform/drivers/efi-framebuffer/unbind"
	order=$(grep -c '' "$R/log")
	hook $sh_ vfioc-single-gpu win11 release end
	expect "hooks($sh_): release succeeds" test $? -eq 0
	logged "hooks($sh_): release loads nvidia again" "modprobe nvidia"
	expect "hooks($sh_): the consoles are bound again" \
		test "$(cat "$R/sys/class/vtconsole/vtcon0/bind" "$R/sys/class/vtconsole/vtcon1/bind")" = "1
1"
	expect "hooks($sh_): the EFI framebuffer is bound again" \
		grep -qx efi-framebuffer.0 "$R/sys/bus/platform/drivers/efi-framebuffer/bind"
	expect "hooks($sh_): the display manager starts last" \
		test "$(tail -1 "$R/log")" = "systemctl start display-manager.service"
	expect "hooks($sh_): release came after prepare" test "$(grep -c '' "$R/log")" -gt "$order"
	expect "hooks($sh_): no state is left" test ! -e "$R/run/vfioc/single-gpu-win11"

	# Another domain: nothing happens.
	newroot other-$sh_
	hook $sh_ vfioc-single-gpu other prepare begin
	expect "hooks($sh_): another VM leaves the host alone" test ! -s "$R/log"
	hook $sh_ vfioc-isolate-cpus other prepare begin
	expect "hooks($sh_): another VM keeps all CPUs" test ! -s "$R/log"

	# nvidia cannot be unloaded: the start is refused and the host gets its display back.
	newroot busy-$sh_
	touch "$R/busy"
	hook $sh_ vfioc-single-gpu win11 prepare begin
	expect "hooks($sh_): a GPU still in use stops the start" test $? -ne 0
	expect "hooks($sh_): ... and says why" grep -q "cannot unload nvidia" "$R/out"
	logged "hooks($sh_): ... and restarts the display manager" "systemctl start display-manager.service"
	expect "hooks($sh_): ... and rebinds the consoles" \
		test "$(cat "$R/sys/class/vtconsole/vtcon0/bind")" = 1

	# CPU isolation: the host keeps the CPUs the config does not take, then gets all back,
	# unless another VM still runs.
	newroot cpu-$sh_
	hook $sh_ vfioc-isolate-cpus win11 prepare begin
	got=$(sed -n 's/^systemctl set-property --runtime -- system.slice AllowedCPUs=//p' "$R/log")
	expect "hooks($sh_): while running the host keeps CPUs $kept" test "$(cpus "$got")" = "$kept"
	for u in user.slice init.scope; do
		logged "hooks($sh_): $u is restricted too" "systemctl set-property --runtime -- $u AllowedCPUs=$got"
	done
	: > "$R/log"
	touch "$R/run/libvirt/qemu/win11.pid" "$R/run/libvirt/qemu/other.pid"
	hook $sh_ vfioc-isolate-cpus win11 release end
	expect "hooks($sh_): another running VM keeps the isolation" test ! -s "$R/log"
	rm "$R/run/libvirt/qemu/other.pid"
	hook $sh_ vfioc-isolate-cpus win11 release end
	got=$(sed -n 's/^systemctl set-property --runtime -- system.slice AllowedCPUs=//p' "$R/log")
	expect "hooks($sh_): the last VM gives every CPU back" test "$(cpus "$got")" = "$all"
done
# The hooks match the domain on its name as libvirt passes it ($1), and never run virsh,
# so no name is ever read by virsh as an ID or a UUID.
if [ -s "$TMP/virsh.log" ]; then
	fail "hooks: no hook runs virsh ($(head -1 "$TMP/virsh.log"))"
else pass "hooks: no hook runs virsh"; fi
