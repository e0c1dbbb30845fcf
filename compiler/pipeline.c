/* pipeline.c: the whole front half of vfioc: resolve, the checks, then the plan from what
 * was resolved; and all of it from a config's path in one call, shared by check and build. */
#include "base/util.h"
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

/* --no-escape-hatches: a repository building strangers' pull requests refuses the keys whose
 * values vfioc cannot check (schema.h F_ESCAPE_HATCH), each at its place. */
static void refuse_escape_hatches(const struct config *cfg, struct diags *ds)
{
	for (size_t i = 0; i < cfg->nhatches; i++) {
		const struct cfg_hatch *h = &cfg->hatches[i];
		struct diag *d = diag_emit(ds, D_ESCAPE_HATCH, &h->loc,
					   "'%s' is an escape hatch, refused by --no-escape-hatches",
					   h->key);
		diag_note(d, NULL, "vfioc cannot check what it does, and what it writes runs as "
			  "root on the host that imports the output");
		diag_hint(d, "build this config without --no-escape-hatches only once someone you "
			  "trust has read it");
	}
}

struct plan *compile_config_counted(const char *path, const struct hw_opts *opts,
				    const char *outdir, unsigned flags, struct diags *ds,
				    struct compile_counts *n)
{
	struct config *cfg = config_load(path, ds);
	if (cfg && (flags & COMPILE_NO_ESCAPE_HATCHES))
		refuse_escape_hatches(cfg, ds);
	struct hw *hw = cfg ? hw_for_config(cfg, opts, ds) : NULL;
	if (n && cfg) {
		n->loaded = true;
		n->vms = cfg->nvms;
		for (size_t i = 0; i < cfg->nvms; i++)
			n->devices += cfg->vms[i].npci;
	}
	if (n && hw) {
		n->hardware = xstrdup(hw->source);
		n->hw_devices = hw->npci;
	}
	/* The plan copies what it keeps, so the config and the hardware can go now. */
	struct plan *p = hw ? check_and_plan(cfg, hw, outdir, ds) : NULL;
	hw_free(hw);
	config_free(cfg);
	return p;
}

struct plan *compile_config(const char *path, const struct hw_opts *opts, const char *outdir,
			    unsigned flags, struct diags *ds)
{
	return compile_config_counted(path, opts, outdir, flags, ds, NULL);
}
