/* manifest.c: apply's record, as text (manifest.h):
 *   # comment
 *   vfioc-apply 1
 *   dir PATH
 *   file SHA256 BACKUP|- PATH
 *   undo LINE
 *   regenerate LINE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "tools/apply/manifest.h"

void sha_hex(const struct buf *data, char out[SHA_HEX])
{
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	sha256_init(&s);
	sha256_add(&s, buf_str(data), data->len);
	sha256_done(&s, d);
	for (size_t i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void manifest_add(struct manifest *m, const char *path, const char *sha, const char *backup)
{
	m->f = grow(m->f, &m->cap, m->n + 1, sizeof(*m->f));
	struct owned *o = &m->f[m->n++];
	o->path = xstrdup(path);
	snprintf(o->sha, sizeof(o->sha), "%s", sha);
	o->backup = backup ? xstrdup(backup) : NULL;
}

struct owned *manifest_find(struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->f[i].path, path))
			return &m->f[i];
	return NULL;
}

static bool backup_name_ok(const char *s)
{
	return s[0] == 'b' && s[1] && strspn(s + 1, "0123456789") == strlen(s + 1);
}

static bool parse_line(char *line, struct manifest *m, bool *header)
{
	if (!*line || *line == '#')
		return true;
	if (!strcmp(line, "vfioc-apply 1"))
		return *header = true;
	if (!*header)
		return false;
	if (!strncmp(line, "dir ", 4) && tree_path_ok(line + 4)) {
		strv_add(&m->dirs, line + 4);
		return true;
	}
	if (!strncmp(line, "undo ", 5) && line[5]) {
		strv_add(&m->undo, line + 5);
		return true;
	}
	if (!strncmp(line, "regenerate ", 11) && line[11]) {
		strv_add(&m->regenerate, line + 11);
		return true;
	}
	char sha[SHA_HEX], backup[32], path[1100];
	int end = 0;
	if (strncmp(line, "file ", 5) ||
	    sscanf(line, "file %64[0-9a-f] %31s %1099s%n", sha, backup, path, &end) != 3 ||
	    line[end] || strlen(sha) != SHA_HEX - 1 || !tree_path_ok(path) ||
	    (strcmp(backup, "-") && !backup_name_ok(backup)) || manifest_find(m, path))
		return false;
	manifest_add(m, path, sha, strcmp(backup, "-") ? backup : NULL);
	return true;
}

bool manifest_parse(const char *text, struct manifest *m, size_t *bad_line)
{
	char *copy = xstrdup(text), *p = copy;
	bool header = false, ok = true;
	size_t n = 0;
	while (ok && *p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		n++;
		ok = parse_line(p, m, &header);
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(copy);
	if (ok && !header)
		ok = false, n = 1;
	if (!ok)
		*bad_line = n;
	return ok;
}

void manifest_format(const struct manifest *m, struct buf *out)
{
	buf_puts(out, "# vfioc apply: what it changed under this root. 'vfioc apply --undo' puts back\n"
		 "# what was there before; do not edit.\nvfioc-apply 1\n");
	for (size_t i = 0; i < m->dirs.n; i++)
		buf_printf(out, "dir %s\n", m->dirs.v[i]);
	for (size_t i = 0; i < m->n; i++)
		buf_printf(out, "file %s %s %s\n", m->f[i].sha, m->f[i].backup ? m->f[i].backup : "-",
			   m->f[i].path);
	for (size_t i = 0; i < m->undo.n; i++)
		buf_printf(out, "undo %s\n", m->undo.v[i]);
	for (size_t i = 0; i < m->regenerate.n; i++)
		buf_printf(out, "regenerate %s\n", m->regenerate.v[i]);
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->f[i].path);
		free(m->f[i].backup);
	}
	free(m->f);
	strv_free(&m->dirs);
	strv_free(&m->undo);
	strv_free(&m->regenerate);
	*m = (struct manifest){0};
}
