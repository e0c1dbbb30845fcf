/* cmdline.c: the kernel-cmdline backend: the plan's kernel parameters on one line, separated
 * by single spaces and ended by a newline, nothing else, so `$(cat kernel-cmdline)` can be
 * pasted into any bootloader configuration. The format has no comment syntax, so this file
 * carries no generated-by header (docs/outputs.md). */
#include "backends/backend.h"
#include "backends/emit.h"

static int cmdline_emit(const struct plan *p, struct out_set *out, char **err)
{
	struct buf *b = out_set_add(out, "kernel-cmdline");
	emit_join(b, &p->kernel_params, " ");
	buf_putc(b, '\n');
	return 0;
}

const struct backend backend_cmdline = {
	.name = "cmdline",
	.doc = "kernel-cmdline: the kernel parameters on one line",
	.emit = cmdline_emit,
};
