/* tools/groups/text.c: `vfioc groups` as text: a header per IOMMU group, a line per device
 * (address, marks, class, names, IDs, driver) and its verdict under it. Strings of sysfs or a
 * snapshot are escaped (base/escape.h), so that no control sequence in a device name
 * reaches the terminal. On a terminal (o->width) device names are cut with an ellipsis to
 * fit, never the address, and the other lines are wrapped; piped, every line is whole. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/term.h"
#include "base/util.h"
#include "tools/groups/groups.h"

#define VERDICT_INDENT 16  /* under the device line's class, past "  0000:01:00.0  " */
#define ELLIPSIS "\u2026"

/* One logical line being built, then written (wrapped on a terminal) by line_end. */
struct pr {
	FILE *out;
	const struct groups_text_opts *o;
	struct buf line;  /* plain text, already escaped */
};

static void add(struct pr *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct pr *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&p->line, fmt, ap);
	va_end(ap);
}

/* s escaped as esc_text writes it, into b. */
static void add_esc_to(struct buf *b, const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = xopen_memstream(&text, &len);
	esc_text(mem, s);
	fclose(mem);
	buf_add(b, text, len);
	free(text);
}

static void add_esc(struct pr *p, const char *s)
{
	add_esc_to(&p->line, s);
}

/* Columns a UTF-8 string takes: one a character (escaped text has no controls). */
static size_t cols(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Bytes of s that take at most n columns. */
static size_t prefix_bytes(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == n)
			break;
	}
	return i;
}

/* Write text[from, to) with its first `head` bytes in style hs and the rest in rs. */
static void span(const struct pr *p, const char *text, size_t from, size_t to, size_t head,
		 enum term_style hs, enum term_style rs)
{
	for (int part = 0; part < 2; part++) {
		size_t a = part ? (from > head ? from : head) : from;
		size_t b = part ? to : (to < head ? to : head);
		if (a >= b)
			continue;
		enum term_style st = part ? rs : hs;
		term_sgr(p->out, p->o->color && st != TS_RESET, st);
		fwrite(text + a, 1, b - a, p->out);
		term_sgr(p->out, p->o->color && st != TS_RESET, TS_RESET);
	}
}

/* Write the line built so far: its first `head` bytes in hs, the rest in rs; on a terminal
 * wrapped at spaces to its width, each further line indented by indent. */
static void line_end(struct pr *p, size_t head, enum term_style hs, enum term_style rs,
		     unsigned indent)
{
	const char *t = buf_str(&p->line);
	size_t len = p->line.len, start = 0, col = 0, w = p->o->width;
	for (size_t i = 0; w && i < len;) {
		size_t word = i;
		while (word < len && t[word] != ' ')
			word++;
		size_t wc = cols(t + i, word - i);
		if (col && col + wc > w && i > start) {
			/* Break before this word: drop the spaces at the break. */
			size_t end = i;
			while (end > start && t[end - 1] == ' ')
				end--;
			span(p, t, start, end, head, hs, rs);
			fprintf(p->out, "\n%*s", (int)indent, "");
			start = i;
			col = indent;
		}
		col += wc;
		i = word;
		while (i < len && t[i] == ' ') {
			i++;
			col++;
		}
	}
	span(p, t, start, len, head, hs, rs);
	fputc('\n', p->out);
	p->line.len = 0;
	if (p->line.s)
		p->line.s[0] = '\0';
}

/* What a device is to the host, before anything else is said of it. */
static void marks_of(const struct hw_pci *d, struct buf *b)
{
	if (d->boot_vga == 1)
		buf_printf(b, "[boot GPU] ");
	if (d->host_fs)
		buf_printf(b, "[host disk] ");
	if (d->host_route)
		buf_printf(b, "[host network] ");
}

/* Cut b to at most n columns, the last an ellipsis (n >= 1). */
static void cut(struct buf *b, size_t n)
{
	size_t c = cols(buf_str(b), b->len);
	if (c <= n)
		return;
	b->len = prefix_bytes(buf_str(b), n - 1);
	buf_printf(b, "%s", ELLIPSIS);
}

/* Shrink the names, then the class name, until the line fits in width (the address and
 * the marks stay whole). */
static void fit(struct buf *cls, struct buf *names, size_t fixed, size_t width)
{
	static const size_t floors[][2] = { { 8, 12 }, { 8, 1 }, { 1, 1 } };  /* class, names */
	for (size_t s = 0; s < ARRAY_LEN(floors); s++) {
		size_t c = cols(buf_str(cls), cls->len), n = cols(buf_str(names), names->len);
		if (fixed + c + n <= width)
			return;
		size_t over = fixed + c + n - width;
		size_t nmin = floors[s][1] < n ? floors[s][1] : n, cmin = floors[s][0] < c ? floors[s][0] : c;
		size_t take = n - nmin < over ? n - nmin : over;
		cut(names, n - take);
		over -= take;
		cut(cls, c - (c - cmin < over ? c - cmin : over));
	}
}

static void print_device(struct pr *p, const struct hw_pci *d)
{
	char addr[PCI_ADDR_STRLEN];
	pci_addr_fmt(&d->addr, addr);
	struct buf marks = {0}, cls = {0}, names = {0}, tail = {0};
	marks_of(d, &marks);
	add_esc_to(&cls, d->class_name ? d->class_name : "Device");
	if (d->vendor_name) {
		add_esc_to(&names, d->vendor_name);
		buf_printf(&names, " ");
	}
	add_esc_to(&names, d->device_name ? d->device_name : "Device");
	buf_printf(&tail, " [%04x:%04x]  driver: ", d->vendor, d->device);
	add_esc_to(&tail, d->driver ? d->driver : "none");
	char code[16];
	snprintf(code, sizeof code, " [%04x]: ", (unsigned)(d->class >> 8));
	size_t fixed = 4 + strlen(addr) + marks.len + strlen(code);
	size_t whole = fixed + cols(buf_str(&cls), cls.len) + cols(buf_str(&names), names.len) +
		       cols(buf_str(&tail), tail.len);
	/* Too wide for the terminal: the IDs and the driver go on a line of their own, under
	 * the class, and the names are cut to what is left. */
	bool split = p->o->width && whole > p->o->width;
	if (split)
		fit(&cls, &names, fixed, p->o->width);
	fprintf(p->out, "  %s  ", addr);
	if (marks.len) {
		marks.len--;  /* its last space goes outside the colour */
		term_sgr(p->out, p->o->color, TS_WARNING);
		fwrite(buf_str(&marks), 1, marks.len, p->out);
		term_sgr(p->out, p->o->color, TS_RESET);
		fputc(' ', p->out);
	}
	fprintf(p->out, "%s%s%s", buf_str(&cls), code, buf_str(&names));
	if (split)
		fprintf(p->out, "\n%*s%s\n", VERDICT_INDENT, "", buf_str(&tail) + 1);
	else
		fprintf(p->out, "%s\n", buf_str(&tail));
	buf_free(&marks);
	buf_free(&cls);
	buf_free(&names);
	buf_free(&tail);
}

/* The addresses of the endpoints other than d with (holding) or without a driver,
 * ", "-separated, from the few the group's facts name. */
static void print_others(struct pr *p, const struct group_facts *f, const struct hw_pci *d,
			 bool holding)
{
	const char *sep = " ";
	for (size_t i = 0; i < GROUPS_MAX_NAMED + 2 && f->named[holding][i]; i++) {
		const struct hw_pci *o = f->named[holding][i];
		char addr[PCI_ADDR_STRLEN];
		if (o == d)
			continue;
		pci_addr_fmt(&o->addr, addr);
		add(p, "%s%s", sep, addr);
		sep = ", ";
	}
}

/* "can be passed alone", "only together with A, B" or "... with the N other endpoints of
 * the group", then the endpoints without a driver, which may stay. */
static void print_siblings(struct pr *p, const struct group_facts *f, const struct hw_pci *d,
			   enum dev_verdict v)
{
	size_t need = groups_others(f, d, true), free_ = groups_others(f, d, false);
	if (v == DV_ALONE)
		add(p, "can be passed alone");
	else if (need > GROUPS_MAX_NAMED)
		add(p, "only together with the %zu other endpoints of the group", need);
	else {
		add(p, "only together with");
		print_others(p, f, d, true);
	}
	if (free_ > GROUPS_MAX_NAMED)
		add(p, "; the %zu endpoints without a driver may stay", free_);
	else if (free_) {
		add(p, ";");
		print_others(p, f, d, false);
		add(p, " may stay (no driver)");
	}
}

/* What else a user should know before passing d. */
static void print_marks(struct pr *p, const struct hw_pci *d)
{
	if (d->host_route) {
		add(p, "; carries the host's default route (");
		add_esc(p, d->host_route);
		add(p, ")");
	}
	if (d->boot_vga == 1)
		add(p, "; boot GPU (boot_vga=1): the firmware and the host console use it");
	if (d->reset_methods && !*d->reset_methods)
		add(p, "; no reset method: it may not come back after a VM stops");
	if (d->is_vf) {
		char pf[PCI_ADDR_STRLEN];
		pci_addr_fmt(&d->physfn, pf);
		add(p, "; SR-IOV virtual function of %s", pf);
	}
}

static void print_never(struct pr *p, const struct group_facts *f, const struct hw_pci *d,
			enum dev_verdict v)
{
	char addr[PCI_ADDR_STRLEN];
	switch (v) {
	case DV_NEVER_BRIDGE:
		add(p, "never: a bridge stays on the host (it does not keep the others from being "
		    "passed)");
		break;
	case DV_NEVER_PLATFORM:
		add(p, "never: it stays on the host (%s; without a driver it does not keep the "
		    "others from being passed)", hw_platform_role(d));
		break;
	case DV_NEVER_HOLDS:
		add(p, "never: it stays on the host (%s), and its driver ", hw_platform_role(d));
		add_esc(p, d->driver);
		add(p, " keeps the group from every VM");
		break;
	case DV_NEVER_BLOCKED_GROUP:
		pci_addr_fmt(&f->blocker->addr, addr);
		add(p, "never: %s (%s) holds the group on ", addr, hw_platform_role(f->blocker));
		add_esc(p, f->blocker->driver);
		break;
	case DV_NEVER_HOST_FS:
		add(p, "never: it holds the host's ");
		add_esc(p, d->host_fs);
		break;
	case DV_NEVER_HOST_GROUP:
		pci_addr_fmt(&f->host_disk->addr, addr);
		add(p, "never: only together with %s, which holds the host's ", addr);
		add_esc(p, f->host_disk->host_fs);
		break;
	case DV_ALONE:
	case DV_TOGETHER:
		break;
	}
}

static void print_verdict(struct pr *p, const struct group_facts *f, const struct hw_pci *d)
{
	add(p, "%*s", VERDICT_INDENT, "");
	enum dev_verdict v = groups_device_verdict(f, d);
	if (v == DV_ALONE || v == DV_TOGETHER)
		print_siblings(p, f, d, v);
	else
		print_never(p, f, d, v);
	if (!hw_stays_on_host(d))
		print_marks(p, d);
	enum term_style st = v == DV_ALONE ? TS_OK : v == DV_TOGETHER ? TS_NOTE : TS_ERROR;
	line_end(p, VERDICT_INDENT, TS_RESET, st, VERDICT_INDENT);
}

static void print_group(struct pr *p, const struct hw *hw, const struct hw_group *g)
{
	/* Found once per group: a group can hold 10^5 devices. */
	struct group_facts f = groups_facts(hw, g);
	size_t nend = f.endpoints;
	char addr[PCI_ADDR_STRLEN];
	add(p, "IOMMU group %d", g->number);
	size_t head = p->line.len;
	switch (groups_group_verdict(&f)) {
	case GV_HOST:
		if (nend == 1)
			add(p, ": one endpoint, kept by the host: its own file systems are on it");
		else
			add(p, ": %zu endpoints, kept by the host: its own file systems are on one", nend);
		break;
	case GV_BLOCKED:
		pci_addr_fmt(&f.blocker->addr, addr);
		add(p, ": kept by the host: %s (%s) is on ", addr, hw_platform_role(f.blocker));
		add_esc(p, f.blocker->driver);
		add(p, ", which the kernel does not allow in a group given to a VM");
		break;
	case GV_BRIDGES_ONLY:
		add(p, ": bridges only, nothing to pass");
		break;
	case GV_ALONE:
		add(p, ": one endpoint, can be passed alone");
		break;
	case GV_TOGETHER:
		add(p, ": %zu endpoints, to be passed together", nend);
		break;
	case GV_SOME_MAY_STAY:
		add(p, ": %zu endpoints: those with a driver go together, the %zu without one may "
		    "stay", nend, nend - f.holding);
		break;
	}
	line_end(p, head, TS_BOLD, TS_RESET, 4);
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *d = &hw->pci[g->member[i]];
		print_device(p, d);
		print_verdict(p, &f, d);
	}
}

static void print_ungrouped(struct pr *p, const struct hw *hw, const struct groups_filter *fl)
{
	bool header = false;
	if (fl && fl->group >= 0)
		return;  /* none of them is in the group asked for */
	for (size_t i = 0; i < hw->npci; i++) {
		if (hw->pci[i].iommu_group >= 0 || !groups_filter_device(fl, &hw->pci[i]))
			continue;
		if (!header) {
			add(p, "Not in any IOMMU group (cannot be passed through)");
			line_end(p, p->line.len, TS_BOLD, TS_RESET, 0);
		}
		header = true;
		print_device(p, &hw->pci[i]);
	}
}

static void print_iommu_off(struct pr *p, const struct hw *hw)
{
	const char *param = groups_iommu_param(hw);
	const char *feature = hw->cpu_vendor == CPU_AMD ? "AMD-Vi (IOMMU)"
			      : hw->cpu_vendor == CPU_INTEL ? "VT-d" : "VT-d or AMD-Vi (IOMMU)";
	add(p, "No IOMMU groups: the IOMMU is off, so no device can be passed through yet.");
	line_end(p, 0, TS_RESET, TS_ERROR, 0);
	if (hw->iommu_present)
		add(p, "The IOMMU hardware is there (sys/class/iommu) but the kernel did not enable "
		    "it: boot with %s.", param);
	else
		add(p, "Enable %s in the firmware setup, then boot with %s.", feature, param);
	line_end(p, 0, TS_RESET, TS_RESET, 0);
	add(p, "'vfioc build' adds %s to the kernel command line it writes.", param);
	line_end(p, 0, TS_RESET, TS_RESET, 0);
}

void groups_write_text(const struct hw *hw, const struct groups_filter *filter,
		       const struct groups_text_opts *o, FILE *out)
{
	struct pr p = { .out = out, .o = o };
	if (hw->ngroups == 0) {
		print_iommu_off(&p, hw);
	} else {
		for (size_t i = 0; i < hw->ngroups; i++) {
			if (!groups_filter_group(filter, hw, &hw->groups[i]))
				continue;
			print_group(&p, hw, &hw->groups[i]);
			fputc('\n', out);
		}
		print_ungrouped(&p, hw, filter);
	}
	buf_free(&p.line);
}
