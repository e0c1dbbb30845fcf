/* libvirt_edit.h: applying a VM's libvirt-xml edits to its domain. For backends/libvirt.c. */
#ifndef VFIOC_LIBVIRT_EDIT_H
#define VFIOC_LIBVIRT_EDIT_H

#include <libxml/tree.h>

#include "backends/backend.h"

/* The VM's edits, in order. Returns 0, or 1 with the reason (naming the VM and the edit) in
 * *err (malloc'd) when one matches nothing and cannot create what it names. */
int libvirt_apply_edits(xmlDocPtr doc, const struct plan_vm *vm, char **err);

#endif
