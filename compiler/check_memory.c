/* check_memory.c: the hugepage reservation and VM memory against the host: a page size the
 * CPU has, enough reserved pages for the VMs that use them, nothing above the host's RAM. */
#include "check.h"

uint64_t check_hugepage_kib(enum hugepage_size s)
{
	return s == HUGEPAGE_1G ? 1048576 : 2048;
}

static bool size_supported(const struct hw *hw, uint64_t kib)
{
	if (kib == 1048576 && !hw->cpu_pdpe1gb)
		return false;
	if (!hw->nhugepage)   /* unknown: trust the CPU flag */
		return true;
	for (size_t i = 0; i < hw->nhugepage; i++)
		if (hw->hugepage_kib[i] == kib)
			return true;
	return false;
}

static void check_size(struct check_ctx *cx, const struct cfg_hugepages *hp)
{
	uint64_t kib = check_hugepage_kib((enum hugepage_size)hp->size.v);
	if (size_supported(cx->hw, kib))
		return;
	struct diag *d = diag_emit(cx->ds, D_HUGEPAGE_SIZE, &hp->size.loc,
				   "this host does not support %s hugepages%s",
				   hugepage_size_name((enum hugepage_size)hp->size.v),
				   kib == 1048576 && !cx->hw->cpu_pdpe1gb ? " (the CPU lacks pdpe1gb)" : "");
	diag_hint(d, "use 'size: 2M' (count: %llu for the same memory)",
		  (unsigned long long)(hp->count.v * (kib / 2048)));
}

/* The sum of hugepage-backed VM memory against the reservation; notes name each VM. */
static void check_short(struct check_ctx *cx, const struct cfg_hugepages *hp, uint64_t kib)
{
	uint64_t need_mib = 0, have_mib = hp->count.v * (kib / 1024);
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		if (cx->cfg->vms[i].hugepages.v)
			need_mib += cx->cfg->vms[i].memory.v;
	if (need_mib <= have_mib)
		return;
	struct diag *d = diag_emit(cx->ds, D_HUGEPAGES_SHORT, &hp->count.loc,
				   "%llu hugepages of %s reserve %llu MiB, but the VMs backed by them "
				   "need %llu MiB", (unsigned long long)hp->count.v,
				   hugepage_size_name((enum hugepage_size)hp->size.v),
				   (unsigned long long)have_mib, (unsigned long long)need_mib);
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		if (vm->hugepages.v)
			diag_note(d, &vm->memory.loc, "VM '%s' needs %llu MiB here", vm->name,
				  (unsigned long long)vm->memory.v);
	}
	uint64_t page_mib = kib / 1024;
	diag_hint(d, "reserve 'count: %llu'", (unsigned long long)((need_mib + page_mib - 1) / page_mib));
}

static void check_over_host(struct check_ctx *cx, const struct cfg_hugepages *hp, uint64_t kib)
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

void check_memory(struct check_ctx *cx)
{
	const struct cfg_hugepages *hp = &cx->cfg->host.hugepages;
	uint64_t kib = check_hugepage_kib((enum hugepage_size)hp->size.v);
	if (LOC_SET(hp->loc)) {
		check_size(cx, hp);
		check_short(cx, hp, kib);
	}
	if (cx->hw->mem_total_kib)
		check_over_host(cx, hp, kib);
}
