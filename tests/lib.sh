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
		# Debian 12's valgrind (3.19) has no openat2 (syscall 437): it answers ENOSYS, which
		# vfioc takes as an old kernel, but prints a warning into the output under test.
		# The openat2 path is the plain and ASan runs' to cover; here, the fallback.
		VFIOC_TEST_NO_OPENAT2=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
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

# rc_is NAME WANT CMD...: pass when CMD exits with status WANT (output in $TMP/rc.out/.err).
rc_is() {
	name=$1 want=$2; shift 2
	"$@" > "$TMP/rc.out" 2> "$TMP/rc.err"
	got=$?
	if [ "$got" = "$want" ]; then pass "$name"; else
		fail "$name (exit $got, want $want)"; head -5 "$TMP/rc.err" | sed 's/^/    /' >&2
	fi
}

# has NAME PATTERN FILE: pass when FILE has a line matching the grep -E PATTERN.
has() {
	if grep -Eq -- "$2" "$3"; then pass "$1"; else
		fail "$1 (no /$2/ in $(basename "$3"))"; head -10 "$3" | sed 's/^/    /' >&2
	fi
}

# lacks NAME PATTERN FILE: pass when no line of FILE matches.
lacks() {
	if grep -Eq -- "$2" "$3"; then
		fail "$1 (/$2/ in $(basename "$3"))"; grep -E -- "$2" "$3" | head -5 >&2
	else pass "$1"; fi
}

# golden CASE WANT GOT: after `vfioc ... > $TMP/out 2> $TMP/err` exited GOT, pass when GOT is
# WANT, stderr is exactly CASE.stderr and stdout exactly CASE.stdout (nothing when there is
# no CASE.stdout). tests/golden/README.md describes a case.
golden() {
	want_out=$1.stdout
	[ -f "$want_out" ] || want_out=/dev/null
	if [ ! -f "$1.stderr" ]; then
		fail "$1: no $1.stderr (write it with make golden-update, then review it)"; return
	fi
	why=
	[ "$3" = "$2" ] || why="exit $3, want $2; "
	cmp -s "$1.stderr" "$TMP/err" || why="${why}stderr differs; "
	cmp -s "$want_out" "$TMP/out" || why="${why}stdout differs; "
	if [ -z "$why" ]; then pass "$1"; else
		fail "$1 (${why%; })"
		diff -u "$1.stderr" "$TMP/err" | head -30 >&2
		diff -u "$want_out" "$TMP/out" | head -30 >&2
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
