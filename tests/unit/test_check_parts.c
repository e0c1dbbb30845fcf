/* test_check_parts.c: the pure parts of the plan: release facts, kernel versions, the
 * config path relative to the output directory, name-derived identities. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "compiler/plan_parts.h"
#include "harness.h"
#include "model/release.h"

static void test_release(void)
{
	STR_EQ(release_default_kernel(NIXOS_24_05), "6.6", "24.05 boots 6.6");
	STR_EQ(release_default_kernel(NIXOS_24_11), "6.6", "24.11 boots 6.6");
	STR_EQ(release_default_kernel(NIXOS_25_05), "6.12", "25.05 boots 6.12");
	STR_EQ(release_default_kernel(NIXOS_25_11), "6.12", "25.11 boots 6.12");
	STR_EQ(release_default_kernel(NIXOS_26_11), "6.18", "26.11 boots 6.18");
	OK(release_is_newer("27.05") && release_is_newer("30.11"), "27.05 and 30.11 are newer releases");
	OK(!release_is_newer("26.11") && !release_is_newer("26.05") && !release_is_newer("26.12") &&
	   !release_is_newer("27.5") && !release_is_newer("27.05x") && !release_is_newer(NULL),
	   "known, odd-month and malformed names are no newer release");
	OK(release_older_than("26.11", "26.12") && !release_older_than("25.11", "25.10") &&
	   !release_older_than("unstable", "27.05"), "older_than compares releases only");
	OK(kernel_before("6.1", 6, 2), "6.1 is before 6.2");
	OK(kernel_before("5.15.0-105-generic", 6, 2), "5.15 release string is before 6.2");
	OK(!kernel_before("6.2", 6, 2), "6.2 is not before 6.2");
	OK(!kernel_before("6.12", 6, 2), "6.12 is not before 6.2 (numeric, not text)");
	OK(!kernel_before("latest", 6, 2), "a non-version counts as new");
}

/* config_rel from a scratch tree: d/conf/host.yaml, d/link -> conf. */
static void test_config_rel(void)
{
	char tmpl[] = "/tmp/vfioc-rel.XXXXXX";
	char *d = mkdtemp(tmpl), old[4096];
	if (!d || !getcwd(old, sizeof(old)) || chdir(d) != 0) {
		OK(0, "config_rel: scratch directory");
		return;
	}
	mkdir("conf", 0700);
	mkdir("conf/gen", 0700);
	if (symlink("conf", "link") != 0)
		OK(0, "config_rel: symlink");
	struct arena a = {0};
	STR_EQ(plan_config_rel(&a, "conf/host.yaml", "out"), "../conf/host.yaml", "sibling dir, not yet made");
	STR_EQ(plan_config_rel(&a, "conf/host.yaml", "conf/gen"), "../host.yaml", "output inside the config dir");
	STR_EQ(plan_config_rel(&a, "conf/host.yaml", "conf"), "host.yaml", "same directory");
	STR_EQ(plan_config_rel(&a, "link/host.yaml", "conf/gen/"), "../host.yaml", "symlinks resolved");
	STR_EQ(plan_config_rel(&a, "conf/host.yaml", "conf/gen/../new/deeper"), "../../host.yaml",
	       "'..' in a path that does not exist yet");
	STR_EQ(plan_config_rel(&a, "conf/host.yaml", NULL), "host.yaml", "no output dir: base name");
	const char *rel = plan_config_rel(&a, "conf/host.yaml", "/");
	OK(rel[0] != '/', "relative to / is still relative");
	arena_free(&a);
	if (chdir(old) != 0)
		OK(0, "config_rel: back to the old directory");
	char *cmd = xasprintf("rm -rf '%s'", d);
	OK(system(cmd) == 0, "config_rel: scratch removed");
	free(cmd);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void test_sha256(void)
{
	uint8_t d[SHA256_LEN];
	char h[2 * SHA256_LEN + 1];
	struct sha256 s;
	sha256_init(&s);
	sha256_add(&s, "abc", 3);
	sha256_done(&s, d);
	hex(d, SHA256_LEN, h);
	STR_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "sha256: FIPS 180-4 'abc'");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_init(&s);
	for (const char *p = two; *p; p++)   /* byte by byte: the block boundary in the middle */
		sha256_add(&s, p, 1);
	sha256_done(&s, d);
	hex(d, SHA256_LEN, h);
	STR_EQ(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "sha256: FIPS 180-4 two blocks");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex(d, SHA256_LEN, h);
	STR_EQ(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	       "hmac-sha256: RFC 4231 case 2");
}

static void test_identity(void)
{
	uint8_t u1[16], u2[16], m1[6], m2[6];
	plan_uuid(NULL, "win10", u1);
	plan_uuid(NULL, "win11", u2);
	OK(memcmp(u1, u2, 16) != 0, "uuids differ by name");
	plan_mac(NULL, "win10", m1);
	plan_mac(NULL, "win11", m2);
	OK(memcmp(m1, m2, 6) != 0, "macs differ by name");
	INT_EQ(u1[6] >> 4, 8, "uuid version nibble");
	INT_EQ(u2[8] & 0xc0, 0x80, "uuid variant bits");
	/* The same VM name on two hosts: different UUIDs and MACs. */
	const char *h1 = "9c203315a503dc04af1ba4faeb371aee", *h2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
	plan_uuid(h1, "win10", u1);
	plan_uuid(h2, "win10", u2);
	OK(memcmp(u1, u2, 16) != 0, "uuids of one name differ by host");
	plan_mac(h1, "win10", m1);
	plan_mac(h2, "win10", m2);
	OK(memcmp(m1, m2, 6) != 0, "macs of one name differ by host");
	OK(!memcmp(m1, "\x52\x54\x00", 3), "mac keeps QEMU's prefix with a host identity");
	INT_EQ(u1[6] >> 4, 8, "host uuid version nibble");
	INT_EQ(u1[8] & 0xc0, 0x80, "host uuid variant bits");
	uint8_t p[6];
	plan_parse_hex("52:54:00:AB:cd:0f", p, 6);
	OK(!memcmp(p, "\x52\x54\x00\xab\xcd\x0f", 6), "mac: parsed");
}

int main(void)
{
	test_release();
	test_config_rel();
	test_sha256();
	test_identity();
	HARNESS_END();
}
