/* sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for the host identity: a keyed
 * hash of /etc/machine-id, which must never appear itself in a snapshot. */
#ifndef VFIOC_SHA256_H
#define VFIOC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t len;         /* bytes hashed so far */
	uint8_t block[64];
	size_t nblock;
};

void sha256_init(struct sha256 *s);
void sha256_add(struct sha256 *s, const void *data, size_t n);
void sha256_done(struct sha256 *s, uint8_t out[SHA256_LEN]);
void hmac_sha256(const void *key, size_t nkey, const void *msg, size_t nmsg,
		 uint8_t out[SHA256_LEN]);

#endif
