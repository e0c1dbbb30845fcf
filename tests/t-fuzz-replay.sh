# t-fuzz-replay: replays the fuzz corpus (tests/fuzz/corpus/<target>/) through the fuzz
# targets built without libFuzzer (tests/unit/test_fuzz_replay.c): every input must run to
# the end without a crash or a sanitizer report (the asan run replays under ASan+UBSan).
. ./lib.sh
[ -n "${UNIT_DIR:-}" ] || exit 0   # not with this runner (valgrind run of goldens only)
bin="$UNIT_DIR/test_fuzz_replay"
if [ ! -x "$bin" ]; then fail "fuzz-replay: $bin not built"; exit 0; fi
n=$(find fuzz/corpus -type f | wc -l)
[ "$n" -gt 0 ] || { fail "fuzz-replay: empty corpus"; exit 0; }
"$bin" fuzz/corpus > "$TMP/replay.out" 2> "$TMP/replay.err"
rc=$?
sed -n 's/^ok /ok fuzz-replay: /p; s/^FAIL /FAIL fuzz-replay: /p' "$TMP/replay.out" >> "$RESULTS_FILE"
done=$(grep -c '^ok ' "$TMP/replay.out")
if [ $rc -ne 0 ] || [ "$done" -ne "$n" ]; then
	last=$(find fuzz/corpus -type f | LC_ALL=C sort | sed -n "$((done + 1))p")
	fail "fuzz-replay: exited $rc after $done of $n inputs (next: tests/$last)"
	tail -15 "$TMP/replay.err" >&2
fi
