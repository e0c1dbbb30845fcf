/* tools/verify/facts.c: the list of facts `vfioc verify` collects. */
#include <stdarg.h>
#include <stdlib.h>

#include "tools/verify/verify.h"

struct fact *fact_add(struct facts *fs, enum fact_state s, const char *code, const char *fmt, ...)
{
	struct fact *f = &VEC_PUSH(fs->v, fs->n, fs->cap);
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*f = (struct fact){ .state = s, .code = code, .text = b.s ? b.s : xstrdup("") };
	return f;
}

static void set(char **field, const char *v)
{
	free(*field);
	*field = v ? xstrdup(v) : NULL;
}

void fact_about(struct fact *f, const char *device, const char *expected, const char *actual)
{
	set(&f->device, device);
	set(&f->expected, expected);
	set(&f->actual, actual);
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
		free(fs->v[i].device);
		free(fs->v[i].expected);
		free(fs->v[i].actual);
	}
	free(fs->v);
	*fs = (struct facts){0};
}
