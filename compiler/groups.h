/* groups.h: what `vfioc groups` decides for an IOMMU group and each of its devices, kept
 * apart from how it is printed, so the text and the JSON listing give the same verdicts. */
#ifndef VFIOC_GROUPS_H
#define VFIOC_GROUPS_H

#include <stdio.h>

#include "hw.h"

#define GROUPS_MAX_NAMED 8  /* text: beyond this many siblings, "the N other endpoints" */

enum group_verdict {
	GV_BRIDGES_ONLY,  /* nothing to pass */
	GV_ALONE,         /* one endpoint, passable */
	GV_TOGETHER,      /* several endpoints, passed together */
	GV_HOST,          /* an endpoint holds the host's own file systems: the group stays */
};

enum dev_verdict {
	DV_ALONE,         /* the only endpoint of its group */
	DV_TOGETHER,      /* only with the group's other endpoints */
	DV_NEVER_BRIDGE,  /* a bridge stays on the host (and does not hold the others back) */
	DV_NEVER_HOST_FS, /* it holds the host's own file systems */
	DV_NEVER_HOST_GROUP,  /* another endpoint of its group holds them */
};

/* What the verdicts of a group depend on, found once per group (one pass over it). */
struct group_facts {
	size_t endpoints;                 /* members that are not bridges */
	const struct hw_pci *host_disk;   /* the member holding the host's file systems, or NULL */
};

struct group_facts groups_facts(const struct hw *hw, const struct hw_group *g);
enum group_verdict groups_group_verdict(const struct group_facts *f);
enum dev_verdict groups_device_verdict(const struct group_facts *f, const struct hw_pci *d);
/* The kernel parameter that turns the IOMMU on for this CPU ("intel_iommu=on or ..."
 * when the vendor is unknown). */
const char *groups_iommu_param(const struct hw *hw);

/* `vfioc groups --format json`: the listing as one JSON object (groups_json.c). */
void groups_write_json(const struct hw *hw, FILE *out);

#endif
