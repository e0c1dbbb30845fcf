# t-verify: `vfioc verify` on test roots "booted" from what `vfioc build` wrote
# (tests/boot_root.py applies its kernel-cmdline and binds the boot-bound devices of its
# domains): every fact holds after the binding boot; each way a boot goes wrong fails the
# fact it should, names the device or parameter, and hints at the cause; the libvirt part
# against libvirt's own test driver (real virsh), a fake virsh on PATH, and no libvirt.
. ./lib.sh
. ./hwroots.sh

NOLIBVIRT="qemu+unix:///system?socket=$TMP/no-such-socket"

# booted NAME EXAMPLE ROOT ARGS...: build EXAMPLE, boot ROOT with it (boot_root.py ARGS,
# where @ is the build's folder), print the booted root's path.
booted() {
	name=$1 ex=$2 root=$3; shift 3
	out=$TMP/$ex.out
	[ -d "$out" ] || vfioc build "../examples/$ex/host.yaml" -o "$out" > /dev/null 2>&1
	args=""
	for a in "$@"; do args="$args $(echo "$a" | sed "s|^@|$out|")"; done
	python3 ./boot_root.py "roots/$root.desc" "$TMP/$name.desc" $args &&
		media "$out" >> "$TMP/$name.desc" &&
		python3 ./mkroot.py "$TMP/$name.desc" "$TMP/$name" ||
		fail "$name: the booted root is made"
	# Always a path under $TMP: the callers write into "$r/etc", which must never be the
	# machine's own /etc when a root could not be made (this runs as root).
	echo "$TMP/$name"
}

# media OUT: desc records for the files the domains of build OUT start from, as a host has
# them after the switch (up to NixOS 25.05 libvirtd links OVMF into /run/libvirt/nix-ovmf)
# and once its user has made the disk images and downloaded the ISOs. NOMEDIA=1: none, and
# none of the root's own either (the seed's ISOs).
media() {
	[ -z "${NOMEDIA:-}" ] || { sed -i '/^file /d' "$TMP/$name.desc"; return 0; }
	for f in "$1"/domains/*.xml; do
		xmllint --xpath '//disk/source/@file | //disk/source/@dev | //os/nvram/@template' "$f" 2> /dev/null |
			sed 's/^ *[a-z]*="\(.*\)"$/\1/'
		xmllint --xpath '//os/loader/text()' "$f" 2> /dev/null; echo
	done | grep '^/' | sort -u | sed 's/^/file /'
}

# verify_rc NAME WANT EXAMPLE ROOTDIR ARGS...: run verify, output in $TMP/rc.out.
verify_rc() {
	name=$1 want=$2 ex=$3 dir=$4; shift 4
	rc_is "$name: exit $want" "$want" vfioc verify "../examples/$ex/host.yaml" --root "$dir" "$@"
}

# The binding boot worked: every fact holds.
r=$(booted seed-ok seed seed --params @/kernel-cmdline --bind @/domains)
verify_rc "seed, bound" 0 seed "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "seed, bound: the IOMMU" '^ok   the IOMMU is on: 10 IOMMU groups$' "$o"
has "seed, bound: the kernel command line" '^ok   the kernel command line holds all 2 parameters of kernel-cmdline$' "$o"
for a in 01:00.0 01:00.1 02:00.0; do
	has "seed, bound: 0000:$a on vfio-pci" "^ok   0000:$a \\([0-9a-f:]+\\) of VM 'win10' is on vfio-pci$" "$o"
done
has "seed, bound: /dev/vfio/1" "^ok   /dev/vfio/1 is there" "$o"
has "seed, bound: /dev/vfio/8" "^ok   /dev/vfio/8 is there" "$o"
has "seed, bound: the groups of the snapshot" '^ok   the IOMMU groups are those of hardware.yaml' "$o"
has "seed, bound: libvirt out of reach: skipped, with a note" '^skip libvirt: domains not compared: .* is not reachable' "$o"
has "seed, bound: the files it starts from" "^ok   the 4 files VM 'win10' starts from \\(disks, ISOs, firmware\\) are on this host$" "$o"
has "seed, bound: the summary" '^9 hold, 0 failed, 1 skipped$' "$o"
lacks "seed, bound: no FAIL" '^FAIL' "$o"

# A VM playing into myUser's PulseAudio (qemu-config.uid 1000): the booted host's etc/passwd
# gives myUser that uid (holds), another (fails, naming both), or has no myUser (fails).
a=$TMP/seed-audio-config
mkdir -p "$a" && cp ../examples/seed/hardware.yaml "$a/"
sed -e 's/^    run-as-root: true/    run-as-root: false\n    qemu-config: { user: myUser, uid: 1000 }/' \
	-e 's/^    network: default/    network: default\n    audio: pulseaudio/' ../examples/seed/host.yaml > "$a/host.yaml"
r=$(booted seed-audio seed seed --params @/kernel-cmdline --bind @/domains)
mkdir -p "$r/etc"
audio_verify() {   # NAME WANT PASSWD-LINE
	printf 'root:x:0:0::/root:/bin/sh\n%s\n' "$3" > "$r/etc/passwd"
	rc_is "seed, audio, $1: exit $2" "$2" vfioc verify "$a/host.yaml" --root "$r" -c "$NOLIBVIRT"
}
audio_verify "myUser is 1000" 0 'myUser:x:1000:100::/home/myUser:/bin/sh'
has "seed, audio, myUser is 1000: holds" \
	"^ok   'myUser' has uid 1000: the VMs play into its sound server in /run/user/1000$" "$TMP/rc.out"
audio_verify "myUser is 1001" 1 'myUser:x:1001:100::/home/myUser:/bin/sh'
has "seed, audio, myUser is 1001: names both" \
	"^FAIL 'myUser' has uid 1001 here, not 1000 \(qemu-config.uid\)" "$TMP/rc.out"
has "seed, audio, myUser is 1001: the fix" "hint: set host.libvirt.qemu-config.uid to 1001" "$TMP/rc.out"
audio_verify "no myUser" 1 'myUserX:x:1000:100::/home/x:/bin/sh'
has "seed, audio, no myUser: says so" "^FAIL user 'myUser', whose sound server" "$TMP/rc.out"
# A host that lists a directory's users in etc/passwd: 3,000 lines (over 64 KiB) before
# myUser's, which is still read.
audio_verify "myUser after 3,000 users" 0 "$(seq 3000 | awk '{ printf "directory-user-%05d:x:%d:100:A user of the directory:/home/u%d:/bin/sh\n", $1, 20000 + $1, $1 }')
myUser:x:1000:100::/home/myUser:/bin/sh"
expect "seed, audio: control: that etc/passwd is over 64 KiB" test "$(wc -c < "$r/etc/passwd")" -gt 65536
has "seed, audio, myUser after 3,000 users: holds" "^ok   'myUser' has uid 1000" "$TMP/rc.out"

# Booted without the kernel command line: nothing bound; the parameters and devices named.
r=$(booted seed-nocmd seed seed)
verify_rc "seed, old cmdline" 1 seed "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "seed, old cmdline: names the missing parameter" \
	'^FAIL the kernel command line lacks 1 of the 2 parameters of kernel-cmdline: vfio-pci.ids=1002:67b0,1002:aac8,144d:a80a$' "$o"
has "seed, old cmdline: the cause" "hint: the rebuilt system was not booted: run 'nixos-rebuild boot'" "$o"
has "seed, old cmdline: names the GPU" "^FAIL 0000:01:00.0 \\(1002:67b0\\) of VM 'win10' is on radeon, not vfio-pci$" "$o"
has "seed, old cmdline: no /dev/vfio/1" '^FAIL /dev/vfio/1 is missing' "$o"

# The parameters are there but radeon came first: the softdep hint.
r=$(booted seed-radeon seed seed --params @/kernel-cmdline --bind @/domains --keep 01:00.0)
verify_rc "seed, radeon first" 1 seed "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "seed, radeon first: names the device" "^FAIL 0000:01:00.0 \\(1002:67b0\\) of VM 'win10' is on radeon, not vfio-pci$" "$o"
has "seed, radeon first: the softdep hint" 'hint: on radeon: the host driver was loaded first. Is radeon in boot.initrd.kernelModules without the softdep\?' "$o"
has "seed, radeon first: its audio is bound" "^ok   0000:01:00.1 .* is on vfio-pci$" "$o"
has "seed, radeon first: group 1 not held" '^FAIL /dev/vfio/1 is missing' "$o"
has "seed, radeon first: group 8 held" '^ok   /dev/vfio/8 is there' "$o"

# The same host on Ubuntu (examples/ubuntu-grub): the hints name vfioc apply, GRUB's drop-in
# and initramfs-tools, not nixos-rebuild and vfio.nix.
r=$(booted ubuntu-nocmd ubuntu-grub seed)
verify_rc "ubuntu, old cmdline" 1 ubuntu-grub "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "ubuntu, old cmdline: apply, then reboot" "hint: the applied configuration was not booted: run 'sudo vfioc apply CONFIG'" "$o"
has "ubuntu, old cmdline: GRUB's drop-in" "hint: or GRUB did not take them: /etc/default/grub.d/vfio.cfg must be there and 'sudo update-grub'" "$o"
lacks "ubuntu, old cmdline: no NixOS words" 'nixos-rebuild|vfio\.nix|boot\.initrd' "$o"
r=$(booted ubuntu-radeon ubuntu-grub seed --params @/kernel-cmdline --bind @/domains --keep 01:00.0)
verify_rc "ubuntu, radeon first" 1 ubuntu-grub "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "ubuntu, radeon first: the softdep in the initramfs" \
	"hint: on radeon: the host driver was loaded first, without 'softdep radeon pre: vfio-pci'. /etc/modprobe.d/vfio.conf .* 'lsinitramfs " "$o"
lacks "ubuntu, radeon first: no NixOS words" 'nixos-rebuild|vfio\.nix|boot\.initrd' "$o"

# The groups moved since the snapshot (a firmware update).
r=$(booted seed-moved seed seed --params @/kernel-cmdline --bind @/domains)
d=$TMP/seed-moved2
cp -a "$r" "$d"
mv "$d/sys/kernel/iommu_groups/8" "$d/sys/kernel/iommu_groups/18"
ln -sfn ../../../../kernel/iommu_groups/18 "$d/sys/devices/pci0000:00/0000:00:1b.0/0000:02:00.0/iommu_group"
verify_rc "groups moved" 1 seed "$d" -c "$NOLIBVIRT"
has "groups moved: what moved" '^FAIL the IOMMU groups differ from hardware.yaml: 0000:02:00.0 was in group 8, is in 18$' "$TMP/rc.out"
has "groups moved: refresh the snapshot" "hint: .*run 'vfioc probe -o hardware.yaml'" "$TMP/rc.out"

# Booted with the IOMMU off.
d=$TMP/seed-off
cp -a "$TMP/seed-ok" "$d"
rm -r "$d/sys/kernel/iommu_groups"
find "$d/sys/devices" -name iommu_group -exec rm {} +
verify_rc "IOMMU off" 1 seed "$d" -c "$NOLIBVIRT"
has "IOMMU off: said" '^FAIL the IOMMU is off: the booted kernel shows no IOMMU groups$' "$TMP/rc.out"
has "IOMMU off: the kernel did not enable it" 'hint: the IOMMU hardware is there but the kernel did not enable it: intel_iommu=on' "$TMP/rc.out"

# Twin GPUs: the host's card caught by vfio-pci too.
r=$(booted twin twin-gpu twin-gpu --params @/kernel-cmdline --bind @/domains --also 01:00.0)
verify_rc "twin caught" 1 twin-gpu "$r" -c "$NOLIBVIRT"
has "twin caught: names the host's card" "^FAIL 0000:01:00.0 \\(10de:1b80, the ID of the passed 0000:04:00.0\\) stays on the host but is on vfio-pci, not nvidia$" "$TMP/rc.out"
has "twin caught: the passed card is fine" "^ok   0000:04:00.0 .* is on vfio-pci$" "$TMP/rc.out"
r=$(booted twin-ok twin-gpu twin-gpu --params @/kernel-cmdline --bind @/domains)
verify_rc "twin bound" 0 twin-gpu "$r" -c "$NOLIBVIRT"
has "twin bound: the host's card on its own driver" "^ok   0000:01:00.0 \\(10de:1b80, the ID of the passed 0000:04:00.0\\) stays on the host, on nvidia$" "$TMP/rc.out"

# Before the first start, on a host without the files the VM starts from (NOMEDIA): each
# one named, with the qemu-img line for a disk image, where to get an ISO, and for the OVMF
# NixOS 25.05 links (seed) whether the target is the release the host runs; NixOS 26.05
# lets libvirt pick the firmware (win11-gaming): no firmware file to miss.
r=$(NOMEDIA=1 booted seed-nomedia seed seed --params @/kernel-cmdline --bind @/domains)
verify_rc "seed, no media" 1 seed "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "seed, no media: the Windows ISO" "^FAIL ISO /var/lib/libvirt/iso/Win10.iso of VM 'win10' is not on this host: virsh start fails$" "$o"
has "seed, no media: where to get it" "hint: download Windows from https://www.microsoft.com/software-download/windows11 to /var/lib/libvirt/iso/Win10.iso$" "$o"
has "seed, no media: the virtio-win ISO" "^FAIL ISO /var/lib/libvirt/iso/virtio-win.iso of VM 'win10'" "$o"
has "seed, no media: where to get the drivers" "hint: download the virtio-win drivers from https://fedorapeople.org/" "$o"
has "seed, no media: OVMF" "^FAIL firmware /run/libvirt/nix-ovmf/OVMF_CODE.fd of VM 'win10' is not on this host: virsh start fails$" "$o"
has "seed, no media: is the target the running release" "hint: NixOS 25.05 links OVMF there when libvirtd starts; from 25.11 .*is target.nixos the release this host runs" "$o"
lacks "seed, no media: no files fact holds" "^ok   the .* files VM" "$o"
r=$(NOMEDIA=1 booted turing-nomedia win11-gaming turing --params @/kernel-cmdline --bind @/domains)
verify_rc "win11-gaming, no media" 1 win11-gaming "$r" -c "$NOLIBVIRT"
o=$TMP/rc.out
has "win11-gaming, no media: the disk, with the qemu-img line" "^FAIL disk /var/lib/libvirt/images/win11.qcow2 of VM 'win11' is not on this host" "$o"
has "win11-gaming, no media: ... the qemu-img line" "hint: create it: sudo qemu-img create -f qcow2 /var/lib/libvirt/images/win11.qcow2 128G$" "$o"
lacks "win11-gaming, no media: libvirt picks the firmware (26.05)" "^FAIL firmware" "$o"

# Hugepages and isolated CPUs (win11-gaming on the Turing host): reserved from the kernel
# command line vfioc wrote; then a command line with fewer pages and no isolcpus.
r=$(booted turing-ok win11-gaming turing --params @/kernel-cmdline --bind @/domains)
verify_rc "win11-gaming, bound" 0 win11-gaming "$r" -c "$NOLIBVIRT"
has "win11-gaming: hugepages" '^ok   16 hugepages of 1G are reserved \(16 asked\)$' "$TMP/rc.out"
has "win11-gaming: isolated CPUs" '^ok   CPUs 2-7,10-15 are isolated' "$TMP/rc.out"
sed 's/hugepages=16/hugepages=4/; s/isolcpus=[^ ]*//' "$TMP/win11-gaming.out/kernel-cmdline" > "$TMP/short-cmdline"
r=$(booted turing-short win11-gaming turing --params "$TMP/short-cmdline" --bind @/domains)
verify_rc "win11-gaming, short" 1 win11-gaming "$r" -c "$NOLIBVIRT"
has "win11-gaming, short: hugepages short" '^FAIL only 4 of the 16 hugepages of 1G asked are reserved$' "$TMP/rc.out"
has "win11-gaming, short: not isolated" "^FAIL the isolated CPUs are '', not 2-7,10-15$" "$TMP/rc.out"
has "win11-gaming, short: the parameters named" '^FAIL the kernel command line lacks 2 of .*: hugepages=16 isolcpus=2-7,10-15$' "$TMP/rc.out"

# Formats: JSON, GitHub annotations, marks on a terminal.
r=$TMP/seed-radeon
vfioc verify ../examples/seed/host.yaml --root "$r" -c "$NOLIBVIRT" --format json > "$TMP/v.json" 2> "$TMP/v.err"
if python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["facts"]; assert any(x["status"]=="fail" and "01:00.0" in x["fact"] and x["hints"] for x in f); assert any(x["status"]=="skip" for x in f)' "$TMP/v.json"; then
	pass "json: facts with status and hints"; else fail "json: facts with status and hints"; fi
expect "json: one document, nothing on stderr" test ! -s "$TMP/v.err"
# The fields: what was compared, not only prose. The driver the root shows comes from its sysfs.
drv=$(basename "$(readlink "$r/sys/bus/pci/devices/0000:01:00.0/driver")")
expect "json: the failed driver fact carries code, device, expected and actual" python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
x = [x for x in f["facts"] if x["code"] == "driver" and x["device"] == "0000:01:00.0"][0]
assert (x["status"], x["expected"], x["actual"]) == ("fail", "vfio-pci", sys.argv[2]), x
assert f["failed"] == sum(y["status"] == "fail" for y in f["facts"]) and f["diagnostics"] == []
' "$TMP/v.json" "$drv"
params=$(cat "$TMP/seed.out/kernel-cmdline")
expect "json: the command line fact expects the parameters of kernel-cmdline" python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
x = [x for x in f["facts"] if x["code"] == "kernel-cmdline"][0]
assert x["expected"] and x["expected"].split() == sys.argv[2].split(), (x, sys.argv[2])
' "$TMP/v.json" "$params"
vfioc verify ../examples/seed/host.yaml --root "$r" -c "$NOLIBVIRT" --format json > "$TMP/v2.json" 2>&1
expect "json: 2>&1 is still one document" python3 -m json.tool "$TMP/v2.json"
vfioc verify golden/err/bad-version.yaml --format json > "$TMP/v3.json" 2> "$TMP/v3.err"
expect "json: a config with errors: the diagnostics inside the document" python3 -c '
import json, sys
f = json.load(open(sys.argv[1])); assert f["facts"] == [] and f["diagnostics"][0]["code"] == "bad-version"
' "$TMP/v3.json"
vfioc verify ../examples/seed/host.yaml --root "$r" -c "$NOLIBVIRT" --format github > "$TMP/v.gh" 2> "$TMP/v.err"
has "github: an error annotation for the device" "^::error title=vfioc verify::0000:01:00.0 .* is on radeon, not vfio-pci%0Ahint: on radeon" "$TMP/v.gh"
if command -v script > /dev/null; then
	export TERM=xterm; unset NO_COLOR   # colour on the terminal, whatever the caller's
	script -qec "$VFIOC verify ../examples/seed/host.yaml --root $r -c '$NOLIBVIRT'" /dev/null > "$TMP/v.tty"
	e=$(printf '\033')
	has "terminal: a check mark, green" "^${e}\[32m✓${e}\[m 0000:01:00.1" "$TMP/v.tty"
	has "terminal: a cross, red" "^${e}\[1;31m✗${e}\[m 0000:01:00.0" "$TMP/v.tty"
	NO_COLOR=1 script -qec "$VFIOC verify ../examples/seed/host.yaml --root $r -c '$NOLIBVIRT'" /dev/null > "$TMP/v.tty"
	has "terminal, NO_COLOR: the marks without colour" '^✗ 0000:01:00.0' "$TMP/v.tty"
	vfioc verify ../examples/seed/host.yaml --root "$r" -c "$NOLIBVIRT" --color=always > "$TMP/v.out" 2> /dev/null
	has "piped, --color=always: FAIL in red, not a mark" "^${e}\[1;31mFAIL${e}\[m 0000:01:00.0" "$TMP/v.out"
fi

# libvirt: the domain as libvirt's own test driver parses and prints it (real virsh).
r=$TMP/seed-ok
dom=$TMP/seed.out/domains/win10.xml
node() {  # node OUT DOMAIN...: a node description for libvirt's test driver, with the
	# default network (the test driver has it active, autostart off)
	out=$1; shift
	{ echo "<node>"; for f in "$@"; do grep -v '^<?xml' "$f"; done
	  [ -n "${NONET:-}" ] || echo "<network><name>default</name><bridge name='virbr0'/><forward/><ip address='192.168.122.1' netmask='255.255.255.0'/></network>"
	  echo "</node>"; } > "$out"
}
if command -v virsh > /dev/null; then
	node "$TMP/node.xml" "$dom"
	verify_rc "libvirt test driver" 0 seed "$r" -c "test://$TMP/node.xml"
	has "libvirt: the domain matches" "^ok   domain 'win10' is defined in libvirt as domains/win10.xml has it" "$TMP/rc.out"
	has "libvirt: the network is active" "^ok   libvirt network 'default' of VM 'win10' is active \\(autostart off: it was started by hand or by a unit\\)$" "$TMP/rc.out"
	NONET=1 node "$TMP/node-nonet.xml" "$dom"
	verify_rc "libvirt, no default network" 1 seed "$r" -c "test://$TMP/node-nonet.xml"
	has "libvirt, no default network: said" "^FAIL libvirt network 'default' of VM 'win10' is not defined: virsh start fails: .*default" "$TMP/rc.out"
	has "libvirt, no default network: how to define it" "hint: define it .*sudo virsh net-autostart default && sudo virsh net-start default" "$TMP/rc.out"
	sed 's|<memory unit="KiB">16777216</memory>|<memory unit="GiB">8</memory>|; s|bus="0x02" slot="0x00" function="0x0"/>|bus="0x03" slot="0x00" function="0x0"/>|' "$dom" > "$TMP/edited.xml"
grep -q 'unit="GiB"' "$TMP/edited.xml" || fail "libvirt, edited: the test edited the domain"
	node "$TMP/node2.xml" "$TMP/edited.xml"
	verify_rc "libvirt, edited domain" 1 seed "$r" -c "test://$TMP/node2.xml"
	has "libvirt, edited: the memory" "^FAIL domain 'win10' in libvirt differs from domains/win10.xml: memory: libvirt has 8388608 KiB, vfioc 16777216 KiB" "$TMP/rc.out"
	has "libvirt, edited: the devices" "PCI devices: libvirt has 0000:01:00.0, 0000:01:00.1, 0000:03:00.0, vfioc 0000:01:00.0, 0000:01:00.1, 0000:02:00.0" "$TMP/rc.out"
	echo "<node/>" > "$TMP/empty-node.xml"
	verify_rc "libvirt, not defined" 1 seed "$r" -c "test://$TMP/empty-node.xml"
	has "libvirt, not defined: said" "^FAIL domain 'win10' is not defined in libvirt" "$TMP/rc.out"
	has "libvirt, not defined: the define service" "journalctl -u vfioc-define-domains" "$TMP/rc.out"
	has "libvirt, not defined: define it at the URI verify read (virsh's default may be the user's session)" \
		"or define it: virsh -c test://$TMP/empty-node.xml define .*domains/win10.xml\)" "$TMP/rc.out"
	# A domain called win10 with another UUID (made by hand, or the VM's uuid changed):
	# verify asks libvirt for the UUID vfioc gives win10, so it does not compare that
	# domain, and says whose it is. The control: asked by name, virsh gives that domain.
	uuid_gen=$(sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' "$dom")
	other=0badc0de-0000-4000-8000-00000000000a
	sed "s|<uuid>.*</uuid>|<uuid>$other</uuid>|" "$dom" > "$TMP/other-uuid.xml"
	node "$TMP/node3.xml" "$TMP/other-uuid.xml"
	virsh -c "test://$TMP/node3.xml" dumpxml --inactive win10 > "$TMP/by-name.xml" 2>&1
	has "libvirt, other UUID: control: asked by name, virsh gives that domain" "<uuid>$other</uuid>" "$TMP/by-name.xml"
	verify_rc "libvirt, other UUID" 1 seed "$r" -c "test://$TMP/node3.xml"
	has "libvirt, other UUID: said, with both UUIDs" "^FAIL domain 'win10' is not defined in libvirt \(test://.*\) with its UUID $uuid_gen: libvirt's domain 'win10' has UUID $other\$" "$TMP/rc.out"
	has "libvirt, other UUID: how to undefine it, by UUID, at the URI verify read" "virsh -c test://$TMP/node3.xml undefine --keep-nvram --keep-tpm $other\)" "$TMP/rc.out"
	lacks "libvirt, other UUID: that domain is not compared" "^(ok  |FAIL) domain 'win10' (is defined|in libvirt differs)" "$TMP/rc.out"
	# What libvirt printed, served by a fake virsh on PATH at the default URI.
	virsh -c "test://$TMP/node.xml" dumpxml --inactive win10 > "$TMP/recorded-win10.xml"
	# verify asks for the domain by its UUID (a name could read as an ID or a UUID).
	uuid=$(sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' "$TMP/recorded-win10.xml")
	cp "$TMP/recorded-win10.xml" "$TMP/recorded-$uuid.xml"
	mkdir -p "$TMP/bin"
	cat > "$TMP/bin/virsh" <<-'FAKE'
	#!/bin/sh
	# A virsh that answers from recorded XML: virsh -c URI uri | dumpxml --inactive UUID |
	# net-info default (active and autostart from FAKE_NET_ACTIVE, FAKE_NET_AUTOSTART)
	[ "$1 $2" = "-c qemu:///system" ] || { echo "error: unexpected $*" >&2; exit 1; }
	case $3 in
	uri) echo "qemu:///system" ;;
	net-info) [ "$4" = default ] || { echo "error: failed to get network '$4'" >&2; exit 1; }
		printf 'Name:           default\nActive:         %s\nPersistent:     yes\nAutostart:      %s\nBridge:         virbr0\n' \
			"${FAKE_NET_ACTIVE:-yes}" "${FAKE_NET_AUTOSTART:-yes}" ;;
	dumpxml) f=$FAKE_VIRSH_DIR/recorded-$5.xml
		[ -f "$f" ] || { echo "error: failed to get domain '$5'" >&2; exit 1; }
		cat "$f" ;;
	*) echo "error: unexpected $*" >&2; exit 1 ;;
	esac
	FAKE
	chmod +x "$TMP/bin/virsh"
	PATH=$TMP/bin:$PATH FAKE_VIRSH_DIR=$TMP verify_rc "fake virsh" 0 seed "$r"
	has "fake virsh: the recorded domain matches" "^ok   domain 'win10' is defined in libvirt" "$TMP/rc.out"
	has "fake virsh: the network runs and starts at boot" "^ok   libvirt network 'default' of VM 'win10' is active and starts at boot$" "$TMP/rc.out"
	PATH=$TMP/bin:$PATH FAKE_VIRSH_DIR=$TMP FAKE_NET_ACTIVE=no FAKE_NET_AUTOSTART=no verify_rc "network off" 1 seed "$r"
	o=$TMP/rc.out
	has "network off: said" "^FAIL libvirt network 'default' of VM 'win10' is not active and does not start at boot: virsh start fails$" "$o"
	has "network off: the virsh way" "hint: once: sudo virsh net-autostart default && sudo virsh net-start default$" "$o"
	has "network off: the NixOS way" 'hint: or in configuration.nix: systemd.services.virsh-net-default = .*wantedBy = \[ "multi-user.target" \].*virsh net-start default' "$o"
	has "network off: the only failure" '^[0-9]+ hold, 1 failed' "$o"
	PATH=$TMP/bin:$PATH FAKE_VIRSH_DIR=$TMP FAKE_NET_ACTIVE=no verify_rc "network autostarted, not active" 1 seed "$r"
	has "network autostarted, not active: virsh net-start shows why" "hint: sudo virsh net-start default shows why it does not start$" "$TMP/rc.out"
	lacks "network autostarted, not active: no autostart hint" "net-autostart" "$TMP/rc.out"
	grep -q "controller type='pci'" "$TMP/recorded-win10.xml" && pass "fake virsh: libvirt's additions are in the recording" || fail "fake virsh: libvirt's additions are in the recording"
fi
mkdir -p "$TMP/novirsh"
if [ "$MODE" != valgrind ]; then  # valgrind itself is found on PATH
	PATH=$TMP/novirsh verify_rc "no virsh" 0 seed "$r"
	has "no virsh: skipped with a note" '^skip libvirt: domains not compared: virsh is not installed$' "$TMP/rc.out"
fi

# Usage.
rc_is "verify without CONFIG: exit 2" 2 vfioc verify
rc_is "verify --help" 0 vfioc verify --help
has "verify --help: usage" '^Usage: vfioc verify CONFIG' "$TMP/rc.out"
rc_is "a config with errors: exit 1" 1 vfioc verify golden/err/bad-version.yaml --root "$TMP/seed-ok"

# A real libvirtd (Debian's, qemu driver): a private session daemon run as nobody under
# $TMP (started by virsh, stopped here by its pid file), the generated domain defined as
# type qemu (no KVM here), then verify against it. Needs root to become nobody.
if [ "$(id -u)" = 0 ] && command -v libvirtd > /dev/null && command -v virsh > /dev/null &&
	command -v setpriv > /dev/null; then
	lv=$TMP/libvirt
	mkdir -p "$lv"
	chmod 711 "$TMP"
	sed 's/<domain type="kvm">/<domain type="qemu">/' "$dom" > "$lv/win10.xml"
	cp -a "$TMP/seed-ok" "$lv/root"
	cp -a ../examples/seed "$lv/seed"
	chown -R nobody "$lv"
	as_nobody() {
		setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/bin:/bin:/usr/sbin \
			HOME="$lv" XDG_RUNTIME_DIR="$lv/run" XDG_CONFIG_HOME="$lv/cfg" \
			XDG_CACHE_HOME="$lv/cache" XDG_DATA_HOME="$lv/data" "$@"
	}
	if as_nobody virsh -c qemu:///session define "$lv/win10.xml" > "$lv/define.out" 2>&1; then
		pass "real libvirtd: the domain defines"
		as_nobody "$VFIOC" verify "$lv/seed/host.yaml" --root "$lv/root" -c qemu:///session > "$TMP/real.out" 2>&1
		echo $? > "$TMP/real.rc"
		has "real libvirtd: the domain matches" "^ok   domain 'win10' is defined in libvirt as domains/win10.xml has it" "$TMP/real.out"
		# A session daemon has no default network: libvirt's own answer for a missing one.
		has "real libvirtd: no default network in a session" "^FAIL libvirt network 'default' of VM 'win10' is not defined: virsh start fails: .*default" "$TMP/real.out"
		has "real libvirtd: the only failure" '^[0-9]+ hold, 1 failed' "$TMP/real.out"
		grep -qx 1 "$TMP/real.rc" && pass "real libvirtd: exit 1" || fail "real libvirtd: exit 1"
		as_nobody virsh -c qemu:///session setmaxmem win10 8G --config > /dev/null 2>&1
		as_nobody "$VFIOC" verify "$lv/seed/host.yaml" --root "$lv/root" -c qemu:///session > "$TMP/real.out" 2>&1
		has "real libvirtd: a changed domain fails" "^FAIL domain 'win10' in libvirt differs from domains/win10.xml: memory: libvirt has 8388608 KiB, vfioc 16777216 KiB" "$TMP/real.out"
	else
		fail "real libvirtd: the domain defines"; sed 's/^/    /' "$lv/define.out" >&2
	fi
	pid=$(cat "$lv/run/libvirt/libvirtd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
fi

# `vfioc help verify` says what each kind of fact checks: every fact code of tools/verify/
# has its words in the help (a new code without them fails here).
vfioc help verify > "$TMP/help" 2>&1
codes=$(grep -ho 'fact_add(out, FACT_[A-Z]*, "[a-z-]*"' ../tools/verify/*.c | sed 's/.*"\(.*\)"/\1/' | sort -u)
expect "help verify: control: the sources give fact codes (audio-user among them)" \
	sh -c "echo '$codes' | grep -qx audio-user"
for c in $codes; do
	case $c in
	iommu) w='the IOMMU is on' ;;          kernel-cmdline) w='kernel command line holds' ;;
	driver) w='device is on vfio-pci' ;;   device-present) w='device is there' ;;
	group-viable) w='IOMMU group can go' ;; id-twin) w='share an ID' ;;
	vfio-group) w='/dev/vfio/N exists' ;;  iommu-groups) w='IOMMU groups are' ;;
	hugepages) w='hugepages of host.hugepages' ;; isolated-cpus) w='isolate-cpus are isolated' ;;
	domain) w="domain is defined in libvirt" ;; libvirt) w='libvirt cannot be reached' ;;
	network) w='network the VMs use' ;;     media|firmware) w='files each VM starts from' ;;
	audio-user) w='qemu-config.uid' ;;     *) w="(no words for the fact code $c)" ;;
	esac
	has "help verify tells what the facts '$c' check" "$w" "$TMP/help"
	has "vfioc(1) lists the fact code $c" "^\.Cm (.* )?$c( ,| \)|\$)" ../man/vfioc.1
done
