/* media.c: what to do about a disk image or ISO that is not there (media.h), worded once for
 * `vfioc check` and `vfioc verify`. */
#include <string.h>

#include "model/media.h"

void media_disk_hint(struct buf *out, const char *format, const char *path)
{
	if (!strncmp(path, "/dev/", 5))
		buf_puts(out, "connect the disk, or name it as 'ls -l /dev/disk/by-id' shows it");
	else
		buf_printf(out, "create it: sudo qemu-img create -f %s %s " MEDIA_DISK_SIZE, format,
			   path);
}

void media_iso_hint(struct buf *out, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	bool placeholder = strstr(path, MEDIA_PLACEHOLDER) != NULL;
	if (str_has_ci(base, "virtio"))
		buf_puts(out, "download the virtio-win drivers from " MEDIA_VIRTIO_URL);
	else if (str_has_ci(base, "win"))
		buf_puts(out, "download Windows from " MEDIA_WINDOWS_URL);
	else
		buf_puts(out, "put the ISO there, or write 'cdrom: empty' for a drive without media");
	if (placeholder)
		buf_puts(out, ", and write its path in place of this placeholder");
	else if (str_has_ci(base, "win"))
		buf_printf(out, " to %s", path);
}
