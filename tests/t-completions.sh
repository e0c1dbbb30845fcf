# t-completions: the bash, zsh and fish completions offer exactly the commands `vfioc --help`
# lists, for each command exactly the options its --help lists (and --help), the --format
# values the command accepts, and files where a file goes. bash and fish are run for real
# (COMP_WORDS and _vfioc; complete -C); zsh runs _vfioc with _arguments replaced by a stub
# that prints the specifications it is handed.
. ./lib.sh
. ./helpopts.sh
comp=../completions
[ "$MODE" = valgrind ] && exit 0   # the completions do not run vfioc

# sorted NAME WORDS...: WORDS one a line, sorted, into $TMP/NAME.
sorted() { f=$1; shift; printf '%s\n' "$@" | sed '/^$/d' | sort -u > "$TMP/$f"; }

vfioc --help > "$TMP/help"
sorted commands $(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$TMP/help")
commands=$(cat "$TMP/commands")

# bash: COMPREPLY for the words given (the last one is being completed), in DIR.
bash_complete() {
	dir=$1; shift
	(cd "$dir" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vfioc
		printf "%s\n" "${COMPREPLY[@]}"' "$OLDPWD/$comp/vfioc.bash" "$@")
}
fish_complete() {
	dir=$1; shift
	(cd "$dir" && fish -c 'source $argv[1]; complete -C"$argv[2]"' "$OLDPWD/$comp/vfioc.fish" "$*") | cut -f1
}
# zsh: the specifications _vfioc hands _arguments; "command:NAME" for the commands it offers.
zsh_specs() {
	zsh -fc '_arguments() { local s; for s; do print -r -- "$s";
			[[ $s == *"_describe -t commands"* ]] && print -l -- command:${^commands%%:*}; done }
		words=("${@:2}"); CURRENT=$#words; . "$1"' zsh "$PWD/$comp/_vfioc" "$@"
}
# The option names in zsh specifications: "(excl)--root=[...]:..." -> --root.
zsh_options() { sed -n 's/^\(([^)]*)\)\{0,1\}\(--*[A-Za-z][A-Za-z-]*\).*/\2/p'; }

if command -v bash > /dev/null; then
	sorted got $(bash_complete . vfioc '')
	same "bash: the commands of vfioc --help" "$TMP/commands" "$TMP/got"
else fail "bash not installed"; fi
if command -v fish > /dev/null; then
	sorted got $(fish_complete . vfioc '')
	same "fish: the commands of vfioc --help" "$TMP/commands" "$TMP/got"
else fail "fish not installed (tests/install-deps.sh)"; fi
if command -v zsh > /dev/null; then
	sorted got $(zsh_specs vfioc '' | sed -n 's/^command://p')
	same "zsh: the commands of vfioc --help" "$TMP/commands" "$TMP/got"
else fail "zsh not installed (tests/install-deps.sh)"; fi

for c in $commands; do
	[ "$c" = help ] && continue
	# The options the help lists: "  -o, --output DIR  ..." -> -o --output.
	sorted want $(help_options "$c") --help
	sorted got $(bash_complete . vfioc "$c" -)
	same "bash: $c: the options of its --help" "$TMP/want" "$TMP/got"
	sorted got $(fish_complete . vfioc "$c" -)
	same "fish: $c: the options of its --help" "$TMP/want" "$TMP/got"
	sorted got $(zsh_specs vfioc "$c" '' | zsh_options)
	same "zsh: $c: the options of its --help" "$TMP/want" "$TMP/got"

	# The --format values: those the command's own usage error names.
	grep -q -- '--format' "$TMP/want" || continue
	vfioc "$c" --format '?' > /dev/null 2> "$TMP/err"
	sorted want $(sed -n "s/.*--format is \(.*\), not .*/\1/p" "$TMP/err" | sed 's/,/ /g; s/ or / /')
	[ -s "$TMP/want" ] || fail "$c: no --format values in its usage error"
	sorted got $(bash_complete . vfioc "$c" --format '')
	same "bash: $c --format: the values it accepts" "$TMP/want" "$TMP/got"
	sorted got $(fish_complete . vfioc "$c" --format '')
	same "fish: $c --format: the values it accepts" "$TMP/want" "$TMP/got"
	sorted got $(zsh_specs vfioc "$c" '' | sed -n 's/^[^[]*--format=\[.*:(\(.*\))$/\1/p')
	same "zsh: $c --format: the values it accepts" "$TMP/want" "$TMP/got"
done

# Files: a CONFIG is a YAML file (or a folder on the way to one); --hardware any file.
seed=../examples/seed
sorted got $(bash_complete $seed vfioc check '')
sorted want generated hardware.yaml host.yaml
same "bash: check CONFIG: YAML files and folders" "$TMP/want" "$TMP/got"
sorted got $(bash_complete $seed vfioc build --hardware h)
sorted want hardware.yaml host.yaml
same "bash: --hardware: files" "$TMP/want" "$TMP/got"
sorted got $(bash_complete .. vfioc build -o ex)
sorted want examples
same "bash: build -o: folders" "$TMP/want" "$TMP/got"
fish_complete $seed vfioc check '' > "$TMP/got"
expect "fish: check CONFIG: host.yaml" grep -qx host.yaml "$TMP/got"
sorted want hardware.yaml host.yaml
sorted got $(fish_complete $seed vfioc groups --hardware h)
same "fish: --hardware: files" "$TMP/want" "$TMP/got"
zsh_specs vfioc check '' > "$TMP/got"
expect "zsh: check CONFIG: YAML files" grep -qx '1:config:_files -g "\*.(yaml|yml)(-.)"' "$TMP/got"
sorted want schema
sorted got $(bash_complete . vfioc help sch)
same "bash: help COMMAND" "$TMP/want" "$TMP/got"

# Syntax of what is installed.
expect "bash -n vfioc.bash" bash -n $comp/vfioc.bash
expect "zsh -n _vfioc" zsh -n $comp/_vfioc
expect "fish -n vfioc.fish" fish -n $comp/vfioc.fish
