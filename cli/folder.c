/* folder.c: names inside a folder opened once (folder.h). */
#include "cli/folder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#define TEMP_TRIES 100

int folder_open(const char *path, bool nofollow)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
}

int folder_sub(int dirfd, const char *name, bool create, bool *made)
{
	if (made)
		*made = false;
	if (create && mkdirat(dirfd, name, 0777) == 0 && made)
		*made = true;
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Six characters of [A-Za-z0-9], different on each call (the names need not be secret:
 * O_EXCL or linkat's EEXIST settles a collision, and the caller tries again). */
static void random_tail(char out[7])
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static uint64_t state;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	state ^= (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)getpid() << 32;
	state = state * 6364136223846793005u + 1442695040888963407u;
	uint64_t v = state;
	for (int i = 0; i < 6; i++, v /= 62)
		out[i] = set[v % 62];
	out[6] = '\0';
}

int folder_temp(int dirfd, const char *prefix, char **name)
{
	for (int i = 0; i < TEMP_TRIES; i++) {
		char tail[7];
		random_tail(tail);
		char *n = xasprintf("%s%s", prefix, tail);
		int fd = openat(dirfd, n, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*name = n;
			return fd;
		}
		free(n);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int folder_alias(int dirfd, const char *name, const char *prefix, char **alias)
{
	for (int i = 0; i < TEMP_TRIES; i++) {
		char tail[7];
		random_tail(tail);
		char *n = xasprintf("%s%s", prefix, tail);
		if (linkat(dirfd, name, dirfd, n, 0) == 0) {
			*alias = n;
			return 0;
		}
		free(n);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int folder_write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}
