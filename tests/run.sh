#!/bin/sh
# run.sh: runs the test scripts tests/t-*.sh (or those named) against $VFIOC.
# Each script reports one line per test through tests/lib.sh; this prints the summary.
# MODE=valgrind runs vfioc under valgrind memcheck; RESULTS=DIR collects counts for make check.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VFIOC:?set VFIOC to the vfioc binary}"
: "${MODE:=plain}"
export VFIOC MODE TESTS_DIR="$here"
export RESULTS_FILE="${RESULTS:-${TMPDIR:-/tmp}}/results.$MODE.$$"
: > "$RESULTS_FILE"
# Test roots are built once per run and shared by the scripts (tests/hwroots.sh).
HW_ROOT_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/vfioc-roots.XXXXXX")
export HW_ROOT_CACHE
# A signal ends the run (a trap alone would only clean up and go on to the next script).
trap 'rm -rf "$HW_ROOT_CACHE"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ $# -eq 0 ]; then
	set -- $(cd "$here" && ls t-*.sh | sed 's/\.sh$//')
fi
for t in "$@"; do
	t=${t%.sh}
	start=$(date +%s)
	(cd "$here" && sh "./$t.sh") || echo "FAIL $t: script exited $?" | tee -a "$RESULTS_FILE"
	echo "== $t ($MODE): $(($(date +%s) - start))s"
done
pass=$(grep -c '^ok ' "$RESULTS_FILE")
fail=$(grep -c '^FAIL ' "$RESULTS_FILE")
[ -n "${RESULTS:-}" ] || rm -f "$RESULTS_FILE"
echo "$MODE: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
