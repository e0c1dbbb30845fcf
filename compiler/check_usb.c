/* check_usb.c: USB devices of the VMs that are not connected to the host. One sorted table
 * of the host's vendor:product keys keeps this n log n. */
#include <stdlib.h>

#include "check.h"

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

static uint32_t usb_key(uint16_t vendor, uint16_t product)
{
	return (uint32_t)vendor << 16 | product;
}

/* Index of the first key >= key. */
static size_t lower_bound(const uint32_t *keys, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void report_missing(struct check_ctx *cx, const struct cfg_usb *u, const uint32_t *keys,
			   size_t n)
{
	struct diag *d = diag_emit(cx->ds, D_USB_MISSING, &u->loc,
				   "no USB device %04x:%04x is connected to this host", u->vendor,
				   u->product);
	size_t i = lower_bound(keys, n, usb_key(u->vendor, 0));
	for (size_t shown = 0; i < n && keys[i] >> 16 == u->vendor && shown < 4; i++, shown++)
		diag_note(d, NULL, "connected from the same vendor: %04x:%04x", u->vendor,
			  (unsigned)(keys[i] & 0xffff));
	diag_hint(d, "plug it in before probing, or check the ID with 'lsusb'");
}

void check_usb(struct check_ctx *cx)
{
	const struct hw *hw = cx->hw;
	uint32_t *keys = xmalloc_array(hw->nusb, sizeof(*keys));
	for (size_t i = 0; i < hw->nusb; i++)
		keys[i] = usb_key(hw->usb[i].vendor, hw->usb[i].product);
	if (hw->nusb > 1)
		qsort(keys, hw->nusb, sizeof(*keys), cmp_u32);
	for (size_t v = 0; v < cx->cfg->nvms; v++) {
		const struct cfg_vm *vm = &cx->cfg->vms[v];
		for (size_t k = 0; k < vm->nusb; k++) {
			uint32_t key = usb_key(vm->usb[k].vendor, vm->usb[k].product);
			size_t i = lower_bound(keys, hw->nusb, key);
			if (i == hw->nusb || keys[i] != key)
				report_missing(cx, &vm->usb[k], keys, hw->nusb);
		}
	}
	free(keys);
}
