/* hw/hostfile.c: what a path the config names (a disk image, an ISO, a firmware file) is on
 * the host the hardware was read from. On the live host the path is looked up as it is; in
 * a test root (--root) as if the root were "/", through the probe's reader (hw/root_open.c):
 * opened inside the root with openat2's RESOLVE_IN_ROOT where the kernel has it, so no
 * symlink leads out; elsewhere the probe's guard (hw/root_guard.c) has checked the root. */
#define _GNU_SOURCE  /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/sysfs_read.h"

static enum hw_file kind(const struct stat *st)
{
	return S_ISREG(st->st_mode) ? HW_FILE_REGULAR : S_ISBLK(st->st_mode) ? HW_FILE_BLOCK
										: HW_FILE_OTHER;
}

static enum hw_file from_errno(int err)
{
	return err == ENOENT || err == ENOTDIR ? HW_FILE_MISSING : HW_FILE_UNKNOWN;
}

static enum hw_file in_root(const char *root, const char *path)
{
	struct arena a = {0};
	struct hw_reader r;
	int rootfd = hw_root_open(root);
	hwr_init(&r, root, rootfd, &a, NULL);
	int fd = hwr_open(&r, hwr_path(&r, "%s", path + strspn(path, "/")), O_PATH);
	int err = errno;
	struct stat st;
	enum hw_file f = fd < 0 ? from_errno(err) : fstat(fd, &st) ? HW_FILE_UNKNOWN : kind(&st);
	if (fd >= 0)
		close(fd);
	hwr_fini(&r);
	if (rootfd >= 0)
		close(rootfd);
	arena_free(&a);
	return f;
}

enum hw_file hw_host_file(const struct hw *hw, const char *path)
{
	if (!hw->root || !path || path[0] != '/')
		return HW_FILE_UNKNOWN;
	if (!strcmp(hw->root, "/")) {
		struct stat st;
		return stat(path, &st) ? from_errno(errno) : kind(&st);
	}
	return in_root(hw->root, path);
}
