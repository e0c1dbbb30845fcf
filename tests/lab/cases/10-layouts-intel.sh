# 10-layouts-intel: the identical, multi-function, bridge and root-port layouts on the Intel
# machine (tests/lab/layouts.sh says what is checked). Its snapshot is kept in
# $LAB_WORK/intel.yaml for the binding and libvirt cases.
. "$LAB_DIR/layouts.sh"
d=$(newdir layouts-intel); mkdir -p "$d/configs"
config identical 25.05 00:04.0 00:05.0
config multifunction 25.05 00:06.0
config bridge 25.05 02:01.0 02:02.0
config rootport 25.05 01:00.0
guest_script "layouts-intel"
# shellcheck disable=SC2086
if boot "$d" "layouts (intel)" $INTEL_DEVICES; then
	guest_results "$d"
	host_side intel identical:0 multifunction:1 bridge:0 rootport:0
	cp "$d/snap.yaml" "$LAB_WORK/intel.yaml"
fi

