/* plan_ident.c: identities derived from a VM's name, stable across builds and machines:
 * the domain UUID and the NIC's MAC address. No randomness, no clock. */
#include <string.h>

#include "plan_build.h"

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

void plan_uuid(const char *name, uint8_t uuid[16])
{
	put_be64(uuid, name_hash("vfioc-uuid-hi", name));
	put_be64(uuid + 8, name_hash("vfioc-uuid-lo", name));
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80);  /* version 8: RFC 9562's custom UUID */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);  /* variant 10 */
}

void plan_mac(const char *name, uint8_t mac[6])
{
	uint64_t h = name_hash("vfioc-mac", name);
	mac[0] = 0x52;   /* 52:54:00: QEMU's locally administered prefix, as libvirt uses */
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}
