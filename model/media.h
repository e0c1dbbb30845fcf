/* media.h: the install media a Windows VM needs, where to get them, and the marker of a
 * path `vfioc init` writes for the user to replace. Shared by init (which writes them) and
 * the checks (which name them when a path is missing). */
#ifndef VFIOC_MEDIA_H
#define VFIOC_MEDIA_H

#include "base/util.h"

#define MEDIA_PLACEHOLDER "CHANGE-ME"
#define MEDIA_WINDOWS_URL "https://www.microsoft.com/software-download/windows11"
/* The virtio drivers for Windows (viostor, NetKVM, ...), as the Fedora project builds them. */
#define MEDIA_VIRTIO_URL "https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/" \
	"stable-virtio/virtio-win.iso"
#define MEDIA_IMAGE_DIR "/var/lib/libvirt/images/"   /* disk images: libvirt's default pool */
#define MEDIA_ISO_DIR "/var/lib/libvirt/iso/"
#define MEDIA_DISK_SIZE "128G"   /* a Windows 11 system disk with room (64 GB is its minimum) */

/* The hint for a disk image or block device that is not there: the qemu-img line that
 * creates an image of format at path. */
void media_disk_hint(struct buf *out, const char *format, const char *path);
/* The hint for an ISO that is not there: where to download it, judged by its file name. */
void media_iso_hint(struct buf *out, const char *path);

#endif
