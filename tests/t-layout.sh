# t-layout: the source folders are layers, and a layer includes only from itself and the
# layers below it (the order is the Makefile's LAYERS, then cli/ on top):
#   base < model < hw < schema < compiler < backends < tools < cli
# Every quoted include names its folder ("hw/hw.h"; the build has one -I.), so an include
# against the order is a line this script can read. The library stands without the tool,
# as pkgconf's libpkgconf does without its cli: the archive links into a program that calls
# none of cli/'s functions.
. ./lib.sh
cd .. || exit 1

layers=$(sed -n 's/^LAYERS *:= *//p' Makefile)
order="$layers cli"
rank() { # rank LAYER: its place in $order, or nothing for a folder that is not a layer
	i=0
	for l in $order; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}
[ "$(echo "$order" | wc -w)" -ge 8 ] && pass "layout: the Makefile names the layers ($order)" ||
	fail "layout: the Makefile's LAYERS is not the list of layers: '$layers'"

# against DIR: prints "FILE:LINE: what" for each include that breaks the layering in DIR.
against() {
	for layer in $order; do
		[ -d "$1/$layer" ] || continue
		mine=$(rank "$layer")
		(cd "$1" && find "$layer" -name '*.[ch]' -o -name '*.def') | sort | while read -r f; do
			grep -En '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$1/$f" |
				sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1 \2/' |
				while read -r line inc; do
					top=${inc%%/*}
					theirs=$(rank "$top")
					if [ "$top" = "$inc" ]; then
						echo "$f:$line: \"$inc\" without its folder"
					elif [ -z "$theirs" ] || [ ! -f "$1/$inc" ]; then
						echo "$f:$line: \"$inc\" is not a file of a layer"
					elif [ "$theirs" -gt "$mine" ]; then
						echo "$f:$line: $layer/ includes $inc, a layer above it"
					fi
				done
		done
	done
}

against . > "$TMP/against"
if [ ! -s "$TMP/against" ]; then
	pass "layout: every include names its folder and goes down or across the layers"
else
	while read -r l; do fail "layout: $l"; done < "$TMP/against"
fi

# The control: a tree whose base/ includes a compiler/ header, and one with a bare include.
mkdir -p "$TMP/tree/base" "$TMP/tree/compiler"
printf '#include "compiler/check.h"\n#include "util.h"\n' > "$TMP/tree/base/x.c"
: > "$TMP/tree/compiler/check.h"
against "$TMP/tree" > "$TMP/control"
has "layout: an include of compiler/ from base/ is caught" \
	'base/x.c:1: base/ includes compiler/check.h, a layer above it' "$TMP/control"
has "layout: a bare include is caught" 'base/x.c:2: "util.h" without its folder' "$TMP/control"

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
