/* hw/host_uses.c: the PCI devices the host itself runs on: the controllers under every
 * block-backed file system it has mounted (proc/self/mountinfo) and every swap area it uses
 * (proc/swaps, zram aside), and the network devices of its default routes. Passing one of
 * them to a VM takes it from the host (failure-catalogue F02); a missing fileSystems entry
 * without nofail sends NixOS to emergency mode at the next boot. Block devices and network
 * interfaces are followed through sysfs to the last PCI device on their path, and through
 * the layers above a disk or a NIC (device mapper: LUKS, LVM; md: slaves/; btrfs with
 * several devices: sys/fs/btrfs/UUID/devices; ZFS pools: their members as udev's database
 * (run/udev/data) labels them, readable without root; bridges, bonds, VLANs: lower_*).
 * A file system whose disks cannot be found is a warning naming it; anything else missing
 * leaves the devices unmarked. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/sysfs_read.h"

#define MOUNTINFO_MAX (4u << 20)
#define ROUTES_MAX (4u << 20)
#define UDEV_DATA_MAX (64u << 10)
#define MAX_DEPTH 8  /* layers of dm, md, bridges and bonds followed */

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
	char *real = hwr_realpath(u->r, hwr_vpath(u->r, fmt, ap));
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

/* The list with one more use: "LABEL (NAME)" as an item of its own, or NAME added to the
 * parentheses of LABEL's item: "/tank (sdc1, sdd1), swap (nvme0n1p3)". */
static const char *add_use(struct arena *a, const char *list, const char *label, const char *name)
{
	if (!list)
		return name ? arena_printf(a, "%s (%s)", label, name) : arena_strdup(a, label);
	size_t n = strlen(label);
	if (!name) {  /* a list of labels: "enp5s0 in br0, enp6s0" */
		for (const char *p = list; (p = strstr(p, label)); p += n)
			if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
				return list;
		return arena_printf(a, "%s, %s", list, label);
	}
	for (const char *p = list; *p;) {
		const char *end = strstr(p, "), ");
		end = end ? end + 1 : p + strlen(p);
		if (strncmp(p, label, n) == 0 && p[n] == ' ' && p[n + 1] == '(') {
			const char *close = end - 1;  /* the item's ')' */
			for (const char *q = p + n + 2; q < close;) {
				size_t len = strcspn(q, ",)");
				if (len == strlen(name) && !strncmp(q, name, len))
					return list;
				q += len + (q[len] == ',' ? 2 : 1);
			}
			return arena_printf(a, "%.*s, %s%s", (int)(close - list), list, name, close);
		}
		p = *end ? end + 2 : end;
	}
	return arena_printf(a, "%s, %s (%s)", list, label, name);
}

/* Add a use to the device's host_fs (fs) or host_route list, once. */
static void mark(struct uses *u, const struct pci_addr *a, bool fs, const char *label,
		 const char *name)
{
	const struct hw_pci *found = hw_find_pci(u->hw, a);
	if (!found)
		return;
	struct hw_pci *d = &u->hw->pci[found - u->hw->pci];
	const char **list = fs ? &d->host_fs : &d->host_route;
	*list = add_use(&u->hw->arena, *list, label, name);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of the directory ROOT/FMT whose names start with prefix (malloc'd), sorted:
 * the marks they lead to are in the snapshot, which is the same whatever readdir's order. */
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
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_name);
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
		mark(u, &a, true, mount, base_name(dir));
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
struct mount {
	char devno[32], point[256], fstype[64], source[256];
};

static bool mount_line(const char *line, struct mount *m)
{
	m->fstype[0] = m->source[0] = '\0';
	if (sscanf(line, "%*s %*s %31s %*s %255s", m->devno, m->point) != 2)
		return false;
	const char *dash = strstr(line, " - ");
	if (dash && sscanf(dash + 3, "%63s %255s", m->fstype, m->source) != 2)
		m->source[0] = '\0';
	return true;
}

/* The sysfs directory of the block device /dev/NAME or /dev/mapper/NAME (a device mapper
 * target by its name), root-relative; NULL when there is none. */
static char *dev_block_dir(struct uses *u, const char *dev)
{
	if (strncmp(dev, "/dev/", 5) != 0)
		return NULL;
	if (strncmp(dev, "/dev/mapper/", 12) != 0)
		return resolve(u, "sys/class/block/%s", base_name(dev));
	char **names, *found = NULL;
	size_t n = list_dir(u, "dm-", &names, "sys/class/block");
	for (size_t i = 0; i < n && !found; i++) {
		char *name = hwr_text(u->r, "sys/class/block/%s/dm/name", names[i]);
		if (name && !strcmp(name, dev + 12))
			found = resolve(u, "sys/class/block/%s", names[i]);
	}
	free_list(names, n);
	return found;
}

/* The devices of the btrfs file system one of whose devices is dir: every entry of
 * sys/fs/btrfs/UUID/devices of the UUID that lists it; false when none does. */
static bool btrfs_devices(struct uses *u, const char *dir, const char *label)
{
	char **fs;
	bool found = false;
	size_t nfs = list_dir(u, "", &fs, "sys/fs/btrfs");
	for (size_t f = 0; f < nfs && !found; f++) {
		char **devs;
		size_t n = list_dir(u, "", &devs, "sys/fs/btrfs/%s/devices", fs[f]);
		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(devs[i], base_name(dir));
		for (size_t i = 0; i < n && found; i++) {
			char *d = resolve(u, "sys/fs/btrfs/%s/devices/%s", fs[f], devs[i]);
			if (d)
				block_holders(u, d, label, 0);
			free(d);
		}
		free_list(devs, n);
	}
	free_list(fs, nfs);
	return found;
}

/* The members of ZFS pool `pool`: the block devices udev's database labels
 * ID_FS_TYPE=zfs_member, ID_FS_LABEL=pool (run/udev/data/bMAJ:MIN); how many. */
static size_t zfs_members(struct uses *u, const char *pool, const char *label)
{
	char **names, want[300];
	size_t n = list_dir(u, "b", &names, "run/udev/data"), found = 0;
	snprintf(want, sizeof(want), "\nE:ID_FS_LABEL=%s\n", pool);
	for (size_t i = 0; i < n; i++) {
		char *text;
		size_t len;
		if (hwr_file(u->r, hwr_path(u->r, "run/udev/data/%s", names[i]), UDEV_DATA_MAX, &text,
			     &len))
			continue;
		if (strstr(text, "\nE:ID_FS_TYPE=zfs_member\n") && strstr(text, want)) {
			char *dir = resolve(u, "sys/dev/block/%s", names[i] + 1);
			if (dir) {
				block_holders(u, dir, label, 0);
				found++;
			}
			free(dir);
		}
		free(text);
	}
	free_list(names, n);
	return found;
}

/* Whether a file system type is never on a block device of the host's own (a network, a
 * memory or a kernel file system): such mounts are not followed, and not warned about. */
static bool blockless(const char *fstype)
{
	static const char *const types[] = { "9p", "autofs", "binfmt_misc", "bpf", "cgroup",
		"cgroup2", "cifs", "configfs", "debugfs", "devpts", "devtmpfs", "efivarfs", "fuse",
		"fusectl", "hugetlbfs", "mqueue", "nfs", "nfs4", "nsfs", "overlay", "proc", "pstore",
		"ramfs", "rpc_pipefs", "securityfs", "smb3", "squashfs", "sysfs", "tmpfs", "tracefs",
		"virtiofs" };
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (!strcmp(fstype, types[i]))
			return true;
	return !strncmp(fstype, "fuse.", 5);
}

static void unresolved(struct uses *u, const struct mount *m, const char *why)
{
	diag_emit(u->r->ds, D_HW_INCOMPLETE, NULL, "the disks under %s (%s %s) could not be "
		  "found: %s; vfioc cannot tell which PCI device holds it, so check yourself that "
		  "no passed device does", m->point, m->fstype, m->source, why);
}

/* One mounted file system: its block device (by number, else by the source's name), and
 * the devices of its btrfs file system or ZFS pool. */
static void one_mount(struct uses *u, const struct mount *m)
{
	char label[300];
	snprintf(label, sizeof(label), "%s", m->point);
	if (!strcmp(m->fstype, "zfs")) {
		char pool[256];
		snprintf(pool, sizeof(pool), "%.*s", (int)strcspn(m->source, "/"), m->source);
		if (!zfs_members(u, pool, label))
			unresolved(u, m, "udev's database (run/udev/data) lists no member of its pool");
		return;
	}
	char *dir = strncmp(m->devno, "0:", 2) ? resolve(u, "sys/dev/block/%s", m->devno) : NULL;
	/* btrfs mounts show an anonymous device number: the source names a disk. */
	if (!dir)
		dir = dev_block_dir(u, m->source);
	if (dir && !(strcmp(m->fstype, "btrfs") == 0 && btrfs_devices(u, dir, label)))
		block_holders(u, dir, label, 0);
	else if (!dir && !blockless(m->fstype) && !strncmp(m->source, "/dev/", 5))
		unresolved(u, m, "sysfs has no block device of that name");
	free(dir);
}

static void mounts(struct uses *u)
{
	char *text, *cursor, *line;
	size_t len;
	if (hwr_file(u->r, hwr_path(u->r, "proc/self/mountinfo"), MOUNTINFO_MAX, &text, &len))
		return;
	for (cursor = text; (line = next_line(&cursor));) {
		struct mount m;
		if (mount_line(line, &m) && !blockless(m.fstype))
			one_mount(u, &m);
	}
	free(text);
}

/* proc/swaps: Filename Type Size Used Priority, after a header line. Swap on a partition
 * or a device mapper target marks its disks; zram is memory; a swap file sits on a file
 * system the mounts have marked already. */
static void swaps(struct uses *u)
{
	char *text, *cursor, *line;
	size_t len;
	if (hwr_file(u->r, hwr_path(u->r, "proc/swaps"), MOUNTINFO_MAX, &text, &len))
		return;
	for (cursor = text; (line = next_line(&cursor));) {
		char name[256], type[32];
		if (sscanf(line, "%255s %31s", name, type) != 2 || strcmp(type, "partition") != 0 ||
		    !strncmp(name, "/dev/zram", 9))
			continue;
		char *dir = dev_block_dir(u, name);
		if (dir)
			block_holders(u, dir, "swap", 0);
		free(dir);
	}
	free(text);
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
		mark(u, &a, false, what, NULL);
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
	mounts(&u);
	swaps(&u);
	default_routes(&u);
	free(u.root);
}
