/* check_fixture.h: hardware built by hand for the check and plan unit tests, so they run
 * without test roots: a few devices, CPUs, and a config from text. */
#ifndef VFIOC_CHECK_FIXTURE_H
#define VFIOC_CHECK_FIXTURE_H

#include <string.h>

#include "compiler/pipeline.h"
#include "harness.h"
#include "hw/hw.h"

#define FIX_MAX_PCI 64

/* Every model and plan these tests make must keep the invariants (hw_check, plan_check):
 * the two wrappers below stand in for hw_finish and check_and_plan in every test that
 * includes this file, and print "FAIL" lines through the harness when one is broken. */
static void fix_checked_hw(struct hw *hw)
{
	OK(hw_check(hw, stdout) == 0, "hw_check: the model keeps its invariants");
}

static struct plan *fix_checked_plan(struct plan *p)
{
	if (p)
		OK(plan_check(p, stdout) == 0, "plan_check: the plan keeps its invariants");
	return p;
}
#define hw_finish(hw) (hw_finish(hw), fix_checked_hw(hw))
#define check_and_plan(cfg, hw, outdir, ds) fix_checked_plan(check_and_plan(cfg, hw, outdir, ds))

static struct hw *fix_hw(enum cpu_vendor vendor, unsigned ncpus, bool smt)
{
	struct hw *hw = hw_new("fixture");
	hw->iommu_present = true;
	hw->cpu_vendor = vendor;
	hw->cpu_vmx = vendor == CPU_INTEL;
	hw->cpu_svm = vendor == CPU_AMD;
	hw->cpu_pdpe1gb = true;
	hw->mem_total_kib = 32ull * 1024 * 1024;
	hw->hugepage_kib = arena_alloc(&hw->arena, 2 * sizeof(uint64_t));
	hw->hugepage_kib[0] = 2048;
	hw->hugepage_kib[1] = 1048576;
	hw->nhugepage = 2;
	hw->cpus = arena_alloc(&hw->arena, ncpus * sizeof(*hw->cpus));
	for (unsigned i = 0; i < ncpus; i++) {
		struct hw_cpu *c = &hw->cpus[i];
		c->id = i;
		c->core_id = (int)(smt ? i % (ncpus / 2) : i);
		c->siblings.n = smt ? 2 : 1;
		c->siblings.cpu = arena_alloc(&hw->arena, 2 * sizeof(unsigned));
		c->siblings.cpu[0] = i;
		c->siblings.cpu[1] = (i + ncpus / 2) % ncpus;
	}
	hw->ncpus = ncpus;
	hw->pci = arena_alloc(&hw->arena, FIX_MAX_PCI * sizeof(*hw->pci));
	return hw;
}

/* The kernel module of a driver, as tests/mkroot.py has it: NULL for built-in pcieport. */
static const char *fix_module(const char *driver)
{
	if (!driver || !strcmp(driver, "pcieport"))
		return NULL;
	if (!strcmp(driver, "nvidia-gpu"))
		return "i2c_nvidia_gpu";
	if (!strcmp(driver, "xhci_hcd"))
		return "xhci_pci";
	return driver;
}

/* A device: address, ID, 24-bit class, group (-1 none), driver (NULL none; its module from
 * fix_module), boot_vga, reset methods (NULL unknown, "" none). */
static void fix_pci(struct hw *hw, const char *addr, uint16_t ven, uint16_t dev, uint32_t cls,
		    int group, const char *driver, int boot_vga, const char *reset, const char *name)
{
	struct hw_pci *d = &hw->pci[hw->npci++];
	memset(d, 0, sizeof(*d));
	pci_addr_parse(addr, &d->addr);
	d->vendor = ven;
	d->device = dev;
	d->class = cls;
	d->iommu_group = group;
	d->driver = driver;
	d->driver_module = fix_module(driver);
	d->boot_vga = boot_vga;
	d->reset_methods = reset;
	d->numa_node = d->header_type = -1;  /* the class decides */
	d->device_name = name;
	d->class_name = (cls >> 16) == 3 ? "VGA compatible controller" :
			(cls >> 16) == 6 ? "PCI bridge" : (cls >> 16) == 4 ? "Audio device" :
			"Non-Volatile memory controller";
}

/* The seed host (tests/roots/seed.desc, examples/seed): the devices that matter. */
static struct hw *fix_seed(void)
{
	struct hw *hw = fix_hw(CPU_INTEL, 12, true);
	fix_pci(hw, "00:00.0", 0x8086, 0x3ec2, 0x060000, 0, NULL, -1, NULL, "Host Bridge");
	fix_pci(hw, "00:01.0", 0x8086, 0x1901, 0x060400, 1, "pcieport", -1, "", "x16 port");
	fix_pci(hw, "00:02.0", 0x8086, 0x3e92, 0x030000, 2, "i915", 1, "flr bus", "UHD 630");
	fix_pci(hw, "00:1b.0", 0x8086, 0xa340, 0x060400, 5, "pcieport", -1, "", "Root Port 17");
	fix_pci(hw, "01:00.0", 0x1002, 0x67b0, 0x030000, 1, "radeon", 0, "bus", "R9 290X");
	fix_pci(hw, "01:00.1", 0x1002, 0xaac8, 0x040300, 1, "snd_hda_intel", -1, "bus", "Hawaii HDMI");
	fix_pci(hw, "02:00.0", 0x144d, 0xa80a, 0x010802, 8, "nvme", -1, "flr", "PM9A1");
	fix_pci(hw, "03:00.0", 0x144d, 0xa808, 0x010802, 9, "nvme", -1, "flr", "SM981");
	hw_finish(hw);
	return hw;
}

static struct config *fix_config(const char *text, struct diags *ds)
{
	return config_load_mem("test.yaml", text, strlen(text), ds);
}

#endif
