/* tools/init/yaml.c: the starter config `vfioc init` writes, with a comment on each choice. Every
 * value is formatted here from numbers, enums, and names that passed the schema's own rules,
 * quoted strings through esc_yaml; names from the hardware (pci.ids, a snapshot) appear only
 * in comments, through esc_comment, so no snapshot can put a line of its own into the config
 * or reorder how one shows. */
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "model/media.h"
#include "schema/config/schema.h"
#include "tools/init/init.h"

#define COMMENT_COL 33   /* comments start here, as in the examples */
#define VM_NAME "win11"
#define VM_MAX_MIB (16u * 1024)
#define VM_MAX_VCPUS 16u

/* s as comment text (esc_comment): controls as '?' and the characters of base/hidden.def
 * (U+0085, U+2028 and U+2029, line breaks to YAML; bidirectional controls) as "U+NNNN": a
 * comment stays on its line, and shows as it reads. */
static void put_clean(struct buf *b, const char *s)
{
	esc_comment(b, s);
}

/* One line: text at indent, then "# comment" at COMMENT_COL (comment may be NULL). */
static void line(struct buf *b, int indent, const char *text, const char *comment)
{
	size_t start = b->len;
	buf_printf(b, "%*s%s", indent, "", text);
	if (comment && *comment) {
		size_t col = b->len - start;
		buf_printf(b, "%*s# ", col < COMMENT_COL - 1 ? (int)(COMMENT_COL - 1 - col) : 1, "");
		put_clean(b, comment);
	}
	buf_putc(b, '\n');
}

/* A comment line of its own at indent. */
static void note(struct buf *b, int indent, const char *text)
{
	buf_printf(b, "%*s# ", indent, "");
	put_clean(b, text);
	buf_putc(b, '\n');
}

/* "Hawaii XT / Grenada XT [Radeon R9 290X/390X] [1002:67b0]" */
static const char *describe(const struct hw_pci *d, struct buf *b)
{
	b->len = 0;
	return hw_pci_describe(d, HW_DESC_NAME, b);
}

static void header(struct buf *b, const struct init_env *env)
{
	struct buf t = {0};
	buf_printf(&t, "%s: written by `vfioc init` from %s.", env->config_name, env->source);
	note(b, 0, buf_str(&t));
	if (env->family == FAMILY_NIXOS) {
		note(b, 0, "Next: `vfioc check` it, `vfioc build` it into a NixOS module, import that,");
		note(b, 0, "nixos-rebuild, reboot, and `vfioc verify` that the host came up as planned.");
	} else {
		note(b, 0, "Next: `vfioc check` it, `vfioc build` it, `sudo vfioc apply` the result");
		note(b, 0, "(--dry-run shows it first), reboot, and `vfioc verify` that the host came up");
		note(b, 0, "as planned.");
	}
	note(b, 0, "Every key: docs/config-reference.md (or `vfioc schema` for your editor).");
	line(b, 0, "version: 1", NULL);
	t.len = 0;
	buf_printf(&t, "hardware: %s", env->snapshot_name);
	line(b, 0, buf_str(&t), "this host's hardware, as `vfioc probe` writes it");
	buf_free(&t);
}

static void target(struct buf *b, const struct init_env *env)
{
	struct buf t = {0}, c = {0};
	line(b, 0, "", NULL);
	line(b, 0, "target:", NULL);
	if (env->family == FAMILY_NIXOS) {
		buf_puts(&t, "nixos: ");
		esc_yaml(&t, env->nixos_name ? env->nixos_name : nixos_release_name(env->nixos));
		line(b, 2, buf_str(&t), env->nixos_why);
	} else {
		buf_printf(&t, "family: %s", family_name(env->family));
		line(b, 2, buf_str(&t), env->family_why);
		t.len = 0;
		buf_printf(&t, "initramfs: %s", initramfs_name(env->initramfs));
		line(b, 2, buf_str(&t), env->initramfs_why);
		t.len = 0;
		buf_printf(&t, "bootloader: %s", bootloader_name(env->bootloader));
		line(b, 2, buf_str(&t), env->bootloader_why);
	}
	if (env->kernel[0]) {
		t.len = 0;
		buf_puts(&t, "kernel: ");
		esc_yaml(&t, env->kernel);
		line(b, 2, buf_str(&t), env->kernel_why);
	} else {
		note(b, 2, env->family == FAMILY_NIXOS
			   ? "kernel: the release's default (the kernel release is unknown here)"
			   : "kernel: the host's (its release is unknown here)");
	}
	buf_free(&t);
	buf_free(&c);
}

static void iommu(struct buf *b, const struct hw *hw)
{
	if (hw->cpu_vendor == CPU_INTEL)
		line(b, 2, "iommu: intel", "the CPU is Intel: " IOMMU_PARAM_INTEL);
	else if (hw->cpu_vendor == CPU_AMD)
		line(b, 2, "iommu: amd", "the CPU is AMD: " IOMMU_PARAM_AMD);
	else
		line(b, 2, "iommu: auto", "the CPU vendor is unknown: set intel or amd");
}

/* Whether device i goes to the VM (or will, once the IOMMU is on). */
static bool taken(const struct init_pick *p, size_t i)
{
	size_t k = p->chosen != INIT_NONE ? p->chosen : p->suggested;
	return k != INIT_NONE && p->gpus[k].take[i];
}

/* The drivers of the GPUs that stay on the host, by module name, each once. */
static void display_drivers(struct buf *b, const struct hw *hw, const struct init_pick *p)
{
	struct buf c = {0}, d = {0};
	const char **seen = xcalloc(p->ngpus + 1, sizeof(*seen));
	size_t nseen = 0;
	const char *why;
	for (size_t k = 0; k < p->ngpus; k++) {
		const struct hw_pci *g = &hw->pci[p->gpus[k].dev];
		const char *mod = g->driver_module;
		if (taken(p, p->gpus[k].dev) || !hw_is_gpu(g) || !mod ||
		    !schema_check_string(SC_MODULE, mod, &why) || !strcmp(mod, "vfio_pci"))
			continue;
		bool dup = false;
		for (size_t i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], mod);
		if (dup)
			continue;
		if (!nseen)
			line(b, 2, "display-drivers:", "the host's GPU drivers: loaded after vfio");
		seen[nseen++] = mod;
		char a[PCI_ADDR_STRLEN];
		pci_addr_fmt(&g->addr, a);
		c.len = 0;
		buf_printf(&c, "- %s", mod);
		d.len = 0;
		buf_printf(&d, "%s stays on the host: ", a);
		struct buf e = {0};
		buf_puts(&d, describe(g, &e));
		buf_free(&e);
		line(b, 4, buf_str(&c), buf_str(&d));
	}
	if (!nseen)
		line(b, 2, "display-drivers: []", "no GPU with a driver module stays on the host");
	free(seen);
	buf_free(&c);
	buf_free(&d);
}

/* bind: auto explained when an ID of a passed device is shared with one that stays. */
static void binding(struct buf *b, const struct hw *hw, const struct init_pick *p)
{
	if (p->chosen == INIT_NONE)
		return;
	for (size_t i = 0; i < hw->npci; i++) {
		if (!taken(p, i))
			continue;
		size_t idx[8], n = hw_find_ids(hw, hw->pci[i].vendor, hw->pci[i].device, idx, 8);
		for (size_t k = 0; k < n && k < 8; k++)
			if (!taken(p, idx[k])) {
				char a[PCI_ADDR_STRLEN];
				struct buf c = {0};
				pci_addr_fmt(&hw->pci[idx[k]].addr, a);
				buf_printf(&c, "%04x:%04x is also %s's, which stays: bound by address",
					   hw->pci[i].vendor, hw->pci[i].device, a);
				line(b, 2, "bind: auto", buf_str(&c));
				buf_free(&c);
				return;
			}
	}
}

static void host(struct buf *b, const struct hw *hw, const struct init_pick *p,
		 const struct init_env *env)
{
	line(b, 0, "", NULL);
	line(b, 0, "host:", NULL);
	iommu(b, hw);
	binding(b, hw, p);
	display_drivers(b, hw, p);
	struct buf t = {0};
	if (env->user) {
		buf_printf(&t, "users: [%s]", env->user);
		line(b, 2, buf_str(&t), "from $SUDO_USER or $USER: joins the libvirtd group");
	} else {
		line(b, 2, "users: []", env->user_why);
	}
	buf_free(&t);
	line(b, 2, "virt-manager: true", NULL);
}

/* Half the host's RAM, at most 16 GiB, in whole GiB when there is one. */
static void memory(struct buf *b, const struct hw *hw)
{
	struct buf t = {0}, c = {0};
	uint64_t mib = hw->mem_total_kib ? hw->mem_total_kib / 1024 / 2 : 8192;
	if (mib > VM_MAX_MIB)
		mib = VM_MAX_MIB;
	if (mib < 64)
		mib = 64;
	if (mib >= 1024)
		buf_printf(&t, "memory: %lluGiB", (unsigned long long)(mib / 1024));
	else
		buf_printf(&t, "memory: %lluMiB", (unsigned long long)mib);
	if (hw->mem_total_kib)
		buf_printf(&c, "half of the host's %llu MiB, at most 16 GiB",
			   (unsigned long long)(hw->mem_total_kib / 1024));
	else
		buf_puts(&c, "the host's memory is unknown");
	line(b, 4, buf_str(&t), buf_str(&c));
	buf_free(&t);
	buf_free(&c);
}

static void vcpus(struct buf *b, const struct hw *hw)
{
	struct buf t = {0}, c = {0};
	unsigned n = hw->ncpus ? (unsigned)(hw->ncpus / 2) : 2;
	n = n < 1 ? 1 : n > VM_MAX_VCPUS ? VM_MAX_VCPUS : n;
	buf_printf(&t, "vcpus: %u", n);
	if (hw->ncpus)
		buf_printf(&c, "half of the host's %zu CPUs, at most %u", hw->ncpus, VM_MAX_VCPUS);
	else
		buf_puts(&c, "the host's CPUs are unknown");
	line(b, 4, buf_str(&t), buf_str(&c));
	buf_free(&t);
	buf_free(&c);
}

/* Why d goes along with the GPU g. */
static void role(const struct hw *hw, const struct hw_pci *g, const struct hw_pci *d,
		 struct buf *c)
{
	struct buf e = {0};
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, a);
	buf_printf(c, "%s: ", a + 5);
	if (d == g) {
		buf_printf(c, "the GPU, %s", describe(d, &e));
		if (d->iommu_group >= 0)
			buf_printf(c, ", IOMMU group %d", d->iommu_group);
		buf_puts(c, d->boot_vga == 1 ? ", the boot GPU: the firmware shows its screens on it"
				: ", not the boot GPU");
	} else if (pci_same_slot(&d->addr, &g->addr)) {
		if (d->class >> 8 == 0x0403)
			buf_puts(c, "HDMI audio of the GPU");
		else
			buf_printf(c, "%s of the GPU", d->class_name ? d->class_name : "a function");
		if (d->iommu_group == g->iommu_group)
			buf_puts(c, ", same group");
		else
			buf_printf(c, ", IOMMU group %d: a function stays with its card", d->iommu_group);
	} else {
		buf_printf(c, "%s: in IOMMU group %d with the GPU, so it goes too", describe(d, &e),
			   d->iommu_group);
	}
	(void)hw;
	buf_free(&e);
}

static void entry(struct buf *b, const struct hw_pci *d, const char *comment, bool commented)
{
	char a[PCI_ADDR_STRLEN];
	struct buf t = {0};
	pci_addr_fmt(&d->addr, a);
	buf_printf(&t, "%s- { address: \"%s\", id: \"%04x:%04x\" }", commented ? "# " : "", a,
		   d->vendor, d->device);
	line(b, 6, buf_str(&t), comment);
	buf_free(&t);
}

static void entries(struct buf *b, const struct hw *hw, const struct init_gpu *g, bool commented)
{
	struct buf c = {0};
	for (size_t i = 0; i < hw->npci; i++)
		if (g->take[i]) {
			c.len = 0;
			role(hw, &hw->pci[g->dev], &hw->pci[i], &c);
			entry(b, &hw->pci[i], buf_str(&c), commented);
		}
	buf_free(&c);
}

/* Why GPU g cannot go, and what to do, as comment lines. */
static void why_not(struct buf *b, const struct hw *hw, const struct init_gpu *g, const char *lead)
{
	struct buf t = {0}, e = {0};
	char a[PCI_ADDR_STRLEN], w[PCI_ADDR_STRLEN];
	pci_addr_fmt(&hw->pci[g->dev].addr, a);
	if (g->why != INIT_NONE)
		pci_addr_fmt(&hw->pci[g->why].addr, w);
	buf_puts(&t, lead);
	switch (g->block) {
	case INIT_NO_GROUP:
		buf_printf(&t, "%s: %s is in no IOMMU group, so it cannot be isolated.", a, w);
		break;
	case INIT_HOST_DISK:
		buf_printf(&t, "%s: its IOMMU group %d also holds %s, with the host's %s.", a,
			   hw->pci[g->why].iommu_group, w, hw->pci[g->why].host_fs);
		break;
	case INIT_HELD:
		buf_printf(&t, "%s: its IOMMU group %d also holds %s, the host's %s, on driver %s, "
			   "which the kernel does not allow in a group given to a VM.", a,
			   hw->pci[g->why].iommu_group, w, hw_platform_role(&hw->pci[g->why]),
			   hw->pci[g->why].driver);
		break;
	case INIT_HOST_ROUTE:
		buf_printf(&t, "%s: its IOMMU group %d also holds %s, the NIC of the host's default "
			   "route (%s).", a, hw->pci[g->why].iommu_group, w, hw->pci[g->why].host_route);
		break;
	case INIT_LAST_GPU:
		buf_printf(&t, "%s: the host's only GPU, %s.", a, describe(&hw->pci[g->dev], &e));
		break;
	default:
		buf_free(&t);
		return;
	}
	note(b, 4, buf_str(&t));
	if (g->block == INIT_LAST_GPU) {
		note(b, 6, "Passing it leaves the host without a screen while the VM runs; if that");
		t.len = 0;
		buf_printf(&t, "is what you want: `vfioc init --force --gpu %s`. Or add a GPU.", a);
		note(b, 6, buf_str(&t));
	} else {
		note(b, 6, "Move the card to a slot whose group is its own (`vfioc groups`).");
	}
	buf_free(&t);
	buf_free(&e);
}

/* Why no GPU goes to the VM, and what to do, as comment lines. */
static void why_none(struct buf *b, const struct hw *hw, const struct init_pick *p)
{
	if (!hw->ngroups) {
		bool amd = hw->cpu_vendor == CPU_AMD;
		note(b, 4, "No GPU is passed: the IOMMU is off (this host shows no IOMMU groups).");
		note(b, 4, amd ? "Enable AMD-Vi (IOMMU) in the firmware setup, build this config (its"
			       : "Enable VT-d in the firmware setup, build this config (its");
		note(b, 4, amd ? "kernel command line has " IOMMU_PARAM_AMD "), boot it, then run"
			       : "kernel command line has " IOMMU_PARAM_INTEL "), boot it, then run");
		if (p->suggested == INIT_NONE) {
			note(b, 4, "`vfioc init --force` again. This host has no GPU (PCI class 03xx):");
			note(b, 4, "pass other devices by address with an id guard (`vfioc groups`).");
			return;
		}
		note(b, 4, "`vfioc init --force` again. The GPU it would choose, to check then:");
		entries(b, hw, &p->gpus[p->suggested], true);
		return;
	}
	if (!p->ngpus) {
		note(b, 4, "No GPU is passed: this host has no GPU (PCI class 03xx).");
		note(b, 4, "Pass other devices by address with an id guard; `vfioc groups` lists them.");
		return;
	}
	note(b, 4, "No GPU is passed:");
	for (size_t k = 0; k < p->ngpus; k++)
		why_not(b, hw, &p->gpus[k], "");
}

/* Above the chosen GPU's entries: why the others were not chosen. */
static void why_others(struct buf *b, const struct hw *hw, const struct init_pick *p)
{
	for (size_t k = 0; k < p->ngpus; k++)
		if (k != p->chosen && p->gpus[k].block != INIT_OK && p->gpus[k].block != INIT_LAST_GPU)
			why_not(b, hw, &p->gpus[k], "Not ");
}

/* The system disk and the two ISOs Windows Setup needs, the ISOs as placeholders. */
static void install_media(struct buf *b)
{
	line(b, 4, "disks:", "what Windows Setup needs");
	note(b, 6, "The system disk on virtio, faster than SATA. Windows has no driver for it: at");
	note(b, 6, "\"Where do you want to install Windows?\" choose \"Load driver\" and the");
	note(b, 6, "virtio-win CD's viostor\\w11\\amd64. `bus: sata` needs no driver, and is slower.");
	line(b, 6, "- { path: " MEDIA_IMAGE_DIR VM_NAME ".qcow2 }",
	     "sudo qemu-img create -f qcow2 " MEDIA_IMAGE_DIR VM_NAME ".qcow2 " MEDIA_DISK_SIZE);
	note(b, 6, "CHANGE-ME: where you saved the two ISOs (`vfioc check` names a missing one).");
	note(b, 6, "The disk boots first: while it is empty, the firmware goes on to the Windows");
	note(b, 6, "CD (press a key when it asks). The CDs stay attached until you remove them.");
	line(b, 6, "- cdrom: " MEDIA_ISO_DIR MEDIA_PLACEHOLDER "-windows.iso", MEDIA_WINDOWS_URL);
	line(b, 6, "- cdrom: " MEDIA_ISO_DIR MEDIA_PLACEHOLDER "-virtio-win.iso", MEDIA_VIRTIO_URL);
}

/* Input for a VM whose screen is the passed GPU: the host's USB keyboard and mouse, which
 * work in the firmware and Setup with no guest driver; or, when none is known, how to. */
static void input(struct buf *b, const struct hw *hw)
{
	struct buf t = {0}, c = {0};
	size_t n = 0;
	for (size_t i = 0; i < hw->nusb; i++) {
		const struct hw_usb *u = &hw->usb[i];
		if (!init_is_input(u) || !schema_check_string(SC_USBPORT, u->port, &(const char *){0}))
			continue;
		if (!n++)
			line(b, 4, "usb:", "keyboard and mouse: the VM's while it runs; USB works in the "
			     "firmware and Setup, before any driver");
		size_t same = 0;
		for (size_t k = 0; k < hw->nusb; k++)
			same += hw->usb[k].vendor == u->vendor && hw->usb[k].product == u->product;
		t.len = c.len = 0;
		if (same > 1)
			buf_printf(&t, "- { id: \"%04x:%04x\", bus-port: \"%s\" }", u->vendor, u->product,
				   u->port);
		else
			buf_printf(&t, "- \"%04x:%04x\"", u->vendor, u->product);
		buf_printf(&c, "%s: %s%s%s", u->port, u->manufacturer ? u->manufacturer : "",
			   u->manufacturer ? " " : "", u->product_name);
		line(b, 6, buf_str(&t), buf_str(&c));
	}
	if (n) {
		note(b, 4, "To keep them on the host and switch with both Ctrl keys instead, replace");
		note(b, 4, "usb: with evdev: and their /dev/input/by-id/*-event-kbd and *-event-mouse.");
	} else {
		note(b, 4, "Keyboard and mouse: this snapshot names none. Pass them by USB (usb:");
		note(b, 4, "[\"vendor:product\"] as lsusb shows them), or share the host's, switched with");
		note(b, 4, "both Ctrl keys (ls /dev/input/by-id):");
		note(b, 4, "evdev:");
		note(b, 4, "  - /dev/input/by-id/CHANGE-ME-event-kbd");
		note(b, 4, "  - /dev/input/by-id/CHANGE-ME-event-mouse");
	}
	buf_free(&t);
	buf_free(&c);
}

static void vm(struct buf *b, const struct hw *hw, const struct init_pick *p)
{
	line(b, 0, "", NULL);
	line(b, 0, "vms:", NULL);
	line(b, 2, VM_NAME ":", "one Windows 11 VM; rename it freely");
	memory(b, hw);
	vcpus(b, hw);
	line(b, 4, "firmware: uefi", NULL);
	line(b, 4, "secure-boot: true", "Windows 11 asks for Secure Boot and a TPM 2.0");
	line(b, 4, "tpm: true", NULL);
	line(b, 4, "hyperv: true", "Hyper-V enlightenments: Windows runs faster");
	if (p->chosen != INIT_NONE) {
		line(b, 4, "pci:", p->forced ? "the GPU chosen with --gpu, with what goes along"
				   : "the best GPU, with what goes along; vfio-pci takes them at boot");
		why_others(b, hw, p);
		entries(b, hw, &p->gpus[p->chosen], false);
	} else {
		line(b, 4, "pci: []", "see why below");
		why_none(b, hw, p);
	}
	install_media(b);
	line(b, 4, "network: default", "libvirt's NAT network; Windows's driver: NetKVM on virtio-win");
	if (p->chosen != INIT_NONE) {
		line(b, 4, "graphics: none", "the passed GPU's monitor shows firmware, Setup and "
		     "Windows; vnc adds an emulated screen");
		input(b, hw);
	} else {
		line(b, 4, "graphics: spice", "no GPU is passed: screen, keyboard and mouse are "
		     "virt-manager's window");
	}
}

void init_yaml(const struct hw *hw, const struct init_pick *p, const struct init_env *env,
	       struct buf *out)
{
	header(out, env);
	target(out, env);
	host(out, hw, p, env);
	vm(out, hw, p);
}
