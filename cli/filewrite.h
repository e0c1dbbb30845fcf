/* filewrite.h: one file written whole or not at all, for `probe -o` and `init` (a build's
 * output folder has its own writer, outwrite.h). */
#ifndef VFIOC_FILEWRITE_H
#define VFIOC_FILEWRITE_H

#include <stdbool.h>

#include "base/diag.h"
#include "base/util.h"
#include "hw/hw.h"

/* The folder of path, opened once (a descriptor; -1 after reporting why): the temporary,
 * the rename or link into place and any removal all name the file inside it, so renaming
 * the folder meanwhile sends nothing elsewhere. The folder is the one the user named, so
 * symlinks in path are followed, once, here. */
int file_folder(const char *path, struct diags *ds);

/* The last component of path: its name inside file_folder(path). */
const char *file_base(const char *path);

/* May the name of path inside dirfd be replaced by a rename? True when nothing is there, or a
 * regular file or a symlink (which the new file replaces, as any editor does); false after
 * reporting, for a device, FIFO, socket or folder: renaming over /dev/null as root would
 * put a regular file where the system's null device was. */
bool file_replaceable(int dirfd, const char *path, const char *hint, struct diags *ds);

/* Write data to a new temporary file beside path, inside dirfd = file_folder(path) (mode
 * 0666 less the umask, synced to disk); returns its name inside dirfd (malloc'd), or NULL
 * after reporting why. The caller renames or links it into place (renameat, linkat) or
 * unlinks it (unlinkat), through dirfd. */
char *file_stage(int dirfd, const char *path, const struct buf *data, struct diags *ds);

/* The snapshot of hw, as `vfioc probe` writes it, appended to out; false after reporting. */
bool file_snapshot_text(const struct hw *hw, struct buf *out, struct diags *ds);

#endif
