/* enums.h: NULL-terminated spellings of each enumeration, indexed by value. */
#ifndef VFIOC_ENUMS_H
#define VFIOC_ENUMS_H

#include <stddef.h>

#include "model/config.h"

extern const char *const nixos_release_names[];
extern const char *const family_names[];
extern const char *const initramfs_names[];
extern const char *const bootloader_names[];
extern const char *const iommu_mode_names[];
extern const char *const bind_mode_names[];
extern const char *const qemu_package_names[];
extern const char *const hugepage_size_names[];
extern const char *const firmware_names[];
extern const char *const pci_bind_names[];
extern const char *const disk_bus_names[];
extern const char *const disk_format_names[];
extern const char *const graphics_names[];
extern const char *const audio_names[];
extern const char *const disk_cache_names[];
extern const char *const disk_io_names[];
extern const char *const cpu_cache_names[];
extern const char *const smbios_mode_names[];
extern const char *const input_bus_names[];
extern const char *const lg_device_names[];

#endif
