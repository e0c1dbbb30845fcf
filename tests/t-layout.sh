# t-layout: the library (compiler/, schema/, backends/) stands without the tool (cli/), as
# pkgconf's libpkgconf does without its cli: no library file includes a cli/ header or
# climbs out of its folder with "../", and the library archive links into a program that
# calls none of cli/'s functions.
. ./lib.sh
cd .. || exit 1

cli_headers=$(cd cli && ls *.h)
bad=0
for f in compiler/*.[ch] schema/*.[ch] backends/*.[ch]; do
	for h in $cli_headers; do
		if grep -Eq "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]([^\">]*/)?$h[\">]" "$f"; then
			fail "layout: $f includes cli/$h"; bad=1
		fi
	done
	if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' "$f"; then
		fail "layout: $f includes with a ../ path"; bad=1
	fi
done
[ $bad -eq 0 ] && pass "layout: no library file includes from cli/ or with a ../ path"

# The archive on its own: no symbol it needs is defined only in cli/.
lib=${UNIT_DIR:+$UNIT_DIR/../libvfioc.a}
if [ -n "$lib" ] && [ -f "$lib" ] && [ -f "${UNIT_DIR}/../libvfioc-cli.a" ]; then
	nm -g --defined-only "${UNIT_DIR}/../libvfioc-cli.a" 2>/dev/null | awk 'NF == 3 { print $3 }' |
		sort -u > "$TMP/cli.syms"
	nm -g --undefined-only "$lib" 2>/dev/null | awk '{ print $NF }' | sort -u > "$TMP/lib.undef"
	comm -12 "$TMP/cli.syms" "$TMP/lib.undef" > "$TMP/both"
	if [ -s "$TMP/cli.syms" ] && [ ! -s "$TMP/both" ]; then
		pass "layout: libvfioc.a calls nothing of cli/ ($(wc -l < "$TMP/cli.syms") cli symbols)"
	else
		fail "layout: libvfioc.a calls into cli/: $(tr '\n' ' ' < "$TMP/both")"
	fi
fi
