/* test_backend.c: the backends against hand-built plans: the three files, the kernel list
 * shared by cmdline and Nix, release differences, escaping, the domain tree read back with
 * libxml2, determinism, refusal of unsafe names, and the RelaxNG hook. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "backends/backend.h"
#include "backends/emit.h"
#include "harness.h"
#include "model/release.h"

static const char *params[] = { "intel_iommu=on", "iommu=pt", "vfio-pci.ids=1002:67b0,1002:aac8",
				"default_hugepagesz=1G", "hugepagesz=1G", "hugepages=16" };
static const char *mods[] = { "vfio_pci", "vfio", "vfio_iommu_type1", "i915" };
static const char *softdeps[] = { "amdgpu", "i915" };
static const char *users[] = { "myUser", "we\"ird${x}" };
static const char *evdev[] = { "/dev/input/by-id/usb-K-event-kbd", "/dev/input/by-id/m ouse&<'\"" };
static unsigned pins[] = { 2, 3, 4, 5 };
static unsigned epins[] = { 1, 0 };
static struct plan_usb usb[] = {
	{ .vendor = 0x046d, .product = 0xc52b, .optional = true },
	{ .vendor = 0x046d, .product = 0xc52b, .bus = 1, .device = 6 },
};
static struct plan_disk disks[] = {
	{ .cdrom = true, .path = "/var/lib/iso/Win 11 \"&<x>'.iso", .bus = DISK_SATA },
	{ .path = "/var/lib/libvirt/images/win11.qcow2", .bus = DISK_VIRTIO, .format = DISK_QCOW2 },
	{ .path = "/dev/nvme1n1", .bus = DISK_SCSI, .format = DISK_RAW },
};
static struct plan_dev devs[] = {
	{ .addr = { 0, 1, 0, 0 }, .vendor = 0x1002, .device = 0x67b0, .class = 0x030000,
	  .rom = "/var/lib/vbios/r9.rom", .guest_bus = 1, .guest_slot = 0, .guest_func = 0,
	  .guest_multifunction = true },
	{ .addr = { 0, 1, 0, 1 }, .vendor = 0x1002, .device = 0xaac8, .class = 0x040300,
	  .guest_bus = 1, .guest_slot = 0, .guest_func = 1 },
	{ .addr = { 0, 4, 0, 0 }, .vendor = 0x144d, .device = 0xa80a, .class = 0x010802,
	  .managed = true, .guest_bus = 2, .boot_order = 1 },
	{ .addr = { 0, 3, 0x10, 0 }, .vendor = 0x8086, .device = 0x10ca, .class = 0x020000,
	  .guest_bus = 3, .nic_vf = true, .mac = { 0x52, 0x54, 0x00, 0x01, 0x02, 0x03 } },
};
static struct pci_addr overrides[] = { { 0, 1, 0, 0 }, { 0, 1, 0, 1 } };

static struct plan_vm make_vm(void)
{
	struct plan_vm vm = {
		.name = "win11", .memory_kib = 16ull << 20, .vcpus = 4,
		.sockets = 1, .cores = 2, .threads = 2, .pin = pins, .npin = 4,
		.emulator_pin = epins, .nemulator_pin = 2, .numa_node = 1, .hugepages = true, .hugepage_kib = 1 << 20,
		.firmware = FW_UEFI, .secure_boot = true, .tpm = true, .hyperv = true,
		.hyperv_vendor_id = "vfiocvfioc", .hide_kvm = true, .host_amd = true,
		.devs = devs, .ndevs = 4, .usb = usb, .nusb = 2, .disks = disks, .ndisks = 3,
		.net_kind = NET_NETWORK, .net_name = "default", .graphics = GFX_SPICE,
		.evdev = evdev, .nevdev = 2, .looking_glass_mib = 64, .autostart = true,
	};
	for (int i = 0; i < 16; i++)
		vm.uuid[i] = (uint8_t)(0x10 + i);
	memcpy(vm.mac, "\x52\x54\x00\xab\xcd\xef", 6);
	return vm;
}

static struct plan make_plan(enum nixos_release r, struct plan_vm *vm)
{
	struct plan p = {
		.config_rel = "../host.yaml", .nixos = r, .nixos_name = nixos_release_name(r),
		.kernel_series = "6.12",
		.iommu = IOMMU_INTEL, .strategy = STRATEGY_IDS,
		.kernel_params = { params, ARRAY_LEN(params) },
		.initrd_modules = { mods, ARRAY_LEN(mods) },
		.softdep_drivers = { softdeps, ARRAY_LEN(softdeps) },
		.has_hugepages = true, .hugepage_size = HUGEPAGE_1G, .hugepage_count = 16,
		.users = { users, ARRAY_LEN(users) }, .virt_manager = true,
		.spice_usb_redirection = true, .libvirt_enable = true, .qemu_package = QEMU_KVM,
		.run_as_root = true, .swtpm = true, .ovmf_secure_boot = true, .ovmf_tpm = true,
		.ovmf_ms_keys = true,
		.define_domains = true, .vms = vm, .nvms = 1,
	};
	return p;
}

static const char *file(const struct out_set *s, const char *name)
{
	const struct out_file *f = out_set_find(s, name);
	return f ? buf_str(&f->data) : "";
}

static bool has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* The string value of an XPath expression over the domain text. */
static char *xpath(const char *xml, const char *expr)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", NULL, XML_PARSE_NONET);
	if (!doc)
		return xstrdup("(not well-formed)");
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	xmlChar *s = o ? xmlXPathCastToString(o) : NULL;
	char *r = xstrdup(s ? (const char *)s : "(none)");
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return r;
}

static void xp_eq(const char *xml, const char *expr, const char *want, const char *name)
{
	char *got = xpath(xml, expr);
	STR_EQ(got, want, name);
	free(got);
}

static void test_files_and_cmdline(void)
{
	struct plan_vm vm = make_vm();
	struct plan p = make_plan(NIXOS_25_05, &vm);
	struct out_set s = {0};
	char *err = NULL;
	INT_EQ(backends_run(&p, &s, &err), 0, "run: all backends succeed");
	INT_EQ(s.n, 3, "run: three files");
	STR_EQ(s.files[0].name, "vfio.nix", "run: nixos first");
	STR_EQ(s.files[1].name, "domains/win11.xml", "run: then the domain");
	STR_EQ(s.files[2].name, "kernel-cmdline", "run: then the cmdline");
	STR_EQ(s.files[1].backend->name, "libvirt", "run: files know their backend");
	STR_EQ(file(&s, "kernel-cmdline"),
	       "intel_iommu=on iommu=pt vfio-pci.ids=1002:67b0,1002:aac8 default_hugepagesz=1G "
	       "hugepagesz=1G hugepages=16\n", "cmdline: one line, single spaces, newline");
	out_set_free(&s);
}

static void test_nix(void)
{
	struct plan_vm vm = make_vm();
	struct plan p = make_plan(NIXOS_25_05, &vm);
	struct out_set s = {0};
	char *err = NULL;
	backends_run(&p, &s, &err);
	const char *nix = file(&s, "vfio.nix");
	OK(!strncmp(nix, "# Generated by vfioc from ../host.yaml. Do not edit by hand:\n", 61),
	   "nix: starts with the generated-by header");
	OK(has(nix, "\n{ config, lib, pkgs, ... }:\n"), "nix: a module function");
	OK(has(nix, "boot.initrd.kernelModules = lib.mkBefore ([\n    \"vfio_pci\"\n    \"vfio\"\n"
		    "    \"vfio_iommu_type1\"\n  ]\n    ++ lib.optional (lib.versionOlder "
		    "config.boot.kernelPackages.kernel.version \"6.2\")\n      \"vfio_virqfd\"\n"
		    "    ++ [ \"i915\" ]);"), "nix: initrd modules in order, vfio_virqfd by the kernel");
	OK(has(nix, "    \"vfio-pci.ids=1002:67b0,1002:aac8\"\n"), "nix: kernelParams has the ids");
	OK(has(nix, "softdep amdgpu pre: vfio-pci\n    softdep i915 pre: vfio-pci\n"),
	   "nix: softdeps");
	OK(has(nix, "ovmf.packages = [ (pkgs.OVMF.override { secureBoot = true; msVarsTemplate = true; "
		    "tpmSupport = true; }).fd ];"), "nix: 25.05 has the ovmf block, with MS keys");
	OK(has(nix, "package = pkgs.qemu_kvm;") && has(nix, "swtpm.enable = true;"),
	   "nix: libvirtd qemu settings");
	OK(has(nix, "users.users.myUser.extraGroups = [ \"libvirtd\" ];"), "nix: plain user");
	OK(has(nix, "users.users.\"we\\\"ird\\${x}\".extraGroups"), "nix: odd user name quoted");
	OK(has(nix, "systemd.tmpfiles.rules = [ \"f /dev/shm/looking-glass-win11-64M 0660 myUser "
		    "libvirtd -\" ];"), "nix: looking glass: one file per VM, its size in the name");
	OK(has(nix, "virsh define ${./domains/win11.xml}\n      virsh autostart "
		    "10111213-1415-1617-1819-1a1b1c1d1e1f\n"),
	   "nix: define service references the domain relative to the module, autostart by UUID");
	OK(!has(nix, "autostart win11") && !has(nix, "autostart --disable win11"),
	   "nix: no virsh call names the VM (virsh reads a name as an ID first)");
	OK(!has(nix, "install vfio_pci"), "nix: no override under the ids binding");
	OK(!has(nix, "/work/") && !has(nix, "/nix/store"), "nix: no absolute build paths");
	out_set_free(&s);

	p = make_plan(NIXOS_25_11, &vm);
	p.strategy = STRATEGY_DRIVER_OVERRIDE;
	p.override_addrs = overrides;
	p.noverride = 2;
	p.strategy_reason = "1002:67b0 is also the host's GPU.";
	backends_run(&p, &s, &err);
	nix = file(&s, "vfio.nix");
	OK(!has(nix, "ovmf.enable") && has(nix, "qemu.ovmf is not written: NixOS 25.11"),
	   "nix: 25.11 has no ovmf block, says why");
	OK(has(nix, "    install vfio_pci for d in 0000:01:00.0 0000:01:00.1; do echo vfio-pci > "
		    "/sys/bus/pci/devices/$d/driver_override; done; "
		    "modprobe --ignore-install vfio_pci $CMDLINE_OPTS\n  '';\n"),
	   "nix: driver_override set by vfio_pci's install line, before vfio_pci loads");
	OK(!has(nix, "preDeviceCommands") && !has(nix, "udev.rules"),
	   "nix: no override after the initrd's modules (preDeviceCommands, udev rules)");
	OK(has(nix, "1002:67b0 is also the host's GPU."), "nix: says why driver-override");
	OK(has(nix, "assertion = lib.versions.majorMinor config.system.nixos.release == \"25.11\";"),
	   "nix: asserts the release of target.nixos");
	OK(has(nix, "boot.initrd.kernelModules = [\n") && has(nix, "lib.mkBefore does not order it"),
	   "nix: 25.11: a plain list, and the comment says why");
	out_set_free(&s);

	p = make_plan(NIXOS_UNSTABLE, &vm);
	p.initrd_modules = (struct plan_strlist){ NULL, 0 };
	p.softdep_drivers = (struct plan_strlist){ NULL, 0 };
	p.delete_removed_state = true;
	backends_run(&p, &s, &err);
	nix = file(&s, "vfio.nix");
	OK(has(nix, "assertion = lib.versionAtLeast config.system.nixos.release \"26.11\";"),
	   "nix: unstable: from the newest named release on");
	OK(!has(nix, "boot.initrd.kernelModules") && !has(nix, "boot.extraModprobeConfig") &&
	   has(nix, "No device is bound at boot"), "nix: nothing bound at boot: no modules, says why");
	OK(!has(nix, "Loaded in the initrd") && !has(nix, "display drivers, loaded"),
	   "nix: nothing bound at boot, no display driver: no word on module order");
	OK(has(nix, "removed) how=\"--nvram --tpm\"") &&
	   has(nix, "moved) how=\"--keep-nvram --keep-tpm\"") &&
	   has(nix, "virsh undefine $how \"$uuid\""),
	   "nix: delete-removed-state deletes, by UUID; a renamed VM keeps its state");
	out_set_free(&s);
}

static void test_nix_quoting(void)
{
	struct buf b = {0};
	nix_str(&b, "a\"b\\c${d}$e\n");
	STR_EQ(buf_str(&b), "\"a\\\"b\\\\c\\${d}$e\\n\"", "nix_str: escapes \" \\ ${ newline");
	buf_free(&b);
	nix_lines(&b, "x '' y ${z}\n", "");
	STR_EQ(buf_str(&b), "''\n  x ''' y ''${z}\n''", "nix_lines: escapes '' and ${");
	buf_free(&b);
	/* After a lone ', ''${ would read as ''' (an escaped '') and then an interpolation. */
	nix_lines(&b, "a'${b} '''${c}\n", "");
	STR_EQ(buf_str(&b), "''\n  a'${\"$\"}{b} ''''${\"$\"}{c}\n''",
	       "nix_lines: ${ after a ' stays literal");
	buf_free(&b);
	/* A ' at the very end would join the closing '' into '''. */
	nix_lines(&b, "x'", "");
	STR_EQ(buf_str(&b), "''\n  x${\"'\"}''", "nix_lines: a final ' does not eat the closing ''");
	buf_free(&b);
	nix_attr(&b, "in");
	STR_EQ(buf_str(&b), "\"in\"", "nix_attr: keywords quoted");
	buf_free(&b);
}

static void test_domain(void)
{
	struct plan_vm vm = make_vm();
	struct plan p = make_plan(NIXOS_25_05, &vm);
	struct out_set s = {0};
	char *err = NULL;
	backends_run(&p, &s, &err);
	const char *x = file(&s, "domains/win11.xml");
	OK(has(x, "<!-- Generated by vfioc from ../host.yaml. Do not edit by hand:"),
	   "xml: header comment");
	xp_eq(x, "string(/domain/@type)", "kvm", "xml: kvm domain");
	xp_eq(x, "string(/domain/name)", "win11", "xml: name");
	xp_eq(x, "string(/domain/uuid)", "10111213-1415-1617-1819-1a1b1c1d1e1f", "xml: uuid");
	xp_eq(x, "string(/domain/memory)", "16777216", "xml: memory in KiB");
	xp_eq(x, "string(/domain/memoryBacking/hugepages/page/@size)", "1048576", "xml: page size");
	xp_eq(x, "string(/domain/cputune/vcpupin[4]/@cpuset)", "5", "xml: vcpupin");
	xp_eq(x, "string(/domain/cputune/emulatorpin/@cpuset)", "0-1", "xml: emulatorpin");
	xp_eq(x, "string(/domain/numatune/memory/@nodeset)", "1", "xml: memory from the pins' node");
	xp_eq(x, "string(/domain/os/type/@machine)", "q35", "xml: q35");
	xp_eq(x, "string(/domain/os/loader)", "/run/libvirt/nix-ovmf/OVMF_CODE.fd",
	      "xml: 25.05 explicit OVMF loader");
	xp_eq(x, "string(/domain/os/nvram/@template)", "/run/libvirt/nix-ovmf/OVMF_VARS.ms.fd",
	      "xml: secure boot starts from the enrolled template");
	xp_eq(x, "string(/domain/features/ioapic/@driver)", "kvm", "xml: ioapic in kvm with hyperv");
	xp_eq(x, "count(/domain/features/hyperv/tlbflush[@state='on'])", "1", "xml: hv tlbflush");
	xp_eq(x, "count(/domain/features/hyperv/ipi[@state='on'])", "1", "xml: hv ipi");
	xp_eq(x, "string(/domain/devices/disk[target/@bus='scsi']/address/@controller)", "0",
	      "xml: scsi disk on the virtio-scsi controller");
	xp_eq(x, "string(/domain/devices/disk[target/@bus='scsi']/address/@type)", "drive",
	      "xml: scsi disk has a drive address");
	xp_eq(x, "count(/domain/devices/controller[@type='scsi'])", "1", "xml: one scsi controller");
	xp_eq(x, "string(/domain/devices/hostdev[3]/boot/@order)", "1", "xml: hostdev boot order");
	xp_eq(x, "string(/domain/devices/disk[1]/boot/@order)", "2", "xml: disks after it");
	xp_eq(x, "string(/domain/devices/hostdev[1]/driver/@name)", "vfio", "xml: vfio driver");
	xp_eq(x, "string(/domain/devices/interface[@type='hostdev']/mac/@address)",
	      "52:54:00:01:02:03", "xml: a NIC VF is an interface with its MAC");
	xp_eq(x, "string(/domain/devices/interface[@type='hostdev']/source/address/@slot)", "0x10",
	      "xml: the VF's host address");
	xp_eq(x, "count(/domain/features/smm[@state='on'])", "1", "xml: smm with secure boot");
	xp_eq(x, "string(/domain/features/hyperv/vendor_id/@value)", "vfiocvfioc", "xml: vendor_id");
	xp_eq(x, "string(/domain/features/kvm/hidden/@state)", "on", "xml: kvm hidden");
	xp_eq(x, "string(/domain/cpu/feature[@name='topoext']/@policy)", "require", "xml: topoext");
	xp_eq(x, "count(/domain/clock/timer[@name='hypervclock'])", "1", "xml: hypervclock");
	xp_eq(x, "count(/domain/devices/hostdev[@type='pci'])", "3", "xml: three pci hostdevs");
	xp_eq(x, "string(/domain/devices/hostdev[1]/address/@multifunction)", "on",
	      "xml: function 0 multifunction");
	xp_eq(x, "string(/domain/devices/hostdev[2]/address/@function)", "0x1",
	      "xml: function 1 in the same slot");
	xp_eq(x, "string(/domain/devices/hostdev[1]/rom/@file)", "/var/lib/vbios/r9.rom", "xml: rom");
	xp_eq(x, "string(/domain/devices/hostdev[1]/@managed)", "no", "xml: boot-bound unmanaged");
	xp_eq(x, "string(/domain/devices/hostdev[3]/@managed)", "yes", "xml: managed device");
	xp_eq(x, "string(/domain/devices/hostdev[@type='usb']/source/product/@id)", "0xc52b",
	      "xml: usb hostdev");
	xp_eq(x, "string(/domain/devices/hostdev[@type='usb'][1]/source/@startupPolicy)", "optional",
	      "xml: an optional usb device does not block the start");
	xp_eq(x, "count(/domain/devices/hostdev[@type='usb'][1]/source/address)", "0",
	      "xml: usb by vendor:product has no address");
	xp_eq(x, "string(/domain/devices/hostdev[@type='usb'][2]/source/@startupPolicy)", "",
	      "xml: a required usb device has no policy (libvirt's mandatory)");
	xp_eq(x, "concat(/domain/devices/hostdev[@type='usb'][2]/source/address/@bus, '/', "
	      "/domain/devices/hostdev[@type='usb'][2]/source/address/@device)", "1/6",
	      "xml: usb by port: the bus and device number");
	xp_eq(x, "string(/domain/devices/input[2]/source/@dev)", "/dev/input/by-id/m ouse&<'\"",
	      "xml: odd evdev path round-trips");
	xp_eq(x, "string(/domain/devices/disk[@device='cdrom']/source/@file)",
	      "/var/lib/iso/Win 11 \"&<x>'.iso", "xml: odd disk path round-trips");
	xp_eq(x, "string(/domain/devices/disk[source/@dev]/target/@dev)", "sda",
	      "xml: block disk on scsi");
	xp_eq(x, "string(/domain/devices/tpm/@model)", "tpm-crb", "xml: tpm-crb");
	xp_eq(x, "string(/domain/devices/tpm/backend/@version)", "2.0", "xml: tpm 2.0");
	xp_eq(x, "string(/domain/devices/shmem[@name='looking-glass-win11-64M']/size)", "64",
	      "xml: shmem named for the VM and its size");
	xp_eq(x, "string(/domain/devices/interface/mac/@address)", "52:54:00:ab:cd:ef", "xml: mac");
	xp_eq(x, "string(/domain/devices/memballoon/@model)", "none", "xml: no balloon");
	xp_eq(x, "string(/domain/devices/video/model/@type)", "none", "xml: no emulated video");
	out_set_free(&s);

	p = make_plan(NIXOS_25_05, &vm);
	p.ovmf_ms_keys = false;
	backends_run(&p, &s, &err);
	xp_eq(file(&s, "domains/win11.xml"), "string(/domain/os/nvram/@template)",
	      "/run/libvirt/nix-ovmf/OVMF_VARS.fd", "xml: ms-keys false: the empty template");
	OK(!has(file(&s, "vfio.nix"), "msVarsTemplate"), "nix: ms-keys false: no msVarsTemplate");
	out_set_free(&s);

	p = make_plan(NIXOS_26_05, &vm);
	backends_run(&p, &s, &err);
	x = file(&s, "domains/win11.xml");
	xp_eq(x, "string(/domain/os/@firmware)", "efi", "xml: 26.05 firmware autoselection");
	xp_eq(x, "string(/domain/os/firmware/feature[@name='secure-boot']/@enabled)", "yes",
	      "xml: secure-boot feature");
	xp_eq(x, "count(/domain/os/loader)", "0", "xml: no loader path with autoselection");
	xp_eq(x, "count(/domain/os/firmware/feature[@name='enrolled-keys'])", "0",
	      "xml: 26.05 does not ask for enrolled-keys (QEMU's descriptors lack it)");
	out_set_free(&s);

	/* Display: VNC next to a passed GPU keeps an emulated card; so does Looking Glass without
	 * a passed GPU. */
	vm.graphics = GFX_VNC;
	p = make_plan(NIXOS_26_05, &vm);
	backends_run(&p, &s, &err);
	xp_eq(file(&s, "domains/win11.xml"), "string(/domain/devices/video/model/@type)", "vga",
	      "xml: vnc with a passed GPU keeps vga");
	out_set_free(&s);
	vm.graphics = GFX_SPICE;
	vm.devs = devs + 2;
	vm.ndevs = 1;
	p = make_plan(NIXOS_26_05, &vm);
	backends_run(&p, &s, &err);
	xp_eq(file(&s, "domains/win11.xml"), "string(/domain/devices/video/model/@type)", "qxl",
	      "xml: looking glass without a passed GPU keeps qxl");
	out_set_free(&s);
}

static void test_determinism_and_refusal(void)
{
	struct plan_vm vm = make_vm();
	struct plan p = make_plan(NIXOS_UNSTABLE, &vm);
	struct out_set a = {0}, b = {0};
	char *err = NULL;
	backends_run(&p, &a, &err);
	backends_run(&p, &b, &err);
	bool same = a.n == b.n;
	for (size_t i = 0; same && i < a.n; i++)
		same = !strcmp(a.files[i].name, b.files[i].name) &&
		       a.files[i].data.len == b.files[i].data.len &&
		       !memcmp(a.files[i].data.s, b.files[i].data.s, a.files[i].data.len);
	OK(same, "determinism: two runs give the same bytes");
	out_set_free(&a);
	out_set_free(&b);

	vm.name = "../evil";
	INT_EQ(backends_run(&p, &a, &err), -1, "refuse: a VM name that is a path");
	OK(err && has(err, "not usable as a file name"), "refuse: says why");
	free(err);
	out_set_free(&a);

	vm = make_vm();
	vm.disks[1].path = "/bad\x01path";
	err = NULL;
	INT_EQ(backends_run(&p, &a, &err), -1, "refuse: control characters in XML");
	free(err);
	vm.disks[1].path = "/var/lib/libvirt/images/win11.qcow2";
	out_set_free(&a);
}

static void test_validate(void)
{
	struct plan_vm vm = make_vm();
	struct plan p = make_plan(NIXOS_25_05, &vm);
	struct out_set s = {0};
	char *err = NULL;
	backends_run(&p, &s, &err);
	const struct out_file *f = out_set_find(&s, "domains/win11.xml");
	INT_EQ(f->backend->validate(f, "/nonexistent", &err), -1, "validate: missing schema");
	OK(err && has(err, "/nonexistent/domain.rng is missing"), "validate: names the schema");
	free(err);
	err = NULL;
	INT_EQ(f->backend->validate(f, NULL, &err), 0, "validate: domain passes libvirt's schema");
	if (err)
		printf("# %s\n", err);
	free(err);
	err = NULL;
	struct out_file bad = { .name = "domains/x.xml", .backend = f->backend };
	buf_puts(&bad.data, "<domain type='kvm'><bogus/></domain>");
	INT_EQ(f->backend->validate(&bad, NULL, &err), 1, "validate: invalid domain rejected");
	OK(err && *err, "validate: with reasons");
	free(err);
	buf_free(&bad.data);
	out_set_free(&s);
}

/* --dump DIR: write the outputs of a few plans, each in DIR/<variant>/ with expect.json
 * holding the strings the consumers must read back (t-backend-nix.sh, t-backend-libvirt.sh). */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_list(FILE *f, const char *key, const char *const *v, size_t n, bool last)
{
	fprintf(f, "  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, v[i]);
	}
	fprintf(f, "]%s\n", last ? "" : ",");
}

static void write_out(const char *dir, const char *name, const struct buf *data)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fwrite(buf_str(data), 1, data->len, f);
		fclose(f);
	}
	free(path);
}

static void dump_variant(const char *root, const char *variant, const struct plan *p)
{
	char *dir = xasprintf("%s/%s", root, variant), *cmd = xasprintf("mkdir -p '%s/domains'", dir);
	if (system(cmd) != 0)
		printf("# cannot create %s\n", dir);
	struct out_set s = {0};
	char *err = NULL;
	if (backends_run(p, &s, &err) != 0)
		printf("# %s: %s\n", variant, err);
	for (size_t i = 0; i < s.n; i++)
		write_out(dir, s.files[i].name, &s.files[i].data);
	char *path = xasprintf("%s/expect.json", dir);
	FILE *f = fopen(path, "w");
	const struct plan_vm *vm = &p->vms[0];
	const char *disk_paths[8];
	for (size_t i = 0; i < vm->ndisks; i++)
		disk_paths[i] = vm->disks[i].path;
	fprintf(f, "{\n  \"release\": \"%s\",\n  \"oldKernel\": %s,\n  \"override\": %s,\n",
		nixos_release_name(p->nixos), kernel_before(p->kernel_series, 6, 2) ? "true" : "false",
		p->strategy == STRATEGY_DRIVER_OVERRIDE ? "true" : "false");
	fprintf(f, "  \"vm\": ");
	json_str(f, vm->name);
	fputs(",\n", f);
	json_list(f, "kernelParams", p->kernel_params.v, p->kernel_params.n, false);
	json_list(f, "initrdModules", p->initrd_modules.v, p->initrd_modules.n, false);
	json_list(f, "users", p->users.v, p->users.n, false);
	json_list(f, "evdev", vm->evdev, vm->nevdev, false);
	json_list(f, "disks", disk_paths, vm->ndisks, true);
	fputs("}\n", f);
	fclose(f);
	free(path);
	out_set_free(&s);
	free(err);
	free(cmd);
	free(dir);
}

static const char *hostile_users[] = { "my user", "q\"uote", "back\\slash", "dollar${HOME}",
				       "apo'str''ophe", "new\nline", "in" };
static const char *hostile_params[] = { "amd_iommu=on", "x=${y}", "a\\b", "c''d", "e'f" };
static const char *old_mods[] = { "vfio_pci", "vfio", "vfio_iommu_type1", "amdgpu" };

static int dump(const char *root)
{
	struct plan_vm vm = make_vm();
	struct plan p = make_plan(NIXOS_25_05, &vm);
	dump_variant(root, "ids-25.05", &p);
	p = make_plan(NIXOS_25_11, &vm);
	p.strategy = STRATEGY_DRIVER_OVERRIDE;
	p.override_addrs = overrides;
	p.noverride = 2;
	p.strategy_reason = "1002:67b0 is also the host's GPU; ''${oops}\n injected";
	dump_variant(root, "override-25.11", &p);
	p = make_plan(NIXOS_24_05, &vm);
	p.kernel_series = "6.1";
	p.initrd_modules = (struct plan_strlist){ old_mods, ARRAY_LEN(old_mods) };
	p.run_as_root = false;
	p.qemu_package = QEMU_FULL;
	dump_variant(root, "old-kernel-24.05", &p);
	vm.name = "a+b.c-d_e";
	vm.disks[1].path = "/var/lib/my \"disks\"/${x} & <y> 'z'.qcow2";
	vm.evdev[0] = "/dev/input/by-id/$(rm -rf)`x`-event-kbd";
	vm.firmware = FW_BIOS;
	vm.secure_boot = false;
	p = make_plan(NIXOS_UNSTABLE, &vm);
	p.config_rel = "../we--ird\nconfig.yaml";
	p.users = (struct plan_strlist){ hostile_users, ARRAY_LEN(hostile_users) };
	p.kernel_params = (struct plan_strlist){ hostile_params, ARRAY_LEN(hostile_params) };
	dump_variant(root, "hostile-unstable", &p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	test_files_and_cmdline();
	test_nix();
	test_nix_quoting();
	test_domain();
	test_determinism_and_refusal();
	test_validate();
	HARNESS_END();
}
