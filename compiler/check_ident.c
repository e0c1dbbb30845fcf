/* check_ident.c: no two VMs with one domain UUID, nor two NICs with one MAC. Compared as
 * the domains will carry them (resolve.c: written, or derived from the host and the name),
 * so a UUID kept from an old domain that a new VM's name derives is caught too. Sorted, so
 * that 10^5 VMs cost n log n. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check.h"

/* One VM's identity of len bytes, sortable. */
struct ident {
	const uint8_t *v;
	size_t len;
	size_t vm;
};

static int cmp_ident(const void *pa, const void *pb)
{
	const struct ident *a = pa, *b = pb;
	int c = memcmp(a->v, b->v, a->len);
	return c ? c : a->vm < b->vm ? -1 : a->vm > b->vm;  /* config order among equals */
}

static const char *uuid_fmt(const uint8_t u[16], char out[37])
{
	char *o = out;
	for (int i = 0; i < 16; i++)
		o += sprintf(o, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
	return out;
}

static const char *mac_fmt(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return out;
}

/* Where a VM's identity comes from, for the notes: its key, or its name when derived. */
static const struct loc *ident_loc(const struct cfg_vm *vm, const struct cfg_str *key)
{
	return key->v ? &key->loc : &vm->name_loc;
}

/* libvirt refuses a second name for a UUID it has ("domain '%s' is already defined with
 * uuid %s", src/conf/virdomainobjlist.c virDomainObjListAddLocked). */
static void report_uuid(const struct check_ctx *cx, size_t first, size_t dup)
{
	const struct cfg_vm *a = &cx->cfg->vms[first], *b = &cx->cfg->vms[dup];
	char u[37];
	uuid_fmt(cx->res.vms[dup].uuid, u);
	struct diag *d = diag_emit(cx->ds, D_DUPLICATE_UUID, ident_loc(b, &b->uuid),
				   "VM '%s' has the UUID %s%s, which VM '%s' has too", b->name, u,
				   b->uuid.v ? "" : " (derived from its name)", a->name);
	diag_note(d, ident_loc(a, &a->uuid), "VM '%s' has it %s", a->name,
		  a->uuid.v ? "here" : "derived from its name");
	diag_note(d, NULL, "libvirt keeps one domain per UUID: defining the second fails, "
		  "\"domain '%s' is already defined with uuid %s\"", a->name, u);
	diag_hint(d, "remove 'uuid' from vms.%s: vfioc derives one from the name that no "
		  "other VM has", b->uuid.v ? b->name : a->name);
}

/* The first MAC after m in QEMU's 52:54:00 range that no VM of s (sorted) has. */
static void free_mac(const struct ident *s, size_t n, const uint8_t m[6], uint8_t out[6])
{
	memcpy(out, m, 6);
	for (uint32_t k = 0; k < 1u << 24; k++) {
		uint32_t low = ((uint32_t)out[3] << 16 | (uint32_t)out[4] << 8 | out[5]) + 1;
		out[0] = 0x52, out[1] = 0x54, out[2] = 0x00;
		out[3] = (uint8_t)(low >> 16), out[4] = (uint8_t)(low >> 8), out[5] = (uint8_t)low;
		struct ident key = { out, 6, 0 };
		size_t lo = 0, hi = n;  /* the first of s not below out */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (memcmp(s[mid].v, key.v, 6) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n || memcmp(s[lo].v, out, 6) != 0)
			return;
	}
}

static void report_mac(const struct check_ctx *cx, const struct ident *s, size_t n, size_t i)
{
	const struct cfg_vm *a = &cx->cfg->vms[s[i - 1].vm], *b = &cx->cfg->vms[s[i].vm];
	char m[18], f[18];
	mac_fmt(s[i].v, m);
	struct diag *d = diag_emit(cx->ds, D_DUPLICATE_MAC, ident_loc(b, &b->mac),
				   "VM '%s' has the MAC address %s%s, which VM '%s' has too", b->name,
				   m, b->mac.v ? "" : " (derived from its name)", a->name);
	diag_note(d, ident_loc(a, &a->mac), "VM '%s' has it %s", a->name,
		  a->mac.v ? "here" : "derived from its name");
	diag_note(d, NULL, "running at once, their traffic reaches only one of them (a bridge "
		  "learns one MAC on one port) and a libvirt network's DHCP gives both one address");
	uint8_t next[6];
	free_mac(s, n, s[i].v, next);
	const struct cfg_vm *fix = b->mac.v || !a->mac.v ? b : a;
	diag_hint(d, "give vms.%s another: 'mac: \"%s\"' (no other VM has it)", fix->name,
		  mac_fmt(next, f));
}

static void run(const struct check_ctx *cx)
{
	size_t n = cx->cfg->nvms, nmac = 0;
	struct ident *uuids = xmalloc_array(n, sizeof(*uuids));
	struct ident *macs = xmalloc_array(n, sizeof(*macs));
	for (size_t i = 0; i < n; i++) {
		uuids[i] = (struct ident){ cx->res.vms[i].uuid, 16, i };
		if (cx->cfg->vms[i].network.kind != NET_NONE)  /* no NIC, no MAC */
			macs[nmac++] = (struct ident){ cx->res.vms[i].mac, 6, i };
	}
	qsort(uuids, n, sizeof(*uuids), cmp_ident);
	qsort(macs, nmac, sizeof(*macs), cmp_ident);
	for (size_t i = 1; i < n; i++)
		if (!memcmp(uuids[i - 1].v, uuids[i].v, 16))
			report_uuid(cx, uuids[i - 1].vm, uuids[i].vm);
	for (size_t i = 1; i < nmac; i++)
		if (!memcmp(macs[i - 1].v, macs[i].v, 6))
			report_mac(cx, macs, nmac, i);
	free(uuids);
	free(macs);
}

const struct check check_ident = { "ident", run, NEEDS_HW };
