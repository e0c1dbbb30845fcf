/* plan_path.c: the config's path relative to the output directory, for the "generated from"
 * line of every output. Built from real paths (symlinks resolved) so it is the same however
 * the two were named on the command line; never absolute, since users commit the outputs. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/plan_parts.h"

/* The absolute, resolved path of p, which need not exist yet (`build -o new/dir`): the
 * longest existing prefix is resolved by realpath, the rest appended lexically. malloc'd,
 * or NULL. */
static char *abs_path(const char *p)
{
	char *r = realpath(*p ? p : ".", NULL);
	if (r)
		return r;
	char *copy = xstrdup(p);
	size_t len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	char *slash = strrchr(copy, '/');
	const char *last = slash ? slash + 1 : copy;
	char *parent = slash ? (slash == copy ? xstrdup("/") : xstrndup(copy, (size_t)(slash - copy)))
			     : xstrdup(".");
	char *base = strcmp(parent, copy) == 0 ? NULL : abs_path(parent);
	char *out = NULL;
	if (base && strcmp(last, "..") == 0) {
		char *up = strrchr(base, '/');
		out = up == base ? xstrdup("/") : xstrndup(base, (size_t)(up - base));
	} else if (base && (!*last || strcmp(last, ".") == 0)) {
		out = xstrdup(base);
	} else if (base) {
		out = xasprintf("%s%s%s", base, strcmp(base, "/") ? "/" : "", last);
	}
	free(base);
	free(parent);
	free(copy);
	return out;
}

/* Length of the common leading directories of two absolute paths, ending at a '/'. */
static size_t common_dirs(const char *a, const char *b)
{
	size_t i = 0, last = 0;
	while (a[i] && a[i] == b[i]) {
		if (a[i] == '/')
			last = i;
		i++;
	}
	if ((!a[i] && (b[i] == '/' || !b[i])) || (!b[i] && a[i] == '/'))
		last = i;
	return last;
}

/* "../../conf/host.yaml": from directory `from` to `dir`/`base`. */
static char *relative(const char *from, const char *dir, const char *base)
{
	struct buf b = {0};
	size_t k = common_dirs(from, dir);
	for (const char *p = from + k; *p; p++)
		if (*p == '/' && p[1])
			buf_puts(&b, "../");
	const char *rest = dir + k;
	while (*rest == '/')
		rest++;
	if (*rest)
		buf_printf(&b, "%s/", rest);
	buf_puts(&b, base);
	return b.s;
}

const char *plan_config_rel(struct arena *a, const char *config, const char *outdir)
{
	const char *slash = strrchr(config, '/');
	const char *base = slash ? slash + 1 : config;
	if (!outdir)
		return arena_strdup(a, base);
	char *cdir_in = slash ? xstrndup(config, (size_t)(slash - config + (slash == config))) :
				xstrdup(".");
	char *cdir = abs_path(cdir_in), *odir = abs_path(outdir);
	const char *out = base;
	char *rel = NULL;
	if (cdir && odir)
		out = rel = relative(strcmp(odir, "/") ? odir : "", strcmp(cdir, "/") ? cdir : "",
				     base);
	const char *copy = arena_strdup(a, out);
	free(rel);
	free(cdir);
	free(odir);
	free(cdir_in);
	return copy;
}
