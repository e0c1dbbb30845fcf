/* hw/group.c: the IOMMU group rule that `vfioc groups`, `init` and `verify` share with the
 * checks (check_groups.c). The kernel gives a group to a VM only when every member left on
 * the host is unbound, or bound to a driver that does no DMA of its own (hw_holds_group).
 * So a group goes to one VM with all of its endpoints that have a driver; an endpoint
 * without one may stay while none binds it. Bridges (class 06xx) and the functions of the
 * host platform (SMBus, SPI flash, IOMMU: hw_is_platform) stay on the host: unbound, or on
 * a driver the kernel allows, they do not keep the others from being passed; on any other
 * driver (lpc_ich on an LPC bridge, an EDAC or uncore driver on a host bridge, i801_smbus)
 * they keep the whole group from every VM (hw_group_blocker). A group holding the disk of
 * the host's own file systems stays on the host whole. */
#include <string.h>

#include "hw/hw.h"

/* The header type the kernel reads (config byte 0x0E), or, when the probe could not read
 * it, the one the class implies: PCI-to-PCI bridges (0604, 0609) have type 1, CardBus
 * bridges (0607) type 2, everything else type 0. */
int hw_header_type(const struct hw_pci *d)
{
	if (d->header_type >= 0)
		return d->header_type;
	unsigned cls = (unsigned)(d->class >> 8);
	return cls == 0x0604 || cls == 0x0609 ? HW_HEADER_BRIDGE
	     : cls == 0x0607 ? HW_HEADER_CARDBUS : HW_HEADER_NORMAL;
}

/* Intel's SPI flash controller (class 0c80, the firmware's flash): by its driver, else by
 * its pci.ids name; a GPU's UCSI function shares the class. */
static bool is_spi_flash(const struct hw_pci *d)
{
	if (d->class >> 8 != 0x0c80)
		return false;
	return (d->driver && !strcmp(d->driver, "intel-spi")) ||
	       (d->device_name && strstr(d->device_name, "SPI"));
}

bool hw_is_platform(const struct hw_pci *d)
{
	unsigned cls = (unsigned)(d->class >> 8);
	return cls == 0x0c05 || cls == 0x0806 || is_spi_flash(d);
}

bool hw_stays_on_host(const struct hw_pci *d)
{
	return hw_is_bridge(d) || hw_is_platform(d);
}

/* The rule of the kernel the lab runs and of every kernel since 5.19: a group is viable
 * while no member's driver has claimed DMA ownership of it (drivers/vfio/group.c,
 * vfio_group_ioctl_get_status: iommu_group_dma_owner_claimed); a driver claims it at
 * bind unless it sets driver_managed_dma, which pci-stub, pcieport (the ports' driver:
 * drivers/pci/pcie/portdrv.c) and the vfio-pci drivers do. Before 5.19,
 * vfio_dev_driver_allowed (drivers/vfio/vfio.c) let a device with a header type other
 * than normal keep any driver, and pci-stub any device: a bridge on pcieport or pci-stub
 * is allowed by both. vfio-pci itself is not allowed here: a device on it that this VM does
 * not take is another VM's, and goes to vfio only while that one runs. */
bool hw_holds_group(const struct hw_pci *d)
{
	if (!d->driver || !strcmp(d->driver, "pci-stub"))
		return false;
	return hw_header_type(d) == HW_HEADER_NORMAL || strcmp(d->driver, "pcieport") != 0;
}

size_t hw_group_endpoints(const struct hw *hw, const struct hw_group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		n += !hw_stays_on_host(&hw->pci[g->member[i]]);
	return n;
}

const struct hw_pci *hw_group_host_disk(const struct hw *hw, const struct hw_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (hw->pci[g->member[i]].host_fs)
			return &hw->pci[g->member[i]];
	return NULL;
}

const struct hw_pci *hw_group_blocker(const struct hw *hw, const struct hw_group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct hw_pci *d = &hw->pci[g->member[i]];
		if (hw_stays_on_host(d) && hw_holds_group(d))
			return d;
	}
	return NULL;
}

enum hw_leave hw_may_leave(const struct hw_pci *d, const struct hw_pci *host_disk)
{
	if (hw_is_bridge(d))
		return HW_STAYS_BRIDGE;
	if (hw_is_platform(d))
		return HW_STAYS_PLATFORM;
	if (host_disk && host_disk != d)
		return HW_STAYS_HOST_GROUP;
	return d->host_fs ? HW_STAYS_HOST_FS : HW_MAY_LEAVE;
}

size_t hw_group_left(const struct hw *hw, const struct hw_group *g, const bool *passed,
		     size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++) {
		size_t m = g->member[i];
		if (!passed[m] && !hw_stays_on_host(&hw->pci[m]))
			out[n++] = m;
	}
	return n;
}

const char *hw_platform_role(const struct hw_pci *d)
{
	switch (d->class >> 8) {
	case 0x0600: return "host bridge";
	case 0x0601: return "LPC/ISA bridge";
	case 0x0c05: return "SMBus controller";
	case 0x0806: return "IOMMU";
	default: return hw_is_platform(d) ? "SPI flash controller" : "bridge";
	}
}
