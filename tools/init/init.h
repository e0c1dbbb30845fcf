/* init.h: `vfioc init`: what it decides from the hardware (tools/init/pick.c) and the starter
 * config it writes from those decisions (tools/init/yaml.c); cmd_init.c reads the system and
 * writes the files. */
#ifndef VFIOC_INIT_H
#define VFIOC_INIT_H

#include <stdbool.h>

#include "base/util.h"
#include "hw/hw.h"
#include "model/config.h"

#define INIT_NONE ((size_t)-1)

/* Why a GPU cannot go to the VM (or INIT_OK). */
enum init_block {
	INIT_OK,
	INIT_IOMMU_OFF,      /* no IOMMU groups at all */
	INIT_NO_GROUP,       /* the GPU or a function of it is in no group */
	INIT_HOST_DISK,      /* its group holds the host's own file systems */
	INIT_HELD,           /* a bridge or platform function holds its group (hw_group_blocker) */
	INIT_HOST_ROUTE,     /* its group holds the NIC of the host's default route */
	INIT_LAST_GPU,       /* the host would keep no GPU */
};

/* One GPU considered, with what would go along with it. */
struct init_gpu {
	size_t dev;                /* index into hw->pci */
	enum init_block block;
	size_t why;                /* the device that blocks it (INIT_HOST_DISK/ROUTE/NO_GROUP/HELD) */
	bool *take;                /* per hw->pci: passed with it (its slot and groups, closed) */
};

struct init_pick {
	struct init_gpu *gpus;     /* every GPU of the host (class 03xx, no virtual function) */
	size_t ngpus;
	size_t chosen;             /* index into gpus, or INIT_NONE */
	size_t suggested;          /* IOMMU off: the GPU to pass once it is on (index into gpus) */
	bool forced;               /* chosen by --gpu */
};

/* Consider every GPU and choose the best that can be passed (gpu: the one --gpu names, an
 * index into hw->pci, or INIT_NONE). */
void init_pick(const struct hw *hw, size_t gpu, struct init_pick *out);
void init_pick_free(struct init_pick *p);

/* Whether USB device u is a keyboard or mouse to hand to the VM: the snapshot holds no USB
 * class, so this goes by the name its firmware gives ("USB Keyboard", "Gaming Mouse",
 * Logitech's "USB Receiver"); root hubs (no port) never. */
bool init_is_input(const struct hw_usb *u);

/* What the config says besides the hardware. */
struct init_env {
	enum family family;        /* FAMILY_NIXOS: target.nixos below */
	const char *family_why;    /* the comment on it: what os-release says */
	enum initramfs initramfs;  /* not NixOS: the generator found */
	const char *initramfs_why;
	enum bootloader bootloader;  /* not NixOS: the boot loader found */
	const char *bootloader_why;
	enum nixos_release nixos;
	const char *nixos_name;    /* the value written: nixos's name, or a newer release's */
	const char *nixos_why;     /* the comment on it */
	char kernel[16];           /* "6.6", or "" when unknown */
	const char *kernel_why;    /* the comment on it: where it was read */
	const char *user;          /* NULL: none usable */
	const char *user_why;      /* the comment when there is none */
	const char *source;        /* "this machine", "the test root DIR", "the snapshot FILE" */
	const char *snapshot_name; /* hardware: value, "hardware.yaml" */
	const char *config_name;   /* the config's file name, for the comments */
};

/* The family of os-release's ID and ID_LIKE (space-separated), or FAMILY_NIXOS when it is
 * NixOS or none vfioc writes files for (tools/init/target.c). */
enum family init_family(const char *id, const char *id_like);
/* Which initramfs generator and boot loader the system under root ("" for /) has
 * installed, with the comments saying what was found, into env (family set). */
void init_detect_parts(const char *root, struct init_env *env, struct arena *a);

/* The whole starter config into out. */
void init_yaml(const struct hw *hw, const struct init_pick *p, const struct init_env *env,
	       struct buf *out);

#endif
