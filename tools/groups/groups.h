/* groups.h: what `vfioc groups` decides for an IOMMU group and each of its devices, kept
 * apart from how it is printed, so the text and the JSON listing give the same verdicts. */
#ifndef VFIOC_GROUPS_H
#define VFIOC_GROUPS_H

#include <stdint.h>
#include <stdio.h>

#include "base/diag.h"
#include "hw/hw.h"

#define GROUPS_MAX_NAMED 8  /* text: beyond this many siblings, "the N other endpoints" */

enum group_verdict {
	GV_BRIDGES_ONLY,  /* nothing to pass */
	GV_ALONE,         /* one endpoint, passable */
	GV_TOGETHER,      /* several endpoints, passed together */
	GV_SOME_MAY_STAY, /* several endpoints, some without a driver: those with one go
			   * together, the others may stay (hw_holds_group) */
	GV_HOST,          /* an endpoint holds the host's own file systems: the group stays */
	GV_BLOCKED,       /* a bridge or platform function holds it (hw_group_blocker): it stays */
};

enum dev_verdict {
	DV_ALONE,         /* no other endpoint of its group has a driver */
	DV_TOGETHER,      /* only with the group's other endpoints that have a driver */
	DV_NEVER_BRIDGE,  /* a bridge stays on the host (and does not hold the others back) */
	DV_NEVER_PLATFORM,  /* a platform function stays on the host (and does not either) */
	DV_NEVER_HOLDS,   /* a bridge or platform function that stays and holds the group */
	DV_NEVER_BLOCKED_GROUP,  /* such a member of its group keeps it from every VM */
	DV_NEVER_HOST_FS, /* it holds the host's own file systems */
	DV_NEVER_HOST_GROUP,  /* another endpoint of its group holds them */
};

/* What the verdicts of a group depend on, found once per group (one pass over it), so that
 * a group of 10^5 devices costs linear time. */
struct group_facts {
	size_t endpoints;                 /* members that may leave the host (hw_stays_on_host) */
	size_t holding;                   /* endpoints with a driver: they hold the group */
	const struct hw_pci *host_disk;   /* the member holding the host's file systems, or NULL */
	const struct hw_pci *blocker;     /* hw_group_blocker, or NULL */
	/* The first endpoints with (named[1]) and without (named[0]) a driver: enough to name
	 * all the others of any device when they are at most GROUPS_MAX_NAMED. */
	const struct hw_pci *named[2][GROUPS_MAX_NAMED + 2];
};

struct group_facts groups_facts(const struct hw *hw, const struct hw_group *g);
enum group_verdict groups_group_verdict(const struct group_facts *f);
enum dev_verdict groups_device_verdict(const struct group_facts *f, const struct hw_pci *d);
/* The endpoints other than d with a driver (holding) or without one (may stay). */
size_t groups_others(const struct group_facts *f, const struct hw_pci *d, bool holding);
/* The kernel parameter that turns the IOMMU on for this CPU ("intel_iommu=on or ..."
 * when the vendor is unknown). */
const char *groups_iommu_param(const struct hw *hw);

/* The classes `vfioc groups` can list alone (--gpu, ...): tools/groups/filter.c. */
enum groups_class_id { GC_GPU, GC_AUDIO, GC_USB, GC_NET, GC_STORAGE, GC_COUNT };
struct groups_class {
	const char *name;      /* the option without its dashes: "gpu" */
	uint32_t mask, value;  /* a device is of the class when (class & mask) == value */
	const char *doc;       /* "display controllers (class 03xx)" */
};
extern const struct groups_class groups_classes[GC_COUNT];

/* What to list: every filter given must hold (NULL or none given: everything). */
struct groups_filter {
	bool has_addr;
	struct pci_addr addr;  /* the group holding this device */
	int group;             /* this group's number; -1: any */
	unsigned classes;      /* 1 << GC_*: a group holding a device of one of them; 0: any */
};
bool groups_filter_any(const struct groups_filter *f);
/* d is at the address (when one is given) and of one of the classes (when given). */
bool groups_filter_device(const struct groups_filter *f, const struct hw_pci *d);
/* g has the number (when given) and holds a device groups_filter_device takes. */
bool groups_filter_group(const struct groups_filter *f, const struct hw *hw,
			 const struct hw_group *g);

/* `vfioc groups --format json`: the listing of what filter takes (NULL: everything) and the
 * diagnostics as one JSON object (tools/groups/json.c); hw NULL (it could not be read): no
 * groups, the diagnostics. */
void groups_write_json(const struct hw *hw, const struct groups_filter *filter,
		       const struct diags *ds, FILE *out);

/* How the text listing is laid out (tools/groups/text.c). */
struct groups_text_opts {
	unsigned width;  /* a terminal's columns: device names are cut with an ellipsis (never
			  * the address) and long lines wrapped to fit; 0: no limit */
	bool color;      /* verdicts, marks and headers coloured (base/term.h) */
};
/* `vfioc groups`: the listing as text, of what filter takes (NULL: everything). */
void groups_write_text(const struct hw *hw, const struct groups_filter *filter,
		       const struct groups_text_opts *o, FILE *out);
/* Whether filter takes anything of hw (groups or devices outside every group). */
bool groups_filter_matches(const struct hw *hw, const struct groups_filter *filter);

#endif
