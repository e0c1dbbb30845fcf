/* target.c: which distribution family `vfioc init` writes the target for, from os-release's
 * ID and ID_LIKE, and which initramfs generator and boot loader the system has installed,
 * from the files their packages install. */
#include <string.h>
#include <sys/stat.h>

#include "tools/init/init.h"

/* Whether word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

/* os-release(5): ID is the distribution, ID_LIKE those it derives from, closest first
 * (Ubuntu "debian", Pop!_OS "ubuntu debian", Manjaro "arch", Nobara and RHEL "fedora"). */
enum family init_family(const char *id, const char *id_like)
{
	static const struct { const char *word; enum family f; } words[] = {
		{ "nixos", FAMILY_NIXOS }, { "arch", FAMILY_ARCH }, { "debian", FAMILY_DEBIAN },
		{ "ubuntu", FAMILY_DEBIAN }, { "fedora", FAMILY_FEDORA }, { "rhel", FAMILY_FEDORA },
	};
	for (size_t i = 0; id && i < ARRAY_LEN(words); i++)
		if (!strcmp(id, words[i].word))
			return words[i].f;
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (has_word(id_like, words[i].word))
			return words[i].f;
	return FAMILY_NIXOS;
}

/* The first of paths (NULL-terminated, relative to root) that exists, or NULL. */
static const char *found(const char *root, const char *const *paths, struct arena *a)
{
	for (size_t i = 0; paths[i]; i++) {
		struct stat st;
		if (stat(arena_printf(a, "%s/%s", root, paths[i]), &st) == 0)
			return paths[i];
	}
	return NULL;
}

/* Each generator by the program its package installs. */
static const char *const mkinitcpio_bin[] = { "usr/bin/mkinitcpio", NULL };
static const char *const dracut_bin[] = { "usr/bin/dracut", "usr/sbin/dracut", NULL };
static const char *const tools_bin[] = { "usr/sbin/mkinitramfs", "sbin/mkinitramfs", NULL };
static const char *const booster_bin[] = { "usr/bin/booster", NULL };

static const char *const *const generator_bins[INITRAMFS_COUNT] = {
	[INITRAMFS_MKINITCPIO] = mkinitcpio_bin, [INITRAMFS_DRACUT] = dracut_bin,
	[INITRAMFS_TOOLS] = tools_bin, [INITRAMFS_BOOSTER] = booster_bin,
};

static enum initramfs family_default(enum family f)
{
	return f == FAMILY_DEBIAN ? INITRAMFS_TOOLS : f == FAMILY_FEDORA ? INITRAMFS_DRACUT
								: INITRAMFS_MKINITCPIO;
}

/* The family's own generator when it is installed, else the first installed one. */
static void detect_initramfs(const char *root, struct init_env *env, struct arena *a)
{
	enum initramfs def = family_default(env->family);
	env->initramfs = def;
	const char *bin = found(root, generator_bins[def], a);
	for (int i = 0; !bin && i < INITRAMFS_COUNT; i++)
		if ((bin = found(root, generator_bins[i], a)))
			env->initramfs = (enum initramfs)i;
	env->initramfs_why = bin ? arena_printf(a, "/%s is installed", bin)
				 : "none found: the family's own";
}

/* kernelstub (Pop!_OS) manages systemd-boot's entry itself, so it wins over loader.conf;
 * systemd-boot by its loader.conf on the ESP (/boot, /efi or /boot/efi); GRUB by its
 * defaults file or menu. */
static void detect_bootloader(const char *root, struct init_env *env, struct arena *a)
{
	static const char *const kernelstub[] = { "usr/bin/kernelstub", NULL };
	static const char *const sdboot[] = { "boot/loader/loader.conf", "efi/loader/loader.conf",
					      "boot/efi/loader/loader.conf", NULL };
	static const char *const grub[] = { "etc/default/grub", "boot/grub/grub.cfg",
					    "boot/grub2/grub.cfg", NULL };
	const char *f;
	if (env->family == FAMILY_DEBIAN && (f = found(root, kernelstub, a))) {
		env->bootloader = BOOTLOADER_KERNELSTUB;
	} else if ((f = found(root, sdboot, a))) {
		env->bootloader = BOOTLOADER_SYSTEMD_BOOT;
	} else {
		env->bootloader = BOOTLOADER_GRUB;
		f = found(root, grub, a);
	}
	env->bootloader_why = f ? arena_printf(a, "/%s is there", f) : "none found: GRUB assumed";
}

void init_detect_parts(const char *root, struct init_env *env, struct arena *a)
{
	detect_initramfs(root, env, a);
	detect_bootloader(root, env, a);
}
