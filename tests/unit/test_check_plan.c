/* test_check_plan.c: the plan of the seed config on the seed hardware, field by field:
 * binding, the kernel parameter list, initrd modules, softdeps, guest layout, identities. */
#include <stdio.h>

#include "check_fixture.h"
#include "harness.h"

static const char seed[] =
	"version: 1\n"
	"target: { nixos: \"25.05\" }\n"
	"host:\n"
	"  iommu: auto\n"
	"  display-drivers: [i915]\n"
	"  users: [myUser]\n"
	"  libvirt: { swtpm: true, ovmf: { secure-boot: true, tpm: true } }\n"
	"vms:\n"
	"  win10:\n"
	"    memory: 16GiB\n"
	"    vcpus: 8\n"
	"    secure-boot: true\n"
	"    tpm: true\n"
	"    pci: [\"01:00.0\", \"01:00.1\", \"144d:a80a\"]\n";

static char *joined(const struct plan_strlist *l)
{
	static char out[1024];
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", l->v[i]);
	return out;
}

static void test_seed_host(const struct plan *p)
{
	INT_EQ(p->strategy, STRATEGY_IDS, "seed: ids binding");
	STR_EQ(joined(&p->vfio_ids), "1002:67b0 1002:aac8 144d:a80a", "seed: vfio ids in address order");
	STR_EQ(joined(&p->kernel_params), "intel_iommu=on vfio-pci.ids=1002:67b0,1002:aac8,144d:a80a",
	       "seed: kernel parameters");
	STR_EQ(joined(&p->initrd_modules), "vfio_pci vfio vfio_iommu_type1 i915",
	       "seed: initrd modules (6.12: no vfio_virqfd)");
	STR_EQ(joined(&p->softdep_drivers), "i915 nvme radeon snd_hda_intel", "seed: softdeps sorted");
	STR_EQ(p->kernel_series, "6.12", "seed: 25.05 boots 6.12");
	INT_EQ(p->iommu, IOMMU_INTEL, "seed: iommu auto resolves to intel");
	OK(p->swtpm, "seed: swtpm");
	STR_EQ(joined(&p->users), "myUser", "seed: users");
	STR_EQ(p->config_rel, "test.yaml", "seed: config_rel without outdir is the base name");
}

static void test_seed_vm(const struct plan *p)
{
	INT_EQ(p->nvms, 1, "seed: one VM");
	const struct plan_vm *vm = &p->vms[0];
	INT_EQ(vm->ndevs, 3, "seed: three devices");
	INT_EQ(vm->devs[0].guest_bus, 1, "gpu on guest bus 1");
	INT_EQ(vm->devs[0].guest_func, 0, "gpu is function 0");
	OK(vm->devs[0].guest_multifunction, "gpu slot is multifunction");
	INT_EQ(vm->devs[1].guest_bus, 1, "audio shares the gpu's guest bus");
	INT_EQ(vm->devs[1].guest_func, 1, "audio is function 1");
	INT_EQ(vm->devs[2].guest_bus, 2, "nvme on its own guest bus");
	OK(!vm->devs[2].guest_multifunction, "nvme slot not multifunction");
	INT_EQ(vm->sockets * vm->cores * vm->threads, 8, "topology product is vcpus");
	INT_EQ(vm->threads, 2, "derived topology uses SMT");
	INT_EQ(vm->memory_kib, 16ull * 1024 * 1024, "memory in KiB");
	INT_EQ(vm->uuid[6] >> 4, 8, "uuid version 8");
	INT_EQ(vm->uuid[8] >> 6, 2, "uuid variant 10");
	OK(vm->mac[0] == 0x52 && vm->mac[1] == 0x54 && vm->mac[2] == 0, "mac prefix 52:54:00");
	OK(vm->hyperv_vendor_id && strlen(vm->hyperv_vendor_id) <= 12, "hyperv vendor id <= 12");
}

static void test_stable_identity(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_seed();
	struct config *c1 = fix_config(seed, ds), *c2 = fix_config(seed, ds);
	struct plan *a = check_and_plan(c1, hw, NULL, ds), *b = check_and_plan(c2, hw, NULL, ds);
	OK(a && b && memcmp(a->vms[0].uuid, b->vms[0].uuid, 16) == 0, "uuid stable across runs");
	OK(a && b && memcmp(a->vms[0].mac, b->vms[0].mac, 6) == 0, "mac stable across runs");
	plan_free(a);
	plan_free(b);
	config_free(c1);
	config_free(c2);
	hw_free(hw);
	diags_free(ds);
}

int main(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_seed();
	struct config *cfg = fix_config(seed, ds);
	OK(cfg != NULL, "seed config loads");
	struct plan *p = cfg ? check_and_plan(cfg, hw, NULL, ds) : NULL;
	OK(p != NULL, "seed checks clean");
	INT_EQ(diags_count(ds, SEV_WARNING) + diags_count(ds, SEV_ERROR), 0, "seed: no diagnostics");
	if (p) {
		test_seed_host(p);
		test_seed_vm(p);
	}
	plan_free(p);
	config_free(cfg);
	hw_free(hw);
	diags_free(ds);
	test_stable_identity();
	HARNESS_END();
}
