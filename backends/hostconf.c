/* hostconf.c: host configuration text shared by the NixOS module and the root/ tree. */
#include <stdlib.h>
#include <string.h>

#include "backends/emit.h"
#include "backends/hostconf.h"

bool hostconf_override(const struct plan *p)
{
	return p->strategy == STRATEGY_DRIVER_OVERRIDE && p->noverride;
}

char *hostconf_override_why(const struct plan *p)
{
	const char *r = p->strategy_reason && *p->strategy_reason ? p->strategy_reason : NULL;
	size_t rn = r ? strlen(r) : 0;
	return xasprintf("Binding by PCI address (driver_override)%s%s%s", r ? ": " : ".",
			 r ? r : "", r && r[rn - 1] != '.' ? "." : "");
}

/* Under the driver-override binding: modprobe's install command for vfio_pci, which writes
 * vfio-pci to each passed device's driver_override before loading the module. Whatever
 * loads vfio_pci runs it: an initramfs's module list, systemd-modules-load, udev, and the
 * softdep of a host driver, which loads vfio-pci first, so it holds whatever order the
 * initramfs loads modules in and where a host driver is itself an initramfs module. A
 * driver_override written later (a udev rule, a script) comes after such a driver has taken
 * the device's twin. $CMDLINE_OPTS is modprobe's: the options of the kernel command line. */
static void override_install(struct buf *t, const struct plan *p)
{
	buf_puts(t, "install vfio_pci for d in");
	for (size_t i = 0; i < p->noverride; i++) {
		char a[PCI_ADDR_STRLEN];
		pci_addr_fmt(&p->override_addrs[i], a);
		buf_printf(t, " %s", a);
	}
	buf_puts(t, "; do echo vfio-pci > /sys/bus/pci/devices/$d/driver_override; done; "
		    "modprobe --ignore-install vfio_pci $CMDLINE_OPTS\n");
}

void hostconf_modprobe(struct buf *t, const struct plan *p)
{
	for (size_t i = 0; i < p->softdep_drivers.n; i++)
		buf_printf(t, "softdep %s pre: vfio-pci\n", p->softdep_drivers.v[i]);
	if (hostconf_override(p))
		override_install(t, p);
}

void hostconf_blacklist(struct buf *t, const struct plan *p)
{
	for (size_t i = 0; i < p->blacklist_drivers.n; i++)
		buf_printf(t, "blacklist %s\n", p->blacklist_drivers.v[i]);
}

const char *hostconf_first_user(const struct plan *p)
{
	return p->users.n ? p->users.v[0] : "root";
}

const char *hostconf_qemu_group(const struct plan *p)
{
	if (p->qemu_group)
		return p->qemu_group;
	if (p->family != FAMILY_NIXOS)
		return "kvm";
	return p->run_as_root ? "kvm" : "qemu-libvirtd";
}

/* Whether namespaces = [] is written: NixOS writes it itself, and its verbatimConfig
 * replaces NixOS's, so there it stays unless namespaces are wanted; another distribution
 * keeps its own default unless the config turned them off. */
static bool namespaces_off(const struct plan *p)
{
	return p->family == FAMILY_NIXOS ? !p->qemu_namespaces
					 : p->qemu_namespaces_written && !p->qemu_namespaces;
}

bool hostconf_qemu_conf_wanted(const struct plan *p)
{
	if (!p->libvirt_enable)
		return false;
	if (p->family == FAMILY_NIXOS)  /* namespaces: NixOS's line is only kept with others */
		return p->qemu_user || p->qemu_group || p->qemu_namespaces ||
		       p->cgroup_device_acl.n;
	return p->qemu_user || p->qemu_group || namespaces_off(p) || p->cgroup_device_acl.n;
}

void hostconf_qemu_conf(struct buf *t, const struct plan *p, bool one_line)
{
	if (namespaces_off(p))
		buf_puts(t, "namespaces = []\n");
	const char *user = p->qemu_user, *group = p->qemu_group;
	if (p->family == FAMILY_NIXOS && (user || group)) {
		/* Both, the one not given NixOS's: NixOS writes neither (nixos_setup.h,
		 * nixos_qemu_user_in_verbatim). */
		user = user ? user : "qemu-libvirtd";
		group = group ? group : "qemu-libvirtd";
	}
	if (user)
		buf_printf(t, "user = \"%s\"\n", user);
	if (group)
		buf_printf(t, "group = \"%s\"\n", group);
	if (!p->cgroup_device_acl.n)
		return;
	buf_puts(t, one_line ? "cgroup_device_acl = [" : "cgroup_device_acl = [\n");
	for (size_t i = 0; i < p->cgroup_device_acl.n; i++) {
		bool last = i + 1 == p->cgroup_device_acl.n;
		if (one_line)
			buf_printf(t, " \"%s\"%s", p->cgroup_device_acl.v[i], last ? "" : ",");
		else
			buf_printf(t, "  \"%s\"%s\n", p->cgroup_device_acl.v[i], last ? "" : ",");
	}
	buf_puts(t, one_line ? " ]\n" : "]\n");
}

void hostconf_kvmfr_sizes(struct buf *t, const struct plan *p)
{
	for (size_t i = 0; i < p->nkvmfr; i++)
		buf_printf(t, "%s%llu", i ? "," : "", (unsigned long long)p->kvmfr_mib[i]);
}

void hostconf_kvmfr_rule(struct buf *t, const struct plan *p)
{
	buf_printf(t, "SUBSYSTEM==\"kvmfr\", OWNER=\"%s\", GROUP=\"%s\", MODE=\"0660\"\n",
		   hostconf_first_user(p), hostconf_qemu_group(p));
}

/* The group of the Looking Glass file: qemu-config's group; else on NixOS libvirtd's (QEMU
 * as root) or QEMU's user's; elsewhere QEMU's group. */
static const char *shm_group(const struct plan *p)
{
	if (p->family != FAMILY_NIXOS || p->qemu_group)
		return hostconf_qemu_group(p);
	return p->run_as_root ? "libvirtd" : "qemu-libvirtd";
}

void hostconf_looking_glass_rules(struct plan_strlist *out, const struct plan *p, struct arena *a)
{
	out->v = arena_array(a, p->nvms, sizeof(char *));
	out->n = 0;
	for (size_t i = 0; i < p->nvms; i++) {
		if (!p->vms[i].looking_glass_mib || p->vms[i].kvmfr)
			continue;
		char *name = emit_looking_glass_name(&p->vms[i]);
		out->v[out->n++] = arena_printf(a, "f /dev/shm/%s 0660 %s %s -", name,
						hostconf_first_user(p), shm_group(p));
		free(name);
	}
}
