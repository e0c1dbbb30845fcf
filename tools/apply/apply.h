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
	uid_t uid;         /* an edited file's owner, kept (/etc/gshadow is root:shadow); */
	gid_t gid;         /* -1 for the files apply owns */
	bool edit;         /* an edit of a file apply does not own (made by apply_run) */
};

/* A file apply edits but does not own; undo puts back the backup of what was there. */
enum apply_edit_kind {
	EDIT_CMDLINE,    /* a kernel command line file: in its first line that is not a
			  * comment, each word of value added, a word with the same key
			  * (text before '=') replaced */
	EDIT_SHELL_VAR,  /* shell file: the same in the line key="..." (appended when missing) */
	EDIT_CONF_SET,   /* the uncommented line "key = ..." becomes "key = value" */
	EDIT_GROUP,      /* group(5) or gshadow(5): user value joins the members (the fourth
			  * field) of group key's line */
};
struct apply_edit {
	enum apply_edit_kind kind;
	char *path, *key, *value;
	bool optional;     /* skipped when the file is not there (/etc/gshadow) */
};

/* A libvirt domain to define on a running host (apply at /): its XML is the file
 * APPLY_DOMAINS_DIR/NAME.xml of files; apply runs virsh define, and --undo virsh undefine by
 * UUID, only for the domains apply defined. Under --root the XML is a file of
 * etc/libvirt/qemu instead, and no domain record is made. */
#define APPLY_DOMAINS_DIR APPLY_STATE_DIR "/domains"
struct apply_domain {
	char *name, *uuid;
	bool autostart;
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
	struct apply_domain *domains;
	size_t ndomains, capdomains;
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
