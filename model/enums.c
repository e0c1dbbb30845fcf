/* enums.c: the spellings of the config language's enumerations, from the X-macros in
 * config.h, so the enum, its names and its count cannot drift apart. */
#include "model/enums.h"

#define NAME(c, s) s,
const char *const nixos_release_names[] = { NIXOS_RELEASES(NAME) NULL };
const char *const family_names[] = { FAMILIES(NAME) NULL };
const char *const initramfs_names[] = { INITRAMFS_GENERATORS(NAME) NULL };
const char *const bootloader_names[] = { BOOTLOADERS(NAME) NULL };
const char *const iommu_mode_names[] = { IOMMU_MODES(NAME) NULL };
const char *const bind_mode_names[] = { BIND_MODES(NAME) NULL };
const char *const qemu_package_names[] = { QEMU_PACKAGES(NAME) NULL };
const char *const hugepage_size_names[] = { HUGEPAGE_SIZES(NAME) NULL };
const char *const firmware_names[] = { FIRMWARES(NAME) NULL };
const char *const pci_bind_names[] = { PCI_BINDS(NAME) NULL };
const char *const disk_bus_names[] = { DISK_BUSES(NAME) NULL };
const char *const disk_format_names[] = { DISK_FORMATS(NAME) NULL };
const char *const graphics_names[] = { GRAPHICS(NAME) NULL };
const char *const audio_names[] = { AUDIOS(NAME) NULL };
const char *const disk_cache_names[] = { DISK_CACHES(NAME) NULL };
const char *const disk_io_names[] = { DISK_IOS(NAME) NULL };
const char *const cpu_cache_names[] = { CPU_CACHES(NAME) NULL };
const char *const smbios_mode_names[] = { SMBIOS_MODES(NAME) NULL };
const char *const input_bus_names[] = { INPUTS(NAME) NULL };
const char *const lg_device_names[] = { LG_DEVICES(NAME) NULL };
#undef NAME

/* Out-of-range values print as "?" rather than reading past the table. */
#define NAME_FN(fn, type, names, count) \
	const char *fn(type v) { return (unsigned)v < (count) ? names[v] : "?"; }
NAME_FN(nixos_release_name, enum nixos_release, nixos_release_names, NIXOS_COUNT)
NAME_FN(family_name, enum family, family_names, FAMILY_COUNT)
NAME_FN(initramfs_name, enum initramfs, initramfs_names, INITRAMFS_COUNT)
NAME_FN(bootloader_name, enum bootloader, bootloader_names, BOOTLOADER_COUNT)
NAME_FN(iommu_mode_name, enum iommu_mode, iommu_mode_names, IOMMU_COUNT)

const char *iommu_kernel_param(enum iommu_mode m)
{
	return m == IOMMU_INTEL ? IOMMU_PARAM_INTEL : m == IOMMU_AMD ? IOMMU_PARAM_AMD : NULL;
}

NAME_FN(bind_mode_name, enum bind_mode, bind_mode_names, BIND_COUNT)
NAME_FN(qemu_package_name, enum qemu_package, qemu_package_names, QEMU_COUNT)
NAME_FN(hugepage_size_name, enum hugepage_size, hugepage_size_names, HUGEPAGE_COUNT)
NAME_FN(firmware_name, enum firmware, firmware_names, FW_COUNT)
NAME_FN(disk_bus_name, enum disk_bus, disk_bus_names, DISK_BUS_COUNT)
NAME_FN(disk_format_name, enum disk_format, disk_format_names, DISK_FORMAT_COUNT)
NAME_FN(graphics_name, enum graphics, graphics_names, GFX_COUNT)
NAME_FN(audio_name, enum audio, audio_names, AUDIO_COUNT)
NAME_FN(disk_cache_name, enum disk_cache, disk_cache_names, DISK_CACHE_COUNT)
NAME_FN(disk_io_name, enum disk_io, disk_io_names, DISK_IO_COUNT)
