/* filewrite.h: one file written whole or not at all, for `probe -o` and `init` (a build's
 * output folder has its own writer, outwrite.h). */
#ifndef VFIOC_FILEWRITE_H
#define VFIOC_FILEWRITE_H

#include <stdbool.h>

#include "base/diag.h"
#include "base/util.h"
#include "hw/hw.h"

/* Write data to a new temporary file beside path (mode 0666 less the umask, synced to
 * disk); returns its name (malloc'd), or NULL after reporting why. The caller renames or
 * links it into place, or unlinks it. */
char *file_stage(const char *path, const struct buf *data, struct diags *ds);

/* The snapshot of hw, as `vfioc probe` writes it, appended to out; false after reporting. */
bool file_snapshot_text(const struct hw *hw, struct buf *out, struct diags *ds);

#endif
