/* check_media.c: the files a VM's disks and CD-ROMs name are there, or `virsh start` fails
 * ("Cannot access storage file"). Only where the host's files are at hand, on the live host
 * or a test root (hw->root); a snapshot says nothing about them. Warnings: the image and
 * the ISOs may well come after the build, but before the first start. And, from the config
 * alone, a libvirt-xml edit that names a firmware file the target NixOS release does not
 * link into /run/libvirt/nix-ovmf. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check.h"
#include "model/media.h"
#include "model/release.h"

static const char *what_is(enum hw_file f)
{
	return f == HW_FILE_MISSING ? "does not exist" : "is not a file or block device";
}

static void placeholder_note(struct diag *d, const char *path)
{
	if (strstr(path, MEDIA_PLACEHOLDER))
		diag_note(d, NULL, MEDIA_PLACEHOLDER " marks a path `vfioc init` wrote for you to "
			  "replace");
}

static void check_disk(const struct check_ctx *cx, const struct cfg_vm *vm,
		       const struct cfg_disk *dk)
{
	const char *path = dk->path.v;
	enum hw_file f = hw_host_file(cx->hw, path);
	bool block = !strncmp(path, "/dev/", 5);
	if (f == HW_FILE_UNKNOWN || f == HW_FILE_REGULAR || f == HW_FILE_BLOCK)
		return;
	struct diag *d = diag_emit(cx->ds, D_DISK_MISSING, &dk->path.loc,
				   "%s %s of VM '%s' %s on this host: virsh start would fail",
				   block ? "block device" : "disk image", path, vm->name, what_is(f));
	placeholder_note(d, path);
	if (f != HW_FILE_MISSING) {
		diag_hint(d, "name the image itself: a folder or special file is there");
		return;
	}
	struct buf h = {0};
	media_disk_hint(&h, disk_format_name((enum disk_format)dk->format.v), path);
	diag_hint(d, "%s", buf_str(&h));
	buf_free(&h);
}

static void check_iso(const struct check_ctx *cx, const struct cfg_vm *vm,
		      const struct cfg_disk *dk)
{
	const char *path = dk->cdrom.v;
	if (!strcmp(path, CDROM_EMPTY))
		return;
	enum hw_file f = hw_host_file(cx->hw, path);
	if (f == HW_FILE_UNKNOWN || f == HW_FILE_REGULAR || f == HW_FILE_BLOCK)
		return;
	struct diag *d = diag_emit(cx->ds, D_ISO_MISSING, &dk->cdrom.loc,
				   "ISO %s of VM '%s' %s on this host: virsh start would fail", path,
				   vm->name, what_is(f));
	placeholder_note(d, path);
	struct buf h = {0};
	media_iso_hint(&h, path);
	diag_hint(d, "%s", buf_str(&h));
	buf_free(&h);
}

static void run(const struct check_ctx *cx)
{
	if (!cx->hw->root)
		return;
	for (size_t v = 0; v < cx->cfg->nvms; v++) {
		const struct cfg_vm *vm = &cx->cfg->vms[v];
		for (size_t i = 0; i < vm->ndisks; i++) {
			const struct cfg_disk *dk = &vm->disks[i];
			if (dk->cdrom.v)
				check_iso(cx, vm, dk);
			else if (dk->path.v)
				check_disk(cx, vm, dk);
		}
	}
}

const struct check check_media = { "media", run, NEEDS_HW };

/* A libvirt-xml edit naming NIXOS_OVMF_DIR/FILE where the release puts no such file: an OVMF
 * path carried over from 25.05 to 25.11, where libvirt picks QEMU's edk2 images instead. */
static void check_ovmf_edit(const struct check_ctx *cx, const struct cfg_vm *vm,
			    const struct cfg_str *edit)
{
	const char *dir = strstr(edit->v, NIXOS_OVMF_DIR "/");
	if (!dir)
		return;
	const char *name = dir + sizeof(NIXOS_OVMF_DIR);
	size_t len = strcspn(name, "/'\" <>");
	enum nixos_release r = (enum nixos_release)cx->cfg->target.nixos.v;
	char *file = xstrndup(name, len);
	if (len && !release_ships_ovmf_file(r, file)) {
		struct diag *d = diag_emit(cx->ds, D_OVMF_NOT_SHIPPED, &edit->loc,
					   "VM '%s': NixOS %s puts no %s in " NIXOS_OVMF_DIR ": virsh "
					   "start would fail", vm->name, nixos_release_name(r), file);
		diag_hint(d, "%s", release_has_ovmf(r)
			  ? "up to 25.05 it links its OVMF build there: OVMF_CODE.fd, OVMF_VARS.fd "
			    "(OVMF_VARS.ms.fd with host.libvirt.ovmf.ms-keys); or drop the edit and let "
			    "vfioc write the firmware"
			  : "from 25.11 it links QEMU's edk2 images there (edk2-x86_64-secure-code.fd, "
			    "edk2-i386-vars.fd) and libvirt picks them itself: drop the edit and let "
			    "vfioc write the firmware");
	}
	free(file);
}

static void run_ovmf(const struct check_ctx *cx)
{
	if (cx->cfg->target.family.v != FAMILY_NIXOS)
		return;
	for (size_t v = 0; v < cx->cfg->nvms; v++)
		for (size_t i = 0; i < cx->cfg->vms[v].libvirt_xml.n; i++)
			check_ovmf_edit(cx, &cx->cfg->vms[v], &cx->cfg->vms[v].libvirt_xml.v[i]);
}

const struct check check_ovmf_files = { "ovmf-files", run_ovmf, CONFIG_ONLY };
