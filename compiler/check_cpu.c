/* check_cpu.c: CPU lists of the config (vCPU pins, emulator pins, isolated CPUs) against the
 * CPUs the host has. */
#include <stdlib.h>

#include "check.h"

/* The host's CPUs as a list, for "it has CPUs 0-15". */
static void host_cpus(const struct hw *hw, struct buf *out)
{
	struct cpulist l = { xmalloc((hw->ncpus ? hw->ncpus : 1) * sizeof(unsigned)), hw->ncpus };
	for (size_t i = 0; i < hw->ncpus; i++)
		l.cpu[i] = hw->cpus[i].id;
	cpulist_fmt(&l, out);
	free(l.cpu);
}

static void check_list(struct check_ctx *cx, const struct cfg_cpus *c, const char *what)
{
	if (!c->v.n)
		return;
	struct cpulist missing = { xmalloc(c->v.n * sizeof(unsigned)), 0 };
	for (size_t i = 0; i < c->v.n; i++)
		if (!hw_find_cpu(cx->hw, c->v.cpu[i]))
			missing.cpu[missing.n++] = c->v.cpu[i];
	if (missing.n) {
		struct buf m = {0}, have = {0};
		cpulist_fmt(&missing, &m);
		host_cpus(cx->hw, &have);
		struct diag *d = diag_emit(cx->ds, D_CPU_MISSING, &c->loc,
					   "%s names CPU %s, which this host does not have", what,
					   buf_str(&m));
		diag_note(d, NULL, "the host has CPUs %s", buf_str(&have));
		buf_free(&m);
		buf_free(&have);
	}
	free(missing.cpu);
}

void check_cpus(struct check_ctx *cx)
{
	if (!cx->hw->ncpus)   /* unknown: nothing to compare with */
		return;
	check_list(cx, &cx->cfg->host.isolate_cpus, "host.isolate-cpus");
	check_list(cx, &cx->cfg->host.isolate_cpus_while_running, "host.isolate-cpus-while-running");
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		check_list(cx, &vm->pin, "cpu.pin");
		check_list(cx, &vm->emulator_pin, "cpu.emulator-pin");
	}
}
