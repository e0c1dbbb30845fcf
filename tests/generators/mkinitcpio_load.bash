#!/bin/bash
# mkinitcpio_load.bash ROOT [PRESET]: what mkinitcpio makes of the configuration under ROOT
# (ROOT/etc/mkinitcpio.conf and ROOT/etc/mkinitcpio.conf.d/*.conf), replaying only its
# loading step, written here from reading mkinitcpio's sources (archlinux/mkinitcpio at
# fc8137c, v41; no line of theirs is copied). Prints one line per fact:
#   add_module NAME   each MODULES word, in order, as parse_config hands it to add_module
#   early NAME...     the MODULES line of the image's /config (parse_config's second
#                     sourcing), which the image's init loads in order with modprobe -qab
#                     before any hook runs (the `init` script)
#   modules_load NAME one line each of the systemd hook's /etc/modules-load.d/MODULES.conf
#   hook NAME         HOOKS, in order
#   dropins yes|no    whether the drop-ins were read
# PRESET (a /etc/mkinitcpio.d/*.preset): mkinitcpio -p passes -c CONFIG when the preset sets
# ALL_config or default_config, and -c turns the drop-ins off.

root=$1 preset=${2:-}
conf=$root/etc/mkinitcpio.conf
dropins=1

# mkinitcpio -p: process_preset() builds `-c "${!preset_config:-$ALL_config}"` when either
# is set; the -c option sets _optconfd=0.
if [ -n "$preset" ]; then
	c=$(bash -c '. "$1"; p=default_config; printf %s "${!p:-${ALL_config:-}}"' _ "$preset")
	[ -n "$c" ] && conf=$root$c dropins=0
fi

# mkinitcpio, "Source additional configuration files": with no -c, the main config and each
# regular file (or symlink to one) *.conf directly in mkinitcpio.conf.d, by version sort of
# their names, are concatenated into one temporary file, which is sourced once.
all=$(mktemp)
trap 'rm -f "$all"' EXIT
cat -- "$conf" > "$all" || exit 1
if [ -d "$conf.d" ] && [ "$dropins" = 1 ]; then
	while IFS= read -r -d '' name; do
		[ -r "$conf.d/$name" ] && cat -- "$conf.d/$name" >> "$all"
	done < <(LC_ALL=C.UTF-8 find "$conf.d" -maxdepth 1 -xtype f -name '*.conf' -print0 |
		sed -z 's/.*\///' | LC_ALL=C.UTF-8 sort -zVu)
fi
echo "dropins $([ "$dropins" = 1 ] && echo yes || echo no)"

# functions: arrayize_config() splits a MODULES or HOOKS that is a string into an array.
arrayize() {
	set -f
	[[ ${MODULES@a} != *a* ]] && IFS=' ' read -r -a MODULES <<<"$MODULES"
	[[ ${HOOKS@a} != *a* ]] && IFS=' ' read -r -a HOOKS <<<"$HOOKS"
	set +f
}

(
	. "$all" || exit 1
	arrayize
	# functions: parse_config(): `map add_module "${MODULES[@]}"`; add_module() strips a
	# trailing ? (optional module), then .ko*, and turns - into _.
	for m in "${MODULES[@]}"; do
		m=${m%\?} m=${m%.ko*}
		echo "add_module ${m//-/_}"
	done
	for h in "${HOOKS[@]}"; do echo "hook $h"; done
)
# functions: parse_config(), writing the image's /config: MODULES unset, the config sourced
# again, arrayized with read -ra after - became _, each word without its ?. (Builtin modules
# are left out there; this replay has no kernel, so it keeps them all.)
(
	unset MODULES
	. "$all" || exit 1
	[[ ${MODULES@a} != *a* ]] && read -ra MODULES <<<"${MODULES//-/_}"
	add=()
	for mod in "${MODULES[@]%\?}"; do add+=("${mod//-/_}"); done
	echo "early ${add[*]}"
)
# install/systemd: the config sourced in a subshell, `printf '%s\n' "${MODULES[@]}"` into
# /etc/modules-load.d/MODULES.conf (no arrayize there).
(
	. "$all" || exit 1
	set -f
	printf 'modules_load %s\n' "${MODULES[@]}"
)
