/*
 * Unit tests for model/principal: a cloud user with a multi-segment prefix,
 * a service account with null prefix, and `boxlite serve`'s `prefix` field
 * that must be ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/principal.h"
#include "tests/support/fixture.h"

static struct principal *load(const char *name)
{
	struct decode_error err = {0};
	struct principal *p = NULL;
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (principal_decode(buf, len, &p, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
	return p;
}

static void test_degenerate(void **state)
{
	struct decode_error err = {0};
	struct principal *p = NULL;

	(void)state;
	assert_int_equal(principal_decode("{}", 2, &p, &err), -1);
	assert_string_equal(err.field, "sub");
	assert_int_equal(principal_decode("{\"sub\":\"a\",\"scopes\":\"x\"}", 24, &p, &err), -1);
	assert_string_equal(err.field, "scopes");
	assert_null(p);
	principal_free(&p);
}

static void test_shapes(void **state)
{
	struct principal *p = load("me_cloud.json");

	(void)state;
	assert_string_equal(p->path_prefix, "us-east/team-42");
	assert_int_equal(p->n_scopes, 2);
	assert_string_equal(p->scopes[1], "boxes:write");
	assert_string_equal(principal_display(p), "Ops Team");
	assert_int_equal(p->expires_at.v, 1796083200);
	principal_free(&p);
	p = load("me_service.json");
	assert_null(p->path_prefix);
	assert_null(p->email);
	assert_int_equal(p->expires_at.state, OPT_NULL);
	assert_string_equal(principal_display(p), "sa_77");
	principal_free(&p);
	p = load("me_serve.json");
	assert_null(p->path_prefix);
	assert_int_equal(p->n_scopes, 0);
	principal_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_shapes),
	};

	return cmocka_run_group_tests_name("principal", tests, NULL, NULL);
}
