/* check_cpu_host.c: the VMs' CPUs against the host's own: no VM with more vCPUs than the
 * host has CPUs, CPU isolation that leaves the host a CPU, vCPUs off the cores the host
 * keeps, emulator and I/O threads off the CPUs vCPUs run on. CPUs are marked by their index
 * in hw->cpus (hw_find_cpu, O(log n)), so every rule is linear in the lists' lengths. A CPU
 * the host does not have is cpu-missing's (check_cpu.c): the rules here skip it. */
#include <stdlib.h>

#include "compiler/check.h"

#define NO_CPU ((size_t)-1)

static size_t cpu_index(const struct hw *hw, unsigned id)
{
	const struct hw_cpu *c = hw_find_cpu(hw, id);
	return c ? (size_t)(c - hw->cpus) : NO_CPU;
}

static bool all_present(const struct hw *hw, const struct cpulist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (cpu_index(hw, l->cpu[i]) == NO_CPU)
			return false;
	return true;
}

/* The threads of one host core (its thread_siblings_list), 1 when unknown. */
static size_t threads_per_core(const struct hw *hw)
{
	return hw->ncpus && hw->cpus[0].siblings.n > 1 ? hw->cpus[0].siblings.n : 1;
}

/* More vCPUs than host CPUs take turns on them: a guest spinning on a lock whose holder's
 * vCPU is descheduled stalls, which a passed GPU's driver takes for a hung device. QEMU
 * starts such a VM with only a warning ("Number of SMP cpus requested (N) exceeds the
 * recommended cpus supported by KVM (M)", accel/kvm/kvm-all.c kvm_init; KVM recommends
 * num_online_cpus(), arch/x86/kvm/x86.c KVM_CAP_NR_VCPUS). */
static void check_vcpus(const struct check_ctx *cx, const struct cfg_vm *vm)
{
	size_t host = cx->hw->ncpus, tpc = threads_per_core(cx->hw);
	if (vm->vcpus.v <= host)
		return;
	struct diag *d = diag_emit(cx->ds, D_VCPUS_OVER_HOST, &vm->vcpus.loc,
				   "VM '%s' has %llu vCPUs, more than the host's %zu logical CPUs",
				   vm->name, (unsigned long long)vm->vcpus.v, host);
	diag_note(d, NULL, "vCPUs beyond the host's CPUs take turns on them: the guest stalls "
		  "whenever it waits on a vCPU that is not running");
	if (host > tpc)
		diag_hint(d, "set 'vcpus: %zu' or fewer; %zu leaves the host one core for itself",
			  host, host - tpc);
	else
		diag_hint(d, "set 'vcpus: %zu' or fewer", host);
}

/* Per host CPU: ISOLATED_BOOT when host.isolate-cpus takes it, ISOLATED_RUNNING when
 * host.isolate-cpus-while-running does. */
enum { ISOLATED_BOOT = 1, ISOLATED_RUNNING = 2 };

static void mark_list(const struct hw *hw, const struct cpulist *l, unsigned char *mark,
		      unsigned char bit)
{
	for (size_t i = 0; i < l->n; i++)
		mark[cpu_index(hw, l->cpu[i])] |= bit;
}

/* The list to write instead: every host CPU but the first core (CPU 0 and its siblings). */
static void all_but_first_core(const struct hw *hw, struct buf *out)
{
	struct cpulist l = { xmalloc_array(hw->ncpus, sizeof(unsigned)), 0 };
	for (size_t i = 0; i < hw->ncpus; i++)
		if (hw->cpus[i].id != hw->cpus[0].id &&
		    !hw_smt_siblings(hw, hw->cpus[0].id, hw->cpus[i].id))
			l.cpu[l.n++] = hw->cpus[i].id;
	cpulist_fmt(&l, out);
	free(l.cpu);
}

/* The host must keep a CPU. Given every CPU, the kernel takes the boot CPU back with only a
 * warning ("Housekeeping: must include one present CPU, using boot CPU",
 * kernel/sched/isolation.c housekeeping_setup), so the whole host, its interrupts and
 * kernel threads then share one CPU with whatever vCPU is pinned there; taken while VMs
 * run, systemd's AllowedCPUs leaves the host's services nowhere to run. */
static void check_isolation(const struct check_ctx *cx, const unsigned char *mark)
{
	const struct cfg_host *h = &cx->cfg->host;
	size_t kept_boot = 0, kept_running = 0;
	for (size_t i = 0; i < cx->hw->ncpus; i++) {
		kept_boot += !(mark[i] & ISOLATED_BOOT);
		kept_running += !mark[i];
	}
	if (kept_running)
		return;
	const char *key = kept_boot ? "isolate-cpus-while-running" : "isolate-cpus";
	const struct cfg_cpus *c = kept_boot ? &h->isolate_cpus_while_running : &h->isolate_cpus;
	struct diag *d;
	bool alone = !kept_boot || !h->isolate_cpus.v.n;  /* the one list takes every CPU */
	if (alone)
		d = diag_emit(cx->ds, D_ISOLATE_ALL_CPUS, &c->loc, "host.%s takes all %zu CPUs "
			      "of this host", key, cx->hw->ncpus);
	else
		d = diag_emit(cx->ds, D_ISOLATE_ALL_CPUS, &c->loc, "host.%s takes the %zu CPUs "
			      "host.isolate-cpus leaves this host", key, kept_boot);
	if (!alone)
		diag_note(d, &h->isolate_cpus.loc, "host.isolate-cpus takes the others here");
	if (!kept_boot)
		diag_note(d, NULL, "the kernel then keeps the boot CPU anyway (\"Housekeeping: "
			  "must include one present CPU\"): the whole host runs on one CPU");
	diag_hint(d, "leave the host at least one core (with its SMT sibling) for "
		  "systemd, libvirtd and QEMU's emulator threads");
	if (alone && cx->hw->ncpus > threads_per_core(cx->hw)) {
		struct buf l = {0};
		all_but_first_core(cx->hw, &l);
		diag_hint(d, "e.g. '%s: \"%s\"' keeps CPU %u%s", key, buf_str(&l),
			  cx->hw->cpus[0].id, threads_per_core(cx->hw) > 1 ? " and its SMT sibling" : "");
		buf_free(&l);
	}
}

/* vCPUs pinned to a CPU the host keeps (isolation leaves it unmarked), or to an SMT sibling
 * of one: siblings share one core's execution units and caches, so the host's work there
 * takes cycles from the vCPU (failure catalogue F20: pinned sets are whole cores, disjoint
 * from the host's). Without sibling lists in the snapshot only the first is seen. */
static void check_host_core(const struct check_ctx *cx, const unsigned char *mark,
			    const struct cfg_vm *vm)
{
	const struct cfg_host *h = &cx->cfg->host;
	const struct cfg_cpus *iso = h->isolate_cpus.v.n ? &h->isolate_cpus : &h->isolate_cpus_while_running;
	const char *key = h->isolate_cpus.v.n ? "isolate-cpus" : "isolate-cpus-while-running";
	struct cpulist on = { xmalloc_array(vm->pin.v.n, sizeof(unsigned)), 0 };
	struct cpulist beside = { xmalloc_array(vm->pin.v.n, sizeof(unsigned)), 0 };
	struct cpulist host = { xmalloc_array(vm->pin.v.n, sizeof(unsigned)), 0 };
	for (size_t k = 0; k < vm->pin.v.n; k++) {
		size_t i = cpu_index(cx->hw, vm->pin.v.cpu[k]);
		if (i == NO_CPU)
			continue;
		if (!mark[i]) {
			on.cpu[on.n++] = vm->pin.v.cpu[k];
			continue;
		}
		const struct cpulist *sib = &cx->hw->cpus[i].siblings;
		for (size_t s = 0; s < sib->n; s++) {
			size_t j = cpu_index(cx->hw, sib->cpu[s]);
			if (j != NO_CPU && j != i && !mark[j]) {
				beside.cpu[beside.n++] = vm->pin.v.cpu[k];
				host.cpu[host.n++] = sib->cpu[s];
				break;
			}
		}
	}
	struct buf a = {0}, b = {0};
	if (on.n) {
		cpulist_fmt(&on, &a);
		struct diag *d = diag_emit(cx->ds, D_PIN_HOST_CORE, &vm->pin.loc,
					   "VM '%s' pins vCPUs to CPU %s, which host.%s leaves to the "
					   "host", vm->name, buf_str(&a), key);
		diag_note(d, &iso->loc, "the host keeps every CPU not listed here");
		diag_hint(d, "pin vCPUs to isolated CPUs, or add CPU %s to host.%s", buf_str(&a), key);
	}
	if (beside.n) {
		buf_free(&a);
		cpulist_fmt(&beside, &a);
		cpulist_fmt(&host, &b);
		struct diag *d = diag_emit(cx->ds, D_PIN_HOST_CORE, &vm->pin.loc,
					   "VM '%s' pins vCPUs to CPU %s, SMT siblings of CPU %s, which "
					   "host.%s leaves to the host", vm->name, buf_str(&a),
					   buf_str(&b), key);
		diag_note(d, &iso->loc, "the host keeps every CPU not listed here");
		diag_note(d, NULL, "SMT siblings share one core: the host's work on CPU %s takes "
			  "cycles from these vCPUs", buf_str(&b));
		diag_hint(d, "isolate whole cores: add CPU %s to host.%s too, or pin vCPUs to "
			  "cores whose siblings are all isolated", buf_str(&b), key);
	}
	buf_free(&a);
	buf_free(&b);
	free(on.cpu);
	free(beside.cpu);
	free(host.cpu);
}

/* Per host CPU, the first two VMs whose vCPUs are pinned there (NO_VM: none): enough to
 * name, for any VM, another whose vCPUs run there. */
struct vcpu_map {
	size_t *first, *second;
};

static void map_vcpus(const struct check_ctx *cx, struct vcpu_map *m)
{
	size_t n = cx->hw->ncpus;
	m->first = xmalloc_array(n, sizeof(size_t));
	m->second = xmalloc_array(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		m->first[i] = m->second[i] = NO_VM;
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++) {
		const struct cpulist *pin = &cx->cfg->vms[vm].pin.v;
		for (size_t k = 0; k < pin->n; k++) {
			size_t i = cpu_index(cx->hw, pin->cpu[k]);
			if (i == NO_CPU || m->first[i] == vm || m->second[i] != NO_VM)
				continue;
			if (m->first[i] == NO_VM)
				m->first[i] = vm;
			else
				m->second[i] = vm;
		}
	}
}

/* Scratch of the overlap rule: own[i] == vm + 1 marks host CPU i as one VM vm's vCPUs use;
 * noted[o] == token marks VM o as named in the current diagnostic. */
struct overlap_scratch {
	size_t *own, *noted;
	size_t token;
};

/* Threads of vm (what: "emulator threads", "I/O threads") pinned where vCPUs run: its own
 * (the I/O threads only; emulator-overlap is the emulator's rule) or another VM's. Taking
 * turns with a vCPU, they stall it, or it them; QEMU's main loop and disk I/O stutter. */
static void check_overlap(const struct check_ctx *cx, const struct vcpu_map *m,
			  struct overlap_scratch *sc, size_t vm, const struct cfg_cpus *list,
			  const char *what, bool own_too)
{
	const struct cfg_vm *v = &cx->cfg->vms[vm];
	struct cpulist own = { xmalloc_array(list->v.n, sizeof(unsigned)), 0 };
	struct cpulist other = { xmalloc_array(list->v.n, sizeof(unsigned)), 0 };
	size_t first_other = NO_VM;
	for (size_t k = 0; k < list->v.n; k++) {
		size_t i = cpu_index(cx->hw, list->v.cpu[k]);
		if (i == NO_CPU)
			continue;
		if (sc->own[i] == vm + 1) {
			if (own_too)
				own.cpu[own.n++] = list->v.cpu[k];
			continue;
		}
		size_t o = m->first[i] != vm ? m->first[i] : m->second[i];
		if (o == NO_VM)
			continue;
		other.cpu[other.n++] = list->v.cpu[k];
		if (first_other == NO_VM)
			first_other = o;
	}
	struct buf l = {0};
	if (own.n) {
		cpulist_fmt(&own, &l);
		struct diag *d = diag_emit(cx->ds, D_PIN_OVERLAP, &list->loc,
					   "VM '%s' pins its %s to CPU %s, where its own vCPUs run",
					   v->name, what, buf_str(&l));
		diag_note(d, &v->pin.loc, "vCPUs pinned here");
		if (v->emulator_pin.v.n) {
			struct buf e = {0};
			cpulist_fmt(&v->emulator_pin.v, &e);
			diag_hint(d, "pin them with the emulator: 'iothread-pin: \"%s\"'", buf_str(&e));
			buf_free(&e);
		} else {
			diag_hint(d, "pin them to host CPUs that no vCPU uses");
		}
	}
	if (other.n) {
		buf_free(&l);
		cpulist_fmt(&other, &l);
		struct diag *d = diag_emit(cx->ds, D_PIN_OVERLAP, &list->loc,
					   "VM '%s' pins its %s to CPU %s, where vCPUs of VM '%s' run",
					   v->name, what, buf_str(&l), cx->cfg->vms[first_other].name);
		sc->token++;
		for (size_t k = 0; k < list->v.n; k++) {
			size_t i = cpu_index(cx->hw, list->v.cpu[k]);
			if (i == NO_CPU || sc->own[i] == vm + 1)
				continue;
			size_t o = m->first[i] != vm ? m->first[i] : m->second[i];
			if (o == NO_VM || sc->noted[o] == sc->token)
				continue;
			sc->noted[o] = sc->token;
			diag_note(d, &cx->cfg->vms[o].pin.loc, "VM '%s' pins vCPUs here",
				  cx->cfg->vms[o].name);
		}
		diag_note(d, NULL, "when both VMs run, the two take turns on these CPUs");
		diag_hint(d, "pin them to host CPUs that no VM's vCPUs use");
	}
	buf_free(&l);
	free(own.cpu);
	free(other.cpu);
}

static void run_overlaps(const struct check_ctx *cx)
{
	struct vcpu_map m;
	map_vcpus(cx, &m);
	struct overlap_scratch sc = {
		xcalloc(cx->hw->ncpus, sizeof(size_t)), xcalloc(cx->cfg->nvms, sizeof(size_t)), 0
	};
	for (size_t vm = 0; vm < cx->cfg->nvms; vm++) {
		const struct cfg_vm *v = &cx->cfg->vms[vm];
		if (!v->emulator_pin.v.n && !v->iothread_pin.v.n)
			continue;
		for (size_t k = 0; k < v->pin.v.n; k++) {
			size_t i = cpu_index(cx->hw, v->pin.v.cpu[k]);
			if (i != NO_CPU)
				sc.own[i] = vm + 1;
		}
		check_overlap(cx, &m, &sc, vm, &v->emulator_pin, "emulator threads", false);
		check_overlap(cx, &m, &sc, vm, &v->iothread_pin, "I/O threads", true);
	}
	free(m.first);
	free(m.second);
	free(sc.own);
	free(sc.noted);
}

static void run(const struct check_ctx *cx)
{
	const struct cfg_host *h = &cx->cfg->host;
	if (!cx->hw->ncpus)   /* unknown: nothing to compare with */
		return;
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		check_vcpus(cx, &cx->cfg->vms[i]);
	run_overlaps(cx);
	if ((!h->isolate_cpus.v.n && !h->isolate_cpus_while_running.v.n) ||
	    !all_present(cx->hw, &h->isolate_cpus.v) ||
	    !all_present(cx->hw, &h->isolate_cpus_while_running.v))
		return;
	unsigned char *mark = xcalloc(cx->hw->ncpus, 1);
	mark_list(cx->hw, &h->isolate_cpus.v, mark, ISOLATED_BOOT);
	mark_list(cx->hw, &h->isolate_cpus_while_running.v, mark, ISOLATED_RUNNING);
	check_isolation(cx, mark);
	for (size_t i = 0; i < cx->cfg->nvms; i++)
		if (cx->cfg->vms[i].pin.v.n)
			check_host_core(cx, mark, &cx->cfg->vms[i]);
	free(mark);
}

const struct check check_cpu_host = { "cpu-host", run, NEEDS_HW };
