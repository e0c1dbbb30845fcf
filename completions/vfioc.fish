# fish completion for vfioc: commands, their options, --format values, and files.
# Installed as share/fish/vendor_completions.d/vfioc.fish; t-completions checks that each
# command's options here are the ones its --help lists.

set -l commands init check build apply verify schema probe groups help
complete -c vfioc -f
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'List the commands'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'Print the version'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a init -d 'Write a starter config and its hardware snapshot'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a verify -d 'Check the booted host against the config'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a check -d 'Validate a config and check it against the hardware'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a build -d 'Check a config and write its outputs'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a apply -d 'Install a generic host\'s build, or undo that'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a probe -d 'Write a snapshot of the hardware'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a groups -d 'List IOMMU groups and what can be passed'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a schema -d 'Print the config language'
complete -c vfioc -n "not __fish_seen_subcommand_from $commands" -a help -d 'Show the help of a command'
complete -c vfioc -n "__fish_seen_subcommand_from help" -a "$commands"

# CONFIG of check, build, apply and verify: YAML files.
complete -c vfioc -n "__fish_seen_subcommand_from check build apply verify" -k -a "(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)"

# Options every hardware-reading command shares.
for cmd in init check build verify probe groups
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l root -x -a "(__fish_complete_directories)" -d 'Read DIR/sys and DIR/proc'
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l hardware -r -F -d "Read a snapshot by 'vfioc probe'"
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l format -x -a "text json github" -d 'Output format'
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l help -d 'Show the help'
end
for cmd in check build
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l werror -d 'Treat warnings as errors'
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l no-escape-hatches -d 'Refuse libvirt-xml, nixos-extra, qemu-config'
end
for cmd in check build apply verify groups
	complete -c vfioc -n "__fish_seen_subcommand_from $cmd" -l color -x -a "auto always never" -d 'Colour on a terminal'
end
complete -c vfioc -n "__fish_seen_subcommand_from build" -s o -l output -x -a "(__fish_complete_directories)" -d 'Output folder'
complete -c vfioc -n "__fish_seen_subcommand_from build" -l check -d 'Write nothing; exit 1 when outputs are stale'
complete -c vfioc -n "__fish_seen_subcommand_from build" -l validate -d "Check domains against libvirt's schema"
complete -c vfioc -n "__fish_seen_subcommand_from build" -l schema-dir -x -a "(__fish_complete_directories)" -d 'Where domain.rng is'
complete -c vfioc -n "__fish_seen_subcommand_from build" -l accept-hardware-change -d 'Pass what is at each address now, though the manifest records another device'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -s o -l output -x -a "(__fish_complete_directories)" -d "The folder 'vfioc build' wrote"
complete -c vfioc -n "__fish_seen_subcommand_from apply" -s n -l dry-run -d 'Change nothing: print the diff and the commands'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l undo -d 'Put back what vfioc apply changed'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l force -d 'Replace files vfioc apply did not write'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l root -x -a "(__fish_complete_directories)" -d 'Install into the tree under DIR'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l chroot -d 'With --root: run the commands inside DIR'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l prebuilt -d 'Install the folder -o DIR as it is, without CONFIG'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l format -x -a "text json github" -d 'Output format'
complete -c vfioc -n "__fish_seen_subcommand_from apply" -l help -d 'Show the help'
complete -c vfioc -n "__fish_seen_subcommand_from init" -s o -l output -r -F -d 'The config to write'
complete -c vfioc -n "__fish_seen_subcommand_from init" -l gpu -x -d 'Pass this GPU (PCI address)'
complete -c vfioc -n "__fish_seen_subcommand_from init" -l force -d 'Replace existing files'
complete -c vfioc -n "__fish_seen_subcommand_from verify" -s c -l connect -x -d 'libvirt URI'
complete -c vfioc -n "__fish_seen_subcommand_from groups" -l gpu -d 'Only groups with a display controller'
complete -c vfioc -n "__fish_seen_subcommand_from groups" -l audio -d 'Only groups with an audio device'
complete -c vfioc -n "__fish_seen_subcommand_from groups" -l usb -d 'Only groups with a USB controller'
complete -c vfioc -n "__fish_seen_subcommand_from groups" -l net -d 'Only groups with a network controller'
complete -c vfioc -n "__fish_seen_subcommand_from groups" -l storage -d 'Only groups with a storage controller'
complete -c vfioc -n "__fish_seen_subcommand_from probe" -s o -l output -r -F -d 'Write the snapshot to FILE'
complete -c vfioc -n "__fish_seen_subcommand_from schema" -s f -l format -x -a "json markdown man snapshot" -d 'Output format'
complete -c vfioc -n "__fish_seen_subcommand_from schema" -l help -d 'Show the help'
