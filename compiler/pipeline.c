/* pipeline.c: the whole front half of vfioc in one call, shared by check and build. */
#include "pipeline.h"

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
