/* cpulist.h: Linux CPU lists ("0-3,8,10-11"), as in sysfs and the kernel command line. */
#ifndef VFIOC_CPULIST_H
#define VFIOC_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

#define CPULIST_MAX_CPU 8191  /* beyond any real host; keeps a typo from allocating gigabytes */

struct cpulist {
	unsigned *cpu;  /* in the order written, ranges expanded */
	size_t n;
};

/* Parse s into l (storage from a). On failure returns false and sets *why to a static
 * message naming what is wrong. */
bool cpulist_parse(const char *s, struct arena *a, struct cpulist *l, const char **why);
/* Sorted, deduplicated, ranges folded: "2-7,10-15". */
void cpulist_fmt(const struct cpulist *l, struct buf *out);
bool cpulist_has(const struct cpulist *l, unsigned cpu);

#endif
