/* release.h: facts about NixOS releases that decide what the outputs may contain. */
#ifndef VFIOC_RELEASE_H
#define VFIOC_RELEASE_H

#include <stdbool.h>

#include "model/config.h"

/* The kernel series a release boots by default (its linuxPackages): "6.12". */
const char *release_default_kernel(enum nixos_release r);

/* Whether the release still has virtualisation.libvirtd.qemu.ovmf (removed in 25.11, where
 * libvirt selects QEMU's own UEFI firmware by its descriptors). */
bool release_has_ovmf(enum nixos_release r);
/* Where NixOS's libvirtd links UEFI firmware: up to 25.05 the OVMF build of qemu.ovmf
 * (OVMF_CODE.fd, OVMF_VARS.fd, the .ms.fd pair with msVarsTemplate), from 25.11 the edk2
 * images QEMU's firmware descriptors name (edk2-x86_64-secure-code.fd, edk2-i386-vars.fd). */
#define NIXOS_OVMF_DIR "/run/libvirt/nix-ovmf"
/* Whether a file of that name in NIXOS_OVMF_DIR is one release r puts there, by the naming
 * of each layout ("OVMF_*" up to 25.05, "edk2-*" from 25.11). */
bool release_ships_ovmf_file(enum nixos_release r, const char *name);
/* Whether boot.initrd.kernelModules is a set of names (from 25.11), loaded in alphabetical
 * order whatever lib.mkBefore says, rather than a list loaded in order. */
bool release_sorts_modules(enum nixos_release r);
/* The oldest kernel series the release still ships: 5.4 for 25.05. */
void release_oldest_kernel(enum nixos_release r, unsigned *major, unsigned *minor);

/* The newest numbered release vfioc knows; `unstable` is anything from it on. */
#define NIXOS_NEWEST ((enum nixos_release)(NIXOS_UNSTABLE - 1))

/* Whether s names a NixOS release ("YY.05" or "YY.11") newer than NIXOS_NEWEST: people
 * upgrade NixOS before vfioc, so such a release is taken as the newest vfioc knows. */
bool release_is_newer(const char *s);

/* Whether both name releases ("YY.MM") and candidate is the older: a "did you mean" for
 * value never offers it. */
bool release_older_than(const char *candidate, const char *value);

/* Whether a kernel series or release ("6.1", "5.15.0-105-generic") is older than
 * major.minor. A string that does not start with a version counts as new. */
bool kernel_before(const char *series, unsigned major, unsigned minor);

#endif
