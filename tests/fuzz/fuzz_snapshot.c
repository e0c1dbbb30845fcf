/* fuzz_snapshot.c: libFuzzer target: snapshot text -> struct hw -> snapshot text again, and
 * a fixed config checked against that hardware through every backend. A snapshot that loads
 * without errors must write back, and what it writes must load and write back to the same
 * bytes (a fixpoint), and `vfioc groups --format json` of any loaded hardware holds no raw
 * control character: anything else aborts. Built with FUZZ_NO_ENTRY, it only defines
 * fuzz_snapshot() for the replay driver. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "base/diag.h"
#include "compiler/pipeline.h"
#include "hw/hw.h"
#include "schema/snapshot/snapshot.h"
#include "tools/groups/groups.h"

/* The seed config (examples/seed/host.yaml) with a second VM: by address, by ID, guarded. */
static const char snap_config[] =
	"version: 1\n"
	"host: {iommu: auto, display-drivers: [i915], hugepages: {size: 2M, count: 64},\n"
	"       isolate-cpus: \"2-5\"}\n"
	"vms:\n"
	"  win10:\n"
	"    memory: 16GiB\n"
	"    vcpus: 4\n"
	"    cpu: {pin: \"2-5\", emulator-pin: \"0-1\"}\n"
	"    secure-boot: true\n"
	"    tpm: true\n"
	"    pci: [01:00.0, 01:00.1, 144d:a80a]\n"
	"    usb: [\"046d:c52b\"]\n"
	"  linux:\n"
	"    memory: 64MiB\n"
	"    vcpus: 1\n"
	"    hugepages: true\n"
	"    pci: [{address: \"02:00.0\", id: \"144d:a80a\", bind: managed}]\n";

/* The fixed config against hw, through every backend; only crashes and leaks matter. */
static void snapshot_check(const struct hw *hw)
{
	struct diags *ds = diags_new();
	struct config *cfg = config_load_mem("fuzz-config.yaml", snap_config,
					     sizeof(snap_config) - 1, ds);
	struct plan *p = cfg ? check_and_plan(cfg, hw, NULL, ds) : NULL;
	if (p && plan_check(p, stderr))
		abort();
	for (size_t i = 0; p && backends[i]; i++) {
		struct out_set out = { 0 };
		char *err = NULL;
		(void)backends[i]->emit(p, &out, &err);
		free(err);
		out_set_free(&out);
	}
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f)
		abort();
	diags_print(ds, f, DFMT_TEXT);
	fclose(f);
	free(text);
	plan_free(p);
	config_free(cfg);
	diags_free(ds);
}

/* vfioc groups --format json of hw: no raw control character may reach it (JSON forbids
 * them in strings), whatever the snapshot's strings hold. */
static void groups_json_check(const struct hw *hw)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	if (!f)
		abort();
	struct diags *none = diags_new();
	groups_write_json(hw, NULL, none, f);
	diags_free(none);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f) {
			fprintf(stderr, "fuzz_snapshot: raw byte 0x%02x in groups JSON:\n%s\n",
				(unsigned char)p[i], p);
			abort();
		}
	free(p);
}

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
	if (hw && hw_check(hw, stderr))
		abort();  /* a model the lookups and checks would trust while it breaks theirs */
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	if (!f)
		abort();
	diags_print(ds, f, DFMT_TEXT);
	fclose(f);
	free(p);
	if (hw && diags_has_errors(ds)) {
		snapshot_check(hw);   /* what a caller ignoring the errors would do */
		groups_json_check(hw);
		hw_free(hw);
	} else if (hw) {
		size_t len;
		char *text = snapshot_text(hw, &len);
		snapshot_check(hw);
		groups_json_check(hw);
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
