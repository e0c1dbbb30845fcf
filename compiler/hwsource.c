/* hwsource.c: hw_for_config(): where the hardware of a run comes from. --root and
 * --hardware on the command line win; then the config's `hardware:` snapshot (relative to
 * the config's directory); else the machine vfioc runs on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline.h"

/* cfg->hardware.v relative to the directory of cfg->path (as given, absolute stays). */
static char *snapshot_path(const struct config *cfg)
{
	const char *rel = cfg->hardware.v;
	const char *slash = cfg->path ? strrchr(cfg->path, '/') : NULL;
	if (rel[0] == '/' || !slash)
		return xstrdup(rel);
	return xasprintf("%.*s/%s", (int)(slash - cfg->path), cfg->path, rel);
}

static struct hw *load_configured(const struct config *cfg, struct diags *ds)
{
	char *path = snapshot_path(cfg);
	struct hw *hw = NULL;
	if (access(path, R_OK) != 0) {
		struct diag *d = diag_emit(ds, D_IO_ERROR, &cfg->hardware.loc,
					   "cannot read the hardware snapshot %s: %s", path, strerror(errno));
		diag_hint(d, "write it on the host with 'vfioc probe -o %s'", cfg->hardware.v);
	} else {
		hw = hw_load_snapshot(path, ds);
	}
	free(path);
	return hw;
}

struct hw *hw_for_config(const struct config *cfg, const struct hw_opts *opts, struct diags *ds)
{
	if (opts && opts->root)
		return hw_probe(opts->root, ds);
	if (opts && opts->snapshot)
		return hw_load_snapshot(opts->snapshot, ds);
	if (cfg && cfg->hardware.v)
		return load_configured(cfg, ds);
	return hw_probe("/", ds);
}
