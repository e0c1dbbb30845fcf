# hwroots.sh: test roots for the t-hw-* scripts (sourced after lib.sh). Roots are built at
# test time from tests/roots/NAME.desc by tests/mkroot.py, into $TMP/roots/NAME.
HW_ROOTS="seed intel-desktop amd-chipset twin-gpu iommu-off turing server"

# hwroot NAME: print the path of the root NAME, building it on first use. run.sh shares
# one cache ($HW_ROOT_CACHE) between the scripts of a run; roots there are only read
# (hwcopy makes a private copy to damage).
hwroot() {
	cache=${HW_ROOT_CACHE:-$TMP/roots}
	if [ ! -d "$cache/$1" ]; then
		mkdir -p "$cache"
		python3 ./mkroot.py "roots/$1.desc" "$cache/$1.part.$$" >&2 || return 1
		mv "$cache/$1.part.$$" "$cache/$1"
	fi
	echo "$cache/$1"
}

# hwcopy NAME COPY: a private copy of root NAME (links kept) to damage, at $TMP/COPY.
hwcopy() {
	rm -rf "$TMP/$2"
	cp -a "$(hwroot "$1")" "$TMP/$2" && echo "$TMP/$2"
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
