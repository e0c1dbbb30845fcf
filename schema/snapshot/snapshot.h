/* schema/snapshot/snapshot.h: the snapshot format as data. Every key of every record is one row of
 * schema/snapshot/table.c; the loader (schema/snapshot/load.c) and the writer (schema/snapshot/write.c) walk the same
 * rows with one handler per kind, and `vfioc schema --format snapshot` prints them as the
 * format section of docs/hardware.md. Adding a hardware fact is one row there (plus its
 * field in hw.h and the probe that reads it). */
#ifndef VFIOC_HW_SNAPSHOT_H
#define VFIOC_HW_SNAPSHOT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SNAPSHOT_VERSION 1

/* What a value is in the model and in YAML. A row's `unknown` is the value its kind
 * stores for "not known" (0, NULL, false, an empty list; SK_INT and SK_TRIBOOL: -1): such
 * a key is left out. SNAP_NEVER: the fact is always known and always written. */
enum snap_kind {
	SK_VERSION,  /* the format's version, SNAPSHOT_VERSION; checked before anything else */
	SK_STR,      /* const char *, written double-quoted; `text` says what it must look like */
	SK_WORDS,    /* const char * of words separated by one space, written as a flow list */
	SK_INT,      /* int, 0 to max (INT_MAX when max is 0) */
	SK_UINT,     /* an unsigned integer of `size` bytes, 0 to max */
	SK_HEX,      /* an unsigned integer of `size` bytes, written "0x" + as many hex digits
	              * as max has, quoted */
	SK_BOOL,     /* bool */
	SK_TRIBOOL,  /* int: 1 true, 0 false */
	SK_PCIADDR,  /* struct pci_addr, "DDDD:BB:SS.F"; off2: the bool that says it is known */
	SK_ID,       /* two uint16_t, at off and off2, written "vvvv:dddd" */
	SK_CPULIST,  /* struct cpulist, written "0,6" */
	SK_NUMLIST,  /* uint64_t * at off, size_t count at off2, each 0 to max; a flow list */
	SK_ENUM,     /* an enum of `size` bytes: values[v] names v (values[0]: unknown) */
	SK_FLAGS,    /* a flow list of names: values[i] is the bool at off + i */
	SK_MAP,      /* a nested map of `sub`, whose facts live in the same struct */
	SK_LIST,     /* a list of `sub`: pointer at off, size_t count at off2 */
};

/* What a string must look like, beyond being a string. */
enum snap_text {
	ST_ANY,
	ST_HOST_ID,   /* HOST_ID_LEN lowercase hex digits (they end up in UUIDs) */
	ST_MODULE,    /* a kernel module name (strrules.def: MODULE) */
	ST_USB_PORT,  /* BUS-PORT[.PORT]... (strrules.def: USBPORT) */
};

#define SNAP_NEVER LLONG_MIN  /* `unknown` of a fact that is always written */
#define SNAP_NO_OFF SIZE_MAX

#define SF_REQUIRED 1u  /* the loader refuses a record without it */
#define SF_LOC 2u       /* where it is in the file is where the record is (a PCI address) */

struct snap_object;

struct snap_field {
	const char *key;
	enum snap_kind kind;
	size_t off, size;               /* of the fact in the record's struct */
	long long unknown;              /* 0 or -1 (see enum snap_kind), or SNAP_NEVER */
	unsigned flags;                 /* SF_* */
	size_t off2;                    /* SK_ID, SK_PCIADDR, SK_NUMLIST, SK_LIST */
	unsigned long long max;         /* SK_UINT, SK_HEX, SK_NUMLIST; SK_INT (0: INT_MAX) */
	enum snap_text text;            /* SK_STR */
	const char *const *values;      /* SK_ENUM, SK_FLAGS */
	size_t nvalues;
	const struct snap_object *sub;  /* SK_MAP, SK_LIST */
	const char *item;               /* SK_WORDS, SK_ENUM, SK_FLAGS: one, for messages */
	const char *list;               /* SK_WORDS, SK_NUMLIST, SK_LIST, SK_FLAGS: "a list of ..." */
	const char *needs;              /* the key of the same record it cannot be without */
	const char *doc;                /* for docs/hardware.md: what it is, where it is read */
};

struct snap_object {
	const char *path;               /* "pci[]", for docs */
	const char *what;               /* "a PCI device", for messages */
	const struct snap_field *fields;
	size_t nfields;
	size_t size;                    /* SK_LIST elements: sizeof their struct */
	size_t loc_off;                 /* of a struct loc set to where the record is, or SNAP_NO_OFF */
	bool flow;                      /* written as a flow map, one record a line */
	const char *doc;
};

extern const struct snap_object snapshot_root;

/* The SK_UINT, SK_HEX or SK_ENUM fact of f in obj, whatever its size. */
unsigned long long snap_uint(const struct snap_field *f, const void *obj);
void snap_set_uint(const struct snap_field *f, void *obj, unsigned long long v);
/* The hex digits an SK_HEX fact is written with: as many as its max has. */
int snap_hex_digits(unsigned long long max);
/* Whether the writer writes f of obj: a known fact, or one that is always written. */
bool snap_known(const struct snap_field *f, const void *obj);
/* The snapshot format as Markdown, the generated part of docs/hardware.md. */
void snapshot_write_markdown(FILE *out);

/* The snapshot as a file. The engine lives above the model it fills (schema/ over hw/):
 * the probe never needs it, and a new fact is a row of table.c, not a change to hw/. */
struct hw;
struct diags;
/* Load a snapshot written by hw_write_snapshot (through yamldoc, so problems are located:
 * D_SNAPSHOT_INVALID, or yamldoc's own codes). NULL on any error. hw_pci.loc and
 * hw_usb.loc point into the file; their loc.file string belongs to ds (keep ds alive). */
struct hw *hw_load_snapshot(const char *path, struct diags *ds);
struct hw *hw_load_snapshot_mem(const char *name, const char *text, size_t len, struct diags *ds);
/* Write the snapshot: YAML from libyaml's emitter, deterministic. Returns 0 or -1 (errno). */
int hw_write_snapshot(const struct hw *hw, FILE *out);

#endif
