/* harness.h: a tiny unit-test harness. Each check prints one "ok NAME" or "FAIL NAME" line;
 * main returns the number of failures. */
#ifndef VFIOC_HARNESS_H
#define VFIOC_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_failed;

#define OK(cond, name) do { \
	if (cond) printf("ok %s\n", name); \
	else { printf("FAIL %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond); harness_failed++; } \
} while (0)

#define INT_EQ(got, want, name) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ == w_) printf("ok %s\n", name); \
	else { printf("FAIL %s (%s:%d: got %lld, want %lld)\n", name, __FILE__, __LINE__, g_, w_); \
		harness_failed++; } \
} while (0)

#define STR_EQ(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && strcmp(g_, w_) == 0) printf("ok %s\n", name); \
	else { printf("FAIL %s (%s:%d: got \"%s\", want \"%s\")\n", name, __FILE__, __LINE__, \
		g_ ? g_ : "(null)", w_ ? w_ : "(null)"); harness_failed++; } \
} while (0)

#define HARNESS_END() return harness_failed ? 1 : 0

#endif
