# inner.sh W: the part of t-libvirt-real that runs in private mount and network namespaces
# (unshare -m -n), as root. It mounts its own state over libvirt's directories, models the
# firmware a NixOS host has, starts virtlogd and libvirtd from Debian's packages, and defines
# and starts the domains t-libvirt-real.sh prepared in W. Results go to W/results as
# "ok NAME" / "FAIL NAME" lines; everything it started is stopped on exit, even on failure.
set -u
W=$1
R=$W/results
: > "$R"
ok() { echo "ok $*" >> "$R"; }
bad() { echo "FAIL $*" >> "$R"; echo "FAIL $*" >&2; }
check() { name=$1; shift; if "$@" > /dev/null 2>&1; then ok "$name"; else bad "$name"; fi; }
xp() { xmllint --xpath "$1" "$2" 2> /dev/null; }

cleanup() {
	if [ -S /run/libvirt/libvirt-sock ]; then
		for d in $(virsh list --name 2> /dev/null); do virsh destroy "$d" > /dev/null 2>&1; done
		virsh net-destroy default > /dev/null 2>&1
	fi
	for f in /run/libvirt/libvirtd.pid /run/libvirt/virtlogd.pid /run/libvirt/qemu/*.pid; do
		[ -s "$f" ] && kill "$(cat "$f" 2> /dev/null)" 2> /dev/null
	done
	sleep 1
	for f in /run/libvirt/qemu/*.pid; do
		[ -s "$f" ] && kill -9 "$(cat "$f" 2> /dev/null)" 2> /dev/null
	done
	[ -s "$W/pa.pid" ] && kill "$(cat "$W/pa.pid")" 2> /dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# libvirtd_up: start libvirtd and wait up to 30 s for it to answer.
libvirtd_up() {
	libvirtd -d -p /run/libvirt/libvirtd.pid || return 1
	for _ in $(seq 150); do
		virsh -q version > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# Private state: what libvirt writes never reaches the host's directories.
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /dev/shm /run/user; do
	mount -t tmpfs vfioc-test "$d" || { bad "namespace: mount a private $d"; exit 1; }
done
# swtpm's log folder and local CA are the host's too: a run beside another (or a host whose
# own VMs used a TPM) would share their files and locks. Each keeps its owner and mode.
for d in /var/log/swtpm /var/lib/swtpm-localca; do
	[ -d "$d" ] || continue
	own=$(stat -c %u:%g "$d") mode=$(stat -c %a "$d")
	mount -t tmpfs -o "mode=$mode" vfioc-test "$d" && chown "$own" "$d" ||
		{ bad "namespace: mount a private $d"; exit 1; }
done
mkdir -p "$W/etc" && cp -a /etc/libvirt "$W/etc/" && mount --bind "$W/etc/libvirt" /etc/libvirt
# As NixOS's libvirtd module with qemu.runAsRoot (the default vfioc writes).
printf 'user = "root"\ngroup = "root"\nnamespaces = []\n' >> /etc/libvirt/qemu.conf
mkdir -p /var/lib/libvirt/qemu/nvram /var/log/libvirt/qemu /var/cache/libvirt/qemu \
	/run/libvirt/hugepages
mount -t hugetlbfs -o pagesize=2M vfioc-test /run/libvirt/hugepages

# The firmware: NixOS's OVMF links (up to 25.05), and QEMU's own descriptors pointing into
# them (from 25.11), with Debian's enrolled-keys descriptor masked: QEMU has none.
mkdir -p /run/libvirt/nix-ovmf
while read -r name target; do
	ln -s "$target" "/run/libvirt/nix-ovmf/$name"
done < "$W/ovmf.map"
if [ -d /etc/qemu ]; then
	mount -t tmpfs vfioc-test /etc/qemu && mkdir /etc/qemu/firmware
	cp "$W"/qemu-firmware/*.json /etc/qemu/firmware/
	for f in /usr/share/qemu/firmware/*.json; do
		[ -e "/etc/qemu/firmware/$(basename "$f")" ] || : > "/etc/qemu/firmware/$(basename "$f")"
	done
else
	mount -t tmpfs vfioc-test /usr/share/qemu/firmware
	cp "$W"/qemu-firmware/*.json /usr/share/qemu/firmware/
fi

ip link set lo up
ip link add br0 type bridge && ip link set br0 up   # twin-gpu's {bridge: br0}

mkdir -p "$W/log"
echo "$(date +%s.%N) mounts done" >> "$W/log/timeline"
virtlogd -d -p /run/libvirt/virtlogd.pid
libvirtd_up || { bad "libvirtd starts"; exit 1; }
ok "libvirtd starts (private state, no systemd)"
echo "$(date +%s.%N) libvirtd up" >> "$W/log/timeline"
check "libvirt's default network starts" virsh net-start default

# define KEY XML: define it, and print the domain's name.
define() {
	virsh define "$2" > "$W/log/$1.define" 2>&1 || return 1
	xp 'string(/domain/name)' "$2"
}

# start KEY: define W/start/KEY.xml and start it; the live XML and QEMU's command line go to
# W/live/KEY.xml and .cmdline.
start() {
	n=$(define "$1" "$W/start/$1.xml") || { bad "$1: the TCG copy defines"; cat "$W/log/$1.define" >&2; return 1; }
	if ! virsh start "$n" > "$W/log/$1.start" 2>&1 || [ "$(virsh domstate "$n")" != running ]; then
		bad "$1: starts and runs under TCG"; sed 's/^/    /' "$W/log/$1.start" >&2
		virsh undefine --nvram "$n" > /dev/null 2>&1
		return 1
	fi
	ok "$1: starts and runs under TCG"
	echo "$(date +%s.%N) started $1" >> "$W/log/timeline"
	virsh dumpxml "$n" > "$W/live/$1.xml"
	tr '\0' '\n' < "/proc/$(cat "/run/libvirt/qemu/$n.pid")/cmdline" > "$W/live/$1.cmdline"
}

stop() {
	n=$(xp 'string(/domain/name)' "$W/start/$1.xml")
	echo "$(date +%s.%N) stop $1" >> "$W/log/timeline"
	virsh destroy "$n" > /dev/null 2>&1
	echo "$(date +%s.%N) destroyed $1" >> "$W/log/timeline"
	virsh undefine --nvram "$n" > /dev/null 2>&1
}

# The firmware the running domain got: a secure-boot one where the VM asks for it, and
# Microsoft's keys in its NVRAM exactly where vfioc says it enrolls them (up to 25.05).
firmware_checks() {
	key=$1 rel=$2 live=$W/live/$1.xml orig=$W/orig/$1.xml
	sb=no
	if [ "$(xp 'string(//os/loader/@secure)' "$orig")" = yes ] ||
	   [ "$(xp "string(//os/firmware/feature[@name='secure-boot']/@enabled)" "$orig")" = yes ]; then
		sb=yes
	fi
	[ -n "$(xp 'string(//os/loader)' "$live")" ] || return 0   # BIOS
	loader=$(xp 'string(//os/loader)' "$live")
	nvram=$(xp 'string(//os/nvram)' "$live")
	got=$(xp 'string(//os/loader/@secure)' "$live")
	check "$key: libvirt chose loader secure='$sb'" test "${got:-no}" = "$sb"
	case $rel:$sb in
	old:yes) check "$key: the loader is NixOS's Secure Boot OVMF" \
			sh -c "readlink -f '$loader' | grep -q secboot" ;;
	new:yes) check "$key: the loader is QEMU's secure-boot firmware" \
			test "$loader" = /run/libvirt/nix-ovmf/edk2-x86_64-secure-code.fd ;;
	new:no) check "$key: the loader is QEMU's plain firmware" \
			test "$loader" = /run/libvirt/nix-ovmf/edk2-x86_64-code.fd ;;
	esac
	if [ "$sb" = yes ]; then
		if grep -aq 'Microsoft Corporation KEK CA' "$nvram"; then keys=yes; else keys=no; fi
		want=no
		[ "$rel" = old ] && want=yes
		check "$key: Microsoft's keys enrolled in its NVRAM: $want" test "$keys" = "$want"
	fi
}

mkdir -p "$W/log" "$W/live"
while read -r key rel; do
	echo "$(date +%s.%N) define $key" >> "$W/log/timeline"
	n=$(define "$key" "$W/define/$key.xml") && ok "$key: virsh define (as generated, type qemu)" ||
		{ bad "$key: virsh define (as generated, type qemu)"; sed 's/^/    /' "$W/log/$key.define" >&2; }
	virsh dumpxml --inactive "$n" > "$W/log/$key.defined.xml" 2> /dev/null
	virsh undefine --nvram "$n" > /dev/null 2>&1
	case $key in
	*--lg1|*--lg2) continue ;;   # started together below
	esac
	start "$key" || continue
	firmware_checks "$key" "$rel"
	case $key in
	devices--huge)
		check "$key: RAM from the hugetlbfs mount" grep -q '/run/libvirt/hugepages' "$W/live/$key.cmdline" ;;
	devices--vncgpu)
		check "$key: VNC next to a passed GPU keeps an emulated VGA" \
			test "$(xp 'string(//video/model/@type)' "$W/live/$key.xml")" = vga ;;
	disks--disks)
		check "$key: no LSI controller added (SCSI disks on virtio-scsi)" \
			test "$(xp "count(//controller[@model='lsilogic'])" "$W/live/$key.xml")" = 0
		check "$key: one SCSI controller" \
			test "$(xp "count(//controller[@type='scsi'])" "$W/live/$key.xml")" = 1 ;;
	esac
	stop "$key"
done < "$W/domains.list"

# As generated (hostdevs and all; type qemu): QEMU's command line as libvirt writes it.
native() { virsh domxml-to-native qemu-argv "$W/define/$1.xml" > "$W/log/$1.argv" 2>&1; }
if native devices--bootnvme; then
	check "devices--bootnvme: the passed NVMe is QEMU's boot device" \
		grep -q '"driver":"vfio-pci","host":"0000:02:00.0",.*"bootindex":1' \
		"$W/log/devices--bootnvme.argv"
else
	bad "devices--bootnvme: domxml-to-native"; head -3 "$W/log/devices--bootnvme.argv" >&2
fi
if native amd-usb-controller--win10; then
	a=$W/log/amd-usb-controller--win10.argv
	check "amd-usb-controller--win10: the IOAPIC in KVM (kernel_irqchip=on)" grep -q 'kernel_irqchip=on' "$a"
	check "amd-usb-controller--win10: hv-tlbflush and hv-ipi reach QEMU" \
		sh -c "grep -q 'hv-tlbflush' '$a' && grep -q 'hv-ipi' '$a'"
else
	bad "amd-usb-controller--win10: domxml-to-native"; head -3 "$W/log/amd-usb-controller--win10.argv" >&2
fi
check "headless-server--db: NIC VFs stay interfaces of type hostdev with their MACs" \
	test "$(xp "count(//interface[@type='hostdev']/mac)" "$W/log/headless-server--db.defined.xml")" = 2

# Looking Glass: the tmpfiles rules vfio.nix sets, applied; two VMs of different sizes at
# once; then one VM's size changed and applied as a NixOS switch would: it starts.
systemd-tmpfiles --create "$W/lg.conf" 2> "$W/log/lg.tmpfiles"
check "looking glass: tmpfiles rules apply" test -s "$W/lg.conf"
if start looking-glass--lg1 && start looking-glass--lg2; then
	check "looking glass: two VMs with different sizes run at once" \
		sh -c "[ \"\$(virsh domstate lg1)\" = running ] && [ \"\$(virsh domstate lg2)\" = running ]"
	shm1=$(xp 'string(//shmem/@name)' "$W/live/looking-glass--lg1.xml")
	shm2=$(xp 'string(//shmem/@name)' "$W/live/looking-glass--lg2.xml")
	check "looking glass: a file per VM" test "$shm1" != "$shm2"
	check "looking glass: lg2's file is 64 MiB" test "$(stat -c %s "/dev/shm/$shm2")" = 67108864
fi
stop looking-glass--lg1
systemd-tmpfiles --create "$W/lg-resized.conf" 2>> "$W/log/lg.tmpfiles"
if start lg-resized--lg1; then
	shm=$(xp 'string(//shmem/@name)' "$W/live/lg-resized--lg1.xml")
	check "looking glass: the new size takes effect (128 MiB)" \
		test "$(stat -c %s "/dev/shm/$shm")" = 134217728
fi
stop lg-resized--lg1
stop looking-glass--lg2

# Hooks added while libvirtd runs (as a NixOS switch adds them): libvirtd does not see them
# until it reloads (SIGHUP, what vfio.nix's vfioc-libvirt-hooks does), then it runs them.
mkdir -p /etc/libvirt/hooks/qemu.d
printf '#!/bin/sh\necho "$1 $2" >> %s/hook.log\n' "$W" > /etc/libvirt/hooks/qemu.d/vfioc-test
chmod 0755 /etc/libvirt/hooks/qemu.d/vfioc-test
if start qemu-user--qu; then
	stop qemu-user--qu
	check "hooks: a hook added while libvirtd runs is not run before a reload" test ! -e "$W/hook.log"
fi
kill -HUP "$(cat /run/libvirt/libvirtd.pid)"
sleep 2
if start qemu-user--qu; then
	stop qemu-user--qu
	check "hooks: after a reload (SIGHUP) libvirtd runs it" grep -q '^qu prepare' "$W/hook.log"
fi
rm -rf /etc/libvirt/hooks/qemu.d

# Guest sound into a user's PulseAudio (qemu-user's qa, audio: pulseaudio): the server runs
# as the user QEMU runs as below (vfioc-qemu, uid 64711) in that user's runtime directory,
# /run/user/64711 (mode 0700, as logind makes it), with a null sink: no sound card needed.
pa_uid=64711
pa_as() { setpriv --reuid $pa_uid --regid $pa_uid --clear-groups env -i PATH="$PATH" HOME="$W/pa-home" "$@"; }
mkdir -m 0700 /run/user/$pa_uid "$W/pa-home" && chown $pa_uid:$pa_uid /run/user/$pa_uid "$W/pa-home"
# Started as a plain command, so that $! is the server itself (setpriv and env exec it).
setpriv --reuid $pa_uid --regid $pa_uid --clear-groups env -i PATH="$PATH" HOME="$W/pa-home" \
	XDG_RUNTIME_DIR=/run/user/$pa_uid pulseaudio -n --daemonize=no --exit-idle-time=-1 \
	--use-pid-file=yes --realtime=no --high-priority=no --log-target=stderr \
	-L module-native-protocol-unix -L "module-null-sink sink_name=vfioc" 2> "$W/log/pulseaudio" &
echo $! > "$W/pa.pid"
for _ in $(seq 100); do [ -S /run/user/$pa_uid/pulse/native ] && break; sleep 0.1; done
check "audio: a PulseAudio server runs as uid $pa_uid in /run/user/$pa_uid" \
	test -S /run/user/$pa_uid/pulse/native
qa=$W/define/qemu-user--qa.xml
check "audio: qa names the server of qemu-config's user (its uid)" \
	test "$(xp 'string(//devices/audio/@serverName)' "$qa")" = "unix:/run/user/$pa_uid/pulse/native"

# try_start KEY XML: define XML and start it; true when it runs (virsh's words in W/log/KEY.start).
try_start() {
	n=$(define "$1" "$2") || return 1
	virsh start "$n" > "$W/log/$1.start" 2>&1 && [ "$(virsh domstate "$n")" = running ]
}
gone() { virsh destroy "$1" > /dev/null 2>&1; virsh undefine "$1" > /dev/null 2>&1; }
# Control: QEMU as root (run-as-root, as libvirtd runs it so far) reaches the socket but the
# server refuses it (not its uid, no cookie), so QEMU does not start: what the check
# audio-qemu-user refuses.
if try_start audio-root "$qa"; then
	bad "audio: QEMU as root is refused by the user's PulseAudio (check audio-qemu-user)"
else
	check "audio: QEMU as root is refused by the user's PulseAudio (check audio-qemu-user)" \
		grep -q "Access denied" "$W/log/audio-root.start"
fi
gone qa

# qemu-config's user: libvirtd restarted on qemu.conf as NixOS writes it from vfio.nix
# (W/nixos-qemu.conf), with the user vfioc-qemu known only in this namespace; the VM's QEMU
# runs as that user and group.
cp /etc/passwd /etc/group "$W/etc/"
echo 'vfioc-qemu:x:64711:64711::/nonexistent:/usr/sbin/nologin' >> "$W/etc/passwd"
echo 'vfioc-qemu:x:64711:' >> "$W/etc/group"
mount --bind "$W/etc/passwd" /etc/passwd && mount --bind "$W/etc/group" /etc/group
kill "$(cat /run/libvirt/libvirtd.pid)"
for _ in $(seq 100); do [ -S /run/libvirt/libvirt-sock ] && kill -0 "$(cat /run/libvirt/libvirtd.pid 2> /dev/null)" 2> /dev/null || break; sleep 0.1; done
cp "$W/nixos-qemu.conf" /etc/libvirt/qemu.conf
rm -f /run/libvirt/libvirtd.pid
up=no
libvirtd_up && up=yes
check "qemu-user: libvirtd starts on qemu.conf as NixOS writes it" test $up = yes
if [ $up = yes ] && start qemu-user--qu; then
	pid=$(cat /run/libvirt/qemu/qu.pid)
	check "qemu-user: QEMU runs as qemu-config's user (vfioc-qemu, uid 64711)" \
		test "$(stat -c %u "/proc/$pid")" = 64711
	check "qemu-user: QEMU runs in qemu-config's group (vfioc-qemu, gid 64711)" \
		test "$(stat -c %g "/proc/$pid")" = 64711
	stop qemu-user--qu
fi
if [ $up = yes ]; then
	if try_start audio "$qa"; then
		ok "audio: qa (audio: pulseaudio, as generated) starts and runs, QEMU as qemu-config's user"
		pa_as PULSE_SERVER=unix:/run/user/$pa_uid/pulse/native pactl list clients > "$W/log/pa-clients" 2>&1
		check "audio: QEMU is a client of that user's PulseAudio" \
			grep -q 'application.process.binary = "qemu-system-x86_64"' "$W/log/pa-clients"
	else
		bad "audio: qa (audio: pulseaudio, as generated) starts and runs, QEMU as qemu-config's user"
		sed 's/^/    /' "$W/log/audio.start" >&2
	fi
	gone qa
	# Control: the domain as vfioc wrote it before it named the server fails to start, as the
	# shipped single-gpu example did: QEMU under system libvirt has no XDG_RUNTIME_DIR.
	sed 's/ serverName="[^"]*"//' "$qa" > "$W/qa-unnamed.xml"
	if try_start audio-unnamed "$W/qa-unnamed.xml"; then
		bad "audio: without serverName QEMU cannot init its pa driver"
	else
		check "audio: without serverName QEMU cannot init its pa driver" \
			grep -q "Could not init .pa. audio driver" "$W/log/audio-unnamed.start"
	fi
	gone qa
fi
kill "$(cat "$W/pa.pid")" && wait "$(cat "$W/pa.pid")" 2> /dev/null
check "audio: the PulseAudio server is stopped" test ! -S /run/user/$pa_uid/pulse/native
exit 0
