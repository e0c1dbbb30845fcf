/* tools/verify/facts.c: the list of facts `vfioc verify` collects. */
#include <stdarg.h>
#include <stdlib.h>

#include "tools/verify/verify.h"

struct fact *fact_add(struct facts *fs, enum fact_state s, const char *fmt, ...)
{
	struct fact *f = &VEC_PUSH(fs->v, fs->n, fs->cap);
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*f = (struct fact){ .state = s, .text = b.s ? b.s : xstrdup("") };
	return f;
}

void fact_hint(struct fact *f, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	VEC_PUSH(f->hints, f->nhints, f->cap) = b.s ? b.s : xstrdup("");
}

bool facts_failed(const struct facts *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i].state == FACT_FAIL)
			return true;
	return false;
}

void facts_free(struct facts *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		for (size_t k = 0; k < fs->v[i].nhints; k++)
			free(fs->v[i].hints[k]);
		free(fs->v[i].hints);
		free(fs->v[i].text);
	}
	free(fs->v);
	*fs = (struct facts){0};
}
