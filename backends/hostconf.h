/* hostconf.h: the host configuration both host backends write, as text in the formats of
 * the programs that read it: modprobe.d lines (softdeps, the driver_override install line,
 * blacklists), qemu.conf settings, kvmfr's options and udev rule, the Looking Glass tmpfiles
 * rule. backends/nixos*.c wrap them in Nix; backends/distro*.c write them as files under
 * root/. For backends only. */
#ifndef VFIOC_HOSTCONF_H
#define VFIOC_HOSTCONF_H

#include <stdbool.h>

#include "backends/backend.h"

/* Whether boot-bound devices are bound by address (driver_override) and there are some. */
bool hostconf_override(const struct plan *p);
/* Why, as one sentence ending in a period, for a comment. Malloc'd. */
char *hostconf_override_why(const struct plan *p);
/* "softdep DRV pre: vfio-pci" for each driver, then under driver_override the install line
 * for vfio_pci that writes driver_override before the module loads. Lines end in "\n". */
void hostconf_modprobe(struct buf *t, const struct plan *p);
/* "blacklist DRV" lines of host.blacklist-drivers. */
void hostconf_blacklist(struct buf *t, const struct plan *p);

/* The user named in group-owned files: the first of host.users, else root. */
const char *hostconf_first_user(const struct plan *p);
/* The group QEMU runs in, for the files it shares with the user: qemu-config.group, else on
 * NixOS qemu-libvirtd (or kvm as root), elsewhere kvm, the group Looking Glass documents and
 * the distributions' QEMU users belong to. */
const char *hostconf_qemu_group(const struct plan *p);

/* qemu.conf settings as "key = value" lines, a list one item a line or (one_line) all on
 * one, as libvirt's conf syntax takes either. On NixOS `namespaces = []` unless namespaces are wanted (NixOS's
 * own default, which a verbatimConfig replaces); elsewhere only when the config says so. */
bool hostconf_qemu_conf_wanted(const struct plan *p);
void hostconf_qemu_conf(struct buf *t, const struct plan *p, bool one_line);

/* kvmfr: "64,128", the static_size_mb of /dev/kvmfr0, 1, ...; and its udev rule line. */
void hostconf_kvmfr_sizes(struct buf *t, const struct plan *p);
void hostconf_kvmfr_rule(struct buf *t, const struct plan *p);

/* The tmpfiles.d lines creating each VM's Looking Glass file in /dev/shm (VMs with
 * looking-glass on shm); none when no VM has one. */
void hostconf_looking_glass_rules(struct plan_strlist *out, const struct plan *p, struct arena *a);

#endif
