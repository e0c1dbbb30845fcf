/* outset.c: the set of output files the backends fill in memory before `build` writes it. */
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"

struct buf *out_set_add(struct out_set *set, const char *name)
{
	struct out_file *f = &VEC_PUSH(set->files, set->n, set->cap);
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	return &f->data;
}

const struct out_file *out_set_find(const struct out_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->files[i].name, name))
			return &set->files[i];
	return NULL;
}

void out_set_free(struct out_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->files[i].name);
		buf_free(&set->files[i].data);
	}
	free(set->files);
	memset(set, 0, sizeof(*set));
}
