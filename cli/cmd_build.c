/* cmd_build.c: `vfioc build`: config -> hardware -> checks -> plan -> every backend into
 * memory -> (validate) -> write the directory all or nothing, or compare it (--check). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "backends/backend.h"
#include "backends/hook_scripts.h"
#include "base/term.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "cli/ident.h"
#include "cli/outwrite.h"
#include "compiler/pipeline.h"
#include "tools/apply/udiff.h"

struct build_opts {
	const char *config;
	char *outdir;              /* malloc'd */
	bool outdir_given;         /* -o: not the default next to the config */
	struct hw_opts hw;
	bool check, validate, werror, no_escape_hatches;
	bool accept_hw;            /* --accept-hardware-change */
	const char *schema_dir;    /* NULL: libvirt's default */
	enum diag_format fmt;
};

static const struct cli_option options[] = {
	{ "output", 'o', "DIR", CLI_OUTPUT, "where to write (default: 'generated' next to CONFIG)" },
	{ "check", 0, NULL, 'c', "write nothing; exit 1 naming each file that is missing, differs\n"
	  "or would be removed [stale-output] (for CI), and show what\n"
	  "would change as diff -u (on stdout, with --format text)" },
	{ "validate", 0, NULL, 'v', "check each domain against libvirt's RelaxNG schema\n"
	  "(/usr/share/libvirt/schemas/domain.rng) [domain-invalid]" },
	{ "schema-dir", 0, "DIR", 's', "take domain.rng from DIR (implies --validate)" },
	{ "accept-hardware-change", 0, NULL, 'a', "pass what is at each address now, though DIR's\n"
	  "manifest records another device there from the last\n"
	  "build [hardware-changed, board-changed]" },
	{ "root", 0, "DIR", CLI_ROOT, "read the hardware from a sysfs tree under DIR (tests)" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "read the hardware from a snapshot by 'vfioc probe'\n"
	  "(default: 'hardware:' of CONFIG, else this machine)" },
	{ "werror", 0, NULL, CLI_WERROR, "treat warnings as errors: exit 1 and write nothing" },
	{ "no-escape-hatches", 0, NULL, CLI_NO_ESCAPE_HATCHES, "refuse libvirt-xml, nixos-extra and qemu-config\n"
	  "(whoever writes them is root on the host): for\n"
	  "configs from pull requests" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "diagnostics as text (default), json (the array of check's,\n"
	  "on standard output, the only thing printed) or github" },
	CLI_COLOR_OPTION,
	{ 0 },
};

extern const struct command cmd_build;

static int build_option(int key, const char *value, void *ctx)
{
	struct build_opts *o = ctx;
	if (key == 'c')
		o->check = true;
	else if (key == 'v')
		o->validate = true;
	else if (key == 'a')
		o->accept_hw = true;
	else if (key == 's') {
		o->schema_dir = value;
		o->validate = true;
	}
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct build_opts *o)
{
	struct cli_args a = {0};
	int rc = cli_parse(&cmd_build, argc, argv, &a, build_option, o);
	if (rc != EXIT_OK)
		return rc;
	if (a.output && !*a.output)
		return cli_usage_error("build", "-o needs a directory");
	o->config = a.operand;
	o->hw = a.hw;
	o->fmt = a.fmt;
	o->werror = a.werror;
	o->no_escape_hatches = a.no_escape_hatches;
	o->outdir = a.output ? xstrdup(a.output) : out_default_dir(o->config);
	o->outdir_given = a.output != NULL;
	return EXIT_OK;
}

/* --validate: every file whose backend has a validator. */
static void validate(const struct out_set *set, const struct build_opts *o, struct diags *ds)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct out_file *f = &set->files[i];
		char *err = NULL;
		if (!f->backend || !f->backend->validate)
			continue;
		int rc = f->backend->validate(f, o->schema_dir, &err);
		if (rc < 0) {
			diag_emit(ds, D_IO_ERROR, NULL, "cannot validate %s: %s", f->name, err);
			free(err);
			return;  /* the same for every file */
		}
		if (rc > 0) {
			struct diag *d = diag_emit(ds, D_SCHEMA_INVALID, NULL,
						   "%s/%s fails libvirt's domain schema", o->outdir, f->name);
			for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
				diag_note(d, NULL, "%s", line);
			diag_hint(d, "this is a bug in vfioc: please report it with the config");
		}
		free(err);
	}
}

static const char *change_text(enum out_change_kind k)
{
	return k == OUT_MISSING ? "is missing"
	     : k == OUT_DIFFERS ? "differs from what vfioc build would write"
				: "would be removed (its VM is no longer in the config)";
}

/* The folder to open for the outputs (malloc'd), or NULL after reporting why not. The
 * default output folder is a folder of the config's folder: a committed symlink
 * `generated -> ../elsewhere` must not receive the outputs (a kernel-cmdline is a valid
 * sudoers line). -o DIR names any folder: whoever runs vfioc chose it. A symlink accepted
 * here is resolved now, once: the folder is then opened without following symlinks
 * (out_lock_take), so what is opened is what was checked. */
static char *outdir_to_open(const struct build_opts *o, struct diags *ds)
{
	struct stat st;
	if (lstat(o->outdir, &st) != 0 || !S_ISLNK(st.st_mode))
		return xstrdup(o->outdir);
	const char *slash = strrchr(o->config, '/');
	char *dir = slash ? xstrndup(o->config, (size_t)(slash - o->config + (slash == o->config)))
			  : xstrdup(".");
	char rdir[PATH_MAX], rout[PATH_MAX];
	bool resolved = realpath(o->outdir, rout) != NULL;
	bool ok = o->outdir_given ||
		  (resolved && realpath(dir, rdir) && !strncmp(rout, rdir, strlen(rdir)) &&
		   (rout[strlen(rdir)] == '/' || !strcmp(rdir, "/")));
	if (!ok) {
		struct diag *d = diag_emit(ds, D_OUTPUT_UNSAFE, NULL,
					   "%s is a symlink that leads outside the config's folder %s",
					   o->outdir, dir);
		diag_hint(d, "remove the symlink, or name the folder to write with -o DIR");
	}
	free(dir);
	return !ok ? NULL : xstrdup(resolved ? rout : o->outdir);
}

/* Files that the rule before manifests would have removed: said, not removed. */
static void note_unlisted(const struct out_changes *ch, const struct build_opts *o,
			  struct diags *ds)
{
	for (size_t i = 0; i < ch->nunlisted; i++) {
		struct diag *d = diag_emit(ds, D_OUTPUT_UNLISTED, NULL,
					   "%s/%s looks like a domain of %s whose VM is gone, but %s/"
					   OUT_MANIFEST " does not list it, so it is kept", o->outdir,
					   ch->unlisted[i], o->config, o->outdir);
		diag_hint(d, "remove it by hand if you no longer need it (folders written before "
			  "vfioc kept a manifest have none)");
	}
}

/* The bytes of NAME in the folder dirfd (in *b), or false: a regular file only, never
 * through a symlink, as outwrite.c compares it (a FIFO there is not waited on). */
static bool read_at(int dirfd, const char *name, struct buf *b)
{
	char *text = NULL;
	size_t len = 0;
	if (read_regular_at(dirfd, name, true, OUT_MAX_READ, &text, &len) != 0)
		return false;
	buf_add(b, text, len);
	free(text);
	return true;
}

/* A diff's lines in git diff's colours when stdout gets colour: file headers bold, hunk
 * headers cyan, removed lines red, added ones green. The removed and context lines are the
 * output folder's, which a pull request may have filled: udiff_print wrote them escaped
 * (controls and base/hidden.def's characters), so they are written here as they are. */
static void put_diff(const char *text, size_t len)
{
	bool color = term_colored(stdout);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *l = text + i;
		enum term_style st = n >= 4 && (!strncmp(l, "--- ", 4) || !strncmp(l, "+++ ", 4))
				     ? TS_BOLD : n >= 2 && !strncmp(l, "@@", 2) ? TS_NOTE
				     : n && *l == '-' ? TS_ERROR : n && *l == '+' ? TS_OK : TS_RESET;
		term_sgr(stdout, color && st != TS_RESET, st);
		fwrite(l, 1, n, stdout);
		term_sgr(stdout, color && st != TS_RESET, TS_RESET);
		if (nl)
			putchar('\n');
		i += n + (nl != NULL);
	}
}

/* build --check on a terminal's text: what would change, as `diff -u` shows it. */
static void print_stale_diffs(const struct out_set *set, const struct out_changes *ch, int dirfd,
			      const char *outdir)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = xopen_memstream(&text, &len);
	for (size_t i = 0; i < ch->n; i++) {
		const struct out_change *c = &ch->v[i];
		struct buf old = {0};
		bool there = c->kind != OUT_MISSING && read_at(dirfd, c->name, &old);
		const struct buf *now = c->kind == OUT_STALE ? NULL : &set->files[c->file].data;
		char *path = xasprintf("%s/%s", outdir, c->name);
		udiff_print(mem, path, there ? &old : NULL, now);
		free(path);
		buf_free(&old);
	}
	fclose(mem);
	put_diff(text, len);
	free(text);
}

/* libvirtd sees new or changed hook scripts only after a reload (nixos_setup.c,
 * emit_hooks_reload): said when a written vfio.nix carries hooks. */
static void note_hooks(const struct out_changes *ch, const struct plan *p, struct diags *ds)
{
	if (p->family != FAMILY_NIXOS || !p->libvirt_enable ||
	    !(hooks_single_gpu_wanted(p) || hooks_isolation_wanted(p)))
		return;
	for (size_t i = 0; i < ch->n; i++)
		if (!strcmp(ch->v[i].name, "vfio.nix")) {
			struct diag *d = diag_emit(ds, D_HOOKS_RELOAD, NULL, "vfio.nix carries libvirt "
						   "hooks; libvirtd sees new or changed ones only after a "
						   "reload, which vfio.nix does on nixos-rebuild switch");
			diag_hint(d, "should a VM start without them, run 'systemctl start "
				  "libvirtd-config.service && systemctl reload libvirtd.service'");
			return;
		}
}

/* The devices passed are those of the last build into the folder (or --accept-hardware-change
 * takes them as they are): false after saying what changed. Read under the folder's lock,
 * so that it is the manifest this build replaces. */
static bool same_hardware(const struct plan *p, const struct build_opts *o, int dirfd,
			  struct diags *ds)
{
	if (o->accept_hw)
		return true;
	struct ident_ctx cx = { .config = o->config, .outdir = o->outdir };
	ident_check(dirfd, p, &cx, ds);
	return !diags_has_errors(ds) && !(o->werror && diags_count(ds, SEV_WARNING));
}

/* What a build did to its folder, for the summary line on a terminal. */
struct build_done {
	bool reached;           /* the folder was compared */
	size_t files;           /* the files of the set */
	size_t written, removed;  /* changed (--check: would change) */
};

/* Compare (--check) or write the outputs, holding the folder's lock. */
static void finish_outputs(const struct out_set *set, const struct plan *p,
			   const struct build_opts *o, struct diags *ds, struct build_done *done)
{
	struct out_changes ch = {0};
	char *marker = backends_marker(p), *err = NULL;
	char *open_dir = outdir_to_open(o, ds);
	struct out_lock *lk = open_dir ? out_lock_take(open_dir, !o->check, &err) : NULL;
	free(open_dir);
	bool failed = true;
	if (!lk) {
		if (err)
			diag_emit(ds, D_IO_ERROR, NULL, "%s; %s is unchanged", err, o->outdir);
	} else if (!same_hardware(p, o, out_lock_folder(lk), ds)) {
		/* said; nothing written, nothing compared */
	} else if (out_diff(set, out_lock_folder(lk), o->outdir, marker, &ch, &err) != 0) {
		struct diag *d = diag_emit(ds, ch.unsafe ? D_OUTPUT_UNSAFE : D_IO_ERROR, NULL, "%s", err);
		if (ch.unsafe)
			diag_hint(d, "a folder vfioc writes into holds real folders and files only");
	} else if (o->check) {
		struct diag *d = NULL;
		for (size_t i = 0; i < ch.n; i++)
			d = diag_emit(ds, D_STALE_OUTPUT, NULL, "%s/%s %s", o->outdir, ch.v[i].name,
				      change_text(ch.v[i].kind));
		if (d)
			diag_hint(d, "run 'vfioc build %s -o %s' and commit the result", o->config,
				  o->outdir);
		if (ch.n && o->fmt == DFMT_TEXT)
			print_stale_diffs(set, &ch, out_lock_folder(lk), o->outdir);
		failed = false;
	} else if (ch.n && out_write(set, out_lock_folder(lk), o->outdir, &ch, &err) != 0) {
		diag_emit(ds, D_IO_ERROR, NULL, "%s; %s is unchanged", err, o->outdir);
	} else {
		failed = false;
		note_hooks(&ch, p, ds);
	}
	if (!failed) {
		note_unlisted(&ch, o, ds);
		*done = (struct build_done){ .reached = true, .files = set->n };
		for (size_t i = 0; i < ch.n; i++)
			*(ch.v[i].kind == OUT_STALE ? &done->removed : &done->written) += 1;
	}
	out_lock_release(lk, failed);
	free(err);
	free(marker);
	out_changes_free(&ch);
}

static void build(const struct plan *p, const struct build_opts *o, struct diags *ds,
		  struct build_done *done)
{
	struct out_set set = {0};
	char *err = NULL;
	int rc = backends_run(p, &set, &err);
	if (rc > 0)
		diag_hint(diag_emit(ds, D_XML_EDIT_FAILED, NULL, "%s", err), "fix the edit in "
			  "libvirt-xml (its XPath is relative to <domain> of domains/<vm>.xml) or remove it");
	else if (rc < 0)
		diag_emit(ds, D_IO_ERROR, NULL, "internal error: backend %s", err);
	else if (o->validate)
		validate(&set, o, ds);
	ident_manifest_add(out_manifest_add(&set), p);
	bool warn_stop = o->werror && diags_count(ds, SEV_WARNING);
	if (!diags_has_errors(ds) && !warn_stop)
		finish_outputs(&set, p, o, ds, done);
	free(err);
	out_set_free(&set);
}

/* "checked 1 VM passing 3 devices against hardware.yaml (17 PCI devices), wrote 2 of 6
 * files in generated: no errors or warnings", on a terminal only (cli_summary). */
static void summary(const struct build_opts *o, const struct compile_counts *n,
		    const struct build_done *done, const struct diags *ds)
{
	struct buf b = {0};
	cli_checked(&b, o->config, n);
	size_t changed = done->written + done->removed;
	if (!done->reached)
		buf_printf(&b, ", wrote nothing in %s", o->outdir);
	else if (!changed)
		buf_printf(&b, ", %s is up to date (%zu files)", o->outdir, done->files);
	else if (o->check)
		buf_printf(&b, ", %zu of the %zu files in %s are stale", changed, done->files,
			   o->outdir);
	else
		buf_printf(&b, ", wrote %zu of %zu files in %s", done->written, done->files,
			   o->outdir);
	if (done->reached && done->removed && !o->check)
		buf_printf(&b, " and removed %zu", done->removed);
	cli_summary(ds, o->fmt, buf_str(&b));
	buf_free(&b);
}

static int run(int argc, char **argv)
{
	struct build_opts o = { .fmt = DFMT_TEXT };
	int rc = parse_args(argc, argv, &o);
	if (rc != EXIT_OK)
		return rc;
	struct diags *ds = diags_new();
	struct compile_counts n = {0};
	struct build_done done = {0};
	struct plan *p = compile_config_counted(o.config, &o.hw, o.outdir,
						o.no_escape_hatches ? COMPILE_NO_ESCAPE_HATCHES : 0,
						ds, &n);
	if (p)
		build(p, &o, ds, &done);
	plan_free(p);
	rc = cli_finish_report(ds, o.fmt, o.werror);
	summary(&o, &n, &done, ds);
	free(n.hardware);
	diags_free(ds);
	free(o.outdir);
	return rc;
}

/* One line per backend, from its doc "FILE: what it is", then what writing means. */
static void describe(FILE *out)
{
	for (size_t i = 0; backends[i]; i++) {
		const char *doc = backends[i]->doc, *colon = strstr(doc, ": ");
		int n = colon ? (int)(colon - doc) : 0;
		fprintf(out, "  %-18.*s %s\n", n, doc, colon ? colon + 2 : doc);
	}
	fprintf(out, "  %-18s the files written, so that only those are ever removed, and\n"
		"  %-18s the devices passed (address, vendor:device, class, subsystem):\n"
		"  %-18s the next build stops when another device is at one of them\n",
		OUT_MANIFEST, "", "");
	fputs("All or nothing: on any error nothing in DIR changes. Files that are already up to date\n"
	      "are not touched; a domain file this config generated for a VM that is no longer in it\n"
	      "is removed (named by the manifest, with its 'Generated by vfioc from CONFIG' header);\n"
	      "other files in DIR are never touched. Builds into one DIR take turns (a lock file).\n"
	      "The same config and hardware give the same bytes everywhere.\n\n",
	      out);
}

const struct command cmd_build = {
	"build", "check a config and write the NixOS module, libvirt domains and kernel cmdline",
	"Checks CONFIG like 'vfioc check', then writes into DIR:\n",
	options,
	"Exit status: 0 written (or up to date), 1 errors or stale outputs, 2 bad command line,\n"
	"3 system failure (I/O, unreadable hardware, missing schema).\n"
	"Example: vfioc build examples/seed/host.yaml -o examples/seed/generated\n",
	.operand = "CONFIG",
	.run = run,
	.describe = describe,
};
