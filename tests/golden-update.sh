#!/bin/sh
# golden-update.sh: rewrites the expected .stderr and .rc of golden/err/ from the current
# vfioc. Review the diff (git diff tests/golden) before committing: goldens are the spec.
set -u
cd "$(dirname "$0")" || exit 1
vfioc=${VFIOC:-../vfioc}
for cfg in golden/err/*.yaml; do
	case=${cfg%.yaml}
	"$vfioc" check "$cfg" 2> "$case.stderr" > /dev/null
	echo $? > "$case.rc"
done
