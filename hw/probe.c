/* hw/probe.c: hw_probe(): PCI devices through libpci's sysfs method, with the per-device
 * files libpci does not read (hw/sysfs_extra.c, on a second thread meanwhile), then the host
 * facts (hw/host.c). libpci's error callback longjmps back here: a bad file never exits
 * the program. Under a test root that openat2 confines (hw/root_open.c), libpci, which
 * opens its files by path, only names the devices: hw/sysfs_pci.c reads them in its stead. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/libpci.h"
#include "hw/sysfs_read.h"
#include "model/strrules.h"

/* libpci reads the kernel's view of the IDs and the class (sysfs files: quirks applied).
 * Revision, prog-if, header type and a normal header's subsystem IDs come from the first 64
 * bytes of config space in one read, as lspci takes them; without config space, from the
 * kernel's files (FALLBACK_FLAGS). numa_node is read by hw/sysfs_extra.c: libpci takes garbage
 * there for node 0. The iommu_group and driver links are read there with one readlink(2)
 * each rather than PCI_FILL_IOMMU_GROUP/PCI_FILL_DRIVER: libpci resolves those with
 * realpath(3), which readlinks every path component and tripled the cost of probing 5,000
 * devices. */
#define FILL_FLAGS (PCI_FILL_IDENT | PCI_FILL_CLASS)
#define FALLBACK_FLAGS (PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS)
#define LOOKUP_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)
#define CONFIG_HEADER 64   /* what an unprivileged reader gets of config space */
#define CONFIG_SPACE 256   /* the conventional config space, capabilities included */

/* A driver seen on some device: whether sys/bus/pci/drivers/NAME exists (a driver link to
 * one that does not dangles) and its module, looked up once per driver. */
struct driver_info {
	const char *name;
	bool exists;
	const char *module;
};

struct probe {
	struct hw *hw;
	struct diags *ds;
	struct hw_reader r;
	int rootfd;           /* hw_root_open's: the root confined, libpci only for names */
	int ids_fd;           /* the root's pci.ids, opened in it for libpci, or -1 */
	struct hw_pci_raw *raw;  /* confined: the devices as hw_sysfs_scan listed them */
	size_t nraw;
	struct pci_access *pacc;
	jmp_buf jmp;          /* where libpci's error callback returns to */
	char msg[512];        /* libpci's last error */
	int err;              /* errno when libpci gave up (0: not an I/O error) */
	bool names_broken;    /* pci.ids failed to load: names stay unknown */
	struct hw_devpath dev;  /* for boot_vga, and config in messages */
	struct driver_info *drivers; size_t ndrivers, capdrivers;
};

static struct probe *active;  /* libpci's callbacks take no context argument */
static const struct pci_lib *libpci;

static __attribute__((noreturn, format(printf, 1, 2))) void libpci_error(char *fmt, ...)
{
	active->err = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(active->msg, sizeof(active->msg), fmt, ap);
	va_end(ap);
	size_t n = strlen(active->msg);
	while (n > 0 && active->msg[n - 1] == '\n')
		active->msg[--n] = '\0';
	longjmp(active->jmp, 1);
}

/* libpci warns about files it could not read; the facts they hold stay unknown. */
static __attribute__((format(printf, 1, 2))) void libpci_quiet(char *fmt, ...)
{
	(void)fmt;
}

/* ROOT's own pci.ids, when it has one. */
static void use_root_ids(struct probe *p)
{
	static const char *const where[] = { "usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids" };
	if (strcmp(p->r.root, "/") == 0)
		return;
	for (size_t i = 0; i < ARRAY_LEN(where); i++) {
		const char *path = hwr_path(&p->r, "%s", where[i]);
		if (p->rootfd >= 0) {
			/* Opened in the root, handed over as the descriptor's /proc name: the
			 * file itself, whatever links led to it. A FIFO would hang libpci. */
			struct stat st;
			int fd = hwr_open(&p->r, path, O_RDONLY | O_NONBLOCK);
			if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
				p->ids_fd = fd;
				libpci->set_name_list_path(p->pacc,
							   xasprintf("/proc/self/fd/%d", fd), 1);
				return;
			}
			if (fd >= 0)
				close(fd);
		} else if (access(path, R_OK) == 0) {
			libpci->set_name_list_path(p->pacc, xstrdup(path), 1);
			return;
		}
	}
}

static bool libpci_open(struct probe *p, const char *sysfs)
{
	p->pacc = libpci->alloc();
	p->pacc->error = libpci_error;
	p->pacc->warning = libpci_quiet;
	p->pacc->debug = libpci_quiet;
	p->pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	if (setjmp(p->jmp))
		return false;
	libpci->set_param(p->pacc, "sysfs.path", (char *)sysfs);
	libpci->set_param(p->pacc, "hwdb.disable", "1");
	use_root_ids(p);
	if (p->rootfd >= 0) {  /* names only: hw/sysfs_pci.c reads the devices in the root */
		if (hw_sysfs_scan(&p->r, &p->raw, &p->nraw))
			return true;
		snprintf(p->msg, sizeof(p->msg), "Cannot open %s/devices", sysfs);  /* libpci's */
		return false;
	}
	libpci->init(p->pacc);
	libpci->scan_bus(p->pacc);
	return true;
}

/* A bridge's subsystem IDs sit in its SSVID capability, where the kernel takes them from.
 * Only root may read config space beyond the header: others get the kernel's files. */
static void bridge_subsys(struct pci_dev *dev, u8 cfg[CONFIG_SPACE], struct hw_header *h)
{
	if ((h->type & 0x7f) != PCI_HEADER_TYPE_BRIDGE ||
	    !libpci->read_block(dev, CONFIG_HEADER, cfg + CONFIG_HEADER, CONFIG_SPACE - CONFIG_HEADER)) {
		libpci->fill_info(dev, PCI_FILL_SUBSYS);
		return;
	}
	libpci->setup_cache(dev, cfg, CONFIG_SPACE);  /* libpci walks the capabilities in cfg */
	struct pci_cap *cap = libpci->find_cap(dev, PCI_CAP_ID_SSVID, PCI_CAP_NORMAL);
	h->has_subsys = true;
	if (cap) {
		h->sub_vendor = libpci->read_word(dev, cap->addr + PCI_SSVID_VENDOR);
		h->sub_device = libpci->read_word(dev, cap->addr + PCI_SSVID_DEVICE);
	}
	libpci->setup_cache(dev, NULL, 0);
}

/* The path of the device's file name, for reading or for a message. */
static const char *dev_file(struct probe *p, const struct pci_addr *a, const char *name)
{
	hwr_devpath_at(&p->dev, a);
	return hwr_devpath_file(&p->dev, name);
}

static void read_header(struct probe *p, struct pci_dev *dev, struct hw_header *h)
{
	u8 cfg[CONFIG_SPACE];
	errno = 0;
	if (libpci->read_block(dev, 0, cfg, CONFIG_HEADER)) {
		h->type_known = true;
		h->type = cfg[PCI_HEADER_TYPE];
		h->revision = cfg[PCI_REVISION_ID];
		h->prog_if = cfg[PCI_CLASS_PROG];
		if ((h->type & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
			h->has_subsys = true;
			h->sub_vendor = (uint16_t)(cfg[PCI_SUBSYSTEM_VENDOR_ID] |
						   cfg[PCI_SUBSYSTEM_VENDOR_ID + 1] << 8);
			h->sub_device = (uint16_t)(cfg[PCI_SUBSYSTEM_ID] | cfg[PCI_SUBSYSTEM_ID + 1] << 8);
		} else {
			bridge_subsys(dev, cfg, h);
		}
		return;
	}
	/* libpci only warns; a config file there but unreadable is a failure like any other. */
	const struct pci_addr a = { (uint16_t)dev->domain, dev->bus, dev->dev, dev->func };
	if (errno)
		hwr_io_error(&p->r, dev_file(p, &a, "config"), errno);
	libpci->fill_info(dev, FALLBACK_FLAGS);
	h->type_known = libpci->read_block(dev, PCI_HEADER_TYPE, &h->type, 1);
	if (!h->type_known)
		h->type = 0;
	h->revision = dev->rev_id;
	h->prog_if = dev->prog_if;
}

/* libpci's facts and the config header; false when libpci gave up on the device. */
static bool fill_trapped(struct probe *p, struct pci_dev *dev, struct hw_header *h)
{
	errno = 0;
	*h = (struct hw_header){0};
	if (setjmp(p->jmp))
		return false;
	libpci->fill_info(dev, FILL_FLAGS);
	read_header(p, dev, h);
	return true;
}

/* A name from pci.ids (flag PCI_LOOKUP_VENDOR, _DEVICE or _CLASS), or NULL. */
static char *lookup(struct probe *p, int flag, unsigned a, unsigned b)
{
	char buf[256];
	if (p->names_broken)
		return NULL;
	if (setjmp(p->jmp)) {
		p->names_broken = true;
		diag_emit(p->ds, D_HW_INCOMPLETE, NULL, "device names unavailable: %s", p->msg);
		return NULL;
	}
	const char *name = libpci->lookup_name(p->pacc, buf, sizeof(buf), flag | LOOKUP_FLAGS, a, b);
	if (!name)
		return NULL;
	char *s = arena_strdup(&p->hw->arena, name);
	hw_clean_text(s);
	return s;
}

/* For a subclass pci.ids does not know, libpci names the base class and appends the code
 * ("Non-Essential Instrumentation [1300]"); the code is shown elsewhere, so drop it. */
static const char *class_name(struct probe *p, unsigned code)
{
	char *name = lookup(p, PCI_LOOKUP_CLASS, code, 0);
	char suffix[8] = " [";
	pci_hex(suffix + 2, code & 0xffff, 4)[0] = ']';
	suffix[7] = '\0';
	size_t n = name ? strlen(name) : 0, ns = strlen(suffix);
	if (n > ns && strcmp(name + n - ns, suffix) == 0)
		name[n - ns] = '\0';
	return name;
}

static void read_names(struct probe *p, struct hw_pci *d)
{
	d->vendor_name = lookup(p, PCI_LOOKUP_VENDOR, d->vendor, 0);
	d->device_name = lookup(p, PCI_LOOKUP_DEVICE, d->vendor, d->device);
	d->class_name = class_name(p, d->class >> 8);
}

/* Only VGA devices have boot_vga (class 0300, or 0001 from before class codes): the probe
 * does not look for it on the others. */
static bool may_have_boot_vga(const struct hw_pci *d)
{
	return d->class >> 8 == 0x0300 || d->class >> 8 == 0x0001;
}

/* boot_vga, the one file libpci does not read that depends on the class. */
static void read_boot_vga(struct probe *p, struct hw_pci *d)
{
	long v;
	d->boot_vga = -1;
	if (!may_have_boot_vga(d))
		return;
	if (hw_parse_long(hwr_text_at(&p->r, dev_file(p, &d->addr, "boot_vga")), 10, &v) &&
	    (v == 0 || v == 1))
		d->boot_vga = (int)v;
}

/* libpci's facts of dev, as hw/sysfs_pci.c gives them. */
static struct hw_pci_raw raw_of(const struct pci_dev *dev)
{
	bool subsys = dev->known_fields & PCI_FILL_SUBSYS;
	return (struct hw_pci_raw){ .domain = (unsigned)dev->domain, .bus = dev->bus,
				    .dev = dev->dev, .func = dev->func, .vendor = dev->vendor_id,
				    .device = dev->device_id, .device_class = dev->device_class,
				    .subsys_known = subsys,
				    .subsys_vendor = subsys ? dev->subsys_vendor_id : 0,
				    .subsys_device = subsys ? dev->subsys_id : 0 };
}

static void convert(struct probe *p, const struct hw_pci_raw *dev, const struct hw_header *h,
		    struct hw_pci *d)
{
	*d = (struct hw_pci){ .addr = { (uint16_t)dev->domain, dev->bus, dev->dev, dev->func } };
	d->vendor = dev->vendor;
	d->device = dev->device;
	d->class = (uint32_t)dev->device_class << 8 | h->prog_if;
	d->revision = h->revision;
	if (h->has_subsys) {
		d->sub_vendor = h->sub_vendor;
		d->sub_device = h->sub_device;
	} else if (dev->subsys_known) {
		d->sub_vendor = dev->subsys_vendor;
		d->sub_device = dev->subsys_device;
	}
	d->multifunction = h->type & 0x80;  /* function 0's bit is taken later */
	d->header_type = h->type_known ? h->type & 0x7f : -1;
	read_names(p, d);
	read_boot_vga(p, d);
}

static void add_extra(struct hw_pci *d, const struct hw_extra *x)
{
	d->iommu_group = x->iommu_group;
	d->driver = x->driver;
	d->reset_methods = x->reset_methods;
	d->numa_node = x->numa_node;
	d->is_vf = x->is_vf;
	d->physfn = x->physfn;
}

/* Whether vfioc can name the device: libpci takes domains up to 7fffffff. */
static bool in_range(struct probe *p, const struct hw_pci_raw *dev)
{
	if (dev->domain <= 0xffff && dev->dev <= 31 && dev->func <= 7)
		return true;
	diag_emit(p->ds, D_HW_INCOMPLETE, NULL,
		  "PCI device %x:%02x:%02x.%x left out: vfioc handles domains up to ffff",
		  (unsigned)dev->domain, dev->bus, dev->dev, dev->func);
	return false;
}

/* A device left out: a file that is there but unreadable is a system failure; a missing or
 * malformed one only costs this device. */
static void left_out(struct probe *p, const struct hw_pci_raw *raw, int err, const char *msg)
{
	bool io = err == EACCES || err == EPERM || err == EIO;
	diag_emit(p->ds, io ? D_HW_UNREADABLE : D_HW_INCOMPLETE, NULL,
		  "PCI device %04x:%02x:%02x.%x %s: %s", raw->domain, raw->bus, raw->dev,
		  raw->func, io ? "unreadable" : "left out", msg);
}

/* libpci's facts here, the others (hw/sysfs_extra.c) on a second thread meanwhile. */
static struct hw_extra *read_libpci(struct probe *p, struct pci_dev **devs, struct hw_pci_raw *raw,
				    const struct pci_addr *addr, size_t na, struct hw_pci *pci,
				    size_t *from, size_t *n)
{
	struct hw_extra_job *job = hw_extra_start(p->r.root, p->rootfd, addr, na, NULL, true);
	struct hw_header h;
	for (size_t i = 0; i < na; i++) {
		if (!fill_trapped(p, devs[i], &h)) {
			left_out(p, &raw[i], p->err, p->msg);
			continue;
		}
		raw[i] = raw_of(devs[i]);  /* as filled */
		from[*n] = i;
		convert(p, &raw[i], &h, &pci[(*n)++]);
	}
	return hw_extra_finish(job, &p->hw->arena, p->ds);
}

/* In a confined root, each device's own facts and the others together (one folder
 * descriptor per device), the first half of the devices on this thread and the second on
 * another; then names, in libpci's order. Diagnostics come out in the order libpci's way
 * gives them: each device's own, then the other facts'. */
static struct hw_extra *read_confined(struct probe *p, struct hw_pci_raw *raw,
				      const struct pci_addr *addr, size_t na, struct hw_pci *pci,
				      size_t *from, size_t *n)
{
	struct hw_fill *fill = xcalloc(na, sizeof(*fill));
	for (size_t i = 0; i < na; i++)
		fill[i].raw = raw[i];
	size_t half = na / 2;
	struct hw_extra_job *second = hw_extra_start(p->r.root, p->rootfd, addr + half, na - half,
						     fill + half, true);
	struct hw_extra_job *first = hw_extra_start(p->r.root, p->rootfd, addr, half, fill, false);
	struct diags *others = diags_new();
	struct hw_extra *a = hw_extra_finish(first, &p->hw->arena, others);
	struct hw_extra *b = hw_extra_finish(second, &p->hw->arena, others);
	struct hw_extra *extra = xmalloc_array(na, sizeof(*extra));
	if (half)
		memcpy(extra, a, half * sizeof(*extra));
	if (na - half)
		memcpy(extra + half, b, (na - half) * sizeof(*extra));
	free(a);
	free(b);
	for (size_t i = 0; i < na; i++) {
		struct hw_fill *f = &fill[i];
		if (f->ds) {
			diags_move(p->ds, f->ds);
			diags_free(f->ds);
		}
		if (!f->ok) {
			left_out(p, &f->raw, f->err, f->msg);
			continue;
		}
		raw[i] = f->raw;
		from[*n] = i;
		convert(p, &raw[i], &f->h, &pci[(*n)++]);
	}
	diags_move(p->ds, others);
	diags_free(others);
	free(fill);
	return extra;
}

/* The devices libpci lists (or, in a confined root, hw_sysfs_scan), their facts and the
 * others hw/sysfs_extra.c reads. */
static void read_devices(struct probe *p)
{
	size_t n = 0, m = 0, cap = 0, acap = 0, na = 0, nraw = p->nraw;
	struct pci_dev **devs = NULL;
	struct hw_pci_raw *raw = NULL, *all = p->raw;
	struct pci_addr *addr = NULL;
	p->raw = NULL;
	if (p->rootfd < 0) {
		for (struct pci_dev *dev = p->pacc->devices; dev; dev = dev->next)
			VEC_PUSH(all, nraw, cap) = raw_of(dev);
		cap = 0;
	}
	struct pci_dev *dev = p->rootfd >= 0 ? NULL : p->pacc->devices;
	size_t rcap = 0, nr = 0;
	for (size_t i = 0; i < nraw; i++, dev = dev ? dev->next : NULL)
		if (in_range(p, &all[i])) {
			if (dev)
				VEC_PUSH(devs, m, cap) = dev;
			VEC_PUSH(raw, nr, rcap) = all[i];
			VEC_PUSH(addr, na, acap) = (struct pci_addr){ (uint16_t)all[i].domain,
								      all[i].bus, all[i].dev,
								      all[i].func };
		}
	free(all);
	hwr_devpath_init(&p->dev, &p->r);
	struct hw_pci *pci = xmalloc_array(na, sizeof(*pci));
	size_t *from = xmalloc_array(na, sizeof(*from));
	struct hw_extra *extra = p->rootfd >= 0 ? read_confined(p, raw, addr, na, pci, from, &n)
					       : read_libpci(p, devs, raw, addr, na, pci, from, &n);
	for (size_t i = 0; i < n; i++)
		add_extra(&pci[i], &extra[from[i]]);
	p->hw->pci = hw_arena_keep(&p->hw->arena, pci, n * sizeof(*pci));
	p->hw->npci = n;
	free(extra);
	free(from);
	free(addr);
	free(raw);
	free(devs);
}

static int cmp_int(const void *pa, const void *pb)
{
	int a = *(const int *)pa, b = *(const int *)pb;
	return (a > b) - (a < b);
}

/* The groups in sys/kernel/iommu_groups, sorted; a device whose link names another one has
 * a dangling link: no group (groups_from_kernel_list may still place it). */
static void check_groups(struct probe *p)
{
	DIR *dir = hwr_opendir_at(&p->r, hwr_path(&p->r, "sys/kernel/iommu_groups"));
	int *have = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; dir && (e = readdir(dir));) {
		int g = e->d_name[0] == '.' ? -1 : hw_group_number(e->d_name);
		if (g >= 0)
			VEC_PUSH(have, n, cap) = g;
	}
	if (dir)
		closedir(dir);
	if (n > 1)
		qsort(have, n, sizeof(*have), cmp_int);
	for (size_t i = 0; i < p->hw->npci; i++) {
		int *g = &p->hw->pci[i].iommu_group;
		if (*g >= 0 && (!n || !bsearch(g, have, n, sizeof(*have), cmp_int)))
			*g = -1;
	}
	free(have);
}

static const struct driver_info *driver_info(struct probe *p, const char *name)
{
	for (size_t i = 0; i < p->ndrivers; i++)
		if (strcmp(p->drivers[i].name, name) == 0)
			return &p->drivers[i];
	struct driver_info *d = &VEC_PUSH(p->drivers, p->ndrivers, p->capdrivers);
	d->name = name;
	d->exists = hwr_access(&p->r, hwr_path(&p->r, "sys/bus/pci/drivers/%s", name), F_OK);
	/* sys/bus/pci/drivers/DRV/module -> ../../../../module/NAME; none for a built-in. */
	const char *m = d->exists ? hwr_link_base(&p->r, "sys/bus/pci/drivers/%s/module", name) : NULL;
	d->module = schema_check_ok(SC_MODULE, m) ? m : NULL;
	return d;
}

/* A driver link names a driver that exists, or it dangles: no driver. */
static void check_drivers(struct probe *p)
{
	for (size_t i = 0; i < p->hw->npci; i++) {
		struct hw_pci *d = &p->hw->pci[i];
		const struct driver_info *info = d->driver ? driver_info(p, d->driver) : NULL;
		if (info && !info->exists)
			d->driver = NULL;
		d->driver_module = info ? info->module : NULL;
	}
	free(p->drivers);
}

/* Devices listed in sys/kernel/iommu_groups/N/devices whose own iommu_group link is
 * missing or unreadable join group N. Needs hw->pci sorted. */
static bool group_members(struct probe *p, const char *group)
{
	int n = hw_group_number(group);
	DIR *dir = n < 0 ? NULL : hwr_opendir(&p->r, hwr_path(&p->r, "sys/kernel/iommu_groups/%s/devices", group));
	if (!dir)
		return false;
	bool changed = false;
	for (struct dirent *e; (e = readdir(dir));) {
		struct pci_addr addr;
		const struct hw_pci *d = pci_addr_parse(e->d_name, &addr) ? hw_find_pci(p->hw, &addr) : NULL;
		if (d && d->iommu_group < 0) {
			p->hw->pci[d - p->hw->pci].iommu_group = n;
			changed = true;
		}
	}
	closedir(dir);
	return changed;
}

static bool groups_from_kernel_list(struct probe *p)
{
	bool all_grouped = true;
	for (size_t i = 0; i < p->hw->npci && all_grouped; i++)
		all_grouped = p->hw->pci[i].iommu_group >= 0;
	DIR *dir = all_grouped ? NULL : hwr_opendir(&p->r, hwr_path(&p->r, "sys/kernel/iommu_groups"));
	if (!dir)
		return false;
	bool changed = false;
	for (struct dirent *e; (e = readdir(dir));)
		if (e->d_name[0] != '.')
			changed |= group_members(p, e->d_name);
	closedir(dir);
	return changed;
}

/* Bit 7 of function 0's header type says whether the slot is multi-function. */
static void slot_multifunction(struct hw *hw)
{
	for (size_t i = 0; i < hw->npci; i++) {
		struct hw_pci *d = &hw->pci[i];
		struct pci_addr f0 = d->addr;
		f0.func = 0;
		const struct hw_pci *first = d->addr.func ? hw_find_pci(hw, &f0) : NULL;
		if (first)
			d->multifunction = first->multifunction;
	}
}

/* libpci's scan gives up (leaking its directory handle) on an entry of devices/ that is
 * not a PCI address; find such entries first and name them. */
static bool device_names_ok(struct probe *p, const char *sysfs)
{
	char *devices = xasprintf("%s/devices", sysfs);
	DIR *dir = hwr_opendir_at(&p->r, devices);
	bool ok = true;
	for (struct dirent *e; dir && (e = readdir(dir));) {
		unsigned dom, bus, slot, func;
		struct pci_addr a;
		if (e->d_name[0] == '.' || pci_addr_parse(e->d_name, &a) ||
		    (sscanf(e->d_name, "%x:%x:%x.%u", &dom, &bus, &slot, &func) == 4 && dom <= 0x7fffffff))
			continue;
		diag_emit(p->ds, D_HW_UNREADABLE, NULL, "%s/%s: not a PCI device address", devices,
			  e->d_name);
		ok = false;
	}
	if (dir)
		closedir(dir);
	free(devices);
	return ok;
}

static bool load_libpci(struct probe *p)
{
	char why[512];
	if ((libpci = pci_lib_load(why, sizeof(why))))
		return true;
	struct diag *d = diag_emit(p->ds, D_HW_UNREADABLE, NULL,
				   "cannot read the PCI devices without libpci: %s", why);
	diag_hint(d, "install libpci (Debian, Ubuntu: apt-get install libpci3), or check "
		     "against a snapshot from 'vfioc probe' with --hardware FILE");
	return false;
}

static bool check_sysfs(struct probe *p, const char *sysfs)
{
	DIR *dir = hwr_opendir_at(&p->r, sysfs);
	if (dir) {
		closedir(dir);
		return true;
	}
	diag_emit(p->ds, D_HW_UNREADABLE, NULL, "cannot read the PCI devices: %s: %s", sysfs,
		  errno == ENOTDIR ? "not a directory" : strerror(errno));
	return false;
}

struct hw *hw_probe(const char *root, struct diags *ds)
{
	struct probe p = { .hw = hw_new(root), .ds = ds, .rootfd = hw_root_open(root), .ids_fd = -1 };
	p.hw->root = p.hw->source;  /* its files are at hand: hw_host_file */
	hwr_init(&p.r, root, p.rootfd, &p.hw->arena, ds);
	size_t failures = diags_count(ds, SEV_SYSTEM);
	char *sysfs = xstrdup(hwr_path(&p.r, "sys/bus/pci"));
	/* Confined by openat2, the root needs no check first (hw/root_open.c). */
	bool ok = (p.rootfd >= 0 || hw_root_check(root, ds)) && check_sysfs(&p, sysfs) &&
		  device_names_ok(&p, sysfs) && load_libpci(&p);
	active = &p;
	if (ok && !libpci_open(&p, sysfs)) {
		diag_emit(ds, D_HW_UNREADABLE, NULL, "cannot read the PCI devices under %s: %s", sysfs,
			  p.msg);
		ok = false;
	}
	if (ok) {
		read_devices(&p);
		check_groups(&p);
		check_drivers(&p);
	}
	if (p.pacc)
		libpci->cleanup(p.pacc);
	active = NULL;
	free(sysfs);
	hwr_devpath_free(&p.dev);
	if (p.ids_fd >= 0)
		close(p.ids_fd);
	free(p.raw);
	if (!ok) {
		hwr_fini(&p.r);
		if (p.rootfd >= 0)
			close(p.rootfd);
		hw_free(p.hw);
		return NULL;
	}
	hw_finish(p.hw);
	if (groups_from_kernel_list(&p))
		hw_finish(p.hw);
	slot_multifunction(p.hw);
	hw_probe_host(p.hw, &p.r);
	hw_finish(p.hw);
	hw_probe_uses(p.hw, &p.r);
	hwr_fini(&p.r);
	if (p.rootfd >= 0)
		close(p.rootfd);
	if (diags_count(ds, SEV_SYSTEM) > failures) {  /* a file there but unreadable */
		hw_free(p.hw);
		return NULL;
	}
	return p.hw;
}
