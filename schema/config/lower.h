/* lower.h: config text -> struct config, checked against the schema only (lower.c). */
#ifndef VFIOC_LOWER_H
#define VFIOC_LOWER_H

#include <stddef.h>

#include "base/diag.h"
#include "model/config.h"

/* Read and lower a config (schema checks only). NULL on any error. Free with config_free. */
struct config *config_load(const char *path, struct diags *ds);
struct config *config_load_mem(const char *name, const char *text, size_t len, struct diags *ds);
void config_free(struct config *cfg);

#endif
