# distro-hook.sh: the lab's part of a distribution's real initramfs (tests/lab/distro.sh
# puts it in an archive before the image, with a static busybox as /lab/busybox). It runs once
# the initramfs has loaded its modules and udev's coldplug has settled: from initramfs-tools'
# /init as the boot script of boot=lab (its mountroot, after init-top's coldplug and
# load_modules), from dracut's initqueue as a "finished" hook (dracut-initqueue asks those
# whether the initqueue is done; it runs after systemd-udev-trigger, and the hook waits
# for udev to settle first). It mounts the host's root and the
# case's folder over 9p, as tests/lab/init does, runs the case's guest.sh inside the host's
# root (chroot) and powers off; the last console line says how it ended (written to
# /dev/console: dracut's services print to the journal).
B=/lab/busybox
say() { $B echo "$1" > /dev/console; }
lab_run() {
	for o in $($B cat /proc/cmdline); do
		case $o in lab.dir=*) dir=${o#lab.dir=} ;; esac
	done
	modprobe -a virtio_pci 9pnet_virtio 9p || say "LAB-END modprobe-9p-failed"
	$B mkdir -p /host
	$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose hostroot /host ||
		say "LAB-END mount-hostroot-failed"
	for d in proc sys dev run; do $B mount --rbind "/$d" "/host/$d"; done
	$B mount -t tmpfs tmpfs /host/tmp
	$B mkdir -p "/host$dir"
	$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 labdir "/host$dir" ||
		say "LAB-END mount-labdir-failed"
	say "LAB-GUEST-UP"
	$B chroot /host /bin/sh -c "cd '$dir' && sh ./guest.sh > guest.log 2>&1"
	say "LAB-END rc=$?"
	$B sync
	$B poweroff -f
}
mountroot() { lab_run; }  # initramfs-tools: /scripts/lab, sourced for boot=lab
if [ -n "${DRACUT_SYSTEMD:-}" ]; then  # dracut: initqueue/finished/99-lab.sh
	udevadm settle
	lab_run
fi
