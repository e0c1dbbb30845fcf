/* hwsource.h: where the hardware of a run comes from (hwsource.c). */
#ifndef VFIOC_HWSOURCE_H
#define VFIOC_HWSOURCE_H

#include "base/diag.h"
#include "hw/hw.h"
#include "model/config.h"

/* Where the hardware comes from; both NULL: `hardware:` of the config, else the live host. */
struct hw_opts {
	const char *root;      /* --root DIR */
	const char *snapshot;  /* --hardware FILE */
};

/* Obtain the hardware for cfg according to opts (see above). NULL on failure. */
struct hw *hw_for_config(const struct config *cfg, const struct hw_opts *opts, struct diags *ds);

#endif
