# faultlib.sh: helpers for the t-fault-*.sh scripts (sourced after lib.sh). Builds the
# LD_PRELOAD shim tests/fault/failwrite.c into $TMP and runs vfioc under it.
# Not under valgrind (it would preload the shim into valgrind itself): scripts exit early.

[ "$MODE" = valgrind ] && exit 0

SHIM=$TMP/failwrite.so
if ! ${CC:-cc} -std=c11 -shared -fPIC -O1 -o "$SHIM" fault/failwrite.c -ldl 2> "$TMP/shim.err"; then
	fail "fault: cannot build the shim fault/failwrite.c"; cat "$TMP/shim.err" >&2; exit 0
fi
# An ASan binary wants its runtime first among the preloaded libraries; the shim goes first.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# faulty VAR=VALUE... -- ARGS: run vfioc ARGS with the shim and the fault variables; output in
# $TMP/f.out and $TMP/f.err, exit status in $frc. FAIL_VERBOSE=1 logs each injected fault.
faulty() {
	envs=""
	while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	env LD_PRELOAD="$SHIM" FAIL_VERBOSE=1 $envs "$VFIOC" "$@" > "$TMP/f.out" 2> "$TMP/f.err"
	frc=$?
}

# fault_ok NAME WANT_RC NAMED SAME_A SAME_B: the last faulty run injected its fault, exited
# WANT_RC, named NAMED (a fixed string) on stderr, and left SAME_A identical to SAME_B
# (files or directories, by diff -r; "-" to skip).
fault_ok() {
	why=""
	grep -q '^failwrite: failing' "$TMP/f.err" || why="no fault was injected"
	[ -z "$why" ] && [ "$frc" != "$2" ] && why="exit $frc, want $2"
	[ -z "$why" ] && ! grep -v '^failwrite: ' "$TMP/f.err" | grep -qF -- "$3" && why="no '$3' on stderr"
	if [ -z "$why" ] && [ "$4" != - ] && ! diff -r "$4" "$5" > "$TMP/f.diff" 2>&1; then
		why="output changed: $(head -3 "$TMP/f.diff" | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then pass "$1"; else
		fail "$1 ($why)"; grep -v '^failwrite: ' "$TMP/f.err" | head -5 | sed 's/^/    /' >&2
	fi
}

# leftovers NAME DIR: pass when DIR holds no temporary files of vfioc (.*.vfioc-*, *.tmp*).
leftovers() {
	found=$(find "$2" \( -name '.*.vfioc-*' -o -name .vfioc-lock -o -name '*.tmp*' \) | head -3)
	if [ -z "$found" ]; then pass "$1"; else fail "$1 (left: $found)"; fi
}

# seed_root: the seed test root, built once.
seed_root() {
	[ -d "$TMP/seedroot" ] || python3 ./mkroot.py roots/seed.desc "$TMP/seedroot" >&2
	echo "$TMP/seedroot"
}

# ro_mount DIR: DIR becomes a read-only file system holding what it held (a tmpfs copy).
# Returns 1 where mounting is not allowed (no CAP_SYS_ADMIN); ro_umount DIR undoes it.
ro_mount() {
	cp -a "$1" "$1.src" || return 1
	mount -t tmpfs -o size=4m vfioc-fault "$1" 2>/dev/null || { rm -rf "$1.src"; return 1; }
	cp -a "$1.src/." "$1/" && mount -o remount,ro "$1" 2>/dev/null && rm -rf "$1.src" && return 0
	umount "$1"; rm -rf "$1.src"; return 1
}
ro_umount() { umount "$1" 2>/dev/null; }
