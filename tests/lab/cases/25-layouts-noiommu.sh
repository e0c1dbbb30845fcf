# 25-layouts-noiommu: the IOMMU-off layout (tests/lab/layouts.sh says what is checked).
. "$LAB_DIR/layouts.sh"
d=$(newdir layouts-noiommu); mkdir -p "$d/configs"
echo none > "$d/iommu"
config iommu-off 25.05 00:04.0
guest_script "layouts-noiommu"
# shellcheck disable=SC2086
if boot "$d" "layouts (IOMMU off)" $NOIOMMU_DEVICES; then
	guest_results "$d"
	host_side noiommu iommu-off:0
fi

