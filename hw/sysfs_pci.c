/* hw/sysfs_pci.c: the PCI devices of a test root read as libpci's sysfs method reads them
 * (pciutils lib/sysfs.c: sysfs_scan, sysfs_fill_info, sysfs_get_string; lib/caps.c:
 * pci_scan_trad_caps), but every file opened inside the root (hw/root_open.c). libpci opens
 * its files by path, so under a root whose links lead out it would read this machine's
 * files; the probe uses this reader whenever the root is confined by openat2, and libpci
 * there only for names. The same files, the same parsing (strtol with base 0), the same
 * order of devices (libpci lists them last entry first) and the same messages, so a
 * snapshot does not depend on which reader made it (t-hostile-hw compares them). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/sysfs_read.h"

#define OBJBUFSIZE 1024  /* libpci's: a longer value is "too long" */
#define CFG_STATUS 0x06
#define CFG_STATUS_CAP_LIST 0x10
#define CFG_CAP_LIST 0x34
#define CAP_ID_SSVID 0x0d

bool hw_sysfs_scan(struct hw_reader *r, struct hw_pci_raw **out, size_t *nout)
{
	DIR *dir = hwr_opendir_at(r, hwr_path(r, "sys/bus/pci/devices"));
	struct hw_pci_raw *v = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	*nout = 0;
	if (!dir)
		return false;
	for (struct dirent *e; (e = readdir(dir));) {
		unsigned dom, bus, dev;
		int func;
		if (e->d_name[0] == '.' ||
		    sscanf(e->d_name, "%x:%x:%x.%d", &dom, &bus, &dev, &func) < 4)
			continue;  /* device_names_ok has named it */
		VEC_PUSH(v, n, cap) = (struct hw_pci_raw){ .domain = dom, .bus = (uint8_t)bus,
							   .dev = (uint8_t)dev, .func = (uint8_t)func };
	}
	closedir(dir);
	for (size_t i = 0; i < n / 2; i++) {  /* libpci links each new device first */
		struct hw_pci_raw t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	*out = v;
	*nout = n;
	return true;
}

/* The device's file name, as libpci names it ("%04x:%02x:%02x.%d"). */
static const char *obj_name(struct hw_reader *r, const struct hw_pci_raw *d, const char *name)
{
	return hwr_path(r, "sys/bus/pci/devices/%04x:%02x:%02x.%d/%s", d->domain, d->bus, d->dev,
			d->func, name);
}

struct fill {
	struct hw_reader *r;
	struct hw_pci_raw *d;
	char *msg;
	size_t msgsize;
	int err;
	bool failed;  /* a mandatory file failed: libpci's error(), the device is left out */
};

/* sysfs_get_value: the number in the file, or -1 (and, when mandatory, the device fails). */
static long get_value(struct fill *f, const char *name, bool mandatory)
{
	const char *path = obj_name(f->r, f->d, name);
	char buf[OBJBUFSIZE + 1];
	int fd = hwr_open(f->r, path, O_RDONLY | O_NONBLOCK);
	ssize_t n = -1;
	int err = errno;
	if (fd >= 0) {
		n = read(fd, buf, OBJBUFSIZE);
		err = errno;
		struct stat st;
		if (n == 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
			hwr_not_regular(f->r, path);  /* a FIFO: libpci would wait on it */
			n = -1;
			err = EINVAL;
		}
		close(fd);
	}
	const char *what = fd < 0 ? "Cannot open" : n < 0 ? "Error reading" : NULL;
	if (fd < 0 && !mandatory && err == ENOENT)
		return -1;
	if (what || n >= OBJBUFSIZE) {
		if (mandatory && !f->failed) {
			f->failed = true;
			f->err = what ? err : 0;
			if (what)
				snprintf(f->msg, f->msgsize, "%s %s: %s", what, path, strerror(err));
			else
				snprintf(f->msg, f->msgsize, "Value in %s too long", path);
		}
		return -1;
	}
	buf[n] = '\0';
	return strtol(buf, NULL, 0);
}

/* pread of config space as libpci's sysfs_read: all of it or nothing. */
static bool read_config(int fd, uint8_t *buf, int pos, int len)
{
	if (fd < 0)
		return false;
	ssize_t n = pread(fd, buf, (size_t)len, pos);
	return n == len;
}

/* The SSVID capability's offset in cfg (256 bytes), or 0: pci_scan_trad_caps's walk. */
static int find_ssvid(const uint8_t *cfg)
{
	if (!((cfg[CFG_STATUS] | cfg[CFG_STATUS + 1] << 8) & CFG_STATUS_CAP_LIST))
		return 0;
	uint8_t been_there[256] = {0};
	int where = cfg[CFG_CAP_LIST] & ~3;
	while (where) {
		uint8_t id = cfg[where], next = cfg[where + 1] & ~3;
		if (been_there[where]++ || id == 0xff)
			break;
		if (id == CAP_ID_SSVID)
			return where;
		where = next;
	}
	return 0;
}

static uint16_t word_at(int fd, const uint8_t *cfg, int pos)
{
	uint8_t b[2];
	if (pos + 2 <= 256)
		return (uint16_t)(cfg[pos] | cfg[pos + 1] << 8);
	if (!read_config(fd, b, pos, 2))
		return 0xffff;  /* libpci fills a failed read with ones */
	return (uint16_t)(b[0] | b[1] << 8);
}

/* libpci's PCI_FILL_SUBSYS from the kernel's files. */
static void subsys_files(struct fill *f)
{
	long v = get_value(f, "subsystem_vendor", false);
	if (v < 0)
		return;
	f->d->subsys_known = true;
	f->d->subsys_vendor = (uint16_t)v;
	v = get_value(f, "subsystem_device", false);
	if (v >= 0)
		f->d->subsys_device = (uint16_t)v;
}

/* A bridge's subsystem IDs from its SSVID capability (probe.c: bridge_subsys). */
static void bridge_subsys(struct fill *f, int fd, uint8_t cfg[256], struct hw_header *h)
{
	if ((h->type & 0x7f) != 1 || !read_config(fd, cfg + 64, 64, 256 - 64)) {
		subsys_files(f);
		return;
	}
	int cap = find_ssvid(cfg);
	h->has_subsys = true;
	if (cap) {
		h->sub_vendor = word_at(fd, cfg, cap + 4);
		h->sub_device = word_at(fd, cfg, cap + 6);
	}
}

/* Without config space: the class's prog-if and the revision from the kernel's files
 * (libpci's PCI_FILL_CLASS_EXT, PCI_FILL_SUBSYS), the header type unknown. */
static void header_from_files(struct fill *f, int fd, struct hw_header *h)
{
	long cls = get_value(f, "class", true);
	if (f->failed)
		return;
	long rev = get_value(f, "revision", false);
	uint8_t b;
	if (rev < 0)
		rev = read_config(fd, &b, 0x08, 1) ? b : 0xff;
	subsys_files(f);
	h->type_known = read_config(fd, &h->type, 0x0e, 1);
	if (!h->type_known)
		h->type = 0;
	h->revision = (uint8_t)rev;
	h->prog_if = (uint8_t)(cls & 0xff);
}

bool hw_sysfs_fill(struct hw_reader *r, struct hw_pci_raw *d, struct hw_header *h, char *msg,
		   size_t msgsize, int *err)
{
	struct fill f = { r, d, msg, msgsize, 0, false };
	*h = (struct hw_header){0};
	long vendor = get_value(&f, "vendor", true);
	long device = f.failed ? -1 : get_value(&f, "device", true);
	long cls = f.failed ? -1 : get_value(&f, "class", true);
	if (f.failed) {
		*err = f.err;
		return false;
	}
	d->vendor = (uint16_t)vendor;
	d->device = (uint16_t)device;
	d->device_class = (uint16_t)(cls >> 8);
	/* The first 64 bytes of config space in one read, as probe.c's read_header. */
	uint8_t cfg[256];
	int fd = hwr_open(r, obj_name(r, d, "config"), O_RDONLY | O_NONBLOCK);
	int cfg_err = fd < 0 ? errno : 0;
	ssize_t n = fd < 0 ? -1 : pread(fd, cfg, 64, 0);
	if (fd >= 0 && n < 0)
		cfg_err = errno;
	if (n == 64) {
		h->type_known = true;
		h->type = cfg[0x0e];
		h->revision = cfg[0x08];
		h->prog_if = cfg[0x09];
		if ((h->type & 0x7f) == 0) {
			h->has_subsys = true;
			h->sub_vendor = (uint16_t)(cfg[0x2c] | cfg[0x2d] << 8);
			h->sub_device = (uint16_t)(cfg[0x2e] | cfg[0x2f] << 8);
		} else {
			bridge_subsys(&f, fd, cfg, h);
		}
	} else {
		if (cfg_err)  /* there but unreadable: reported, as libpci's errno is */
			hwr_io_error(r, obj_name(r, d, "config"), cfg_err);
		header_from_files(&f, fd, h);
	}
	if (fd >= 0)
		close(fd);
	*err = f.err;
	return !f.failed;
}
