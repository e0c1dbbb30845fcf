/* hw/root_guard.c: a test root (--root DIR) must not lead the probe out of DIR. Its symlinks
 * are read by vfioc and by libpci as the kernel would resolve them, from the real /, so an
 * absolute one (proc/cmdline -> /secret) or one that climbs out of DIR would read this
 * machine's files into the snapshot; a FIFO or device where an attribute belongs would hang
 * the probe. Where the kernel has openat2, hw/root_open.c opens every path inside DIR and
 * this check is not needed; elsewhere, before anything is read, every entry of DIR is
 * checked: symlinks relative and inside DIR, everything else a folder or regular file. One
 * lstat per entry. */
#define _XOPEN_SOURCE 700  /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/sysfs_read.h"

static struct {
	const char *root;
	size_t rootlen;
	char *real_root; /* realpath of root, malloc'd */
	char *bad;       /* the first offending entry, malloc'd */
	const char *why;
} walk;

/* Whether target has a ".." after a name ("../a/b/../x"): where the name is itself a link,
 * the ".." climbs from wherever that link leads, which counting levels cannot see. */
static bool inner_dotdot(const char *target)
{
	bool named = false;
	for (const char *p = target; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2)) {
			if (named)
				return true;
		} else if (n && !(n == 1 && *p == '.')) {
			named = true;
		}
		p += n + (p[n] == '/');
	}
	return false;
}

/* Whether target, read from the folder of rel (a path relative to the root), stays inside
 * the root: rel's folder is one level down per '/' of rel. A target with a ".." after a
 * name is resolved by the kernel (realpath), since a chain of links that each stay inside
 * can together leave ("proc/cmdline -> ../a/b/../secret" with "a/b -> .."); the links of
 * sysfs only climb first, and cost nothing more. */
static bool stays_inside(const char *path, const char *rel, const char *target)
{
	long depth = 0;
	for (const char *p = rel; (p = strchr(p, '/')); p++)
		depth++;
	if (path_climbs_out(target, depth))
		return false;
	if (!inner_dotdot(target))
		return true;
	char *real = realpath(path, NULL);
	if (!real)
		return true;  /* dangling: nothing to read there */
	size_t n = strlen(walk.real_root);
	bool inside = !strncmp(real, walk.real_root, n) && (real[n] == '/' || !real[n] ||
							     !strcmp(walk.real_root, "/"));
	free(real);
	return inside;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + walk.rootlen;
	while (*rel == '/')
		rel++;
	if (type == FTW_SL || type == FTW_SLN) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return 0;
		target[n] = '\0';
		if (target[0] == '/')
			walk.why = "is an absolute symlink";
		else if (!stays_inside(path, rel, target))
			walk.why = "is a symlink that leads out of the root";
		else
			return 0;
	} else if (type == FTW_F && !S_ISREG(st->st_mode)) {
		walk.why = "is not a regular file (a FIFO, socket or device)";
	} else {
		return 0;
	}
	walk.bad = xstrdup(path);
	return 1;
}

bool hw_root_check(const char *root, struct diags *ds)
{
	if (!strcmp(root, "/"))
		return true;  /* the machine itself: its own links lead where they lead */
	walk.root = root;
	walk.rootlen = strlen(root);
	walk.bad = NULL;
	walk.real_root = realpath(root, NULL);
	if (!walk.real_root)
		return true;  /* unreadable: the probe reports what it cannot read */
	int rc = nftw(root, visit, 32, FTW_PHYS);
	free(walk.real_root);
	walk.real_root = NULL;
	if (rc < 0 && !walk.bad)
		return true;
	if (!walk.bad)
		return true;
	struct diag *d = diag_emit(ds, D_HW_UNREADABLE, NULL, "test root %s: %s %s", root,
				   walk.bad, walk.why);
	diag_hint(d, "a test root holds folders, regular files and relative symlinks that stay "
		  "inside it (tests/mkroot.py writes such roots)");
	free(walk.bad);
	walk.bad = NULL;
	return false;
}
