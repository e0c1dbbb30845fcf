/* fuzz_compile.c: libFuzzer target: config text -> diagnostics printed (text and JSON).
 * Everything the input allocates is freed before returning, so LeakSanitizer sees leaks.
 * Built with FUZZ_NO_ENTRY, it only defines fuzz_compile() for the replay driver. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "pipeline.h"

/* Print the diagnostics into memory in every format: quoting lines and carets is code too. */
static void fuzz_print_diags(const struct diags *ds)
{
	static const enum diag_format fmts[] = { DFMT_TEXT, DFMT_JSON, DFMT_GITHUB };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *p = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&p, &n);
		if (!f)
			abort();
		diags_print(ds, f, fmts[i]);
		fclose(f);
		free(p);
	}
	(void)diags_exit_code(ds, false);
}

static int fuzz_compile(const uint8_t *data, size_t size)
{
	struct diags *ds = diags_new();
	struct config *cfg = config_load_mem("fuzz.yaml", (const char *)data, size, ds);
	fuzz_print_diags(ds);
	config_free(cfg);
	diags_free(ds);
	return 0;
}

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_compile(data, size);
}
#endif
