#!/bin/sh
# summary.sh DIR: adds up the result files of the runs make check did; prints the last line CI reads.
set -u
cat "$1"/results.* > "$1/all" 2>/dev/null || : > "$1/all"
pass=$(grep -c '^ok ' "$1/all")
fail=$(grep -c '^FAIL ' "$1/all")
runs=$(ls "$1"/results.* 2>/dev/null | wc -l)
if [ "$fail" -ne 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$1/all" | sed 's/^/  /'
fi
[ "$runs" -eq 3 ] || { echo "expected 3 runs (plain, asan, valgrind), found $runs"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
