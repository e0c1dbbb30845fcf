/* check_memory.c: the hugepage reservation and VM memory against the host: a page size the
 * CPU has, enough reserved pages for the VMs that use them, nothing above the host's RAM, a
 * floor of RAM left to the host, and the VMs that start at boot within what it has. */
#include "compiler/check.h"

static void check_size(const struct check_ctx *cx, const struct cfg_hugepages *hp)
{
	uint64_t kib = hw_hugepage_kib((enum hugepage_size)hp->size.v);
	if (hw_hugepage_supported(cx->hw, kib))
		return;
	struct diag *d = diag_emit(cx->ds, D_HUGEPAGE_SIZE, &hp->size.loc,
				   "this host does not support %s hugepages%s",
				   hugepage_size_name((enum hugepage_size)hp->size.v),
				   kib == HW_PAGE_1G_KIB && !cx->hw->cpu_pdpe1gb ? " (the CPU lacks pdpe1gb)" : "");
	diag_hint(d, "use 'size: 2M' (count: %llu for the same memory)",
		  (unsigned long long)(hp->count.v * (kib / HW_PAGE_2M_KIB)));
}

/* QEMU backs each VM's RAM with whole pages: a VM takes its memory rounded up to the page
 * size, so the reservation is counted in pages per VM, never in summed MiB. */
static uint64_t vm_pages(const struct cfg_vm *vm, uint64_t page_mib)
{
	return (vm->memory.v + page_mib - 1) / page_mib;
}

/* The pages the hugepage-backed VMs take against the reservation; notes name each VM. */
static void check_short(const struct check_ctx *cx, const struct cfg_hugepages *hp, uint64_t kib)
{
	uint64_t page_mib = kib / 1024, need = 0;
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		if (cx->cfg->vms[i].hugepages.v)
			need += vm_pages(&cx->cfg->vms[i], page_mib);
	if (need <= hp->count.v)
		return;
	const char *size = hugepage_size_name((enum hugepage_size)hp->size.v);
	struct diag *d = diag_emit(cx->ds, D_HUGEPAGES_SHORT, &hp->count.loc,
				   "%llu hugepages of %s are reserved, but the VMs backed by them "
				   "take %llu", (unsigned long long)hp->count.v, size,
				   (unsigned long long)need);
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		if (!vm->hugepages.v)
			continue;
		uint64_t n = vm_pages(vm, page_mib);
		if (n * page_mib == vm->memory.v)
			diag_note(d, &vm->memory.loc, "VM '%s' takes %llu pages (%llu MiB) here",
				  vm->name, (unsigned long long)n, (unsigned long long)vm->memory.v);
		else
			diag_note(d, &vm->memory.loc, "VM '%s' takes %llu pages here: its %llu MiB "
				  "rounded up to whole %s pages", vm->name, (unsigned long long)n,
				  (unsigned long long)vm->memory.v, size);
	}
	diag_hint(d, "reserve 'count: %llu'", (unsigned long long)need);
}

static void check_over_host(const struct check_ctx *cx, const struct cfg_hugepages *hp, uint64_t kib)
{
	uint64_t host_mib = cx->hw->mem_total_kib / 1024;
	if (LOC_SET(hp->loc) && hp->count.v > cx->hw->mem_total_kib / kib)
		diag_emit(cx->ds, D_MEMORY_OVER_HOST, &hp->count.loc,
			  "%llu hugepages of %s are more than the host's %llu MiB of RAM",
			  (unsigned long long)hp->count.v,
			  hugepage_size_name((enum hugepage_size)hp->size.v),
			  (unsigned long long)host_mib);
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		if (vm->memory.v > host_mib)
			diag_emit(cx->ds, D_MEMORY_OVER_HOST, &vm->memory.loc,
				  "VM '%s' has %llu MiB of memory, more than the host's %llu MiB",
				  vm->name, (unsigned long long)vm->memory.v,
				  (unsigned long long)host_mib);
	}
}

/* What a boot-time reservation must leave the host: the larger of 2 GiB and 10% of its
 * RAM. Hugepages reserved at boot are never given back, whether or not a VM runs; what is
 * left runs the kernel, systemd, the desktop or services, libvirtd, each QEMU's own memory
 * beside guest RAM (its code, the device models, VFIO's bookkeeping), the page cache for
 * the disk images, and nixos-rebuild's evaluation (1 to 1.5 GiB on its own), the way back
 * from a bad config. 2 GiB is that for a small host; the 10% keeps headroom in proportion
 * on bigger ones, which run more VMs and services. Below it the kernel's OOM killer ends
 * the host's services or the VMs. vfioc's choice, documented at host.hugepages. */
#define HOST_FLOOR_MIN_KIB (2048ULL * 1024)
#define HOST_FLOOR_PERCENT 10

static uint64_t host_floor_kib(uint64_t total_kib)
{
	uint64_t part = total_kib / 100 * HOST_FLOOR_PERCENT;
	return part > HOST_FLOOR_MIN_KIB ? part : HOST_FLOOR_MIN_KIB;
}

static void check_floor(const struct check_ctx *cx, const struct cfg_hugepages *hp, uint64_t kib)
{
	uint64_t total = cx->hw->mem_total_kib, floor = host_floor_kib(total);
	if (hp->count.v > total / kib || total - hp->count.v * kib >= floor)
		return;   /* above the RAM: memory-over-host */
	uint64_t left = total - hp->count.v * kib, max = total > floor ? (total - floor) / kib : 0;
	const char *size = hugepage_size_name((enum hugepage_size)hp->size.v);
	struct diag *d = diag_emit(cx->ds, D_HUGEPAGES_HOST_FLOOR, &hp->count.loc,
				   "%llu hugepages of %s leave the host %llu MiB of its %llu MiB, "
				   "less than the %llu MiB it keeps for itself",
				   (unsigned long long)hp->count.v, size, (unsigned long long)(left / 1024),
				   (unsigned long long)(total / 1024), (unsigned long long)(floor / 1024));
	diag_note(d, NULL, "hugepages are reserved at boot and never given back, even while no "
		  "VM runs; the host keeps the larger of 2 GiB and %d%% of its RAM for the kernel, "
		  "its services, QEMU beside guest RAM and nixos-rebuild", HOST_FLOOR_PERCENT);
	if (max)
		diag_hint(d, "reserve at most 'count: %llu' (%llu MiB), and give the VMs backed "
			  "by hugepages that much memory or less", (unsigned long long)max,
			  (unsigned long long)(max * kib / 1024));
	else
		diag_hint(d, "this host has too little RAM for a reservation of %s pages: remove "
			  "host.hugepages and 'hugepages: true' from the VMs", size);
}

/* A VM with passed devices pins all of its RAM (VFIO maps it for the devices' DMA), so
 * none of it can be swapped out: VMs that start together at boot must fit in what the host
 * has, beside the reservation when they are not backed by it (those: hugepages-short).
 * One VM larger than the host alone is memory-over-host's. */
static void check_autostart(const struct check_ctx *cx, const struct cfg_hugepages *hp, uint64_t kib)
{
	uint64_t total = cx->hw->mem_total_kib / 1024, reserved = 0, need = 0;
	bool pages = LOC_SET(hp->loc);
	if (pages) {
		if (hp->count.v > cx->hw->mem_total_kib / kib)
			return;   /* memory-over-host */
		reserved = hp->count.v * kib / 1024;
	}
	size_t n = 0, last = 0;
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		if (!vm->autostart.v || (pages && vm->hugepages.v))
			continue;
		if (vm->memory.v > total)
			return;   /* memory-over-host */
		need += vm->memory.v, n++, last = i;
	}
	if (n < 2 || need <= total - reserved)
		return;
	const struct cfg_vm *at = &cx->cfg->vms[last];
	struct diag *d;
	if (reserved)
		d = diag_emit(cx->ds, D_AUTOSTART_OVER_HOST, &at->autostart.loc,
			      "the %zu VMs that start at boot outside hugepages take %llu MiB "
			      "together, more than the %llu MiB the host has beside its %llu MiB of "
			      "hugepages",
			      n, (unsigned long long)need, (unsigned long long)(total - reserved),
			      (unsigned long long)reserved);
	else
		d = diag_emit(cx->ds, D_AUTOSTART_OVER_HOST, &at->autostart.loc,
			      "the %zu VMs that start at boot take %llu MiB together, more than the "
			      "host's %llu MiB of RAM", n, (unsigned long long)need,
			      (unsigned long long)total);
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		if (vm->autostart.v && !(pages && vm->hugepages.v) && i != last)
			diag_note(d, &vm->autostart.loc, "VM '%s' starts at boot with %llu MiB",
				  vm->name, (unsigned long long)vm->memory.v);
	}
	diag_note(d, NULL, "a VM with passed devices pins all its memory at start (VFIO maps "
		  "it for their DMA): the last to start fails to get it, or the OOM killer ends "
		  "a VM");
	diag_hint(d, "start fewer at boot ('autostart: false' on one) or give them less memory");
}

static void run(const struct check_ctx *cx)
{
	const struct cfg_hugepages *hp = &cx->cfg->host.hugepages;
	uint64_t kib = hw_hugepage_kib((enum hugepage_size)hp->size.v);
	if (LOC_SET(hp->loc)) {
		check_size(cx, hp);
		check_short(cx, hp, kib);
	}
	if (!cx->hw->mem_total_kib)
		return;
	check_over_host(cx, hp, kib);
	if (LOC_SET(hp->loc))
		check_floor(cx, hp, kib);
	check_autostart(cx, hp, kib);
}

const struct check check_memory = { "memory", run, NEEDS_HW };
