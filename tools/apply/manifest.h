/* manifest.h: the record `vfioc apply` keeps in ROOT/var/lib/vfioc/apply/manifest: the files
 * it owns (with the SHA-256 of what it wrote and the backup of what was there before), the
 * folders it made, and the commands --undo runs: the undo lines, then the regenerate ones. */
#ifndef VFIOC_APPLY_MANIFEST_H
#define VFIOC_APPLY_MANIFEST_H

#include <stdbool.h>

#include "base/util.h"
#include "tools/apply/tree.h"

#define MANIFEST_NAME "manifest"
#define SHA_HEX 65

struct owned {
	char *path;
	char sha[SHA_HEX];  /* of the bytes apply wrote */
	char *backup;       /* its name in backup/ of what was there first; NULL: nothing was */
};

struct manifest {
	struct owned *f;
	size_t n, cap;
	struct strv dirs;      /* folders apply made, in the order it made them */
	struct strv undo, regenerate;
};

/* Parse text; false with the line number in *bad_line when it is not a manifest. */
bool manifest_parse(const char *text, struct manifest *m, size_t *bad_line);
void manifest_format(const struct manifest *m, struct buf *out);
struct owned *manifest_find(struct manifest *m, const char *path);
void manifest_add(struct manifest *m, const char *path, const char *sha, const char *backup);
void manifest_free(struct manifest *m);

/* The lower-case hex SHA-256 of data. */
void sha_hex(const struct buf *data, char out[SHA_HEX]);

#endif
