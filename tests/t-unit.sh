# t-unit: the C unit tests (tests/unit/test_*.c), built by make into $UNIT_DIR.
. ./lib.sh
[ -n "${UNIT_DIR:-}" ] || exit 0   # not with this runner (valgrind run of goldens only)
for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	"$t" > "$TMP/unit.out" 2>&1
	rc=$?
	n=$(basename "$t")
	sed -n "s/^ok /ok $n: /p; s/^FAIL /FAIL $n: /p" "$TMP/unit.out" >> "$RESULTS_FILE"
	grep '^FAIL' "$TMP/unit.out" >&2
	if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$TMP/unit.out"; then
		fail "$n: exited $rc"; tail -5 "$TMP/unit.out" >&2
	fi
done
