# hwroots.sh: test roots (sourced after lib.sh). Roots are built at test time by
# tests/mkroot.py from tests/roots/NAME.desc (the hosts every t-hw-* script runs on) or
# golden/check/roots/NAME.desc (hosts made for a few golden cases), into $TMP/roots/NAME.
HW_ROOTS="seed intel-desktop amd-chipset twin-gpu iommu-off turing server"

# hwroot NAME: print the path of the root NAME, building it on first use. run.sh shares
# one cache ($HW_ROOT_CACHE) between the scripts of a run; roots there are only read
# (hwcopy makes a private copy to damage).
hwroot() {
	cache=${HW_ROOT_CACHE:-$TMP/roots}
	if [ ! -d "$cache/$1" ]; then
		mkdir -p "$cache"
		desc=roots/$1.desc
		[ -f "$desc" ] || desc=golden/check/roots/$1.desc
		python3 ./mkroot.py "$desc" "$cache/$1.part.$$" >&2 || return 1
		mv "$cache/$1.part.$$" "$cache/$1"
	fi
	echo "$cache/$1"
}

# hwcopy NAME COPY: a private copy of root NAME (links kept) to damage, at $TMP/COPY.
hwcopy() {
	rm -rf "$TMP/$2"
	cp -a "$(hwroot "$1")" "$TMP/$2" && echo "$TMP/$2"
}
