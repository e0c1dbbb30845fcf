/* cmd_apply.c: `vfioc apply`: the steps a generic target's build wrote in OUT/root.apply
 * (the files under OUT/root/, edits, groups, domains, commands) read into an apply_input,
 * carried out by tools/apply/ into / or --root DIR; --undo puts back what was there before. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/backend.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "cli/outwrite.h"
#include "compiler/pipeline.h"
#include "tools/apply/apply.h"

/* The steps file of a build for a generic target (notes in docs/outputs.md). */
#define APPLY_STEPS "root.apply"
#define APPLY_TREE "root"

struct apply_args {
	const char *root;
	bool chroot, dry_run, undo, force, prebuilt;
};

static const struct cli_option options[] = {
	{ "output", 'o', "DIR", CLI_OUTPUT, "the folder 'vfioc build' wrote (default: 'generated'\n"
	  "next to CONFIG)" },
	{ "dry-run", 'n', NULL, 'n', "change nothing: print a unified diff of every file and the\n"
	  "commands it would run" },
	{ "undo", 0, NULL, 'u', "put back what vfioc apply changed (files restored or removed),\n"
	  "then run the undo and regenerate commands again" },
	{ "force", 0, NULL, 'f', "replace or remove files vfioc apply did not write, or that\n"
	  "changed since (each is kept as a backup for --undo)" },
	{ "root", 0, "DIR", 'r', "install into the tree under DIR instead of / (image builders,\n"
	  "tests); the commands are listed, not run" },
	{ "chroot", 0, NULL, 'c', "with --root: run the commands inside DIR (chroot; needs root)" },
	{ "prebuilt", 0, NULL, 'p', "install the folder -o DIR as it is, without CONFIG: only for a\n"
	  "folder you built yourself (its root.apply runs commands as root)" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "diagnostics as text (default), json or github" },
	CLI_COLOR_OPTION,
	{ 0 },
};

extern const struct command cmd_apply;

static int apply_option(int key, const char *value, void *ctx)
{
	struct apply_args *o = ctx;
	if (key == 'r')
		o->root = value;
	o->chroot |= key == 'c';
	o->dry_run |= key == 'n';
	o->undo |= key == 'u';
	o->force |= key == 'f';
	o->prebuilt |= key == 'p';
	return EXIT_OK;
}

static bool word_ok(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* Split "A B REST" into n leading words (each malloc'd) and the rest (may be empty). */
static bool fields(const char *s, size_t n, char **w, const char **rest)
{
	for (size_t i = 0; i < n; i++) {
		const char *sp = strchr(s, ' ');
		if (!*s || *s == ' ' || (!sp && i + 1 < n)) {
			while (i-- > 0)
				free(w[i]);
			return false;
		}
		w[i] = sp ? xstrndup(s, (size_t)(sp - s)) : xstrdup(s);
		s = sp ? sp + 1 : s + strlen(s);
	}
	*rest = s;
	return true;
}

struct reader {
	const char *outdir;
	char *file;  /* OUT/root.apply, for locations */
	struct apply_input *in;
	struct diags *ds;
	const struct out_set *set;  /* what CONFIG compiles to; NULL: the folder (--prebuilt) */
	bool rooted;                /* --root: domains become files, not virsh define */
};

static void bad(struct reader *r, unsigned line, const char *fmt, const char *arg)
{
	struct loc l = { .file = r->file, .line = line, .col = 1 };
	struct diag *d = diag_emit(r->ds, D_APPLY_BAD_STEP, &l, fmt, arg);
	diag_hint(d, "the folder was written by another vfioc: run 'vfioc build' again");
}

/* The bytes of OUT/NAME (src): from what CONFIG compiles to, or with --prebuilt from the
 * folder, a regular file. 0 or an errno; *data malloc'd. */
static int source_file(struct reader *r, const char *name, const char *src, char **data,
		       size_t *len)
{
	if (r->set) {
		const struct out_file *f = out_set_find(r->set, name);
		if (!f)
			return ENOENT;
		*data = xmalloc(f->data.len + 1);
		if (f->data.len)
			memcpy(*data, f->data.s, f->data.len);
		(*data)[f->data.len] = 0;
		*len = f->data.len;
		return 0;
	}
	struct stat st;
	int err = lstat(src, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	return err ? err : read_regular_file(src, 16u << 20, data, len);
}

/* file PATH MODE: OUT/root/PATH, a regular file. */
static void step_file(struct reader *r, unsigned line, const char *args)
{
	char *w[2] = {0}, *end = NULL;
	const char *rest;
	if (!fields(args, 2, w, &rest) || *rest || !tree_path_ok(w[0])) {
		bad(r, line, "'file %s' is not 'file PATH MODE'", args);
		return;
	}
	long mode = strtol(w[1], &end, 8);
	char *src = xasprintf("%s/" APPLY_TREE "/%s", r->outdir, w[0]), *data = NULL;
	char *name = xasprintf(APPLY_TREE "/%s", w[0]);
	size_t len = 0;
	int err = source_file(r, name, src, &data, &len);
	free(name);
	if (*end || mode < 0 || mode > 0777)
		bad(r, line, "mode '%s' is not octal 0000-0777", w[1]);
	else if (err)
		diag_emit(r->ds, D_IO_ERROR, NULL, "cannot read %s: %s", src, read_error_text(err));
	else {
		r->in->files = grow(r->in->files, &r->in->cap, r->in->n + 1, sizeof(*r->in->files));
		struct apply_src *f = &r->in->files[r->in->n++];
		*f = (struct apply_src){ .path = xstrdup(w[0]), .mode = (mode_t)mode };
		buf_add(&f->data, data, len);
	}
	free(data);
	free(src);
	free(w[0]);
	free(w[1]);
}

/* cmdline-file PATH PARAM..., shell-var PATH VAR PARAM..., conf-set PATH KEY VALUE... */
static void step_edit(struct reader *r, unsigned line, enum apply_edit_kind k, const char *args)
{
	char *w[2] = {0};
	const char *rest;
	size_t n = k == EDIT_CMDLINE ? 1 : 2;
	if (!fields(args, n, w, &rest) || !*rest || !tree_path_ok(w[0]) ||
	    (n == 2 && !word_ok(w[1], strlen(w[1])))) {
		bad(r, line, "'%s' is not PATH%s followed by values", args);
		free(w[0]);
		free(w[1]);
		return;
	}
	r->in->edits = grow(r->in->edits, &r->in->capedits, r->in->nedits + 1, sizeof(*r->in->edits));
	r->in->edits[r->in->nedits++] = (struct apply_edit){ .kind = k, .path = w[0], .key = w[1],
							     .value = xstrdup(rest) };
}

static void add_edit(struct reader *r, enum apply_edit_kind k, const char *path, const char *key,
		     const char *value, bool optional)
{
	r->in->edits = grow(r->in->edits, &r->in->capedits, r->in->nedits + 1, sizeof(*r->in->edits));
	r->in->edits[r->in->nedits++] = (struct apply_edit){ .kind = k, .path = xstrdup(path),
		.key = xstrdup(key), .value = xstrdup(value), .optional = optional };
}

/* group GROUP USER: USER joins GROUP in /etc/group and /etc/gshadow (when there), edited as
 * usermod -aG would and put back from the backup by --undo, on / and under --root alike. */
static void step_group(struct reader *r, unsigned line, const char *args)
{
	char *w[2] = {0};
	const char *rest;
	if (!fields(args, 2, w, &rest) || *rest || !word_ok(w[0], strlen(w[0])) ||
	    !word_ok(w[1], strlen(w[1]))) {
		bad(r, line, "'group %s' is not 'group GROUP USER'", args);
		return;
	}
	add_edit(r, EDIT_GROUP, "etc/group", w[0], w[1], false);
	add_edit(r, EDIT_GROUP, "etc/gshadow", w[0], w[1], true);
	free(w[0]);
	free(w[1]);
}

/* The text of <uuid> in a domain's XML (vfioc's own: one element, on one line), or NULL. */
static char *domain_uuid(const char *xml)
{
	const char *s = strstr(xml, "<uuid>"), *e = s ? strstr(s, "</uuid>") : NULL;
	if (!e || e - s - 6 != 36)
		return NULL;
	for (const char *p = s + 6; p < e; p++)
		if (!isxdigit((unsigned char)*p) && *p != '-')
			return NULL;
	return xstrndup(s + 6, 36);
}

static void add_file(struct reader *r, const char *path, char *data, size_t len, mode_t mode)
{
	r->in->files = grow(r->in->files, &r->in->cap, r->in->n + 1, sizeof(*r->in->files));
	struct apply_src *f = &r->in->files[r->in->n++];
	*f = (struct apply_src){ .path = xstrdup(path), .mode = mode };
	buf_add(&f->data, data, len);
}

/* domain NAME FILE AUTOSTART: on /, FILE is kept in apply's folder and defined with virsh
 * (apply.h); under --root it is installed as etc/libvirt/qemu/NAME.xml, where libvirtd
 * reads its persistent domains when it starts (0600, as libvirt writes them); autostart,
 * a symlink there, is left to do. */
static void step_domain(struct reader *r, unsigned line, const char *args)
{
	char *w[3] = {0}, *data = NULL, *uuid = NULL;
	const char *rest;
	size_t len = 0;
	if (!fields(args, 3, w, &rest) || *rest || !tree_path_ok(w[1]) || !tree_path_ok(w[0]) ||
	    strchr(w[0], '/') || (strcmp(w[2], "yes") && strcmp(w[2], "no"))) {
		bad(r, line, "'domain %s' is not 'domain NAME FILE yes|no'", args);
		return;
	}
	char *src = xasprintf("%s/%s", r->outdir, w[1]);
	int err = source_file(r, w[1], src, &data, &len);
	if (err)
		diag_emit(r->ds, D_IO_ERROR, NULL, "cannot read %s: %s", src, read_error_text(err));
	else if (!(uuid = domain_uuid(data)))
		bad(r, line, "the domain %s has no <uuid>", w[0]);
	else if (r->rooted) {
		char *path = xasprintf("etc/libvirt/qemu/%s.xml", w[0]);
		add_file(r, path, data, len, 0600);
		free(path);
		if (!strcmp(w[2], "yes")) {
			/* By UUID, as every virsh call vfioc makes: virsh reads a name as an ID first. */
			char *s = xasprintf("virsh autostart %s (the domain %s; under --root it is a file of "
					    "etc/libvirt/qemu, and autostart is a symlink apply does not make)",
					    uuid, w[0]);
			strv_take(&r->in->manual, s);
		}
	} else {
		char *path = xasprintf(APPLY_DOMAINS_DIR "/%s.xml", w[0]);
		add_file(r, path, data, len, 0600);
		free(path);
		r->in->domains = grow(r->in->domains, &r->in->capdomains, r->in->ndomains + 1,
				      sizeof(*r->in->domains));
		r->in->domains[r->in->ndomains++] = (struct apply_domain){ .name = xstrdup(w[0]),
			.uuid = uuid, .autostart = !strcmp(w[2], "yes") };
		uuid = NULL;
	}
	free(uuid);
	free(data);
	free(src);
	for (size_t i = 0; i < 3; i++)
		free(w[i]);
}

static void step(struct reader *r, unsigned line, const char *l)
{
	static const struct { const char *verb; int kind; } verbs[] = {
		{ "target", 0 }, { "file", 1 }, { "cmdline-file", 2 }, { "shell-var", 3 },
		{ "conf-set", 4 }, { "run", 5 }, { "undo", 6 }, { "regenerate", 7 },
		{ "group", 8 }, { "domain", 9 },
	};
	const char *sp = strchr(l, ' '), *args = sp ? sp + 1 : "";
	size_t vn = sp ? (size_t)(sp - l) : strlen(l);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++) {
		if (strlen(verbs[i].verb) != vn || strncmp(verbs[i].verb, l, vn))
			continue;
		struct strv *cmds[] = { &r->in->run, &r->in->undo, &r->in->regenerate };
		switch (verbs[i].kind) {
		case 0: return;
		case 1: step_file(r, line, args); return;
		case 2: step_edit(r, line, EDIT_CMDLINE, args); return;
		case 3: step_edit(r, line, EDIT_SHELL_VAR, args); return;
		case 4: step_edit(r, line, EDIT_CONF_SET, args); return;
		case 8: step_group(r, line, args); return;
		case 9: step_domain(r, line, args); return;
		default:
			if (!*args)
				bad(r, line, "'%s' names no command", l);
			else
				strv_add(cmds[verbs[i].kind - 5], args);
			return;
		}
	}
	bad(r, line, "unknown step '%s'", l);
}

/* file (OUT/root.apply; its name is in the diagnostics, so the caller frees it after them)
 * into in. false after reporting (a NixOS build: apply-nixos). */
static bool read_steps(const char *outdir, char *file, const struct out_set *set, bool rooted,
		       struct apply_input *in, struct diags *ds)
{
	struct reader r = { outdir, file, in, ds, set, rooted };
	char *text = NULL;
	size_t len = 0;
	const struct out_file *steps = set ? out_set_find(set, APPLY_STEPS) : NULL;
	int err = set ? (steps ? 0 : ENOENT) : read_regular_file(r.file, 1u << 20, &text, &len);
	if (steps)
		text = xstrndup(steps->data.s ? steps->data.s : "", steps->data.len);
	if (err == ENOENT) {
		char *nix = xasprintf("%s/vfio.nix", outdir);
		struct stat st;
		if (set ? out_set_find(set, "vfio.nix") != NULL : stat(nix, &st) == 0)
			diag_hint(diag_emit(ds, D_APPLY_NIXOS, NULL, "%s was built for a NixOS target: "
					    "vfioc apply does not install it", outdir),
				  "import %s in configuration.nix and run nixos-rebuild switch", nix);
		else
			diag_hint(diag_emit(ds, D_APPLY_NOTHING, NULL, "%s has no " APPLY_STEPS, outdir),
				  "run 'vfioc build CONFIG -o %s' for a target with 'family:' first", outdir);
		free(nix);
	} else if (err) {
		diag_emit(ds, D_IO_ERROR, NULL, "cannot read %s: %s", r.file, read_error_text(err));
	} else {
		unsigned line = 0;
		for (char *l = text, *nl; l && *l; l = nl) {
			nl = strchr(l, '\n');
			if (nl)
				*nl++ = 0;
			line++;
			if (*l && *l != '#')
				step(&r, line, l);
		}
	}
	free(text);
	return !diags_has_errors(ds);
}

/* What CONFIG compiles to, into set, and the folder it was built into checked against it:
 * the folder comes from a repository, and its root.apply runs commands as root, so apply
 * installs what the config compiles to, and only once the reviewed folder says the same
 * (a folder that differs is stale or was edited by hand). false after reporting. */
static bool compiled(const char *config, const char *outdir, struct out_set *set,
		     struct diags *ds)
{
	struct hw_opts hw = {0};
	struct plan *p = compile_config(config, &hw, outdir, 0, ds);
	char *err = NULL;
	if (p && backends_run(p, set, &err) != 0)
		diag_emit(ds, D_IO_ERROR, NULL, "internal error: backend %s", err ? err : "failed");
	free(err);
	bool planned = p != NULL;
	plan_free(p);
	if (!planned || diags_has_errors(ds))
		return false;
	for (size_t i = 0; i < set->n; i++) {
		const struct out_file *f = &set->files[i];
		if (strcmp(f->name, APPLY_STEPS) && strncmp(f->name, APPLY_TREE "/", sizeof(APPLY_TREE)))
			continue;
		char *path = xasprintf("%s/%s", outdir, f->name), *data = NULL;
		size_t len = 0;
		struct stat st;
		int rc = lstat(path, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL
		       : read_regular_file(path, 16u << 20, &data, &len);
		if (rc || len != f->data.len || (len && memcmp(data, f->data.s, len)))
			diag_hint(diag_emit(ds, D_STALE_OUTPUT, NULL, "%s %s what %s compiles to", path,
					    rc == ENOENT ? "is missing: it is part of" : "is not", config),
				  "run 'vfioc build %s -o %s', review what changed and commit it, then "
				  "apply", config, outdir);
		free(data);
		free(path);
	}
	return !diags_has_errors(ds);
}

static int run(int argc, char **argv)
{
	struct cli_args a = {0};
	struct apply_args o = {0};
	int rc = cli_parse(&cmd_apply, argc, argv, &a, apply_option, &o);
	if (rc != EXIT_OK)
		return rc;
	if (o.chroot && !o.root)
		return cli_usage_error("apply", "--chroot goes with --root DIR");
	if (!o.undo && !a.operand && !a.output)
		return cli_usage_error("apply", "name CONFIG or the folder it was built into (-o DIR)");
	if (o.undo && (a.operand || a.output))
		return cli_usage_error("apply", "--undo takes neither CONFIG nor -o: it reads what "
				       "apply recorded under the root");
	if (!o.undo && !a.operand && !o.prebuilt)
		return cli_usage_error("apply", "name CONFIG: apply compiles it and installs that, "
				       "never a folder's files on trust (--prebuilt -o DIR for a folder "
				       "you built yourself)");
	if (o.prebuilt && (a.operand || !a.output))
		return cli_usage_error("apply", "--prebuilt takes -o DIR and no CONFIG");
	struct diags *ds = diags_new();
	struct apply_input in = {0};
	char *outdir = a.output ? xstrdup(a.output) : a.operand ? out_default_dir(a.operand) : NULL;
	struct apply_opts ao = { .root = o.root ? o.root : "/", .rooted = o.root != NULL,
				 .chroot = o.chroot, .dry_run = o.dry_run, .force = o.force,
				 .out = stdout };
	char *steps = outdir ? xasprintf("%s/" APPLY_STEPS, outdir) : NULL;
	struct out_set set = {0};
	bool ok = o.undo || o.prebuilt || compiled(a.operand, outdir, &set, ds);
	if (ok && (o.undo || read_steps(outdir, steps, o.prebuilt ? NULL : &set, o.root != NULL, &in, ds)))
		apply_run(o.undo ? NULL : &in, &ao, ds);
	out_set_free(&set);
	apply_input_free(&in);
	free(outdir);
	rc = cli_finish(ds, a.fmt, false);
	free(steps);
	diags_free(ds);
	return rc;
}

const struct command cmd_apply = {
	"apply", "install a generic host's build (files, edits, regenerate), or undo that",
	"Installs what 'vfioc build' wrote for a target with 'family:' (Arch, Debian, Fedora and\n"
	"their kin) into / : the files under DIR/root/ (each written whole: a temporary file,\n"
	"fsync, rename; never through a symlink), the edits of files it does not own\n"
	"(/etc/kernel/cmdline, /etc/default/grub, /etc/libvirt/qemu.conf, the users' groups in\n"
	"/etc/group and /etc/gshadow), then the commands of DIR/root.apply (virsh define of the\n"
	"domains, initramfs and boot loader). It keeps a backup of every file it replaces\n"
	"and a manifest in /" APPLY_STATE_DIR "; a file it did not write is not replaced\n"
	"without --force. If a command fails, the files are put back as they were. --undo puts\n"
	"back exactly what was there before and runs the commands again. NixOS targets install\n"
	"through their module instead.\n\n",
	options,
	"Exit status: 0 done (or up to date), 1 refused or a command failed (nothing changed),\n"
	"2 bad command line, 3 system failure.\n"
	"Example: vfioc apply host.yaml --dry-run && sudo vfioc apply host.yaml\n",
	.operand = "CONFIG",
	.operand_optional = true,
	.run = run,
};
