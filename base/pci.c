/* pci.c: PCI addresses and vendor:device IDs. */
#include "base/pci.h"

#include <string.h>

/* Parse exactly `digits` hex digits (no more, no fewer) at *s, advancing it. */
static bool hex_field(const char **s, int digits, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < digits; i++) {
		char c = (*s)[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v * 16 + d;
	}
	*s += digits;
	*out = v;
	return true;
}

bool pci_addr_parse(const char *s, struct pci_addr *out)
{
	unsigned dom = 0, bus, slot, func;
	/* With a domain the text is 12 characters, without it 7. */
	size_t len = strlen(s);
	if (len == 12) {
		if (!hex_field(&s, 4, &dom) || *s++ != ':')
			return false;
	} else if (len != 7) {
		return false;
	}
	if (!hex_field(&s, 2, &bus) || *s++ != ':' || !hex_field(&s, 2, &slot) || *s++ != '.' ||
	    !hex_field(&s, 1, &func) || *s)
		return false;
	if (slot > 31 || func > 7)
		return false;
	*out = (struct pci_addr){ (uint16_t)dom, (uint8_t)bus, (uint8_t)slot, (uint8_t)func };
	return true;
}

bool pci_addr_guess(const char *s, struct pci_addr *out)
{
	struct pci_addr ok;
	if (pci_addr_parse(s, &ok))
		return false;
	unsigned f[4];
	size_t n = 0;
	for (const char *p = s;;) {
		unsigned v = 0;
		int digits = 0;
		for (; *p && strchr("0123456789abcdefABCDEF", *p); p++, digits++)
			v = v * 16 + (unsigned)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
		if (digits == 0 || digits > 4 || n == 4)
			return false;
		f[n++] = v;
		if (!*p)
			break;
		if (!strchr(":.-", *p++))
			return false;
	}
	if (n < 2)
		return false;
	/* Read from the right: function, slot, bus, domain; "01:00" is a slot, function 0. */
	unsigned func = n == 2 ? 0 : f[n - 1], slot = n == 2 ? f[1] : f[n - 2];
	unsigned bus = n == 2 ? f[0] : f[n - 3], dom = n == 4 ? f[0] : 0;
	if (bus > 0xff || slot > 31 || func > 7)
		return false;
	*out = (struct pci_addr){ (uint16_t)dom, (uint8_t)bus, (uint8_t)slot, (uint8_t)func };
	return true;
}

char *pci_hex(char *out, unsigned v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 0xf];
	out[digits] = '\0';
	return out + digits;
}

/* By hand rather than snprintf: a probe of 5,000 devices formats 20,000 of these. */
void pci_addr_fmt(const struct pci_addr *a, char out[PCI_ADDR_STRLEN])
{
	char *p = pci_hex(out, a->domain, 4);
	*p++ = ':';
	p = pci_hex(p, a->bus, 2);
	*p++ = ':';
	p = pci_hex(p, a->slot, 2);
	*p++ = '.';
	pci_hex(p, a->func, 1);
}

uint32_t pci_addr_key(const struct pci_addr *a)
{
	return (uint32_t)a->domain << 16 | (uint32_t)a->bus << 8 | (uint32_t)a->slot << 3 | a->func;
}

int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
	uint32_t ka = pci_addr_key(a), kb = pci_addr_key(b);
	return ka < kb ? -1 : ka > kb;
}

bool pci_same_slot(const struct pci_addr *a, const struct pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

bool pci_id_parse(const char *s, uint16_t *vendor, uint16_t *device)
{
	unsigned v, d;
	if (strlen(s) != 9 || !hex_field(&s, 4, &v) || *s++ != ':' || !hex_field(&s, 4, &d))
		return false;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return true;
}

/* Names as lspci shortens them (pciutils' pci.ids, "C" lines), for the classes a passed
 * device has; subclass 0xff ("other") falls back to its base class. */
static const struct { uint16_t code; const char *name; } class_names[] = {
	{ 0x0100, "SCSI" }, { 0x0101, "IDE" }, { 0x0104, "RAID" }, { 0x0106, "SATA" },
	{ 0x0107, "SAS" }, { 0x0108, "NVMe" }, { 0x0200, "Ethernet" }, { 0x0280, "network" },
	{ 0x0300, "VGA" }, { 0x0301, "XGA" }, { 0x0302, "3D" }, { 0x0401, "audio" },
	{ 0x0403, "audio" }, { 0x0600, "host bridge" }, { 0x0601, "ISA bridge" },
	{ 0x0604, "PCI bridge" }, { 0x0c03, "USB" }, { 0x0c05, "SMBus" }, { 0x0d11, "Bluetooth" },
	{ 0x0d80, "wireless" },
};
static const char *const base_names[] = {
	"unclassified", "storage", "network", "display", "multimedia", "memory", "bridge",
	"communication", "system", "input", "docking station", "processor", "serial bus",
	"wireless", "intelligent", "satellite", "encryption", "signal processing",
	"accelerator", "instrumentation",
};

const char *pci_class_short(uint32_t cls)
{
	uint16_t code = (uint16_t)(cls >> 8);
	for (size_t i = 0; i < sizeof class_names / sizeof *class_names; i++)
		if (class_names[i].code == code)
			return class_names[i].name;
	unsigned base = PCI_CLASS_BASE(cls);
	return base < sizeof base_names / sizeof *base_names ? base_names[base] : NULL;
}
