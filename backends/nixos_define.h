/* nixos_define.h: vfio.nix's vfioc-define-domains service. For backends/nixos.c only. */
#ifndef VFIOC_NIXOS_DEFINE_H
#define VFIOC_NIXOS_DEFINE_H

#include "backends/backend.h"

/* Append the service to the module body b (indented two spaces), when the plan defines
 * domains: it defines each VM's domain, sets its autostart and undefines the domains of
 * VMs that left the config, naming every domain to virsh by its UUID. */
void nixos_emit_define(struct buf *b, const struct plan *p);

#endif
