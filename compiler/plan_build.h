/* plan_build.h: the plan built from a checked context, for the pipeline (plan.c; its parts
 * are plan_parts.h). The plan reads what was resolved before the checks (cx->res,
 * resolve.h); the checks know nothing of the plan. */
#ifndef VFIOC_PLAN_BUILD_H
#define VFIOC_PLAN_BUILD_H

#include "compiler/check.h"
#include "compiler/plan.h"

/* Build the plan from a checked context with no errors. outdir: see check_and_plan
 * (pipeline.h). */
struct plan *plan_build(const struct check_ctx *cx, const char *outdir);

#endif
