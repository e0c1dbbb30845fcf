/* hw/sysfs_read.h: reading the small sysfs and procfs files under a root, for the probe only
 * (hw/probe.c, hw/host.c). A missing file or garbage in it reads as NULL / false: an unknown
 * fact. A file that is there but cannot be read (EACCES, EIO) is a SYSTEM diagnostic naming
 * it (D_HW_UNREADABLE), and reads as NULL too. */
#ifndef VFIOC_HW_READ_H
#define VFIOC_HW_READ_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include "hw/hw.h"

struct hw_reader {
	const char *root;   /* "/" or a test root */
	struct arena *a;    /* where texts go (the model's arena) */
	struct diags *ds;   /* where unreadable files are reported */
	struct buf path;    /* scratch for the last path built */
	/* hw/root_open.c: paths under a test root opened inside it */
	int rootfd;         /* the root's descriptor (hw_root_open), or -1: paths as they are */
	size_t rootlen;     /* strlen(root) */
	int dirfd;          /* the folder of the last file opened, or -1 */
	int dir_err;        /* ... or why it could not be opened */
	struct buf dir;     /* ... its path relative to the root */
};

/* Ready r to read under root; rootfd from hw_root_open (shared, not owned: the probe closes
 * it). hwr_fini closes r's own descriptors and frees its buffers. */
void hwr_init(struct hw_reader *r, const char *root, int rootfd, struct arena *a,
	      struct diags *ds);
void hwr_fini(struct hw_reader *r);
/* A descriptor of the test root through which every path is resolved inside it (openat2
 * with RESOLVE_IN_ROOT), or -1 for "/", or where the kernel cannot (no openat2, or no /proc
 * for libpci's pci.ids) or VFIOC_TEST_NO_OPENAT2 is set: then hw_root_check guards the
 * root instead. */
int hw_root_open(const char *root);
/* open(2), readlink(2), access(2) (F_OK or R_OK), realpath(3) and opendir(3) of a path hwr_path built,
 * resolved inside the root when r->rootfd is one (hw/root_open.c). */
int hwr_open(struct hw_reader *r, const char *path, int flags);
ssize_t hwr_readlink(struct hw_reader *r, const char *path, char *buf, size_t size);
bool hwr_access(struct hw_reader *r, const char *path, int mode);
char *hwr_realpath(struct hw_reader *r, const char *path);
DIR *hwr_opendir_at(struct hw_reader *r, const char *path);

/* ROOT/rel as one path (valid until the next call). */
const char *hwr_path(struct hw_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *hwr_vpath(struct hw_reader *r, const char *fmt, va_list ap);
/* Whether errno value err means the file is there but could not be read (not merely
 * missing or malformed); then it is reported as unreadable. */
bool hwr_io_error(struct hw_reader *r, const char *path, int err);
/* Report path as no regular file (a FIFO, socket or device): a SYSTEM diagnostic. */
void hwr_not_regular(struct hw_reader *r, const char *path);
/* A whole file (for cpuinfo, meminfo): 0, or an errno value (reported when an I/O error). */
int hwr_file(struct hw_reader *r, const char *path, size_t max, char **text, size_t *len);
/* The file's text, trailing whitespace removed, made printable UTF-8; NULL when unreadable. */
char *hwr_text(struct hw_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The file holds one integer (decimal, or hex with 0x when base is 0). */
bool hwr_long(struct hw_reader *r, long *out, int base, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The last component of a symlink's target ("../../../kernel/iommu_groups/7" -> "7");
 * NULL when the link dangles, as in the kernel's view. */
char *hwr_link_base(struct hw_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a path the caller built; must_resolve false skips the dangling-link test
 * (an access(2)) when the caller checks the target itself, once per distinct target. */
char *hwr_link_at(struct hw_reader *r, const char *path, bool must_resolve);
/* hwr_text for a path the caller built: a small file (a sysfs attribute, up to 8 KiB). */
char *hwr_text_at(struct hw_reader *r, const char *path);
/* "ROOT/sys/bus/pci/devices/ADDR/NAME", built by hand rather than by format: a probe of
 * 5,000 devices builds 30,000 of these. */
struct hw_devpath {
	struct buf b;
	size_t base;  /* the length of "ROOT/sys/bus/pci/devices/" */
	size_t dir;   /* ... and of "ROOT/sys/bus/pci/devices/ADDR/" */
};
void hwr_devpath_init(struct hw_devpath *dp, struct hw_reader *r);
void hwr_devpath_at(struct hw_devpath *dp, const struct pci_addr *a);  /* choose ADDR */
const char *hwr_devpath_file(struct hw_devpath *dp, const char *name);  /* valid until next */
void hwr_devpath_free(struct hw_devpath *dp);
/* Replace bytes that are not printable UTF-8 with '?', in place. */
void hw_clean_text(char *s);
/* An IOMMU group number (a directory name, a link's base name); -1 when it is not one. */
int hw_group_number(const char *s);
/* "lspci-like" parse of a whole string as an integer; false on garbage. */
bool hw_parse_long(const char *s, int base, long *out);

/* Move a malloc'd vector of bytes into the arena (freeing it); NULL for an empty one. */
void *hw_arena_keep(struct arena *a, void *vec, size_t bytes);

/* The host facts beside PCI: CPUs, memory, hugepages, kernel, IOMMU hardware, USB. */
void hw_probe_host(struct hw *hw, struct hw_reader *r);
/* The devices the host runs on: the disks of its mounted file systems and swap, its default
 * routes' NICs. */
void hw_probe_uses(struct hw *hw, struct hw_reader *r);
/* A test root (not "/") holds only folders, regular files and relative symlinks that stay
 * inside it; else a diagnostic naming the first offending entry, and false (hw/root_guard.c). */
bool hw_root_check(const char *root, struct diags *ds);
/* opendir, reporting I/O errors other than a missing directory. */
DIR *hwr_opendir(struct hw_reader *r, const char *path);

/* A PCI device as libpci's sysfs method lists and fills it (hw/sysfs_pci.c): its address
 * as parsed from the folder's name, vendor, device and class (the kernel's files), and the
 * subsystem IDs from the kernel's files when config space did not give them. */
struct hw_pci_raw {
	unsigned domain;
	uint8_t bus, dev, func;
	uint16_t vendor, device, device_class;
	bool subsys_known;
	uint16_t subsys_vendor, subsys_device;
};
/* The parts of config space's header the probe uses. */
struct hw_header {
	bool type_known;      /* type was read */
	uint8_t type, revision, prog_if;
	bool has_subsys;
	uint16_t sub_vendor, sub_device;
};
/* The entries of ROOT/sys/bus/pci/devices in libpci's order (malloc'd *out; false when the
 * folder cannot be read), and each one's facts: false when a file libpci requires failed
 * (msg says which, as libpci would, and *err is its errno). For a root confined by
 * hw_root_open, where libpci cannot be. */
bool hw_sysfs_scan(struct hw_reader *r, struct hw_pci_raw **out, size_t *n);
bool hw_sysfs_fill(struct hw_reader *r, struct hw_pci_raw *d, struct hw_header *h, char *msg,
		   size_t msgsize, int *err);

/* The per-device facts libpci does not read (hw/sysfs_extra.c). The iommu_group and driver are
 * the links' base names, not yet checked for dangling. */
struct hw_extra {
	int iommu_group;
	const char *driver;
	const char *reset_methods;
	int numa_node;
	bool is_vf;
	struct pci_addr physfn;
};
struct hw_extra_job;
/* One device's own facts for a job to read first (hw_sysfs_fill's arguments and results):
 * raw holds its address on the way in. */
struct hw_fill {
	struct hw_pci_raw raw;
	struct hw_header h;
	bool ok;
	int err;
	char msg[512];
	struct diags *ds;  /* what reading them reported (an unreadable file), or NULL */
};
/* Start reading the extras of the n devices at addr (copied) under root (rootfd: as
 * hwr_init's), with thread on a second thread when one can be started (else at once), and
 * with fill (parallel to addr, or NULL) each device's own facts first. root, rootfd and
 * fill must outlive the job. */
struct hw_extra_job *hw_extra_start(const char *root, int rootfd, const struct pci_addr *addr,
				    size_t n, struct hw_fill *fill, bool thread);
/* Wait for the job and end it: its strings move into a, its diagnostics (unreadable files)
 * into ds, after those already there. Returns the n results, parallel to addr (free()). */
struct hw_extra *hw_extra_finish(struct hw_extra_job *job, struct arena *a, struct diags *ds);

#endif
