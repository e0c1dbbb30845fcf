/* hw_read.h: reading the small sysfs and procfs files under a root, for the probe only
 * (hw_probe.c, hw_host.c). A missing file or garbage in it reads as NULL / false: an unknown
 * fact. A file that is there but cannot be read (EACCES, EIO) is a SYSTEM diagnostic naming
 * it (D_HW_UNREADABLE), and reads as NULL too. */
#ifndef VFIOC_HW_READ_H
#define VFIOC_HW_READ_H

#include <dirent.h>
#include <stdbool.h>

#include "hw.h"

struct hw_reader {
	const char *root;   /* "/" or a test root */
	struct arena *a;    /* where texts go (the model's arena) */
	struct diags *ds;   /* where unreadable files are reported */
	struct buf path;    /* scratch for the last path built */
};

/* ROOT/rel as one path (valid until the next call). */
const char *hwr_path(struct hw_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether errno value err means the file is there but could not be read (not merely
 * missing or malformed); then it is reported as unreadable. */
bool hwr_io_error(struct hw_reader *r, const char *path, int err);
/* A whole file (for cpuinfo, meminfo): 0, or an errno value (reported when an I/O error). */
int hwr_file(struct hw_reader *r, const char *path, size_t max, char **text, size_t *len);
/* The file's text, trailing whitespace removed, made printable UTF-8; NULL when unreadable. */
char *hwr_text(struct hw_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The file holds one integer (decimal, or hex with 0x when base is 0). */
bool hwr_long(struct hw_reader *r, long *out, int base, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The last component of a symlink's target ("../../../kernel/iommu_groups/7" -> "7"). */
char *hwr_link_base(struct hw_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Replace bytes that are not printable UTF-8 with '?', in place. */
void hw_clean_text(char *s);
/* "lspci-like" parse of a whole string as an integer; false on garbage. */
bool hw_parse_long(const char *s, int base, long *out);

/* Move a malloc'd vector of bytes into the arena (freeing it); NULL for an empty one. */
void *hw_arena_keep(struct arena *a, void *vec, size_t bytes);

/* The host facts beside PCI: CPUs, memory, hugepages, kernel, IOMMU hardware, USB. */
void hw_probe_host(struct hw *hw, struct hw_reader *r);
/* opendir, reporting I/O errors other than a missing directory. */
DIR *hwr_opendir(struct hw_reader *r, const char *path);

#endif
