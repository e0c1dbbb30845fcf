/* test_check_plan.c: the plan of the seed config on the seed hardware, field by field:
 * binding, the kernel parameter list, initrd modules, softdeps, guest layout, identities. */
#include <stdio.h>

#include "check_fixture.h"
#include "compiler/check.h"
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
	       "seed: initrd modules (vfio_virqfd: the module decides)");
	STR_EQ(joined(&p->softdep_drivers), "i915 nvme radeon snd_hda_intel", "seed: softdeps sorted");
	STR_EQ(p->kernel_series, "6.12", "seed: 25.05 boots 6.12");
	INT_EQ(p->iommu, IOMMU_INTEL, "seed: iommu auto resolves to intel");
	OK(p->swtpm, "seed: swtpm");
	STR_EQ(joined(&p->users), "myUser", "seed: users");
	STR_EQ(p->config_rel, "test.yaml", "seed: config_rel without outdir is the base name");
}

/* plan_check names what is broken: a topology that is not vcpus, two devices on one guest
 * slot, a device twice. p is restored. */
static void test_plan_check_finds(struct plan *p)
{
	struct plan_vm *vm = &p->vms[0];
	unsigned threads = vm->threads;
	vm->threads += 1;
	OK(plan_check(p, NULL) == 1, "plan_check: sockets x cores x threads != vcpus found");
	vm->threads = threads;
	unsigned slot = vm->devs[1].guest_slot, bus = vm->devs[1].guest_bus, fn = vm->devs[1].guest_func;
	vm->devs[1].guest_bus = vm->devs[0].guest_bus;
	vm->devs[1].guest_slot = vm->devs[0].guest_slot;
	vm->devs[1].guest_func = vm->devs[0].guest_func;
	OK(plan_check(p, NULL) == 1, "plan_check: two devices on one guest slot found");
	vm->devs[1].guest_bus = bus;
	vm->devs[1].guest_slot = slot;
	vm->devs[1].guest_func = fn;
	struct pci_addr a = vm->devs[1].addr;
	vm->devs[1].addr = vm->devs[0].addr;
	OK(plan_check(p, NULL) >= 1, "plan_check: a device twice found");
	vm->devs[1].addr = a;
	INT_EQ(plan_check(p, NULL), 0, "plan_check: restored plan is whole again");
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


/* Two identical GTX 1080 (twin-gpu root): the host keeps 01:00.*, the VM gets 04:00.*. */
static struct hw *fix_twin(void)
{
	struct hw *hw = fix_hw(CPU_INTEL, 8, false);
	fix_pci(hw, "00:01.0", 0x8086, 0x1901, 0x060400, 1, "pcieport", -1, "", "x16 port");
	fix_pci(hw, "00:1c.4", 0x8086, 0xa294, 0x060400, 9, "pcieport", -1, "", "Root Port 5");
	fix_pci(hw, "01:00.0", 0x10de, 0x1b80, 0x030000, 1, "nvidia", 1, "bus", "GTX 1080");
	fix_pci(hw, "01:00.1", 0x10de, 0x10f0, 0x040300, 1, "snd_hda_intel", -1, "bus", "GP104 HDA");
	fix_pci(hw, "04:00.0", 0x10de, 0x1b80, 0x030000, 9, "nvidia", 0, "bus", "GTX 1080");
	fix_pci(hw, "04:00.1", 0x10de, 0x10f0, 0x040300, 9, "snd_hda_intel", -1, "bus", "GP104 HDA");
	hw_finish(hw);
	return hw;
}

static struct plan *plan_of(const char *text, struct hw *hw, struct diags *ds)
{
	struct config *cfg = fix_config(text, ds);
	struct plan *p = cfg ? check_and_plan(cfg, hw, NULL, ds) : NULL;
	config_free(cfg);   /* the plan owns its strings: it must outlive the config */
	return p;
}

static void test_twin_override(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_twin();
	struct plan *p = plan_of("version: 1\nvms:\n  w:\n    memory: 4GiB\n    vcpus: 3\n"
				 "    pci: [\"04:00.0\", \"04:00.1\"]\n", hw, ds);
	OK(p != NULL, "twin: auto plans");
	INT_EQ(diags_count(ds, SEV_NOTE), 1, "twin: one note says why");
	if (p) {
		INT_EQ(p->strategy, STRATEGY_DRIVER_OVERRIDE, "twin: driver-override");
		INT_EQ(p->vfio_ids.n, 0, "twin: no vfio ids");
		INT_EQ(p->noverride, 2, "twin: both functions by address");
		INT_EQ(p->override_addrs[0].bus, 4, "twin: the guest card's address");
		OK(strstr(p->strategy_reason, "0000:01:00.0") != NULL, "twin: reason names the host card");
		STR_EQ(joined(&p->kernel_params), "intel_iommu=on", "twin: no vfio-pci.ids parameter");
		INT_EQ(p->vms[0].threads, 1, "odd vcpus: one thread per core");
		INT_EQ(p->vms[0].cores, 3, "odd vcpus: a core per vCPU");
	}
	plan_free(p);
	diags_free(ds);
	ds = diags_new();
	p = plan_of("version: 1\nhost: { bind: ids }\nvms:\n  w:\n    memory: 4GiB\n    vcpus: 2\n"
		    "    pci: [\"04:00.0\", \"04:00.1\"]\n", hw, ds);
	OK(p == NULL, "twin: bind ids is refused");
	INT_EQ(diags_count(ds, SEV_ERROR), 2, "twin: one error per colliding ID");
	plan_free(p);
	diags_free(ds);
	hw_free(hw);
}

/* The resolve stage alone decides what the plan reads, before and without any check: the
 * twin's binding, each VM's devices, their owner; what it decides is reported by checks. */
static void test_resolve_alone(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_twin();
	struct config *cfg = fix_config("version: 1\nhost: { iommu: auto }\nvms:\n  w:\n"
					"    memory: 4GiB\n    vcpus: 2\n"
					"    pci: [\"04:00.1\", \"04:00.0\"]\n", ds);
	struct resolved r;
	if (cfg)
		resolve(&r, cfg, hw, ds);
	OK(cfg != NULL, "resolve: config loads");
	if (cfg) {
		INT_EQ(r.iommu, IOMMU_INTEL, "resolve: auto on an Intel CPU");
		INT_EQ(r.bind, BIND_DRIVER_OVERRIDE, "resolve: the twin moves binding to addresses");
		OK(r.switched && r.switched->twin == 2, "resolve: the clash names the host's 01:00.0");
		INT_EQ(r.vms[0].n, 2, "resolve: both entries name devices");
		OK(r.vms[0].n == 2 && r.vms[0].dev[0].hw == 4 && r.vms[0].dev[1].hw == 5,
		   "resolve: a VM's devices in address order");
		OK(r.owner[4] == 0 && r.owner[2] == NO_VM, "resolve: owners");
		INT_EQ(diags_count(ds, SEV_NOTE), 0, "resolve: the switch is reported by a check");
		resolved_fini(&r, cfg->nvms);
	}
	config_free(cfg);
	diags_free(ds);
	hw_free(hw);
}

static const char features[] =
	"version: 1\n"
	"target: { nixos: \"24.05\", kernel: \"6.1\" }\n"
	"host:\n"
	"  iommu-passthrough: true\n"
	"  hugepages: { size: 1G, count: 8 }\n"
	"  isolate-cpus: \"8-11,2-5\"\n"
	"  kernel-params: [quiet]\n"
	"  display-drivers: [i915]\n"
	"vms:\n"
	"  w:\n"
	"    memory: 8GiB\n"
	"    vcpus: 4\n"
	"    hugepages: true\n"
	"    cpu: { pin: \"2-5\", emulator-pin: \"0\", topology: { sockets: 1, cores: 4, threads: 1 } }\n"
	"    pci:\n"
	"      - 01:00.1\n"
	"      - { address: \"01:00.0\", bind: managed, rom: /var/lib/vbios/r9.rom }\n"
	"      - 02:00.0\n";

static void test_features(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_seed();
	struct plan *p = plan_of(features, hw, ds);
	OK(p != NULL, "features: plans");
	if (p) {
		STR_EQ(joined(&p->kernel_params),
		       "intel_iommu=on iommu=pt vfio-pci.ids=1002:aac8,144d:a80a "
		       "default_hugepagesz=1G hugepagesz=1G hugepages=8 "
		       "isolcpus=2-5,8-11 nohz_full=2-5,8-11 rcu_nocbs=2-5,8-11 quiet",
		       "features: every parameter, in order; managed devices not in ids");
		STR_EQ(joined(&p->initrd_modules), "vfio_pci vfio vfio_iommu_type1 i915",
		       "features: no vfio_virqfd in the plan, even for 6.1 (the module decides)");
		const struct plan_vm *vm = &p->vms[0];
		INT_EQ(vm->hugepage_kib, 1048576, "features: VM page size");
		INT_EQ(vm->npin, 4, "features: pins copied");
		INT_EQ(vm->cores, 4, "features: written topology kept");
		OK(vm->devs[0].managed && !vm->devs[1].managed, "features: managed flag per device");
		STR_EQ(vm->devs[0].rom, "/var/lib/vbios/r9.rom", "features: rom");
		INT_EQ(vm->devs[0].addr.func, 0, "features: devices in address order");
	}
	plan_free(p);
	diags_free(ds);
	hw_free(hw);
}

/* Only function 1 of a dual-port NIC passed (each port has its own group): it becomes
 * guest function 0, since a guest slot without function 0 is not scanned. */
static void test_layout_without_func0(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_hw(CPU_AMD, 4, true);
	fix_pci(hw, "05:00.0", 0x8086, 0x1521, 0x020000, 20, "igb", -1, "flr", "I350");
	fix_pci(hw, "05:00.1", 0x8086, 0x1521, 0x020000, 21, "igb", -1, "flr", "I350");
	hw_finish(hw);
	struct plan *p = plan_of("version: 1\nvms:\n  a:\n    memory: 1GiB\n    vcpus: 2\n"
				 "    pci: [\"05:00.1\"]\n", hw, ds);
	OK(p != NULL, "one port: plans");
	INT_EQ(diags_count(ds, SEV_WARNING), 0, "one port: no function-left for a NIC port");
	INT_EQ(diags_count(ds, SEV_NOTE), 2, "one port: notes: the other port stays, bind-switched");
	if (p) {
		INT_EQ(p->vms[0].devs[0].guest_func, 0, "one port: guest function 0");
		OK(!p->vms[0].devs[0].guest_multifunction, "one port: not multifunction");
		OK(p->vms[0].host_amd, "one port: AMD host");
		INT_EQ(p->vms[0].threads, 2, "one port: SMT host, even vcpus: two threads");
		INT_EQ(p->iommu, IOMMU_AMD, "one port: auto on AMD");
		INT_EQ(p->strategy, STRATEGY_DRIVER_OVERRIDE, "one port: twin port stays, by address");
	}
	plan_free(p);
	diags_free(ds);
	hw_free(hw);
}

/* The derived topology follows the pins: on 16 CPUs whose siblings are n and n+8, pins in
 * sibling pairs give two threads per core, "4-7,12-15" (vCPU 0 and 1 on separate cores)
 * gives one, and without pins an even vcpus on an SMT host still gives two. */
static void test_topology_from_pins(void)
{
	static const struct { const char *cpu; unsigned threads; const char *what; } cases[] = {
		{ "    cpu: { pin: \"4,12,5,13,6,14,7,15\" }\n", 2, "sibling pairs: two threads" },
		{ "    cpu: { pin: \"4-7,12-15\" }\n", 1, "pins not in sibling pairs: one thread" },
		{ "    cpu: { pin: \"4,4,5,13,6,14,7,15\" }\n", 1, "a CPU twice is not a pair" },
		{ "", 2, "unpinned, even, SMT: two threads" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diags *ds = diags_new();
		struct hw *hw = fix_hw(CPU_AMD, 16, true);
		hw_finish(hw);
		char text[256];
		snprintf(text, sizeof(text), "version: 1\nvms:\n  a:\n    memory: 1GiB\n"
			 "    vcpus: 8\n%s", cases[i].cpu);
		struct plan *p = plan_of(text, hw, ds);
		OK(p != NULL, cases[i].what);
		if (p) {
			INT_EQ(p->vms[0].threads, cases[i].threads, cases[i].what);
			INT_EQ(p->vms[0].cores * p->vms[0].threads, 8, cases[i].what);
		}
		plan_free(p);
		diags_free(ds);
		hw_free(hw);
	}
}

/* softdep takes module names: the Turing card's four functions (drivers nvidia,
 * snd_hda_intel, xhci_hcd, nvidia-gpu) give the modules i2c_nvidia_gpu and xhci_pci, never
 * the driver names; a built-in driver (no module) and vfio-pci give no softdep. */
static void test_softdep_modules(void)
{
	static const char cfg[] =
		"version: 1\nhost: { display-drivers: [i915] }\n"
		"vms:\n  g:\n    memory: 8GiB\n    vcpus: 4\n"
		"    pci: [\"01:00.0\", \"01:00.1\", \"01:00.2\", \"01:00.3\", \"02:00.0\", \"03:00.0\"]\n";
	struct diags *ds = diags_new();
	struct hw *hw = fix_hw(CPU_INTEL, 8, true);
	fix_pci(hw, "00:02.0", 0x8086, 0x3e92, 0x030000, 2, "i915", 1, "flr bus", "UHD 630");
	fix_pci(hw, "01:00.0", 0x10de, 0x1e84, 0x030000, 11, "nvidia", 0, "bus", "TU104");
	fix_pci(hw, "01:00.1", 0x10de, 0x10f8, 0x040300, 11, "snd_hda_intel", -1, "bus", "TU104 HDA");
	fix_pci(hw, "01:00.2", 0x10de, 0x1ad8, 0x0c0330, 11, "xhci_hcd", -1, "bus", "TU104 USB");
	fix_pci(hw, "01:00.3", 0x10de, 0x1ad9, 0x0c8000, 11, "nvidia-gpu", -1, "bus", "TU104 UCSI");
	fix_pci(hw, "02:00.0", 0x144d, 0xa80a, 0x010802, 12, "nvme", -1, "flr", "PM9A1");
	fix_pci(hw, "03:00.0", 0x144d, 0xa808, 0x010802, 13, "vfio-pci", -1, "flr", "SM981");
	hw->pci[hw->npci - 1].driver_module = "vfio_pci";
	hw->pci[hw->npci - 2].driver_module = NULL;   /* nvme built into this kernel */
	hw_finish(hw);
	struct plan *p = plan_of(cfg, hw, ds);
	OK(p != NULL, "softdep: plans");
	if (p) {
		STR_EQ(joined(&p->softdep_drivers), "i2c_nvidia_gpu i915 nvidia snd_hda_intel xhci_pci",
		       "softdep: module names, sorted, once each; built-in nvme and vfio_pci left out");
		for (size_t i = 0; i < p->softdep_drivers.n; i++)
			OK(strcmp(p->softdep_drivers.v[i], "nvidia-gpu") &&
			   strcmp(p->softdep_drivers.v[i], "xhci_hcd") &&
			   strcmp(p->softdep_drivers.v[i], "nvme"),
			   "softdep: no driver name, no built-in driver");
	}
	plan_free(p);
	diags_free(ds);
	hw_free(hw);
}

/* A two-node host with a dual-port NIC's VFs (igb interleaves them: 03:10.0 is port 0's,
 * 03:10.1 port 1's) and an NVMe. */
static struct hw *fix_numa_sriov(const char *host_id)
{
	struct hw *hw = fix_hw(CPU_INTEL, 8, false);
	for (unsigned i = 0; i < 8; i++)
		hw->cpus[i].node = i < 4 ? 0 : 1;
	hw->host_id = host_id;
	fix_pci(hw, "03:00.0", 0x8086, 0x1521, 0x020000, 30, "igb", -1, "flr", "I350");
	fix_pci(hw, "03:00.1", 0x8086, 0x1521, 0x020000, 31, "igb", -1, "flr", "I350");
	fix_pci(hw, "03:10.0", 0x8086, 0x1520, 0x020000, 32, "igbvf", -1, "flr", "I350 VF");
	fix_pci(hw, "03:10.1", 0x8086, 0x1520, 0x020000, 33, "igbvf", -1, "flr", "I350 VF");
	fix_pci(hw, "04:00.0", 0x144d, 0xa80a, 0x010802, 40, "nvme", -1, "flr", "PM9A1");
	hw->pci[2].is_vf = hw->pci[3].is_vf = true;
	pci_addr_parse("03:00.0", &hw->pci[2].physfn);
	pci_addr_parse("03:00.1", &hw->pci[3].physfn);
	hw_finish(hw);
	return hw;
}

static void test_numa_vf_boot(void)
{
	struct diags *ds = diags_new();
	struct hw *hw = fix_numa_sriov(NULL);
	struct plan *p = plan_of("version: 1\nvms:\n  a:\n    memory: 1GiB\n    vcpus: 2\n"
				 "    cpu: { pin: \"5,6\" }\n"
				 "    pci: [\"03:10.0\", \"03:10.1\", \"04:00.0\"]\n"
				 "  b:\n    memory: 1GiB\n    vcpus: 2\n    cpu: { pin: \"3,4\" }\n"
				 "    pci: [{ address: \"04:00.0\", boot: false }, "
				 "{ address: \"03:10.0\", boot: true }]\n"
				 "    disks: [{ path: /a.qcow2 }]\n", hw, ds);
	OK(p != NULL, "numa/vf: plans");
	if (p) {
		const struct plan_vm *a = &p->vms[0], *b = &p->vms[1];
		INT_EQ(a->numa_node, 1, "numa: pins on node 1 give node 1");
		INT_EQ(b->numa_node, -1, "numa: pins on two nodes give none");
		OK(a->devs[0].nic_vf && a->devs[1].nic_vf && !a->devs[2].nic_vf, "vf: NIC VFs marked");
		OK(a->devs[0].guest_bus != a->devs[1].guest_bus,
		   "vf: VFs of two PFs in one host slot get guest slots of their own");
		OK(!a->devs[0].guest_multifunction, "vf: no multifunction slot");
		OK(memcmp(a->devs[0].mac, a->devs[1].mac, 6) != 0, "vf: each VF its own MAC");
		INT_EQ(a->devs[2].boot_order, 1, "boot: the passed NVMe boots a VM without disks");
		INT_EQ(a->devs[0].boot_order, 0, "boot: the NICs do not");
		INT_EQ(b->devs[0].boot_order, 1, "boot: boot: true on the VF");
		INT_EQ(b->devs[1].boot_order, 0, "boot: boot: false on the NVMe");
	}
	/* The same VMs on another host: other identities. */
	struct hw *hw2 = fix_numa_sriov("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
	struct diags *ds2 = diags_new();
	struct plan *q = plan_of("version: 1\nvms:\n  a:\n    memory: 1GiB\n    vcpus: 2\n", hw2, ds2);
	OK(p && q && memcmp(p->vms[0].uuid, q->vms[0].uuid, 16) != 0, "identity: uuid per host");
	OK(p && q && memcmp(p->vms[0].mac, q->vms[0].mac, 6) != 0, "identity: mac per host");
	plan_free(p);
	plan_free(q);
	diags_free(ds);
	diags_free(ds2);
	hw_free(hw);
	hw_free(hw2);
}

/* checks[]: each row named once, with a function; what the plan reads is resolved before
 * the first check runs; without hardware only the config-only rows run. */
static void test_table(void)
{
	size_t n = 0, bad = 0;
	for (; checks[n]; n++) {
		const struct check *c = checks[n];
		for (size_t o = 0; o < n; o++)
			bad += !strcmp(checks[o]->name, c->name);
		bad += c->run == NULL;
	}
	INT_EQ(bad, 0, "checks[]: names unique, each runs something");
	OK(n > 1 && !checks[0]->needs_hw && !strcmp(checks[0]->name, "config"),
	   "checks[]: the config-only rules first");
	struct diags *ds = diags_new();
	struct config *cfg = fix_config("version: 1\n"
		"host: { libvirt: { swtpm: true } }\n"
		"vms:\n  w:\n    memory: 1GiB\n    vcpus: 1\n    firmware: bios\n"
		"    secure-boot: true\n    pci: [\"0000:0f:00.0\"]\n", ds);
	OK(cfg != NULL, "config-only: loads");
	struct plan *p = cfg ? check_and_plan(cfg, NULL, NULL, ds) : NULL;
	OK(p == NULL, "config-only: no plan without hardware");
	INT_EQ(diags_count(ds, SEV_ERROR), 1, "config-only: secure-boot on bios, no hw-missing");
	config_free(cfg);
	diags_free(ds);
}

int main(void)
{
	test_table();
	test_resolve_alone();
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
		test_plan_check_finds(p);
	}
	plan_free(p);
	config_free(cfg);
	hw_free(hw);
	diags_free(ds);
	test_stable_identity();
	test_numa_vf_boot();
	test_twin_override();
	test_features();
	test_layout_without_func0();
	test_topology_from_pins();
	test_softdep_modules();
	HARNESS_END();
}
