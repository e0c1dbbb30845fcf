/* check_host.c: host-wide facts: which IOMMU parameter the CPU calls for, and whether the
 * config's `host.iommu` contradicts it. */
#include "compiler/check.h"

static const char *vendor_word(enum cpu_vendor v)
{
	return v == CPU_INTEL ? "Intel" : v == CPU_AMD ? "AMD" : "unknown";
}

static void run(struct check_ctx *cx)
{
	const struct cfg_enum *mode = &cx->cfg->host.iommu;
	enum cpu_vendor cpu = cx->hw->cpu_vendor;
	enum iommu_mode want = cpu == CPU_INTEL ? IOMMU_INTEL : cpu == CPU_AMD ? IOMMU_AMD
						     : IOMMU_OFF;
	switch ((enum iommu_mode)mode->v) {
	case IOMMU_AUTO:
		cx->iommu = want;   /* unknown vendor: no parameter rather than a wrong one */
		return;
	case IOMMU_INTEL:
	case IOMMU_AMD:
		cx->iommu = (enum iommu_mode)mode->v;
		break;
	default:
		cx->iommu = IOMMU_OFF;
		return;
	}
	if (cpu == CPU_UNKNOWN || want == cx->iommu)
		return;
	struct diag *d = diag_emit(cx->ds, D_IOMMU_MISMATCH, &mode->loc,
				   "host.iommu is '%s', but the CPU of this host is %s",
				   iommu_mode_name(cx->iommu), vendor_word(cpu));
	diag_hint(d, "write 'iommu: %s', or 'iommu: auto' to follow the hardware",
		  iommu_mode_name(want));
}

const struct check check_host = { "host", run, NEEDS_HW };
