/* resolve_entry.c: which hardware device a `pci` entry names. An address that is not there,
 * an ID that matches no device or several, and an `id` guard that fails are reported with
 * the closest devices that do exist, so the fix is one edit. */
#include <stdio.h>

#include "compiler/resolve.h"

#define MAX_LISTED 8  /* devices named in one hint: an ID on a large server can match dozens */

static void idfmt(uint16_t v, uint16_t d, char out[10])
{
	snprintf(out, 10, "%04x:%04x", v, d);
}

/* One note per device of idx[0..min(n, MAX_LISTED)), each "PREFIX ADDR CLASS ID (NAME)";
 * n is how many there are in all. */
static void note_devices(struct diag *d, const struct hw *hw, const size_t *idx, size_t n,
			 const char *prefix)
{
	for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
		struct buf b = {0};
		hw_pci_describe(&hw->pci[idx[i]], HW_DESC_FULL, &b);
		diag_note(d, NULL, "%s%s", prefix, buf_str(&b));
		buf_free(&b);
	}
	if (n > MAX_LISTED)
		diag_note(d, NULL, "... and %zu more", n - MAX_LISTED);
}

/* Where devices with vendor:device sit now: "sits at 0000:02:00.0" (or nowhere). */
static void hint_id_now(struct diag *d, const struct hw *hw, uint16_t ven, uint16_t dev)
{
	size_t idx[MAX_LISTED];
	size_t n = hw_find_ids(hw, ven, dev, idx, MAX_LISTED);
	char id[10];
	idfmt(ven, dev, id);
	if (n == 0) {
		diag_hint(d, "no device with ID %s is on this host now", id);
		return;
	}
	for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
		char a[PCI_ADDR_STRLEN];
		pci_addr_fmt(&hw->pci[idx[i]].addr, a);
		diag_hint(d, "the %s sits at %s now: write \"%s\"", id, a, a);
	}
	if (n > MAX_LISTED)
		diag_hint(d, "... and at %zu more addresses", n - MAX_LISTED);
}

/* Notes: the functions of addr's slot, or else the devices just before and after it. */
static void hint_nearby(struct diag *d, const struct hw *hw, const struct pci_addr *addr)
{
	size_t p = hw_pci_index(hw, addr), lo = p, hi = p;
	while (lo > 0 && pci_same_slot(&hw->pci[lo - 1].addr, addr))
		lo--;
	while (hi < hw->npci && pci_same_slot(&hw->pci[hi].addr, addr))
		hi++;
	size_t idx[MAX_LISTED], n = 0;
	if (hi > lo) {
		for (size_t i = lo; i < hi && n < MAX_LISTED; i++)
			idx[n++] = i;
		note_devices(d, hw, idx, n, "this slot has: ");
		return;
	}
	if (p > 0)
		idx[n++] = p - 1;
	if (p < hw->npci)
		idx[n++] = p;
	note_devices(d, hw, idx, n, "nearest device: ");
}

static size_t resolve_address(const struct hw *hw, struct diags *ds, const struct cfg_pci *e)
{
	const struct hw_pci *dev = hw_find_pci(hw, &e->address.v);
	char a[PCI_ADDR_STRLEN], want[10], have[10];
	pci_addr_fmt(&e->address.v, a);
	if (!dev) {
		struct diag *d = diag_emit(ds, D_HW_MISSING, &e->address.loc,
					   "no PCI device at %s on this host", a);
		hint_nearby(d, hw, &e->address.v);
		if (LOC_SET(e->id.loc))
			hint_id_now(d, hw, e->id.vendor, e->id.device);
		return NO_VM;
	}
	if (!LOC_SET(e->id.loc) || (dev->vendor == e->id.vendor && dev->device == e->id.device))
		return (size_t)(dev - hw->pci);
	idfmt(e->id.vendor, e->id.device, want);
	idfmt(dev->vendor, dev->device, have);
	struct diag *d = diag_emit(ds, D_HW_ID_GUARD, &e->id.loc,
				   "%s is now %s%s%s%s, not the %s this entry guards", a, have,
				   dev->device_name ? " (" : "", dev->device_name ? dev->device_name : "",
				   dev->device_name ? ")" : "", want);
	diag_note(d, &e->address.loc, "address given here");
	hint_id_now(d, hw, e->id.vendor, e->id.device);
	return NO_VM;
}

static void report_id_missing(const struct hw *hw, struct diags *ds, const struct cfg_pci *e)
{
	char id[10];
	idfmt(e->id.vendor, e->id.device, id);
	struct diag *d = diag_emit(ds, D_HW_ID_MISSING, &e->id.loc,
				   "no PCI device with ID %s on this host", id);
	size_t idx[MAX_LISTED];
	size_t n = hw_find_vendor(hw, e->id.vendor, idx, MAX_LISTED);
	note_devices(d, hw, idx, n, "same vendor: ");
}

static size_t resolve_id(const struct hw *hw, struct diags *ds, const struct cfg_pci *e)
{
	size_t idx[MAX_LISTED];
	size_t n = hw_find_ids(hw, e->id.vendor, e->id.device, idx, MAX_LISTED);
	if (n == 1)
		return idx[0];
	if (n == 0) {
		report_id_missing(hw, ds, e);
		return NO_VM;
	}
	char id[10];
	idfmt(e->id.vendor, e->id.device, id);
	struct diag *d = diag_emit(ds, D_HW_ID_AMBIGUOUS, &e->id.loc,
				   "ID %s matches %zu devices of this host; an ID entry must match "
				   "exactly one", id, n);
	note_devices(d, hw, idx, n, "matches: ");
	diag_hint(d, "name the one to pass by address: '{ address: \"ADDR\", id: \"%s\" }'", id);
	return NO_VM;
}

size_t resolve_entry(const struct hw *hw, struct diags *ds, const struct cfg_pci *e)
{
	return e->by_id ? resolve_id(hw, ds, e) : resolve_address(hw, ds, e);
}
