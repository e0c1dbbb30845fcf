/* apply.c: `vfioc apply` and `vfioc apply --undo` (apply.h). First a plan: one action per
 * file to write or to put back, each checked against what the root holds (a file apply did
 * not write, or changed since, is refused without --force; a folder or special file is
 * refused always). Then, in a real run, each action keeps what it replaces under
 * APPLY_STATE_DIR/run/ until the end, so that a failed write or command undoes them all. */
#include <errno.h>
#include <fcntl.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/apply/apply.h"
#include "tools/apply/edit.h"
#include "tools/apply/manifest.h"
#include "tools/apply/udiff.h"

#define MAX_FILE (16u << 20)

struct action {
	const char *path;
	const struct apply_src *src;  /* write this; NULL: put back what was there first */
	struct owned *was;            /* the manifest's record of path; NULL: not apply's */
	enum tree_kind kind;          /* what is there now */
	struct buf now;               /* its bytes, when a file */
};

/* What a real run did for one action, to undo it. */
struct done {
	const char *path;
	char *saved;       /* run/NAME: what was at path before; NULL: nothing */
	char *newbackup;   /* backup/NAME made now */
	char *usedbackup;  /* backup/NAME moved onto path */
	bool changed;      /* path itself was written, replaced or removed */
};

struct ctx {
	const struct apply_opts *o;
	struct diags *ds;
	int rootfd, statefd, backupfd, runfd;
	struct manifest old, new;
	bool had_manifest;
	struct buf old_text;
	struct action *act;
	size_t nact, capact;
	struct done *done;
	size_t ndone, capdone;
	struct strv made;  /* folders made by this run */
	struct apply_src *esrc;  /* the edited files, one per path */
	size_t nesrc;
	struct strv run, undo;   /* in's run and undo lines with the domains' virsh lines */
	struct strv rollback;    /* what a failed step runs after the files are put back */
};

/* libvirt's system instance, where the domains are defined (virsh's default can be the
 * user's session). */
#define VIRSH "virsh -c qemu:///system"
#define UNDEFINE VIRSH " undefine --keep-nvram "

/* The undo line of the domain uuid: undefine it, and succeed when it is gone already (a
 * define that failed, or the user undefined it); the NVRAM file stays (the guest's UEFI
 * variables: its boot entries). */
static char *undefine_line(const char *uuid)
{
	return xasprintf(UNDEFINE "%s || ! " VIRSH " dominfo %s > /dev/null 2>&1", uuid, uuid);
}

/* The UUID of an undo line apply wrote for a domain, or NULL. */
static char *undefined_uuid(const char *line)
{
	size_t n = strlen(UNDEFINE);
	if (strncmp(line, UNDEFINE, n))
		return NULL;
	const char *sp = strchr(line + n, ' ');
	return sp ? xstrndup(line + n, (size_t)(sp - line - n)) : NULL;
}

/* The run and undo lines: a guard first (a domain with one of the UUIDs that apply did not
 * define stops the apply before anything ran), in's own lines, then virsh define (and
 * autostart) of each domain and undefine of each domain an earlier apply defined that in no
 * longer has; undo: in's undo lines, then undefine each domain. After a failed step, once
 * the files are back: in's undo lines, the domains this run added undefined, those an
 * earlier apply defined defined again from their XML as it was (their autostart stays as
 * this run left it). */
static void domain_cmds(struct ctx *c, const struct apply_input *in)
{
	struct buf guard = {0};
	struct strv mine = {0};
	for (size_t i = 0; i < c->old.undo.n; i++) {
		char *u = undefined_uuid(c->old.undo.v[i]);
		if (u)
			strv_add(&mine, u);
		free(u);
	}
	for (size_t i = 0; i < in->ndomains; i++)
		if (!strv_has(&mine, in->domains[i].uuid))
			buf_printf(&guard, " %s", in->domains[i].uuid);
	if (guard.len)
		strv_take(&c->run, xasprintf("for u in%s; do if " VIRSH " dominfo \"$u\" > /dev/null 2>&1; "
					     "then echo \"vfioc apply: the domain $u is defined, and not by "
					     "vfioc apply: undefine it (virsh undefine --keep-nvram $u), or take "
					     "it out of the config\" >&2; "
					     "exit 1; fi; done", buf_str(&guard)));
	buf_free(&guard);
	for (size_t i = 0; i < in->run.n; i++)
		strv_add(&c->run, in->run.v[i]);
	for (size_t i = 0; i < in->undo.n; i++) {
		strv_add(&c->undo, in->undo.v[i]);
		strv_add(&c->rollback, in->undo.v[i]);
	}
	for (size_t i = 0; i < c->old.n; i++)
		if (!strncmp(c->old.f[i].path, APPLY_DOMAINS_DIR "/", sizeof(APPLY_DOMAINS_DIR)))
			strv_take(&c->rollback, xasprintf(VIRSH " define /%s", c->old.f[i].path));
	struct strv now = {0};
	for (size_t i = 0; i < in->ndomains; i++) {
		const struct apply_domain *d = &in->domains[i];
		strv_take(&c->run, xasprintf(VIRSH " define /" APPLY_DOMAINS_DIR "/%s.xml", d->name));
		strv_take(&c->run, xasprintf(VIRSH " autostart %s%s", d->autostart ? "" : "--disable ",
					     d->uuid));
		strv_take(&c->undo, undefine_line(d->uuid));
		if (!strv_has(&mine, d->uuid))
			strv_take(&c->rollback, undefine_line(d->uuid));
		strv_add(&now, d->uuid);
	}
	for (size_t i = 0; i < mine.n; i++)
		if (!strv_has(&now, mine.v[i]))
			strv_take(&c->run, undefine_line(mine.v[i]));
	strv_free(&now);
	strv_free(&mine);
}

/* The path as the user sees it: /etc/x, or DIR/etc/x under --root. */
static char *shown(const struct ctx *c, const char *rel)
{
	const char *r = c->o->root;
	size_t n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		n--;
	return xasprintf("%.*s/%s", (int)(n == 1 && r[0] == '/' ? 0 : n), r, rel);
}

static void io_error(struct ctx *c, const char *what, const char *rel, int err)
{
	char *p = shown(c, rel);
	diag_emit(c->ds, D_IO_ERROR, NULL, "cannot %s %s: %s", what, p, strerror(err));
	free(p);
}

/* Why the folder rel cannot be opened (err is not ENOENT). */
static void dir_problem(struct ctx *c, const char *rel, int err)
{
	char *p = shown(c, rel);
	if (err == ENOTDIR || err == ELOOP || err == EXDEV)
		diag_hint(diag_emit(c->ds, D_APPLY_UNSAFE, NULL, "%s is not a folder (or is a "
				    "symlink vfioc will not follow)", p),
			  "make it a real folder, or leave this file out of the target");
	else
		io_error(c, "open", rel, err);
	free(p);
}

/* The folder of rel, or -1 (ENOENT: it is not there; else reported). */
static int parent_of(struct ctx *c, const char *rel, bool create, struct strv *made)
{
	char *dir = tree_dirname(rel);
	int fd = tree_opendir(c->rootfd, dir, create, made);
	int err = errno;
	if (fd < 0 && err != ENOENT)
		dir_problem(c, dir, err);
	free(dir);
	errno = err;
	return fd;
}

/* rmdir rel, through its folder's fd (never a path the kernel resolves from the root's
 * fd: a symlinked folder on the way could lead out of the root). 0 or an errno. */
static int remove_dir(struct ctx *c, const char *rel)
{
	char *dir = tree_dirname(rel);
	int pfd = tree_opendir(c->rootfd, dir, false, NULL), err = pfd < 0 ? errno : 0;
	if (!err && unlinkat(pfd, tree_base(rel), AT_REMOVEDIR) != 0)
		err = errno;
	if (pfd >= 0)
		close(pfd);
	free(dir);
	return err;
}

/* Look at what is at a->path now. false after reporting a problem. */
static bool look(struct ctx *c, struct action *a)
{
	int pfd = parent_of(c, a->path, false, NULL);
	if (pfd < 0) {
		a->kind = TREE_ABSENT;
		return errno == ENOENT;
	}
	a->kind = tree_kind(pfd, tree_base(a->path));
	int err = a->kind == TREE_FILE ? tree_read(pfd, tree_base(a->path), MAX_FILE, &a->now) : 0;
	close(pfd);
	char *p = shown(c, a->path);
	if (a->kind == TREE_OTHER || err == EINVAL)
		diag_hint(diag_emit(c->ds, D_APPLY_UNSAFE, NULL, "%s is a folder or special file", p),
			  "vfioc apply writes and removes regular files only: move it away first");
	else if (err)
		io_error(c, "read", a->path, err);
	free(p);
	return a->kind != TREE_OTHER && !err;
}

/* Whether what is at a->path may be replaced or removed: nothing, or what apply wrote. */
static bool ours(const struct action *a)
{
	if (a->kind == TREE_ABSENT)
		return true;
	if (!a->was || a->kind != TREE_FILE)
		return false;
	char sha[SHA_HEX];
	sha_hex(&a->now, sha);
	return !strcmp(sha, a->was->sha);
}

static void refuse_foreign(struct ctx *c, const struct action *a)
{
	char *p = shown(c, a->path);
	struct diag *d = a->was
		? diag_emit(c->ds, D_APPLY_NOT_OURS, NULL, "%s was changed since vfioc apply wrote it", p)
		: diag_emit(c->ds, D_APPLY_NOT_OURS, NULL, "%s is there and vfioc apply did not write it%s",
			    p, a->kind == TREE_SYMLINK ? " (a symlink; it is never followed)" : "");
	if (a->was)
		diag_hint(d, "--force %s it; the backup of what was there before vfioc stays",
			  a->src ? "overwrites" : "removes");
	else
		diag_hint(d, "--force replaces it, keeping it as a backup that --undo puts back");
	free(p);
}

static bool same_bytes(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && !memcmp(buf_str(a), buf_str(b), a->len);
}

static struct action *add_action(struct ctx *c, const char *path, const struct apply_src *src)
{
	c->act = grow(c->act, &c->capact, c->nact + 1, sizeof(*c->act));
	struct action *a = &c->act[c->nact++];
	*a = (struct action){ .path = path, .src = src, .was = manifest_find(&c->old, path) };
	return a;
}

/* The actions: every file of in that differs, and every file apply owns that in no longer
 * has (all of them for --undo). */
static void plan(struct ctx *c, const struct apply_input *in)
{
	size_t nfiles = in ? in->n : 0;
	for (size_t i = 0; i < nfiles + c->nesrc; i++) {
		const struct apply_src *src = i < nfiles ? &in->files[i] : &c->esrc[i - nfiles];
		struct action *a = add_action(c, src->path, src);
		if (!look(c, a))
			continue;
		bool mine = ours(a);
		/* An edited file is the user's: refused only when changed since apply edited it. */
		if (!mine && !c->o->force && (!src->edit || a->was))
			refuse_foreign(c, a);
		mine = mine || src->edit;
		struct stat st;
		int pfd = a->kind == TREE_FILE && mine ? parent_of(c, a->path, false, NULL) : -1;
		bool same_mode = pfd >= 0 && fstatat(pfd, tree_base(a->path), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				 (st.st_mode & 07777) == a->src->mode;
		if (pfd >= 0)
			close(pfd);
		if (mine && a->kind == TREE_FILE && same_mode && same_bytes(&a->now, &a->src->data)) {
			buf_free(&a->now);
			c->nact--;   /* up to date */
		}
	}
	for (size_t i = 0; i < c->old.n; i++) {
		bool kept = false;
		for (size_t j = 0; in && j < in->n && !kept; j++)
			kept = !strcmp(in->files[j].path, c->old.f[i].path);
		for (size_t j = 0; j < c->nesrc && !kept; j++)
			kept = !strcmp(c->esrc[j].path, c->old.f[i].path);
		if (kept)
			continue;
		struct action *a = add_action(c, c->old.f[i].path, NULL);
		if (look(c, a) && !ours(a) && !c->o->force)
			refuse_foreign(c, a);
	}
}

/* The bytes an action leaves at its path; NULL: none. */
static struct buf *after(struct ctx *c, const struct action *a, struct buf *tmp)
{
	if (a->src)
		return (struct buf *)&a->src->data;
	if (!a->was->backup || c->backupfd < 0)
		return NULL;
	if (tree_kind(c->backupfd, a->was->backup) != TREE_FILE)
		return NULL;
	return tree_read(c->backupfd, a->was->backup, MAX_FILE, tmp) == 0 ? tmp : NULL;
}

static void print_diffs(struct ctx *c)
{
	for (size_t i = 0; i < c->nact; i++) {
		struct action *a = &c->act[i];
		struct buf tmp = {0}, *b = after(c, a, &tmp);
		if (a->kind == TREE_SYMLINK)
			fprintf(c->o->out, "# %s is a symlink: replaced itself, never followed\n", a->path);
		if (!a->src && a->was->backup && !b)
			fprintf(c->o->out, "# %s: the backup (a symlink) is put back\n", a->path);
		udiff_print(c->o->out, a->path, a->kind == TREE_FILE ? &a->now : NULL, b);
		buf_free(&tmp);
	}
}

/* A name for a new entry in dirfd: PREFIX then a number not used yet. */
static char *fresh_name(int dirfd, char prefix, const struct manifest *m)
{
	for (unsigned n = 1;; n++) {
		char *s = xasprintf("%c%u", prefix, n);
		bool used = tree_kind(dirfd, s) != TREE_ABSENT;
		for (size_t i = 0; m && i < m->n && !used; i++)
			used = m->f[i].backup && !strcmp(m->f[i].backup, s);
		if (!used)
			return s;
		free(s);
	}
}

static struct done *add_done(struct ctx *c, const char *path)
{
	c->done = grow(c->done, &c->capdone, c->ndone + 1, sizeof(*c->done));
	struct done *d = &c->done[c->ndone++];
	*d = (struct done){ .path = path };
	return d;
}

/* Carry out one action; 0, an errno, or -1 when already reported (what it did so far is
 * in c->done). */
static int execute(struct ctx *c, const struct action *a)
{
	const char *name = tree_base(a->path);
	struct done *d = add_done(c, a->path);
	const char *backup = a->was ? a->was->backup : NULL;
	int pfd = parent_of(c, a->path, a->src || backup, &c->made), err = 0;
	if (pfd < 0 && errno == ENOENT && !a->src)
		return 0;
	if (pfd < 0)
		return errno == ENOENT ? ENOENT : -1;  /* -1: parent_of reported it */
	if (a->kind != TREE_ABSENT) {
		d->saved = fresh_name(c->runfd, 'r', NULL);
		err = tree_link(pfd, name, c->runfd, d->saved, false);
		if (err) {
			free(d->saved);
			d->saved = NULL;
		}
	}
	if (!err && a->src && a->kind != TREE_ABSENT && !a->was) {
		d->newbackup = fresh_name(c->backupfd, 'b', &c->old);
		err = tree_link(pfd, name, c->backupfd, d->newbackup, false);
		if (err) {
			free(d->newbackup);
			d->newbackup = NULL;
		}
	}
	if (!err && a->src) {
		err = a->src->edit ? tree_write_owned(pfd, name, &a->src->data, a->src->mode,
						      a->src->uid, a->src->gid)
				   : tree_write(pfd, name, &a->src->data, a->src->mode);
		d->changed = !err;
	} else if (!err && backup && tree_kind(c->backupfd, backup) != TREE_ABSENT) {
		err = tree_link(c->backupfd, backup, pfd, name, true);
		if (!err)
			d->usedbackup = xstrdup(backup);
		d->changed = !err;
	} else if (!err && a->kind != TREE_ABSENT) {
		err = unlinkat(pfd, name, 0) != 0 ? errno : 0;
		d->changed = !err;
	}
	if (!err)
		fsync(pfd);
	close(pfd);
	return err;
}

/* Undo what execute did, last first, and remove the folders this run made. */
static void rollback(struct ctx *c)
{
	for (size_t i = c->ndone; i-- > 0;) {
		struct done *d = &c->done[i];
		if (!d->changed) {  /* only its second names were made */
			if (d->saved)
				unlinkat(c->runfd, d->saved, 0);
			if (d->newbackup)
				unlinkat(c->backupfd, d->newbackup, 0);
			continue;
		}
		struct strv again = {0};  /* folders next_manifest removed */
		int pfd = parent_of(c, d->path, true, &again);
		const char *name = tree_base(d->path);
		int err = pfd < 0 ? errno : 0;
		strv_free(&again);
		if (!err && d->usedbackup)
			err = tree_link(pfd, name, c->backupfd, d->usedbackup, true);
		if (!err && d->saved)
			err = tree_link(c->runfd, d->saved, pfd, name, true);
		else if (!err && !d->usedbackup && unlinkat(pfd, name, 0) != 0 && errno != ENOENT)
			err = errno;
		if (!err && d->newbackup)
			unlinkat(c->backupfd, d->newbackup, 0);
		if (err)
			io_error(c, "put back", d->path, err);
		if (pfd >= 0)
			close(pfd);
	}
	for (size_t i = c->made.n; i-- > 0;)
		remove_dir(c, c->made.v[i]);
}

/* Run one command line with sh -c (inside the root with chroot under --root); NULL, or
 * why it failed (malloc'd). */
static char *run_command(const struct apply_opts *o, const char *line)
{
	fflush(o->out);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		if (o->rooted && (chroot(o->root) != 0 || chdir("/") != 0))
			_exit(126);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	char *why = NULL;
	if (pid < 0)
		why = xasprintf("cannot start it: %s", strerror(errno));
	else if (waitpid(pid, &status, 0) < 0)
		why = xasprintf("cannot wait for it: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		why = xasprintf("it was killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) == 126 && o->rooted)
		why = xasprintf("it exited with status 126 (or cannot chroot into %s: that needs root)",
				o->root);
	else if (WEXITSTATUS(status))
		why = xasprintf("it exited with status %d%s", WEXITSTATUS(status),
				WEXITSTATUS(status) == 127 ? " (not found?)" : "");
	return why;
}

/* Run cmds in order; the index of the first that failed (its reason reported), or n. */
static size_t run_commands(struct ctx *c, const struct strv *cmds, size_t n)
{
	const struct apply_opts *o = c->o;
	if (o->rooted && !o->chroot) {
		for (size_t i = 0; i < n; i++)
			fprintf(o->out, "%s (not run: --root; run it inside %s): %s\n",
				o->dry_run ? "would list" : "to do", o->root, cmds->v[i]);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(o->out, "%s: %s\n", o->dry_run ? "would run" : "running", cmds->v[i]);
		if (o->dry_run)
			continue;
		char *why = run_command(o, cmds->v[i]);
		if (why) {
			struct diag *d = diag_emit(c->ds, D_APPLY_STEP_FAILED, NULL, "'%s' failed: %s",
						   cmds->v[i], why);
			diag_hint(d, "the files were put back as they were; fix the cause and run "
				  "vfioc apply again");
			free(why);
			return i;
		}
	}
	return n;
}

static int write_manifest(struct ctx *c, const struct manifest *m)
{
	struct buf b = {0};
	manifest_format(m, &b);
	int err = tree_write(c->statefd, MANIFEST_NAME, &b, 0644);
	buf_free(&b);
	return err;
}

/* Read the manifest, if any. false after reporting a broken one. */
static bool read_manifest(struct ctx *c)
{
	c->statefd = tree_opendir(c->rootfd, APPLY_STATE_DIR, false, NULL);
	if (c->statefd < 0 && errno != ENOENT)
		dir_problem(c, APPLY_STATE_DIR, errno);
	if (c->statefd < 0)
		return errno == ENOENT;
	c->backupfd = tree_opendir(c->statefd, "backup", false, NULL);
	int err = tree_read(c->statefd, MANIFEST_NAME, MAX_FILE, &c->old_text);
	if (err == ENOENT)
		return true;
	size_t line = 0;
	if (err)
		io_error(c, "read", APPLY_STATE_DIR "/" MANIFEST_NAME, err);
	else if (!manifest_parse(buf_str(&c->old_text), &c->old, &line)) {
		char *p = shown(c, APPLY_STATE_DIR "/" MANIFEST_NAME);
		diag_hint(diag_emit(c->ds, D_APPLY_UNSAFE, NULL, "%s:%zu: not a manifest vfioc apply "
				    "wrote", p, line), "restore it from a backup; vfioc will not guess what it owns");
		free(p);
	} else
		c->had_manifest = true;
	return !err && c->had_manifest;
}

/* The state folder with backup/ and run/ (made when missing, into c->made). */
static int open_state(struct ctx *c)
{
	if (c->statefd < 0)
		c->statefd = tree_opendir(c->rootfd, APPLY_STATE_DIR, true, &c->made);
	if (c->statefd < 0)
		return errno;
	if (c->backupfd < 0)
		c->backupfd = tree_opendir(c->rootfd, APPLY_STATE_DIR "/backup", true, &c->made);
	c->runfd = tree_opendir(c->rootfd, APPLY_STATE_DIR "/run", true, &c->made);
	return c->backupfd < 0 || c->runfd < 0 ? errno : 0;
}

/* The manifest after this run: the files of in (or none for --undo). */
/* Whether a folder apply made still holds one of its files, or its state. */
static bool dir_needed(const struct ctx *c, const struct apply_input *in, const char *dir)
{
	size_t n = strlen(dir), nfiles = in ? in->n : 0;
	if (!strncmp(APPLY_STATE_DIR, dir, n) && (APPLY_STATE_DIR[n] == '/' || !APPLY_STATE_DIR[n]))
		return true;
	for (size_t i = 0; i < nfiles + c->nesrc; i++) {
		const char *p = i < nfiles ? in->files[i].path : c->esrc[i - nfiles].path;
		if (!strncmp(p, dir, n) && p[n] == '/')
			return true;
	}
	return false;
}

static void next_manifest(struct ctx *c, const struct apply_input *in)
{
	/* A folder apply made for a file the build no longer has goes when it is empty. */
	bool *gone = xcalloc(c->old.dirs.n, sizeof(*gone));
	for (size_t i = c->old.dirs.n; in && i-- > 0;)
		gone[i] = !dir_needed(c, in, c->old.dirs.v[i]) && remove_dir(c, c->old.dirs.v[i]) == 0;
	for (size_t i = 0; i < c->old.dirs.n; i++)
		if (!gone[i])
			strv_add(&c->new.dirs, c->old.dirs.v[i]);
	free(gone);
	for (size_t i = 0; i < c->made.n; i++)
		strv_add(&c->new.dirs, c->made.v[i]);
	size_t nfiles = in ? in->n : 0;
	for (size_t i = 0; i < nfiles + c->nesrc; i++) {
		const struct apply_src *src = i < nfiles ? &in->files[i] : &c->esrc[i - nfiles];
		struct owned *was = manifest_find(&c->old, src->path);
		bool changed = false;
		const char *backup = was ? was->backup : NULL;
		for (size_t j = 0; j < c->ndone; j++)
			if (!strcmp(c->done[j].path, src->path)) {
				changed = true;
				backup = backup ? backup : c->done[j].newbackup;
			}
		if (src->edit && !was && !changed)
			continue;  /* the edit was there already: nothing to put back */
		char sha[SHA_HEX];
		sha_hex(&src->data, sha);
		manifest_add(&c->new, src->path, sha, backup);
	}
	for (size_t i = 0; in && i < c->undo.n; i++)
		strv_add(&c->new.undo, c->undo.v[i]);
	for (size_t i = 0; in && i < in->regenerate.n; i++)
		strv_add(&c->new.regenerate, in->regenerate.v[i]);
}

/* After --undo: the manifest, the state folders and the folders apply made go. */
static void remove_state(struct ctx *c)
{
	int err;
	unlinkat(c->statefd, MANIFEST_NAME, 0);
	for (size_t i = 0; i < c->ndone; i++)
		if (c->done[i].saved)
			unlinkat(c->runfd, c->done[i].saved, 0);
	unlinkat(c->statefd, "run", AT_REMOVEDIR);
	unlinkat(c->statefd, "backup", AT_REMOVEDIR);
	for (size_t i = c->old.dirs.n; i-- > 0;)
		if ((err = remove_dir(c, c->old.dirs.v[i])) != 0 && err != ENOENT) {
			char *p = shown(c, c->old.dirs.v[i]);
			diag_emit(c->ds, D_APPLY_KEPT, NULL, "%s was made by vfioc apply and is kept: %s",
				  p, err == ENOTEMPTY || err == EEXIST ? "something else is in it now"
								       : strerror(err));
			free(p);
		}
}

/* The commands of this run: first the run lines (apply) or the undo lines (--undo), then
 * the regenerate lines. */
static const struct strv *first_cmds(const struct ctx *c, const struct apply_input *in)
{
	return in ? &c->run : &c->old.undo;
}
static const struct strv *regen_cmds(const struct ctx *c, const struct apply_input *in)
{
	return in ? &in->regenerate : &c->old.regenerate;
}

static void print_manual(const struct ctx *c, const struct apply_input *in)
{
	for (size_t i = 0; in && i < in->manual.n; i++)
		fprintf(c->o->out, "left to do (vfioc apply does not do this step): %s\n",
			in->manual.v[i]);
}

/* A real run: execute every action, write the manifest, run the commands; on any failure
 * put everything back. */
static void carry_out(struct ctx *c, const struct apply_input *in)
{
	const struct strv *first = first_cmds(c, in), *regen = regen_cmds(c, in);
	int err = open_state(c);
	if (err) {
		io_error(c, "make", APPLY_STATE_DIR, err);
		rollback(c);
		return;
	}
	for (size_t i = 0; i < c->nact && !err; i++) {
		err = execute(c, &c->act[i]);
		if (err > 0)
			io_error(c, c->act[i].src ? "write" : "put back", c->act[i].path, err);
	}
	if (!err) {
		next_manifest(c, in);
		err = in ? write_manifest(c, &c->new) : 0;
		if (err)
			io_error(c, "write", APPLY_STATE_DIR "/" MANIFEST_NAME, err);
	}
	size_t ran1 = err ? 0 : run_commands(c, first, first->n);
	size_t ran2 = err || ran1 < first->n ? 0 : run_commands(c, regen, regen->n);
	if (!err && ran1 == first->n && ran2 == regen->n) {
		for (size_t i = 0; i < c->ndone; i++)
			if (c->done[i].saved)
				unlinkat(c->runfd, c->done[i].saved, 0);
		if (!in)
			remove_state(c);
		fprintf(c->o->out, "vfioc apply: %s %zu file%s under %s\n", in ? "changed" : "put back",
			c->nact, c->nact == 1 ? "" : "s", c->o->root);
		print_manual(c, in);
		return;
	}
	/* Put the manifest back, then the files; then undo the run lines that ran (apply) and
	 * run the regenerate lines up to the one that failed again, so that what they generate
	 * matches the files again. */
	if (c->had_manifest && in)
		tree_write(c->statefd, MANIFEST_NAME, &c->old_text, 0644);
	else if (in)
		unlinkat(c->statefd, MANIFEST_NAME, 0);
	rollback(c);
	if (err)
		return;
	fprintf(c->o->out, "vfioc apply: the files were put back as they were\n");
	if (in && ran1 > 0)
		run_commands(c, &c->rollback, c->rollback.n);
	if (ran1 == first->n)
		run_commands(c, regen, ran2 + 1);
}

/* What an edit starts from: the backup of the file before apply first edited it, else the
 * file as it is; a missing kernel command line file starts from the running one (as
 * kernel-install does without it), but not under --root. */
static bool edit_base(struct ctx *c, const struct apply_edit *e, struct buf *base,
		      struct apply_src *s, bool *absent)
{
	struct owned *was = manifest_find(&c->old, e->path);
	s->mode = 0644;
	s->uid = (uid_t)-1;
	s->gid = (gid_t)-1;
	*absent = false;
	struct stat st;
	if (was && was->backup && c->backupfd >= 0 && tree_kind(c->backupfd, was->backup) == TREE_FILE &&
	    fstatat(c->backupfd, was->backup, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		s->mode = st.st_mode & 07777;
		s->uid = st.st_uid;
		s->gid = st.st_gid;
		return tree_read(c->backupfd, was->backup, MAX_FILE, base) == 0;
	}
	int pfd = parent_of(c, e->path, false, NULL);
	*absent = pfd < 0 && errno == ENOENT && !was;
	if (pfd < 0)
		return errno == ENOENT;
	bool ok = true;
	if (fstatat(pfd, tree_base(e->path), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		s->mode = st.st_mode & 07777;
		s->uid = st.st_uid;
		s->gid = st.st_gid;
		ok = tree_read(pfd, tree_base(e->path), MAX_FILE, base) == 0;
	} else if (e->kind == EDIT_CMDLINE && !c->o->rooted && !was) {
		struct buf run = {0};
		if (tree_read(AT_FDCWD, "/proc/cmdline", 65536, &run) == 0) {
			char *copy = xstrndup(buf_str(&run), run.len), *save = NULL;
			for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
				if (strncmp(w, "BOOT_IMAGE=", 11) && strncmp(w, "initrd=", 7))
					buf_printf(base, "%s%s", base->len ? " " : "", w);
			free(copy);
		}
		buf_free(&run);
	}
	*absent = !was && tree_kind(pfd, tree_base(e->path)) == TREE_ABSENT;
	close(pfd);
	return ok;
}

/* The edited files: each edit applied to its base, edits of one path one after the other. */
static void compute_edits(struct ctx *c, const struct apply_input *in)
{
	c->esrc = xcalloc(in->nedits, sizeof(*c->esrc));
	for (size_t i = 0; i < in->nedits; i++) {
		const struct apply_edit *e = &in->edits[i];
		struct apply_src *s = NULL;
		for (size_t j = 0; j < c->nesrc && !s; j++)
			if (!strcmp(c->esrc[j].path, e->path))
				s = &c->esrc[j];
		struct buf base = {0};
		struct apply_src fresh = { .path = e->path, .edit = true };
		bool absent = false;
		if (s) {
			base = s->data;
			s->data = (struct buf){0};
		} else if (!edit_base(c, e, &base, &fresh, &absent)) {
			buf_free(&base);
			io_error(c, "read", e->path, errno ? errno : EIO);
			continue;
		} else if (absent && e->optional) {
			buf_free(&base);
			continue;
		} else {
			s = &c->esrc[c->nesrc++];
			*s = fresh;
		}
		char *why = NULL;
		/* An optional file without the group's line (gshadow) stays as it is, as usermod
		 * leaves it (shadow-utils: no gshadow entry, no gshadow change): edit_group has
		 * copied it whole. */
		if (!edit_apply(e, &base, &s->data, &why) && e->optional) {
			free(why);
		} else if (why) {
			char *p = shown(c, e->path);
			struct diag *d = diag_emit(c->ds, D_APPLY_UNSAFE, NULL, "cannot edit %s: %s", p, why);
			/* vfioc's builds name libvirt's group (backends/distro_libvirt.c); a folder
			 * of one's own may name any. */
			if (e->kind == EDIT_GROUP && !strcmp(e->key, "libvirt"))
				diag_hint(d, "install libvirt (its package makes the group), then run vfioc "
					  "apply again");
			else if (e->kind == EDIT_GROUP)
				diag_hint(d, "make the group first (groupadd %s, or install the package that "
					  "makes it), then run vfioc apply again", e->key);
			else
				diag_hint(d, "write the line as %s=\"...\", then run vfioc apply again", e->key);
			free(p);
			free(why);
		}
		buf_free(&base);
	}
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nesrc; i++)
		buf_free(&c->esrc[i].data);
	free(c->esrc);
	for (size_t i = 0; i < c->nact; i++)
		buf_free(&c->act[i].now);
	for (size_t i = 0; i < c->ndone; i++) {
		free(c->done[i].saved);
		free(c->done[i].newbackup);
		free(c->done[i].usedbackup);
	}
	free(c->act);
	free(c->done);
	manifest_free(&c->old);
	manifest_free(&c->new);
	buf_free(&c->old_text);
	strv_free(&c->made);
	strv_free(&c->run);
	strv_free(&c->undo);
	strv_free(&c->rollback);
	for (int *fd = &c->rootfd; fd <= &c->runfd; fd++)
		if (*fd >= 0)
			close(*fd);
}

/* Whether this run reads or writes /etc/group (and gshadow). */
static bool touches_groups(struct ctx *c, const struct apply_input *in)
{
	for (size_t i = 0; in && i < in->nedits; i++)
		if (in->edits[i].kind == EDIT_GROUP)
			return true;
	return manifest_find(&c->old, "etc/group") || manifest_find(&c->old, "etc/gshadow");
}

/* On /, the lock of the user and group files that shadow-utils' useradd, usermod and
 * groupadd take as well (glibc's lckpwdf, /etc/.pwd.lock; shadow's lib/commonio.c,
 * commonio_lock): none of them writes /etc/group between apply reading and replacing it.
 * Under --root, the tree is no running system's. */
static bool lock_groups(struct ctx *c, const struct apply_input *in)
{
	if (c->o->dry_run || c->o->rooted || !touches_groups(c, in))
		return false;
	if (lckpwdf() != 0) {
		diag_hint(diag_emit(c->ds, D_IO_ERROR, NULL, "cannot lock /etc/group (lckpwdf): %s",
				    strerror(errno)),
			  "another useradd, usermod or groupadd may be running: try again");
		return false;
	}
	return true;
}

void apply_run(const struct apply_input *in, const struct apply_opts *o, struct diags *ds)
{
	struct ctx c = { .o = o, .ds = ds, .rootfd = -1, .statefd = -1, .backupfd = -1, .runfd = -1 };
	c.rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0) {
		diag_emit(ds, D_IO_ERROR, NULL, "cannot open %s: %s", o->root, strerror(errno));
		return;
	}
	/* One apply at a time per root: the lock is on the root folder itself. */
	if (!o->dry_run && flock(c.rootfd, LOCK_EX | LOCK_NB) != 0) {
		diag_emit(ds, D_IO_ERROR, NULL, "%s: another vfioc apply is running there", o->root);
		ctx_free(&c);
		return;
	}
	bool pwlock = false;
	if (read_manifest(&c) && ((pwlock = lock_groups(&c, in)) || !diags_has_errors(ds))) {
		if (!in && !c.had_manifest)
			diag_hint(diag_emit(ds, D_APPLY_NOTHING, NULL, "nothing to undo: %s has no %s/%s",
					    o->root, APPLY_STATE_DIR, MANIFEST_NAME),
				  "vfioc apply --undo puts back what vfioc apply changed under the same root");
		else {
			if (in) {
				compute_edits(&c, in);
				domain_cmds(&c, in);
			}
			if (!diags_has_errors(ds))
				plan(&c, in);
		}
	}
	if (!diags_has_errors(ds) && o->dry_run) {
		print_diffs(&c);
		if (c.nact) {
			run_commands(&c, first_cmds(&c, in), first_cmds(&c, in)->n);
			run_commands(&c, regen_cmds(&c, in), regen_cmds(&c, in)->n);
			print_manual(&c, in);
		} else
			fprintf(o->out, "vfioc apply: %s is up to date\n", o->root);
	} else if (!diags_has_errors(ds) && !c.nact && in) {
		fprintf(o->out, "vfioc apply: %s is up to date\n", o->root);
	} else if (!diags_has_errors(ds)) {
		carry_out(&c, in);
	}
	if (pwlock)
		ulckpwdf();
	ctx_free(&c);
}

void apply_input_free(struct apply_input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->files[i].path);
		buf_free(&in->files[i].data);
	}
	free(in->files);
	strv_free(&in->run);
	strv_free(&in->undo);
	strv_free(&in->regenerate);
	strv_free(&in->manual);
	for (size_t i = 0; i < in->nedits; i++) {
		free(in->edits[i].path);
		free(in->edits[i].key);
		free(in->edits[i].value);
	}
	free(in->edits);
	for (size_t i = 0; i < in->ndomains; i++) {
		free(in->domains[i].name);
		free(in->domains[i].uuid);
	}
	free(in->domains);
	*in = (struct apply_input){0};
}
