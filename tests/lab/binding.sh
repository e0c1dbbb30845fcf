# binding.sh: the binding cases' parts (sourced by cases/*-binding-*.sh). Boot-time binding
# as NixOS boots, on the Intel machine (tests/lab/machines.sh;
# its snapshot comes from 10-layouts-intel). Two configs, each built for NixOS 25.05 and 25.11:
#   override  two of four identical e1000e (00:04.0, 00:05.0) with e1000e in
#             host.display-drivers, as a host GPU's driver loaded in the initrd for early
#             modesetting: binding by address (driver_override)
#   ids       a unique e1000 (00:07.0) and a whole multi-function slot (00:06.0, 00:06.1),
#             with e1000 in host.display-drivers: vfio-pci.ids
# One boot per config, with the kernel-cmdline vfioc wrote. In it, stage 1 is replayed four
# times (each build under the scripted and the systemd initrd; tests/lab/stage1.py takes the
# values from evaluating vfio.nix; guest-lib.sh's stage1 applies them), every driver and
# override undone in between. After each: every passed device is on vfio-pci, every other
# device with a passed device's ID on its own driver, /dev/vfio/N of the passed groups exists.
. "$LAB_DIR/machines.sh"
snap=${LAB_INTEL_SNAPSHOT:-$LAB_WORK/intel.yaml}
if [ ! -s "$snap" ]; then
	fail "binding: needs the Intel machine's snapshot from 10-layouts-intel"
	exit 0
fi

# bind_config NAME DISPLAY-DRIVER PCI...: a config for the Intel machine, hardware from its snapshot.
bind_config() {
	n=$1 drv=$2; shift 2
	for rel in 25.05 25.11; do
		{
			printf 'version: 1\nhardware: hardware.yaml\ntarget:\n  nixos: "%s"\n' "$rel"
			host_and_vms "$drv" "$@"
		} > "$d/$n-$rel.yaml"
	done
}

# binding_case NAME DISPLAY-DRIVER CHECK "PCI PCI..."...: one VM per quoted list. CHECK
# "control": a last replay without the module's modprobe configuration; "verify": `vfioc
# verify` after the last replay, and a second boot without vfioc's kernel command line,
# where verify must fail naming every passed device.
binding_case() {
	name=$1 drv=$2 control=$3; shift 3
	case $control in control | verify) ;; *) control= ;; esac
	d=$(newdir "binding-$name")
	cp "$snap" "$d/hardware.yaml"   # the guest sees its own folder only, not $LAB_WORK
	bind_config "$name" "$drv" "$@"
	for rel in 25.05 25.11; do
		if ! "$VFIOC" build "$d/$name-$rel.yaml" -o "$d/out-$rel" 2> "$d/build.err"; then
			fail "binding $name: vfioc build for $rel"; sed 's/^/    /' "$d/build.err" >&2; return
		fi
		for sd in false true; do
			initrd=scripted; [ $sd = true ] && initrd=systemd
			if ! nix_eval "$d/out-$rel/vfio.nix" "$rel" $sd "$d/eval-$rel-$sd.json" 2> "$d/eval.err"; then
				fail "binding $name: vfio.nix for $rel evaluates"; sed 's/^/    /' "$d/eval.err" >&2; return
			fi
			python3 "$LAB_DIR/stage1.py" "$d/eval-$rel-$sd.json" "$rel" "$d/stage1-$rel-$initrd"
		done
	done
	check "binding $name: kernel-cmdline is the same for 25.05 and 25.11" \
		cmp "$d/out-25.05/kernel-cmdline" "$d/out-25.11/kernel-cmdline"
	cat "$d/out-25.05/kernel-cmdline" > "$d/append"
	expect_file "$snap" "$*" > "$d/expect"
	cat > "$d/guest.sh" <<G
CASE="binding $name"
. ./guest-lib.sh
# The drivers of the devices that are neither passed nor twins of passed ones (storage,
# SMBus, LPC, 9p, the other NICs) are loaded once and kept: each replay's coldplug finds
# them loaded, as udev would, and the replays take less time.
for dev in /sys/bus/pci/devices/*; do
	grep -q "^\${dev##*/} " expect || modprobe -b -q "\$(cat "\$dev/modalias")" || true
done
bound=\$(while read -r a want; do [ "\$(driver "\$a")" = none ] || echo "\$a"; done < expect)
expect "before stage 1, no device with a passed device's ID is bound" test -z "\$bound"
lsmod | awk 'NR > 1 { print \$1 }' > baseline-modules
expect "the kernel command line is vfioc's" grep -qF "\$(cat append)" /proc/cmdline
first=1
for s in stage1-25.11-scripted stage1-25.05-systemd stage1-25.05-scripted stage1-25.11-systemd; do
	[ -n "\$first" ] || unbind_all
	first=
	stage1 "\$s" "\${s##*-}"
	assert_bound "\${s#stage1-}" expect
done
# The control: the same stage 1 without the module's modprobe configuration must leave a
# passed device off vfio-pci when a host driver is an initrd module; else the checks above
# could not fail.
if [ "$control" = control ]; then
	unbind_all
	mkdir -p control && cp stage1-25.05-scripted/modules control/ && : > control/modprobe.conf
	: > control/predevice.sh && : > control/udev.rules
	stage1 control scripted
	taken=\$(while read -r a want; do [ "\$want" = vfio-pci ] && [ "\$(driver "\$a")" != vfio-pci ] && echo "\$a"; done < expect)
	expect "control: without vfio.nix's modprobe configuration, the host driver takes a passed device" test -n "\$taken"
fi
G
	[ "$control" = verify ] && cat >> "$d/guest.sh" <<G
# vfioc verify on the booted guest: the last replay is the 25.11 build's.
host "$d/vfioc" verify "$d/$name-25.11.yaml" > verify.out 2>&1
expect "vfioc verify passes after the binding boot" test \$? = 0
G
	# shellcheck disable=SC2086
	boot "$d" "binding $name" $INTEL_DEVICES && guest_results "$d"
	[ "$control" = verify ] || return 0
	# The same machine booted without vfioc's kernel command line (the IOMMU on still).
	v=$(newdir "binding-$name-no-cmdline")
	cp -r "$d/stage1-25.11-systemd" "$v/stage1"
	cp "$d/hardware.yaml" "$d/$name-25.11.yaml" "$v/"
	cat > "$v/guest.sh" <<G
CASE="binding $name, booted without kernel-cmdline"
. ./guest-lib.sh
stage1 stage1 systemd
host "$v/vfioc" verify "$v/$name-25.11.yaml" > verify.out 2>&1
expect "vfioc verify fails" test \$? = 1
for a in $(echo "$*" | sed 's/[^ ][^ ]*/0000:&/g'); do
	expect "vfioc verify names \$a" grep -q "^FAIL.*\$a" verify.out
done
G
	# shellcheck disable=SC2086
	boot "$v" "binding $name, no kernel-cmdline" $INTEL_DEVICES && guest_results "$v"
}

