/* groups.c: the verdicts of `vfioc groups`: which devices of an IOMMU group can be passed
 * through alone, only together, or never, by the group rule of hw_group.c. Printed as text
 * (cmd_groups.c) or JSON (groups_json.c). */
#include "groups.h"

enum group_verdict groups_group_verdict(const struct hw *hw, const struct hw_group *g)
{
	size_t nend = hw_group_endpoints(hw, g);
	if (hw_group_host_disk(hw, g))
		return GV_HOST;
	return nend == 0 ? GV_BRIDGES_ONLY : nend == 1 ? GV_ALONE : GV_TOGETHER;
}

enum dev_verdict groups_device_verdict(const struct hw *hw, const struct hw_group *g,
				       const struct hw_pci *d)
{
	if (hw_is_bridge(d))
		return DV_NEVER_BRIDGE;
	const struct hw_pci *disk = hw_group_host_disk(hw, g);
	if (disk)
		return disk == d ? DV_NEVER_HOST_FS : DV_NEVER_HOST_GROUP;
	return hw_group_endpoints(hw, g) == 1 ? DV_ALONE : DV_TOGETHER;
}

const char *groups_iommu_param(const struct hw *hw)
{
	return hw->cpu_vendor == CPU_AMD ? "amd_iommu=on"
	     : hw->cpu_vendor == CPU_INTEL ? "intel_iommu=on" : "intel_iommu=on or amd_iommu=on";
}
