/*
 * Unit tests for net/actions' pure parts: the name boxtop gives a clone on
 * a server without idempotency, so a clone whose answer was lost can be
 * found by it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/actions.h"
#include "sim/fleet.h"

/* 2026-12-07T13:40:45Z */
#define NOW 1796650845LL

static void name_is(const char *box, const char *want)
{
	char *got = actions_clone_name(box, NOW);

	assert_string_equal(got, want);
	/* whatever the box is called, a name the server takes */
	assert_true(fleet_name_valid(got));
	free(got);
}

static void test_clone_name(void **state)
{
	char long_name[300];

	(void)state;
	name_is("web-1", "web-1-clone-20261207-134045");
	name_is(NULL, "box-clone-20261207-134045");
	name_is("team 42/db", "team-42-db-clone-20261207-134045");
	name_is(".hidden", "bhidden-clone-20261207-134045");
	name_is("é", "b--clone-20261207-134045");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	{
		char *got = actions_clone_name(long_name, NOW);

		assert_true(strlen(got) <= 128);
		assert_true(fleet_name_valid(got));
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
