/* hw/pages.c: the hugepage sizes of x86-64 and which of them a host can reserve. The
 * config, the checks, the plan and verify all take a page size from here. */
#include "hw/hw.h"

uint64_t hw_hugepage_kib(enum hugepage_size s)
{
	return s == HUGEPAGE_1G ? HW_PAGE_1G_KIB : HW_PAGE_2M_KIB;
}

bool hw_hugepage_supported(const struct hw *hw, uint64_t kib)
{
	if (kib == HW_PAGE_1G_KIB && !hw->cpu_pdpe1gb)
		return false;
	if (!hw->nhugepage)   /* unknown: trust the CPU flag */
		return true;
	for (size_t i = 0; i < hw->nhugepage; i++)
		if (hw->hugepage_kib[i] == kib)
			return true;
	return false;
}
