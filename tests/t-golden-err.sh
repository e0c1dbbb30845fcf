# t-golden-err: every config in golden/err/ must fail `vfioc check` with exactly the
# diagnostics in its .stderr and the exit status in its .rc, printing nothing on stdout.
. ./lib.sh
for cfg in golden/err/*.yaml; do
	case=${cfg%.yaml}
	vfioc check "$cfg" > "$TMP/out" 2> "$TMP/err"
	echo $? > "$TMP/rc"
	golden "$case"
done
