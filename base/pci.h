/* pci.h: PCI addresses and vendor:device IDs, parsed and printed one way everywhere. */
#ifndef VFIOC_PCI_H
#define VFIOC_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_addr {
	uint16_t domain;
	uint8_t bus;
	uint8_t slot;  /* 0..31 */
	uint8_t func;  /* 0..7 */
};

#define PCI_ADDR_STRLEN 16  /* "0000:01:00.0" + NUL, rounded up */

/* "[DDDD:]BB:SS.F", hex, case-insensitive; the domain defaults to 0000. */
bool pci_addr_parse(const char *s, struct pci_addr *out);
/* What a malformed address most likely means, for "did you mean": 2 to 4 hex fields split
 * by ':', '.' or '-' ("0000:01:00:0", "1:0.0", "01:00" with function 0), each field within
 * its range. False when s is well formed (pci_addr_parse takes it) or nothing fits. */
bool pci_addr_guess(const char *s, struct pci_addr *out);
/* v as exactly `digits` lower-case hex digits and a NUL; returns the end (at the NUL). */
char *pci_hex(char *out, unsigned v, int digits);
/* Always "dddd:bb:ss.f", lower-case. */
void pci_addr_fmt(const struct pci_addr *a, char out[PCI_ADDR_STRLEN]);
/* Orders by domain, bus, slot, function. */
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);
uint32_t pci_addr_key(const struct pci_addr *a);  /* one integer with the same order */
bool pci_same_slot(const struct pci_addr *a, const struct pci_addr *b);

/* "vvvv:dddd", exactly four hex digits each. */
bool pci_id_parse(const char *s, uint16_t *vendor, uint16_t *device);

/* A short name of a 24-bit class code for messages: "VGA", "audio", "USB", "NVMe"; the
 * base class's name ("display", "storage") for a subclass without one; NULL for a base
 * class the PCI Code and ID Assignment Specification does not define. */
const char *pci_class_short(uint32_t cls);

#define PCI_CLASS_BASE(cls) (((cls) >> 16) & 0xff)  /* class is the 24-bit class code */
#define PCI_CLASS_BRIDGE 0x06

#endif
