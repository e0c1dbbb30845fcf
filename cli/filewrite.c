/* filewrite.c: one file written whole or not at all (filewrite.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/filewrite.h"
#include "schema/snapshot/snapshot.h"

char *file_stage(const char *path, const struct buf *data, struct diags *ds)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	bool ok = fd >= 0;
	if (ok) {
		mode_t mask = umask(0);
		umask(mask);
		const char *p = buf_str(data);
		size_t left = data->len;
		ok = fchmod(fd, 0666 & ~mask) == 0;
		while (ok && left) {
			ssize_t n = write(fd, p, left);
			ok = n > 0;
			p += ok ? n : 0;
			left -= ok ? (size_t)n : 0;
		}
		ok = ok && fsync(fd) == 0;
	}
	int err = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (!ok) {
		if (fd >= 0)
			unlink(tmp);
		diag_emit(ds, D_IO_ERROR, NULL, "cannot write %s: %s", path, strerror(err));
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* Give tmp its final name: replacing what is there with --force, else only a new name
 * (link(2) fails when path appeared in the meantime). */
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
