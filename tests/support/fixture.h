/*
 * fixture: test data files under tests/fixtures (or $BOXTOP_FIXTURES).
 */
#ifndef BOXTOP_TESTS_FIXTURE_H
#define BOXTOP_TESTS_FIXTURE_H

#include <stddef.h>

/* The whole file, NUL-terminated for convenience (len excludes it). Fails the
 * running test when the file cannot be read. Caller frees. */
char *fixture_load(const char *name, size_t *len);

#endif
