/* hooks.c: what the tables cannot say as data: string formats, sizes, the short forms of
 * pci/usb/network entries, and rules between the keys of one object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "schema.h"
#include "xmledit.h"

static bool all_in(const char *s, const char *set, bool alnum)
{
	for (; *s; s++) {
		bool ok = (alnum && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				     (*s >= '0' && *s <= '9'))) || (*s && strchr(set, *s));
		if (!ok)
			return false;
	}
	return true;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* s is groups of hex digits of the lengths in shape ("8-4-4-4-12"), separated as there. */
static bool hex_groups(const char *s, const char *shape)
{
	for (const char *g = shape; *g; g++) {
		if (*g >= '0' && *g <= '9') {
			unsigned n = (unsigned)strtoul(g, (char **)&g, 10);
			g--;
			if (strspn(s, "0123456789abcdefABCDEF") != n)
				return false;
			s += n;
		} else if (*s++ != *g) {
			return false;
		}
	}
	return !*s;
}

/* U+FFFE and U+FFFF (EF BF BE, EF BF BF): XML 1.0 forbids them, so a libvirt domain file
 * holding one is not well-formed. Surrogates and other bytes XML refuses cannot get here:
 * the YAML reader accepts valid UTF-8 only, and control characters are refused before. */
static bool has_xml_forbidden(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; (p = (const unsigned char *)
	     strchr((const char *)p, 0xef)); p++)
		if (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			return true;
	return false;
}

/* Why a byte may not be in a kernel parameter, or NULL when it may. The kernel splits its
 * command line at what isspace() says, and that includes byte 0xa0 (a UTF-8 no-break space
 * holds one); NixOS writes the parameters unquoted into GRUB's `linux` line and into shell
 * and systemd-boot entries. */
static const char *token_refusal(unsigned char c)
{
	if (c <= ' ' || c >= 0x7f)
		return "a kernel parameter is printable ASCII without spaces: the kernel splits "
		       "its command line at spaces, and at byte 0xa0 (a no-break space) too";
	if (strchr("\"'\\`$", c))
		return "quotes, backslashes, '$' and '`' are read by the boot loader's and the "
		       "shell's quoting, not passed on";
	if (strchr("|&;<>{}", c))
		return "GRUB reads it as an operator of its own config language, where NixOS writes "
		       "the kernel's line unquoted";
	return NULL;
}

/* The first byte of s token_refusal refuses, with its reason in *why (static). */
static bool token_ok(const char *s, const char **why)
{
	static _Thread_local char msg[256];
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *reason = token_refusal(*p);
		if (!reason)
			continue;
		if (*p == ' ') {
			snprintf(msg, sizeof(msg), "a space is not allowed: %s", reason);
		} else if (*p > ' ' && *p < 0x7f) {
			snprintf(msg, sizeof(msg), "'%c' is not allowed: %s", *p, reason);
		} else if (*p >= 0xc0) {  /* valid UTF-8 (the YAML reader checked): name it */
			unsigned cp = *p & (*p >= 0xf0 ? 0x07 : *p >= 0xe0 ? 0x0f : 0x1f);
			for (const unsigned char *q = p + 1; (*q & 0xc0) == 0x80; q++)
				cp = cp << 6 | (*q & 0x3f);
			snprintf(msg, sizeof(msg), "U+%04X is not allowed: %s", cp, reason);
		} else {
			snprintf(msg, sizeof(msg), "byte 0x%02x is not allowed: %s", *p, reason);
		}
		*why = msg;
		return false;
	}
	return true;
}

/* One character of a JSON Schema character class. */
static size_t class_char(char *out, int c)
{
	size_t n = 0;
	if (strchr("\\[]^-", c))
		out[n++] = '\\';
	out[n++] = (char)c;
	return n;
}

/* The JSON Schema pattern of the same rule, built from token_refusal: runs of allowed
 * characters as ranges. */
static const char *token_pattern(void)
{
	static char pat[160];
	if (pat[0])
		return pat;
	size_t n = 0;
	pat[n++] = '^';
	pat[n++] = '[';
	for (int c = 0x21; c < 0x7f; c++) {
		if (token_refusal((unsigned char)c))
			continue;
		int end = c;
		while (end + 1 < 0x7f && !token_refusal((unsigned char)(end + 1)))
			end++;
		n += class_char(pat + n, c);
		if (end > c + 1)
			pat[n++] = '-';
		if (end > c)
			n += class_char(pat + n, end);
		c = end;
	}
	memcpy(pat + n, "]+$", 4);
	return pat;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool schema_check_string(enum str_check c, const char *s, const char **why)
{
	size_t len = strlen(s);
	*why = NULL;
	if (!len && c != SC_ANY)
		*why = "it is empty";
	else if (has_control(s))
		*why = "it contains a control character (newline, tab...)";
	else if (has_xml_forbidden(s))
		*why = "it contains U+FFFE or U+FFFF, which XML (a libvirt domain file) cannot hold";
	else switch (c) {
	case SC_ANY:
		break;
	case SC_NAME:
		if (len > 64 || !is_alnum(s[0]) || !all_in(s, "_.+-", true))
			*why = "a VM name is 1 to 64 letters, digits and _ . + -, starting with a letter or digit";
		break;
	case SC_MODULE:
		if (len > 63 || !all_in(s, "_-", true) || s[0] == '-')
			*why = "a kernel module name has only letters, digits, '_' and '-', and does not start with '-'";
		break;
	case SC_USER:
		if (len > 32 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')) ||
		    !all_in(s, "_-", true))
			*why = "a user name is up to 32 letters, digits, '_' and '-', starting with a letter or '_'";
		break;
	case SC_TOKEN:
		token_ok(s, why);
		break;
	case SC_PATH:
		if (s[0] != '/')
			*why = "it must be an absolute path";
		break;
	case SC_RELPATH:
		break;
	case SC_NETNAME:
		if (len > 64 || !all_in(s, "_.:-", true))
			*why = "a network or bridge name has only letters, digits and _ . : -";
		break;
	case SC_KERNEL: {
		const char *p = s;
		size_t digits = strspn(p, "0123456789");
		if (!digits || digits > 3 || p[digits] != '.' ||
		    !(p += digits + 1, digits = strspn(p, "0123456789")) || digits > 3 || p[digits])
			*why = "a kernel series is MAJOR.MINOR, e.g. \"6.6\"";
		break;
	}
	case SC_USBPORT:
		if (!hw_usb_port_ok(s))
			*why = "a USB bus-port is BUS-PORT[.PORT]..., e.g. \"1-2\" or \"3-1.4\" "
			       "(the names under /sys/bus/usb/devices)";
		break;
	case SC_EVDEV:
		if (strncmp(s, "/dev/input/", 11) || strstr(s, "/.."))
			*why = "an evdev device is a path under /dev/input/ (e.g. /dev/input/by-id/...-event-kbd)";
		break;
	case SC_UUID:
		if (!hex_groups(s, "8-4-4-4-12"))
			*why = "a UUID is 32 hex digits grouped 8-4-4-4-12 "
			       "(e.g. \"3f2b1c9e-5d4a-4e8f-9b1a-2c3d4e5f6a7b\")";
		break;
	case SC_MAC:
		if (!hex_groups(s, "2:2:2:2:2:2"))
			*why = "a MAC address is six hex octets separated by ':' (e.g. \"52:54:00:12:34:56\")";
		else if (strchr("13579bBdDfF", s[1]))
			*why = "a multicast address (the first octet is odd) cannot be a NIC's address";
		break;
	case SC_CDROM:
		if (s[0] != '/' && strcmp(s, CDROM_EMPTY))
			*why = "a CD-ROM is an absolute path to an ISO, or empty (a drive without media)";
		break;
	case SC_DEVPATH:
		if (strncmp(s, "/dev/", 5) || strpbrk(s, "\"\\") || strstr(s, "/.."))
			*why = "a device is a path under /dev/ without quotes or backslashes";
		break;
	case SC_VENDOR_ID:
		if (len > 12 || !all_in(s, "_.-", true))
			*why = "a Hyper-V vendor_id is 1 to 12 letters, digits and _ . -";
		break;
	case SC_XML_EDIT: {
		struct xml_edit e;
		if (xml_edit_parse(s, &e, why))
			xml_edit_free(&e);
		break;
	}
	}
	return *why == NULL;
}

const char *schema_check_pattern(enum str_check c)
{
	switch (c) {
	case SC_NAME: return "^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$";
	case SC_MODULE: return "^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$";
	case SC_USER: return "^[a-z_][A-Za-z0-9_-]{0,31}$";
	case SC_TOKEN: return token_pattern();
	case SC_PATH: return "^/";
	case SC_NETNAME: return "^[A-Za-z0-9_.:-]{1,64}$";
	case SC_KERNEL: return "^[0-9]{1,3}\\.[0-9]{1,3}$";
	case SC_EVDEV: return "^/dev/input/";
	case SC_UUID: return "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
	case SC_MAC: return "^[0-9a-fA-F][02468aceACE](:[0-9a-fA-F]{2}){5}$";
	case SC_USBPORT: return "^[0-9]{1,3}-[0-9]{1,3}(\\.[0-9]{1,3}){0,6}$";
	case SC_CDROM: return "^(/|empty$)";
	case SC_DEVPATH: return "^/dev/[^\"\\\\]+$";
	case SC_VENDOR_ID: return "^[A-Za-z0-9_.-]{1,12}$";
	case SC_XML_EDIT: return "^(\\./[^=]*=|xpath\\.delete=\\./)";
	default: return NULL;
	}
}

enum diag_id schema_check_diag(enum str_check c)
{
	switch (c) {
	case SC_NAME: return D_BAD_VM_NAME;
	case SC_TOKEN: return D_BAD_TOKEN;
	case SC_PATH: case SC_RELPATH: case SC_EVDEV: case SC_CDROM:
	case SC_DEVPATH: return D_BAD_PATH;
	case SC_XML_EDIT: return D_BAD_XML_EDIT;
	case SC_MODULE: case SC_USER: case SC_NETNAME: return D_BAD_NAME;
	case SC_UUID: case SC_MAC: return D_BAD_IDENTITY;
	default: return D_BAD_ENUM;
	}
}

bool schema_parse_size(const char *s, uint64_t *mib, const char **why)
{
	static const struct { const char *unit; uint64_t mib; } units[] = {
		{ "GiB", 1024 }, { "G", 1024 }, { "MiB", 1 }, { "M", 1 }, { "TiB", 1024 * 1024 },
		{ "T", 1024 * 1024 },
	};
	size_t digits = strspn(s, "0123456789");
	const char *unit = s + digits;
	if (*unit == ' ')
		unit++;
	*why = "expected a number and a unit: 16GiB, 8192MiB (G and M mean GiB and MiB)";
	if (!digits || digits > 9)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (!strcmp(unit, units[i].unit)) {
			uint64_t n = 0;
			for (size_t k = 0; k < digits; k++)
				n = n * 10 + (uint64_t)(s[k] - '0');
			*mib = n * units[i].mib;
			*why = NULL;
			return true;
		}
	return false;
}

static void report(struct lower *lw, enum diag_id id, const struct ynode *n, const char *what,
		   const char *hint)
{
	struct diag *d = diag_emit(lw->ds, id, &n->loc, "%s", what);
	if (hint)
		diag_hint(d, "%s", hint);
}

bool schema_pci_scalar(struct lower *lw, const struct ynode *n, void *obj)
{
	struct cfg_pci *p = obj;
	if (pci_id_parse(n->str, &p->id.vendor, &p->id.device)) {
		p->by_id = true;
		p->id.loc = n->loc;
		return true;
	}
	if (pci_addr_parse(n->str, &p->address.v)) {
		p->address.loc = n->loc;
		return true;
	}
	struct diag *d = diag_emit(lw->ds, strchr(n->str, '.') ? D_BAD_PCI_ADDRESS : D_BAD_PCI_ID,
				   &n->loc, "'%s' is neither a PCI address nor a vendor:device ID", n->str);
	diag_hint(d, "write an address as \"01:00.0\" or \"0000:01:00.0\", an ID as \"1002:67b0\" (hex); 'lspci -Dnn' shows both");
	return false;
}

bool schema_usb_scalar(struct lower *lw, const struct ynode *n, void *obj)
{
	struct cfg_usb *u = obj;
	if (pci_id_parse(n->str, &u->vendor, &u->product))
		return true;
	report(lw, D_BAD_PCI_ID, n, "a USB device is vendor:product, four hex digits each",
	       "'lsusb' shows them, e.g. \"046d:c52b\"");
	return false;
}

void schema_usb_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_usb *u = obj;
	if (LOC_SET(u->id.loc)) {
		u->vendor = u->id.vendor;
		u->product = u->id.device;
	} else if (!u->bus_port.v) {
		struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &map->loc,
					   "a usb entry needs 'id' or 'bus-port'");
		diag_hint(d, "add  id: \"046d:c52b\" ('lsusb' shows it), or  bus-port: \"1-2\" "
			  "(the port's name under /sys/bus/usb/devices)");
	}
}

bool schema_network_scalar(struct lower *lw, const struct ynode *n, void *obj)
{
	struct cfg_network *net = obj;
	const char *why;
	if (!strcmp(n->str, "none")) {
		net->kind = NET_NONE;
		return true;
	}
	if (!schema_check_string(SC_NETNAME, n->str, &why)) {
		report(lw, D_BAD_NAME, n, why, "use a libvirt network name (virsh net-list), none, or {bridge: br0}");
		return false;
	}
	net->kind = NET_NETWORK;
	net->name = n->str;
	return true;
}

void schema_network_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_network *net = obj;
	net->kind = NET_BRIDGE;
	net->name = net->bridge.v;
}

void schema_pci_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_pci *p = obj;
	if (LOC_SET(p->address.loc))
		return;
	if (LOC_SET(p->id.loc)) {
		p->by_id = true;
		return;
	}
	struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &map->loc,
				   "a pci entry needs 'address' or 'id'");
	diag_hint(d, "add  address: \"01:00.0\"");
}

void schema_disk_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_disk *dk = obj;
	if (!dk->path.v && !dk->cdrom.v) {
		struct diag *d = diag_emit(lw->ds, D_MISSING_KEY, &map->loc,
					   "a disk needs 'path' (an image) or 'cdrom' (an ISO)");
		diag_hint(d, "add  path: /var/lib/libvirt/images/NAME.qcow2");
	} else if (dk->path.v && dk->cdrom.v) {
		struct diag *d = diag_emit(lw->ds, D_DISK_KEY_CONFLICT, &dk->cdrom.loc,
					   "'cdrom' conflicts with 'path': a disk has either, not both");
		diag_hint(d, "make the CD-ROM a list entry of its own");
	} else if (dk->cdrom.v && (LOC_SET(dk->bus.loc) || LOC_SET(dk->format.loc))) {
		bool bus = LOC_SET(dk->bus.loc);
		struct diag *d = diag_emit(lw->ds, D_DISK_KEY_CONFLICT,
					   bus ? &dk->bus.loc : &dk->format.loc,
					   "'%s' conflicts with 'cdrom': it applies to 'path' disks, and a "
					   "CD-ROM is always a raw image on SATA", bus ? "bus" : "format");
		diag_hint(d, "remove '%s' from this entry", bus ? "bus" : "format");
	} else if (dk->cdrom.v && (LOC_SET(dk->cache.loc) || LOC_SET(dk->io.loc) ||
				   LOC_SET(dk->discard.loc))) {
		const struct loc *at = LOC_SET(dk->cache.loc) ? &dk->cache.loc
				     : LOC_SET(dk->io.loc) ? &dk->io.loc : &dk->discard.loc;
		const char *key = at == &dk->cache.loc ? "cache" : at == &dk->io.loc ? "io" : "discard";
		struct diag *d = diag_emit(lw->ds, D_DISK_KEY_CONFLICT, at, "'%s' conflicts with "
					   "'cdrom': it applies to 'path' disks", key);
		diag_hint(d, "remove '%s' from this entry", key);
	} else if (dk->io.v == IO_NATIVE && dk->cache.v != CACHE_NONE &&
		   dk->cache.v != CACHE_DIRECTSYNC) {
		struct diag *d = diag_emit(lw->ds, D_DISK_IO_CACHE, &dk->io.loc,
					   "'io: native' needs the host page cache bypassed, but this "
					   "disk's cache is '%s'", disk_cache_name((enum disk_cache)dk->cache.v));
		if (LOC_SET(dk->cache.loc))
			diag_note(d, &dk->cache.loc, "cache set here");
		diag_hint(d, "add 'cache: none' (QEMU refuses aio=native with a cached disk), or use 'io: io_uring'");
	}
}

/* "KEY needs OTHER": a key written without the one it depends on. */
static void requires(struct lower *lw, const struct cfg_vm *vm, const struct loc *at,
		     const char *key, const char *other)
{
	struct diag *d = diag_emit(lw->ds, D_KEY_REQUIRES, at, "'%s' of VM '%s' has no effect "
				   "without '%s'", key, vm->name, other);
	diag_hint(d, "add '%s' to vms.%s, or remove '%s'", other, vm->name, key);
}

/* Rules within one VM; and single-gpu makes `managed` the default bind of its devices (the
 * host uses the GPU until the VM starts, so vfio-pci must not claim it at boot). */
void schema_vm_validate(struct lower *lw, const struct ynode *map, void *obj)
{
	struct cfg_vm *vm = obj;
	if (LOC_SET(vm->hyperv_vendor_id.loc) && !vm->hyperv.v)
		requires(lw, vm, &vm->hyperv_vendor_id.loc, "hyperv-vendor-id", "hyperv: true");
	if (LOC_SET(vm->iothread_pin.loc) && !vm->iothreads.v)
		requires(lw, vm, &vm->iothread_pin.loc, "iothread-pin", "iothreads");
	if (!vm->single_gpu.v)
		return;
	for (size_t i = 0; i < vm->npci; i++) {
		struct cfg_pci *p = &vm->pci[i];
		if (!LOC_SET(p->bind.loc)) {
			p->bind.v = PCI_BIND_MANAGED;
		} else if (p->bind.v == PCI_BIND_BOOT) {
			struct diag *d = diag_emit(lw->ds, D_SINGLE_GPU_BIND, &p->bind.loc,
						   "VM '%s' is single-gpu, but this device is bound "
						   "to vfio-pci at boot", vm->name);
			diag_note(d, &vm->single_gpu.loc, "single-gpu set here");
			diag_hint(d, "remove 'bind: boot': the hooks hand the GPU over when the VM starts");
		}
	}
}
