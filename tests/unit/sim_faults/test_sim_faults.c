/*
 * Unit tests for sim/faults and sim/fleet_control: spec and JSON parsing
 * (every refusal with its message), glob matching, rate, count, rule order,
 * the listing, clear, the expired key; boxes added, re-stated and removed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/box.h"
#include "sim/faults.h"
#include "sim/fleet.h"
#include "sim/fleet_control.h"
#include "model/xalloc.h"

static struct fault_plan plan(struct faults *f, const char *method, const char *path)
{
	struct fault_plan p;

	faults_plan(f, method, path, &p);
	return p;
}

static void add_ok(struct faults *f, const char *spec)
{
	char err[256] = "";

	if (faults_add_spec(f, spec, err, sizeof(err)) != 0)
		fail_msg("%s: %s", spec, err);
}

/* The spec is refused with a message containing want. */
static void add_bad(const char *spec, const char *want)
{
	struct faults *f = faults_new(1);
	char err[256] = "";
	cJSON *list;

	if (faults_add_spec(f, spec, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", spec);
	if (strstr(err, want) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", spec, err, want);
	list = faults_to_json(f);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	faults_free(&f);
}

static void test_degenerate(void **state)
{
	struct faults *f = faults_new(0);
	struct fault_plan p = plan(f, "GET", "/v1/boxes");
	char err[64];

	(void)state;
	assert_int_equal(p.status, 0);
	assert_int_equal(p.drop_after, -1);
	assert_false(p.truncate);
	assert_int_equal(faults_add_spec(f, NULL, err, sizeof(err)), -1);
	assert_int_equal(faults_add_json(f, NULL, err, sizeof(err)), -1);
	faults_clear(f);
	faults_free(&f);
	assert_null(f);
	faults_free(&f);
	faults_free(NULL);
}

static void test_spec_good(void **state)
{
	struct faults *f = faults_new(1);
	struct fault_plan p;

	(void)state;
	add_ok(f, "GET /v1/metrics:status=503,retry_after=7,latency_ms=400,count=1");
	add_ok(f, "post /v1/boxes/*/export:drip_ms=5,drop_after=1024,pad_bytes=10,rate=1.0");
	add_ok(f, "* /v1/images/alpine:3.20:status=404");
	add_ok(f, "GET /v1/boxes:truncate=1,rate=.5");
	add_ok(f, "GET /v1/me:not_json=1,truncate=0");
	p = plan(f, "GET", "/v1/metrics");
	assert_int_equal(p.status, 503);
	assert_int_equal(p.retry_after, 7);
	assert_int_equal(p.latency_ms, 400);
	assert_int_equal(p.drop_after, -1);
	p = plan(f, "POST", "/v1/boxes/abc/export");
	assert_int_equal(p.drip_ms, 5);
	assert_int_equal(p.drop_after, 1024);
	assert_int_equal(p.pad_bytes, 10);
	assert_int_equal(p.status, 0);
	p = plan(f, "DELETE", "/v1/images/alpine:3.20");
	assert_int_equal(p.status, 404);
	p = plan(f, "GET", "/v1/me");
	assert_true(p.not_json);
	assert_false(p.truncate);
	assert_false(p.hangup);
	add_ok(f, "GET /v1/boxes/*/executions/*/attach:hangup=1");
	p = plan(f, "GET", "/v1/boxes/b1/executions/e1/attach");
	assert_true(p.hangup);
	assert_false(p.cut);
	faults_free(&f);
}

static void test_spec_bad(void **state)
{
	(void)state;
	add_bad("", "expected \"METHOD PATTERN:key=value,...\"");
	add_bad("GET /v1/boxes", "expected");
	add_bad("GET:status=500", "expected");
	add_bad(" /v1/boxes:status=500", "method must be");
	add_bad("G3T /v1/boxes:status=500", "method must be");
	add_bad("GET v1/boxes:status=500", "path pattern must start with '/' or '*'");
	add_bad("GET  /v1/boxes:status=500", "path pattern");
	add_bad("GET /v1/boxes:", "no key=value after ':'");
	add_bad("GET /v1/boxes:status=500,", "empty key=value pair");
	add_bad("GET /v1/boxes:status=500,,count=1", "empty key=value pair");
	add_bad("GET /v1/boxes:bogus=1", "unknown key 'bogus'");
	add_bad("GET /v1/boxes:Status=500", "unknown key 'Status'");
	add_bad("GET /v1/boxes:status", "status needs a value");
	add_bad("GET /v1/boxes:status=", "status: '' is not a non-negative integer");
	add_bad("GET /v1/boxes:status=5O3", "status: '5O3' is not a non-negative integer");
	add_bad("GET /v1/boxes:status=-500", "is not a non-negative integer");
	add_bad("GET /v1/boxes:status=+500", "is not a non-negative integer");
	add_bad("GET /v1/boxes:latency_ms=99999999999999999999", "is not a non-negative integer");
	add_bad("GET /v1/boxes:status=200", "status must be an HTTP error status, 400-599");
	add_bad("GET /v1/boxes:status=600", "400-599");
	add_bad("GET /v1/boxes:status=399", "400-599");
	add_bad("GET /v1/boxes:rate=1.5", "rate must be a number from 0 to 1");
	add_bad("GET /v1/boxes:rate=-0.5", "rate: '-0.5' is not a number");
	add_bad("GET /v1/boxes:rate=abc", "rate: 'abc' is not a number");
	add_bad("GET /v1/boxes:rate=0.5.5", "is not a number");
	add_bad("GET /v1/boxes:rate=1e-3", "is not a number");
	add_bad("GET /v1/boxes:truncate=2", "truncate must be 0 or 1");
	add_bad("GET /v1/boxes/*/attach:hangup=2", "hangup must be 0 or 1");
	add_bad("GET /v1/boxes:not_json=yes", "not_json: 'yes' is not");
	add_bad("GET /v1/boxes:count=0", "count must be an integer from 1 to");
	add_bad("GET /v1/boxes:latency_ms=600001",
		"latency_ms must be an integer from 0 to 600000");
	add_bad("GET /v1/boxes:status=500,status=503", "status given twice");
	add_bad("GET /v1/boxes:retry_after=5", "retry_after needs a status");
	add_bad("GET /v1/boxes:truncate=1,not_json=1", "exclude each other");
}

static void test_full(void **state)
{
	struct faults *f = faults_new(1);
	char err[256] = "";
	char spec[64];
	int i;

	(void)state;
	for (i = 0; i < 64; i++) {
		snprintf(spec, sizeof(spec), "GET /r%d:status=500", i);
		add_ok(f, spec);
	}
	assert_int_equal(faults_add_spec(f, "GET /x:status=500", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many fault rules (at most 64)"));
	faults_clear(f);
	add_ok(f, "GET /x:status=500");
	faults_free(&f);
}

static void test_glob(void **state)
{
	static const struct {
		const char *pattern, *path;
		bool match;
	} cases[] = {
		{"/v1/boxes", "/v1/boxes", true},
		{"/v1/boxes", "/v1/boxes/x", false},
		{"/v1/boxes", "/v1/boxe", false},
		{"/v1/boxes*", "/v1/boxes", true},
		{"/v1/boxes*", "/v1/boxes/a/b", true},
		{"/v1/boxes/*/stop", "/v1/boxes/x/stop", true},
		{"/v1/boxes/*/stop", "/v1/boxes/a/b/stop", true},
		{"/v1/boxes/*/stop", "/v1/boxes/x/start", false},
		{"*", "/anything/at/all", true},
		{"*/metrics", "/v1/boxes/x/metrics", true},
		{"*/metrics", "/v1/metrics/x", false},
		{"/v1/*/*/*", "/v1/a/b", false},
		{"/v1/*/*/*", "/v1/a/b/c", true},
		{"/a**b", "/ab", true},
		{"/a*b*c", "/aXbYbZc", true},
		{"/a*b*c", "/aXbYbZ", false},
		{"/v1/images/alpine:3.20", "/v1/images/alpine:3.20", true},
	};
	char spec[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct faults *f = faults_new(1);

		snprintf(spec, sizeof(spec), "GET %s:status=500", cases[i].pattern);
		add_ok(f, spec);
		if ((plan(f, "GET", cases[i].path).status == 500) != cases[i].match)
			fail_msg("%s vs %s: want %d", cases[i].pattern, cases[i].path,
				 cases[i].match);
		faults_free(&f);
	}
}

static void test_method(void **state)
{
	struct faults *f = faults_new(1);

	(void)state;
	add_ok(f, "DELETE /v1/boxes/*:status=409");
	add_ok(f, "* /v1/boxes/*:status=500");
	assert_int_equal(plan(f, "DELETE", "/v1/boxes/x").status, 409);
	assert_int_equal(plan(f, "GET", "/v1/boxes/x").status, 500);
	assert_int_equal(plan(f, "HEAD", "/v1/boxes/x").status, 500);
	assert_int_equal(plan(f, "GET", "/v1/boxes").status, 0);
	faults_free(&f);
}

static unsigned fired(struct faults *f, const char *spec, int draws)
{
	unsigned n = 0;

	add_ok(f, spec);
	for (int i = 0; i < draws; i++)
		n += plan(f, "GET", "/x").status == 500;
	return n;
}

static void test_rate(void **state)
{
	struct faults *f = faults_new(42);
	unsigned half;

	(void)state;
	assert_int_equal(fired(f, "GET /x:status=500,rate=0", 10000), 0);
	faults_clear(f);
	assert_int_equal(fired(f, "GET /x:status=500,rate=1", 10000), 10000);
	faults_clear(f);
	assert_int_equal(fired(f, "GET /x:status=500", 1000), 1000);
	faults_clear(f);
	half = fired(f, "GET /x:status=500,rate=0.5", 10000);
	assert_in_range(half, 4500, 5500);
	faults_free(&f);
}

/* The same seed gives the same sequence of fired and not fired. */
static void test_rate_deterministic(void **state)
{
	struct faults *a = faults_new(7);
	struct faults *b = faults_new(7);

	(void)state;
	add_ok(a, "GET /x:status=500,rate=0.3");
	add_ok(b, "GET /x:status=500,rate=0.3");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(plan(a, "GET", "/x").status, plan(b, "GET", "/x").status);
	faults_free(&a);
	faults_free(&b);
}

static void test_count_and_order(void **state)
{
	struct faults *f = faults_new(1);
	cJSON *list;

	(void)state;
	add_ok(f, "GET /v1/metrics:status=503,count=2");
	add_ok(f, "GET /v1/*:status=500,count=1");
	add_ok(f, "GET /v1/metrics:status=502,rate=0");
	add_ok(f, "* *:latency_ms=1");
	assert_int_equal(plan(f, "GET", "/v1/metrics").status, 503);
	assert_int_equal(plan(f, "GET", "/v1/metrics").status, 503);
	assert_int_equal(plan(f, "GET", "/v1/metrics").status, 500);
	/* everything before is used up or never fires: the catch-all */
	assert_int_equal(plan(f, "GET", "/v1/metrics").status, 0);
	assert_int_equal(plan(f, "GET", "/v1/metrics").latency_ms, 1);
	list = faults_to_json(f);
	assert_int_equal(cJSON_GetArraySize(list), 4);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "fired")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "fired")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 2), "fired")->valueint, 0);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 3), "fired")->valueint, 2);
	cJSON_Delete(list);
	faults_free(&f);
}

static void json_ok(struct faults *f, const char *text)
{
	cJSON *rule = cJSON_Parse(text);
	char err[256] = "";

	if (faults_add_json(f, rule, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	cJSON_Delete(rule);
}

static void json_bad(const char *text, const char *want)
{
	struct faults *f = faults_new(1);
	cJSON *rule = cJSON_Parse(text);
	char err[256] = "";

	if (faults_add_json(f, rule, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", text);
	if (strstr(err, want) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", text, err, want);
	cJSON_Delete(rule);
	faults_free(&f);
}

static void test_json_bad(void **state)
{
	(void)state;
	json_bad("[1]", "must be a JSON object");
	json_bad("{}", "path must be a string");
	json_bad("{\"path\":7}", "path must be a string");
	json_bad("{\"path\":\"/x\",\"method\":null}", "method must be a string");
	json_bad("{\"path\":\"/x\",\"method\":\"G T\"}", "method must be");
	json_bad("{\"path\":\"x\"}", "path pattern must start");
	json_bad("{\"path\":\"/x\",\"bogus\":1}", "unknown field 'bogus'");
	json_bad("{\"path\":\"/x\",\"status\":\"500\"}", "400-599");
	json_bad("{\"path\":\"/x\",\"status\":200}", "400-599");
	json_bad("{\"path\":\"/x\",\"status\":500.5}", "400-599");
	json_bad("{\"path\":\"/x\",\"latency_ms\":-1}", "latency_ms must be an integer");
	json_bad("{\"path\":\"/x\",\"rate\":2}", "rate must be a number from 0 to 1");
	json_bad("{\"path\":\"/x\",\"rate\":\"0.5\"}", "rate must be a number");
	json_bad("{\"path\":\"/x\",\"truncate\":\"yes\"}", "truncate must be 0 or 1");
	json_bad("{\"path\":\"/x\",\"count\":0}", "count must be");
	json_bad("{\"path\":\"/x\",\"retry_after\":3}", "retry_after needs a status");
}

static void test_json_round_trip(void **state)
{
	struct faults *f = faults_new(1);
	struct faults *g = faults_new(1);
	cJSON *list;
	cJSON *again;
	const cJSON *it;
	char *a;
	char *b;

	(void)state;
	json_ok(f, "{\"method\":\"get\",\"path\":\"/v1/boxes*\",\"status\":503,\"retry_after\":2,"
		   "\"rate\":0.25,\"count\":3,\"truncate\":false}");
	json_ok(f, "{\"path\":\"/v1/boxes/*/export\",\"drip_ms\":10,\"drop_after\":0,"
		   "\"pad_bytes\":4096,\"latency_ms\":50,\"not_json\":true}");
	json_ok(f, "{\"path\":\"/v1/me\",\"truncate\":1}");
	/* every 0-or-1 key is listed as a boolean, so each must read one back */
	json_ok(f, "{\"method\":\"POST\",\"path\":\"/v1/boxes/*/clone\",\"lost\":true}");
	json_ok(f, "{\"path\":\"/v1/boxes\",\"status\":502,\"cut\":1}");
	json_ok(f, "{\"path\":\"/v1/boxes/*/attach\",\"hangup\":true}");
	list = faults_to_json(f);
	assert_int_equal(cJSON_GetArraySize(list), 6);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 5), "hangup")));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 4), "hangup"));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 3), "lost")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 4), "cut")));
	it = cJSON_GetArrayItem(list, 0);
	assert_string_equal(cJSON_GetObjectItem(it, "method")->valuestring, "GET");
	assert_string_equal(cJSON_GetObjectItem(it, "path")->valuestring, "/v1/boxes*");
	assert_int_equal(cJSON_GetObjectItem(it, "status")->valueint, 503);
	assert_int_equal(cJSON_GetObjectItem(it, "retry_after")->valueint, 2);
	assert_true(cJSON_GetObjectItem(it, "rate")->valuedouble == 0.25);
	assert_int_equal(cJSON_GetObjectItem(it, "count")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(it, "fired")->valueint, 0);
	assert_null(cJSON_GetObjectItem(it, "truncate"));
	assert_null(cJSON_GetObjectItem(it, "drop_after"));
	it = cJSON_GetArrayItem(list, 1);
	assert_string_equal(cJSON_GetObjectItem(it, "method")->valuestring, "*");
	assert_int_equal(cJSON_GetObjectItem(it, "drop_after")->valueint, 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "not_json")));
	assert_null(cJSON_GetObjectItem(it, "count"));
	/* the listing's rules, added back, list the same */
	cJSON_ArrayForEach(it, list) {
		char err[128];

		assert_int_equal(faults_add_json(g, it, err, sizeof(err)), 0);
	}
	again = faults_to_json(g);
	a = cJSON_PrintUnformatted(list);
	b = cJSON_PrintUnformatted(again);
	assert_string_equal(a, b);
	free(a);
	free(b);
	cJSON_Delete(again);
	cJSON_Delete(list);
	faults_free(&f);
	faults_free(&g);
}

static void test_clear(void **state)
{
	struct faults *f = faults_new(1);
	cJSON *list;

	(void)state;
	add_ok(f, "GET /x:status=500");
	add_ok(f, "GET /y:status=500");
	faults_clear(f);
	list = faults_to_json(f);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	assert_int_equal(plan(f, "GET", "/x").status, 0);
	faults_clear(f);
	faults_free(&f);
}

static void test_key_expired(void **state)
{
	struct faults *f = faults_new(1);

	(void)state;
	assert_false(faults_key_expired(f));
	faults_set_key_expired(f, true);
	assert_true(faults_key_expired(f));
	faults_clear(f);
	assert_true(faults_key_expired(f));
	faults_set_key_expired(f, false);
	assert_false(faults_key_expired(f));
	faults_free(&f);
}

/* --- fleet_control -------------------------------------------------------- */

static cJSON *get_box(struct fleet *fl, const char *id)
{
	cJSON *doc = NULL;

	assert_int_equal(fleet_get(fl, id, &doc), FLEET_OK);
	return doc;
}

static const char *str(const cJSON *doc, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(doc, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static double num(const cJSON *doc, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(doc, key);

	if (!cJSON_IsNumber(it))
		fail_msg("%s is not a number", key);
	return it->valuedouble;
}

static cJSON *add_box(struct fleet *fl, const char *text, enum fleet_rc want)
{
	cJSON *spec = cJSON_Parse(text);
	cJSON *doc = NULL;
	struct box b;
	char err[256] = "";

	if (fleet_box_spec(spec, &b, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	assert_int_equal(fleet_add_box(fl, &b, &doc), want);
	box_clear(&b);
	cJSON_Delete(spec);
	return doc;
}

static void spec_bad(const char *text, const char *want)
{
	cJSON *spec = cJSON_Parse(text);
	struct box b;
	char err[256] = "";

	if (fleet_box_spec(spec, &b, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", text);
	if (strstr(err, want) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", text, err, want);
	box_clear(&b);
	cJSON_Delete(spec);
}

static int64_t runtime(struct fleet *fl, const char *key)
{
	cJSON *doc = NULL;
	int64_t v;

	assert_int_equal(fleet_runtime_metrics(fl, &doc), FLEET_OK);
	v = (int64_t)num(doc, key);
	cJSON_Delete(doc);
	return v;
}

static void test_box_spec_bad(void **state)
{
	(void)state;
	spec_bad("[]", "must be a JSON object");
	spec_bad("{\"nme\":\"x\"}", "unknown field 'nme'");
	spec_bad("{\"name\":\"\"}", "name must be a string of 1-256 bytes");
	spec_bad("{\"name\":5}", "name must be a string");
	spec_bad("{\"image\":null}", "image must be a string");
	spec_bad("{\"status\":\"Running\"}", "status must be one of");
	spec_bad("{\"status\":\"exploded\"}", "status must be one of");
	spec_bad("{\"cpus\":0}", "cpus must be an integer from 1 to 1024");
	spec_bad("{\"cpus\":1.5}", "cpus must be an integer");
	spec_bad("{\"memory_mib\":\"1024\"}", "memory_mib must be an integer");
	spec_bad("{\"labels\":[\"a\"]}", "labels must be");
	spec_bad("{\"labels\":{\"a\":1}}", "label a must be a string");
	spec_bad("{\"auto_resume\":0}", "auto_resume must be true or false");
}

static void test_add_box(void **state)
{
	struct fleet *fl = fleet_new(1, 3);
	int64_t created = runtime(fl, "boxes_created_total");
	int64_t failed = runtime(fl, "boxes_failed_total");
	cJSON *doc;
	cJSON *dup;
	char id[32];

	(void)state;
	doc = add_box(fl, "{}", FLEET_OK);
	assert_int_equal(strlen(str(doc, "box_id")), 26);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "name")));
	assert_string_equal(str(doc, "status"), "running");
	assert_string_equal(str(doc, "image"), "alpine:3.20");
	assert_true(num(doc, "cpus") == 2);
	assert_true(num(doc, "memory_mib") == 1024);
	assert_true(num(doc, "pid") > 0);
	assert_null(cJSON_GetObjectItem(doc, "exit_code"));
	cJSON_Delete(doc);
	doc = add_box(fl,
		      "{\"name\":\"added\",\"image\":\"python:3.12\",\"status\":\"failed\","
		      "\"cpus\":4,\"memory_mib\":512,\"labels\":{\"team\":\"qa\"}}",
		      FLEET_OK);
	snprintf(id, sizeof(id), "%s", str(doc, "box_id"));
	assert_string_equal(str(doc, "name"), "added");
	assert_string_equal(str(doc, "status"), "failed");
	assert_true(num(doc, "exit_code") == 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "pid")));
	assert_string_equal(str(cJSON_GetObjectItem(doc, "labels"), "team"), "qa");
	cJSON_Delete(doc);
	doc = get_box(fl, "added");
	assert_string_equal(str(doc, "box_id"), id);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "auto_resume")));
	cJSON_Delete(doc);
	doc = add_box(fl, "{\"name\":\"manual\",\"status\":\"stopped\",\"auto_resume\":false}",
		      FLEET_OK);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "auto_resume")));
	cJSON_Delete(doc);
	assert_int_equal(runtime(fl, "boxes_created_total"), created + 3);
	assert_int_equal(runtime(fl, "boxes_failed_total"), failed + 1);
	dup = add_box(fl, "{\"name\":\"added\"}", FLEET_EXISTS);
	assert_null(dup);
	assert_int_equal(fleet_delete(fl, "added", true), FLEET_OK);
	assert_int_equal(fleet_get(fl, id, NULL), FLEET_NOT_FOUND);
	fleet_free(&fl);
}

static cJSON *set(struct fleet *fl, const char *id, enum box_status st, int64_t code)
{
	cJSON *doc = NULL;

	assert_int_equal(fleet_set_status(fl, id, st, code, &doc), FLEET_OK);
	return doc;
}

static void test_set_status(void **state)
{
	struct fleet *fl = fleet_new(1, 3);
	int64_t failed = runtime(fl, "boxes_failed_total");
	int64_t stopped = runtime(fl, "boxes_stopped_total");
	cJSON *doc = add_box(fl, "{\"name\":\"s\",\"status\":\"configured\"}", FLEET_OK);
	cJSON *m = NULL;
	enum box_status st;

	(void)state;
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "pid")));
	cJSON_Delete(doc);
	assert_int_equal(fleet_set_status(fl, "nope", BOX_FAILED, -1, &doc), FLEET_NOT_FOUND);
	doc = set(fl, "s", BOX_RUNNING, -1);
	assert_string_equal(str(doc, "status"), "running");
	assert_true(num(doc, "pid") > 0);
	assert_null(cJSON_GetObjectItem(doc, "exit_code"));
	cJSON_Delete(doc);
	assert_int_equal(fleet_box_metrics(fl, "s", NULL, &m, NULL, 0), FLEET_OK);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(m, "cpu_percent")));
	cJSON_Delete(m);
	doc = set(fl, "s", BOX_FAILED, 137);
	assert_true(num(doc, "exit_code") == 137);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "pid")));
	cJSON_Delete(doc);
	assert_int_equal(fleet_box_metrics(fl, "s", NULL, &m, NULL, 0), FLEET_OK);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "cpu_percent")));
	cJSON_Delete(m);
	doc = set(fl, "s", BOX_FAILED, -1);
	cJSON_Delete(doc);
	assert_int_equal(runtime(fl, "boxes_failed_total"), failed + 1);
	doc = set(fl, "s", BOX_STOPPED, -1);
	assert_true(num(doc, "exit_code") == 0);
	cJSON_Delete(doc);
	assert_int_equal(runtime(fl, "boxes_stopped_total"), stopped + 1);
	doc = set(fl, "s", BOX_PAUSED, -1);
	assert_true(num(doc, "pid") > 0);
	cJSON_Delete(doc);
	assert_int_equal(fleet_status_parse("stopping", &st), 0);
	assert_int_equal(st, BOX_STOPPING);
	assert_int_equal(fleet_status_parse("unknown", &st), 0);
	assert_int_equal(st, BOX_UNKNOWN);
	assert_int_equal(fleet_status_parse("RUNNING", &st), -1);
	fleet_free(&fl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_spec_good),
		cmocka_unit_test(test_spec_bad),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_method),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_deterministic),
		cmocka_unit_test(test_count_and_order),
		cmocka_unit_test(test_json_bad),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_key_expired),
		cmocka_unit_test(test_box_spec_bad),
		cmocka_unit_test(test_add_box),
		cmocka_unit_test(test_set_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
