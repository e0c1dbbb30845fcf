/* verify.h: `vfioc verify`: the booted host against the plan. The facts are collected here
 * (tools/verify/host.c for the kernel, drivers, groups and reservations; tools/verify/libvirt.c for
 * the defined domains) and printed by cmd_verify.c, one line each. */
#ifndef VFIOC_VERIFY_H
#define VFIOC_VERIFY_H

#include <stdbool.h>

#include "compiler/plan.h"
#include "hw/hw.h"
#include "model/config.h"

enum fact_state { FACT_OK, FACT_FAIL, FACT_SKIP };

/* A fact's fields besides its line, for --format json: a script reads what was compared
 * from them rather than from the prose. */
struct fact {
	enum fact_state state;
	const char *code;      /* what kind of fact: one of FACT_CODES below */
	char *device;          /* what it is about: a PCI address, /dev/vfio/N, a domain; or NULL */
	char *expected;        /* what the plan wants there; NULL: nothing to compare */
	char *actual;          /* what the booted host has; NULL: unknown or nothing */
	char *text;            /* one line: what holds, or what does not */
	char **hints;          /* likely cause and fix, for FACT_FAIL (or why skipped) */
	size_t nhints, cap;
};

/* The codes, stable for scripts: iommu, kernel-cmdline, device-present, group-viable,
 * driver, id-twin, vfio-group, iommu-groups, hugepages, isolated-cpus, audio-user, domain,
 * libvirt, media (a disk image, block device or ISO), firmware (an OVMF file the domain
 * names), network (a libvirt network a VM uses). */

struct facts {
	struct fact *v;
	size_t n, cap;
};

struct fact *fact_add(struct facts *fs, enum fact_state s, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* What the fact is about, and the values compared (each copied; NULL: none). */
void fact_about(struct fact *f, const char *device, const char *expected, const char *actual);
void fact_hint(struct fact *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool facts_failed(const struct facts *fs);
void facts_free(struct facts *fs);

struct verify_in {
	const struct config *cfg;
	const struct plan *plan;
	const struct hw *planned;    /* the hardware the plan was built from */
	const char *snapshot;        /* its snapshot file, or NULL when it is the live host */
	const struct hw *live;       /* the booted host */
	const char *root;            /* where live was read: "/" or a test root */
	const char *uri;             /* libvirt connection URI */
};

/* The hints that name the target's commands (tools/verify/target.c): how to boot a new
 * configuration, where the boot loader takes the parameters from, and (families other than
 * NixOS) what puts the softdeps into the initramfs. */
const char *verify_rebuild_hint(const struct plan *p);
const char *verify_bootentry_hint(const struct plan *p);
const char *verify_modules_hint(const struct plan *p);

/* IOMMU, kernel command line, drivers, ID twins, /dev/vfio, groups, hugepages, isolation. */
void verify_host(const struct verify_in *in, struct facts *out);
/* The files each VM starts from (disks, ISOs, firmware) are on the host (tools/verify/media.c). */
void verify_media(const struct verify_in *in, struct facts *out);
/* Each domain as defined in libvirt against the one vfioc generates (virsh dumpxml). */
void verify_libvirt(const struct verify_in *in, struct facts *out);

#endif
