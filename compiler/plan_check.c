/* plan_check.c: the invariants of a plan that the backends rely on without checking them
 * again, checked where it is cheap to check them all: the fuzz targets and the plan unit
 * tests call plan_check after every plan they make (as cmark's tests call
 * cmark_node_check). */
#include "compiler/plan.h"

#include <string.h>

#include "base/util.h"

#define broken(out, ...) invariant_broken(out, "plan_check", __VA_ARGS__)

static size_t check_vm(const struct plan_vm *v, FILE *out)
{
	size_t bad = 0;
	if ((unsigned long long)v->sockets * v->cores * v->threads != v->vcpus)
		bad += broken(out, "vm %s: %u sockets x %u cores x %u threads is not %u vCPUs", v->name,
			      v->sockets, v->cores, v->threads, v->vcpus);
	if (v->npin != 0 && v->npin != v->vcpus)
		bad += broken(out, "vm %s: %zu pins for %u vCPUs", v->name, v->npin, v->vcpus);
	if (v->hugepages && v->hugepage_kib == 0)
		bad += broken(out, "vm %s: hugepages without a page size", v->name);
	for (size_t i = 0; i < v->ndevs; i++) {
		const struct plan_dev *d = &v->devs[i];
		if (i > 0 && pci_addr_cmp(&v->devs[i - 1].addr, &d->addr) >= 0)
			bad += broken(out, "vm %s: device %zu out of address order or twice", v->name, i);
		for (size_t j = 0; j < i; j++) {
			const struct plan_dev *e = &v->devs[j];
			if (e->guest_bus == d->guest_bus && e->guest_slot == d->guest_slot &&
			    e->guest_func == d->guest_func)
				bad += broken(out, "vm %s: devices %zu and %zu share guest %02x:%02x.%u",
					      v->name, j, i, d->guest_bus, d->guest_slot, d->guest_func);
		}
	}
	return bad;
}

size_t plan_check(const struct plan *p, FILE *out)
{
	size_t bad = 0;
	for (size_t i = 0; i < p->nvms; i++) {
		bad += check_vm(&p->vms[i], out);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->vms[j].name, p->vms[i].name))
				bad += broken(out, "vm %s twice", p->vms[i].name);
	}
	for (size_t i = 0; i < p->vfio_ids.n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->vfio_ids.v[i], p->vfio_ids.v[j]))
				bad += broken(out, "vfio id %s twice", p->vfio_ids.v[i]);
	for (size_t i = 1; i < p->noverride; i++)
		if (pci_addr_cmp(&p->override_addrs[i - 1], &p->override_addrs[i]) >= 0)
			bad += broken(out, "driver-override address %zu out of order or twice", i);
	if (p->has_hugepages != (p->hugepage_count > 0))
		bad += broken(out, "has_hugepages %d with %llu pages", p->has_hugepages,
			      (unsigned long long)p->hugepage_count);
	return bad;
}
