/*
 * Unit tests for sim/images: the degenerate cases of making and freeing the
 * cache (the routes themselves are driven over HTTP by
 * tests/integration/t_images.sh). Run under ASan, these catch a leak or a
 * double free in the seeded catalog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/fleet.h"
#include "sim/images.h"

static void test_free_null(void **state)
{
	struct images *im = NULL;

	(void)state;
	images_free(NULL);
	images_free(&im);
	assert_null(im);
}

static void test_new_without_fleet(void **state)
{
	struct images *im = images_new(0, NULL);

	(void)state;
	assert_non_null(im);
	images_free(&im);
	assert_null(im);
	images_free(&im);
}

static void test_new_with_fleet(void **state)
{
	struct fleet *f = fleet_new(1, 3);
	struct images *a = images_new(1, f);
	struct images *b = images_new(UINT64_MAX, f);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	images_free(&a);
	images_free(&b);
	assert_null(a);
	assert_null(b);
	fleet_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_new_without_fleet),
		cmocka_unit_test(test_new_with_fleet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
