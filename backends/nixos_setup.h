/* nixos_setup.h: the parts of vfio.nix for the setups around passthrough: blacklisted
 * drivers, qemu.conf, Looking Glass on kvmfr, Scream, the libvirt hooks and nixos-extra.
 * For backends/nixos.c only. */
#ifndef VFIOC_NIXOS_SETUP_H
#define VFIOC_NIXOS_SETUP_H

#include "backends/backend.h"

/* Whether qemu.conf's user and group are written in verbatimConfig, with NixOS's runAsRoot
 * set to true only so that NixOS writes none of its own: with runAsRoot false NixOS writes
 * user = "qemu-libvirtd" and group = "qemu-libvirtd" BEFORE verbatimConfig
 * (nixos/modules/virtualisation/libvirtd.nix, qemuConfigFile; runAsRoot decides nothing
 * else there), and libvirt takes the first entry of a name (src/util/virconf.c,
 * virConfGetValue walks the entries from the first), so a user or group of qemu-config
 * written after them would be ignored. True when run-as-root is false and qemu-config
 * sets a user or group. */
bool nixos_qemu_user_in_verbatim(const struct plan *p);

/* Append them to the module body b (indented two spaces), each only when the plan asks. */
void nixos_emit_setup(struct buf *b, const struct plan *p);

#endif
