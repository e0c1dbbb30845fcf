/* ident.c: the passed devices' identities in the output folder's manifest (ident.h): written
 * at each build, compared at the next one. */
#include "cli/ident.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/pci.h"
#include "cli/outwrite.h"

#define RECORD "device "
#define STR_(x) #x
#define STR(x) STR_(x)

struct ident {
	struct pci_addr addr;
	uint16_t vendor, device;
	uint16_t sub_vendor, sub_device;  /* 0:0 when unknown */
	uint32_t class;
	const char *vm;                   /* the VM passing it (plan side only) */
	const char *rom;                  /* its rom: file, or NULL (plan side only) */
};

static int cmp_ident(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct ident *)a)->addr, &((const struct ident *)b)->addr);
}

/* Every device p passes, in address order, each once (*n of them; malloc'd). */
static struct ident *passed(const struct plan *p, size_t *n)
{
	size_t total = 0, k = 0;
	for (size_t v = 0; v < p->nvms; v++)
		total += p->vms[v].ndevs;
	struct ident *out = xmalloc_array(total ? total : 1, sizeof(*out));
	for (size_t v = 0; v < p->nvms; v++)
		for (size_t i = 0; i < p->vms[v].ndevs; i++) {
			const struct plan_dev *d = &p->vms[v].devs[i];
			out[k++] = (struct ident){ .addr = d->addr, .vendor = d->vendor,
				.device = d->device, .sub_vendor = d->sub_vendor,
				.sub_device = d->sub_device, .class = d->class, .vm = p->vms[v].name,
				.rom = d->rom };
		}
	/* qsort is not stable: the VM named for a device passed twice (which the checks
	 * refuse) would not be deterministic, but such a plan is never built. */
	qsort(out, total, sizeof(*out), cmp_ident);
	size_t w = 0;
	for (size_t i = 0; i < total; i++)
		if (w == 0 || pci_addr_cmp(&out[w - 1].addr, &out[i].addr))
			out[w++] = out[i];
	*n = w;
	return out;
}

static bool sub_known(const struct ident *d)
{
	return d->sub_vendor || d->sub_device;
}

void ident_manifest_add(struct buf *m, const struct plan *p)
{
	size_t n;
	struct ident *d = passed(p, &n);
	if (n)
		buf_puts(m, "# The devices passed at this build: address, vendor:device, class, subsystem\n"
			    "# (- unknown). The next build stops when another device is at one of these\n"
			    "# addresses; 'vfioc build --accept-hardware-change' takes it.\n");
	for (size_t i = 0; i < n; i++) {
		char a[PCI_ADDR_STRLEN];
		pci_addr_fmt(&d[i].addr, a);
		buf_printf(m, RECORD "%s %04x:%04x %06x ", a, d[i].vendor, d[i].device,
			   (unsigned)d[i].class);
		if (sub_known(&d[i]))
			buf_printf(m, "%04x:%04x\n", d[i].sub_vendor, d[i].sub_device);
		else
			buf_puts(m, "-\n");
	}
	free(d);
}

/* Exactly six lower-case hex digits. */
static bool parse_class(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 6; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else
			return false;
	}
	*out = v;
	return s[6] == '\0';
}

/* line split at its spaces into exactly n fields (in place); false when it has more or
 * fewer. Two spaces in a row make an empty field, which no caller takes. */
static bool split_fields(char *line, char **f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		f[i] = line;
		line = strchr(line, ' ');
		if ((line == NULL) != (i == n - 1))
			return false;
		if (line)
			*line++ = '\0';
	}
	return true;
}

/* One record line (after RECORD), exactly as ident_manifest_add writes it. */
static bool parse_record(char *line, struct ident *r)
{
	char *f[4];
	if (!split_fields(line, f, 4) || strlen(f[0]) != 12 || !pci_addr_parse(f[0], &r->addr) ||
	    !pci_id_parse(f[1], &r->vendor, &r->device) || !parse_class(f[2], &r->class))
		return false;
	*r = (struct ident){ .addr = r->addr, .vendor = r->vendor, .device = r->device,
			     .class = r->class };
	if (!strcmp(f[3], "-"))
		return true;
	return pci_id_parse(f[3], &r->sub_vendor, &r->sub_device) && sub_known(r);
}

static struct diag *invalid(struct diags *ds, const struct ident_ctx *cx, const char *why,
			    size_t line)
{
	struct diag *d = line
		? diag_emit(ds, D_MANIFEST_INVALID, NULL, "%s/" OUT_MANIFEST ":%zu: %s", cx->outdir,
			    line, why)
		: diag_emit(ds, D_MANIFEST_INVALID, NULL, "%s/" OUT_MANIFEST " %s", cx->outdir, why);
	diag_hint(d, "vfioc writes this file itself; to take the devices as they are now, run "
		  "'vfioc build %s -o %s --accept-hardware-change', which writes it anew",
		  cx->config, cx->outdir);
	return d;
}

struct records {
	struct ident *v;
	size_t n, cap;
};

/* The records of text (len bytes), sorted by address; false after reporting the first
 * malformed one. */
static bool parse_manifest(char *text, size_t len, const struct ident_ctx *cx,
			   struct records *out, struct diags *ds)
{
	char *nul = memchr(text, '\0', len);
	size_t lineno = 0;
	for (char *line = text, *next; line < text + len; line = next) {
		lineno++;
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		next = nl ? nl + 1 : text + len;
		if (nul && nul < next) {
			invalid(ds, cx, "holds a NUL byte, which no manifest vfioc writes does", lineno);
			return false;
		}
		if (nl)
			*nl = '\0';
		if (strncmp(line, RECORD, strlen(RECORD)))
			continue;  /* a file name or a comment: outwrite.c reads those */
		struct ident *r = &VEC_PUSH(out->v, out->n, out->cap);
		if (!parse_record(line + strlen(RECORD), r)) {
			invalid(ds, cx, "is not a device record (expected 'device DDDD:BB:SS.F "
				"VVVV:DDDD CCCCCC SSSS:SSSS', or '-' for an unknown subsystem)", lineno);
			return false;
		}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_ident);
	for (size_t i = 1; i < out->n; i++)
		if (!pci_addr_cmp(&out->v[i - 1].addr, &out->v[i].addr)) {
			char a[PCI_ADDR_STRLEN];
			pci_addr_fmt(&out->v[i].addr, a);
			char *why = xasprintf("records %s twice", a);
			invalid(ds, cx, why, 0);
			free(why);
			return false;
		}
	return true;
}

/* "10de:2204 (VGA)"; with code, the class's own digits too: "1002:ab28 (audio 0403)". */
static void describe(const struct ident *d, bool code, struct buf *b)
{
	const char *name = pci_class_short(d->class);
	unsigned cls = (unsigned)(d->class >> 8);
	buf_printf(b, "%04x:%04x (", d->vendor, d->device);
	if (!name)
		buf_printf(b, "class %04x)", cls);
	else if (code)
		buf_printf(b, "%s %04x)", name, cls);
	else
		buf_printf(b, "%s)", name);
}

static void changed(const struct ident *was, const struct ident *now,
		    const struct ident_ctx *cx, struct diags *ds)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&now->addr, a);
	const char *nw = pci_class_short(was->class), *nn = pci_class_short(now->class);
	bool code = was->class != now->class && nw && nn && !strcmp(nw, nn);
	struct buf bw = {0}, bn = {0};
	describe(was, code, &bw);
	describe(now, code, &bn);
	struct diag *d = diag_emit(ds, D_HARDWARE_CHANGED, NULL, "%s was %s at the last build, "
				   "is now %s", a, buf_str(&bw), buf_str(&bn));
	diag_note(d, NULL, "VM '%s' passes %s; %s/" OUT_MANIFEST " records what was there",
		  now->vm, a, cx->outdir);
	diag_hint(d, "if the card moved, pass it at its new address (see 'vfioc groups'); to "
		  "pass what is there now, run 'vfioc build %s -o %s --accept-hardware-change'",
		  cx->config, cx->outdir);
	buf_free(&bw);
	buf_free(&bn);
}

static void board_changed(const struct ident *was, const struct ident *now,
			  const struct ident_ctx *cx, struct diags *ds)
{
	char a[PCI_ADDR_STRLEN];
	pci_addr_fmt(&now->addr, a);
	struct buf b = {0};
	describe(now, false, &b);
	struct diag *d = diag_emit(ds, D_BOARD_CHANGED, NULL, "%s is %s as at the last build, "
				   "but another board: subsystem %04x:%04x, was %04x:%04x", a,
				   buf_str(&b), now->sub_vendor, now->sub_device, was->sub_vendor,
				   was->sub_device);
	if (now->rom)
		diag_note(d, NULL, "VM '%s' passes it with rom %s: a VBIOS dumped from the old "
			  "board may not fit this one", now->vm, now->rom);
	diag_hint(d, "this build records the new board in %s/" OUT_MANIFEST " (with --werror, "
		  "'vfioc build %s -o %s --accept-hardware-change' does)", cx->outdir, cx->config,
		  cx->outdir);
	buf_free(&b);
}

/* Each device p passes against its record, when there is one. */
static void compare(const struct records *old, const struct plan *p,
		    const struct ident_ctx *cx, struct diags *ds)
{
	size_t n;
	struct ident *now = passed(p, &n);
	for (size_t i = 0; i < n; i++) {
		/* bsearch's base must not be NULL even for no elements (C11 7.22.5). */
		const struct ident *was = old->n ? bsearch(&now[i], old->v, old->n,
							   sizeof(*old->v), cmp_ident) : NULL;
		if (!was)
			continue;
		if (was->vendor != now[i].vendor || was->device != now[i].device ||
		    was->class != now[i].class)
			changed(was, &now[i], cx, ds);
		else if (sub_known(was) && sub_known(&now[i]) &&
			 (was->sub_vendor != now[i].sub_vendor || was->sub_device != now[i].sub_device))
			board_changed(was, &now[i], cx, ds);
	}
	free(now);
}

void ident_check(int dirfd, const struct plan *p, const struct ident_ctx *cx,
		 struct diags *ds)
{
	char *text = NULL;
	size_t len = 0;
	int e = dirfd < 0 ? ENOENT
	      : read_regular_at(dirfd, OUT_MANIFEST, true, IDENT_MAX_MANIFEST, &text, &len);
	struct records old = {0};
	if (e == 0 && parse_manifest(text, len, cx, &old, ds))
		compare(&old, p, cx, ds);
	else if (e == ELOOP)
		invalid(ds, cx, "is a symlink, not a file", 0);
	else if (e == EISDIR || e == EINVAL)
		invalid(ds, cx, e == EISDIR ? "is a folder, not a file"
					    : "is not a regular file (a FIFO, device or socket)", 0);
	else if (e == EFBIG)
		invalid(ds, cx, "is larger than the " STR(IDENT_MAX_MIB) " MiB vfioc reads", 0);
	else if (e && e != ENOENT)
		diag_emit(ds, D_IO_ERROR, NULL, "cannot read %s/" OUT_MANIFEST ": %s", cx->outdir,
			  strerror(e));
	free(old.v);
	free(text);
}
