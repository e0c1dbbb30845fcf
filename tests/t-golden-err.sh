# t-golden-err: every config in golden/err/ must fail `vfioc check` with exactly the
# diagnostics in its .stderr and the exit status in its .rc, printing nothing on stdout.
. ./lib.sh
for cfg in golden/err/*.yaml; do
	case=${cfg%.yaml}
	vfioc check "$cfg" > "$TMP/out" 2> "$TMP/err"
	echo $? > "$TMP/rc"
	if [ -s "$TMP/out" ]; then
		fail "$case: printed on stdout"
		continue
	fi
	if [ ! -f "$case.stderr" ]; then
		fail "$case: no $case.stderr (run tests/golden-update.sh and review it)"
		continue
	fi
	if cmp -s "$case.stderr" "$TMP/err" && cmp -s "$case.rc" "$TMP/rc"; then
		pass "$case"
	else
		fail "$case"
		diff -u "$case.stderr" "$TMP/err" | head -30 >&2
		diff -u "$case.rc" "$TMP/rc" >&2
	fi
done
