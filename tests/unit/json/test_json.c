/*
 * Unit tests for model/json and model/timeutil: the field readers, the
 * absent/null/value distinction, integer checks, and hostile documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/json.h"
#include "model/timeutil.h"
#include "model/xalloc.h"

static cJSON *parse(const char *text, struct decode_error *err)
{
	struct json_ctx ctx = {"test", err};

	return json_parse(text, strlen(text), &ctx);
}

static void test_parse_degenerate(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"test", &err};

	(void)state;
	assert_null(json_parse(NULL, 0, &ctx));
	assert_string_equal(err.message, "empty response body");
	assert_null(json_parse("", 0, &ctx));
	assert_null(json_parse("{}", 0, &ctx));
	assert_null(parse("{", &err));
	assert_string_equal(err.message, "not valid JSON");
	assert_null(parse("NaN", &err));
	assert_null(parse("{\"a\": NaN}", &err));
	/* a NULL ctx or err is allowed: the caller only wants yes or no */
	assert_null(json_parse("x", 1, NULL));
}

static void test_parse_not_nul_terminated(void **state)
{
	char buf[16];
	cJSON *root;

	(void)state;
	memcpy(buf, "{\"a\":1}XXXXXXXXX", 16);
	root = json_parse(buf, 7, NULL);
	assert_non_null(root);
	assert_int_equal(cJSON_GetObjectItem(root, "a")->valueint, 1);
	cJSON_Delete(root);
}

static char *nested(int depth, char open, char close)
{
	char *s = xmalloc((size_t)depth * 2 + 1);

	memset(s, open, (size_t)depth);
	memset(s + depth, close, (size_t)depth);
	s[depth * 2] = '\0';
	return s;
}

static void test_parse_depth_bounded(void **state)
{
	struct decode_error err = {0};
	char *ok = nested(JSON_MAX_DEPTH, '[', ']');
	char *deep = nested(2000, '[', ']');
	char *deep_obj = xstrdup("{\"a\":");
	cJSON *root;

	(void)state;
	root = parse(ok, &err);
	assert_non_null(root);
	cJSON_Delete(root);
	assert_null(parse(deep, &err));
	assert_non_null(strstr(err.message, "nested deeper"));
	/* brackets inside strings do not count */
	root = parse(
		"{\"s\": "
		"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[\"}",
		&err);
	assert_non_null(root);
	cJSON_Delete(root);
	for (int i = 0; i < 100; i++) {
		char *next = xasprintf("%s{\"a\":", deep_obj);

		free(deep_obj);
		deep_obj = next;
	}
	assert_null(parse(deep_obj, &err));
	free(ok);
	free(deep);
	free(deep_obj);
}

static void test_parse_size_cap(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"test", &err};

	(void)state;
	/* the cap is checked before the bytes are read */
	assert_null(json_parse("{}", (size_t)JSON_MAX_BYTES + 1, &ctx));
	assert_non_null(strstr(err.message, "over the"));
}

static void test_big_string(void **state)
{
	size_t n = 10u * 1024 * 1024;
	char *doc = xmalloc(n + 16);
	struct decode_error err = {0};
	struct json_ctx ctx = {"test", &err};
	cJSON *root;
	char *s = NULL;

	(void)state;
	strcpy(doc, "{\"s\":\"");
	memset(doc + 6, 'x', n);
	strcpy(doc + 6 + n, "\"}");
	root = json_parse(doc, strlen(doc), &ctx);
	assert_non_null(root);
	assert_int_equal(json_req_string(root, "s", &ctx, &s), 0);
	assert_int_equal(strlen(s), n);
	free(s);
	cJSON_Delete(root);
	free(doc);
}

static void test_strings(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"box", &err};
	cJSON *root = parse("{\"a\":\"x\",\"n\":null,\"i\":3,\"e\":\"\"}", &err);
	char *s = (char *)1;

	(void)state;
	assert_int_equal(json_req_string(root, "a", &ctx, &s), 0);
	assert_string_equal(s, "x");
	free(s);
	assert_int_equal(json_req_string(root, "e", &ctx, &s), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(json_req_string(root, "missing", &ctx, &s), -1);
	assert_null(s);
	assert_string_equal(err.object, "box");
	assert_string_equal(err.field, "missing");
	assert_string_equal(err.message, "required but missing");
	assert_int_equal(json_req_string(root, "n", &ctx, &s), -1);
	assert_int_equal(json_req_string(root, "i", &ctx, &s), -1);
	assert_string_equal(err.message, "expected a string");
	assert_int_equal(json_opt_string(root, "n", &ctx, &s), 0);
	assert_null(s);
	assert_int_equal(json_opt_string(root, "missing", &ctx, &s), 0);
	assert_null(s);
	assert_int_equal(json_opt_string(root, "i", &ctx, &s), -1);
	cJSON_Delete(root);
}

static void test_error_string(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"box", &err};
	char buf[256];

	(void)state;
	json_fail(&ctx, "cpus", "expected an integer");
	assert_string_equal(decode_error_str(&err, buf, sizeof(buf)),
			    "box: field 'cpus': expected an integer");
	json_fail(&ctx, NULL, "not valid JSON");
	assert_string_equal(decode_error_str(&err, buf, sizeof(buf)), "box: not valid JSON");
}

static void test_nullable_ints(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"box", &err};
	cJSON *root = parse("{\"zero\":0,\"null\":null,\"neg\":-5,\"big\":1e400,\"frac\":1.5,"
			    "\"huge\":9007199254740993,\"str\":\"1\",\"exp\":1e3}",
			    &err);
	struct opt_i64 o;
	int64_t v;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_opt_i64(root, "zero", -10, 10, &ctx, &o), 0);
	assert_int_equal(o.state, OPT_SET);
	assert_int_equal(o.v, 0);
	assert_int_equal(json_opt_i64(root, "null", -10, 10, &ctx, &o), 0);
	assert_int_equal(o.state, OPT_NULL);
	assert_int_equal(json_opt_i64(root, "absent", -10, 10, &ctx, &o), 0);
	assert_int_equal(o.state, OPT_ABSENT);
	assert_int_equal(json_opt_i64(root, "neg", 0, 10, &ctx, &o), -1);
	assert_non_null(strstr(err.message, "out of range"));
	assert_int_equal(json_opt_i64(root, "neg", -10, 10, &ctx, &o), 0);
	assert_int_equal(o.v, -5);
	/* 1e400 overflows to infinity in strtod: refused, never saturated */
	assert_int_equal(json_req_i64(root, "big", 0, JSON_INT_MAX, &ctx, &v), -1);
	assert_int_equal(json_req_i64(root, "frac", 0, 10, &ctx, &v), -1);
	assert_non_null(strstr(err.message, "expected an integer"));
	assert_int_equal(json_req_i64(root, "huge", 0, INT64_MAX, &ctx, &v), -1);
	assert_int_equal(json_req_i64(root, "str", 0, 10, &ctx, &v), -1);
	assert_int_equal(json_req_i64(root, "exp", 0, 10000, &ctx, &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(json_req_i64(root, "null", 0, 10, &ctx, &v), -1);
	cJSON_Delete(root);
}

static void test_nullable_floats_and_bools(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"m", &err};
	cJSON *root = parse(
		"{\"z\":0,\"n\":null,\"f\":12.5,\"big\":-1e400,\"t\":true,\"s\":\"true\"}", &err);
	struct opt_f64 f;
	bool b;

	(void)state;
	assert_int_equal(json_opt_f64(root, "z", 0, 100, &ctx, &f), 0);
	assert_int_equal(f.state, OPT_SET);
	assert_true(f.v == 0.0);
	assert_int_equal(json_opt_f64(root, "n", 0, 100, &ctx, &f), 0);
	assert_int_equal(f.state, OPT_NULL);
	assert_int_equal(json_opt_f64(root, "f", 0, 100, &ctx, &f), 0);
	assert_true(f.v == 12.5);
	assert_int_equal(json_opt_f64(root, "f", 0, 10, &ctx, &f), -1);
	assert_int_equal(json_opt_f64(root, "big", -1e300, 100, &ctx, &f), -1);
	assert_int_equal(json_opt_bool(root, "t", false, &ctx, &b), 0);
	assert_true(b);
	assert_int_equal(json_opt_bool(root, "absent", true, &ctx, &b), 0);
	assert_true(b);
	assert_int_equal(json_opt_bool(root, "n", false, &ctx, &b), 0);
	assert_false(b);
	assert_int_equal(json_opt_bool(root, "s", false, &ctx, &b), -1);
	cJSON_Delete(root);
}

static void test_times(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"snapshot", &err};
	cJSON *root =
		parse("{\"i\":1793527200,\"s\":\"2026-11-01T10:00:00Z\",\"bad\":\"yesterday\","
		      "\"neg\":-1,\"n\":null}",
		      &err);
	struct opt_i64 o;
	int64_t t;

	(void)state;
	assert_int_equal(json_req_time(root, "i", &ctx, &t), 0);
	assert_int_equal(t, 1793527200);
	assert_int_equal(json_req_time(root, "s", &ctx, &t), 0);
	assert_int_equal(t, 1793527200);
	assert_int_equal(json_req_time(root, "bad", &ctx, &t), -1);
	assert_string_equal(err.message, "not an RFC 3339 timestamp");
	assert_int_equal(json_req_time(root, "neg", &ctx, &t), -1);
	assert_int_equal(json_opt_time(root, "n", &ctx, &o), 0);
	assert_int_equal(o.state, OPT_NULL);
	cJSON_Delete(root);
}

static void test_rfc3339(void **state)
{
	int64_t t = 0;
	char buf[32];

	(void)state;
	assert_int_equal(time_parse_rfc3339(NULL, &t), -1);
	assert_int_equal(time_parse_rfc3339("", &t), -1);
	assert_int_equal(time_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(time_parse_rfc3339("2026-11-01T10:00:00.123456789Z", &t), 0);
	assert_int_equal(t, 1793527200);
	assert_int_equal(time_parse_rfc3339("2026-11-01T12:00:00+02:00", &t), 0);
	assert_int_equal(t, 1793527200);
	assert_int_equal(time_parse_rfc3339("2026-11-01t05:30:00-04:30", &t), 0);
	assert_int_equal(t, 1793527200);
	assert_int_equal(time_parse_rfc3339("2026-11-01 10:00:00z", &t), 0);
	assert_int_equal(time_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(time_parse_rfc3339("2023-02-29T00:00:00Z", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-13-01T00:00:00Z", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-11-01T24:00:00Z", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-11-01T10:00:00", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-11-01T10:00:00.Z", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-11-01T10:00:00Zjunk", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-11-01T10:00:00+2:00", &t), -1);
	assert_string_equal(time_format_rfc3339(1793527200, buf, sizeof(buf)),
			    "2026-11-01T10:00:00Z");
}

static void test_arrays_and_kv(void **state)
{
	struct decode_error err = {0};
	struct json_ctx ctx = {"x", &err};
	cJSON *root =
		parse("{\"v\":[\"a\",\"b\"],\"bad\":[\"a\",1],\"o\":{\"k\":\"v\",\"k2\":\"\"},"
		      "\"badkv\":{\"k\":1},\"n\":null}",
		      &err);
	char **v;
	size_t n;
	struct kv *kv;

	(void)state;
	assert_int_equal(json_strv(root, "v", true, &ctx, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "b");
	json_strv_free(&v, n);
	assert_null(v);
	assert_int_equal(json_strv(root, "bad", true, &ctx, &v, &n), -1);
	assert_null(v);
	assert_int_equal(json_strv(root, "n", false, &ctx, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(json_strv(root, "n", true, &ctx, &v, &n), -1);
	assert_int_equal(json_kv(root, "o", &ctx, &kv, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(kv_get(kv, n, "k"), "v");
	assert_string_equal(kv_get(kv, n, "k2"), "");
	assert_null(kv_get(kv, n, "nope"));
	kv_free(&kv, n);
	assert_int_equal(json_kv(root, "badkv", &ctx, &kv, &n), -1);
	assert_null(kv);
	assert_int_equal(json_kv(root, "v", &ctx, &kv, &n), -1);
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_degenerate),
		cmocka_unit_test(test_parse_not_nul_terminated),
		cmocka_unit_test(test_parse_depth_bounded),
		cmocka_unit_test(test_parse_size_cap),
		cmocka_unit_test(test_big_string),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_error_string),
		cmocka_unit_test(test_nullable_ints),
		cmocka_unit_test(test_nullable_floats_and_bools),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_arrays_and_kv),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
