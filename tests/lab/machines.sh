# machines.sh: the lab's emulated machines (sourced). Emulated NICs stand in for GPUs; their
# IDs: e1000e 8086:10d3 (driver e1000e), e1000 8086:100e, e1000-82545em 8086:100f (both
# e1000), rtl8139 10ec:8139 (8139cp), i82557b 8086:1229 (e100), ne2k_pci 10ec:8029 (ne2k-pci).
# romfile= skips the iPXE ROMs.

# The Intel machine holds four layouts at once:
#   identical      three e1000e on the root bus (00:03.0, 00:04.0, 00:05.0)
#   multifunction  00:06.0 (e1000-82545em) and 00:06.1 (rtl8139) share a slot
#   bridge         a pcie-pci-bridge (00:09.0) with an i82557b and a ne2k_pci behind it
#   root port      a pcie-root-port (00:08.0) with a fourth e1000e behind it (01:00.0)
# and a unique e1000 at 00:07.0.
INTEL_DEVICES="-device e1000e,addr=03.0,romfile=
-device e1000e,addr=04.0,romfile=
-device e1000e,addr=05.0,romfile=
-device e1000-82545em,addr=06.0,multifunction=on,romfile=
-device rtl8139,addr=06.1,romfile=
-device e1000,addr=07.0,romfile=
-device pcie-root-port,id=rp1,chassis=1,addr=08.0
-device e1000e,bus=rp1,romfile=
-device pcie-pci-bridge,id=pb,addr=09.0
-device i82557b,bus=pb,addr=01.0,romfile=
-device ne2k_pci,bus=pb,addr=02.0,romfile="

# IOMMU off: two identical cards and nothing else.
NOIOMMU_DEVICES="-device e1000e,addr=03.0,romfile=
-device e1000e,addr=04.0,romfile="

# AMD: the AMD IOMMU takes a slot of its own, so every device has an explicit address.
AMD_CPU=qemu64,vendor=AuthenticAMD
AMD_DEVICES="-device e1000e,addr=03.0,romfile=
-device e1000e,addr=04.0,romfile=
-device e1000,addr=05.0,romfile="
