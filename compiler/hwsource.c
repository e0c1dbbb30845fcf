/* hwsource.c: hw_for_config(): where the hardware of a run comes from. --root and
 * --hardware on the command line win; then the config's `hardware:` snapshot (relative to
 * the config's directory, and inside it); else the machine vfioc runs on. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/hwsource.h"
#include "schema/snapshot/snapshot.h"

/* The directory of cfg->path ("." for a bare file name), malloc'd. */
static char *config_dir(const struct config *cfg)
{
	return cfg->path ? path_dir(cfg->path) : xstrdup(".");
}

/* A config from a pull request must not make vfioc read files elsewhere on the machine
 * (a token in ~/.git-credentials, /proc/self/environ): `hardware:` is a path inside the
 * config's folder. A snapshot kept elsewhere is named on the command line (--hardware). */
static char *snapshot_path(const struct config *cfg, struct diags *ds)
{
	const char *rel = cfg->hardware.v;
	char *dir = config_dir(cfg);
	/* As before this rule: "DIR/REL", or REL for a config named without a directory. */
	char *path = cfg->path && strchr(cfg->path, '/') ? xasprintf("%s/%s", dir, rel) : xstrdup(rel);
	const char *why = rel[0] == '/' ? "is an absolute path"
			: path_climbs_out(rel, 0) || !path_resolves_inside(dir, path) ? "leads outside the config's folder"
			: NULL;
	if (why) {
		struct diag *d = diag_emit(ds, D_BAD_PATH, &cfg->hardware.loc,
					   "'hardware: %s' %s", rel, why);
		diag_hint(d, "keep the snapshot in the config's folder (hardware: hardware.yaml), "
			  "or name it on the command line: --hardware FILE");
		free(path);
		path = NULL;
	}
	free(dir);
	return path;
}

static struct hw *load_configured(const struct config *cfg, struct diags *ds)
{
	char *path = snapshot_path(cfg, ds);
	struct hw *hw = NULL;
	if (!path)
		return NULL;
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
