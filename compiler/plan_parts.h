/* plan_parts.h: the parts plan.c assembles the plan from (internal to plan*.c, and the
 * unit tests of the pure ones). The pipeline's entry is plan_build.h. */
#ifndef VFIOC_PLAN_PARTS_H
#define VFIOC_PLAN_PARTS_H

#include <stdint.h>

#include "compiler/check.h"
#include "compiler/plan.h"

/* A UUID (version 8, variant 10) and MAC 52:54:00:xx:xx:xx derived from the host identity
 * (hw.host_id; NULL: none known) and the VM's name (plan_ident.c). */
void plan_uuid(const char *host_id, const char *name, uint8_t uuid[16]);
void plan_mac(const char *host_id, const char *name, uint8_t mac[6]);
/* The hex digits of a checked uuid: or mac: value as n bytes. */
void plan_parse_hex(const char *s, uint8_t *out, size_t n);

/* The config's path relative to outdir, from the real paths of both; the file's base name
 * when outdir is NULL or no relative path can be formed (plan_path.c). In the arena. */
const char *plan_config_rel(struct arena *a, const char *config, const char *outdir);

/* Host-wide parts: binding, vfio IDs, kernel parameters, initrd modules, softdeps, and the
 * host settings copied from the config (plan_host.c). */
void plan_host(struct plan *p, const struct check_ctx *cx);

/* One VM (plan_vm.c). */
void plan_vm(struct plan *p, const struct check_ctx *cx, size_t vm, struct plan_vm *out);

#endif
