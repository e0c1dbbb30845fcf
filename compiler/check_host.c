/* check_host.c: whether the config's `host.iommu` contradicts the IOMMU parameter the CPU
 * calls for (resolve.c decides which one the host gets). */
#include "compiler/check.h"

static const char *vendor_word(enum cpu_vendor v)
{
	return v == CPU_INTEL ? "Intel" : v == CPU_AMD ? "AMD" : "unknown";
}

static void run(const struct check_ctx *cx)
{
	const struct cfg_enum *mode = &cx->cfg->host.iommu;
	enum cpu_vendor cpu = cx->hw->cpu_vendor;
	enum iommu_mode want = hw_cpu_iommu(cpu);
	if ((mode->v != IOMMU_INTEL && mode->v != IOMMU_AMD) || cpu == CPU_UNKNOWN ||
	    want == cx->res.iommu)
		return;
	struct diag *d = diag_emit(cx->ds, D_IOMMU_MISMATCH, &mode->loc,
				   "host.iommu is '%s', but the CPU of this host is %s",
				   iommu_mode_name(cx->res.iommu), vendor_word(cpu));
	diag_hint(d, "write 'iommu: %s', or 'iommu: auto' to follow the hardware",
		  iommu_mode_name(want));
}

const struct check check_host = { "host", run, NEEDS_HW };
