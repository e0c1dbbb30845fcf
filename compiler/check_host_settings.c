/* compiler/check_host_settings.c: rules for the host settings around the VMs: drivers the host blacklists
 * against the devices it keeps, qemu.conf settings against run-as-root, the user whose sound
 * server VMs play into, and single-gpu VMs that pass no GPU. (The CPUs isolation takes from
 * the host: check_cpu_host.c.) */
#include <stdlib.h>
#include <string.h>

#include "compiler/check.h"

/* Module names use '_' where driver names may use '-' (snd-hda-intel is snd_hda_intel). */
static bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

static bool blacklisted(const struct hw_pci *dev, const char *mod)
{
	return (dev->driver_module && same_module(dev->driver_module, mod)) ||
	       (dev->driver && same_module(dev->driver, mod));
}

/* A driver the host keeps using must not be blacklisted; one that only drives passed
 * devices may be (that is what the list is for). */
static void run_blacklist(const struct check_ctx *cx)
{
	const struct cfg_strlist *bl = &cx->cfg->host.blacklist_drivers;
	for (size_t k = 0; k < bl->n; k++) {
		struct diag *d = NULL;
		size_t shown = 0;
		for (size_t i = 0; i < cx->hw->npci; i++) {
			const struct hw_pci *dev = &cx->hw->pci[i];
			if (cx->res.owner[i] != NO_VM || !blacklisted(dev, bl->v[k].v))
				continue;
			struct buf what = {0};
			hw_pci_describe(dev, HW_DESC_FULL, &what);
			if (!d)
				d = diag_emit(cx->ds, D_BLACKLISTED_DRIVER, &bl->v[k].loc,
					      "host.blacklist-drivers lists '%s', which drives a "
					      "device that stays on the host", bl->v[k].v);
			if (shown++ < 4)
				diag_note(d, NULL, "%s", buf_str(&what));
			buf_free(&what);
		}
		if (d)
			diag_hint(d, "pass that device to a VM too, or keep '%s' loaded", bl->v[k].v);
	}
	const struct cfg_strlist *dd = &cx->cfg->host.display_drivers;
	for (size_t k = 0; k < bl->n; k++)
		for (size_t j = 0; j < dd->n; j++)
			if (same_module(bl->v[k].v, dd->v[j].v)) {
				struct diag *d = diag_emit(cx->ds, D_BLACKLISTED_DRIVER, &bl->v[k].loc,
							   "'%s' is both blacklisted and a host "
							   "display driver", bl->v[k].v);
				diag_note(d, &dd->v[j].loc, "display driver listed here");
			}
}

static void run_qemu_user(const struct check_ctx *cx)
{
	const struct cfg_libvirt *lv = &cx->cfg->host.libvirt;
	const struct cfg_str *set[] = { &lv->qemu_config.user, &lv->qemu_config.group };
	for (size_t i = 0; i < ARRAY_LEN(set) && lv->run_as_root.v; i++) {
		if (!set[i]->v)
			continue;
		struct diag *d = diag_emit(cx->ds, D_QEMU_USER_ROOT, &set[i]->loc,
					   "qemu-config sets the %s QEMU runs as, but run-as-root "
					   "already sets it to root", i ? "group" : "user");
		if (LOC_SET(lv->run_as_root.loc))
			diag_note(d, &lv->run_as_root.loc, "run-as-root set here");
		diag_hint(d, "add 'run-as-root: false' to host.libvirt (its default is true)");
	}
}

/* pulseaudio and pipewire play into a user's sound server, whose socket is in /run/user/UID
 * (mode 0700). PulseAudio admits only clients of its own uid, or with that user's cookie
 * (src/pulsecore/protocol-native.c, command_auth: SCM_CREDENTIALS uid == getuid(), else
 * auth-group, else the cookie), and QEMU under system libvirt has neither the session's
 * environment nor its HOME (libvirt sets HOME to the domain's directory). So QEMU must run
 * as that user, and vfioc must know its uid to name the server (libvirt.c, add_audio). */
static void audio_server(const struct check_ctx *cx, const struct cfg_vm *v)
{
	const struct cfg_libvirt *lv = &cx->cfg->host.libvirt;
	const struct cfg_qemu_config *q = &lv->qemu_config;
	const char *server = v->audio.v == AUDIO_PULSEAUDIO ? "PulseAudio" : "PipeWire";
	struct diag *d;
	if (lv->run_as_root.v || !q->user.v) {
		d = diag_emit(cx->ds, D_AUDIO_QEMU_USER, &v->audio.loc,
			      "VM '%s' plays into a user's %s server, but QEMU runs as %s, which "
			      "cannot use it", v->name, server,
			      lv->run_as_root.v ? "root (run-as-root)" : "libvirt's own user");
		if (lv->run_as_root.v && LOC_SET(lv->run_as_root.loc))
			diag_note(d, &lv->run_as_root.loc, "run-as-root set here");
		diag_hint(d, "run QEMU as the user whose session plays the sound: in host.libvirt, "
			  "'run-as-root: false' and 'qemu-config: { user: NAME, uid: UID }' "
			  "('id -u NAME' prints UID)");
		return;
	}
	if (!LOC_SET(q->uid.loc)) {
		d = diag_emit(cx->ds, D_AUDIO_UID, &v->audio.loc,
			      "VM '%s' plays into the %s server of '%s' in /run/user/UID, but "
			      "vfioc cannot know the uid of '%s' where it builds", v->name, server,
			      q->user.v, q->user.v);
		diag_note(d, &q->user.loc, "QEMU's user set here");
		diag_hint(d, "add 'uid: UID' to host.libvirt.qemu-config; 'id -u %s' on the host "
			  "prints it", q->user.v);
	}
}

static void run_audio_server(const struct check_ctx *cx)
{
	const struct cfg_qemu_config *q = &cx->cfg->host.libvirt.qemu_config;
	if (LOC_SET(q->uid.loc) && !q->user.v) {
		struct diag *d = diag_emit(cx->ds, D_KEY_REQUIRES, &q->uid.loc,
					   "qemu-config.uid is the uid of qemu-config.user, which "
					   "is not set");
		diag_hint(d, "add 'user: NAME' next to it, or remove uid");
	}
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *v = &cx->cfg->vms[i];
		if (v->audio.v == AUDIO_PULSEAUDIO || v->audio.v == AUDIO_PIPEWIRE)
			audio_server(cx, v);
	}
}

static void single_gpu(const struct check_ctx *cx, size_t vm)
{
	const struct cfg_vm *v = &cx->cfg->vms[vm];
	if (!v->single_gpu.v || cx->res.vms[vm].unresolved)
		return;
	for (size_t k = 0; k < cx->res.vms[vm].n; k++)
		if (hw_is_gpu(&cx->hw->pci[cx->res.vms[vm].dev[k].hw]))
			return;
	struct diag *d = diag_emit(cx->ds, D_SINGLE_GPU_NO_GPU, &v->single_gpu.loc,
				   "VM '%s' is single-gpu but passes no display controller: its "
				   "hooks would stop the host's display for nothing", v->name);
	diag_hint(d, "add the GPU (and its audio function) to vms.%s.pci", v->name);
}

static void run_single_gpu(const struct check_ctx *cx)
{
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		single_gpu(cx, i);
}

const struct check check_blacklist = { "blacklist", run_blacklist, NEEDS_HW };
const struct check check_qemu_user = { "qemu-user", run_qemu_user, CONFIG_ONLY };
const struct check check_audio_server = { "audio-server", run_audio_server, CONFIG_ONLY };
const struct check check_single_gpu = { "single-gpu", run_single_gpu, NEEDS_HW };
