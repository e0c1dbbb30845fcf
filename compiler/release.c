/* release.c: NixOS release facts. The default kernel is nixpkgs' `linuxPackages` at each
 * release branch: 6.6 from 24.05 (nixpkgs#288260), 6.12 from 25.05, 6.18 on master since
 * February 2026 (nixpkgs#488642), so in 26.05 and unstable. */
#include "release.h"

#include <stdlib.h>

static const char *const default_kernel[NIXOS_COUNT] = {
	[NIXOS_24_05] = "6.6",
	[NIXOS_24_11] = "6.6",
	[NIXOS_25_05] = "6.12",
	[NIXOS_25_11] = "6.12",
	[NIXOS_26_05] = "6.18",
	[NIXOS_UNSTABLE] = "6.18",
};

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
