/* fuzz_snapshot.c: libFuzzer target: snapshot text -> struct hw -> snapshot text again.
 * A snapshot that loads must write back, and what it writes must load and write back to the
 * same bytes (a fixpoint): anything else aborts. Built with FUZZ_NO_ENTRY, it only defines
 * fuzz_snapshot() for the replay driver. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hw.h"

/* hw written as snapshot text into a malloc'd buffer; aborts when the writer fails. */
static char *snapshot_text(const struct hw *hw, size_t *len)
{
	char *p = NULL;
	FILE *f = open_memstream(&p, len);
	if (!f || hw_write_snapshot(hw, f) != 0) {
		fprintf(stderr, "fuzz_snapshot: hw_write_snapshot failed on a loaded snapshot\n");
		abort();
	}
	fclose(f);
	return p;
}

/* Load what was written: it must load cleanly and write the same bytes again. */
static void snapshot_fixpoint(const char *text, size_t len)
{
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("rewritten.yaml", text, len, ds);
	if (!hw || diags_has_errors(ds)) {
		diags_print(ds, stderr, DFMT_TEXT);
		fprintf(stderr, "fuzz_snapshot: a written snapshot does not load:\n%.*s\n",
			(int)len, text);
		abort();
	}
	size_t len2;
	char *again = snapshot_text(hw, &len2);
	if (len2 != len || memcmp(again, text, len) != 0) {
		fprintf(stderr, "fuzz_snapshot: not a fixpoint:\n--- first\n%.*s--- second\n%s",
			(int)len, text, again);
		abort();
	}
	free(again);
	hw_free(hw);
	diags_free(ds);
}

static int fuzz_snapshot(const uint8_t *data, size_t size)
{
	struct diags *ds = diags_new();
	struct hw *hw = hw_load_snapshot_mem("fuzz.yaml", (const char *)data, size, ds);
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	if (!f)
		abort();
	diags_print(ds, f, DFMT_TEXT);
	fclose(f);
	free(p);
	if (hw) {
		size_t len;
		char *text = snapshot_text(hw, &len);
		hw_free(hw);
		snapshot_fixpoint(text, len);
		free(text);
	}
	diags_free(ds);
	return 0;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_snapshot(data, size);
}
#endif
