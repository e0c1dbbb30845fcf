/* check_usb.c: USB devices of the VMs: connected to the host, and named so that libvirt
 * finds exactly one (vendor:product, or the port it is plugged into). One sorted table of
 * the host's vendor:product keys keeps this n log n. */
#include <stdlib.h>

#include "compiler/check.h"

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

static uint32_t usb_key(uint16_t vendor, uint16_t product)
{
	return (uint32_t)vendor << 16 | product;
}

static uint32_t key_at(const void *keys, size_t i)
{
	return ((const uint32_t *)keys)[i];
}

static void report_missing(const struct check_ctx *cx, const struct cfg_usb *u, const uint32_t *keys,
			   size_t n)
{
	struct diag *d = diag_emit(cx->ds, D_USB_MISSING, &u->loc,
				   "no USB device %04x:%04x is connected to this host", u->vendor,
				   u->product);
	size_t i = hw_lower_bound(n, key_at, keys, usb_key(u->vendor, 0));
	for (size_t shown = 0; i < n && keys[i] >> 16 == u->vendor && shown < 4; i++, shown++)
		diag_note(d, NULL, "connected from the same vendor: %04x:%04x", u->vendor,
			  (unsigned)(keys[i] & 0xffff));
	diag_hint(d, "plug it in before probing, or check the ID with 'lsusb'");
}

/* "at port 1-2 (bus 1, device 3): Logitech USB Receiver", for notes. */
static void describe(const struct hw_usb *h, struct buf *out)
{
	if (h->port)
		buf_printf(out, "at port %s (bus %u, device %u)", h->port, h->busnum, h->devnum);
	else
		buf_printf(out, "on bus %u, device %u", h->busnum, h->devnum);
	if (h->manufacturer || h->product_name)
		buf_printf(out, ": %s%s%s", h->manufacturer ? h->manufacturer : "",
			   h->manufacturer && h->product_name ? " " : "",
			   h->product_name ? h->product_name : "");
}

/* Several devices have the entry's vendor:product: libvirt refuses to start the VM
 * ("Multiple USB devices for ..."), so the entry must name the port. */
static void report_ambiguous(const struct check_ctx *cx, const struct cfg_usb *u, size_t n)
{
	struct diag *d = diag_emit(cx->ds, D_USB_AMBIGUOUS, &u->loc,
				   "%zu USB devices are %04x:%04x: libvirt cannot tell which one to "
				   "pass and the VM does not start", n, u->vendor, u->product);
	const char *port = NULL;
	for (size_t i = 0; i < cx->hw->nusb; i++) {
		const struct hw_usb *h = &cx->hw->usb[i];
		if (h->vendor != u->vendor || h->product != u->product)
			continue;
		struct buf what = {0};
		describe(h, &what);
		diag_note(d, NULL, "%04x:%04x %s", h->vendor, h->product, buf_str(&what));
		buf_free(&what);
		if (!port)
			port = h->port;
	}
	if (port)
		diag_hint(d, "name the port it is plugged into: {id: \"%04x:%04x\", bus-port: \"%s\"}",
			  u->vendor, u->product, port);
	else
		diag_hint(d, "name the port it is plugged into: {id: \"%04x:%04x\", bus-port: ...}; "
			  "this snapshot records no ports: run 'vfioc probe' again", u->vendor, u->product);
}

/* An entry by bus-port: a device must be plugged in there, with the `id` it guards. */
static void check_port(const struct check_ctx *cx, const struct cfg_usb *u)
{
	const struct hw_usb *h = hw_find_usb_port(cx->hw, u->bus_port.v);
	if (!h) {
		struct diag *d = diag_emit(cx->ds, D_USB_MISSING, &u->bus_port.loc,
					   "no USB device is plugged into port %s of this host",
					   u->bus_port.v);
		bool ports = false;
		for (size_t i = 0; i < cx->hw->nusb; i++) {
			const struct hw_usb *o = &cx->hw->usb[i];
			ports |= o->port != NULL;
			if (o->port && LOC_SET(u->id.loc) && o->vendor == u->vendor &&
			    o->product == u->product)
				diag_note(d, NULL, "%04x:%04x is plugged into port %s", o->vendor,
					  o->product, o->port);
		}
		diag_hint(d, ports ? "plug it in before probing; the ports are the names under "
			  "/sys/bus/usb/devices ('lsusb -t' shows the tree)"
			  : "this snapshot records no USB ports: run 'vfioc probe' again");
		return;
	}
	if (!LOC_SET(u->id.loc) || (h->vendor == u->vendor && h->product == u->product))
		return;
	struct buf what = {0};
	describe(h, &what);
	struct diag *d = diag_emit(cx->ds, D_HW_ID_GUARD, &u->id.loc,
				   "the USB device at port %s is %04x:%04x, not the %04x:%04x this entry "
				   "guards", u->bus_port.v, h->vendor, h->product, u->vendor, u->product);
	diag_note(d, NULL, "%04x:%04x %s", h->vendor, h->product, buf_str(&what));
	diag_hint(d, "plug the device into port %s again, or correct the entry", u->bus_port.v);
	buf_free(&what);
}

static void run(const struct check_ctx *cx)
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
			const struct cfg_usb *u = &vm->usb[k];
			if (u->bus_port.v) {
				check_port(cx, u);
				continue;
			}
			uint32_t key = usb_key(u->vendor, u->product);
			size_t i = hw_lower_bound(hw->nusb, key_at, keys, key), j = i;
			while (j < hw->nusb && keys[j] == key)
				j++;
			if (i == j)
				report_missing(cx, u, keys, hw->nusb);
			else if (j - i > 1)
				report_ambiguous(cx, u, j - i);
		}
	}
	free(keys);
}

const struct check check_usb = { "usb", run, NEEDS_HW };
