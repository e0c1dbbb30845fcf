/* hw/libpci.h: libpci, loaded by the first probe instead of at every start. A run against a
 * snapshot never maps libpci (nor the libudev and zlib it brings), so it starts sooner and
 * works where libpci is not installed, as in a CI container. */
#ifndef VFIOC_PCI_LIB_H
#define VFIOC_PCI_LIB_H

#include <pci/pci.h>
#include <stddef.h>

/* The libpci functions the probe calls, each with the symbol version whose behaviour the
 * probe expects: the default one in pciutils 3.9. A newer libpci keeps these as
 * compatibility entry points, so asking by version never picks up a changed one. */
#define PCI_LIB_FUNCTIONS(X)                 \
	X(alloc, "LIBPCI_3.0")               \
	X(init, "LIBPCI_3.5")                \
	X(cleanup, "LIBPCI_3.0")             \
	X(scan_bus, "LIBPCI_3.0")            \
	X(fill_info, "LIBPCI_3.8")           \
	X(read_block, "LIBPCI_3.0")          \
	X(read_word, "LIBPCI_3.0")           \
	X(setup_cache, "LIBPCI_3.0")         \
	X(find_cap, "LIBPCI_3.1")            \
	X(set_param, "LIBPCI_3.0")           \
	X(lookup_name, "LIBPCI_3.0")         \
	X(set_name_list_path, "LIBPCI_3.0")

/* fill_info points at pci_fill_info, with its declared type. */
struct pci_lib {
#define PCI_LIB_FIELD(name, version) __typeof__(pci_##name) *name;
	PCI_LIB_FUNCTIONS(PCI_LIB_FIELD)
#undef PCI_LIB_FIELD
};

/* The library file dlopen(3) asks for: libpci's soname since pciutils 3.0. */
#define PCI_LIB_SONAME "libpci.so.3"

/* libpci, loaded on the first call from the loader's search path, else from PCI_LIB_DIR
 * (pkg-config's libdir of libpci, set by the Makefile); NULL when it cannot be, with why[]
 * saying what failed. */
const struct pci_lib *pci_lib_load(char *why, size_t whysize);

#endif
