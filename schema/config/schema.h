/* schema.h: the config schema as data. One table per object of the config language; the
 * lowering (schema/config/lower.c), the JSON Schema and the reference docs are all driven by
 * these tables, so adding a key is one row in schema/config/tables.c. */
#ifndef VFIOC_SCHEMA_H
#define VFIOC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/yamldoc.h"
#include "model/config.h"
#include "model/strrules.h"

/* The PCI address and vendor:device ID a config writes (base/pci.h: pci_addr_parse,
 * pci_id_parse) as the JSON Schema's patterns: editors reject what the loader would. */
#define RE_PCIADDR "([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]"
#define RE_PCIID "[0-9a-fA-F]{4}:[0-9a-fA-F]{4}"
#define PAT_PCIADDR "^" RE_PCIADDR "$"
#define PAT_PCIID "^" RE_PCIID "$"

enum field_kind {
	FK_BOOL,     /* struct cfg_bool */
	FK_UINT,     /* struct cfg_uint, within [min, max] */
	FK_STR,      /* struct cfg_str, validated by `check` */
	FK_ENUM,     /* struct cfg_enum, one of `values` */
	FK_SIZE,     /* struct cfg_uint in MiB, written "16GiB", "512MiB", "16G", "512M" */
	FK_CPULIST,  /* struct cfg_cpus */
	FK_STRLIST,  /* struct cfg_strlist of strings validated by `check` */
	FK_PCIADDR,  /* struct cfg_pciaddr */
	FK_PCIID,    /* struct cfg_pciid */
	FK_OBJECT,   /* a nested object described by `sub`, stored at off */
	FK_OBJLIST,  /* a list of `sub` objects: pointer at off, size_t count at count_off */
	FK_OBJMAP,   /* a mapping name -> `sub` object, stored like FK_OBJLIST, in file order */
	FK_NIXATTRS, /* struct cfg_nixattrs: `attr.path: value` for host.nixos-extra */
};

#define F_REQUIRED 1u
/* FK_ENUM of NixOS releases: a release newer than the newest listed is taken as it, with
 * a warning (model/release.h). */
#define F_RELEASES 2u
/* An escape hatch: a value vfioc passes on without being able to check what it does, so
 * it can do what root can on the host. Where the config sets one is recorded
 * (config.hatches), for --no-escape-hatches. */
#define F_ESCAPE_HATCH 4u

struct object;
struct lower;

struct field {
	const char *key;
	enum field_kind kind;
	size_t off;                  /* of the value in the object's struct */
	size_t count_off;            /* FK_OBJLIST, FK_OBJMAP: of the size_t count */
	unsigned flags;
	const char *def;             /* default, as it would be written in YAML; NULL: none */
	const char *def_doc;         /* default in words, when it is computed ("derived") */
	const char *doc;             /* one or two sentences for the docs and editors */
	const char *const *values;   /* FK_ENUM: names indexed by value, NULL-terminated */
	uint64_t min, max;           /* FK_UINT, FK_SIZE (MiB) */
	enum str_check check;        /* FK_STR, FK_STRLIST */
	const struct object *sub;    /* FK_OBJECT, FK_OBJLIST, FK_OBJMAP */
	enum diag_id range_diag;     /* FK_UINT: the code for out of range (0: D_OUT_OF_RANGE) */
};

struct object {
	const char *path;            /* "host.libvirt", "vms.<name>": for messages and docs */
	const char *doc;
	const struct field *fields;
	size_t nfields;
	size_t size;                 /* sizeof the struct, for lists */
	size_t loc_off;              /* of its struct loc */
	size_t name_off;             /* FK_OBJMAP elements: of the const char * name */
	size_t name_loc_off;         /* FK_OBJMAP elements: of the name's struct loc */
	enum str_check name_check;   /* FK_OBJMAP elements: the rule their names follow */
	/* The short form written as one scalar ("01:00.0" for a pci entry); NULL: map only.
	 * Returns false after reporting the problem. */
	bool (*scalar)(struct lower *lw, const struct ynode *n, void *obj);
	const char *scalar_doc;      /* what the short form looks like, for docs */
	const char *scalar_pattern;  /* its JSON Schema pattern; NULL: scalar_check's */
	enum str_check scalar_check; /* the rule of the short form, when it is one */
	/* Rules between the keys of one object, after its fields are read. */
	void (*validate)(struct lower *lw, const struct ynode *map, void *obj);
};

extern const struct object schema_root;

/* Lowering state, shared with the hooks in schema/config/key_rules.c. */
struct lower {
	struct diags *ds;
	struct arena *arena;
	struct loc owner;  /* the key naming the object being entered, for "missing key" */
	struct config *cfg;
};

/* Hooks and helpers used by the tables (schema/config/key_rules.c). */
/* The error for a string at n that is not a PCI address: bad-pci-address, with "did you
 * mean" when pci_addr_guess reads one in it. */
void schema_bad_pci_address(struct lower *lw, const struct ynode *n);
bool schema_pci_scalar(struct lower *lw, const struct ynode *n, void *obj);
bool schema_usb_scalar(struct lower *lw, const struct ynode *n, void *obj);
void schema_usb_validate(struct lower *lw, const struct ynode *map, void *obj);
bool schema_network_scalar(struct lower *lw, const struct ynode *n, void *obj);
void schema_pci_validate(struct lower *lw, const struct ynode *map, void *obj);
void schema_disk_validate(struct lower *lw, const struct ynode *map, void *obj);
void schema_network_validate(struct lower *lw, const struct ynode *map, void *obj);
void schema_vm_validate(struct lower *lw, const struct ynode *map, void *obj);
void schema_target_validate(struct lower *lw, const struct ynode *map, void *obj);
/* FK_NIXATTRS (schema/config/nixextra.c). */
void schema_lower_nixattrs(struct lower *lw, const struct field *f, const struct ynode *n,
			   struct cfg_nixattrs *out);

/* Sizes: "16GiB" -> 16384 (MiB). */
bool schema_parse_size(const char *s, uint64_t *mib, const char **why);

/* Outputs generated from the tables. */
/* o->doc, and for map elements the rule their names follow, in buf when it is needed. */
const char *schema_object_doc(const struct object *o, char *buf, size_t size);
void schema_write_json(FILE *out);
void schema_write_markdown(FILE *out);
void schema_write_man(FILE *out);  /* vfioc.yaml(5), mdoc */

#endif
