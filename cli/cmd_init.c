/* cmd_init.c: `vfioc init`: a starter config and its hardware snapshot, from the hardware
 * (live, --root or --hardware), the running system's NixOS release and kernel, and the
 * user. The config is checked against the same hardware before anything is written; both
 * files are written whole or not at all, and an existing file is replaced only with --force. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/filewrite.h"
#include "compiler/pipeline.h"
#include "model/release.h"
#include "schema/config/schema.h"
#include "schema/snapshot/snapshot.h"
#include "tools/init/init.h"

#define OS_RELEASE_MAX (64 * 1024)

struct init_opts {
	const char *out;
	struct hw_opts hw;
	const char *gpu;
	bool force;
	enum diag_format fmt;
};

static const struct cli_option options[] = {
	{ "output", 'o', "FILE", CLI_OUTPUT, "the config to write (default host.yaml); the snapshot goes beside it" },
	{ "root", 0, "DIR", CLI_ROOT, "read DIR/sys, DIR/proc and DIR/etc/os-release instead (tests)" },
	{ "hardware", 0, "FILE", CLI_HARDWARE, "start from a snapshot by 'vfioc probe' instead of this machine" },
	{ "gpu", 0, "ADDR", 'g', "pass this GPU (e.g. 01:00.0) instead of the one vfioc would choose" },
	{ "force", 0, NULL, 'F', "replace FILE when it exists, and then hardware.yaml beside it\n"
	  "(without it: an error; a new config next to another's snapshot\n"
	  "needs none: it reuses it, or writes FILE's own, NAME.hardware.yaml)" },
	{ "format", 0, "FORMAT", CLI_FORMAT, "diagnostics as text (default), json or github" },
	{ 0 },
};

extern const struct command cmd_init;

static int init_option(int key, const char *value, void *ctx)
{
	struct init_opts *o = ctx;
	if (key == 'g')
		o->gpu = value;
	else if (key == 'F')
		o->force = true;
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct init_opts *o)
{
	struct cli_args a = {0};
	int rc = cli_parse(&cmd_init, argc, argv, &a, init_option, o);
	if (rc != EXIT_OK)
		return rc;
	o->out = a.output ? a.output : "host.yaml";
	o->hw = a.hw;
	o->fmt = a.fmt;
	if (!*o->out)
		return cli_usage_error("init", "-o needs a file name");
	struct pci_addr addr;
	if (o->gpu && !pci_addr_parse(o->gpu, &addr))
		return cli_bad_address("init", "--gpu", o->gpu);
	return EXIT_OK;
}

/* The value of KEY= in os-release text, unquoted, into an arena string; NULL when absent. */
static const char *os_release_value(const char *text, const char *key, struct arena *a)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		const char *v = p + klen + 1, *end = v + strcspn(v, "\n");
		if (end > v && (*v == '"' || *v == '\'') && end[-1] == *v && end - v >= 2) {
			v++;
			end--;
		}
		return arena_strndup(a, v, (size_t)(end - v));
	}
	return NULL;
}

/* The NixOS release: the running system's when /etc/os-release (of the root) names one that
 * vfioc knows or a newer one (which check accepts with a warning), else the newest stable
 * release vfioc supports. */
static void read_release(const struct init_opts *o, struct init_env *env, struct arena *a)
{
	env->nixos = NIXOS_NEWEST;
	if (o->hw.snapshot) {
		env->nixos_why = "the newest release vfioc supports (a snapshot has no os-release)";
		return;
	}
	const char *root = o->hw.root ? o->hw.root : "";
	char *path = xasprintf("%s/etc/os-release", root), *text = NULL;
	size_t len;
	int err = read_file(path, OS_RELEASE_MAX, &text, &len);
	if (err) {
		free(path);
		path = xasprintf("%s/usr/lib/os-release", root);
		err = read_file(path, OS_RELEASE_MAX, &text, &len);
	}
	free(path);
	if (err) {
		env->nixos_why = "the newest release vfioc supports (no os-release to read)";
		return;
	}
	for (size_t i = 0; i < len; i++)  /* NULs would end the search early, nothing worse */
		text[i] = text[i] ? text[i] : '\n';
	const char *id = os_release_value(text, "ID", a);
	const char *like = os_release_value(text, "ID_LIKE", a);
	const char *version = os_release_value(text, "VERSION_ID", a);
	free(text);
	env->family = init_family(id, like);
	if (env->family != FAMILY_NIXOS) {
		env->family_why = arena_printf(a, "os-release: ID=%.32s%s%.64s", id ? id : "",
					       like ? ", ID_LIKE=" : "", like ? like : "");
		init_detect_parts(root, env, a);
		return;
	}
	if (!id || strcmp(id, "nixos")) {
		env->nixos_why = arena_printf(a, "the newest release vfioc supports (this system is "
					      "%.32s, not NixOS)", id ? id : "not NixOS");
		return;
	}
	for (int r = 0; r < NIXOS_UNSTABLE; r++)
		if (version && !strcmp(version, nixos_release_name((enum nixos_release)r))) {
			env->nixos = (enum nixos_release)r;
			env->nixos_why = "the release this system runs (os-release)";
			return;
		}
	if (release_is_newer(version)) {  /* check warns, and the module asserts this release */
		env->nixos_name = version;
		env->nixos_why = arena_printf(a, "the release this system runs (os-release), newer "
					      "than vfioc knows: written as for %s",
					      nixos_release_name(NIXOS_NEWEST));
		return;
	}
	env->nixos_why = arena_printf(a, "the newest release vfioc supports (this NixOS is %.32s)",
				      version ? version : "of no version");
}

/* "6.6" from "6.6.30-foo": digits, a dot, digits, as target.kernel takes them. */
static void read_kernel(const struct hw *hw, const struct init_opts *o, struct init_env *env,
			struct arena *a)
{
	const char *r = hw->kernel_release, *why;
	env->kernel[0] = 0;
	if (!r)
		return;
	size_t major = strspn(r, "0123456789");
	size_t minor = r[major] == '.' ? strspn(r + major + 1, "0123456789") : 0;
	if (!major || !minor || major + 1 + minor >= sizeof(env->kernel))
		return;
	memcpy(env->kernel, r, major + 1 + minor);
	env->kernel[major + 1 + minor] = 0;
	if (!schema_check_string(SC_KERNEL, env->kernel, &why)) {
		env->kernel[0] = 0;
		return;
	}
	env->kernel_why = arena_printf(a, o->hw.snapshot ? "the snapshot's kernel, %.40s"
						     : "the running kernel, %.40s", r);
}

static void read_user(struct init_env *env)
{
	const char *u = getenv("SUDO_USER"), *why;
	if (!u || !*u || !strcmp(u, "root"))
		u = getenv("USER");
	if (!u || !*u || !strcmp(u, "root")) {
		env->user_why = "no user in $SUDO_USER or $USER (root needs none): add yours";
	} else if (!schema_check_string(SC_USER, u, &why)) {
		env->user_why = "$SUDO_USER/$USER is no user name NixOS takes: add yours";
	} else {
		env->user = u;
	}
}

/* "DIR/hardware.yaml" beside the config. */
static char *beside(const char *config, const char *name)
{
	const char *slash = strrchr(config, '/');
	return slash ? xasprintf("%.*s/%s", (int)(slash - config), config, name) : xstrdup(name);
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Give tmp (inside dirfd) its final name: replacing what is there with --force, else only
 * a new name (linkat fails when path appeared in the meantime). */
static bool publish(int dirfd, const char *tmp, const char *path, bool force, struct diags *ds)
{
	const char *base = file_base(path);
	int rc = force ? renameat(dirfd, tmp, dirfd, base) : linkat(dirfd, tmp, dirfd, base, 0);
	int err = errno;
	if (!force)
		unlinkat(dirfd, tmp, 0);
	if (rc == 0)
		return true;
	if (force)
		unlinkat(dirfd, tmp, 0);
	if (err == EEXIST) {
		struct diag *d = diag_emit(ds, D_OUTPUT_EXISTS, NULL, "%s exists", path);
		diag_hint(d, "add --force to replace it, or write elsewhere with -o");
	} else {
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write %s: %s", path, strerror(err));
	}
	return false;
}

static bool refuse_existing(int dirfd, const char *path, struct diags *ds)
{
	struct stat st;
	if (fstatat(dirfd, file_base(path), &st, AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	struct diag *d = diag_emit(ds, D_OUTPUT_EXISTS, NULL, "%s exists", path);
	diag_hint(d, "add --force to replace it, or write elsewhere with -o");
	return true;
}

/* Does the file at path hold exactly text? */
static bool holds(const char *path, const struct buf *text)
{
	char *have = NULL;
	size_t len = 0;
	bool same = read_file(path, text->len + 1, &have, &len) == 0 && len == text->len &&
		    memcmp(have, buf_str(text), len) == 0;
	free(have);
	return same;
}

/* Which snapshot the config names, when the user did not ask to replace files: the
 * default hardware.yaml, or the one already there when it holds the same hardware, or,
 * when it holds other hardware, one named after the config ("other.hardware.yaml" beside
 * other.yaml), so init -o other.yaml works next to another config's snapshot. *reuse: the
 * file is there already, with this content or as the snapshot `given` with --hardware. */
static char *choose_snapshot(const char *config, const char *given, const struct buf *snap,
			     bool *reuse)
{
	struct stat st;
	char *path = beside(config, "hardware.yaml");
	*reuse = false;
	if (lstat(path, &st) != 0)
		return path;
	if ((given && same_file(given, path)) || holds(path, snap)) {
		*reuse = true;
		return path;
	}
	const char *base = file_base(config);
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	char *name = xasprintf("%.*s.hardware.yaml", (int)stem, base);
	char *alt = beside(config, name);
	free(name);
	if (strcmp(alt, path) != 0 && lstat(alt, &st) == 0 && holds(alt, snap))
		*reuse = true;
	if (strcmp(alt, path) == 0) {  /* a config named "hardware.yaml": keep the default */
		free(alt);
		return path;
	}
	free(path);
	return alt;
}

/* The config must pass its own check on this hardware; an error here is vfioc's bug. */
static bool self_check(const char *name, const struct buf *yaml, const struct hw *hw,
		       struct diags *ds)
{
	struct diags *own = diags_new();
	struct config *cfg = config_load_mem(name, buf_str(yaml), yaml->len, own);
	plan_free(cfg ? check_and_plan(cfg, hw, NULL, own) : NULL);
	config_free(cfg);
	bool ok = !diags_has_errors(own);
	if (!ok) {
		diag_emit(ds, D_IO_ERROR, NULL, "the config vfioc init made fails its own check "
			  "(a bug in vfioc: please report it with the snapshot); nothing written");
		diags_move(ds, own);
	}
	diags_free(own);
	return ok;
}

/* The --gpu device as an index into hw->pci, or INIT_NONE after reporting why not: it must
 * be there and be a display controller (class 03xx), never the NVMe or the HDMI audio
 * function someone copied the address of. */
static size_t find_gpu(const struct hw *hw, const char *gpu, struct diags *ds)
{
	struct pci_addr a;
	pci_addr_parse(gpu, &a);
	const struct hw_pci *d = hw_find_pci(hw, &a);
	char s[PCI_ADDR_STRLEN];
	pci_addr_fmt(&a, s);
	if (!d) {
		struct diag *e = diag_emit(ds, D_HW_MISSING, NULL,
					   "--gpu %s: no such device on this host", s);
		diag_hint(e, "'vfioc groups' lists the devices and what can be passed");
		return INIT_NONE;
	}
	if (!hw_is_gpu(d)) {
		struct buf what = {0};
		hw_pci_describe(d, HW_DESC_FULL, &what);
		struct diag *e = diag_emit(ds, D_NOT_GPU, NULL, "--gpu %s is not a display "
					   "controller (class 03xx): it is %s", s, buf_str(&what));
		buf_free(&what);
		diag_hint(e, "name the GPU itself; its audio and USB functions go along with it "
			  "('vfioc groups' lists the display controllers as class 03xx)");
		return INIT_NONE;
	}
	return (size_t)(d - hw->pci);
}

static void write_files(const struct init_opts *o, const struct hw *hw, struct diags *ds)
{
	struct arena a = {0};
	struct init_env env = { .snapshot_name = "hardware.yaml" };
	char *snap_path = NULL;
	const char *base = strrchr(o->out, '/');
	env.config_name = base ? base + 1 : o->out;
	env.source = o->hw.snapshot ? arena_printf(&a, "the snapshot %s", o->hw.snapshot)
		     : o->hw.root ? arena_printf(&a, "the root %s", o->hw.root) : "this machine";
	read_release(o, &env, &a);
	read_kernel(hw, o, &env, &a);
	read_user(&env);
	size_t gpu = o->gpu ? find_gpu(hw, o->gpu, ds) : INIT_NONE;
	struct init_pick pick;
	struct buf yaml = {0}, snap = {0};
	char *tmp_snap = NULL, *tmp_cfg = NULL;
	int dirfd = -1;  /* the folder of both files (snap_path is beside o->out) */
	bool keep_snap = false, reuse = false;
	if (diags_has_errors(ds) || !file_snapshot_text(hw, &snap, ds))
		goto out;
	/* Replacing a config with --force replaces the snapshot beside it too (a new probe of
	 * the same host); a new config never takes over another one's snapshot. */
	struct stat cst;
	if (o->force && stat(o->out, &cst) == 0)
		snap_path = beside(o->out, "hardware.yaml");
	else
		snap_path = choose_snapshot(o->out, o->hw.snapshot, &snap, &reuse);
	env.snapshot_name = file_base(snap_path);
	/* --hardware names the file itself, or one with the same content, beside the config. */
	keep_snap = reuse || (o->hw.snapshot && same_file(o->hw.snapshot, snap_path));
	init_pick(hw, gpu, &pick);
	init_yaml(hw, &pick, &env, &yaml);
	init_pick_free(&pick);
	if (!self_check(o->out, &yaml, hw, ds) || (dirfd = file_folder(o->out, ds)) < 0)
		goto out;
	static const char init_hint[] = "init writes a config and its snapshot as files: name a "
					"file with -o";
	bool snap_fits = keep_snap || file_replaceable(dirfd, snap_path, init_hint, ds);
	if (!file_replaceable(dirfd, o->out, init_hint, ds) || !snap_fits)
		goto out;
	if (!o->force) {
		/* Both asked before either answer counts: both files are named when both exist. */
		bool snap_there = !keep_snap && refuse_existing(dirfd, snap_path, ds);
		bool cfg_there = refuse_existing(dirfd, o->out, ds);
		if (snap_there || cfg_there)
			goto out;
	}
	if ((!keep_snap && !(tmp_snap = file_stage(dirfd, snap_path, &snap, ds))) ||
	    !(tmp_cfg = file_stage(dirfd, o->out, &yaml, ds)))
		goto out;
	bool snap_done = keep_snap || publish(dirfd, tmp_snap, snap_path, o->force, ds);
	free(tmp_snap);
	tmp_snap = NULL;  /* renamed or removed by publish */
	if (!snap_done)
		goto out;
	bool cfg_done = publish(dirfd, tmp_cfg, o->out, o->force, ds);
	free(tmp_cfg);
	tmp_cfg = NULL;
	if (!cfg_done) {
		if (!keep_snap && !o->force)
			unlinkat(dirfd, file_base(snap_path), 0);  /* it was new: leave nothing half done */
		goto out;
	}
	fsync(dirfd);  /* the new names reach the disk */
	if (keep_snap)
		printf("wrote %s; it names the snapshot %s, which is there already with this hardware\n",
		       o->out, snap_path);
	else
		printf("wrote %s and %s\n", o->out, snap_path);
	printf("next: vfioc check %s\n", o->out);
out:
	if (tmp_snap)
		unlinkat(dirfd, tmp_snap, 0);  /* still there after a failure */
	if (tmp_cfg)
		unlinkat(dirfd, tmp_cfg, 0);
	if (dirfd >= 0)
		close(dirfd);
	free(tmp_snap);
	free(tmp_cfg);
	free(snap_path);
	buf_free(&yaml);
	buf_free(&snap);
	arena_free(&a);
}

static int run(int argc, char **argv)
{
	struct init_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc != EXIT_OK)
		return rc;
	struct diags *ds = diags_new();
	struct hw *hw = o.hw.snapshot ? hw_load_snapshot(o.hw.snapshot, ds)
		       : hw_probe(o.hw.root ? o.hw.root : "/", ds);
	if (hw)
		write_files(&o, hw, ds);
	hw_free(hw);
	rc = cli_finish(ds, o.fmt, false);
	diags_free(ds);
	return rc;
}

const struct command cmd_init = {
	"init", "write a starter config and its hardware snapshot for this host",
	"Reads the hardware and writes a config that passes 'vfioc check' on it, with a comment\n"
	"on each choice, and beside it the snapshot 'hardware.yaml' (as 'vfioc probe' writes it):\n"
	"  - target: on NixOS the release of /etc/os-release, else for Arch, Debian, Ubuntu,\n"
	"    Fedora and their derivatives (ID, ID_LIKE) the family, with the initramfs generator\n"
	"    and boot loader installed; other systems get the newest NixOS release vfioc\n"
	"    supports. target.kernel: the series of the running kernel\n"
	"  - host.iommu from the CPU vendor; display-drivers: the drivers of the GPUs that stay\n"
	"    on the host; users: $SUDO_USER, else $USER\n"
	"  - one VM with the best GPU: not the boot GPU when another can go, with every function\n"
	"    of its slot and every endpoint of its IOMMU group, each with its 'id:' guard. When no\n"
	"    GPU can be passed (one GPU only, groups shared with the host's disk or network, the\n"
	"    IOMMU off) the VM has no devices and the comments say why and what to do.\n\n",
	options,
	"Both files are written whole or not at all; an existing hardware.yaml of the same\n"
	"hardware is reused, one of other hardware kept (the new snapshot is NAME.hardware.yaml).\n"
	"Exit status: 0 written, 1 a file exists (without --force) or --gpu names no device,\n"
	"2 bad command line, 3 the hardware could not be read or a file not written.\n"
	"Example: vfioc init -o host.yaml && vfioc check host.yaml\n",
	.run = run,
};
