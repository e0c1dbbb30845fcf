/* hw/libpci.c: loading libpci on demand (see hw/libpci.h). */
#define _GNU_SOURCE  /* dlvsym */
#include "hw/libpci.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const struct pci_lib *pci_lib_load(char *why, size_t whysize)
{
	static struct pci_lib lib;
	static bool loaded;
	if (loaded)
		return &lib;
	void *h = dlopen(PCI_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, whysize, "%s", dlerror());  /* the search's failure says most */
#ifdef PCI_LIB_DIR
		/* The libpci vfioc was built against, where the loader does not search: NixOS
		 * keeps each library in its own directory, found through the binary's path. */
		h = dlopen(PCI_LIB_DIR "/" PCI_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
#endif
		if (!h)
			return NULL;
	}
	/* POSIX makes a data pointer from dlsym convertible to a function pointer; memcpy
	 * says so without a cast that ISO C leaves undefined. */
#define PCI_LIB_RESOLVE(name, version)                                                     \
	{                                                                                   \
		void *f = dlvsym(h, "pci_" #name, version);                                 \
		if (!f) {                                                                   \
			snprintf(why, whysize, "%s has no pci_%s@%s: pciutils 3.8 or newer is needed", \
				 PCI_LIB_SONAME, #name, version);                           \
			dlclose(h);                                                         \
			return NULL;                                                        \
		}                                                                           \
		_Static_assert(sizeof(lib.name) == sizeof(f), "function pointer size");     \
		memcpy(&lib.name, &f, sizeof(f));                                           \
	}
	PCI_LIB_FUNCTIONS(PCI_LIB_RESOLVE)
#undef PCI_LIB_RESOLVE
	loaded = true;
	return &lib;
}
