/*
 * Unit tests for model/server_config: the full spec shape, `boxlite serve`
 * (capabilities only), a cloud with everything off, and an empty object
 * (every capability then unsupported).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/server_config.h"
#include "tests/support/fixture.h"

static struct server_config *load(const char *name)
{
	struct decode_error err = {0};
	struct server_config *c = NULL;
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (server_config_decode(buf, len, &c, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
	return c;
}

static void test_degenerate(void **state)
{
	struct decode_error err = {0};
	struct server_config *c = NULL;
	const char *bad_flag = "{\"capabilities\":{\"clone_enabled\":\"yes\"}}";
	const char *bad_caps = "{\"capabilities\":[]}";

	(void)state;
	assert_int_equal(server_config_decode(bad_flag, strlen(bad_flag), &c, &err), -1);
	assert_string_equal(err.field, "clone_enabled");
	assert_int_equal(server_config_decode(bad_caps, strlen(bad_caps), &c, &err), -1);
	assert_string_equal(err.field, "capabilities");
	assert_null(c);
	server_config_free(&c);
	assert_string_equal(capability_flag((enum capability)99), "unknown");
}

static void test_spec(void **state)
{
	struct server_config *c = load("config_spec.json");

	(void)state;
	assert_int_equal(c->default_cpus.v, 2);
	assert_int_equal(c->default_auto_delete.state, OPT_SET);
	assert_int_equal(c->default_auto_delete.v, 0);
	assert_string_equal(kv_get(c->overrides, c->n_overrides, "network_mode"), "isolated");
	assert_true(c->caps[CAP_SNAPSHOTS]);
	assert_true(c->caps[CAP_IMPORT]);
	assert_false(c->caps[CAP_INBOUND_UPDATE]);
	assert_int_equal(c->file_transfer_max_bytes.v, 1073741824);
	assert_true(c->exec_timeout_max_seconds.v == 3600.5);
	assert_string_equal(c->idempotency_key_lifetime, "PT24H");
	server_config_free(&c);
	assert_null(c);
}

static void test_serve_cloud_empty(void **state)
{
	struct server_config *c = load("config_serve.json");

	(void)state;
	/* boxlite serve: five flags, no limits, no idempotency */
	for (int i = 0; i < CAP_COUNT; i++) {
		bool sent = i != CAP_TTY && i != CAP_STREAMING && i != CAP_INBOUND_UPDATE;

		assert_int_equal(c->caps[i], sent);
		assert_int_equal(c->caps_said[i], sent);
	}
	assert_false(server_config_idempotent(c));
	assert_int_equal(c->default_cpus.state, OPT_ABSENT);
	assert_int_equal(c->max_cpus.state, OPT_ABSENT);
	server_config_free(&c);
	c = load("config_cloud_disabled.json");
	for (int i = 0; i < CAP_COUNT; i++)
		assert_false(c->caps[i]);
	assert_int_equal(c->n_overrides, 0);
	server_config_free(&c);
	c = load("config_partial.json");
	assert_true(c->caps[CAP_SNAPSHOTS]);
	assert_false(c->caps[CAP_CLONE]);
	assert_false(c->caps[CAP_EXPORT]);
	assert_false(c->caps[CAP_IMPORT]);
	assert_int_equal(c->max_cpus.v, 8);
	server_config_free(&c);
	c = load("config_empty.json");
	for (int i = 0; i < CAP_COUNT; i++) {
		assert_false(c->caps[i]);
		assert_false(c->caps_said[i]);
	}
	server_config_free(&c);
	c = load("config_spec.json");
	assert_true(server_config_idempotent(c));
	server_config_free(&c);
	assert_false(server_config_idempotent(NULL));
	/* the official client gates these four only */
	for (int i = 0; i < CAP_COUNT; i++)
		assert_int_equal(capability_gated((enum capability)i),
				 i == CAP_SNAPSHOTS || i == CAP_CLONE || i == CAP_EXPORT ||
					 i == CAP_IMPORT);
	assert_string_equal(capability_flag(CAP_EXPORT), "export_enabled");
	assert_string_equal(capability_noun(CAP_SNAPSHOTS), "snapshot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_serve_cloud_empty),
	};

	return cmocka_run_group_tests_name("server_config", tests, NULL, NULL);
}
