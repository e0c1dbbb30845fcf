/* apply.h: `vfioc apply`: the files a generic target's build wrote under OUTDIR/root/,
 * installed into a root (/ or --root DIR), with a manifest and backups there so that
 * --undo can put back exactly what was there before; then the target's regenerate
 * commands. cmd_apply.c reads the build's folder into struct apply_input. */
#ifndef VFIOC_APPLY_H
#define VFIOC_APPLY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/diag.h"
#include "base/util.h"
#include "tools/apply/tree.h"

/* Where apply keeps its record, relative to the root. */
#define APPLY_STATE_DIR "var/lib/vfioc/apply"

struct apply_src {
	char *path;        /* relative to the root: "etc/modprobe.d/vfio.conf" */
	struct buf data;
	mode_t mode;       /* 0644, or 0755 for an executable (a libvirt hook) */
	bool edit;         /* an edit of a file apply does not own (made by apply_run) */
};

/* A file apply edits but does not own; undo puts back the backup of what was there. */
enum apply_edit_kind {
	EDIT_CMDLINE,    /* a kernel command line file: in its first line that is not a
			  * comment, each word of value added, a word with the same key
			  * (text before '=') replaced */
	EDIT_SHELL_VAR,  /* shell file: the same in the line key="..." (appended when missing) */
	EDIT_CONF_SET,   /* the uncommented line "key = ..." becomes "key = value" */
};
struct apply_edit {
	enum apply_edit_kind kind;
	char *path, *key, *value;
};

struct apply_input {
	struct apply_src *files;
	size_t n, cap;
	struct apply_edit *edits;
	size_t nedits, capedits;
	/* Commands, each run as sh -c LINE: run after the files are in place, then regenerate;
	 * on --undo the undo lines, then regenerate again. manual: steps apply does not take
	 * (printed as what is left to do). */
	struct strv run, undo, regenerate, manual;
};

struct apply_opts {
	const char *root;  /* "/" unless --root */
	bool rooted;       /* --root: the commands are listed, not run, unless chroot */
	bool chroot;       /* run them inside root with chroot(2) */
	bool dry_run, force;
	FILE *out;         /* the diff, the commands, what was done */
};

void apply_input_free(struct apply_input *in);

/* Install in (NULL: --undo, put back what was there before the first apply). Problems are
 * reported to ds; on any error the root is left as it was. */
void apply_run(const struct apply_input *in, const struct apply_opts *o, struct diags *ds);

#endif
