# 24-layouts-amd: the AMD IOMMU layout (tests/lab/layouts.sh says what is checked).
. "$LAB_DIR/layouts.sh"
d=$(newdir layouts-amd); mkdir -p "$d/configs"
echo amd > "$d/iommu"
echo "$AMD_CPU" > "$d/cpu"
config amd 25.11 00:04.0
guest_script "layouts-amd"
# shellcheck disable=SC2086
if boot "$d" "layouts (AMD IOMMU)" $AMD_DEVICES; then
	guest_results "$d"
	host_side amd amd:0
fi
