/* plan.c: assembling the plan from a checked context (host part in plan_host.c, each VM in
 * plan_vm.c), and freeing it. */
#include <stdlib.h>

#include "compiler/plan_build.h"
#include "compiler/plan_parts.h"

struct plan *plan_build(const struct check_ctx *cx, const char *outdir)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	plan_host(p, cx);
	p->nvms = cx->cfg->nvms;
	p->vms = arena_array(&p->arena, p->nvms, sizeof(*p->vms));
	for (size_t i = 0; i < p->nvms; i++)
		plan_vm(p, cx, i, &p->vms[i]);
	p->config_rel = plan_config_rel(&p->arena, cx->cfg->path, outdir);
	return p;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	arena_free(&p->arena);
	free(p);
}
