/* test_fuzz_replay.c: the fuzz targets without libFuzzer, replaying files given as arguments
 * (tests/t-fuzz-replay.sh passes tests/fuzz/corpus); prints "ok TARGET/FILE" per input. */
#include <stddef.h>
#include <stdint.h>

#define FUZZ_NO_ENTRY
#include "../fuzz/fuzz_compile.c"
#include "../fuzz/fuzz_snapshot.c"

struct replay_target {
	const char *name;                              /* corpus subdirectory */
	int (*one)(const uint8_t *data, size_t size);  /* the LLVMFuzzerTestOneInput body */
};

static const struct replay_target replay_targets[] = {
	{ "compile", fuzz_compile },
	{ "snapshot", fuzz_snapshot },
};
static const size_t replay_ntargets = sizeof(replay_targets) / sizeof(replay_targets[0]);

#include "../fuzz/replay.c"
