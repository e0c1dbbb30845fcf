/* check.c: the list of checks, in the order they run, and the context they share. A check
 * is one record in its check_*.c and two lines here (check.h says what else it takes). */
#include <stdlib.h>

#include "compiler/check.h"

extern const struct check check_config;
extern const struct check check_host;
extern const struct check check_devices;
extern const struct check check_boot_gpu;
extern const struct check check_host_blocks;
extern const struct check check_groups;
extern const struct check check_binding;
extern const struct check check_cpus;
extern const struct check check_memory;
extern const struct check check_usb;
extern const struct check check_blacklist;
extern const struct check check_qemu_user;
extern const struct check check_audio_server;
extern const struct check check_cpu_host;
extern const struct check check_ident;
extern const struct check check_single_gpu;
extern const struct check check_slots;
extern const struct check check_target;
extern const struct check check_target_keys;
extern const struct check check_media;
extern const struct check check_ovmf_files;

const struct check *const checks[] = {
	&check_config,
	&check_target_keys,
	&check_host,
	&check_devices,
	&check_boot_gpu,
	&check_host_blocks,
	&check_groups,
	&check_binding,
	&check_target,
	&check_cpus,
	&check_memory,
	&check_usb,
	&check_blacklist,
	&check_qemu_user,
	&check_audio_server,
	&check_cpu_host,
	&check_ident,
	&check_single_gpu,
	&check_slots,
	&check_media,
	&check_ovmf_files,
	NULL,
};

void checks_run(const struct check_ctx *cx)
{
	for (size_t i = 0; checks[i]; i++)
		if (cx->hw || !checks[i]->needs_hw)
			checks[i]->run(cx);
}

void check_ctx_init(struct check_ctx *cx, const struct config *cfg, const struct hw *hw,
		    struct diags *ds)
{
	*cx = (struct check_ctx){ .cfg = cfg, .hw = hw, .ds = ds };
	resolve(&cx->res, cfg, hw, ds);
	if (!hw)
		return;
	cx->stamp = xcalloc(hw->npci, sizeof(*cx->stamp));
}

void check_ctx_fini(struct check_ctx *cx)
{
	resolved_fini(&cx->res, cx->cfg->nvms);
	free(cx->stamp);
}
