/* replay.c: feeds corpus files to the fuzz targets without libFuzzer, so `make check` replays
 * the corpus with the normal compiler. Included by tests/unit/test_fuzz_replay.c, which
 * defines struct replay_target and replay_targets[] first. A file's target is the name of the
 * directory it sits in. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct replay_target *replay_find(const char *dir)
{
	const char *base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	for (size_t i = 0; i < replay_ntargets; i++)
		if (strcmp(replay_targets[i].name, base) == 0)
			return &replay_targets[i];
	return NULL;
}

/* Read all of path into a fresh malloc'd buffer (exactly size bytes, like libFuzzer). */
static uint8_t *replay_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *p = malloc(cap);
	for (size_t r; p && (r = fread(p + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap)
			p = realloc(p, cap *= 2);
	}
	fclose(f);
	uint8_t *exact = p ? malloc(n ? n : 1) : NULL;
	if (exact)
		memcpy(exact, p, n);
	free(p);
	*size = n;
	return exact;
}

static int replay_file(const char *path, const struct replay_target *t)
{
	size_t size;
	uint8_t *data = replay_read(path, &size);
	if (!data) {
		printf("FAIL %s: cannot read\n", path);
		return 1;
	}
	t->one(data, size);
	free(data);
	printf("ok %s/%s\n", t->name, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	fflush(stdout);
	return 0;
}

/* A target directory (files, sorted), or a corpus root holding target directories. */
static int replay_dir(const char *dir, const struct replay_target *t)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), failed = 0;
	if (n < 0) {
		printf("FAIL %s: cannot list\n", dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0) {
			const struct replay_target *sub = replay_find(path);
			if (S_ISDIR(st.st_mode) && sub)
				failed += replay_dir(path, sub);
			else if (S_ISREG(st.st_mode) && t)
				failed += replay_file(path, t);
		}
		free(ents[i]);
	}
	free(ents);
	return failed;
}

/* Arguments: corpus roots, target directories, or single files. None: nothing to do (the
 * t-unit run); tests/t-fuzz-replay.sh passes the corpus. */
int main(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s", argv[i]);
		char *slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		if (stat(argv[i], &st) != 0) {
			printf("FAIL %s: not found\n", argv[i]);
			failed++;
		} else if (S_ISDIR(st.st_mode)) {
			failed += replay_dir(argv[i], replay_find(argv[i]));
		} else if (replay_find(parent)) {
			failed += replay_file(argv[i], replay_find(parent));
		} else {
			printf("FAIL %s: not in a target directory\n", argv[i]);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
