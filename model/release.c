/* release.c: NixOS release facts. The default kernel is nixpkgs' `linuxPackages` at each
 * release branch: 6.6 from 24.05 (nixpkgs#288260), 6.12 from 25.05, 6.18 on master since
 * February 2026 (nixpkgs#488642), so in 26.05, 26.11 and unstable.
 *
 * 26.11 changes none of the options vfioc writes (nixos/doc/manual/release-notes/
 * rl-2611.section.md): virtualisation.libvirtd.*, boot.kernelParams, boot.initrd.* and
 * boot.extraModprobeConfig are as in 26.05; it removes boot.vesa, which vfioc never writes,
 * and adds virtualisation.qemu.firmware.enable (QEMU's firmware descriptors in
 * /etc/qemu/firmware), which libvirt does not need: it reads the descriptors QEMU installs
 * in its own share directory, as from 25.11 (release_has_ovmf). */
#include "model/release.h"

#include <stdlib.h>
#include <string.h>

static const char *const default_kernel[NIXOS_COUNT] = {
	[NIXOS_24_05] = "6.6",
	[NIXOS_24_11] = "6.6",
	[NIXOS_25_05] = "6.12",
	[NIXOS_25_11] = "6.12",
	[NIXOS_26_05] = "6.18",
	[NIXOS_26_11] = "6.18",
	[NIXOS_UNSTABLE] = "6.18",
};

/* The oldest kernel series each release ships (linuxKernel.kernels): nixpkgs drops a series
 * before the release in which it reaches its end of life, 4.19 before 24.11 and 5.4 before
 * 25.11 (pkgs/top-level/linux-kernels.nix keeps a throw for each). */
static const struct { unsigned major, minor; } oldest_kernel[NIXOS_COUNT] = {
	[NIXOS_24_05] = { 4, 19 },
	[NIXOS_24_11] = { 5, 4 },
	[NIXOS_25_05] = { 5, 4 },
	[NIXOS_25_11] = { 5, 10 },
	[NIXOS_26_05] = { 5, 10 },
	[NIXOS_26_11] = { 5, 10 },
	[NIXOS_UNSTABLE] = { 5, 10 },
};

void release_oldest_kernel(enum nixos_release r, unsigned *major, unsigned *minor)
{
	if ((unsigned)r >= NIXOS_COUNT)
		r = NIXOS_UNSTABLE;
	*major = oldest_kernel[r].major;
	*minor = oldest_kernel[r].minor;
}

const char *release_default_kernel(enum nixos_release r)
{
	return (unsigned)r < NIXOS_COUNT ? default_kernel[r] : default_kernel[NIXOS_UNSTABLE];
}

bool release_has_ovmf(enum nixos_release r)
{
	return r <= NIXOS_25_05;
}

bool release_ships_ovmf_file(enum nixos_release r, const char *name)
{
	return !strncmp(name, release_has_ovmf(r) ? "OVMF_" : "edk2-", 5);
}

/* From 25.11 boot.initrd.kernelModules is types.attrNamesToTrue (nixpkgs issue 420419). */
bool release_sorts_modules(enum nixos_release r)
{
	return r >= NIXOS_25_11;
}

/* "26.11" -> 26 and 11: two digits, a dot, two digits, as NixOS names its releases. */
static bool release_parse(const char *s, unsigned *year, unsigned *month)
{
	for (int i = 0; i < 5; i++)
		if (i == 2 ? s[i] != '.' : (s[i] < '0' || s[i] > '9'))
			return false;
	if (s[5])
		return false;
	*year = (unsigned)((s[0] - '0') * 10 + (s[1] - '0'));
	*month = (unsigned)((s[3] - '0') * 10 + (s[4] - '0'));
	return true;
}

static unsigned release_rank(unsigned year, unsigned month)
{
	return year * 100 + month;
}

bool release_is_newer(const char *s)
{
	unsigned y, m, ny, nm;
	if (!s || !release_parse(s, &y, &m) || (m != 5 && m != 11))
		return false;
	release_parse(nixos_release_name(NIXOS_NEWEST), &ny, &nm);
	return release_rank(y, m) > release_rank(ny, nm);
}

bool release_older_than(const char *candidate, const char *value)
{
	unsigned cy, cm, vy, vm;
	if (!candidate || !value || !release_parse(candidate, &cy, &cm) ||
	    !release_parse(value, &vy, &vm))
		return false;
	return release_rank(cy, cm) < release_rank(vy, vm);
}

static bool read_uint(const char **s, unsigned long *out)
{
	char *end;
	if (**s < '0' || **s > '9')
		return false;
	*out = strtoul(*s, &end, 10);
	*s = end;
	return true;
}

bool kernel_before(const char *series, unsigned major, unsigned minor)
{
	unsigned long ma, mi = 0;
	const char *p = series;
	if (!p || !read_uint(&p, &ma))
		return false;
	if (*p == '.') {
		p++;
		if (!read_uint(&p, &mi))
			mi = 0;
	}
	return ma < major || (ma == major && mi < minor);
}
