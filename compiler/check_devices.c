/* check_devices.c: the rules for each passed PCI device on its own: passed to two VMs, the
 * host's own disk or network, the boot GPU, no reset method. Which device each entry names,
 * and entries listed twice or naming a bridge or platform function, are resolve.c's. */
#include <string.h>

#include "compiler/check.h"

/* A device another VM claimed first (its owner): only one of them can run at a time. */
static void check_shared(const struct check_ctx *cx, size_t vm, const struct cfg_pci *e, size_t i)
{
	size_t other = cx->res.owner[i];
	if (other == vm)
		return;
	const struct cfg_vm *a = &cx->cfg->vms[other], *b = &cx->cfg->vms[vm];
	bool both = a->autostart.v && b->autostart.v;
	char addr[PCI_ADDR_STRLEN];
	pci_addr_fmt(&cx->hw->pci[i].addr, addr);
	struct diag *d = diag_emit(cx->ds, both ? D_DEVICE_SHARED_AUTOSTART : D_DEVICE_SHARED,
				   &e->loc, "%s is passed to VM '%s' and to VM '%s'%s", addr,
				   a->name, b->name, both ? ", which both autostart" : "");
	diag_note(d, &cx->res.owner_entry[i]->loc, "also passed to VM '%s' here", a->name);
	if (both)
		diag_hint(d, "only one of them can hold the device: set 'autostart: false' on one");
	else
		diag_hint(d, "only one of these VMs can run at a time");
}

/* The host runs on this device: its mounted file systems or swap (error), or its default
 * route. NixOS mounts every fileSystems entry at boot and stops in emergency mode when one
 * without nofail is missing (systemd's local-fs.target requires it). */
static void check_host_use(const struct check_ctx *cx, const struct cfg_pci *e, const struct hw_pci *dev)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&dev->addr, a);
	if (hw_may_leave(dev, NULL) == HW_STAYS_HOST_FS) {
		struct diag *d = diag_emit(cx->ds, D_HOST_DISK, &e->loc,
					   "%s holds what the host has mounted or swaps to: %s", a,
					   dev->host_fs);
		diag_hint(d, "the host would lose them when the VM starts, and a NixOS host whose "
			  "fileSystems entry is missing stops in emergency mode at the next boot: pass "
			  "another disk or controller; or unmount them, take them out of fileSystems "
			  "and swapDevices, and run 'vfioc probe' again");
	}
	if (dev->host_route) {
		struct diag *d = diag_emit(cx->ds, D_HOST_NETWORK, &e->loc,
					   "%s carries the host's default route (%s): the host loses "
					   "its network when the VM starts", a, dev->host_route);
		diag_hint(d, "give the VM a virtual NIC on the host's bridge instead, or move the "
			  "host's route to another interface first");
	}
}

/* Whether host.kernel-params holds NAME=VALUE, or NAME=a,VALUE,b when list is set. */
static const struct cfg_str *kernel_param(const struct cfg_strlist *kp, const char *name,
					  const char *value, bool list)
{
	size_t n = strlen(name), vn = strlen(value);
	for (size_t i = 0; i < kp->n; i++) {
		const char *p = kp->v[i].v;
		if (strncmp(p, name, n) != 0 || p[n] != '=')
			continue;
		for (p += n + 1;; p++) {
			size_t len = list ? strcspn(p, ",") : strlen(p);
			if (len == vn && strncmp(p, value, vn) == 0)
				return &kp->v[i];
			p += len;
			if (*p != ',')
				break;
		}
	}
	return NULL;
}

/* The GPUs that stay on the host, other than dev: one to name, and how many. */
static size_t host_gpus(const struct check_ctx *cx, const struct hw_pci *dev,
			const struct hw_pci **first)
{
	size_t n = 0;
	*first = NULL;
	for (size_t i = 0; i < cx->hw->npci; i++) {
		const struct hw_pci *g = &cx->hw->pci[i];
		if (g == dev || !hw_is_gpu(g) || g->is_vf || cx->res.owner[i] != NO_VM)
			continue;
		if (!*first || g->boot_vga == 0)
			*first = g;
		n++;
	}
	return n;
}

/* The firmware's framebuffer sits in the boot GPU's memory: sysfb_init registers it for
 * efifb, or for simpledrm on kernels built with CONFIG_SYSFB_SIMPLEFB (NixOS's), so
 * initcall_blacklist=sysfb_init frees the GPU on every kernel and video=efifb:off only
 * where efifb drives it. */
static void boot_gpu(const struct check_ctx *cx, const struct cfg_pci *e, const struct hw_pci *dev)
{
	const struct cfg_strlist *kp = &cx->cfg->host.kernel_params;
	if (kernel_param(kp, "initcall_blacklist", "sysfb_init", true))
		return;
	const struct cfg_str *efifb = kernel_param(kp, "video", "efifb:off", false);
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&dev->addr, a);
	struct diag *d = diag_emit(cx->ds, D_BOOT_GPU, &e->loc,
				   "%s is the GPU the firmware boots on (boot_vga=1): the host's "
				   "framebuffer holds it", a);
	if (efifb)
		diag_note(d, &efifb->loc, "video=efifb:off stops efifb only: the kernel's simpledrm "
			  "takes the same framebuffer through sysfb");
	const struct hw_pci *other;
	size_t others = host_gpus(cx, dev, &other);
	if (others) {
		char o[PCI_ADDR_STRLEN];
		pci_addr_fmt(&other->addr, o);
		diag_hint(d, "best: make %s%s%s%s the primary GPU in the firmware setup (or swap the "
			  "slots); the host keeps its console there", o,
			  other->device_name ? " (" : "", other->device_name ? other->device_name : "",
			  other->device_name ? ")" : "");
	} else {
		diag_hint(d, "this is the only GPU the host keeps, so no other can be made primary: "
			  "while it is passed the host has no display (reach it over the network)");
	}
	diag_hint(d, "%sadd to host.kernel-params: \"initcall_blacklist=sysfb_init\"%s (the host "
		  "then has no console on this GPU)", others ? "else " : "",
		  efifb ? "" : " and \"video=efifb:off\"");
}

static void check_reset(const struct check_ctx *cx, const struct cfg_pci *e, const struct hw_pci *dev)
{
	/* NULL: the kernel did not say (no reset_method file); only an empty list is known. */
	if (!dev->reset_methods || dev->reset_methods[0])
		return;
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&dev->addr, a);
	struct diag *d = diag_emit(cx->ds, D_NO_RESET, &e->loc,
				   "%s has no reset method: after the VM stops it may not work "
				   "again until the host reboots", a);
	if (dev->vendor == 0x1002 && hw_is_gpu(dev))
		diag_hint(d, "AMD GPUs with the reset bug work with the vendor-reset module: "
			  "boot.extraModulePackages = [ config.boot.kernelPackages.vendor-reset ]");
	else
		diag_hint(d, "pass it only if the VM can live with that, or use another device");
}

static void run_devices(const struct check_ctx *cx)
{
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->res.vms[vm].n; k++) {
			const struct rdev *r = &cx->res.vms[vm].dev[k];
			check_shared(cx, vm, r->entry, r->hw);
			check_host_use(cx, r->entry, &cx->hw->pci[r->hw]);
			check_reset(cx, r->entry, &cx->hw->pci[r->hw]);
		}
}

/* The GPUs the host keeps are those no VM claims (cx->res.owner). */
static void run_boot_gpu(const struct check_ctx *cx)
{
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->res.vms[vm].n; k++)
			/* single-gpu: taking the boot GPU from the host is the point; the hooks hand
			 * it over when the VM starts and back when it stops. */
			if (cx->hw->pci[cx->res.vms[vm].dev[k].hw].boot_vga == 1 &&
			    !cx->cfg->vms[vm].single_gpu.v)
				boot_gpu(cx, cx->res.vms[vm].dev[k].entry,
					 &cx->hw->pci[cx->res.vms[vm].dev[k].hw]);
}

/* Whether block device name is leaf, or the disk leaf is a partition of: "nvme1n1" for
 * "nvme1n1p2", "sda" for "sda3". */
static bool same_disk(const char *name, const char *leaf, size_t n)
{
	size_t len = strlen(name);
	if (len > n || strncmp(name, leaf, len) != 0)
		return false;
	const char *rest = leaf + len, *end = leaf + n;
	if (rest < end && *rest == 'p' && len && name[len - 1] >= '0' && name[len - 1] <= '9')
		rest++;
	if (rest == leaf + len + 1 && rest == end)
		return false;  /* "nvme1n1p" */
	for (; rest < end; rest++)
		if (*rest < '0' || *rest > '9')
			return false;
	return true;
}

/* The device whose host_fs names block device name (or a partition of it), or NULL; its
 * use in *use ("/boot (nvme1n1p1)" as one item). */
static const struct hw_pci *host_block(const struct hw *hw, const char *name, struct buf *use)
{
	for (size_t i = 0; i < hw->npci; i++) {
		const char *l = hw->pci[i].host_fs;
		for (const char *p = l; p && *p;) {
			const char *open = strstr(p, " ("), *close = open ? strchr(open, ')') : NULL;
			if (!close)
				break;
			for (const char *q = open + 2; q < close;) {
				size_t n = strcspn(q, ",)");
				if (same_disk(name, q, n)) {
					buf_printf(use, "%.*s", (int)(close + 1 - p), p);
					return &hw->pci[i];
				}
				q += n + (q[n] == ',' ? 2 : 1);
			}
			p = close[1] ? close + 3 : close + 1;
		}
	}
	return NULL;
}

/* A disk path that is a block device the host uses: the VM would write under a mounted
 * file system or the swap. (By-id and mapper names are not in the snapshot: not judged.) */
static void run_host_blocks(const struct check_ctx *cx)
{
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->cfg->vms[vm].ndisks; k++) {
			const struct cfg_disk *disk = &cx->cfg->vms[vm].disks[k];
			const char *path = disk->path.v;
			if (!path || strncmp(path, "/dev/", 5) != 0 || strchr(path + 5, '/'))
				continue;
			struct buf use = {0};
			const struct hw_pci *d = host_block(cx->hw, path + 5, &use);
			if (d) {
				char a[PCI_ADDR_STRLEN];
				pci_addr_fmt(&d->addr, a);
				struct diag *e = diag_emit(cx->ds, D_HOST_BLOCK_DEVICE, &disk->path.loc,
							   "%s holds what the host has mounted or swaps "
							   "to: %s, on %s", path, buf_str(&use), a);
				diag_hint(e, "give the VM another disk, or unmount it on the host (and "
					  "take it out of fileSystems and swapDevices) and run 'vfioc "
					  "probe' again");
			}
			buf_free(&use);
		}
}

const struct check check_devices = { "devices", run_devices, NEEDS_HW };
const struct check check_host_blocks = { "host-blocks", run_host_blocks, NEEDS_HW };
const struct check check_boot_gpu = { "boot-gpu", run_boot_gpu, NEEDS_HW };
