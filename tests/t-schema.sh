# t-schema: the committed JSON Schema and reference docs are what `vfioc schema` prints now,
# and an independent validator (python3-jsonschema) accepts the examples and rejects
# configs whose errors the JSON Schema can express.
. ./lib.sh
vfioc schema > "$TMP/schema.json"
same "schema/vfioc.schema.json is current (make schema-json)" ../schema/vfioc.schema.json "$TMP/schema.json"
vfioc schema --format markdown > "$TMP/ref.md"
same "docs/config-reference.md is current (make schema-json)" ../docs/config-reference.md "$TMP/ref.md"

py=/usr/bin/python3
[ -x "$py" ] || py=python3
examples=$(ls ../examples/*/host.yaml)
$py schema_check.py "$TMP/schema.json" valid $examples > "$TMP/valid" 2>&1
invalid="unknown-key-top unknown-key-host unknown-key-vm unknown-key-pci-map enum-typo
	enum-firmware enum-nixos-unquoted enum-graphics wrong-type-quoted-bool
	wrong-type-list-for-string wrong-type-map-for-list wrong-type-vms-list
	wrong-type-quoted-number wrong-type-float out-of-range-vcpus missing-version
	missing-vm-keys missing-topology-key duplicate-item bad-pci-address bad-pci-id
	bad-usb-id bad-size bad-vm-name bad-version bad-version-string bad-kernel-param
	bad-user-name bad-module bad-network bad-kernel-series top-level-list null-value
	bad-xml-edit bad-nix-attr bad-new-values"
files=$(for c in $invalid; do echo golden/err/$c.yaml; done)
$py schema_check.py "$TMP/schema.json" invalid $files > "$TMP/invalid" 2>&1
report_lines "$TMP/valid" "jsonschema: "
report_lines "$TMP/invalid" "jsonschema: "
