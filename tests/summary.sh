#!/bin/sh
# summary.sh DIR: adds up the result files of the runs make check did; prints the last line CI reads.
set -u
cat "$1"/results.* > "$1/all" 2>/dev/null || : > "$1/all"
pass=$(grep -c '^ok ' "$1/all")
fail=$(grep -c '^FAIL ' "$1/all")
# One result file per run; a run that left none (it crashed early) is a failure.
missing=
for run in plain asan valgrind lab; do
	ls "$1"/results."$run".* > /dev/null 2>&1 || missing="$missing $run"
done
if [ "$fail" -ne 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$1/all" | sed 's/^/  /'
fi
[ -z "$missing" ] || { echo "runs without results:$missing"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
