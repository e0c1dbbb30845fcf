# t-install: `make install DESTDIR=... PREFIX=...` puts the binary, the JSON Schema, the
# manual pages and the completions where Debian, Nix and the shells look for them (the
# listed tree, with modes, is the spec), the installed copies work from there, and
# `make uninstall` with the same variables removes every file it installed.
. ./lib.sh
[ "$MODE" = valgrind ] && exit 0   # make, not vfioc

dest=$TMP/dest
if make -s -C .. install DESTDIR="$dest" PREFIX=/usr > "$TMP/make" 2>&1; then
	pass "make install DESTDIR PREFIX=/usr"
else
	fail "make install DESTDIR PREFIX=/usr"; cat "$TMP/make" >&2
fi
(cd "$dest" && find . -type f -printf '%m %P\n' | sort) > "$TMP/tree"
cat > "$TMP/want" <<'TREE'
644 usr/share/bash-completion/completions/vfioc
644 usr/share/fish/vendor_completions.d/vfioc.fish
644 usr/share/man/man1/vfioc.1
644 usr/share/man/man5/vfioc.yaml.5
644 usr/share/vfioc/vfioc.schema.json
644 usr/share/zsh/site-functions/_vfioc
755 usr/bin/vfioc
TREE
sort -o "$TMP/want" "$TMP/want"
same "make install: the installed tree" "$TMP/want" "$TMP/tree"

u=$dest/usr
for f in schema/vfioc.schema.json:share/vfioc/vfioc.schema.json man/vfioc.1:share/man/man1/vfioc.1 \
	man/vfioc.yaml.5:share/man/man5/vfioc.yaml.5 completions/vfioc.bash:share/bash-completion/completions/vfioc \
	completions/_vfioc:share/zsh/site-functions/_vfioc completions/vfioc.fish:share/fish/vendor_completions.d/vfioc.fish; do
	expect "installed ${f#*:} is ${f%%:*}" cmp "../${f%%:*}" "$u/${f#*:}"
done
expect "installed vfioc runs" "$u/bin/vfioc" --version
"$u/bin/vfioc" schema > "$TMP/schema.json"
expect "installed JSON Schema is what the installed vfioc prints" cmp "$TMP/schema.json" "$u/share/vfioc/vfioc.schema.json"
# man finds the pages in the tree, the way MANPATH would on a system (mandoc's man is
# mman on Debian, man elsewhere; man-db's man takes the same options).
man=$(command -v mman || command -v man)
if [ -n "$man" ]; then
	for p in 1:vfioc 5:vfioc.yaml; do
		expect "man -M finds ${p#*:}(${p%%:*}) in the installed tree" sh -c \
			"'$man' -M '$u/share/man' -w -s ${p%%:*} ${p#*:} 2> /dev/null | grep -q 'man${p%%:*}/${p#*:}.${p%%:*}\$'"
	done
else fail "no man (mandoc) installed (tests/install-deps.sh)"; fi
# bash-completion loads share/bash-completion/completions/NAME for NAME on first use.
expect "installed bash completion completes commands" sh -c \
	"bash -c '. \"\$0\"; COMP_WORDS=(vfioc gr); COMP_CWORD=1; _vfioc; echo \"\${COMPREPLY[*]}\"' '$u/share/bash-completion/completions/vfioc' | grep -qx groups"

make -s -C .. install DESTDIR="$TMP/opt" PREFIX=/opt/vfioc MANDIR=/opt/man > "$TMP/make" 2>&1
expect "make install PREFIX=/opt/vfioc MANDIR=/opt/man" test -f "$TMP/opt/opt/vfioc/bin/vfioc" \
	-a -f "$TMP/opt/opt/man/man5/vfioc.yaml.5" -a -f "$TMP/opt/opt/vfioc/share/zsh/site-functions/_vfioc"

make -s -C .. uninstall DESTDIR="$dest" PREFIX=/usr > "$TMP/make" 2>&1
(cd "$dest" && find . -type f) > "$TMP/left"
if [ -s "$TMP/left" ]; then fail "make uninstall removes every file"; cat "$TMP/left" >&2
else pass "make uninstall removes every file"; fi
