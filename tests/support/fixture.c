/*
 * fixture: see fixture.h. Reads with stdio; fixtures are small.
 */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "model/xalloc.h"

char *fixture_load(const char *name, size_t *len)
{
	const char *dir = getenv("BOXTOP_FIXTURES");
	char *path = xasprintf("%s/%s", dir != NULL ? dir : "tests/fixtures", name);
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL)
		fail_msg("cannot open fixture %s", path);
	if (fseek(f, 0, SEEK_END) != 0)
		fail_msg("cannot seek fixture %s", path);
	size = ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail_msg("cannot size fixture %s", path);
	buf = xmalloc((size_t)size + 1);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size)
		fail_msg("cannot read fixture %s", path);
	buf[size] = '\0';
	*len = (size_t)size;
	fclose(f);
	free(path);
	return buf;
}
