/* hw_probe.c: hw_probe(): PCI devices through libpci's sysfs method, the per-device files
 * libpci does not read (boot_vga, reset_method, physfn), then the host facts (hw_host.c).
 * libpci's error callback longjmps back here: a bad file never exits the program. */
#include <dirent.h>
#include <errno.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw_read.h"

/* numa_node is read by read_extra: libpci takes garbage there for node 0. */
/* The iommu_group and driver links are read with one readlink(2) each (read_extra) rather
 * than PCI_FILL_IOMMU_GROUP/PCI_FILL_DRIVER: libpci resolves those with realpath(3), which
 * readlinks every path component and tripled the cost of probing a 5,000-device host. */
#define FILL_FLAGS (PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS)
#define LOOKUP_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

struct probe {
	struct hw *hw;
	struct diags *ds;
	struct hw_reader r;
	struct pci_access *pacc;
	jmp_buf jmp;          /* where libpci's error callback returns to */
	char msg[512];        /* libpci's last error */
	int err;              /* errno when libpci gave up (0: not an I/O error) */
	bool names_broken;    /* pci.ids failed to load: names stay unknown */
};

static struct probe *active;  /* libpci's callbacks take no context argument */

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
		if (access(path, R_OK) == 0) {
			pci_set_name_list_path(p->pacc, xstrdup(path), 1);
			return;
		}
	}
}

static bool libpci_open(struct probe *p, const char *sysfs)
{
	p->pacc = pci_alloc();
	p->pacc->error = libpci_error;
	p->pacc->warning = libpci_quiet;
	p->pacc->debug = libpci_quiet;
	p->pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	if (setjmp(p->jmp))
		return false;
	pci_set_param(p->pacc, "sysfs.path", (char *)sysfs);
	pci_set_param(p->pacc, "hwdb.disable", "1");
	use_root_ids(p);
	pci_init(p->pacc);
	pci_scan_bus(p->pacc);
	return true;
}

/* libpci's facts and the header type byte; false when libpci gave up on the device. */
static bool fill_trapped(struct probe *p, struct pci_dev *dev, u8 *header_type)
{
	errno = 0;
	if (setjmp(p->jmp))
		return false;
	pci_fill_info(dev, FILL_FLAGS);
	if (!pci_read_block(dev, PCI_HEADER_TYPE, header_type, 1))
		*header_type = 0;
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
	const char *name = pci_lookup_name(p->pacc, buf, sizeof(buf), flag | LOOKUP_FLAGS, a, b);
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
	char suffix[8];
	snprintf(suffix, sizeof(suffix), " [%04x]", code & 0xffff);
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

/* The files libpci does not read. */
static void read_extra(struct probe *p, struct hw_pci *d, const char *addr)
{
	long v;
	struct hw_reader *r = &p->r;
	d->boot_vga = hwr_long(r, &v, 10, "sys/bus/pci/devices/%s/boot_vga", addr) && (v == 0 || v == 1)
		? (int)v : -1;
	d->reset_methods = hwr_text(r, "sys/bus/pci/devices/%s/reset_method", addr);
	d->numa_node = hwr_long(r, &v, 10, "sys/bus/pci/devices/%s/numa_node", addr) && v >= 0 &&
		v <= 0xffff ? (int)v : -1;
	/* The driver's module: sys/bus/pci/drivers/DRV/module -> ../../../../module/NAME, reached
	 * through the device's own driver link; none for a built-in driver. */
	if (d->driver) {
		const char *m = hwr_link_base(r, "sys/bus/pci/devices/%s/driver/module", addr);
		d->driver_module = hw_module_name_ok(m) ? m : NULL;
	}
	const char *pf = hwr_link_base(r, "sys/bus/pci/devices/%s/physfn", addr);
	d->is_vf = pf && pci_addr_parse(pf, &d->physfn);
}

static int group_number(const char *s)
{
	long v;
	return hw_parse_long(s, 10, &v) && v >= 0 && v <= 0x7fffffff ? (int)v : -1;
}

static void convert(struct probe *p, struct pci_dev *dev, u8 header_type, struct hw_pci *d)
{
	char addr[PCI_ADDR_STRLEN];
	*d = (struct hw_pci){ .addr = { (uint16_t)dev->domain, dev->bus, dev->dev, dev->func } };
	pci_addr_fmt(&d->addr, addr);
	d->vendor = dev->vendor_id;
	d->device = dev->device_id;
	d->class = (uint32_t)dev->device_class << 8 | dev->prog_if;
	d->revision = dev->rev_id;
	if (dev->known_fields & PCI_FILL_SUBSYS) {
		d->sub_vendor = dev->subsys_vendor_id;
		d->sub_device = dev->subsys_id;
	}
	d->iommu_group = group_number(hwr_link_base(&p->r, "sys/bus/pci/devices/%s/iommu_group", addr));
	d->driver = hwr_link_base(&p->r, "sys/bus/pci/devices/%s/driver", addr);
	d->multifunction = header_type & 0x80;  /* function 0's bit is taken later */
	read_names(p, d);
	read_extra(p, d, addr);
}

static bool usable(struct probe *p, struct pci_dev *dev, u8 *header_type)
{
	if (dev->domain < 0 || dev->domain > 0xffff || dev->dev > 31 || dev->func > 7) {
		diag_emit(p->ds, D_HW_INCOMPLETE, NULL,
			  "PCI device %x:%02x:%02x.%x left out: vfioc handles domains up to ffff",
			  (unsigned)dev->domain, dev->bus, dev->dev, dev->func);
		return false;
	}
	if (!fill_trapped(p, dev, header_type)) {
		/* A file that is there but unreadable is a system failure; a missing or
		 * malformed one only costs this device. */
		bool io = p->err == EACCES || p->err == EPERM || p->err == EIO;
		diag_emit(p->ds, io ? D_HW_UNREADABLE : D_HW_INCOMPLETE, NULL,
			  "PCI device %04x:%02x:%02x.%x %s: %s", (unsigned)dev->domain, dev->bus,
			  dev->dev, dev->func, io ? "unreadable" : "left out", p->msg);
		return false;
	}
	return true;
}

static void read_devices(struct probe *p)
{
	size_t n = 0, cap = 0;
	struct hw_pci *pci = NULL;
	u8 header_type;
	for (struct pci_dev *dev = p->pacc->devices; dev; dev = dev->next)
		if (usable(p, dev, &header_type))
			convert(p, dev, header_type, &VEC_PUSH(pci, n, cap));
	p->hw->pci = hw_arena_keep(&p->hw->arena, pci, n * sizeof(*pci));
	p->hw->npci = n;
}

/* Devices listed in sys/kernel/iommu_groups/N/devices whose own iommu_group link is
 * missing or unreadable join group N. Needs hw->pci sorted. */
static bool group_members(struct probe *p, const char *group)
{
	int n = group_number(group);
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
	DIR *dir = opendir(devices);
	bool ok = true;
	for (struct dirent *e; dir && (e = readdir(dir));) {
		unsigned dom, bus, slot, func;
		if (e->d_name[0] == '.' ||
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

static bool check_sysfs(struct probe *p, const char *sysfs)
{
	struct stat st;
	if (stat(sysfs, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	diag_emit(p->ds, D_HW_UNREADABLE, NULL, "cannot read the PCI devices: %s: %s", sysfs,
		  stat(sysfs, &st) == 0 ? "not a directory" : strerror(errno));
	return false;
}

struct hw *hw_probe(const char *root, struct diags *ds)
{
	struct probe p = { .hw = hw_new(root), .ds = ds };
	p.r = (struct hw_reader){ .root = root, .a = &p.hw->arena, .ds = ds };
	size_t failures = diags_count(ds, SEV_SYSTEM);
	char *sysfs = xstrdup(hwr_path(&p.r, "sys/bus/pci"));
	bool ok = check_sysfs(&p, sysfs) && device_names_ok(&p, sysfs);
	active = &p;
	if (ok && !libpci_open(&p, sysfs)) {
		diag_emit(ds, D_HW_UNREADABLE, NULL, "cannot read the PCI devices under %s: %s", sysfs,
			  p.msg);
		ok = false;
	}
	if (ok)
		read_devices(&p);
	if (p.pacc)
		pci_cleanup(p.pacc);
	active = NULL;
	free(sysfs);
	if (!ok) {
		buf_free(&p.r.path);
		hw_free(p.hw);
		return NULL;
	}
	hw_finish(p.hw);
	if (groups_from_kernel_list(&p))
		hw_finish(p.hw);
	slot_multifunction(p.hw);
	hw_probe_host(p.hw, &p.r);
	hw_finish(p.hw);
	buf_free(&p.r.path);
	if (diags_count(ds, SEV_SYSTEM) > failures) {  /* a file there but unreadable */
		hw_free(p.hw);
		return NULL;
	}
	return p.hw;
}
