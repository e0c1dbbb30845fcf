# t-check: `vfioc check` against test roots, beyond the cases of golden/check/ (t-golden
# runs those): the seed, snapshots, --werror, --format, and one count shared with groups.
. ./lib.sh
. ./hwroots.sh

# The seed config on the seed root: clean, and the plan's vfio-pci.ids exactly the three devices
# the wiki's setup passes (examples/seed/README.md).
seed=$(hwroot seed)
rc_is "seed: checks clean" 0 vfioc check ../examples/seed/host.yaml --root "$seed"
expect "seed: nothing on stderr" test ! -s "$TMP/rc.err"
rc_is "seed: builds" 0 vfioc build ../examples/seed/host.yaml --root "$seed" -o "$TMP/seed-out"
has "seed: vfio-pci.ids" '(^| )vfio-pci\.ids=1002:67b0,1002:aac8,144d:a80a( |$)' "$TMP/seed-out/kernel-cmdline"

# The same checks from a snapshot of the same host (--hardware).
vfioc probe --root "$seed" -o "$TMP/seed-hw.yaml" 2> /dev/null
rc_is "snapshot: seed checks clean" 0 vfioc check ../examples/seed/host.yaml --hardware "$TMP/seed-hw.yaml"
rc_is "snapshot: the same errors as the root" 1 vfioc check golden/check/hw-id-guard.yaml \
	--hardware "$TMP/seed-hw.yaml"
same "snapshot: the same text as the root" golden/check/hw-id-guard.stderr "$TMP/rc.err"

# --werror turns warnings into exit 1; a note (bind-switched) never does.
rc_is "werror: a warning fails" 1 vfioc check golden/check/acs-override.yaml --root "$seed" --werror
rc_is "werror: a note does not" 0 vfioc check golden/check/bind-switched.yaml \
	--root "$(hwroot twin-gpu)" --werror
vfioc check golden/check/bind-switched.yaml --root "$(hwroot twin-gpu)" --format github \
	2> "$TMP/gh" > /dev/null
has "github: a note is a notice" '^::notice file=golden/check/bind-switched.yaml,line=' "$TMP/gh"
vfioc check golden/check/group-not-viable.yaml --root "$(hwroot turing)" --format json \
	> "$TMP/json" 2> /dev/null
vfioc check golden/check/bind-switched.yaml --root "$(hwroot twin-gpu)" --format json \
	> "$TMP/json-note" 2> /dev/null
has "json: a note has severity note" '"severity": "note", "code": "bind-switched"' "$TMP/json-note"
has "json: the hints name both functions" '"add to vms.win11.pci: - \\"0000:01:00.2\\".*0000:01:00.3' "$TMP/json"

# One count: group-not-viable counts the endpoints that `vfioc groups` lists for the group.
vfioc groups --root "$(hwroot amd-chipset)" > "$TMP/groups-amd" 2> /dev/null
n=$(sed -n 's/^IOMMU group 15: \([0-9]*\) endpoints.*/\1/p' "$TMP/groups-amd")
has "one count: group-not-viable says what 'vfioc groups' says" "group 15 .*: 5 of its $n endpoints" \
	golden/check/group-not-viable-chipset.stderr

# Usage errors.
rc_is "usage: --root and --hardware" 2 vfioc check ../examples/seed/host.yaml --root x --hardware y
rc_is "usage: --root needs a value" 2 vfioc check ../examples/seed/host.yaml --root
