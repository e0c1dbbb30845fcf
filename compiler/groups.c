/* groups.c: the verdicts of `vfioc groups`: which devices of an IOMMU group can be passed
 * through alone, only together, or never, by the group rule of hw_group.c. Printed as text
 * (cmd_groups.c) or JSON (groups_json.c). */
#include "groups.h"

struct group_facts groups_facts(const struct hw *hw, const struct hw_group *g)
{
	return (struct group_facts){ hw_group_endpoints(hw, g), hw_group_host_disk(hw, g) };
}

enum group_verdict groups_group_verdict(const struct group_facts *f)
{
	if (f->host_disk)
		return GV_HOST;
	return f->endpoints == 0 ? GV_BRIDGES_ONLY : f->endpoints == 1 ? GV_ALONE : GV_TOGETHER;
}

enum dev_verdict groups_device_verdict(const struct group_facts *f, const struct hw_pci *d)
{
	if (hw_is_bridge(d))
		return DV_NEVER_BRIDGE;
	if (f->host_disk)
		return f->host_disk == d ? DV_NEVER_HOST_FS : DV_NEVER_HOST_GROUP;
	return f->endpoints == 1 ? DV_ALONE : DV_TOGETHER;
}

const char *groups_iommu_param(const struct hw *hw)
{
	return hw->cpu_vendor == CPU_AMD ? "amd_iommu=on"
	     : hw->cpu_vendor == CPU_INTEL ? "intel_iommu=on" : "intel_iommu=on or amd_iommu=on";
}
