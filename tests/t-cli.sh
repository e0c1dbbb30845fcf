# t-cli: the command line: help, version, usage errors (exit 2), and the build's own
# promises (install honours PREFIX and DESTDIR; a missing library names its package; the
# default build links libyaml and libxml2 in, SHARED=1 does not and gives the same outputs).
. ./lib.sh

rc_is "--version exits 0" 0 vfioc --version
has "--version prints the version" '^vfioc [0-9]' "$TMP/rc.out"
rc_is "--help exits 0" 0 vfioc --help
for c in $(sed -n 's/^  \([a-z]*\)  .*/\1/p' "$TMP/rc.out"); do
	[ "$c" = help ] && continue
	rc_is "help $c" 0 vfioc help "$c"
	has "help $c starts with its usage" "^Usage: vfioc $c" "$TMP/rc.out"
	vfioc "$c" --help > "$TMP/out2" 2>&1
	same "$c --help is help $c" "$TMP/rc.out" "$TMP/out2"
done
# usage NAME MESSAGE CMD...: pass when CMD exits 2 with "vfioc SUBCOMMAND: MESSAGE" and the
# pointer to its help on stderr, and nothing on stdout.
usage() {
	name=$1 msg=$2; shift 2
	"$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	sub=$2
	if [ $rc -ne 2 ]; then
		fail "$name (exit $rc, want 2)"; head -5 "$TMP/err" >&2
	elif [ "$(cat "$TMP/err")" != "$(printf "vfioc %s: %s\nTry 'vfioc help %s'." "$sub" "$msg" "$sub")" ]; then
		fail "$name: want 'vfioc $sub: $msg'"; cat "$TMP/err" >&2
	elif [ -s "$TMP/out" ]; then
		fail "$name: printed on stdout"
	else
		pass "$name"
	fi
}

rc_is "no command is a usage error" 2 vfioc
rc_is "an unknown command is a usage error" 2 vfioc frobnicate
has "unknown command named" "unknown command 'frobnicate'" "$TMP/rc.err"
rc_is "help of an unknown command" 2 vfioc help frobnicate
usage "check without CONFIG" "missing CONFIG" vfioc check
usage "check with two CONFIGs" "more than one CONFIG" vfioc check a.yaml b.yaml
usage "check with an unknown option" "unknown option '--frob'" vfioc check --frob ../examples/seed/host.yaml
usage "an unknown short option" "unknown option '-z'" vfioc check -z ../examples/seed/host.yaml
usage "check with a bad --format" "--format is text, json or github, not 'xml'" \
	vfioc check --format xml ../examples/seed/host.yaml
usage "schema with a bad --format" "--format is json, markdown, man or snapshot, not 'yaml'" vfioc schema --format yaml
# A missing value is named as such, for every command (the ':' of getopt).
usage "check: --root without its value" "--root needs a value" vfioc check ../examples/seed/host.yaml --root
usage "build: -o without its value" "-o needs a value" vfioc build ../examples/seed/host.yaml -o
usage "verify: -c without its value" "-c needs a value" vfioc verify ../examples/seed/host.yaml -c
usage "schema: --format without its value" "--format needs a value" vfioc schema --format
usage "a flag given a value" "--werror takes no value" vfioc check --werror=yes ../examples/seed/host.yaml
usage "a command's own flag given a value" "--check takes no value" vfioc build --check=1 ../examples/seed/host.yaml
# probe, groups and init word their errors like check and build.
for c in probe groups init; do
	usage "$c with an unknown option" "unknown option '--frob'" vfioc $c --frob
	usage "$c: --root without its value" "--root needs a value" vfioc $c --root
	[ $c = groups ] || usage "$c with an argument" "unexpected argument 'x'" vfioc $c x
	usage "$c: --root and --hardware" "--root and --hardware exclude each other" \
		vfioc $c --root a --hardware b
done
usage "groups: a FILTER that is neither" \
	"FILTER is an IOMMU group number or a PCI address like 0000:01:00.0, not 'x'" vfioc groups x
usage "groups: a malformed address as FILTER, and what it likely means" \
	"FILTER takes a PCI address, not '1:0.0'; did you mean '0000:01:00.0'?" vfioc groups 1:0.0
usage "groups: two FILTERs" "more than one FILTER" vfioc groups 1 2
usage "build: --root and --hardware" "--root and --hardware exclude each other" \
	vfioc build ../examples/seed/host.yaml --root a --hardware b
usage "build: an empty -o" "-o needs a directory" vfioc build ../examples/seed/host.yaml -o ''
usage "probe: an empty -o" "-o needs a file name" vfioc probe -o ''
usage "init: a bad --gpu" "--gpu takes a PCI address like 0000:01:00.0 ('lspci -D' lists them), not 'zz'" vfioc init --gpu zz
usage "init: a malformed --gpu, and what it likely means" \
	"--gpu takes a PCI address, not '1:0.0'; did you mean '0000:01:00.0'?" vfioc init --gpu 1:0.0
# A mistyped option or command: the one it most likely is.
usage "build: a mistyped option" "unknown option '--chek'; did you mean '--check'?" \
	vfioc build --chek ../examples/seed/host.yaml
usage "groups: a mistyped option with a value" "unknown option '--formt=json'; did you mean '--format'?" \
	vfioc groups --formt=json
rc_is "a mistyped command is a usage error" 2 vfioc chek host.yaml
has "... and names the command it likely is" "^vfioc: unknown command 'chek'; did you mean 'check'[?]\$" "$TMP/rc.err"
rc_is "help of a mistyped command" 2 vfioc help buidl
has "... names it too" "^vfioc help: unknown command 'buidl'; did you mean 'build'[?]\$" "$TMP/rc.err"
rc_is "a command nothing is close to" 2 vfioc zzzzzz
has "... gets no guess" "^vfioc: unknown command 'zzzzzz'\$" "$TMP/rc.err"
usage "verify without CONFIG" "missing CONFIG" vfioc verify
usage "verify: an empty --connect" "--connect needs a libvirt URI" vfioc verify x --connect ''

# Every option a command's help lists is one it accepts: given a value it does not take,
# a flag says so; an option that takes one says when it is missing.
for c in check build probe groups init verify schema; do
	vfioc help $c | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}--\([a-z-]*\)\( [A-Z]*\)\{0,1\}  .*/\2\3/p' > "$TMP/opts"
	[ -s "$TMP/opts" ] || fail "help $c lists no options"
	while read -r opt arg; do
		if [ -n "$arg" ]; then
			usage "$c --$opt is accepted and wants its $arg" "--$opt needs a value" vfioc $c --$opt
		else
			usage "$c --$opt is accepted and is a flag" "--$opt takes no value" vfioc $c --$opt=x
		fi
	done < "$TMP/opts"
done
# build's help names the file of every backend (from backends[i]->doc).
vfioc help build > "$TMP/out"
for f in vfio.nix domains/VM.xml kernel-cmdline .vfioc-manifest; do
	has "help build names $f" "^  $f  *[a-z]" "$TMP/out"
done
rc_is "a schema error exits 1" 1 vfioc check golden/err/bad-version.yaml
expect "nothing on stdout on error" test ! -s "$TMP/rc.out"
rc_is "json format exits 1 too" 1 vfioc check --format json golden/err/bad-version.yaml
expect "--format json is parseable JSON with the code, on stdout" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d[0]["code"] == "bad-version" and d[0]["line"] == 2' "$TMP/rc.out"
expect "--format json: nothing on stderr" test ! -s "$TMP/rc.err"
# 2>&1: still one document, for check and for build --check.
vfioc check --format json golden/err/bad-version.yaml > "$TMP/both" 2>&1
expect "--format json 2>&1: one document" python3 -m json.tool "$TMP/both"
vfioc build --check --format json ../examples/seed/host.yaml -o "$TMP/nowhere" > "$TMP/both" 2>&1
expect "build --check --format json 2>&1: one document naming the stale files" python3 -c \
	'import json,sys; d = json.load(open(sys.argv[1])); assert d and all(x["code"] == "stale-output" for x in d)' "$TMP/both"
rc_is "github format" 1 vfioc check --format github golden/err/bad-version.yaml
has "--format github annotation" \
	'^::error file=golden/err/bad-version.yaml,line=2,col=10,title=vfioc bad-version::' "$TMP/rc.err"

# The build: a missing library is named with its Debian package; install honours DESTDIR.
if [ -z "${UNIT_DIR:-}" ]; then exit 0; fi   # valgrind run: the binary only
make -s -C .. -n PKG_CONFIG=false > "$TMP/make" 2>&1
grep -q "apt-get install libyaml-dev" "$TMP/make" && pass "make names the missing package" \
	|| { fail "make with no pkg-config libraries"; cat "$TMP/make" >&2; }
make -s -C .. install DESTDIR="$TMP/dest" PREFIX=/opt/v > "$TMP/make" 2>&1
[ -x "$TMP/dest/opt/v/bin/vfioc" ] && [ -f "$TMP/dest/opt/v/share/vfioc/vfioc.schema.json" ] \
	&& pass "make install honours PREFIX and DESTDIR" || { fail "make install"; cat "$TMP/make" >&2; }

# How ./vfioc is linked (README, Building): libyaml and libxml2 from their static archives,
# libpci loaded only by a probe; SHARED=1 links them shared and gives the same outputs.
# Plain run only: there $VFIOC is the default build, and it compiles everything once more.
[ "$MODE" = plain ] || exit 0
ldd "$VFIOC" > "$TMP/ldd"
grep -q 'libxml2\|libyaml\|libicu\|libstdc++' "$TMP/ldd" \
	&& fail "default build: libyaml, libxml2, ICU or libstdc++ still shared" \
	|| pass "default build: libyaml, libxml2, ICU and libstdc++ linked in"
grep -q 'libpci' "$TMP/ldd" && fail "default build: libpci loaded at start" \
	|| pass "default build: libpci not loaded at start"
printf '#!/bin/sh\nout=$(pkg-config "$@") || exit\ncase "$*" in *--static*) out="$out -licufoo";; esac\necho "$out"\n' \
	> "$TMP/pkg-config" && chmod +x "$TMP/pkg-config"
make -s -C .. -n PKG_CONFIG="$TMP/pkg-config" BUILD="$TMP/nostatic" "$TMP/nostatic/vfioc" \
	> "$TMP/make" 2>&1
grep -q "no libicufoo.a, so linking libyaml and libxml2 shared .*'apt-get install libicu-dev' links them in" "$TMP/make" \
	&& grep -q -- '-o [^ ]*/nostatic/vfioc .* -lxml2 ' "$TMP/make" && ! grep -q -- '-Bstatic' "$TMP/make" \
	&& pass "make without an archive says so, names its package and links shared" \
	|| { fail "make with a missing archive"; cat "$TMP/make" >&2; }
make -s -C .. -n STATIC=1 PKG_CONFIG="$TMP/pkg-config" BUILD="$TMP/nostatic" > "$TMP/make" 2>&1
grep -q "STATIC=1 needs libicufoo.a: install it with 'apt-get install libicu-dev'" "$TMP/make" \
	&& pass "make STATIC=1 without an archive fails naming its package" \
	|| { fail "make STATIC=1 with a missing archive"; cat "$TMP/make" >&2; }
make -s -C .. -n SHARED=1 PKG_CONFIG="$TMP/pkg-config" BUILD="$TMP/nostatic" > "$TMP/make" 2>&1 \
	&& ! grep -q 'libicufoo' "$TMP/make" \
	&& pass "make SHARED=1 looks for no archive" || { fail "make SHARED=1 asks for archives"; cat "$TMP/make" >&2; }
make -s -j2 -C .. BUILD="$TMP/shared" SHARED=1 "$TMP/shared/vfioc" > "$TMP/make" 2>&1
if [ -x "$TMP/shared/vfioc" ]; then
	pass "make SHARED=1 links"
	ldd "$TMP/shared/vfioc" > "$TMP/ldd"
	grep -q libxml2 "$TMP/ldd" && grep -q libyaml "$TMP/ldd" && ! grep -q libpci "$TMP/ldd" \
		&& pass "SHARED=1: libyaml and libxml2 shared, libpci loaded on demand" \
		|| { fail "SHARED=1: linked libraries"; cat "$TMP/ldd" >&2; }
	"$TMP/shared/vfioc" build ../examples/seed/host.yaml -o "$TMP/shared-out" 2> "$TMP/err"
	"$VFIOC" build ../examples/seed/host.yaml -o "$TMP/static-out" 2>> "$TMP/err"
	diff -r "$TMP/static-out" "$TMP/shared-out" > /dev/null && [ -s "$TMP/static-out/vfio.nix" ] \
		&& pass "SHARED=1: the same outputs as the default build" \
		|| { fail "SHARED=1: outputs differ from the default build"; cat "$TMP/err" >&2; }
	root=$TMP/sharedroot
	python3 ./mkroot.py roots/seed.desc "$root" > /dev/null
	"$TMP/shared/vfioc" probe --root "$root" -o "$TMP/shared.yaml" 2> "$TMP/err"
	"$VFIOC" probe --root "$root" -o "$TMP/static.yaml" 2>> "$TMP/err"
	cmp -s "$TMP/shared.yaml" "$TMP/static.yaml" && grep -q 'vendor: ' "$TMP/static.yaml" \
		&& pass "SHARED=1: the same snapshot of a test root" \
		|| { fail "SHARED=1: snapshots differ from the default build"; cat "$TMP/err" >&2; }
else
	fail "make SHARED=1"; tail -5 "$TMP/make" >&2
fi
