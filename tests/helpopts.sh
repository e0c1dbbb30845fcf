# helpopts.sh: help_options CMD prints the options `vfioc help CMD` lists, one a line: the
# lines "  -o, --output DIR  ..." and "  --check  ..." give -o, --output and --check.
# Sourced by the tests that hold docs and completions to the help (t-man, t-completions).
help_options() {
	vfioc help "$1" | sed -n 's/^ \{2,\}\(-[A-Za-z]\|--[a-z][a-z-]*\)\(, \(--[a-z][a-z-]*\)\)\{0,1\}\([ =].*\)\{0,1\}$/\1\n\3/p' | sed '/^$/d'
}
