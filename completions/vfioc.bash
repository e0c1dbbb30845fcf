# bash completion for vfioc: commands, their options, --format values, and files.
# Installed as share/bash-completion/completions/vfioc; t-completions checks that each
# command's options here are the ones its --help lists.

_vfioc_options() {
	case $1 in
	init) echo "-o --output --root --hardware --gpu --force --format --help" ;;
	check) echo "--root --hardware --werror --no-escape-hatches --format --color --help" ;;
	build) echo "-o --output --check --validate --schema-dir --accept-hardware-change --root --hardware --werror --no-escape-hatches --format --color --help" ;;
	apply) echo "-o --output -n --dry-run --undo --force --root --chroot --prebuilt --format --color --help" ;;
	probe) echo "--root --hardware -o --output --format --help" ;;
	groups) echo "--root --hardware --format --color --gpu --audio --usb --net --storage --help" ;;
	verify) echo "--root --hardware -c --connect --format --color --help" ;;
	schema) echo "-f --format --help" ;;
	esac
}

# COMPREPLY from compgen ARGS, one name a line (file names may hold spaces).
_vfioc_compgen() {
	local IFS=$'\n'
	COMPREPLY+=($(compgen "$@"))
}

_vfioc() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=
	local commands="init check build apply verify schema probe groups help"
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	COMPREPLY=()
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-h --help -V --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	case $cmd:$prev in
	schema:--format | schema:-f)
		COMPREPLY=($(compgen -W "json markdown man snapshot" -- "$cur")); return ;;
	*:--format)
		COMPREPLY=($(compgen -W "text json github" -- "$cur")); return ;;
	*:--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	*:--root | *:--schema-dir | build:-o | build:--output | apply:-o | apply:--output)
		compopt -o filenames 2> /dev/null
		_vfioc_compgen -d -- "$cur"; return ;;
	*:--hardware | probe:-o | probe:--output | init:-o | init:--output)
		compopt -o filenames 2> /dev/null
		_vfioc_compgen -f -- "$cur"; return ;;
	esac
	if [[ $cmd == help ]]; then
		[[ $prev == help ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_vfioc_options "$cmd")" -- "$cur"))
	elif [[ $cmd == check || $cmd == build || $cmd == apply || $cmd == verify ]]; then
		# CONFIG: YAML files, and folders to reach them.
		compopt -o filenames 2> /dev/null
		_vfioc_compgen -d -- "$cur"
		_vfioc_compgen -f -X '!*.yaml' -- "$cur"
		_vfioc_compgen -f -X '!*.yml' -- "$cur"
	fi
}
complete -F _vfioc vfioc
