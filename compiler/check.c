/* check.c: check_and_plan, the driver of the checks: runs every check_*.c over one context,
 * then builds the plan when none of them found an error. */
#include <stdlib.h>

#include "check.h"
#include "pipeline.h"

void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds)
{
	*cx = (struct check_ctx){ .cfg = cfg, .hw = hw, .ds = ds, .iommu = IOMMU_OFF };
	cx->vms = xcalloc(cfg->nvms ? cfg->nvms : 1, sizeof(*cx->vms));
	if (!hw)
		return;
	size_t n = hw->npci ? hw->npci : 1;
	cx->owner = xmalloc(n * sizeof(*cx->owner));
	for (size_t i = 0; i < hw->npci; i++)
		cx->owner[i] = NO_VM;
	cx->owner_entry = xcalloc(n, sizeof(*cx->owner_entry));
	cx->stamp = xcalloc(n, sizeof(*cx->stamp));
	cx->group_stamp = xcalloc(hw->ngroups ? hw->ngroups : 1, sizeof(*cx->group_stamp));
}

void check_ctx_fini(struct check_ctx *cx)
{
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		free(cx->vms[i].dev);
	free(cx->vms);
	free(cx->owner);
	free(cx->owner_entry);
	free(cx->stamp);
	free(cx->group_stamp);
	free(cx->strategy_reason);
}

struct plan *check_and_plan(const struct config *cfg, const struct hw *hw, const char *outdir,
			    struct diags *ds)
{
	struct check_ctx cx;
	check_ctx_init(&cx, cfg, hw, ds);
	check_config(&cx);
	if (hw) {
		check_host(&cx);
		check_devices(&cx);
		check_groups(&cx);
		check_binding(&cx);
		check_cpus(&cx);
		check_memory(&cx);
		check_usb(&cx);
		check_slots(&cx);
	}
	struct plan *p = NULL;
	if (hw && !diags_has_errors(ds))
		p = plan_build(&cx, outdir);
	check_ctx_fini(&cx);
	return p;
}
