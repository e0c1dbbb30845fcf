# 21-libvirt: the generated domains start with their devices passed, under libvirtd in the
# lab guest (Intel machine, snapshot from 10-layouts-intel). Two configs:
#   NixOS 25.05: VM "bios" (SeaBIOS) with the unique e1000 00:07.0, bind: boot (vfio-pci.ids,
#                bound by stage 1 at this boot, as in 20-binding); VM "sb2505" (UEFI, secure
#                boot: NixOS's OVMF files in /run/libvirt/nix-ovmf) with the e1000e behind the
#                root port 01:00.0, bind: managed
#   NixOS 25.11: VM "sb2511" (UEFI, secure boot: firmware chosen by libvirt from QEMU's
#                descriptors, as NixOS 25.11 ships them) with the e1000e 00:04.0, bind: managed
# In the guest: libvirtd and virtlogd from the host's root (tmpfs for their state, qemu.conf
# with namespaces = [] and user root, as NixOS's module writes with runAsRoot); each domain is
# defined, started, its device is a vfio-pci device of the nested QEMU (`info qtree`: host
# address and PCI ID), a managed device is on
# vfio-pci while it runs and back on its driver after `virsh destroy`. Domains are changed
# only where TCG needs it (tests/lab/tcg_domain.py).
. "$LAB_DIR/machines.sh"
snap=${LAB_INTEL_SNAPSHOT:-$LAB_WORK/intel.yaml}
if [ ! -s "$snap" ]; then
	fail "libvirt: needs the Intel machine's snapshot from 10-layouts-intel"
	exit 0
fi
d=$(newdir libvirt)
cp "$snap" "$d/hardware.yaml"  # a config's hardware: stays inside its folder
vm() {  # vm NAME FIRMWARE-LINES PCI-LINE
	printf '  %s:\n    memory: 256MiB\n    vcpus: 1\n    network: none\n    graphics: none\n' "$1"
	printf '%s\n    disks: [{ path: %s/%s.qcow2 }]\n    pci:\n      - %s\n' "$2" "$d" "$1" "$3"
}
{
	printf 'version: 1\nhardware: hardware.yaml\ntarget:\n  nixos: "25.05"\n'
	printf 'host:\n  libvirt: { ovmf: { secure-boot: true, tpm: false } }\nvms:\n'
	vm bios "    firmware: bios" "00:07.0"
	vm sb2505 "    secure-boot: true" "{ address: 01:00.0, bind: managed }"
} > "$d/lv-25.05.yaml"
{
	printf 'version: 1\nhardware: hardware.yaml\ntarget:\n  nixos: "25.11"\nvms:\n'
	vm sb2511 "    secure-boot: true" "{ address: 00:04.0, bind: managed }"
} > "$d/lv-25.11.yaml"
for rel in 25.05 25.11; do
	if ! "$VFIOC" build "$d/lv-$rel.yaml" -o "$d/out-$rel" 2> "$d/build.err"; then
		fail "libvirt: vfioc build for $rel"; sed 's/^/    /' "$d/build.err" >&2
		exit 0
	fi
done
mkdir -p "$d/domains"
for x in "$d"/out-*/domains/*.xml; do
	python3 "$LAB_DIR/tcg_domain.py" "$x" "$d/domains/$(basename "$x")"
done
for n in bios sb2505 sb2511; do qemu-img create -q -f qcow2 "$d/$n.qcow2" 64M; done
# Stage 1 of the 25.05 build binds the bind: boot device at this boot.
nix_eval "$d/out-25.05/vfio.nix" 25.05 false "$d/eval.json" 2> "$d/eval.err" ||
	{ fail "libvirt: vfio.nix evaluates"; sed 's/^/    /' "$d/eval.err" >&2; }
python3 "$LAB_DIR/stage1.py" "$d/eval.json" 25.05 "$d/stage1"
cat "$d/out-25.05/kernel-cmdline" > "$d/append"
echo 2048 > "$d/memory"
echo 2 > "$d/cpus"
# libvirtd probes QEMU, and each domain's QEMU runs under TCG inside TCG: the longest boot.
echo $((LAB_TIMEOUT * 2)) > "$d/timeout"
# What each domain must show: "NAME VENDOR:DEVICE... ADDR:DRIVER-AFTER|-" (the host driver
# a managed device returns to), from the snapshot.
python3 - "$snap" > "$d/expect" <<'P'
import sys, yaml
devs = {p["address"]: p for p in yaml.safe_load(open(sys.argv[1]))["pci"]}
for name, addr, managed in (("bios", "0000:00:07.0", False), ("sb2505", "0000:01:00.0", True),
                            ("sb2511", "0000:00:04.0", True)):
    print(name, devs[addr]["id"], addr, devs[addr].get("driver", "none") if managed else "-")
P
cat > "$d/guest.sh" <<G
CASE=libvirt; DIR="$d"
. ./guest-lib.sh
G
cat >> "$d/guest.sh" <<'G'
# qtree_has FILE ADDR ID: FILE (info qtree) has a vfio-pci device for host ADDR with that ID.
qtree_has() {
	awk -v addr="$2" -v id="$3" '
	/^ *dev: / { if (vfio && h && i) found = 1; vfio = /dev: vfio-pci/; h = 0; i = 0 }
	vfio && index($0, "host = \"" addr "\"") { h = 1 }
	vfio && index($0, "pci id " id) { i = 1 }
	END { if (vfio && h && i) found = 1; exit !found }' "$1"
}
stage1 stage1 scripted
expect "bios: its bind: boot device is on vfio-pci after stage 1" test "$(driver 0000:00:07.0)" = vfio-pci
modprobe -a vfio_pci vfio_iommu_type1
# libvirtd's state on tmpfs; /etc a writable copy (libvirt's and QEMU's configuration).
for v in lib log cache; do mount -t tmpfs tmpfs "/host/var/$v/libvirt"; mkdir -p "/host/var/$v/libvirt/qemu"; done
mkdir -p /host/var/lib/libvirt/qemu/nvram
mkdir /tmp/etc && cp -a /host/etc/. /tmp/etc/ && mount --bind /tmp/etc /host/etc
printf 'namespaces = [ ]\nuser = "root"\ngroup = "root"\n' >> /host/etc/libvirt/qemu.conf
# Firmware where NixOS puts it. Up to 25.05: the OVMF build of qemu.ovmf.packages
# (secureBoot = true: the SMM secure-boot code, variables without enrolled keys; with
# msVarsTemplate = true also OVMF_VARS.ms.fd, Microsoft's keys enrolled).
mkdir -p /run/libvirt/nix-ovmf
ln -s /usr/share/OVMF/OVMF_CODE_4M.secboot.fd /run/libvirt/nix-ovmf/OVMF_CODE.fd
ln -s /usr/share/OVMF/OVMF_VARS_4M.fd /run/libvirt/nix-ovmf/OVMF_VARS.fd
ln -s /usr/share/OVMF/OVMF_VARS_4M.ms.fd /run/libvirt/nix-ovmf/OVMF_VARS.ms.fd
# From 25.11: QEMU's own firmware descriptors, their paths rewritten to /run/libvirt/nix-ovmf,
# and nothing else: Debian's descriptors are masked (an empty file of the same name).
mkdir -p /host/etc/qemu/firmware
for f in /host/usr/share/qemu/firmware/*.json; do : > "/host/etc/qemu/firmware/${f##*/}"; done
ln -s /usr/share/OVMF/OVMF_CODE_4M.secboot.fd /run/libvirt/nix-ovmf/edk2-x86_64-secure-code.fd
ln -s /usr/share/OVMF/OVMF_CODE_4M.fd /run/libvirt/nix-ovmf/edk2-x86_64-code.fd
ln -s /usr/share/OVMF/OVMF_VARS_4M.fd /run/libvirt/nix-ovmf/edk2-i386-vars.fd
descriptor() {  # descriptor FILE DESCRIPTION CODE MACHINES FEATURES
	cat > "/host/etc/qemu/firmware/$1" <<J
{
  "description": "$2",
  "interface-types": ["uefi"],
  "mapping": {
    "device": "flash",
    "executable": {"filename": "/run/libvirt/nix-ovmf/$3", "format": "raw"},
    "nvram-template": {"filename": "/run/libvirt/nix-ovmf/edk2-i386-vars.fd", "format": "raw"}
  },
  "targets": [{"architecture": "x86_64", "machines": [$4]}],
  "features": [$5],
  "tags": []
}
J
}
descriptor 50-edk2-x86_64-secure.json "UEFI firmware for x86_64, with Secure Boot and SMM" \
	edk2-x86_64-secure-code.fd '"pc-q35-*"' \
	'"acpi-s3", "amd-sev", "requires-smm", "secure-boot", "verbose-dynamic"'
descriptor 60-edk2-x86_64.json "UEFI firmware for x86_64" edk2-x86_64-code.fd \
	'"pc-i440fx-*", "pc-q35-*"' '"acpi-s3", "amd-sev", "verbose-dynamic"'

echo "$(date +%s) libvirtd" > steps.log
host virtlogd -d && host libvirtd -d || bad "libvirtd starts"
# Wait for libvirtd to answer (it probes QEMU first), at most 120 s.
n=0
until host virsh -c qemu:///system version > virsh-version.out 2>&1; do
	n=$((n + 1))
	[ $n -lt 120 ] || break
	sleep 1
done
expect "libvirtd answers" host virsh -c qemu:///system version
echo "$(date +%s) libvirtd answers" >> steps.log
# Every virsh call has a time limit: a hung call fails its domain, not the boot. The domains
# start side by side (each QEMU is slow to start under TCG inside TCG), then are checked and
# destroyed one by one.
v="host timeout 300 virsh -c qemu:///system"
while read -r name ids addr after; do
	if $v define "$DIR/domains/$name.xml" > "define-$name.out" 2>&1; then
		ok "$name: virsh define"
		echo "$(date +%s) $name: start" >> steps.log
		($v start "$name" > "start-$name.out" 2>&1; echo $? > "start-$name.rc"
		 echo "$(date +%s) $name: start returned" >> steps.log) &
	else
		bad "$name: virsh define: $(tr '\n' ' ' < "define-$name.out")"
	fi
done < expect
wait
while read -r name ids addr after; do
	[ -f "start-$name.rc" ] || continue
	cp "/host/var/log/libvirt/qemu/$name.log" "qemu-$name.log" 2> /dev/null
	if [ "$(cat "start-$name.rc")" != 0 ]; then
		bad "$name: virsh start: $(tr '\n' ' ' < "start-$name.out" | head -c 400)"
		continue
	fi
	ok "$name: virsh start"
	$v domstate "$name" > state.out 2>&1
	expect "$name: running" grep -qx running state.out
	# info qtree, not info pci: info pci follows the bus numbers the firmware assigns, and
	# OVMF under TCG inside TCG takes minutes to get there.
	$v qemu-monitor-command --hmp "$name" 'info qtree' > "qtree-$name.out" 2>&1
	expect "$name: the nested QEMU has vfio-pci host=$addr, pci id $ids (info qtree)" \
		qtree_has "qtree-$name.out" "$addr" "$ids"
	if [ "$after" != - ]; then
		expect "$name: the managed device is on vfio-pci while the domain runs" \
			test "$(driver "$addr")" = vfio-pci
	fi
	$v destroy "$name" > destroy.out 2>&1
	echo "$(date +%s) $name: destroyed" >> steps.log
	if [ "$after" != - ]; then
		expect "$name: the managed device is back on $after after virsh destroy" \
			test "$(driver "$addr")" = "$after"
	fi
done < expect
host virsh -c qemu:///system list --all > list.out 2>&1
kill $(cat /run/libvirtd.pid) $(cat /run/virtlogd.pid) 2> /dev/null
G
boot "$d" libvirt $INTEL_DEVICES && guest_results "$d"
