/* hw/host_uses.c: the PCI devices the host itself runs on: the controllers under its system file
 * systems (/, /nix, /usr) and the network devices of its default routes. Passing one of
 * them to a VM takes it from the host (failure-catalogue F02). Block devices and network
 * interfaces are followed through sysfs to the last PCI device on their path, and through
 * the layers above a disk or a NIC (device mapper, md: slaves/; bridges, bonds, VLANs:
 * lower_*). Anything missing leaves the devices unmarked. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/sysfs_read.h"

#define MOUNTINFO_MAX (4u << 20)
#define ROUTES_MAX (4u << 20)
#define MAX_DEPTH 8  /* layers of dm, md, bridges and bonds followed */

static const char *const system_mounts[] = { "/", "/nix", "/usr" };

struct uses {
	struct hw *hw;
	struct hw_reader *r;
	char *root;         /* realpath of the root, to make resolved paths root-relative */
};

/* The root-relative real path of ROOT/FMT (links resolved), malloc'd, or NULL. */
static __attribute__((format(printf, 2, 3))) char *resolve(struct uses *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *real = realpath(hwr_vpath(u->r, fmt, ap), NULL);
	va_end(ap);
	if (!real)
		return NULL;
	size_t n = strlen(u->root);
	char *out = NULL;
	if (strcmp(u->root, "/") == 0)
		out = xstrdup(real + 1);
	else if (strncmp(real, u->root, n) == 0 && real[n] == '/')
		out = xstrdup(real + n + 1);
	free(real);  /* a path leaving the root is not this host's */
	return out;
}

/* The next line of text, NUL-terminated in place; NULL at the end. */
static char *next_line(char **cursor)
{
	char *line = *cursor;
	if (!*line)
		return NULL;
	char *end = line + strcspn(line, "\n");
	*cursor = *end ? end + 1 : end;
	*end = '\0';
	return line;
}

/* The last PCI address among the components of path: the device the rest hangs off. sysfs
 * names PCI devices in full (DDDD:BB:SS.F), which nothing else on such a path looks like. */
static bool last_pci_addr(const char *path, struct pci_addr *out)
{
	bool found = false;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		char part[PCI_ADDR_STRLEN];
		struct pci_addr a;
		if (n == sizeof("0000:01:00.0") - 1 && p[4] == ':') {
			memcpy(part, p, n);
			part[n] = '\0';
			if (pci_addr_parse(part, &a)) {
				*out = a;
				found = true;
			}
		}
		p += n + (p[n] == '/');
	}
	return found;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Add what to the device's host_fs (fs) or host_route list, once. */
static void mark(struct uses *u, const struct pci_addr *a, bool fs, const char *what)
{
	const struct hw_pci *found = hw_find_pci(u->hw, a);
	if (!found)
		return;
	struct hw_pci *d = &u->hw->pci[found - u->hw->pci];
	const char **list = fs ? &d->host_fs : &d->host_route;
	if (!*list) {
		*list = arena_strdup(&u->hw->arena, what);
		return;
	}
	size_t n = strlen(what);
	for (const char *p = *list; (p = strstr(p, what)); p += n)
		if ((p == *list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return;
	*list = arena_printf(&u->hw->arena, "%s, %s", *list, what);
}

/* The entries of the directory ROOT/FMT whose names start with prefix (malloc'd). */
static __attribute__((format(printf, 4, 5))) size_t
list_dir(struct uses *u, const char *prefix, char ***out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	DIR *dir = hwr_opendir(u->r, hwr_vpath(u->r, fmt, ap));
	va_end(ap);
	size_t n = 0, cap = 0;
	*out = NULL;
	if (!dir)
		return 0;
	for (struct dirent *e; (e = readdir(dir));)
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			VEC_PUSH(*out, n, cap) = xstrdup(e->d_name);
	closedir(dir);
	return n;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A block device (root-relative sysfs directory) and the disks under it. */
static void block_holders(struct uses *u, const char *dir, const char *mount, int depth)
{
	struct pci_addr a;
	if (last_pci_addr(dir, &a)) {
		char what[512];
		snprintf(what, sizeof(what), "%s (%s)", mount, base_name(dir));
		mark(u, &a, true, what);
		return;
	}
	if (depth == MAX_DEPTH)
		return;
	char **names;
	size_t n = list_dir(u, "", &names, "%s/slaves", dir);
	for (size_t i = 0; i < n; i++) {
		char *below = resolve(u, "%s/slaves/%s", dir, names[i]);
		if (below)
			block_holders(u, below, mount, depth + 1);
		free(below);
	}
	free_list(names, n);
}

/* One mountinfo line (NUL-terminated): ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...]
 * - FSTYPE SOURCE SUPEROPTIONS. */
static bool mount_line(const char *line, char devno[32], char mp[256], char source[256])
{
	source[0] = '\0';
	if (sscanf(line, "%*s %*s %31s %*s %255s", devno, mp) != 2)
		return false;
	const char *dash = strstr(line, " - ");
	if (dash && sscanf(dash + 3, "%*s %255s", source) != 1)
		source[0] = '\0';
	return true;
}

/* The block devices of the system mounts (the last mount of a point hides the others). */
static void system_fs(struct uses *u)
{
	char *text, *cursor, *line;
	size_t len;
	if (hwr_file(u->r, hwr_path(u->r, "proc/self/mountinfo"), MOUNTINFO_MAX, &text, &len))
		return;
	char devno[ARRAY_LEN(system_mounts)][32] = { "" }, source[ARRAY_LEN(system_mounts)][256];
	for (cursor = text; (line = next_line(&cursor));) {
		char d[32], mp[256], src[256];
		if (!mount_line(line, d, mp, src))
			continue;
		for (size_t m = 0; m < ARRAY_LEN(system_mounts); m++)
			if (strcmp(mp, system_mounts[m]) == 0) {
				memcpy(devno[m], d, sizeof(d));
				memcpy(source[m], src, sizeof(src));
			}
	}
	free(text);
	for (size_t m = 0; m < ARRAY_LEN(system_mounts); m++) {
		if (!devno[m][0])
			continue;
		char *dir = resolve(u, "sys/dev/block/%s", devno[m]);
		/* btrfs mounts show an anonymous device number: the source names the disk. */
		if (!dir && strncmp(source[m], "/dev/", 5) == 0)
			dir = resolve(u, "sys/class/block/%s", base_name(source[m]));
		if (dir)
			block_holders(u, dir, system_mounts[m], 0);
		free(dir);
	}
}

/* A network interface and the ones under it (a bridge's ports, a bond's links, a VLAN's
 * device); via: the interface the route names. */
static void net_holders(struct uses *u, const char *name, const char *via, int depth)
{
	char *dev = resolve(u, "sys/class/net/%s/device", name);
	struct pci_addr a;
	if (dev && last_pci_addr(dev, &a)) {
		char what[160];
		snprintf(what, sizeof(what), strcmp(name, via) == 0 ? "%s" : "%s in %s", name, via);
		mark(u, &a, false, what);
	} else if (depth < MAX_DEPTH) {
		char **lower;
		size_t n = list_dir(u, "lower_", &lower, "sys/class/net/%s", name);
		for (size_t i = 0; i < n; i++)
			net_holders(u, lower[i] + strlen("lower_"), via, depth + 1);
		free_list(lower, n);
	}
	free(dev);
}

static bool all_zeros(const char *s)
{
	return *s && s[strspn(s, "0")] == '\0';
}

/* proc/net/route: IFACE DESTINATION GATEWAY FLAGS REFCNT USE METRIC MASK ...; the default
 * route has destination and mask 0. */
static bool default_v4(const char *line, char iface[64])
{
	char dest[40], mask[40];
	return sscanf(line, "%63s %39s %*s %*s %*s %*s %*s %39s", iface, dest, mask) == 3 &&
	       all_zeros(dest) && all_zeros(mask);
}

/* proc/net/ipv6_route: DEST PLEN SRC SPLEN NEXTHOP METRIC REFCNT USE FLAGS IFACE; ::/0 is the
 * default, and the kernel's unreachable one sits on lo. */
static bool default_v6(const char *line, char iface[64])
{
	char dest[40], plen[40];
	return sscanf(line, "%39s %39s %*s %*s %*s %*s %*s %*s %*s %63s", dest, plen, iface) == 3 &&
	       all_zeros(dest) && all_zeros(plen) && strcmp(iface, "lo") != 0;
}

/* The interfaces of the default routes, IPv4 and IPv6. */
static void default_routes(struct uses *u)
{
	static const struct {
		const char *file;
		bool (*is_default)(const char *line, char iface[64]);
	} tables[] = { { "proc/net/route", default_v4 }, { "proc/net/ipv6_route", default_v6 } };
	for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
		char *text, *cursor, *line, iface[64];
		size_t len;
		if (hwr_file(u->r, hwr_path(u->r, "%s", tables[t].file), ROUTES_MAX, &text, &len))
			continue;
		for (cursor = text; (line = next_line(&cursor));)
			if (tables[t].is_default(line, iface) && !strchr(iface, '/') &&
			    strcmp(iface, "..") != 0)
				net_holders(u, iface, iface, 0);
		free(text);
	}
}

void hw_probe_uses(struct hw *hw, struct hw_reader *r)
{
	struct uses u = { .hw = hw, .r = r, .root = realpath(r->root, NULL) };
	if (!u.root)
		return;
	system_fs(&u);
	default_routes(&u);
	free(u.root);
}
