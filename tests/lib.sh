# lib.sh: helpers for the test scripts (sourced). Every test ends in exactly one pass or fail.
# $VFIOC is the binary; vfioc() runs it (under valgrind when MODE=valgrind).

pass() { echo "ok $*" >> "$RESULTS_FILE"; }
fail() {
	echo "FAIL $*" >> "$RESULTS_FILE"
	echo "FAIL $*" >&2
}

# vfioc ARGS: run the binary under test.
vfioc() {
	if [ "$MODE" = valgrind ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$VFIOC" "$@"
	else
		"$VFIOC" "$@"
	fi
}

# expect NAME CMD...: pass when CMD succeeds.
expect() {
	name=$1; shift
	if "$@" > "$TMP/expect.out" 2>&1; then pass "$name"; else
		fail "$name"; sed 's/^/    /' "$TMP/expect.out" | head -20 >&2
	fi
}

# same NAME EXPECTED_FILE ACTUAL_FILE: pass when equal, else show the diff.
same() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1"; diff -u "$2" "$3" | head -40 >&2
	fi
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vfioc-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
