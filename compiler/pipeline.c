/* pipeline.c: the whole front half of vfioc: resolve, the checks, then the plan from what
 * was resolved; and all of it from a config's path in one call, shared by check and build. */
#include "compiler/check.h"
#include "compiler/pipeline.h"
#include "compiler/plan_build.h"

struct plan *check_and_plan(const struct config *cfg, const struct hw *hw, const char *outdir,
			    struct diags *ds)
{
	struct check_ctx cx;
	check_ctx_init(&cx, cfg, hw, ds);
	checks_run(&cx);
	struct plan *p = NULL;
	if (hw && !diags_has_errors(ds))
		p = plan_build(&cx, outdir);
	check_ctx_fini(&cx);
	return p;
}

struct plan *compile_config(const char *path, const struct hw_opts *opts, const char *outdir,
			    struct diags *ds)
{
	struct config *cfg = config_load(path, ds);
	struct hw *hw = cfg ? hw_for_config(cfg, opts, ds) : NULL;
	/* The plan copies what it keeps, so the config and the hardware can go now. */
	struct plan *p = hw ? check_and_plan(cfg, hw, outdir, ds) : NULL;
	hw_free(hw);
	config_free(cfg);
	return p;
}
