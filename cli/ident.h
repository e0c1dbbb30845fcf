/* ident.h: what each passed device was at the last build, recorded in the output folder's
 * manifest, so that a rebuild after a card moved does not silently pass whatever sits at
 * its address now. Used by cmd_build.c. */
#ifndef VFIOC_IDENT_H
#define VFIOC_IDENT_H

#include "base/diag.h"
#include "base/util.h"
#include "compiler/plan.h"

/* Largest manifest read for its records: one for 10^5 VMs is about 3 MB. */
#define IDENT_MAX_MIB 16
#define IDENT_MAX_MANIFEST ((size_t)IDENT_MAX_MIB << 20)

/* Append to the manifest m one record per device p passes, in address order, each once:
 *   device 0000:01:00.0 1002:67b0 030000 1458:22fc
 * (address, vendor:device, 24-bit class, subsystem or "-" when unknown), after a comment
 * saying what they are for. Nothing when p passes no device. */
void ident_manifest_add(struct buf *m, const struct plan *p);

/* What the build needs to word the hint: how to rebuild accepting the change. */
struct ident_ctx {
	const char *config;    /* CONFIG as given */
	const char *outdir;    /* the output folder as given (messages) */
};

/* Compare the devices p passes with the records of the manifest in the folder dirfd (-1:
 * none yet). A device at a recorded address whose vendor:device or class differs is an
 * error [hardware-changed], one with only another subsystem a warning [board-changed]; a
 * manifest that is not a regular file, is larger than IDENT_MAX_MANIFEST, holds a NUL byte
 * or a malformed or repeated device record is an error [manifest-invalid]. No manifest, or
 * one without records (a first build, an older vfioc), compares nothing. Every byte of the
 * manifest is untrusted: it is read through dirfd without following a symlink, and never
 * quoted back. */
void ident_check(int dirfd, const struct plan *p, const struct ident_ctx *cx,
		 struct diags *ds);

#endif
