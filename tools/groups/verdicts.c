/* tools/groups/verdicts.c: the verdicts of `vfioc groups`: which devices of an IOMMU group can be passed
 * through alone, only together, or never, by the group rule of hw/group.c. Printed as text
 * (cmd_groups.c) or JSON (tools/groups/json.c). */
#include "tools/groups/groups.h"

struct group_facts groups_facts(const struct hw *hw, const struct hw_group *g)
{
	struct group_facts f = { .host_disk = hw_group_host_disk(hw, g),
				 .blocker = hw_group_blocker(hw, g) };
	size_t named[2] = { 0, 0 };
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *d = &hw->pci[g->member[i]];
		if (hw_stays_on_host(d))
			continue;
		bool holds = hw_holds_group(d);
		f.endpoints++;
		f.holding += holds;
		if (named[holds] < GROUPS_MAX_NAMED + 2)
			f.named[holds][named[holds]++] = d;
	}
	return f;
}

enum group_verdict groups_group_verdict(const struct group_facts *f)
{
	if (f->host_disk)
		return GV_HOST;
	if (f->blocker)
		return GV_BLOCKED;
	if (f->endpoints > 1 && f->holding < f->endpoints)
		return GV_SOME_MAY_STAY;
	return f->endpoints == 0 ? GV_BRIDGES_ONLY : f->endpoints == 1 ? GV_ALONE : GV_TOGETHER;
}

size_t groups_others(const struct group_facts *f, const struct hw_pci *d, bool holding)
{
	size_t n = holding ? f->holding : f->endpoints - f->holding;
	return n - (!hw_stays_on_host(d) && hw_holds_group(d) == holding);
}

enum dev_verdict groups_device_verdict(const struct group_facts *f, const struct hw_pci *d)
{
	switch (hw_may_leave(d, f->host_disk)) {
	case HW_STAYS_BRIDGE:
		return hw_holds_group(d) ? DV_NEVER_HOLDS : DV_NEVER_BRIDGE;
	case HW_STAYS_PLATFORM:
		return hw_holds_group(d) ? DV_NEVER_HOLDS : DV_NEVER_PLATFORM;
	case HW_STAYS_HOST_FS: return DV_NEVER_HOST_FS;
	case HW_STAYS_HOST_GROUP: return DV_NEVER_HOST_GROUP;
	case HW_MAY_LEAVE: break;
	}
	if (f->blocker)
		return DV_NEVER_BLOCKED_GROUP;
	return groups_others(f, d, true) ? DV_TOGETHER : DV_ALONE;
}

const char *groups_iommu_param(const struct hw *hw)
{
	const char *param = iommu_kernel_param(hw_cpu_iommu(hw->cpu_vendor));
	return param ? param : IOMMU_PARAM_INTEL " or " IOMMU_PARAM_AMD;
}
