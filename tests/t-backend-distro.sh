# t-backend-distro: root/ and root.apply for every family, initramfs generator and boot loader
# on the seed host (vfio-pci.ids) and the twin-gpu host (driver_override): the files each
# writes and no other, the steps in order, the scripts' and drop-ins' shell syntax, the same
# binding text as vfio.nix (softdeps, the install line), a switch of generator removing the
# old drop-in (and only vfioc's own), and a committed root/etc symlink refused.
. ./lib.sh

ex=$TESTS_DIR/../examples

# conf NAME HOST FAMILY INITRAMFS BOOTLOADER: a config for that target in $TMP/NAME/host.yaml,
# its snapshot beside it, passing the host's GPU and audio.
conf() {
	mkdir -p "$TMP/$1"
	cp "$ex/$2/hardware.yaml" "$TMP/$1/"
	case $2 in seed) dev='"01:00.0", "01:00.1"' ;; *) dev='"04:00.0", "04:00.1"' ;; esac
	cat > "$TMP/$1/host.yaml" <<EOF
version: 1
hardware: hardware.yaml
target: { family: $3, initramfs: $4, bootloader: $5 }
host: { display-drivers: [i915], users: [alice] }
vms:
  win: { memory: 8GiB, vcpus: 4, pci: [$dev] }
EOF
}

# build NAME: build it into $TMP/NAME/out (warnings allowed).
build() {
	if vfioc build "$TMP/$1/host.yaml" -o "$TMP/$1/out" > "$TMP/$1/build.out" 2>&1; then
		pass "distro: $1 builds"
	else
		fail "distro: $1 builds"; head -20 "$TMP/$1/build.out" >&2
	fi
}

# files NAME EXPECTED: root.apply's file lines, and root/, are exactly EXPECTED (sorted).
files() {
	g=$TMP/$1/out
	printf '%s\n' $2 | sort > "$TMP/want"
	sed -n 's/^file \([^ ]*\) [0-7]*$/\1/p' "$g/root.apply" | sort > "$TMP/listed"
	(cd "$g/root" && find . -type f | sed 's|^\./||' | sort) > "$TMP/present"
	same "distro: $1: root.apply lists the files" "$TMP/want" "$TMP/listed"
	same "distro: $1: root/ holds them" "$TMP/want" "$TMP/present"
	expect "distro: $1: no vfio.nix" test ! -e "$g/vfio.nix"
}

# syntax NAME: every shell file of root/ parses (bash for the sourced drop-ins).
syntax() {
	g=$TMP/$1/out/root
	for f in $(cd "$g" && find . -type f | sed 's|^\./||'); do
		case $f in
		etc/mkinitcpio.conf.d/*|etc/dracut.conf.d/*|etc/default/grub.d/*)
			expect "distro: $1: $f parses as bash" bash -n "$g/$f" ;;
		etc/initramfs-tools/hooks/*|etc/libvirt/hooks/*)
			expect "distro: $1: $f parses as sh" sh -n "$g/$f" ;;
		esac
	done
}

P=intel_iommu=on
IDS="$P vfio-pci.ids=1002:67b0,1002:aac8"

conf arch seed arch mkinitcpio systemd-boot
build arch
files arch "etc/modprobe.d/vfio.conf etc/mkinitcpio.conf.d/vfio.conf"
syntax arch
a=$TMP/arch/out/root.apply
has "distro: arch: the target line" '^target arch mkinitcpio systemd-boot$' "$a"
has "distro: arch: kernel-install's command line" "^cmdline-file etc/kernel/cmdline $IDS\$" "$a"
has "distro: arch: mkinitcpio -P" '^regenerate mkinitcpio -P$' "$a"
lacks "distro: arch: no kernel-install run with mkinitcpio" '^regenerate kernel-install' "$a"
has "distro: arch: the vfio modules before the user's" \
	'^MODULES=\(vfio_pci vfio vfio_iommu_type1 "\$\{MODULES\[@\]\}" i915\)$' \
	"$TMP/arch/out/root/etc/mkinitcpio.conf.d/vfio.conf"
has "distro: arch: the user joins libvirt" '^group libvirt alice$' "$a"
has "distro: arch: the domain is defined" '^domain win domains/win.xml no$' "$a"
# The modules really come first: bash sources the drop-in after a mkinitcpio.conf of its own.
printf 'MODULES=(btrfs amdgpu)\n' > "$TMP/mkinitcpio.conf"
got=$(bash -c '. "$1"; . "$2"; echo "${MODULES[*]}"' _ "$TMP/mkinitcpio.conf" \
	"$TMP/arch/out/root/etc/mkinitcpio.conf.d/vfio.conf")
if [ "$got" = "vfio_pci vfio vfio_iommu_type1 btrfs amdgpu i915" ]; then
	pass "distro: arch: sourced after mkinitcpio.conf, MODULES keeps the user's"
else
	fail "distro: arch: sourced after mkinitcpio.conf, MODULES keeps the user's (got '$got')"
fi

conf archgrub seed arch booster grub
build archgrub
files archgrub "etc/modprobe.d/vfio.conf etc/booster.yaml etc/default/grub.d/vfio.cfg"
a=$TMP/archgrub/out/root.apply
lacks "distro: arch grub: /etc/default/grub is not edited" '^shell-var' "$a"
has "distro: arch grub: the grub.d drop-in" "^GRUB_CMDLINE_LINUX_DEFAULT=\"\\\$GRUB_CMDLINE_LINUX_DEFAULT $IDS\"\$" \
	"$TMP/archgrub/out/root/etc/default/grub.d/vfio.cfg"
has "distro: arch grub: grub-mkconfig after booster" \
	'^regenerate /usr/lib/booster/regenerate_images$' "$a"
[ "$(sed -n 's/^regenerate //p' "$a" | tr '\n' '|')" = "/usr/lib/booster/regenerate_images|grub-mkconfig -o /boot/grub/grub.cfg|" ] &&
	pass "distro: arch grub: initramfs first, then the menu" ||
	fail "distro: arch grub: initramfs first, then the menu"
has "distro: booster: the modules to load" '^modules_force_load: vfio_pci,vfio,vfio_iommu_type1,i915$' \
	"$TMP/archgrub/out/root/etc/booster.yaml"
has "distro: booster: the race is a warning" 'warning: .*\[target-race\]' "$TMP/archgrub/build.out"
python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' \
	"$TMP/archgrub/out/root/etc/booster.yaml" 2> /dev/null &&
	pass "distro: booster.yaml is YAML" || fail "distro: booster.yaml is YAML"

conf deb seed debian initramfs-tools grub
build deb
files deb "etc/modprobe.d/vfio.conf etc/initramfs-tools/hooks/vfioc etc/default/grub.d/vfio.cfg"
syntax deb
a=$TMP/deb/out/root.apply
has "distro: debian: the hook is executable" '^file etc/initramfs-tools/hooks/vfioc 0755$' "$a"
has "distro: debian: update-grub" '^regenerate update-grub$' "$a"
# The grub.d drop-in adds to what /etc/default/grub set, as grub-mkconfig sources them.
printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\n' > "$TMP/grub"
got=$(sh -c '. "$1"; . "$2"; echo "$GRUB_CMDLINE_LINUX_DEFAULT"' _ "$TMP/grub" \
	"$TMP/deb/out/root/etc/default/grub.d/vfio.cfg")
[ "$got" = "quiet splash $IDS" ] && pass "distro: debian: grub.d keeps quiet splash" ||
	fail "distro: debian: grub.d keeps quiet splash (got '$got')"
# The hook answers prereqs, and force_loads in order (hook-functions stubbed).
mkdir -p "$TMP/itools"
sed 's|^\. /usr/share/initramfs-tools/hook-functions$|force_load() { echo "$1"; }|' \
	"$TMP/deb/out/root/etc/initramfs-tools/hooks/vfioc" > "$TMP/itools/hook"
[ -z "$(sh "$TMP/itools/hook" prereqs)" ] && pass "distro: debian: the hook has no prereqs" ||
	fail "distro: debian: the hook has no prereqs"
[ "$(sh "$TMP/itools/hook" | tr '\n' ' ')" = "vfio_pci vfio vfio_iommu_type1 i915 " ] &&
	pass "distro: debian: the hook loads vfio first" || fail "distro: debian: the hook loads vfio first"

conf pop seed debian initramfs-tools kernelstub
build pop
a=$TMP/pop/out/root.apply
has "distro: pop: kernelstub adds" "^run kernelstub --add-options \"$IDS\"\$" "$a"
has "distro: pop: kernelstub removes on undo" "^undo kernelstub --delete-options \"$IDS\"\$" "$a"

conf fed twin-gpu fedora dracut grub
build fed
files fed "etc/modprobe.d/vfio.conf etc/dracut.conf.d/vfio.conf"
syntax fed
a=$TMP/fed/out/root.apply
has "distro: fedora: grubby adds" '^run grubby --update-kernel=ALL --args="intel_iommu=on"$' "$a"
has "distro: fedora: grubby removes on undo" '^undo grubby --update-kernel=ALL --remove-args="intel_iommu=on"$' "$a"
has "distro: fedora: dracut" '^regenerate dracut --regenerate-all --force$' "$a"
m=$TMP/fed/out/root/etc/modprobe.d/vfio.conf
has "distro: fedora: the install line writes driver_override" \
	'^install vfio_pci for d in 0000:04:00.0 0000:04:00.1; do echo vfio-pci > /sys/bus/pci/devices/\$d/driver_override; done; modprobe --ignore-install vfio_pci \$CMDLINE_OPTS$' "$m"
has "distro: fedora: dracut puts it in every image" '^install_items\+=" /etc/modprobe.d/vfio.conf "$' \
	"$TMP/fed/out/root/etc/dracut.conf.d/vfio.conf"
# The same binding text as the NixOS module of the same host.
sed 's/family: fedora, initramfs: dracut, bootloader: grub/nixos: "25.05"/' "$TMP/fed/host.yaml" \
	> "$TMP/fed/nixos.yaml"
vfioc build "$TMP/fed/nixos.yaml" -o "$TMP/fed/nix" > /dev/null 2>&1
grep -E '^ *(softdep|install) ' "$TMP/fed/nix/vfio.nix" | sed 's/^ *//' > "$TMP/nixlines"
grep -E '^(softdep|install) ' "$m" > "$TMP/distrolines"
same "distro: fedora: softdeps and install line as in vfio.nix" "$TMP/nixlines" "$TMP/distrolines"

conf fedsd twin-gpu fedora dracut systemd-boot
build fedsd
a=$TMP/fedsd/out/root.apply
has "distro: fedora systemd-boot: kernel-install add-all" '^regenerate kernel-install add-all$' "$a"
lacks "distro: fedora systemd-boot: dracut only through kernel-install" 'dracut --regenerate-all' "$a"

rc_is "distro: booster cannot bind by address" 1 sh -c \
	"sed 's/initramfs: dracut/initramfs: booster/' '$TMP/fed/host.yaml' > '$TMP/fed/booster.yaml' &&
	 '$VFIOC' check '$TMP/fed/booster.yaml'"
has "distro: booster: target-binding" 'error: booster cannot bind devices by address.*\[target-binding\]' "$TMP/rc.err"

# A switch from dracut to mkinitcpio removes dracut's drop-in, and keeps a file vfioc did not
# write next to it.
echo "mine" > "$TMP/fed/out/root/etc/dracut.conf.d/local.conf"
sed -i 's/family: fedora, initramfs: dracut/family: arch, initramfs: mkinitcpio/' "$TMP/fed/host.yaml"
build fed
expect "distro: switched: the dracut drop-in is gone" test ! -e "$TMP/fed/out/root/etc/dracut.conf.d/vfio.conf"
expect "distro: switched: a file of the user stays" test -s "$TMP/fed/out/root/etc/dracut.conf.d/local.conf"
expect "distro: switched: the mkinitcpio drop-in is there" test -s "$TMP/fed/out/root/etc/mkinitcpio.conf.d/vfio.conf"

# A committed root/etc that points elsewhere is not followed.
conf evil seed debian initramfs-tools grub
mkdir -p "$TMP/evil/out/root" "$TMP/evil/elsewhere"
ln -s "$TMP/evil/elsewhere" "$TMP/evil/out/root/etc"
rc_is "distro: root/etc as a symlink is refused" 3 vfioc build "$TMP/evil/host.yaml" -o "$TMP/evil/out"
expect "distro: nothing written through it" test -z "$(ls -A "$TMP/evil/elsewhere")"
