/*
 * Unit tests for model/api_error: the three body shapes, old integer codes,
 * text and empty bodies, and the dispatch order code > type > status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/api_error.h"
#include "tests/support/fixture.h"

static void decode_fixture(int status, const char *name, const char *hdr, struct api_error *e)
{
	size_t len;
	char *buf = fixture_load(name, &len);

	api_error_decode(status, buf, len, hdr, e);
	free(buf);
}

static void test_empty_and_status_only(void **state)
{
	struct api_error e;

	(void)state;
	api_error_decode(404, NULL, 0, NULL, &e);
	assert_int_equal(e.kind, API_ERR_NOT_FOUND);
	assert_string_equal(e.message, "Not Found");
	assert_string_equal(e.request_id, "");
	api_error_decode(418, "", 0, "hdr-1", &e);
	assert_int_equal(e.kind, API_ERR_UNKNOWN);
	assert_string_equal(e.message, "HTTP error");
	assert_string_equal(e.request_id, "hdr-1");
	api_error_decode(503, "[1,2]", 5, NULL, &e);
	assert_int_equal(e.kind, API_ERR_UNAVAILABLE);
	assert_string_equal(e.message, "Service Unavailable");
}

static void test_envelope(void **state)
{
	struct api_error e;
	char buf[700];

	(void)state;
	decode_fixture(409, "error_envelope.json", "hdr-ignored", &e);
	assert_int_equal(e.kind, API_ERR_INVALID_STATE);
	assert_string_equal(e.code, "invalid_state");
	assert_string_equal(e.type, "InvalidStateError");
	assert_string_equal(e.message,
			    "Cannot restore snapshot while box is running. Stop the box first.");
	assert_string_equal(e.request_id, "req_01HX");
	assert_string_equal(api_error_str(&e, buf, sizeof(buf)),
			    "invalid_state (409): Cannot restore snapshot while box is running. "
			    "Stop the box first. [request req_01HX]");
	decode_fixture(404, "error_envelope_notfound.json", "req-9", &e);
	assert_int_equal(e.kind, API_ERR_NOT_FOUND);
	assert_string_equal(e.request_id, "req-9");
	assert_false(api_error_retryable(&e));
}

static void test_flat_and_bare(void **state)
{
	struct api_error e;

	(void)state;
	decode_fixture(429, "error_flat_429.json", NULL, &e);
	assert_int_equal(e.kind, API_ERR_RESOURCE_EXHAUSTED);
	assert_string_equal(e.message, "Rate limit exceeded, retry in 5s");
	assert_true(api_error_retryable(&e));
	decode_fixture(503, "error_flat_503.json", NULL, &e);
	assert_int_equal(e.kind, API_ERR_UNAVAILABLE);
	assert_string_equal(e.message, "upstream connect error");
	assert_string_equal(e.code, "");
	decode_fixture(500, "error_bare.json", NULL, &e);
	assert_int_equal(e.kind, API_ERR_INTERNAL);
	assert_string_equal(e.message, "snapshot restore failed: disk busy");
	decode_fixture(502, "error_text.txt", NULL, &e);
	assert_int_equal(e.kind, API_ERR_UNAVAILABLE);
	assert_string_equal(e.message, "<html>502 Bad Gateway</html>");
}

static void test_dispatch_order(void **state)
{
	struct api_error e;
	const char *type_only = "{\"error\":{\"message\":\"m\",\"type\":\"AlreadyExistsError\"}}";
	const char *unknown_code = "{\"error\":{\"message\":\"m\",\"code\":\"brand_new\","
				   "\"type\":\"StoppedError\"}}";
	const char *code_and_type = "{\"error\":{\"message\":\"m\",\"code\":\"invalid_state\","
				    "\"type\":\"AlreadyExistsError\"}}";
	const char *storage = "{\"error\":{\"message\":\"disk\",\"code\":\"storage_error\"}}";

	(void)state;
	/* an integer code is the old servers' HTTP status: the type decides */
	decode_fixture(409, "error_old_int_code.json", NULL, &e);
	assert_int_equal(e.kind, API_ERR_ALREADY_EXISTS);
	assert_string_equal(e.code, "");
	api_error_decode(409, type_only, strlen(type_only), NULL, &e);
	assert_int_equal(e.kind, API_ERR_ALREADY_EXISTS);
	api_error_decode(409, unknown_code, strlen(unknown_code), NULL, &e);
	assert_int_equal(e.kind, API_ERR_STOPPED);
	assert_string_equal(e.code, "brand_new");
	api_error_decode(409, code_and_type, strlen(code_and_type), NULL, &e);
	assert_int_equal(e.kind, API_ERR_INVALID_STATE);
	api_error_decode(500, storage, strlen(storage), NULL, &e);
	assert_int_equal(e.kind, API_ERR_INTERNAL);
	api_error_decode(409, "{}", 2, NULL, &e);
	assert_int_equal(e.kind, API_ERR_CONFLICT);
	api_error_decode(401, "{}", 2, NULL, &e);
	assert_int_equal(e.kind, API_ERR_UNAUTHENTICATED);
	api_error_decode(403, "{\"error\":{\"type\":\"AuthError\"}}", 30, NULL, &e);
	assert_int_equal(e.kind, API_ERR_PERMISSION_DENIED);
	api_error_decode(504, NULL, 0, NULL, &e);
	assert_int_equal(e.kind, API_ERR_TIMEOUT);
	assert_true(api_error_retryable(&e));
	assert_string_equal(api_error_kind_name((enum api_error_kind) - 1), "unknown");
	assert_string_equal(api_error_kind_name(API_ERR_PAYLOAD_TOO_LARGE), "payload_too_large");
}

static void test_hostile_bodies(void **state)
{
	struct api_error e;
	size_t n = 1u << 20;
	char *big = malloc(n);

	(void)state;
	memset(big, 'A', n);
	api_error_decode(500, big, n, NULL, &e);
	assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
	big[0] = '{';
	api_error_decode(500, big, n, NULL, &e);
	assert_int_equal(e.kind, API_ERR_INTERNAL);
	free(big);
	api_error_decode(500, "{\"error\":{\"message\":7}}", 24, NULL, &e);
	assert_string_equal(e.message, "Internal Server Error");
	api_error_decode(500, "\n\n\n", 3, NULL, &e);
	assert_string_equal(e.message, "Internal Server Error");
}

/* boxlite serve: the kind before the message, and the framework's own answers. */
static void test_serve_shapes(void **state)
{
	static const char text415[] = "Expected request with `Content-Type: application/json`";
	static const char text422[] =
		"Failed to deserialize the JSON body into the target type: missing field `name`";
	struct api_error e;
	char buf[700];

	(void)state;
	decode_fixture(409, "error_serve_kind.json", "9f2c-uuid", &e);
	assert_int_equal(e.kind, API_ERR_ALREADY_EXISTS);
	assert_string_equal(e.request_id, "9f2c-uuid");
	/* the kind is said once */
	assert_string_equal(
		api_error_str(&e, buf, sizeof(buf)),
		"already_exists (409): snapshot 's1' already exists for box '01JXAMPLE' "
		"[request 9f2c-uuid]");
	/* a kind that only starts the same is kept: "box not found" is more than "not found" */
	api_error_decode(
		404, "{\"error\":{\"message\":\"box not found: x\",\"code\":\"not_found\"}}",
		strlen("{\"error\":{\"message\":\"box not found: x\",\"code\":\"not_found\"}}"),
		NULL, &e);
	assert_string_equal(api_error_str(&e, buf, sizeof(buf)),
			    "not_found (404): box not found: x");
	api_error_decode(415, text415, sizeof(text415) - 1, NULL, &e);
	assert_int_equal(e.kind, API_ERR_INVALID_ARGUMENT);
	assert_string_equal(e.message, text415);
	api_error_decode(422, text422, sizeof(text422) - 1, NULL, &e);
	assert_int_equal(e.kind, API_ERR_INVALID_ARGUMENT);
	assert_string_equal(e.message, text422);
	/* empty: the reason */
	api_error_decode(405, "", 0, NULL, &e);
	assert_int_equal(e.kind, API_ERR_UNSUPPORTED);
	assert_string_equal(e.message, "Method Not Allowed");
	api_error_decode(404, "", 0, NULL, &e);
	assert_string_equal(api_error_str(&e, buf, sizeof(buf)), "not_found (404): Not Found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_status_only), cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_flat_and_bare),         cmocka_unit_test(test_dispatch_order),
		cmocka_unit_test(test_hostile_bodies),        cmocka_unit_test(test_serve_shapes),
	};

	return cmocka_run_group_tests_name("api_error", tests, NULL, NULL);
}
