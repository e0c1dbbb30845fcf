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

# golden CASE: after `vfioc ... > $TMP/out 2> $TMP/err; echo $? > $TMP/rc`, pass when nothing
# went to stdout and stderr and the exit status are exactly CASE.stderr and CASE.rc.
golden() {
	if [ -s "$TMP/out" ]; then
		fail "$1: printed on stdout"
	elif [ ! -f "$1.stderr" ]; then
		fail "$1: no $1.stderr (write it with the update script, then review it)"
	elif cmp -s "$1.stderr" "$TMP/err" && cmp -s "$1.rc" "$TMP/rc"; then
		pass "$1"
	else
		fail "$1"
		diff -u "$1.stderr" "$TMP/err" | head -30 >&2
		diff -u "$1.rc" "$TMP/rc" >&2
	fi
}

# report_lines FILE [PREFIX]: an external checker's "ok NAME" / "FAIL NAME" lines as results.
report_lines() {
	grep -q . "$1" || { fail "${2:-}checker printed nothing"; return; }
	while IFS= read -r line; do
		case $line in
		ok\ *) pass "${2:-}${line#ok }" ;;
		*) fail "${2:-}${line#FAIL }" ;;
		esac
	done < "$1"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vfioc-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
