/* tools/groups/json.c: `vfioc groups --format json`: the IOMMU groups, their devices and the
 * verdicts of tools/groups/verdicts.c as one JSON object, for scripts and CI. Strings go through the
 * diagnostics' JSON escaping, whatever bytes sysfs or a snapshot held. */
#include <stdio.h>
#include <stdlib.h>

#include "base/diag.h"
#include "base/util.h"
#include "tools/groups/groups.h"

static const char *const group_words[] = {
	[GV_BRIDGES_ONLY] = "bridges-only", [GV_ALONE] = "alone", [GV_TOGETHER] = "together",
	[GV_SOME_MAY_STAY] = "some-may-stay", [GV_HOST] = "host", [GV_BLOCKED] = "blocked",
};

static const struct {
	const char *verdict, *reason;
} dev_words[] = {
	[DV_ALONE] = { "alone", NULL },
	[DV_TOGETHER] = { "together", NULL },
	[DV_NEVER_BRIDGE] = { "never", "bridge" },
	[DV_NEVER_PLATFORM] = { "never", "platform" },
	[DV_NEVER_HOLDS] = { "never", "holds-group" },
	[DV_NEVER_BLOCKED_GROUP] = { "never", "blocked-group" },
	[DV_NEVER_HOST_FS] = { "never", "host-fs" },
	[DV_NEVER_HOST_GROUP] = { "never", "host-fs-in-group" },
};

/* ", \"key\": value" with a string or null. */
static void str_field(FILE *out, const char *key, const char *s)
{
	fprintf(out, ", \"%s\": ", key);
	if (s)
		diag_json_string(out, s);
	else
		fputs("null", out);
}

static void addr_str(FILE *out, const struct pci_addr *a)
{
	char addr[PCI_ADDR_STRLEN];
	pci_addr_fmt(a, addr);
	fprintf(out, "\"%s\"", addr);
}

/* "reset_methods": ["flr", "bus"], [] for none, null when unknown. */
static void reset_field(FILE *out, const char *methods)
{
	fputs(", \"reset_methods\": ", out);
	if (!methods) {
		fputs("null", out);
		return;
	}
	fputc('[', out);
	const char *sep = "";
	for (const char *p = methods; *p;) {
		size_t n = 0;
		while (*p == ' ')
			p++;
		while (p[n] && p[n] != ' ')
			n++;
		if (!n)
			break;
		char *word = xstrndup(p, n);
		fputs(sep, out);
		diag_json_string(out, word);
		free(word);
		sep = ", ";
		p += n;
	}
	fputc(']', out);
}

/* The facts of d, without the verdict: address, class, IDs, names, driver, what it is to
 * the host. */
static void device_facts(FILE *out, const struct hw_pci *d)
{
	fputs("{\"address\": ", out);
	addr_str(out, &d->addr);
	fprintf(out, ", \"class\": \"%04x\"", (unsigned)(d->class >> 8));
	str_field(out, "class_name", d->class_name);
	fprintf(out, ", \"vendor\": \"%04x\", \"device\": \"%04x\"", d->vendor, d->device);
	str_field(out, "vendor_name", d->vendor_name);
	str_field(out, "device_name", d->device_name);
	str_field(out, "driver", d->driver);
	str_field(out, "role", hw_stays_on_host(d) ? hw_platform_role(d) : NULL);
	str_field(out, "host_fs", d->host_fs);
	str_field(out, "host_route", d->host_route);
	fprintf(out, ", \"boot_vga\": %s", d->boot_vga < 0 ? "null" : d->boot_vga ? "true" : "false");
	reset_field(out, d->reset_methods);
	fputs(", \"physfn\": ", out);
	if (d->is_vf)
		addr_str(out, &d->physfn);
	else
		fputs("null", out);
}

/* `key`: a JSON list of the members of g other than d: the one `only`, or the endpoints
 * with (holding 1) or without (holding 0) a driver; none for holding -1. */
static void addr_list(FILE *out, const char *key, const struct hw *hw, const struct hw_group *g,
		      const struct hw_pci *d, const struct hw_pci *only, int holding)
{
	fprintf(out, ", \"%s\": [", key);
	const char *sep = "";
	for (size_t i = 0; i < g->n && (only || holding >= 0); i++) {
		const struct hw_pci *o = &hw->pci[g->member[i]];
		bool named = only ? o == only
			      : o != d && !hw_stays_on_host(o) && hw_holds_group(o) == holding;
		if (!named)
			continue;
		fputs(sep, out);
		addr_str(out, &o->addr);
		sep = ", ";
	}
	fputc(']', out);
}

/* "with": the endpoints with a driver that d goes with (together), or the one holding the
 * host's disk, or the bridge or platform function that keeps the group from every VM; "may_stay": the other endpoints without a driver, which may stay on the host
 * when d is passed (alone and together only). */
static void with_fields(FILE *out, const struct hw *hw, const struct hw_group *g,
			const struct group_facts *f, const struct hw_pci *d, enum dev_verdict v)
{
	bool passable = v == DV_ALONE || v == DV_TOGETHER;
	const struct hw_pci *only = v == DV_NEVER_HOST_GROUP ? f->host_disk
				  : v == DV_NEVER_BLOCKED_GROUP ? f->blocker : NULL;
	addr_list(out, "with", hw, g, d, only, v == DV_TOGETHER ? 1 : -1);
	addr_list(out, "may_stay", hw, g, d, NULL, passable ? 0 : -1);
}

static void write_group(FILE *out, const struct hw *hw, const struct hw_group *g)
{
	struct group_facts f = groups_facts(hw, g);
	fprintf(out, "    {\"group\": %d, \"endpoints\": %zu, \"verdict\": \"%s\"", g->number,
		f.endpoints, group_words[groups_group_verdict(&f)]);
	fputs(", \"blocked_by\": ", out);
	if (f.blocker) {
		fputs("{\"address\": ", out);
		addr_str(out, &f.blocker->addr);
		fprintf(out, ", \"role\": \"%s\"", hw_platform_role(f.blocker));
		str_field(out, "driver", f.blocker->driver);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(", \"devices\": [\n", out);
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *d = &hw->pci[g->member[i]];
		enum dev_verdict v = groups_device_verdict(&f, d);
		fputs("      ", out);
		device_facts(out, d);
		fprintf(out, ", \"verdict\": \"%s\"", dev_words[v].verdict);
		str_field(out, "reason", dev_words[v].reason);
		with_fields(out, hw, g, &f, d, v);
		fputs(i + 1 < g->n ? "},\n" : "}\n", out);
	}
	fputs("    ]}", out);
}

static void write_ungrouped(FILE *out, const struct hw *hw, const struct groups_filter *filter)
{
	fputs("  \"ungrouped\": [", out);
	const char *sep = "\n";
	for (size_t i = 0; i < hw->npci && !(filter && filter->group >= 0); i++) {
		if (hw->pci[i].iommu_group >= 0 || !groups_filter_device(filter, &hw->pci[i]))
			continue;
		fputs(sep, out);
		fputs("    ", out);
		device_facts(out, &hw->pci[i]);
		fputs(", \"verdict\": \"never\", \"reason\": \"no-group\", \"with\": [], \"may_stay\": []}", out);
		sep = ",\n";
	}
	fputs(*sep == ',' ? "\n  ],\n" : "],\n", out);
}

void groups_write_json(const struct hw *hw, const struct groups_filter *filter,
		       const struct diags *ds, FILE *out)
{
	if (!hw) {  /* the hardware could not be read: the diagnostics say why */
		fputs("{\n  \"iommu\": null,\n  \"groups\": [],\n  \"ungrouped\": [],\n", out);
	} else {
		fprintf(out, "{\n  \"iommu\": {\"enabled\": %s, \"hardware\": %s, \"enable_with\": "
			"\"%s\"},\n", hw->ngroups ? "true" : "false",
			hw->iommu_present ? "true" : "false", groups_iommu_param(hw));
		fputs("  \"groups\": [", out);
		size_t n = 0;
		for (size_t i = 0; i < hw->ngroups; i++) {
			if (!groups_filter_group(filter, hw, &hw->groups[i]))
				continue;
			fputs(n++ ? ",\n" : "\n", out);
			write_group(out, hw, &hw->groups[i]);
		}
		fputs(n ? "\n  ],\n" : "],\n", out);
		write_ungrouped(out, hw, filter);
	}
	fputs("  \"diagnostics\": ", out);
	diags_print(ds, out, DFMT_JSON);
	fputs("}\n", out);
}
