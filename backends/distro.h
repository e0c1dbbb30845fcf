/* distro.h: the tree of files a host other than NixOS gets (root/, mirroring /) and the steps
 * `vfioc apply` takes with it (root.apply), shared by backends/distro.c (binding, initramfs,
 * boot loader) and backends/distro_libvirt.c (libvirt, Looking Glass). For those only. */
#ifndef VFIOC_DISTRO_H
#define VFIOC_DISTRO_H

#include "backends/backend.h"

#define DISTRO_TREE "root"          /* OUT/root/etc/... mirrors /etc/... */
#define DISTRO_STEPS "root.apply"   /* OUT/root.apply: the steps */

struct tree {
	const struct plan *p;
	struct out_set *out;
	struct buf files;   /* "file PATH MODE" */
	struct buf edits;   /* cmdline-file, shell-var, conf-set, group, domain */
	struct buf run;     /* "run COMMAND" */
	struct buf undo;    /* "undo COMMAND" */
	struct buf regen;   /* "regenerate COMMAND" */
	struct buf notes;   /* "# ..." lines for what apply cannot do */
};

/* Add root/PATH (PATH relative to /, e.g. "etc/modprobe.d/vfio.conf") to the output with
 * its `file` step, and return its buffer, started with shebang (a line, or NULL) and the
 * generated-by header as # comments. Fill it before the next tree_file: the set grows. */
struct buf *tree_file(struct tree *t, const char *path, const char *mode, const char *shebang);
/* Add a regenerate command once (the same command asked twice runs once). */
void tree_regen(struct tree *t, const char *cmd);

/* The libvirt side: qemu.conf settings, hooks, kvmfr, Looking Glass and Scream files, users'
 * group, the domains (backends/distro_libvirt.c). */
void distro_libvirt(struct tree *t);

#endif
