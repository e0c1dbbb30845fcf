/* check.c: the table of checks and the context they share. */
#include <stdlib.h>

#include "check.h"

const struct check checks[] = {
	{ "config",   check_config,   CONFIG_ONLY },
	{ "host",     check_host,     NEEDS_HW },
	{ "devices",  check_devices,  NEEDS_HW },   /* fills cx->vms, cx->owner */
	{ "boot-gpu", check_boot_gpu, NEEDS_HW },   /* reads every VM's cx->owner */
	{ "groups",   check_groups,   NEEDS_HW },
	{ "binding",  check_binding,  NEEDS_HW },   /* sets cx->bind */
	{ "cpus",     check_cpus,     NEEDS_HW },
	{ "memory",   check_memory,   NEEDS_HW },
	{ "usb",      check_usb,      NEEDS_HW },
	{ "slots",    check_slots,    NEEDS_HW },
	{ NULL, NULL, false },
};

void checks_run(struct check_ctx *cx)
{
	for (const struct check *c = checks; c->name; c++)
		if (cx->hw || !c->needs_hw)
			c->run(cx);
}

void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds)
{
	*cx = (struct check_ctx){ .cfg = cfg, .hw = hw, .ds = ds, .iommu = IOMMU_OFF };
	cx->vms = xcalloc(cfg->nvms ? cfg->nvms : 1, sizeof(*cx->vms));
	if (!hw)
		return;
	size_t n = hw->npci ? hw->npci : 1;
	cx->owner = xmalloc(n * sizeof(*cx->owner));
	for (size_t i = 0; i < hw->npci; i++)
		cx->owner[i] = NO_VM;
	cx->owner_entry = xcalloc(n, sizeof(*cx->owner_entry));
	cx->stamp = xcalloc(n, sizeof(*cx->stamp));
	cx->group_stamp = xcalloc(hw->ngroups ? hw->ngroups : 1, sizeof(*cx->group_stamp));
}

void check_ctx_fini(struct check_ctx *cx)
{
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		free(cx->vms[i].dev);
	free(cx->vms);
	free(cx->owner);
	free(cx->owner_entry);
	free(cx->stamp);
	free(cx->group_stamp);
	free(cx->bind_reason);
}
