# t-golden: the golden cases of tests/golden/ (golden/README.md says what a case is). Each
# case runs `vfioc ARGS` and must exit as its `# exit:` header says, with exactly CASE.stderr
# on stderr and CASE.stdout (or nothing) on stdout. A near miss (CASE-ok) checks clean.
# GOLDEN='tests/golden/check tests/golden/err/tabs.yaml' picks folders or cases (default: all).
# UPDATE=1 (make golden-update) rewrites the expected files and exit headers from this vfioc
# and prints what changed: review it before committing, goldens are the spec.
. ./lib.sh
. ./hwroots.sh

# headers CASE: h_exit, h_root and h_args from the "# KEY: VALUE" lines among the comment
# lines that open CASE (after a byte order mark, which a case about one keeps first).
bom=$(printf '\357\273\277')
headers() {
	h_exit= h_root= h_args=
	while IFS= read -r line; do
		case ${line#"$bom"} in
		"# exit: "*) h_exit=${line#*: } ;;
		"# root: "*) h_root=${line#*: } ;;
		"# args: "*) h_args=${line#*: } ;;
		"#"*) ;;
		*) break ;;
		esac
	done < "$1"
}

# update CASE: after a run, make CASE's expected files and exit header what this vfioc gives,
# printing each change.
update() {
	before=$(cat "$1.yaml" "$1.stderr" "$1.stdout" 2> /dev/null | cksum)
	for f in err out; do
		want=$1.std$f
		[ $f = out ] && [ ! -s "$TMP/out" ] && continue  # no stdout, no CASE.stdout
		cmp -s "$want" "$TMP/$f" && continue
		if [ -f "$want" ]; then diff -u "$want" "$TMP/$f"; else echo "new $want"; fi
		cp "$TMP/$f" "$want"
	done
	if [ ! -s "$TMP/out" ] && [ -f "$1.stdout" ]; then
		echo "removed $1.stdout: nothing on stdout now"
		rm "$1.stdout"
	fi
	if [ "$h_exit" != "$rc" ]; then
		echo "$1.yaml: # exit: $rc (was $h_exit)"
		# The header line is replaced in place, so the line numbers of the stderr stay.
		sed -i '0,/^\(\xef\xbb\xbf\)\{0,1\}# exit:.*/s//\1# exit: '"$rc"'/' "$1.yaml"
	fi
	[ "$(cat "$1.yaml" "$1.stderr" "$1.stdout" 2> /dev/null | cksum)" = "$before" ] ||
		changed=$((changed + 1))
}

changed=0

for arg in ${GOLDEN:-golden/*/}; do
	arg=${arg#tests/}  # as named from the top of the tree
	if [ -d "$arg" ]; then ls "${arg%/}"/*.yaml; else echo "$arg"; fi
done > "$TMP/cases"
while read -r cfg; do
	case=${cfg%.yaml}
	headers "$cfg"
	if [ -z "$h_exit" ] && [ -n "${UPDATE:-}" ]; then
		sed -i '1i # exit: 0' "$cfg"  # a new case: the header first, its value set below
		h_exit=0
	fi
	[ -n "$h_exit" ] || { fail "$case: no '# exit: N' header line"; continue; }
	# ARGS are words (no quoting); without them, the case is the config to check.
	# shellcheck disable=SC2086
	set -- ${h_args:-check "$cfg"}
	if [ -n "$h_root" ]; then
		dir=$(hwroot "$h_root") || { fail "$case: cannot build root '$h_root'"; continue; }
		set -- "$@" --root "$dir"
	fi
	vfioc "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
	rc=$?
	if [ -n "${UPDATE:-}" ]; then
		update "$case"
		h_exit=$rc
	fi
	golden "$case" "$h_exit" "$rc"
	case $case in
	*-ok)
		if [ "$h_exit" = 0 ] && [ ! -s "$case.stderr" ]; then pass "$case: clean"
		else fail "$case: a near miss must check clean"; fi ;;
	esac
done < "$TMP/cases"
if [ -n "${UPDATE:-}" ]; then
	echo "golden-update: $changed of $(wc -l < "$TMP/cases") cases changed; review: git diff tests/golden"
fi
