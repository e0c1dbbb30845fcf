/* distro_libvirt.c: the libvirt side of root/ and root.apply for hosts other than NixOS:
 * qemu.conf settings, the hook scripts, kvmfr and the Looking Glass and Scream files, users
 * in the libvirt group, and the domains to define. */
#include <stdlib.h>
#include <string.h>

#include "backends/distro.h"
#include "backends/emit.h"
#include "backends/hook_scripts.h"
#include "backends/hostconf.h"

/* The group whose members manage libvirt's system instance without a password: libvirt's
 * polkit rule names `libvirt` (src/remote/libvirtd.rules), and Arch, Debian and Fedora
 * create it with the daemon's package. */
#define LIBVIRT_GROUP "libvirt"

/* libvirt reads qemu.conf whole, with no drop-in folder (src/qemu/qemu_conf.c loads the one
 * file), so each setting is a conf-set step on the distribution's own file. */
static bool qemu_conf(struct tree *t)
{
	if (!hostconf_qemu_conf_wanted(t->p))
		return false;
	struct buf conf = {0};
	hostconf_qemu_conf(&conf, t->p, true);
	for (char *line = conf.s, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *eq = strstr(line, " = ");
		if (eq)
			buf_printf(&t->edits, "conf-set etc/libvirt/qemu.conf %.*s %s\n",
				   (int)(eq - line), line, eq + 3);
	}
	buf_free(&conf);
	return true;
}

/* libvirt (6.5 and later) runs every executable file of /etc/libvirt/hooks/qemu.d as
 * `SCRIPT DOMAIN OPERATION SUB-OPERATION`; it finds new ones when the daemon starts. */
static bool hooks(struct tree *t)
{
	const struct plan *p = t->p;
	bool any = false;
	if (hooks_single_gpu_wanted(p)) {
		struct buf *b = tree_file(t, "etc/libvirt/hooks/qemu.d/vfioc-single-gpu", "0755",
					  "#!/bin/sh");
		hooks_single_gpu(p, b);
		any = true;
	}
	if (hooks_isolation_wanted(p)) {
		struct buf *b = tree_file(t, "etc/libvirt/hooks/qemu.d/vfioc-isolate-cpus", "0755",
					  "#!/bin/sh");
		hooks_isolation(p, b);
		any = true;
	}
	return any;
}

/* Looking Glass through kvmfr (built by the distribution's looking-glass DKMS package): its
 * size options, loaded at boot (modules-load.d), its device readable by the user and QEMU. */
static void kvmfr(struct tree *t)
{
	const struct plan *p = t->p;
	if (!p->nkvmfr)
		return;
	struct buf sizes = {0};
	hostconf_kvmfr_sizes(&sizes, p);
	struct buf *b = tree_file(t, "etc/modprobe.d/kvmfr.conf", "0644", NULL);
	buf_printf(b, "#\n# Looking Glass: one kvmfr device per VM that uses it, in config order (MiB).\n"
		      "options kvmfr static_size_mb=%s\n", buf_str(&sizes));
	b = tree_file(t, "etc/modules-load.d/kvmfr.conf", "0644", NULL);
	buf_puts(b, "#\n# Looking Glass: load kvmfr at boot.\nkvmfr\n");
	b = tree_file(t, "etc/udev/rules.d/99-kvmfr.rules", "0644", NULL);
	buf_puts(b, "#\n# Looking Glass: /dev/kvmfrN for the user and QEMU's group.\n");
	hostconf_kvmfr_rule(b, p);
	buf_free(&sizes);
}

/* tmpfiles.d(5): the /dev/shm files of Looking Glass and Scream, created at boot and, by the
 * regenerate step, now. */
static void shm_files(struct tree *t)
{
	const struct plan *p = t->p;
	struct arena a = {0};
	struct plan_strlist rules;
	hostconf_looking_glass_rules(&rules, p, &a);
	size_t nscream = 0;
	for (size_t i = 0; i < p->nvms; i++)
		nscream += p->vms[i].audio == AUDIO_SCREAM;
	if (rules.n || nscream) {
		struct buf *b = tree_file(t, "etc/tmpfiles.d/vfioc.conf", "0644", NULL);
		buf_puts(b, "#\n# Shared memory files, readable by the user and by QEMU's group.\n");
		for (size_t i = 0; i < rules.n; i++)
			buf_printf(b, "%s\n", rules.v[i]);
		for (size_t i = 0; i < p->nvms; i++)
			if (p->vms[i].audio == AUDIO_SCREAM)
				buf_printf(b, "f /dev/shm/scream-ivshmem-%s 0660 %s %s -\n",
					   p->vms[i].name, hostconf_first_user(p),
					   hostconf_qemu_group(p));
		tree_regen(t, "systemd-tmpfiles --create /etc/tmpfiles.d/vfioc.conf");
	}
	for (size_t i = 0; i < p->nvms; i++)
		if (p->vms[i].audio == AUDIO_SCREAM)
			buf_printf(&t->notes, "# VM %s plays its sound through Scream: run its receiver as "
				   "%s, `scream -m /dev/shm/scream-ivshmem-%s`.\n", p->vms[i].name,
				   hostconf_first_user(p), p->vms[i].name);
	arena_free(&a);
}

void distro_libvirt(struct tree *t)
{
	const struct plan *p = t->p;
	kvmfr(t);
	shm_files(t);
	if (!p->libvirt_enable)
		return;
	bool restart = qemu_conf(t);
	restart |= hooks(t);
	for (size_t i = 0; i < p->users.n; i++)
		buf_printf(&t->edits, "group " LIBVIRT_GROUP " %s\n", p->users.v[i]);
	for (size_t i = 0; p->define_domains && i < p->nvms; i++)
		buf_printf(&t->edits, "domain %s domains/%s.xml %s\n", p->vms[i].name,
			   p->vms[i].name, p->vms[i].autostart ? "yes" : "no");
	/* Fedora runs libvirt's modular daemons (virtqemud), the others libvirtd. */
	if (restart)
		tree_regen(t, p->family == FAMILY_FEDORA ? "systemctl try-restart virtqemud.service"
							 : "systemctl try-restart libvirtd.service");
}
