/* folder.h: a folder opened once, and every name in it reached through that descriptor.
 * Checking a folder by path and writing into it by path again lets anyone who can rename
 * the folder (or a link in its path) between the two send the writes elsewhere; a
 * descriptor keeps naming the folder that was checked. Used by outwrite.c and filewrite.c. */
#ifndef VFIOC_FOLDER_H
#define VFIOC_FOLDER_H

#include <stdbool.h>
#include <stddef.h>

/* Open path as a folder (O_DIRECTORY, close-on-exec). With nofollow, a symlink as the last
 * component is refused (ELOOP): returns -1 with errno set. */
int folder_open(const char *path, bool nofollow);

/* Open the folder name inside dirfd, never through a symlink (O_NOFOLLOW); with create,
 * mkdirat it first when missing and set *made. -1 with errno (ELOOP or ENOTDIR: a
 * symlink or something else where the folder belongs). */
int folder_sub(int dirfd, const char *name, bool create, bool *made);

/* A new empty file in dirfd named PREFIX followed by six random characters, created with
 * O_EXCL | O_NOFOLLOW (mode 0600, as mkstemp). Its name (malloc'd) in *name; returns the
 * descriptor (read-write), or -1 with errno. */
int folder_temp(int dirfd, const char *prefix, char **name);

/* A second name for dirfd/name in the same folder (linkat, the entry itself even when it is
 * a symlink): PREFIX + six random characters, in *alias (malloc'd). 0 or -1 with errno. */
int folder_alias(int dirfd, const char *name, const char *prefix, char **alias);

/* write(2) all of s to fd, through EINTR; 0 or -1 with errno. */
int folder_write_all(int fd, const char *s, size_t n);

#endif
