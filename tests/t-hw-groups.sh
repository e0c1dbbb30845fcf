# t-hw-groups: `vfioc groups` on every test root (t-golden compares each listing with
# golden/groups/ROOT.stdout), the same from the root and from its snapshot, the IOMMU-off
# message, and the verdicts that matter (bridges never, siblings named).
. ./lib.sh
. ./hwroots.sh

for r in $HW_ROOTS; do
	root=$(hwroot "$r")
	expect "groups $r: a golden case" test -f "golden/groups/$r.yaml"
	vfioc groups --root "$root" > "$TMP/$r.groups"
	vfioc probe --root "$root" -o "$TMP/$r.yaml"
	vfioc groups --hardware "$TMP/$r.yaml" > "$TMP/$r.snap.groups"
	same "groups $r: a snapshot gives what the root gives" "$TMP/$r.groups" "$TMP/$r.snap.groups"
done

g=$TMP/seed.groups
has "seed: the R9 290X only with its audio" \
	'^                only together with 0000:01:00.1$' "$g"
has "seed: the root port in its group stays on the host" \
	'^  0000:00:01.0  PCI bridge \[0604\]:.*driver: pcieport$' "$g"
has "seed: an endpoint without a driver may stay (the kernel's viability rule)" \
	'^                can be passed alone; 0000:00:14.2 may stay \(no driver\)$' "$g"
has "seed: the group header says so" \
	'^IOMMU group 3: 2 endpoints: those with a driver go together, the 1 without one may stay$' "$g"
has "seed: the guest NVMe alone" \
	'^IOMMU group 8: one endpoint, can be passed alone$' "$g"
has "seed: the boot GPU is marked" 'can be passed alone; boot GPU \(boot_vga=1\)' "$g"
has "seed: the chipset group is kept by the host: its SMBus controller holds it" \
	'^IOMMU group 7: kept by the host: 0000:00:1f.4 [(]SMBus controller[)] is on i801_smbus' "$g"
lacks "seed: no verdict offers the SMBus or SPI flash controller" \
	'only together with.*0000:00:1f.[45]' "$g"
has "seed: the NIC of the default route is marked" \
	"holds the group on i801_smbus; carries the host's default route \(enp0s31f6 in br0\)$" "$g"
has "seed: the root NVMe's group is kept by the host" \
	'^IOMMU group 9: one endpoint, kept by the host: its own file systems are on it$' "$g"
g=$TMP/amd-chipset.groups
has "amd-chipset: the chipset group holds the host's disk: never" \
	"never: only together with 0000:05:00.0, which holds the host's / \\(sda2\\)$" "$g"
has "amd-chipset: the host's disk itself: never" "never: it holds the host's / \\(sda2\\)$" "$g"
has "amd-chipset: the chipset group is kept by the host" \
	'^IOMMU group 15: 7 endpoints, kept by the host: its own file systems are on one$' "$g"
has "amd-chipset: bridges do not count as endpoints" '^IOMMU group 15: 7 endpoints' "$g"
g=$TMP/turing.groups
has "turing: all four functions together" '^IOMMU group 11: 4 endpoints, to be passed together$' "$g"
g=$TMP/server.groups
has "server: a VF alone, with its physical function named" \
	'can be passed alone; SR-IOV virtual function of 0000:d8:00.1$' "$g"
g=$TMP/iommu-off.groups
has "iommu-off: says the IOMMU is off" '^No IOMMU groups: the IOMMU is off' "$g"
has "iommu-off: AMD host: how to turn it on" 'Enable AMD-Vi \(IOMMU\) in the firmware setup, then boot with amd_iommu=on' "$g"

# No groups although the IOMMU hardware is there: the kernel was not told.
d=$(hwcopy seed no-groups)
rm -r "$d/sys/kernel/iommu_groups"
find "$d/sys/devices" -name iommu_group -exec rm {} +
rc_is "no groups, IOMMU present: exit 0" 0 vfioc groups --root "$d"
has "no groups, IOMMU present: boot with intel_iommu=on" \
	'kernel did not enable it: boot with intel_iommu=on' "$TMP/rc.out"

# A device outside every group while others have one.
d=$(hwcopy seed ungrouped)
rm "$d/sys/bus/pci/devices/0000:00:17.0/iommu_group" "$d/sys/kernel/iommu_groups/4/devices/0000:00:17.0"
vfioc groups --root "$d" > "$TMP/ungrouped.out"
has "ungrouped device: listed apart" '^Not in any IOMMU group \(cannot be passed through\)$' "$TMP/ungrouped.out"
has "ungrouped device: the SATA controller" '^  0000:00:17.0  SATA controller' "$TMP/ungrouped.out"

# A device without a reset method.
d=$(hwcopy seed noreset)
: > "$d/sys/bus/pci/devices/0000:02:00.0/reset_method"
vfioc groups --root "$d" > "$TMP/noreset.out"
has "no reset method: marked" 'can be passed alone; no reset method' "$TMP/noreset.out"

rc_is "groups: missing root exits 3" 3 vfioc groups --root "$TMP/nowhere"
expect "groups: ... nothing on stdout" test ! -s "$TMP/rc.out"
has "groups: ... names the path" 'nowhere/sys/bus/pci' "$TMP/rc.err"
printf 'version: 2\npci: []\n' > "$TMP/v2.yaml"
rc_is "groups: snapshot version 2 exits 1" 1 vfioc groups --hardware "$TMP/v2.yaml"
has "groups: ... located" 'v2.yaml:1:10: error: snapshot version .2. is not supported.*\[snapshot-invalid\]' "$TMP/rc.err"
rc_is "groups: --root and --hardware: usage error" 2 vfioc groups --root / --hardware x
rc_is "groups: an argument: usage error" 2 vfioc groups extra

# Filters: a device's address (short or whole), a group number, a class; each lists whole
# groups, and the JSON lists the same. Expected groups are read from the full listing.
g=$TMP/seed.groups
groups_of() { sed -n 's/^IOMMU group \([0-9]*\):.*/\1/p' "$1" | tr '\n' ' '; }
# The groups of the full listing holding a device whose class code starts with $1.
with_class() { awk -v c="$1" '/^IOMMU group/ { n = $3; sub(":", "", n) }
	/^  [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ && $0 ~ (" \\[" c "[0-9a-f]*\\]: ") && !seen[n]++ { printf "%s ", n }' "$g"; }
hw=$TMP/seed.yaml
vfioc groups --hardware "$hw" 01:00.0 > "$TMP/f1"
want=$(awk '/^IOMMU group/ { n = $3 } /^  0000:01:00.0 / { sub(":", "", n); print n " " }' "$g")
expect "filter 01:00.0: the group of that device, only ($want)" test "$(groups_of "$TMP/f1")" = "$want"
vfioc groups --hardware "$hw" 0000:01:00.0 > "$TMP/f2"
same "filter 0000:01:00.0: the same as 01:00.0" "$TMP/f1" "$TMP/f2"
vfioc groups --hardware "$hw" 7 > "$TMP/f3"
expect "filter 7: group 7 only" test "$(groups_of "$TMP/f3")" = "7 "
awk '/^IOMMU group 7:/ { on = 1 } on && /^$/ { exit } on' "$g" > "$TMP/g7"
awk 'NF' "$TMP/f3" > "$TMP/f3.trim"
same "filter 7: the group as the full listing has it" "$TMP/g7" "$TMP/f3.trim"
vfioc groups --hardware "$hw" --gpu > "$TMP/f4"
expect "--gpu: the groups with a display controller ($(with_class 03))" test "$(groups_of "$TMP/f4")" = "$(with_class 03)"
expect "--gpu: a control, the full listing has more groups" test "$(groups_of "$g")" != "$(groups_of "$TMP/f4")"
vfioc groups --hardware "$hw" --net --storage > "$TMP/f5"
want=$( (with_class 02; with_class 01) | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ')
expect "--net --storage: either class ($want)" test "$(groups_of "$TMP/f5")" = "$want"
vfioc groups --hardware "$hw" --gpu 01:00.0 > "$TMP/f6"
same "--gpu 01:00.0: both filters hold" "$TMP/f1" "$TMP/f6"
rc_is "--usb 01:00.0: no USB controller in that group, exit 1" 1 vfioc groups --hardware "$hw" --usb 01:00.0
has "... said, with its code" "has no 01:00.0 with USB controllers \(class 0c03\) \[groups-no-match\]" "$TMP/rc.err"
expect "... and nothing listed" test ! -s "$TMP/rc.out"
rc_is "--usb --net 01:00.0: neither in that group, exit 1" 1 vfioc groups --hardware "$hw" --usb --net 01:00.0
has "... said as alternatives" "has no 01:00.0 with USB controllers \(class 0c03\) or network controllers \(class 02xx\) \[groups-no-match\]" "$TMP/rc.err"
rc_is "filter 99: no such group, exit 1" 1 vfioc groups --hardware "$hw" 99
has "... said" "has no IOMMU group 99 \[groups-no-match\]" "$TMP/rc.err"
has "... the hint lists the same hardware's groups" "hint: 'vfioc groups --hardware $hw' without a filter lists all" "$TMP/rc.err"
vfioc groups --hardware "$hw" --gpu --format json > "$TMP/f4.json"
expect "--gpu --format json: the groups of the text" test \
	"$(python3 -c 'import json,sys; print(*[g["group"] for g in json.load(open(sys.argv[1]))["groups"]], end=" ")' "$TMP/f4.json")" = "$(groups_of "$TMP/f4")"
vfioc groups --hardware "$hw" 99 --format json > "$TMP/f7.json" 2> "$TMP/f7.err"
expect "filter 99 --format json: the diagnostic in the document" python3 -c \
	'import json,sys; j = json.load(open(sys.argv[1])); assert j["groups"] == [] and j["diagnostics"][0]["code"] == "groups-no-match"' "$TMP/f7.json"
# Marks on the device line: the boot GPU, the host's disk and network (hw/host_uses.c).
has "mark: the boot GPU on its line" '^  0000:00:02.0  \[boot GPU\] VGA' "$g"
vfioc groups --hardware "$hw" --format json > "$TMP/seed.json"
a=$(python3 -c 'import json,sys; print(*[d["address"] for g in json.load(open(sys.argv[1]))["groups"] for d in g["devices"] if d["host_fs"]])' "$TMP/seed.json")
for x in $a; do has "mark: $x holds the host's file systems" "^  $x  \[host disk\] " "$g"; done
expect "mark: the seed has a host disk to mark" test -n "$a"
lacks "mark: no device without a boot_vga of 1 is the boot GPU" '^  0000:01:00.0  \[boot GPU\]' "$g"
