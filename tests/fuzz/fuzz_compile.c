/* fuzz_compile.c: libFuzzer target: config text -> checks against a fixed host -> every
 * backend into memory, with the diagnostics printed in every format. The host is the seed
 * snapshot tests/fuzz/hw.yaml (VFIOC_FUZZ_HW names another), loaded once. Everything an
 * input allocates is freed before returning, so LeakSanitizer sees leaks.
 * Built with FUZZ_NO_ENTRY, it only defines fuzz_compile() for the replay driver. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "backends/backend.h"
#include "base/diag.h"
#include "compiler/pipeline.h"
#include "schema/snapshot/snapshot.h"

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

/* The fixed host, loaded on first use; it lives as long as the process. */
static const struct hw *fuzz_hw(void)
{
	static struct hw *hw;
	static const char *const paths[] = { "tests/fuzz/hw.yaml", "fuzz/hw.yaml" };
	if (hw)
		return hw;
	const char *env = getenv("VFIOC_FUZZ_HW");
	for (size_t i = 0; !hw && i < 3; i++) {
		const char *path = i == 0 ? env : paths[i - 1];
		if (!path)
			continue;
		struct diags *ds = diags_new();
		hw = hw_load_snapshot(path, ds);
		diags_free(ds);
		if (hw && hw_check(hw, stderr))
			abort();
	}
	if (!hw) {
		fprintf(stderr, "fuzz_compile: no hardware: set VFIOC_FUZZ_HW=tests/fuzz/hw.yaml\n");
		abort();
	}
	return hw;
}

/* Every backend, each on its own (one failing must not hide the others). */
static void fuzz_backends(const struct plan *p)
{
	for (size_t i = 0; backends[i]; i++) {
		struct out_set out = { 0 };
		char *err = NULL;
		(void)backends[i]->emit(p, &out, &err);
		free(err);
		out_set_free(&out);
	}
}

static int fuzz_compile(const uint8_t *data, size_t size)
{
	const struct hw *hw = fuzz_hw();
	struct diags *ds = diags_new();
	struct config *cfg = config_load_mem("fuzz.yaml", (const char *)data, size, ds);
	if (cfg) {
		struct plan *p = check_and_plan(cfg, hw, NULL, ds);
		if (p && plan_check(p, stderr))
			abort();  /* a plan the backends would trust while it breaks their invariants */
		if (p)
			fuzz_backends(p);
		plan_free(p);
	}
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
