/* nixos_setup.h: the parts of vfio.nix for the setups around passthrough: blacklisted
 * drivers, qemu.conf, Looking Glass on kvmfr, Scream, the libvirt hooks and nixos-extra.
 * For backends/nixos.c only. */
#ifndef VFIOC_NIXOS_SETUP_H
#define VFIOC_NIXOS_SETUP_H

#include "backends/backend.h"

/* Append them to the module body b (indented two spaces), each only when the plan asks. */
void nixos_emit_setup(struct buf *b, const struct plan *p);

#endif
