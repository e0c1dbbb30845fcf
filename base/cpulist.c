/* cpulist.c: Linux CPU lists ("0-3,8,10-11"). */
#include "base/cpulist.h"

#include <stdlib.h>
#include <string.h>

static bool read_num(const char **s, unsigned *out)
{
	if (**s < '0' || **s > '9')
		return false;
	unsigned long v = 0;
	while (**s >= '0' && **s <= '9') {
		v = v * 10 + (unsigned long)(**s - '0');
		if (v > CPULIST_MAX_CPU)
			return false;
		(*s)++;
	}
	*out = (unsigned)v;
	return true;
}

bool cpulist_parse(const char *s, struct arena *a, struct cpulist *l, const char **why)
{
	struct buf ids = {0};
	size_t n = 0;
	const char *p = s;
	*why = NULL;
	if (!*p)
		*why = "the list is empty";
	while (!*why && *p) {
		unsigned lo, hi;
		if (!read_num(&p, &lo)) {
			*why = "expected a CPU number (0 to 8191)";
			break;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (!read_num(&p, &hi)) {
				*why = "expected a CPU number (0 to 8191) after '-'";
				break;
			}
			if (hi < lo) {
				*why = "a range must go upwards (\"2-7\", not \"7-2\")";
				break;
			}
		}
		for (unsigned c = lo; c <= hi; c++, n++)
			buf_add(&ids, (const char *)&c, sizeof(c));
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			*why = "expected ',' between CPUs or ranges";
	}
	if (*why) {
		buf_free(&ids);
		return false;
	}
	l->n = n;
	l->cpu = arena_alloc(a, n * sizeof(unsigned));
	memcpy(l->cpu, ids.s, n * sizeof(unsigned));
	buf_free(&ids);
	return true;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

void cpulist_fmt(const struct cpulist *l, struct buf *out)
{
	unsigned *v = xmalloc_array(l->n, sizeof(*v));
	memcpy(v, l->cpu, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), cmp_uint);
	bool first = true;
	for (size_t i = 0; i < l->n;) {
		size_t j = i;
		while (j + 1 < l->n && (v[j + 1] == v[j] || v[j + 1] == v[j] + 1))
			j++;
		buf_printf(out, first ? "%u" : ",%u", v[i]);
		if (v[j] != v[i])
			buf_printf(out, "-%u", v[j]);
		first = false;
		i = j + 1;
	}
	free(v);
}

bool cpulist_has(const struct cpulist *l, unsigned cpu)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->cpu[i] == cpu)
			return true;
	return false;
}
