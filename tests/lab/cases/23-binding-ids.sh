# 23-binding-ids: a unique e1000 and a whole multi-function slot, by vfio-pci.ids
# (tests/lab/binding.sh says what is checked); `vfioc verify` passes after that boot and
# fails naming each passed device when booted without vfioc's kernel command line.
. "$LAB_DIR/binding.sh"
binding_case ids e1000 verify "00:07.0" "00:06.0 00:06.1"
