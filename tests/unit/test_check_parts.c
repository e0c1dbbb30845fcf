/* test_check_parts.c: the pure parts of the plan: release facts, kernel versions, the
 * config path relative to the output directory, name-derived identities. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "plan_build.h"
#include "release.h"

static void test_release(void)
{
	STR_EQ(release_default_kernel(NIXOS_24_05), "6.6", "24.05 boots 6.6");
	STR_EQ(release_default_kernel(NIXOS_24_11), "6.6", "24.11 boots 6.6");
	STR_EQ(release_default_kernel(NIXOS_25_05), "6.12", "25.05 boots 6.12");
	STR_EQ(release_default_kernel(NIXOS_25_11), "6.12", "25.11 boots 6.12");
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

static void test_identity(void)
{
	uint8_t u1[16], u2[16], m1[6], m2[6];
	plan_uuid("win10", u1);
	plan_uuid("win11", u2);
	OK(memcmp(u1, u2, 16) != 0, "uuids differ by name");
	plan_mac("win10", m1);
	plan_mac("win11", m2);
	OK(memcmp(m1, m2, 6) != 0, "macs differ by name");
	INT_EQ(u1[6] >> 4, 8, "uuid version nibble");
	INT_EQ(u2[8] & 0xc0, 0x80, "uuid variant bits");
}

int main(void)
{
	test_release();
	test_config_rel();
	test_identity();
	HARNESS_END();
}
