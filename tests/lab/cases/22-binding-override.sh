# 22-binding-override: two of four identical e1000e, their driver in host.display-drivers
# (tests/lab/binding.sh says what is checked), and the control without vfio.nix's
# modprobe configuration.
. "$LAB_DIR/binding.sh"
binding_case override e1000e control "00:04.0 00:05.0"
