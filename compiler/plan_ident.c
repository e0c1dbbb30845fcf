/* plan_ident.c: identities derived from a VM's name and the host's identity (the snapshot's
 * host-id, a keyed hash of its machine-id): the domain UUID and the NIC's MAC address, stable
 * across builds, different for same-named VMs on different hosts (two `win10` on one bridged
 * LAN must not share a MAC). No randomness, no clock. Without a host identity (a snapshot
 * from before it was recorded) they come from the name alone, as they always did, so such
 * a host keeps its domains' UUIDs. */
#include <string.h>

#include "base/sha256.h"
#include "compiler/plan_parts.h"

/* FNV-1a over salt and name, then the splitmix64 finalizer to spread the bits. */
static uint64_t name_hash(const char *salt, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const char *s = salt; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;   /* separator: salt "ab"+"c" differs from "a"+"bc" */
	for (const char *s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static void put_be64(uint8_t *out, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

/* SHA-256 of "vfioc-<what>", host_id and name, each ended by a NUL: unambiguous. */
static void host_hash(const char *what, const char *host_id, const char *name,
		      uint8_t out[SHA256_LEN])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_add(&s, "vfioc-", 6);
	sha256_add(&s, what, strlen(what) + 1);
	sha256_add(&s, host_id, strlen(host_id) + 1);
	sha256_add(&s, name, strlen(name) + 1);
	sha256_done(&s, out);
}

void plan_uuid(const char *host_id, const char *name, uint8_t uuid[16])
{
	if (host_id) {
		uint8_t h[SHA256_LEN];
		host_hash("uuid", host_id, name, h);
		memcpy(uuid, h, 16);
	} else {
		put_be64(uuid, name_hash("vfioc-uuid-hi", name));
		put_be64(uuid + 8, name_hash("vfioc-uuid-lo", name));
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80);  /* version 8: RFC 9562's custom UUID */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);  /* variant 10 */
}

/* The hex digits of s (a uuid: or mac: value the schema checked) as n bytes. */
void plan_parse_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (*s == '-' || *s == ':')
			s++;
		unsigned v = 0;
		for (int k = 0; k < 2; k++, s++)
			v = v * 16 + (unsigned)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
		out[i] = (uint8_t)v;
	}
}

void plan_mac(const char *host_id, const char *name, uint8_t mac[6])
{
	uint64_t h = name_hash("vfioc-mac", name);
	if (host_id) {
		uint8_t d[SHA256_LEN];
		host_hash("mac", host_id, name, d);
		h = (uint64_t)d[0] << 16 | (uint64_t)d[1] << 8 | d[2];
	}
	mac[0] = 0x52;   /* 52:54:00: QEMU's locally administered prefix, as libvirt uses */
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}
