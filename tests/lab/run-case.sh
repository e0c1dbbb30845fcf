#!/bin/sh
# run-case.sh NAME: runs tests/lab/cases/NAME.sh for lab.sh, its output in $LAB_WORK/NAME.log.
set -u
. "$LAB_DIR/lib.sh"
c=$1
t0=$(date +%s)
{
	sh -c '. "$LAB_DIR/lib.sh"; . "$LAB_DIR/cases/$1.sh"' case "$c" || fail "$c: case script exited $?"
	echo "== lab $c: $(($(date +%s) - t0))s"
} > "$LAB_WORK/$c.log" 2>&1
