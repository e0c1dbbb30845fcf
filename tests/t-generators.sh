# t-generators: what mkinitcpio and booster, which have no Debian package for the lab to run,
# make of the files vfioc writes for them, through replays of their loading steps written
# from their sources (tests/generators/; the commits are named there): mkinitcpio's drop-in
# after a mkinitcpio.conf (array and string MODULES, the default HOOKS, other drop-ins, a
# preset that turns drop-ins off), booster.yaml against booster's UserConfig, and the
# /etc/kernel/cmdline that apply edits, as kernel-install and mkinitcpio's UKIs read it.
# MKINITCPIO_SRC and BOOSTER_SRC (checkouts of their repositories), when set, check the
# replays against those sources too; with MKINITCPIO_SRC, the lab's kernel and root, the
# real mkinitcpio builds an image tree from the Arch root.
. ./lib.sh

G=$TESTS_DIR/generators
ex=$TESTS_DIR/../examples

# A host for each generator: the seed's GPU and audio by vfio-pci.ids, i915 for the host.
conf() {
	mkdir -p "$TMP/$1"
	cp "$ex/seed/hardware.yaml" "$TMP/$1/"
	cat > "$TMP/$1/host.yaml" <<Y
version: 1
hardware: hardware.yaml
target: { family: arch, initramfs: $1, bootloader: $2 }
host: { display-drivers: [i915], users: [alice] }
vms:
  win: { memory: 8GiB, vcpus: 4, pci: ["01:00.0", "01:00.1"] }
Y
	vfioc build "$TMP/$1/host.yaml" -o "$TMP/$1/out" > "$TMP/$1/build.out" 2>&1 ||
		{ fail "generators: $1 builds"; cat "$TMP/$1/build.out" >&2; }
}

# ---- mkinitcpio ----
conf mkinitcpio systemd-boot
drop=$TMP/mkinitcpio/out/root/etc/mkinitcpio.conf.d/vfio.conf
expect "mkinitcpio: the drop-in parses as bash" bash -n "$drop"
# An Arch root: mkinitcpio.conf as mkinitcpio v41 installs it (mkinitcpio.conf, with the
# HOOKS meson.build puts in for systemd_hooks), or the one of MKINITCPIO_SRC, and the drop-in.
R=$TMP/arch
mkdir -p "$R/etc/mkinitcpio.conf.d"
DEFAULT_HOOKS="base systemd autodetect microcode modconf kms keyboard sd-vconsole block filesystems fsck"
if [ -n "$MKINITCPIO_SRC" ]; then
	sed "s/@MKINITCPIO_HOOKS@/$DEFAULT_HOOKS/" "$MKINITCPIO_SRC/mkinitcpio.conf" > "$R/etc/mkinitcpio.conf"
else
	printf 'MODULES=()\nBINARIES=()\nFILES=()\nHOOKS=(%s)\n' "$DEFAULT_HOOKS" > "$R/etc/mkinitcpio.conf"
fi
cp "$drop" "$R/etc/mkinitcpio.conf.d/"
load() { bash "$G/mkinitcpio_load.bash" "$@" > "$TMP/load.out" 2> "$TMP/load.err"; }
# fact KEY: the words of the replay's KEY lines, on one line.
fact() { sed -n "s/^$1 //p" "$TMP/load.out" | tr '\n' ' ' | sed 's/ $//'; }
is() { [ "$2" = "$3" ] && pass "mkinitcpio: $1" || fail "mkinitcpio: $1 (got '$3', want '$2')"; }

load "$R"
is "the drop-in is read" yes "$(fact dropins)"
is "the default config: the vfio modules, then the host's display driver" \
	"vfio_pci vfio vfio_iommu_type1 i915" "$(fact add_module)"
is "the image's init loads them in that order" "vfio_pci vfio vfio_iommu_type1 i915" "$(fact early)"
is "the systemd hook's modules-load.d lists them in that order" \
	"vfio_pci vfio vfio_iommu_type1 i915" "$(fact modules_load)"
is "HOOKS are mkinitcpio.conf's, modconf kept (it puts modprobe.d into the image)" \
	"$DEFAULT_HOOKS" "$(fact hook)"
# The user's own modules stay, after the vfio ones and before i915.
sed -i 's/^MODULES=()/MODULES=(btrfs amdgpu nvidia?)/' "$R/etc/mkinitcpio.conf"
load "$R"
is "the user's MODULES array keeps its place and its optional module" \
	"vfio_pci vfio vfio_iommu_type1 btrfs amdgpu nvidia i915" "$(fact add_module)"
# A MODULES string (configs before mkinitcpio 24), which arrayize_config splits.
sed -i 's/^MODULES=.*/MODULES="btrfs amdgpu"/' "$R/etc/mkinitcpio.conf"
load "$R"
is "a MODULES string: each word its own module" \
	"vfio_pci vfio vfio_iommu_type1 btrfs amdgpu i915" "$(fact add_module)"
is "a MODULES string: systemd's modules-load.d one module a line" \
	"vfio_pci vfio vfio_iommu_type1 btrfs amdgpu i915" "$(fact modules_load)"
# Control: without its first line the drop-in hands add_module "btrfs amdgpu" as one name.
grep -v '^\[\[' "$drop" > "$R/etc/mkinitcpio.conf.d/vfio.conf"
load "$R"
has "mkinitcpio: control: a drop-in that only prepends hands add_module 'btrfs amdgpu' as one name" \
	'^add_module btrfs amdgpu$' "$TMP/load.out"
cp "$drop" "$R/etc/mkinitcpio.conf.d/"
sed -i 's/^MODULES=.*/MODULES=(btrfs)/' "$R/etc/mkinitcpio.conf"
# Other drop-ins, read in version order: one before vfio.conf that adds a module, one
# after it that appends; a file that is not *.conf is not read.
printf 'MODULES+=(nvme)\n' > "$R/etc/mkinitcpio.conf.d/10-nvme.conf"
printf 'MODULES+=(zram)\n' > "$R/etc/mkinitcpio.conf.d/zz-zram.conf"
printf 'MODULES=()\n' > "$R/etc/mkinitcpio.conf.d/vfio.conf.pacsave"
load "$R"
is "other drop-ins: version order, vfio first, not-.conf files unread" \
	"vfio_pci vfio vfio_iommu_type1 btrfs nvme i915 zram" "$(fact add_module)"
rm "$R/etc/mkinitcpio.conf.d/10-nvme.conf" "$R/etc/mkinitcpio.conf.d/zz-zram.conf" \
	"$R/etc/mkinitcpio.conf.d/vfio.conf.pacsave"
# A preset made before mkinitcpio 36 sets ALL_config: -c, and no drop-in is read. root.apply
# says so.
printf 'ALL_config="/etc/mkinitcpio.conf"\nALL_kver="/boot/vmlinuz-linux"\nPRESETS=(default)\n' > "$TMP/old.preset"
load "$R" "$TMP/old.preset"
is "a preset with ALL_config: the drop-in is not read" "no btrfs" "$(fact dropins) $(fact add_module)"
printf '#ALL_config="/etc/mkinitcpio.conf"\nALL_kver="/boot/vmlinuz-linux"\nPRESETS=(default)\n' > "$TMP/new.preset"
load "$R" "$TMP/new.preset"
is "a preset as mkinitcpio 36 writes it: the drop-in is read" "yes" "$(fact dropins)"
has "mkinitcpio: root.apply names the preset's ALL_config" '^# ALL_config nor PRESET_config' \
	"$TMP/mkinitcpio/out/root.apply"
# With the sources: the loading step still reads as the replay has it.
if [ -n "$MKINITCPIO_SRC" ]; then
	m=$MKINITCPIO_SRC/mkinitcpio f=$MKINITCPIO_SRC/functions
	expect "mkinitcpio source: drop-ins found as the replay finds them" \
		grep -qF "find \"\$_d_config\" -maxdepth 1 -xtype f -name '*.conf' -print0 | sed -z 's/.*\\///' | LC_ALL=C.UTF-8 sort -zVu" "$m"
	expect "mkinitcpio source: -c turns drop-ins off" grep -q '_optconfd=0' "$m"
	expect "mkinitcpio source: arrayize_config as replayed" \
		grep -qF "[[ \${MODULES@a} != *a* ]] && IFS=' ' read -r -a MODULES <<<\"\$MODULES\"" "$f"
	expect "mkinitcpio source: parse_config hands each MODULES word to add_module" \
		grep -qF 'map add_module "${MODULES[@]}"' "$f"
	expect "mkinitcpio source: the init loads MODULES before the hooks" \
		sh -c "grep -n 'modprobe -qab' '$MKINITCPIO_SRC/init' | cut -d: -f1 | { read a; b=\$(grep -n \"run_hookfunctions 'run_hook'\" '$MKINITCPIO_SRC/init' | cut -d: -f1); [ \"\$a\" -lt \"\$b\" ]; }"
	expect "mkinitcpio source: modconf installs /etc/modprobe.d" \
		grep -qF "add_full_dir /etc/modprobe.d '*.conf'" "$MKINITCPIO_SRC/install/modconf"
else
	echo "t-generators: MKINITCPIO_SRC unset: the replay is not compared with mkinitcpio's sources" >&2
fi

# ---- the real mkinitcpio, run from MKINITCPIO_SRC on a Debian kernel's modules ----
# With the sources, the kernel the lab unpacks (LAB_CACHE, tests/lab/prepare.sh) and root (a
# private mount namespace puts the Arch root's /etc/modprobe.d where the modconf hook reads
# it), mkinitcpio itself builds the image tree (-d) from the Arch root: its /config lists
# the modules its init loads first. HOOKS is modconf alone: the others install an Arch
# system's binaries (busybox, systemd), which this machine has elsewhere or not at all.
K=${LAB_CACHE:-$HOME/.cache/vfioc-lab}
rel=$(cat "$K/kernel-package" 2> /dev/null) rel=${rel#linux-image-}
if [ -n "$MKINITCPIO_SRC" ] && [ -n "$rel" ] && [ -e "$K/root/lib/modules/$rel/modules.dep" ] &&
	[ "$(id -u)" = 0 ] && unshare -m true 2> /dev/null; then
	# The script as meson configures it: its version, and a PATH with kmod's tools.
	sed 's/@VERSION@/src/; s|@BINDIR@|/usr/sbin:/usr/bin:/sbin:/bin|' "$MKINITCPIO_SRC/mkinitcpio" > "$TMP/mkinitcpio.script"
	# real ROOT OUT: mkinitcpio on ROOT/etc/mkinitcpio.conf and its drop-ins into OUT.
	real() {
		rm -rf "$2" && mkdir -p "$2"
		MKINITCPIO_LIBRARY=$MKINITCPIO_SRC MKINITCPIO_CONF=$1/etc/mkinitcpio.conf \
		MKINITCPIO_INSTALL=$MKINITCPIO_SRC/install MKINITCPIO_HOOKS=$MKINITCPIO_SRC/hooks \
			unshare -m sh -c 'mount --bind "$0/etc/modprobe.d" /etc/modprobe.d && exec bash "$@"' \
			"$1" "$TMP/mkinitcpio.script" -r "$K/root" -k "$rel" -d "$2" > "$TMP/real.out" 2>&1
	}
	A=$TMP/archreal && mkdir -p "$A/etc/mkinitcpio.conf.d" "$A/etc/modprobe.d"
	cp "$drop" "$A/etc/mkinitcpio.conf.d/"
	cp "$TMP/mkinitcpio/out/root/etc/modprobe.d/vfio.conf" "$A/etc/modprobe.d/"
	printf 'MODULES=(btrfs)\nHOOKS=(modconf)\n' > "$A/etc/mkinitcpio.conf"
	rc_is "mkinitcpio (real): builds the image tree" 0 real "$A" "$TMP/img"
	has "mkinitcpio (real): it reads the drop-in" "Using drop-in configuration file: 'vfio.conf'" "$TMP/real.out"
	lacks "mkinitcpio (real): no error" 'ERROR' "$TMP/real.out"
	has "mkinitcpio (real): the image's init loads the vfio modules first, then the user's, then i915" \
		'^MODULES="vfio_pci vfio vfio_iommu_type1 btrfs i915"$' "$TMP/img/config"
	expect "mkinitcpio (real): modconf puts vfioc's modprobe.d file into the image" \
		cmp "$A/etc/modprobe.d/vfio.conf" "$TMP/img/etc/modprobe.d/vfio.conf"
	expect "mkinitcpio (real): vfio-pci.ko is in the image" \
		test -n "$(find "$TMP/img" -name 'vfio-pci.ko*')"
	printf 'MODULES="btrfs amdgpu"\nHOOKS=(modconf)\n' > "$A/etc/mkinitcpio.conf"
	rc_is "mkinitcpio (real): with a MODULES string" 0 real "$A" "$TMP/img"
	has "mkinitcpio (real): a MODULES string: each word a module, in order" \
		'^MODULES="vfio_pci vfio vfio_iommu_type1 btrfs amdgpu i915"$' "$TMP/img/config"
	grep -v '^\[\[' "$drop" > "$A/etc/mkinitcpio.conf.d/vfio.conf"
	real "$A" "$TMP/img"
	has "mkinitcpio (real): control: a drop-in that only prepends fails on it" \
		"ERROR: module not found: 'btrfs amdgpu'" "$TMP/real.out"
else
	echo "t-generators: the real mkinitcpio is not run: it needs MKINITCPIO_SRC, the lab's kernel (tests/lab/prepare.sh) and root" >&2
fi

# ---- the kernel command line for systemd-boot: /etc/kernel/cmdline ----
P="intel_iommu=on vfio-pci.ids=1002:67b0,1002:aac8"
has "cmdline: root.apply edits /etc/kernel/cmdline" "^cmdline-file etc/kernel/cmdline $P\$" \
	"$TMP/mkinitcpio/out/root.apply"
mkdir -p "$R/etc/kernel"
printf '# written by archinstall\nroot=UUID=1234 rw rootflags=subvol=@ quiet\n' > "$R/etc/kernel/cmdline"
printf 'root:x:0:root\nlibvirt:x:964:\n' > "$R/etc/group"   # Arch has no gshadow entries by default
cp "$R/etc/kernel/cmdline" "$TMP/cmdline.before" && cp "$R/etc/group" "$TMP/group.before"
rm "$R/etc/mkinitcpio.conf.d/vfio.conf"
rc_is "cmdline: apply into the Arch root" 0 vfioc apply "$TMP/mkinitcpio/host.yaml" \
	-o "$TMP/mkinitcpio/out" --root "$R"
# kernel-install's 90-loaderentry.install (systemd) and mkinitcpio's build_uki read it so.
ki=$(grep -Gv '^\s*#' "$R/etc/kernel/cmdline" | tr -s ' 	
' ' ' | sed 's/ $//')
uki=$(grep -ha -- '^[^#]' "$R/etc/kernel/cmdline" | tr -s '\n' ' ' | sed 's/ $//')
want="root=UUID=1234 rw rootflags=subvol=@ quiet $P"
[ "$ki" = "$want" ] && pass "cmdline: kernel-install's entries get root= and the parameters" ||
	fail "cmdline: kernel-install's entries get root= and the parameters (got '$ki')"
[ "$uki" = "$want" ] && pass "cmdline: mkinitcpio's UKIs get root= and the parameters" ||
	fail "cmdline: mkinitcpio's UKIs get root= and the parameters (got '$uki')"
has "cmdline: the comment line is kept" '^# written by archinstall$' "$R/etc/kernel/cmdline"
expect "cmdline: the drop-in was installed with it" cmp "$drop" "$R/etc/mkinitcpio.conf.d/vfio.conf"
has "cmdline: alice joined libvirt" '^libvirt:x:964:alice$' "$R/etc/group"
expect "cmdline: the domain is a file of etc/libvirt/qemu" cmp "$TMP/mkinitcpio/out/domains/win.xml" "$R/etc/libvirt/qemu/win.xml"
rc_is "cmdline: --undo" 0 vfioc apply --undo --root "$R"
same "cmdline: --undo puts the file back" "$TMP/cmdline.before" "$R/etc/kernel/cmdline"
same "cmdline: --undo puts /etc/group back" "$TMP/group.before" "$R/etc/group"
expect "cmdline: --undo removes the domain" test ! -e "$R/etc/libvirt/qemu/win.xml"

# ---- booster ----
conf booster grub
by=$TMP/booster/out/root/etc/booster.yaml
rc_is "booster: booster.yaml loads into UserConfig, every key a field of its type" 0 \
	python3 "$G/booster_config.py" "$by" ${BOOSTER_SRC:+"$BOOSTER_SRC/generator/config.go"}
[ -n "$BOOSTER_SRC" ] || echo "t-generators: BOOSTER_SRC unset: UserConfig's fields are not compared with booster's sources" >&2
has "booster: modules_force_load, as parseCommaList splits it: vfio first" \
	'^modules_force_load: vfio_pci vfio vfio_iommu_type1 i915$' "$TMP/rc.out"
# Controls: a misspelt key (yaml.Unmarshal would drop it silently) and a list where booster
# wants a comma-separated string (the build would fail).
sed 's/^modules_force_load:/modules_forceload:/' "$by" > "$TMP/misspelt.yaml"
rc_is "booster: control: a key that is no field is caught" 1 python3 "$G/booster_config.py" "$TMP/misspelt.yaml"
sed 's/^modules_force_load: \(.*\)/modules_force_load: [\1]/' "$by" > "$TMP/list.yaml"
rc_is "booster: control: a list for a string is caught" 1 python3 "$G/booster_config.py" "$TMP/list.yaml"
