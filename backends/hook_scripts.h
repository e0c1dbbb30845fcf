/* backends/hook_scripts.h: the libvirt hook scripts of the NixOS module (virtualisation.libvirtd.hooks.qemu):
 * POSIX sh bodies, without a shebang: Nix's writeShellScript adds one naming the shell by
 * its store path, so they run in libvirt's bare hook environment. For backends only. */
#ifndef VFIOC_HOOKS_H
#define VFIOC_HOOKS_H

#include <stdbool.h>

#include "backends/backend.h"

/* Whether any VM is single-gpu / the host takes CPUs while VMs run. */
bool hooks_single_gpu_wanted(const struct plan *p);
bool hooks_isolation_wanted(const struct plan *p);

/* The bodies, appended to sh. */
void hooks_single_gpu(const struct plan *p, struct buf *sh);
void hooks_isolation(const struct plan *p, struct buf *sh);

#endif
