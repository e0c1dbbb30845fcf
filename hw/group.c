/* hw/group.c: the IOMMU group rule that `vfioc groups`, `init` and `verify` share with the
 * checks (check_groups.c): a group goes to one VM with all of its endpoints that have a
 * driver; an endpoint without one may stay while none binds it (hw_holds_group); bridges
 * (class 06xx) stay on the host without keeping the others from being passed; a group
 * holding the disk of the host's own file systems stays on the host whole. */
#include "hw/hw.h"

size_t hw_group_endpoints(const struct hw *hw, const struct hw_group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		n += !hw_is_bridge(&hw->pci[g->member[i]]);
	return n;
}

const struct hw_pci *hw_group_host_disk(const struct hw *hw, const struct hw_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (hw->pci[g->member[i]].host_fs)
			return &hw->pci[g->member[i]];
	return NULL;
}

enum hw_leave hw_may_leave(const struct hw_pci *d, const struct hw_pci *host_disk)
{
	if (hw_is_bridge(d))
		return HW_STAYS_BRIDGE;
	if (host_disk && host_disk != d)
		return HW_STAYS_HOST_GROUP;
	return d->host_fs ? HW_STAYS_HOST_FS : HW_MAY_LEAVE;
}

bool hw_holds_group(const struct hw_pci *d)
{
	return !hw_is_bridge(d) && d->driver != NULL;
}

size_t hw_group_left(const struct hw *hw, const struct hw_group *g, const bool *passed,
		     size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++) {
		size_t m = g->member[i];
		if (!passed[m] && !hw_is_bridge(&hw->pci[m]))
			out[n++] = m;
	}
	return n;
}
