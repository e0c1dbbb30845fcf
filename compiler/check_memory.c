/* check_memory.c: the hugepage reservation and VM memory against the host: a page size the
 * CPU has, enough reserved pages for the VMs that use them, nothing above the host's RAM. */
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

static void run(const struct check_ctx *cx)
{
	const struct cfg_hugepages *hp = &cx->cfg->host.hugepages;
	uint64_t kib = hw_hugepage_kib((enum hugepage_size)hp->size.v);
	if (LOC_SET(hp->loc)) {
		check_size(cx, hp);
		check_short(cx, hp, kib);
	}
	if (cx->hw->mem_total_kib)
		check_over_host(cx, hp, kib);
}

const struct check check_memory = { "memory", run, NEEDS_HW };
