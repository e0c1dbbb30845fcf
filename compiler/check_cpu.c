/* check_cpu.c: CPU lists of the config (vCPU pins, emulator pins, isolated CPUs) against the
 * CPUs the host has. */
#include <stdlib.h>

#include "compiler/check.h"

/* The host's CPUs as a list, for "it has CPUs 0-15". */
static void host_cpus(const struct hw *hw, struct buf *out)
{
	struct cpulist l = { xmalloc_array(hw->ncpus, sizeof(unsigned)), hw->ncpus };
	for (size_t i = 0; i < hw->ncpus; i++)
		l.cpu[i] = hw->cpus[i].id;
	cpulist_fmt(&l, out);
	free(l.cpu);
}

static void check_list(const struct check_ctx *cx, const struct cfg_cpus *c, const char *what)
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

/* The pins reordered so that each CPU is followed by its siblings among them (out holds
 * pin->n): "4,12,5,13,6,14,7,15" for "4-7,12-15" where the siblings are n and n+8. */
static void sibling_order(const struct hw *hw, const struct cpulist *pin, unsigned *out)
{
	bool *used = xcalloc(pin->n, sizeof(*used));
	size_t n = 0;
	for (size_t i = 0; i < pin->n; i++) {
		if (used[i])
			continue;
		out[n++] = pin->cpu[i];
		for (size_t j = i + 1; j < pin->n; j++)
			if (!used[j] && hw_smt_siblings(hw, pin->cpu[i], pin->cpu[j])) {
				used[j] = true;
				out[n++] = pin->cpu[j];
			}
	}
	free(used);
}

/* An explicit topology whose threads the pins contradict: the guest would schedule two
 * vCPUs as one core's threads on host CPUs that are separate cores, or the reverse. */
static void check_topology_smt(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	const struct cfg_topology *t = &vm->topology;
	const struct cpulist *pin = &vm->pin.v;
	if (!LOC_SET(t->loc) || pin->n != vm->vcpus.v || t->sockets.v * t->cores.v * t->threads.v != pin->n)
		return;
	for (size_t i = 0; i < pin->n; i++)
		if (!hw_find_cpu(cx->hw, pin->cpu[i]))
			return;   /* cpu-missing says so */
	unsigned have = (unsigned)t->threads.v, want = hw_pin_threads(cx->hw, pin);
	if (have == want)
		return;
	struct diag *d;
	if (have > 1 && hw_pin_split(cx->hw, pin, have) < pin->n) {
		size_t b = hw_pin_split(cx->hw, pin, have);
		struct buf cpus = {0};
		for (size_t i = b; i < b + have; i++)
			buf_printf(&cpus, "%s%u", i > b ? (i + 1 < b + have ? ", " : " and ") : "",
				   pin->cpu[i]);
		d = diag_emit(cx->ds, D_TOPOLOGY_SMT, &t->threads.loc,
			      "cpu.topology of VM '%s' makes vCPUs %zu-%zu threads of one core, but "
			      "they are pinned to host CPUs %s, which are not SMT siblings",
			      vm->name, b, b + have - 1, buf_str(&cpus));
		buf_free(&cpus);
	} else {
		d = diag_emit(cx->ds, D_TOPOLOGY_SMT, &t->threads.loc,
			      "cpu.topology of VM '%s' gives each core %u thread%s, but the pins put "
			      "vCPUs 0-%u on SMT siblings of one host core", vm->name, have,
			      have == 1 ? "" : "s", want - 1);
	}
	diag_note(d, &vm->pin.loc, "vCPUs pinned here");
	diag_hint(d, "for these pins: 'topology: { sockets: 1, cores: %zu, threads: %u }'",
		  pin->n / want, want);
	struct cpulist order = { xmalloc(pin->n * sizeof(unsigned)), pin->n };
	sibling_order(cx->hw, pin, order.cpu);
	unsigned paired = hw_pin_threads(cx->hw, &order);
	if (paired > 1 && paired != want) {
		struct buf list = {0};
		for (size_t i = 0; i < order.n; i++)
			buf_printf(&list, "%s%u", i ? "," : "", order.cpu[i]);
		diag_hint(d, "or pin in sibling groups: 'pin: \"%s\"' (then threads: %u)",
			  buf_str(&list), paired);
		buf_free(&list);
	}
	free(order.cpu);
}

static void run(const struct check_ctx *cx)
{
	if (!cx->hw->ncpus)   /* unknown: nothing to compare with */
		return;
	check_list(cx, &cx->cfg->host.isolate_cpus, "host.isolate-cpus");
	check_list(cx, &cx->cfg->host.isolate_cpus_while_running, "host.isolate-cpus-while-running");
	for (size_t i = 0; i < cx->cfg->nvms; i++) {
		const struct cfg_vm *vm = &cx->cfg->vms[i];
		check_list(cx, &vm->pin, "cpu.pin");
		check_list(cx, &vm->emulator_pin, "cpu.emulator-pin");
		check_topology_smt(cx, vm);
	}
}

const struct check check_cpus = { "cpus", run, NEEDS_HW };
