/* tools/init/pick.c: which GPU `vfioc init` gives the VM. Every GPU is taken with what must go
 * along (every function of its slot, every endpoint of the IOMMU groups those are in, until
 * nothing is added: the rule of hw/group.c and the checks), then judged: blocked when the
 * IOMMU is off, when a group holds the host's own disk or the NIC of its default route or
 * a bridge or platform function on a driver the kernel does not allow there, or when the
 * host would keep no GPU. Of the rest, the best is not the boot GPU, then not on
 * bus 0 (a discrete card rather than the integrated one), then the first by address. */
#include <stdlib.h>

#include "tools/init/init.h"

/* Add everything that must go with gpu->dev to gpu->take. */
static void close_over(const struct hw *hw, struct init_gpu *gpu)
{
	size_t *work = xmalloc(hw->npci * sizeof(*work)), *left = xmalloc(hw->npci * sizeof(*left));
	size_t nw = 0;
	gpu->take[gpu->dev] = true;
	work[nw++] = gpu->dev;
	while (nw) {
		size_t i = work[--nw];
		const struct hw_pci *d = &hw->pci[i];
		size_t lo = i, hi = i + 1;
		while (!d->is_vf && lo > 0 && pci_same_slot(&hw->pci[lo - 1].addr, &d->addr))
			lo--;
		while (!d->is_vf && hi < hw->npci && pci_same_slot(&hw->pci[hi].addr, &d->addr))
			hi++;
		for (size_t s = lo; s < hi; s++)
			if (!gpu->take[s] && !hw_stays_on_host(&hw->pci[s]) && !hw->pci[s].is_vf) {
				gpu->take[s] = true;
				work[nw++] = s;
			}
		const struct hw_group *g = hw_find_group(hw, d->iommu_group);
		if (!g) {
			if (gpu->block == INIT_OK && hw->ngroups) {
				gpu->block = INIT_NO_GROUP;
				gpu->why = i;
			}
			continue;
		}
		const struct hw_pci *held = hw_group_blocker(hw, g);
		if (held && gpu->block == INIT_OK) {
			gpu->block = INIT_HELD;
			gpu->why = (size_t)(held - hw->pci);
		}
		size_t n = hw_group_left(hw, g, gpu->take, left);
		for (size_t k = 0; k < n; k++) {
			gpu->take[left[k]] = true;
			work[nw++] = left[k];
		}
	}
	free(work);
	free(left);
}

static void judge(const struct hw *hw, struct init_gpu *gpu)
{
	if (!hw->ngroups) {
		gpu->block = INIT_IOMMU_OFF;
		return;
	}
	if (gpu->block != INIT_OK)
		return;
	size_t route = INIT_NONE, gpus_left = 0;
	for (size_t i = 0; i < hw->npci; i++) {
		const struct hw_pci *d = &hw->pci[i];
		if (!gpu->take[i]) {
			gpus_left += hw_is_gpu(d) && !d->is_vf;
			continue;
		}
		if (d->host_fs) {
			gpu->block = INIT_HOST_DISK;
			gpu->why = i;
			return;
		}
		if (d->host_route && route == INIT_NONE)
			route = i;
	}
	if (route != INIT_NONE) {
		gpu->block = INIT_HOST_ROUTE;
		gpu->why = route;
	} else if (!gpus_left) {
		gpu->block = INIT_LAST_GPU;
	}
}

/* Whether a is a better choice than b (both unblocked, or both waiting for the IOMMU). */
static bool better(const struct hw *hw, const struct init_gpu *a, const struct init_gpu *b)
{
	const struct hw_pci *x = &hw->pci[a->dev], *y = &hw->pci[b->dev];
	if ((x->boot_vga == 1) != (y->boot_vga == 1))
		return y->boot_vga == 1;
	if ((x->addr.bus == 0) != (y->addr.bus == 0))
		return y->addr.bus == 0;
	return a->dev < b->dev;
}

void init_pick(const struct hw *hw, size_t gpu, struct init_pick *out)
{
	*out = (struct init_pick){ .chosen = INIT_NONE, .suggested = INIT_NONE };
	size_t cap = 0;
	for (size_t i = 0; i < hw->npci; i++) {
		if ((!hw_is_gpu(&hw->pci[i]) || hw->pci[i].is_vf) && i != gpu)
			continue;
		struct init_gpu *g = &VEC_PUSH(out->gpus, out->ngpus, cap);
		*g = (struct init_gpu){ .dev = i, .why = INIT_NONE,
					.take = xcalloc(hw->npci, sizeof(bool)) };
		close_over(hw, g);
		judge(hw, g);
	}
	for (size_t k = 0; k < out->ngpus; k++) {
		const struct init_gpu *g = &out->gpus[k];
		if (gpu != INIT_NONE) {
			/* Chosen by hand: a single GPU may go (the check warns), nothing that fails. */
			if (g->dev == gpu && (g->block == INIT_OK || g->block == INIT_LAST_GPU))
				out->chosen = k;
			out->forced |= g->dev == gpu;
		} else if (g->block == INIT_IOMMU_OFF) {
			if (out->suggested == INIT_NONE || better(hw, g, &out->gpus[out->suggested]))
				out->suggested = k;
		} else if (g->block == INIT_OK &&
			   (out->chosen == INIT_NONE || better(hw, g, &out->gpus[out->chosen]))) {
			out->chosen = k;
		}
	}
}

void init_pick_free(struct init_pick *p)
{
	for (size_t k = 0; k < p->ngpus; k++)
		free(p->gpus[k].take);
	free(p->gpus);
}

bool init_is_input(const struct hw_usb *u)
{
	static const char *const words[] = { "keyboard", "mouse", "receiver" };
	if (!u->port || !u->product_name)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (str_has_ci(u->product_name, words[i]))
			return true;
	return false;
}
