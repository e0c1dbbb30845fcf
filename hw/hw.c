/* hw.c: the hardware model itself, whatever filled it: ordering (hw_finish), the IOMMU
 * group and vendor:device indexes, O(log n) lookups, and small descriptions for messages. */
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"

struct hw *hw_new(const char *source)
{
	struct hw *hw = xcalloc(1, sizeof(*hw));
	hw->source = arena_strdup(&hw->arena, source ? source : "");
	return hw;
}

void hw_free(struct hw *hw)
{
	if (!hw)
		return;
	arena_free(&hw->arena);
	free(hw);
}

/* qsort, which must not see a NULL array even when it is empty. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int cmp_pci(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct hw_pci *)a)->addr, &((const struct hw_pci *)b)->addr);
}

static int cmp_usb(const void *pa, const void *pb)
{
	const struct hw_usb *a = pa, *b = pb;
	if (a->busnum != b->busnum)
		return a->busnum < b->busnum ? -1 : 1;
	return (a->devnum > b->devnum) - (a->devnum < b->devnum);
}

static int cmp_cpu(const void *pa, const void *pb)
{
	const struct hw_cpu *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

/* Sorts and deduplicates the hugepage sizes. */
static void finish_hugepages(struct hw *hw)
{
	if (hw->nhugepage == 0)
		return;
	sort(hw->hugepage_kib, hw->nhugepage, sizeof(uint64_t), cmp_u64);
	size_t n = 1;
	for (size_t i = 1; i < hw->nhugepage; i++)
		if (hw->hugepage_kib[i] != hw->hugepage_kib[n - 1])
			hw->hugepage_kib[n++] = hw->hugepage_kib[i];
	hw->nhugepage = n;
}

/* The groups, in number order, each with its members in address order (pci is sorted). */
static void build_groups(struct hw *hw)
{
	size_t n = 0;
	for (size_t i = 0; i < hw->npci; i++)
		n += hw->pci[i].iommu_group >= 0;
	size_t *order = arena_array(&hw->arena, n, sizeof(size_t));
	n = 0;
	for (size_t i = 0; i < hw->npci; i++)
		if (hw->pci[i].iommu_group >= 0)
			order[n++] = i;
	/* Stable by address: sort (group, index) pairs packed into one key. */
	uint64_t *key = xmalloc_array(n, sizeof(uint64_t));
	for (size_t i = 0; i < n; i++)
		key[i] = (uint64_t)(unsigned)hw->pci[order[i]].iommu_group << 32 | order[i];
	sort(key, n, sizeof(uint64_t), cmp_u64);
	hw->ngroups = 0;
	hw->groups = arena_array(&hw->arena, n, sizeof(struct hw_group));
	for (size_t i = 0; i < n; i++) {
		int g = (int)(key[i] >> 32);
		order[i] = (size_t)(key[i] & 0xffffffffu);
		if (hw->ngroups == 0 || hw->groups[hw->ngroups - 1].number != g)
			hw->groups[hw->ngroups++] = (struct hw_group){ g, &order[i], 0 };
		hw->groups[hw->ngroups - 1].n++;
	}
	free(key);
}

static const struct hw *sort_ctx;  /* qsort has no context argument */

static int cmp_by_id(const void *pa, const void *pb)
{
	const struct hw_pci *a = &sort_ctx->pci[*(const size_t *)pa];
	const struct hw_pci *b = &sort_ctx->pci[*(const size_t *)pb];
	uint32_t ka = (uint32_t)a->vendor << 16 | a->device, kb = (uint32_t)b->vendor << 16 | b->device;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	return pci_addr_cmp(&a->addr, &b->addr);
}

static void build_by_id(struct hw *hw)
{
	hw->by_id = arena_array(&hw->arena, hw->npci, sizeof(size_t));
	for (size_t i = 0; i < hw->npci; i++)
		hw->by_id[i] = i;
	sort_ctx = hw;
	sort(hw->by_id, hw->npci, sizeof(size_t), cmp_by_id);
	sort_ctx = NULL;
}

/* The records in address order. qsort on the records themselves moved each 140-byte
 * struct log n times (15% of probing 5,000 devices); this sorts (address, index) keys
 * and moves each record once, and nothing when they are in order already. */
static void sort_pci(struct hw *hw)
{
	size_t n = hw->npci, i = 1;
	while (i < n && cmp_pci(&hw->pci[i - 1], &hw->pci[i]) <= 0)
		i++;
	if (i >= n)
		return;
	uint64_t *key = xmalloc(n * sizeof(*key));
	for (i = 0; i < n; i++)
		key[i] = (uint64_t)pci_addr_key(&hw->pci[i].addr) << 32 | i;
	sort(key, n, sizeof(*key), cmp_u64);
	struct hw_pci *sorted = xmalloc(n * sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = hw->pci[key[i] & 0xffffffffu];
	memcpy(hw->pci, sorted, n * sizeof(*sorted));
	free(sorted);
	free(key);
}

void hw_finish(struct hw *hw)
{
	sort_pci(hw);
	sort(hw->usb, hw->nusb, sizeof(*hw->usb), cmp_usb);
	sort(hw->cpus, hw->ncpus, sizeof(*hw->cpus), cmp_cpu);
	finish_hugepages(hw);
	build_groups(hw);
	build_by_id(hw);
}

size_t hw_lower_bound(size_t n, uint32_t (*key)(const void *ctx, size_t i), const void *ctx,
		      uint32_t want)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key(ctx, mid) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t addr_key(const void *hw, size_t i)
{
	return pci_addr_key(&((const struct hw *)hw)->pci[i].addr);
}

size_t hw_pci_index(const struct hw *hw, const struct pci_addr *addr)
{
	return hw_lower_bound(hw->npci, addr_key, hw, pci_addr_key(addr));
}

const struct hw_pci *hw_find_pci(const struct hw *hw, const struct pci_addr *addr)
{
	size_t i = hw_pci_index(hw, addr);
	return i < hw->npci && addr_key(hw, i) == pci_addr_key(addr) ? &hw->pci[i] : NULL;
}

static int cmp_group(const void *pa, const void *pb)
{
	int a = ((const struct hw_group *)pa)->number, b = ((const struct hw_group *)pb)->number;
	return (a > b) - (a < b);
}

const struct hw_group *hw_find_group(const struct hw *hw, int number)
{
	struct hw_group key = { .number = number };
	return hw->ngroups ? bsearch(&key, hw->groups, hw->ngroups, sizeof(key), cmp_group) : NULL;
}

const struct hw_cpu *hw_find_cpu(const struct hw *hw, unsigned id)
{
	struct hw_cpu key = { .id = id };
	return hw->ncpus ? bsearch(&key, hw->cpus, hw->ncpus, sizeof(key), cmp_cpu) : NULL;
}

/* vendor:device of the device at position i of by_id. */
static uint32_t id_key(const void *hw, size_t i)
{
	const struct hw *h = hw;
	const struct hw_pci *d = &h->pci[h->by_id[i]];
	return (uint32_t)d->vendor << 16 | d->device;
}

/* The devices whose vendor:device is in [first, last], in by_id order: up to max indices
 * into out; returns how many there are in all. */
static size_t find_id_range(const struct hw *hw, uint32_t first, uint32_t last, size_t *out,
			    size_t max)
{
	if (!hw->by_id)
		return 0;
	size_t lo = hw_lower_bound(hw->npci, id_key, hw, first);
	size_t hi = last == UINT32_MAX ? hw->npci : hw_lower_bound(hw->npci, id_key, hw, last + 1);
	for (size_t i = lo; i < hi && i - lo < max; i++)
		out[i - lo] = hw->by_id[i];
	return hi - lo;
}

size_t hw_find_ids(const struct hw *hw, uint16_t vendor, uint16_t device, size_t *out, size_t max)
{
	uint32_t key = (uint32_t)vendor << 16 | device;
	return find_id_range(hw, key, key, out, max);
}

size_t hw_find_vendor(const struct hw *hw, uint16_t vendor, size_t *out, size_t max)
{
	return find_id_range(hw, (uint32_t)vendor << 16, (uint32_t)vendor << 16 | 0xffff, out, max);
}

bool hw_is_bridge(const struct hw_pci *d)
{
	return PCI_CLASS_BASE(d->class) == PCI_CLASS_BRIDGE;
}

bool hw_is_gpu(const struct hw_pci *d)
{
	return PCI_CLASS_BASE(d->class) == 0x03;
}

const struct hw_usb *hw_find_usb_port(const struct hw *hw, const char *port)
{
	for (size_t i = 0; i < hw->nusb; i++)
		if (hw->usb[i].port && !strcmp(hw->usb[i].port, port))
			return &hw->usb[i];
	return NULL;
}

enum iommu_mode hw_cpu_iommu(enum cpu_vendor v)
{
	return v == CPU_INTEL ? IOMMU_INTEL : v == CPU_AMD ? IOMMU_AMD : IOMMU_OFF;
}

const char *hw_cpu_vendor_name(enum cpu_vendor v)
{
	switch (v) {
	case CPU_INTEL: return "intel";
	case CPU_AMD: return "amd";
	default: return "unknown";
	}
}
