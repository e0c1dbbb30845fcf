/* release.c: NixOS release facts. The default kernel is nixpkgs' `linuxPackages` at each
 * release branch: 6.6 from 24.05 (nixpkgs#288260), 6.12 from 25.05, 6.18 on master since
 * February 2026 (nixpkgs#488642), so in 26.05 and unstable. */
#include "model/release.h"

#include <stdlib.h>

static const char *const default_kernel[NIXOS_COUNT] = {
	[NIXOS_24_05] = "6.6",
	[NIXOS_24_11] = "6.6",
	[NIXOS_25_05] = "6.12",
	[NIXOS_25_11] = "6.12",
	[NIXOS_26_05] = "6.18",
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
