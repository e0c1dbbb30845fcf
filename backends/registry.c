/* registry.c: the list of backends, in the order their files are produced. Adding a backend
 * is one file and one line here. */
#include <stdlib.h>

#include "backends/backend.h"
#include "backends/emit.h"

extern const struct backend backend_nixos;
extern const struct backend backend_libvirt;
extern const struct backend backend_cmdline;
extern const struct backend backend_distro;

const struct backend *const backends[] = {
	&backend_nixos,
	&backend_libvirt,
	&backend_cmdline,
	&backend_distro,
	NULL,
};

int backends_run(const struct plan *p, struct out_set *out, char **err)
{
	for (size_t i = 0; backends[i]; i++) {
		size_t first = out->n;
		char *why = NULL;
		int rc = backends[i]->emit(p, out, &why);
		if (rc != 0) {
			*err = rc > 0 ? xstrdup(why) : xasprintf("%s: %s", backends[i]->name,
								 why ? why : "failed");
			free(why);
			return rc < 0 ? -1 : 1;
		}
		for (size_t j = first; j < out->n; j++)
			out->files[j].backend = backends[i];
	}
	return 0;
}

char *backends_marker(const struct plan *p)
{
	return emit_marker(p);
}
