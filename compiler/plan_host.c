/* plan_host.c: the host-wide part of the plan: how devices are bound, the one kernel
 * parameter list (outputs.md order), initrd modules, softdeps, and the host settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/plan_parts.h"
#include "model/release.h"

struct strvec {
	const char **v;
	size_t n, cap;
};

static void push(struct strvec *s, const char *str)
{
	VEC_PUSH(s->v, s->n, s->cap) = str;
}

/* Move a vector into the plan's arena. */
static struct plan_strlist freeze(struct plan *p, struct strvec *s)
{
	struct plan_strlist l = { arena_array(&p->arena, s->n, sizeof(char *)), s->n };
	for (size_t i = 0; i < s->n; i++)
		l.v[i] = arena_strdup(&p->arena, s->v[i]);
	free(s->v);
	*s = (struct strvec){0};
	return l;
}

static int cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	return a < b ? -1 : a > b;
}

/* Boot-bound devices of every VM, in address order (hw->pci order), each once. */
static size_t *boot_devices(const struct check_ctx *cx, size_t *n)
{
	size_t *v = NULL, cap = 0;
	*n = 0;
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->res.vms[vm].n; k++)
			if (cx->res.vms[vm].dev[k].entry->bind.v == PCI_BIND_BOOT)
				VEC_PUSH(v, *n, cap) = cx->res.vms[vm].dev[k].hw;
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_size);
	size_t out = 0;
	for (size_t i = 0; i < *n; i++)
		if (out == 0 || v[out - 1] != v[i])
			v[out++] = v[i];
	*n = out;
	return v;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* "vvvv:dddd" of each device into v, in address order, each ID once (a sorted copy marks
 * those already written, so this stays n log n). Strings from a. */
static void vfio_ids(const struct hw *hw, const size_t *dev, size_t n, struct arena *a,
		     struct strvec *v)
{
	uint32_t *seen = xmalloc_array(n, sizeof(*seen));
	bool *done = xcalloc(n, sizeof(*done));
	for (size_t i = 0; i < n; i++)
		seen[i] = (uint32_t)hw->pci[dev[i]].vendor << 16 | hw->pci[dev[i]].device;
	if (n > 1)
		qsort(seen, n, sizeof(*seen), cmp_u32);
	for (size_t i = 0; i < n; i++) {
		uint32_t key = (uint32_t)hw->pci[dev[i]].vendor << 16 | hw->pci[dev[i]].device;
		size_t at = (size_t)((uint32_t *)bsearch(&key, seen, n, sizeof(*seen), cmp_u32) - seen);
		while (at > 0 && seen[at - 1] == key)   /* one flag per ID: the first copy's */
			at--;
		if (!done[at])
			push(v, arena_printf(a, "%04x:%04x", key >> 16, key & 0xffff));
		done[at] = true;
	}
	free(seen);
	free(done);
}

/* The IDs joined into "vfio-pci.ids=a,b", or NULL when there are none. malloc'd. */
static char *ids_param(const struct plan_strlist *ids)
{
	if (!ids->n)
		return NULL;
	struct buf b = {0};
	buf_puts(&b, "vfio-pci.ids=");
	for (size_t i = 0; i < ids->n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", ids->v[i]);
	return b.s;
}

static void binding(struct plan *p, const struct check_ctx *cx, char **ids)
{
	size_t n, *dev = boot_devices(cx, &n);
	p->strategy = cx->res.bind == BIND_DRIVER_OVERRIDE ? STRATEGY_DRIVER_OVERRIDE : STRATEGY_IDS;
	p->strategy_reason = arena_strdup(&p->arena, cx->res.bind_reason ? cx->res.bind_reason : "");
	*ids = NULL;
	if (p->strategy == STRATEGY_IDS) {
		struct strvec v = {0};
		vfio_ids(cx->hw, dev, n, &p->arena, &v);
		p->vfio_ids = freeze(p, &v);
		*ids = ids_param(&p->vfio_ids);
	} else {
		p->override_addrs = arena_array(&p->arena, n, sizeof(struct pci_addr));
		for (size_t i = 0; i < n; i++)
			p->override_addrs[i] = cx->hw->pci[dev[i]].addr;
		p->noverride = n;
	}
	free(dev);
}

static void hugepage_params(struct plan *p, struct strvec *v, struct arena *tmp)
{
	const char *sz = hugepage_size_name(p->hugepage_size);
	push(v, arena_printf(tmp, "default_hugepagesz=%s", sz));
	push(v, arena_printf(tmp, "hugepagesz=%s", sz));
	push(v, arena_printf(tmp, "hugepages=%llu", (unsigned long long)p->hugepage_count));
}

static void isolation_params(const struct cfg_cpus *c, struct strvec *v, struct arena *tmp)
{
	struct buf l = {0};
	cpulist_fmt(&c->v, &l);
	static const char *const keys[] = { "isolcpus", "nohz_full", "rcu_nocbs" };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		push(v, arena_printf(tmp, "%s=%s", keys[i], buf_str(&l)));
	buf_free(&l);
}

/* outputs.md: IOMMU, iommu=pt, vfio-pci.ids, hugepages, CPU isolation, host.kernel-params. */
static void kernel_params(struct plan *p, const struct check_ctx *cx, const char *ids)
{
	const struct cfg_host *h = &cx->cfg->host;
	struct strvec v = {0};
	struct arena tmp = {0};
	if (iommu_kernel_param(p->iommu))
		push(&v, iommu_kernel_param(p->iommu));
	if (h->iommu_passthrough.v)
		push(&v, "iommu=pt");
	if (ids)
		push(&v, ids);
	if (p->has_hugepages)
		hugepage_params(p, &v, &tmp);
	if (h->isolate_cpus.v.n)
		isolation_params(&h->isolate_cpus, &v, &tmp);
	for (size_t i = 0; i < h->kernel_params.n; i++)
		push(&v, h->kernel_params.v[i].v);
	p->kernel_params = freeze(p, &v);
	arena_free(&tmp);
}

static bool any_boot_bound(const struct check_ctx *cx)
{
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->res.vms[vm].n; k++)
			if (cx->res.vms[vm].dev[k].entry->bind.v == PCI_BIND_BOOT)
				return true;
	return false;
}

/* The vfio modules only when some device is bound at boot: with every device `bind:
 * managed`, libvirt loads vfio-pci itself when a VM starts. */
static void initrd_modules(struct plan *p, const struct check_ctx *cx)
{
	struct strvec v = {0};
	if (any_boot_bound(cx)) {
		push(&v, "vfio_pci");
		push(&v, "vfio");
		push(&v, "vfio_iommu_type1");  /* vfio_virqfd: the module decides (nixos.c) */
	}
	for (size_t i = 0; i < cx->cfg->host.display_drivers.n; i++)
		push(&v, cx->cfg->host.display_drivers.v[i].v);
	p->initrd_modules = freeze(p, &v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Display drivers (module names in the config) and the modules of the current drivers of
 * boot-bound devices, sorted, each once; none when no device is bound at boot (a `bind:
 * managed` device keeps its driver until libvirt detaches it). modprobe's softdep takes
 * module names, not the driver names of sysfs (nvidia-gpu is i2c_nvidia_gpu, xhci_hcd is
 * xhci_pci); a built-in driver (no module) cannot be ordered by modprobe and is left out,
 * and vfio-pci itself too. */
static void softdeps(struct plan *p, const struct check_ctx *cx)
{
	struct strvec v = {0};
	if (!any_boot_bound(cx)) {
		p->softdep_drivers = freeze(p, &v);
		return;
	}
	for (size_t i = 0; i < cx->cfg->host.display_drivers.n; i++)
		push(&v, cx->cfg->host.display_drivers.v[i].v);
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++)
		for (size_t k = 0; k < cx->res.vms[vm].n; k++) {
			const char *mod = cx->hw->pci[cx->res.vms[vm].dev[k].hw].driver_module;
			if (cx->res.vms[vm].dev[k].entry->bind.v != PCI_BIND_BOOT)
				continue;
			if (mod && strcmp(mod, "vfio_pci") && strcmp(mod, "vfio-pci"))
				push(&v, mod);
		}
	if (v.n > 1)
		qsort(v.v, v.n, sizeof(*v.v), cmp_str);
	size_t out = 0;
	for (size_t i = 0; i < v.n; i++)
		if (out == 0 || strcmp(v.v[out - 1], v.v[i]))
			v.v[out++] = v.v[i];
	v.n = out;
	p->softdep_drivers = freeze(p, &v);
}

static void settings(struct plan *p, const struct check_ctx *cx)
{
	const struct cfg_host *h = &cx->cfg->host;
	struct strvec users = {0};
	for (size_t i = 0; i < h->users.n; i++)
		push(&users, h->users.v[i].v);
	p->users = freeze(p, &users);
	p->virt_manager = h->virt_manager.v;
	p->spice_usb_redirection = h->spice_usb_redirection.v;
	p->libvirt_enable = h->libvirt.enable.v;
	p->qemu_package = (enum qemu_package)h->libvirt.qemu_package.v;
	p->run_as_root = h->libvirt.run_as_root.v;
	bool any_tpm = false;
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		any_tpm |= cx->cfg->vms[i].tpm.v;
	p->swtpm = LOC_SET(h->libvirt.swtpm.loc) ? h->libvirt.swtpm.v : any_tpm;
	p->ovmf_secure_boot = h->libvirt.ovmf.secure_boot.v;
	p->ovmf_tpm = h->libvirt.ovmf.tpm.v;
	p->ovmf_ms_keys = p->ovmf_secure_boot && h->libvirt.ovmf.ms_keys.v;
	p->define_domains = h->libvirt.define_domains.v;
	p->delete_removed_state = h->libvirt.delete_removed_state.v;
	p->has_hugepages = LOC_SET(h->hugepages.loc);
	p->hugepage_size = (enum hugepage_size)h->hugepages.size.v;
	p->hugepage_count = h->hugepages.count.v;
}

/* libvirt's default cgroup_device_acl (qemu.conf): setting the list replaces it. */
static const char *const default_acl[] = { "/dev/null", "/dev/full", "/dev/zero", "/dev/random",
	"/dev/urandom", "/dev/ptmx", "/dev/kvm", "/dev/userfaultfd" };

/* qemu.conf (verbatimConfig) and the kvmfr devices: the ACL is written when the config
 * lists devices or a VM uses kvmfr (/dev/kvmfrN, N in VM order). */
static void qemu_config(struct plan *p, const struct check_ctx *cx)
{
	const struct cfg_qemu_config *q = &cx->cfg->host.libvirt.qemu_config;
	p->qemu_user = q->user.v ? arena_strdup(&p->arena, q->user.v) : NULL;
	p->qemu_group = q->group.v ? arena_strdup(&p->arena, q->group.v) : NULL;
	p->qemu_uid = q->uid.v;
	p->qemu_namespaces = q->namespaces.v;
	p->qemu_namespaces_written = LOC_SET(q->namespaces.loc);
	size_t nvms = cx->cfg->nvms, kvmfr = 0;
	p->kvmfr_mib = arena_array(&p->arena, nvms, sizeof(*p->kvmfr_mib));
	for (size_t i = 0; i < nvms; i++) {
		const struct cfg_looking_glass *lg = &cx->cfg->vms[i].looking_glass;
		kvmfr += LOC_SET(lg->loc) && lg->device.v == LG_KVMFR;
	}
	struct strvec v = {0};
	struct arena tmp = {0};
	if (q->cgroup_device_acl.n || kvmfr) {
		for (size_t i = 0; i < ARRAY_LEN(default_acl); i++)
			push(&v, default_acl[i]);
		for (size_t i = 0; i < kvmfr; i++)
			push(&v, arena_printf(&tmp, "/dev/kvmfr%zu", i));
		for (size_t i = 0; i < q->cgroup_device_acl.n; i++)
			push(&v, q->cgroup_device_acl.v[i].v);
	}
	p->cgroup_device_acl = freeze(p, &v);
	arena_free(&tmp);
}

/* host.isolate-cpus-while-running and the host's CPUs to give back; nixos-extra. */
static void runtime_and_extra(struct plan *p, const struct check_ctx *cx)
{
	const struct cfg_host *h = &cx->cfg->host;
	struct strvec bl = {0};
	for (size_t i = 0; i < h->blacklist_drivers.n; i++)
		push(&bl, h->blacklist_drivers.v[i].v);
	p->blacklist_drivers = freeze(p, &bl);
	const struct cpulist *c = &h->isolate_cpus_while_running.v;
	p->isolate_running = arena_array(&p->arena, c->n, sizeof(unsigned));
	if (c->n)
		memcpy(p->isolate_running, c->cpu, c->n * sizeof(unsigned));
	p->nisolate_running = c->n;
	p->host_cpus = arena_array(&p->arena, cx->hw->ncpus, sizeof(unsigned));
	for (size_t i = 0; i < cx->hw->ncpus; i++)
		p->host_cpus[i] = cx->hw->cpus[i].id;
	p->nhost_cpus = cx->hw->ncpus;
	const struct cfg_nixattrs *x = &h->nixos_extra;
	p->nixos_extra = arena_array(&p->arena, x->n, sizeof(*p->nixos_extra));
	p->nnixos_extra = x->n;
	for (size_t i = 0; i < x->n; i++) {
		struct plan_nixattr *a = &p->nixos_extra[i];
		a->npath = x->v[i].npath;
		a->path = arena_alloc(&p->arena, a->npath * sizeof(char *));
		for (size_t k = 0; k < a->npath; k++)
			a->path[k] = arena_strdup(&p->arena, x->v[i].path[k]);
		a->value = x->v[i].value;
		a->value.str = a->value.str ? arena_strdup(&p->arena, a->value.str) : NULL;
		if (a->value.kind == NIX_LIST) {
			a->value.items = arena_array(&p->arena, a->value.nitems, sizeof(*a->value.items));
			for (size_t k = 0; k < a->value.nitems; k++) {
				a->value.items[k] = x->v[i].value.items[k];
				if (a->value.items[k].str)
					a->value.items[k].str = arena_strdup(&p->arena, a->value.items[k].str);
			}
		}
	}
}

/* The initramfs generator a family uses unless the config names another: Arch's mkinitcpio,
 * Debian's and Ubuntu's initramfs-tools, Fedora's dracut. */
static enum initramfs family_initramfs(enum family f)
{
	return f == FAMILY_DEBIAN ? INITRAMFS_TOOLS : f == FAMILY_FEDORA ? INITRAMFS_DRACUT
								: INITRAMFS_MKINITCPIO;
}

/* "6.8" of "6.8.0-45-generic"; NULL when r does not start with MAJOR.MINOR. */
static const char *series_of(const char *r, struct arena *a)
{
	unsigned major, minor;
	int n = 0;
	if (!r || sscanf(r, "%u.%u%n", &major, &minor, &n) != 2 || n <= 0)
		return NULL;
	return arena_printf(a, "%u.%u", major, minor);
}

/* The target: NixOS's release and its default kernel; another family's initramfs generator
 * and boot loader, and the kernel of target.kernel or else the hardware's running one. */
static void target(struct plan *p, const struct check_ctx *cx)
{
	const struct cfg_target *t = &cx->cfg->target;
	p->family = (enum family)t->family.v;
	p->nixos = (enum nixos_release)t->nixos.v;
	p->nixos_name = release_is_newer(t->nixos.written)
		? arena_strdup(&p->arena, t->nixos.written) : nixos_release_name(p->nixos);
	if (p->family == FAMILY_NIXOS) {
		p->kernel_series = arena_strdup(&p->arena, t->kernel.v ? t->kernel.v
								: release_default_kernel(p->nixos));
	} else {
		p->initramfs = LOC_SET(t->initramfs.loc) ? (enum initramfs)t->initramfs.v
							 : family_initramfs(p->family);
		p->bootloader = (enum bootloader)t->bootloader.v;
		p->kernel_series = t->kernel.v ? arena_strdup(&p->arena, t->kernel.v)
					       : series_of(cx->hw->kernel_release, &p->arena);
	}
}

void plan_host(struct plan *p, const struct check_ctx *cx)
{
	target(p, cx);
	p->iommu = cx->res.iommu;
	settings(p, cx);
	char *ids;
	binding(p, cx, &ids);
	kernel_params(p, cx, ids);
	free(ids);
	initrd_modules(p, cx);
	softdeps(p, cx);
	qemu_config(p, cx);
	runtime_and_extra(p, cx);
}
