/* hw/host.c: the facts of a host beside its PCI devices, read from sysfs and procfs: CPUs
 * and their SMT siblings, CPU vendor and flags, memory, hugepage sizes, kernel, IOMMU
 * hardware, USB devices and the host identity. Anything missing stays unknown. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"
#include "hw/sysfs_read.h"
#include "model/strrules.h"

#define CPUINFO_MAX (8u << 20)

/* The value of the first "key<tabs>: value" line of a /proc file, in place (or NULL). */
static char *proc_field(char *text, const char *key)
{
	size_t klen = strlen(key);
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) != 0 || !strchr(" \t:", line[klen]))
			continue;
		char *v = strchr(line, ':');
		char *eol = strchr(line, '\n');
		if (!v || (eol && v > eol))
			continue;
		v += 1 + strspn(v + 1, " \t");
		return eol ? xstrndup(v, (size_t)(eol - v)) : xstrdup(v);
	}
	return NULL;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void read_cpuinfo(struct hw *hw, struct hw_reader *r)
{
	char *text;
	size_t len;
	if (hwr_file(r, hwr_path(r, "proc/cpuinfo"), CPUINFO_MAX, &text, &len) != 0)
		return;
	char *vendor = proc_field(text, "vendor_id");
	char *flags = proc_field(text, "flags");
	if (vendor && strcmp(vendor, "GenuineIntel") == 0)
		hw->cpu_vendor = CPU_INTEL;
	else if (vendor && strcmp(vendor, "AuthenticAMD") == 0)
		hw->cpu_vendor = CPU_AMD;
	if (flags) {
		hw->cpu_vmx = has_word(flags, "vmx");
		hw->cpu_svm = has_word(flags, "svm");
		hw->cpu_pdpe1gb = has_word(flags, "pdpe1gb");
	}
	free(vendor);
	free(flags);
	free(text);
}

static void read_meminfo(struct hw *hw, struct hw_reader *r)
{
	char *text;
	size_t len;
	if (hwr_file(r, hwr_path(r, "proc/meminfo"), 1u << 20, &text, &len) != 0)
		return;
	char *total = proc_field(text, "MemTotal");
	unsigned long long kib;
	char unit[4] = "";
	if (total && sscanf(total, "%llu %3s", &kib, unit) == 2 && strcmp(unit, "kB") == 0)
		hw->mem_total_kib = kib;
	free(total);
	free(text);
}

static void read_one_cpu(struct hw_reader *r, unsigned id, struct hw_cpu *c)
{
	long v;
	c->id = id;
	c->core_id = hwr_long(r, &v, 10, "sys/devices/system/cpu/cpu%u/topology/core_id", id) ? (int)v : -1;
	c->package_id = hwr_long(r, &v, 10, "sys/devices/system/cpu/cpu%u/topology/physical_package_id",
				 id) ? (int)v : -1;
	const char *sib = hwr_text(r, "sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", id);
	const char *why;
	if (!sib || !cpulist_parse(sib, r->a, &c->siblings, &why))
		c->siblings = (struct cpulist){ NULL, 0 };
}

/* The online CPUs: sys/devices/system/cpu/online, else the cpuN directories. */
static bool online_cpus(struct hw_reader *r, struct cpulist *l)
{
	const char *why;
	const char *online = hwr_text(r, "sys/devices/system/cpu/online");
	if (online && cpulist_parse(online, r->a, l, &why))
		return true;
	DIR *dir = hwr_opendir(r, hwr_path(r, "sys/devices/system/cpu"));
	if (!dir)
		return false;
	size_t cap = 0;
	unsigned *ids = NULL;
	l->n = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		unsigned id;
		char extra;
		if (sscanf(e->d_name, "cpu%u%c", &id, &extra) == 1 && id <= CPULIST_MAX_CPU)
			VEC_PUSH(ids, l->n, cap) = id;
	}
	closedir(dir);
	l->cpu = hw_arena_keep(r->a, ids, l->n * sizeof(unsigned));
	return true;
}

static void read_cpus(struct hw *hw, struct hw_reader *r)
{
	struct cpulist online = { NULL, 0 };
	if (!online_cpus(r, &online) || online.n == 0)
		return;
	hw->cpus = arena_alloc(&hw->arena, online.n * sizeof(struct hw_cpu));
	for (size_t i = 0; i < online.n; i++) {
		bool dup = false;
		for (size_t j = 0; j < hw->ncpus && !dup; j++)
			dup = hw->cpus[j].id == online.cpu[i];
		if (!dup)
			read_one_cpu(r, online.cpu[i], &hw->cpus[hw->ncpus++]);
	}
}

/* Each CPU's NUMA node, from the nodes' cpulist files (a few, rather than a directory
 * listing per CPU). */
static void read_cpu_nodes(struct hw *hw, struct hw_reader *r)
{
	for (size_t i = 0; i < hw->ncpus; i++)
		hw->cpus[i].node = -1;
	DIR *dir = hwr_opendir(r, hwr_path(r, "sys/devices/system/node"));
	if (!dir || !hw->ncpus) {
		if (dir)
			closedir(dir);
		return;
	}
	size_t *at = xcalloc(CPULIST_MAX_CPU + 1, sizeof(*at));  /* id -> index + 1 */
	for (size_t i = 0; i < hw->ncpus; i++)
		at[hw->cpus[i].id] = i + 1;
	for (struct dirent *e; (e = readdir(dir));) {
		unsigned node;
		char extra;
		struct cpulist l;
		const char *why, *text;
		if (sscanf(e->d_name, "node%u%c", &node, &extra) != 1 || node > INT_MAX ||
		    !(text = hwr_text(r, "sys/devices/system/node/%s/cpulist", e->d_name)) ||
		    !cpulist_parse(text, r->a, &l, &why))
			continue;
		for (size_t k = 0; k < l.n; k++)
			if (at[l.cpu[k]])
				hw->cpus[at[l.cpu[k]] - 1].node = (int)node;
	}
	closedir(dir);
	free(at);
}

static void read_hugepages(struct hw *hw, struct hw_reader *r)
{
	DIR *dir = hwr_opendir(r, hwr_path(r, "sys/kernel/mm/hugepages"));
	if (!dir)
		return;
	size_t cap = 0;
	uint64_t *sizes = NULL;
	for (struct dirent *e; (e = readdir(dir));) {
		unsigned long long kib;
		char tail[3] = "";
		if (sscanf(e->d_name, "hugepages-%llu%2s", &kib, tail) == 2 && strcmp(tail, "kB") == 0 &&
		    kib > 0)
			VEC_PUSH(sizes, hw->nhugepage, cap) = kib;
	}
	closedir(dir);
	hw->hugepage_kib = hw_arena_keep(&hw->arena, sizes, hw->nhugepage * sizeof(uint64_t));
}

static bool dir_has_entries(struct hw_reader *r, const char *path)
{
	DIR *dir = hwr_opendir(r, path);
	if (!dir)
		return false;
	bool any = false;
	for (struct dirent *e; !any && (e = readdir(dir));)
		any = e->d_name[0] != '.';
	closedir(dir);
	return any;
}

/* One USB device directory; false for interfaces and hubs' ports (no idVendor). */
static bool read_usb_device(struct hw_reader *r, const char *name, struct hw_usb *u)
{
	long vendor, product, bus, dev;
	if (!hwr_long(r, &vendor, 16, "sys/bus/usb/devices/%s/idVendor", name) ||
	    !hwr_long(r, &product, 16, "sys/bus/usb/devices/%s/idProduct", name) ||
	    vendor < 0 || vendor > 0xffff || product < 0 || product > 0xffff)
		return false;
	if (!hwr_long(r, &bus, 10, "sys/bus/usb/devices/%s/busnum", name) || bus < 0)
		bus = 0;
	if (!hwr_long(r, &dev, 10, "sys/bus/usb/devices/%s/devnum", name) || dev < 0)
		dev = 0;
	*u = (struct hw_usb){ .vendor = (uint16_t)vendor, .product = (uint16_t)product,
			      .busnum = (unsigned)bus, .devnum = (unsigned)dev };
	/* none for "usb1", a root hub */
	u->port = schema_check_ok(SC_USBPORT, name) ? arena_strdup(r->a, name) : NULL;
	u->manufacturer = hwr_text(r, "sys/bus/usb/devices/%s/manufacturer", name);
	u->product_name = hwr_text(r, "sys/bus/usb/devices/%s/product", name);
	return true;
}

static void read_usb(struct hw *hw, struct hw_reader *r)
{
	DIR *dir = hwr_opendir(r, hwr_path(r, "sys/bus/usb/devices"));
	if (!dir)
		return;
	size_t cap = 0;
	struct hw_usb *usb = NULL, u;
	for (struct dirent *e; (e = readdir(dir));)
		if (e->d_name[0] != '.' && !strchr(e->d_name, ':') && read_usb_device(r, e->d_name, &u))
			VEC_PUSH(usb, hw->nusb, cap) = u;
	closedir(dir);
	hw->usb = hw_arena_keep(&hw->arena, usb, hw->nusb * sizeof(*usb));
}

/* The host identity: HMAC-SHA256 of the machine-id (else the DMI product UUID, which only
 * root can read) under a key of vfioc's own, as machine-id(5) asks of applications, cut to
 * HOST_ID_LEN hex digits. The machine-id itself never leaves this function. */
static void read_host_id(struct hw *hw, struct hw_reader *r)
{
	static const char key[] = "vfioc host identity v1";
	char *id = hwr_text(r, "etc/machine-id");
	if (!id || !*id) {
		const char *dmi = hwr_path(r, "sys/class/dmi/id/product_uuid");
		id = hwr_access(r, dmi, R_OK) ? hwr_text_at(r, dmi) : NULL;
	}
	if (!id || !*id)
		return;
	uint8_t mac[SHA256_LEN];
	hmac_sha256(key, sizeof(key) - 1, id, strlen(id), mac);
	char *hex = arena_alloc(&hw->arena, HOST_ID_LEN + 1);
	for (int i = 0; i < HOST_ID_LEN / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	hw->host_id = hex;
}

void hw_probe_host(struct hw *hw, struct hw_reader *r)
{
	read_host_id(hw, r);
	read_cpuinfo(hw, r);
	read_meminfo(hw, r);
	read_cpus(hw, r);
	read_cpu_nodes(hw, r);
	read_hugepages(hw, r);
	hw->kernel_release = hwr_text(r, "proc/sys/kernel/osrelease");
	hw->cmdline = hwr_text(r, "proc/cmdline");
	hw->iommu_present = dir_has_entries(r, hwr_path(r, "sys/class/iommu"));
	read_usb(hw, r);
}
