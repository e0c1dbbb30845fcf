/* hw_snapshot.h: what the snapshot writer (hw_snapwrite.c) and loader (hw_snapload.c) share.
 *
 * The snapshot, `version: 1` (keys in this order; a key whose fact is unknown is left out):
 *   version: 1
 *   host-id: "32 hex digits" (a keyed hash of the machine-id, never the machine-id itself)
 *   kernel: {release: "6.6.30", cmdline: "..."}
 *   cpu: {vendor: intel|amd, flags: [vmx, svm, pdpe1gb], cpus: [{id, core, package, siblings: "0,6", node}]}
 *   memory: {total-kib: N, hugepage-sizes-kib: [2048, 1048576]}
 *   iommu: {present: true|false}
 *   pci: - address: "0000:01:00.0"   id: "1002:67b0"   subsystem: "1043:046a"
 *          class: "0x030000"   revision: "0x00"   vendor-name / device-name / class-name
 *          iommu-group: N   driver: "radeon"   boot-vga: true|false   reset-methods: [flr, bus]
 *          numa-node: N   multifunction: true   physfn: "0000:18:00.0" (a virtual function)
 *   usb: - {bus: 1, device: 2, id: "046d:c52b", manufacturer: "...", product: "..."}
 */
#ifndef VFIOC_HW_SNAPSHOT_H
#define VFIOC_HW_SNAPSHOT_H

#define SNAPSHOT_VERSION 1

/* The CPU flags a snapshot records, in the order written: vmx, svm, pdpe1gb. */
extern const char *const snapshot_cpu_flags[3];

#endif
