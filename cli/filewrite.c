/* filewrite.c: one file written whole or not at all (filewrite.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/filewrite.h"
#include "cli/folder.h"
#include "schema/snapshot/snapshot.h"

int file_folder(const char *path, struct diags *ds)
{
	const char *slash = strrchr(path, '/');
	char *dir = !slash ? xstrdup(".") : slash == path ? xstrdup("/")
		  : xstrndup(path, (size_t)(slash - path));
	int fd = folder_open(dir, false);
	if (fd < 0)
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write %s: cannot open its folder %s: %s", path,
			  dir, strerror(errno));
	free(dir);
	return fd;
}

const char *file_base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool file_replaceable(int dirfd, const char *path, const char *hint, struct diags *ds)
{
	struct stat st;
	if (fstatat(dirfd, file_base(path), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISREG(st.st_mode) ||
	    S_ISLNK(st.st_mode))
		return true;
	struct diag *d = diag_emit(ds, D_IO_ERROR, NULL, "cannot write %s: it is %s, not a file",
				   path, S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO"
				   : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
	diag_hint(d, "%s", hint);
	return false;
}

char *file_stage(int dirfd, const char *path, const struct buf *data, struct diags *ds)
{
	char *prefix = xasprintf("%s.tmp.", file_base(path)), *tmp = NULL;
	int fd = folder_temp(dirfd, prefix, &tmp);
	free(prefix);
	bool ok = fd >= 0;
	if (ok) {
		mode_t mask = umask(0);
		umask(mask);
		ok = fchmod(fd, 0666 & ~mask) == 0 &&
		     folder_write_all(fd, buf_str(data), data->len) == 0 && fsync(fd) == 0;
	}
	int err = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (!ok) {
		if (fd >= 0)
			unlinkat(dirfd, tmp, 0);
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write %s: %s", path, strerror(err));
		free(tmp);
		return NULL;
	}
	return tmp;
}

bool file_snapshot_text(const struct hw *hw, struct buf *out, struct diags *ds)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok = f && hw_write_snapshot(hw, f) == 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (ok)
		buf_add(out, text, len);
	else
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write the snapshot: %s", strerror(errno));
	free(text);
	return ok;
}
