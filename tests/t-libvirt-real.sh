# t-libvirt-real: the generated domains against the real consumer: libvirtd and QEMU from
# Debian's packages (libvirt 9, QEMU 7.2, OVMF), started here without systemd in private
# mount and network namespaces (libvirt-real/inner.sh). Every example's domains, the VM
# `vfioc init` writes and the cases in libvirt-real/*.yaml are defined as generated, then a
# copy is started under TCG: the copy differs only as libvirt-real/startable.py prints
# (TCG's limits; PCI/USB hostdevs, evdev devices, page sizes, NUMA nodes, RAM, SMBIOS tables
# and a sound server this machine lacks; disks and CD-ROMs, placeholders or not, on scratch
# files). A pulseaudio domain starts as generated with a PulseAudio server the test runs as
# QEMU's user (and fails without the server named, or as root).
# Hostdevs are proven in the lab's nested guest instead. The firmware is laid out as NixOS
# lays it out, from what vfio.nix says: up to 25.05 the OVMF build linked in
# /run/libvirt/nix-ovmf, from 25.11 QEMU's own descriptors (no enrolled-keys).
# Plain mode only (slow: a minute or two); needs root for the namespaces.
. ./lib.sh
[ "$MODE" = plain ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "t-libvirt-real: skipped: needs root (private namespaces for libvirtd)" >&2
	exit 0
fi
for tool in libvirtd virtlogd virsh qemu-system-x86_64 qemu-img unshare xmllint \
	nix-instantiate systemd-tmpfiles swtpm ip pulseaudio pactl setpriv; do
	command -v $tool > /dev/null || { fail "libvirt-real: $tool is installed"; exit 0; }
done

ex=$TESTS_DIR/../examples
W=$TMP/w
mkdir -p "$W/orig" "$W/define" "$W/start" "$W/build" "$W/scratch" "$W/qemu-firmware"
: > "$W/domains.list"

# vfioc's outputs: the examples as committed (t-build-examples keeps them current) and the
# cases here, built now against the seed's snapshot (named on the command line: a config's
# own hardware: stays inside its folder).
for c in libvirt-real/*.yaml; do
	n=$(basename "$c" .yaml)
	vfioc build "$c" --hardware "$ex/seed/hardware.yaml" -o "$W/build/$n" 2> "$TMP/err" || { fail "libvirt-real: $n builds"; cat "$TMP/err" >&2; }
done
# The VM `vfioc init` writes, as written: its placeholder ISOs become scratch files below.
mkdir -p "$W/init"
{ vfioc init --hardware "$ex/seed/hardware.yaml" -o "$W/init/host.yaml" &&
	vfioc build "$W/init/host.yaml" -o "$W/build/init"; } > /dev/null 2> "$TMP/err" ||
	{ fail "libvirt-real: init's config builds"; cat "$TMP/err" >&2; }
sed 's/size: 32MiB/size: 128MiB/' libvirt-real/looking-glass.yaml > "$W/lg-resized.yaml"
vfioc build "$W/lg-resized.yaml" --hardware "$ex/seed/hardware.yaml" -o "$W/build/lg-resized" 2> "$TMP/err" ||
	{ fail "libvirt-real: lg-resized builds"; cat "$TMP/err" >&2; }

# release NIX: "old" where vfio.nix is for a release with the ovmf options, else "new".
release() {
	r=$(sed -n 's/^# A NixOS module for NixOS \([0-9.a-z]*\).*/\1/p' "$1")
	case $r in 24.05|24.11|25.05) echo old ;; *) echo new ;; esac
}

# eval NIX ATTR...: an option's value as vfio.nix sets it (tests/nix/eval.nix), as JSON.
eval_opt() {
	nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix --arg module "$1" \
		--argstr release 25.05 2> /dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k, {}) if isinstance(v, dict) else {}
print(json.dumps(v))' "$2"
}

ovmf=
for out in "$ex"/*/generated "$W"/build/*; do
	case $(basename "$(dirname "$out")")/$(basename "$out") in
	*/generated) group=$(basename "$(dirname "$out")") ;;
	*) group=$(basename "$out") ;;
	esac
	rel=$(release "$out/vfio.nix")
	if [ "$rel" = old ]; then
		o=$(eval_opt "$out/vfio.nix" virtualisation.libvirtd.qemu.ovmf.packages)
		[ -z "$ovmf" ] || [ "$o" = "$ovmf" ] || fail "libvirt-real: one OVMF build for all (got $o and $ovmf)"
		ovmf=$o
	fi
	for f in "$out"/domains/*.xml; do
		key=$group--$(basename "$f" .xml)
		cp "$f" "$W/orig/$key.xml"
		python3 libvirt-real/startable.py "$f" "$W/define/$key.xml" "$W/start/$key.xml" \
			"$W/scratch" > "$W/changes" ||
			fail "libvirt-real: $key: a startable copy"
		sed "s/^/t-libvirt-real: $key: /" "$W/changes" >&2
		[ "$group" = lg-resized ] || echo "$key $rel" >> "$W/domains.list"
	done
done

# Up to 25.05 NixOS links the OVMF build's files into /run/libvirt/nix-ovmf: Debian's files
# of the same build stand in (secureBoot: the SMM Secure Boot code; msVarsTemplate: the
# varstore with Microsoft's keys).
case $ovmf in *secureBoot=1*) code=OVMF_CODE_4M.secboot.fd ;; *) code=OVMF_CODE_4M.fd ;; esac
{
	echo "OVMF_CODE.fd /usr/share/OVMF/$code"
	echo "OVMF_VARS.fd /usr/share/OVMF/OVMF_VARS_4M.fd"
	case $ovmf in *msVarsTemplate=1*)
		echo "OVMF_CODE.ms.fd /usr/share/OVMF/$code"
		echo "OVMF_VARS.ms.fd /usr/share/OVMF/OVMF_VARS_4M.ms.fd" ;;
	esac
	# From 25.11: QEMU's edk2 images, as its descriptors name them.
	echo "edk2-x86_64-secure-code.fd /usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
	echo "edk2-x86_64-code.fd /usr/share/OVMF/OVMF_CODE_4M.fd"
	echo "edk2-i386-vars.fd /usr/share/OVMF/OVMF_VARS_4M.fd"
} > "$W/ovmf.map"

# QEMU's own descriptors (pc-bios/descriptors in QEMU's source), as NixOS 25.11 installs them:
# paths rewritten to /run/libvirt/nix-ovmf; the secure one has no enrolled-keys.
descriptor() {
	cat > "$W/qemu-firmware/$1" <<EOF
{
    "description": "$2",
    "interface-types": [ "uefi" ],
    "mapping": {
        "device": "flash",
        "executable": { "filename": "/run/libvirt/nix-ovmf/$3", "format": "raw" },
        "nvram-template": { "filename": "/run/libvirt/nix-ovmf/edk2-i386-vars.fd", "format": "raw" }
    },
    "targets": [ { "architecture": "x86_64", "machines": [ $4 ] } ],
    "features": [ $5 ],
    "tags": [ ]
}
EOF
}
descriptor 50-edk2-x86_64-secure.json "UEFI firmware for x86_64, with Secure Boot and SMM" \
	edk2-x86_64-secure-code.fd '"pc-q35-*"' \
	'"acpi-s3", "amd-sev", "requires-smm", "secure-boot", "verbose-dynamic"'
descriptor 60-edk2-x86_64.json "UEFI firmware for x86_64" edk2-x86_64-code.fd \
	'"pc-i440fx-*", "pc-q35-*"' '"acpi-s3", "amd-sev", "verbose-dynamic"'

# Looking Glass: the tmpfiles rules as vfio.nix sets them.
for n in looking-glass lg-resized; do
	eval_opt "$W/build/$n/vfio.nix" systemd.tmpfiles.rules |
		python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))' > "$W/$n.conf"
done
mv "$W/looking-glass.conf" "$W/lg.conf"

# qemu.conf as NixOS writes it for qemu-user's vfio.nix (nixos/modules/virtualisation/
# libvirtd.nix, qemuConfigFile): user and group qemu-libvirtd when runAsRoot is false, then
# verbatimConfig (NixOS's default: namespaces = []). inner.sh gives it to libvirtd.
python3 - "$(eval_opt "$W/build/qemu-user/vfio.nix" virtualisation.libvirtd.qemu.runAsRoot)" \
	"$(eval_opt "$W/build/qemu-user/vfio.nix" virtualisation.libvirtd.qemu.verbatimConfig)" \
	> "$W/nixos-qemu.conf" <<'PY'
import json, sys
root, verbatim = json.loads(sys.argv[1]), json.loads(sys.argv[2])
if root is False:
    print('user = "qemu-libvirtd"\ngroup = "qemu-libvirtd"')
print(verbatim if isinstance(verbatim, str) else "namespaces = []\n", end="")
PY
chmod o+x "$TMP" "$W"   # QEMU as vfioc-qemu reaches nothing else under them

if ! unshare -m -n true 2> "$TMP/err"; then
	fail "libvirt-real: private namespaces work here (unshare -m -n)"; cat "$TMP/err" >&2
	exit 0
fi

# Host state the test changes, put back at the end, even on failure: 128 more pages of
# 2 MiB for devices--huge (as many given back as were added, should another run have added
# its own), and
# /dev/kvm where there is one: group kvm, mode 0660, or libvirtd probes QEMU again (~25 s)
# on every call.
hp=/proc/sys/vm/nr_hugepages
kvm_was=
if [ -c /dev/kvm ]; then
	kvm_was=$(stat -c '%g %a' /dev/kvm)
	chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi
restore() {
	echo $(($(cat $hp) - added)) > $hp
	if [ -n "$kvm_was" ]; then
		chgrp "${kvm_was% *}" /dev/kvm
		chmod "${kvm_was#* }" /dev/kvm
	fi
	for d in $made; do rmdir "$d" 2> /dev/null; done
	rm -rf "$TMP"
}
before=$(cat $hp)
echo $((before + 128)) > $hp
added=$(($(cat $hp) - before))
made=
trap restore EXIT INT TERM

# CI runs the suite as on a host where libvirtd never ran (tests/ci-desktop.sh).
if [ -n "${CI:-}" ]; then
	expect "libvirt-real: runs where libvirtd never ran (no /run/libvirt)" test ! -e /run/libvirt
fi
# The namespace mounts its own state over libvirt's folders, so they must exist; on a host
# where libvirtd never ran (no /run/libvirt yet) the missing ones are made here and removed
# after, leaving the host as it was.
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /run/user; do
	[ -d "$d" ] || { mkdir -p "$d" && made="$d $made"; }
done
unshare -m -n --propagation private sh libvirt-real/inner.sh "$W" 2> "$W/inner.err"
rc=$?
[ $rc -eq 0 ] || { fail "libvirt-real: the namespace part ends cleanly (exit $rc)"; tail -20 "$W/inner.err" >&2; }
grep -v '^ok\|^FAIL' "$W/inner.err" | head -40 >&2
report_lines "$W/results" "libvirt-real: "
