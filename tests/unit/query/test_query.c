/*
 * Unit tests for model/query: the filter language term by term (degenerate
 * and half-typed queries first) over a decoded box list, then sorting by
 * every key in both directions, stability, natural name order, missing
 * values, and a 10,000-box filter and sort checked against plain loops.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/box.h"
#include "model/query.h"
#include "model/xalloc.h"

#define ALL "0,1,2,3,4,5,6"

/*
 * 0 web-10, 1 no name, 2 Web-2, 3 a name with a ':', 4 a name with a space,
 * 5 web-1, 6 an empty name and a status this client does not know.
 */
static const char fixture_json[] =
	"{\"boxes\":["
	"{\"box_id\":\"01HJK4TNRPQSXYZ8WM6NCVT9R5\",\"name\":\"web-10\",\"status\":\"running\","
	"\"created_at\":100,\"updated_at\":100,\"image\":\"docker.io/library/alpine:3.20\","
	"\"cpus\":2,\"memory_mib\":1024,\"labels\":{\"team\":\"ml\",\"env\":\"prod\"}},"
	"{\"box_id\":\"sb_abc123\",\"name\":null,\"status\":\"stopped\",\"created_at\":100,"
	"\"updated_at\":100,\"image\":\"python:3.11-slim\",\"cpus\":1,\"memory_mib\":512},"
	"{\"box_id\":\"550e8400-e29b-41d4-a716-446655440000\",\"name\":\"Web-2\","
	"\"status\":\"failed\",\"created_at\":100,\"updated_at\":100,\"image\":\"ubuntu:24.04\","
	"\"cpus\":4,\"memory_mib\":2048,\"labels\":{}},"
	"{\"box_id\":\"01HJK5AAAA\",\"name\":\"batch:nightly\",\"status\":\"paused\","
	"\"created_at\":100,\"updated_at\":100,\"image\":\"alpine:3.9\",\"cpus\":1,"
	"\"memory_mib\":128,\"labels\":{\"team\":\"ML\"}},"
	"{\"box_id\":\"box-4\",\"name\":\"my box\",\"status\":\"configured\",\"created_at\":100,"
	"\"updated_at\":100,\"image\":\"busybox\",\"cpus\":1,\"memory_mib\":128,"
	"\"labels\":{\"team\":\"\"}},"
	"{\"box_id\":\"box-5\",\"name\":\"web-1\",\"status\":\"stopping\",\"created_at\":100,"
	"\"updated_at\":100,\"image\":\"nginx:1.27\",\"cpus\":1,\"memory_mib\":128,"
	"\"labels\":{\"owner\":\"a=b\"}},"
	"{\"box_id\":\"box-6\",\"name\":\"\",\"status\":\"snapshotting\",\"created_at\":100,"
	"\"updated_at\":100,\"image\":\"debian:12\",\"cpus\":1,\"memory_mib\":128}"
	"]}";

static int setup_fixture(void **state)
{
	struct decode_error err = {0};
	struct box_list *list = NULL;
	char msg[300];

	if (box_list_decode(fixture_json, strlen(fixture_json), &list, &err) < 0) {
		fprintf(stderr, "fixture: %s\n", decode_error_str(&err, msg, sizeof(msg)));
		return -1;
	}
	*state = list;
	return 0;
}

static int teardown_fixture(void **state)
{
	struct box_list *list = *state;

	box_list_free(&list);
	return 0;
}

/* The indices as "2,0,1". */
static const char *join(const size_t *idx, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		const char *sep = i > 0 ? "," : "";

		used += (size_t)snprintf(buf + used, size - used, "%s%zu", sep, idx[i]);
	}
	return buf;
}

/* Filters the fixture with text; the matches must be want ("0,2"). */
static void expect_filter(void **state, const char *text, const char *want)
{
	const struct box_list *list = *state;
	struct query *q = query_parse(text);
	size_t idx[16], k = 0;
	char got[64];
	size_t n = query_filter(q, list->items, list->n, idx);

	/* query_filter and query_match agree */
	for (size_t i = 0; i < list->n; i++) {
		bool listed = k < n && idx[k] == i;

		assert_int_equal(query_match(q, &list->items[i]), listed);
		k += listed;
	}
	query_free(&q);
	assert_null(q);
	join(idx, n, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("query '%s': got [%s], want [%s]", text, got, want);
}

struct filter_case {
	const char *query;
	const char *want;
};

static void expect_cases(void **state, const struct filter_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_filter(state, cases[i].query, cases[i].want);
}

static void make_box(struct box *b, const char *id, const char *name, const char *image)
{
	memset(b, 0, sizeof(*b));
	b->id = xstrdup(id);
	b->name = xstrdup(name);
	b->image = xstrdup(image);
}

static void add_label(struct box *b, const char *key, const char *value)
{
	b->labels = xreallocarray(b->labels, b->n_labels + 1, sizeof(*b->labels));
	b->labels[b->n_labels].key = xstrdup(key);
	b->labels[b->n_labels].value = xstrdup(value);
	b->n_labels++;
}

static void clear_boxes(struct box *boxes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		box_clear(&boxes[i]);
}

/* Sorts the n indices in start (identity when NULL) and checks the result. */
static void expect_sort(const struct box *boxes, const struct sort_metrics *m, size_t n,
			const size_t *start, enum sort_key key, bool desc, const char *want)
{
	size_t idx[16];
	char got[64];

	for (size_t i = 0; i < n; i++)
		idx[i] = start != NULL ? start[i] : i;
	query_sort(boxes, m, idx, n, key, desc);
	join(idx, n, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("sort by %s %s: got [%s], want [%s]", query_sort_key_name(key),
			 desc ? "descending" : "ascending", got, want);
}

static void test_null_and_empty(void **state)
{
	const struct box_list *list = *state;
	struct query *q = query_parse(NULL);

	assert_non_null(q);
	assert_true(query_match(q, &list->items[0]));
	assert_int_equal(query_filter(q, NULL, 0, NULL), 0);
	query_free(&q);
	query_free(&q);
	query_free(NULL);
	assert_true(query_match(NULL, &list->items[1]));
	{
		size_t idx[16];

		assert_int_equal(query_filter(NULL, list->items, list->n, idx), list->n);
	}
	expect_filter(state, "", ALL);
	expect_filter(state, " \t\n\r\v\f ", ALL);
}

/* A term still being typed matches everything, negated or not. */
static void test_incomplete_terms(void **state)
{
	static const char *const partial[] = {
		"!",      "\"\"",    "!\"\"",     "\"",      "!\"",   "status:", "!status:",
		"label:", "!label:", "label:=ml", "label:=", "name:", "!name:",  "id:",
		"!id:",   "image:",  "!image:",   "!!",      "!!a",   "! ",      "status:\"\"",
	};

	for (size_t i = 0; i < ARRAY_LEN(partial); i++)
		expect_filter(state, partial[i], ALL);
	expect_filter(state, "! web", "0,2,5");
	expect_filter(state, "web status:", "0,2,5");
}

static void test_free_text(void **state)
{
	static const struct filter_case cases[] = {
		{"web", "0,2,5"},    {"WEB", "0,2,5"},     {"alpine", "0,3"},
		{"ABC1", "1"},       {"e29b", "2"},        {"web alpine", "0"},
		{"web nothing", ""}, {"web\talpine", "0"}, {"web\n\r\v\fstatus:running", "0"},
		{"zzz", ""},
	};

	expect_cases(state, cases, ARRAY_LEN(cases));
}

/* An unknown key, a lone ':' and text with a ':' are free text, colon included. */
static void test_unknown_key_is_text(void **state)
{
	static const struct filter_case cases[] = {
		{":", "0,1,2,3,5,6"},
		{"foo:bar", ""},
		{"batch:night", "3"},
		{"alpine:3", "0,3"},
		{"!alpine:3", "1,2,4,5,6"},
		{":3.9", "3"},
		{"names:web", ""},
		/* the key ends at the first ':' */
		{"image:alpine:3.9", "3"},
		{"name:batch:night", "3"},
		{"foo:image:alpine", ""},
	};

	expect_cases(state, cases, ARRAY_LEN(cases));
}

static void test_status(void **state)
{
	static const struct filter_case cases[] = {
		{"status:running", "0"},  {"STATUS:Running", "0"}, {"status:run", "0"},
		{"status:stop", "1,5"},   {"status:s", "1,5"},     {"status:stopped", "1"},
		{"status:stopping", "5"}, {"status:p", "3"},       {"status:configured", "4"},
		{"status:failed", "2"},   {"status:unknown", "6"}, {"status:bogus", ""},
		{"!status:bogus", ALL},   {"status:runningx", ""}, {"status:snapshotting", ""},
		{"status:\"run\"", "0"},
	};

	expect_cases(state, cases, ARRAY_LEN(cases));
}

static void test_name_image_id(void **state)
{
	static const struct filter_case cases[] = {
		{"name:web", "0,2,5"},
		{"NAME:WEB-1", "0,5"},
		{"name:sb_", "1"},
		{"name:box-6", "6"},
		{"name:my", "4"},
		{"name:alpine", ""},
		{"image:ALPINE", "0,3"},
		{"image:box", "4"},
		{"image:web", ""},
		{"id:01h", "0,3"},
		{"id:01HJK4", "0"},
		{"id:BOX-", "4,5,6"},
		{"id:abc", ""},
		{"id:550e8400-e29b-41d4-a716-446655440000", "2"},
		{"id:550e8400-e29b-41d4-a716-4466554400000", ""},
	};

	expect_cases(state, cases, ARRAY_LEN(cases));
}

static void test_labels(void **state)
{
	static const struct filter_case cases[] = {
		{"label:team", "0,3,4"},    {"label:team=ml", "0"},
		{"label:team=ML", "3"},     {"label:TEAM", ""},
		{"label:team=", "0,3,4"},   {"label:team=m", ""},
		{"label:env=prod", "0"},    {"label:env=prod label:team=ml", "0"},
		{"label:owner=a=b", "5"},   {"label:owner=a", ""},
		{"label:nobody", ""},       {"Label:team=ml", "0"},
		{"label:\"team=ml\"", "0"},
	};

	expect_cases(state, cases, ARRAY_LEN(cases));
}

/* Every kind of term, negated, gives exactly the boxes it did not match. */
static void test_negation(void **state)
{
	static const char *const terms[] = {
		"web",        "status:stopped", "status:s",      "name:web",   "image:alpine",
		"id:01H",     "label:team",     "label:team=ml", "label:TEAM", ":",
		"\"my box\"", "status:bogus",
	};
	const struct box_list *list = *state;

	for (size_t i = 0; i < ARRAY_LEN(terms); i++) {
		char *neg = xasprintf("!%s", terms[i]);
		struct query *q = query_parse(terms[i]), *nq = query_parse(neg);

		for (size_t j = 0; j < list->n; j++)
			assert_true(query_match(q, &list->items[j]) !=
				    query_match(nq, &list->items[j]));
		query_free(&q);
		query_free(&nq);
		free(neg);
	}
	expect_filter(state, "!status:stopped", "0,2,3,4,5,6");
	expect_filter(state, "!web", "1,3,4,6");
	expect_filter(state, "web !status:running", "2,5");
	expect_filter(state, "!label:team !status:unknown", "1,2,5");
}

static void test_quotes(void **state)
{
	static const struct filter_case cases[] = {
		{"\"y b\"", "4"},           {"\"y b", "4"},
		{"name:\"my box\"", "4"},   {"name:\"my box", "4"},
		{"name:my\" \"box", "4"},   {"\"web", "0,2,5"},
		{"w\"e\"b", "0,2,5"},       {"!\"web\"", "1,3,4,6"},
		{"\"status:running\"", ""}, {"st\"a\"tus:running", ""},
		{"\"!web\"", ""},           {"\"web\" \"alpine\"", "0"},
		{"\"web alpine\"", ""},     {"\"batch:\"nightly", "3"},
	};

	expect_cases(state, cases, ARRAY_LEN(cases));
}

static void test_sort_degenerate(void **state)
{
	const struct box_list *list = *state;
	size_t idx[3] = {2, 0, 1};
	enum sort_key key = SORT_TX_RATE;

	(void)state;
	query_sort(NULL, NULL, NULL, 0, SORT_NAME, false);
	query_sort(list->items, NULL, idx, 1, SORT_NAME, true);
	assert_int_equal(idx[0], 2);
	expect_sort(list->items, NULL, 3, idx, (enum sort_key) - 1, false, "2,0,1");
	expect_sort(list->items, NULL, 3, idx, SORT_KEY_COUNT, true, "2,0,1");
	expect_sort(list->items, NULL, 3, idx, SORT_CPU_PERCENT, false, "2,0,1");
	expect_sort(list->items, NULL, 3, idx, SORT_RX_RATE, true, "2,0,1");
	assert_string_equal(query_sort_key_name((enum sort_key) - 1), "unknown");
	assert_string_equal(query_sort_key_name(SORT_KEY_COUNT), "unknown");
	assert_int_equal(query_sort_key_parse(NULL, &key), -1);
	assert_int_equal(query_sort_key_parse("", &key), -1);
	assert_int_equal(query_sort_key_parse("bogus", &key), -1);
	assert_int_equal(query_sort_key_parse("cpu ", &key), -1);
	assert_int_equal(query_sort_key_parse("unknown", &key), -1);
	assert_int_equal(key, SORT_TX_RATE);
}

static void test_sort_key_names(void **state)
{
	static const struct {
		const char *name;
		enum sort_key key;
	} aliases[] = {
		{"CPU", SORT_CPU_PERCENT},
		{"Name", SORT_NAME},
		{"box_id", SORT_ID},
		{"memory_mib", SORT_MEMORY},
		{"created_at", SORT_CREATED},
		{"UPDATED_AT", SORT_UPDATED},
		{"last_activity_at", SORT_ACTIVITY},
		{"cpu_percent", SORT_CPU_PERCENT},
		{"memory_bytes", SORT_MEMORY_USED},
		{"rx_rate", SORT_RX_RATE},
		{"tx_rate", SORT_TX_RATE},
	};
	enum sort_key key;

	(void)state;
	for (int k = 0; k < SORT_KEY_COUNT; k++) {
		key = SORT_KEY_COUNT;
		assert_int_equal(query_sort_key_parse(query_sort_key_name((enum sort_key)k), &key),
				 0);
		assert_int_equal(key, k);
	}
	assert_string_equal(query_sort_key_name(SORT_CPU_PERCENT), "cpu");
	assert_string_equal(query_sort_key_name(SORT_MEMORY_USED), "mem");
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++) {
		assert_int_equal(query_sort_key_parse(aliases[i].name, &key), 0);
		assert_int_equal(key, aliases[i].key);
	}
}

/*
 * Four boxes whose every column orders them differently:
 *   name    web-10 Web-2 (none: b-id) web-1
 *   id      c-id A-id b-id D-id
 *   status  stopped running failed paused
 *   image   alpine:3.20 alpine:3.9 Ubuntu (none)
 */
static void make_columns(struct box *b, struct sort_metrics *m)
{
	static const int64_t cols[4][6] = {
		/* cpus memory created updated activity(-1: none) labels */
		{2, 512, 300, 100, 50, 1},
		{4, 256, 100, 300, -1, 0},
		{1, 1024, 200, 200, 10, 2},
		{8, 128, 400, 50, 30, 3},
	};
	static const enum box_status status[4] = {BOX_STOPPED, BOX_RUNNING, BOX_FAILED, BOX_PAUSED};

	make_box(&b[0], "c-id", "web-10", "alpine:3.20");
	make_box(&b[1], "A-id", "Web-2", "alpine:3.9");
	make_box(&b[2], "b-id", NULL, "Ubuntu");
	make_box(&b[3], "D-id", "web-1", NULL);
	for (int i = 0; i < 4; i++) {
		b[i].status = status[i];
		b[i].cpus = cols[i][0];
		b[i].memory_mib = cols[i][1];
		b[i].created_at = cols[i][2];
		b[i].updated_at = cols[i][3];
		if (cols[i][4] >= 0)
			b[i].last_activity_at = (struct opt_i64){OPT_SET, cols[i][4]};
		for (int64_t l = 0; l < cols[i][5]; l++)
			add_label(&b[i], l == 0 ? "a" : l == 1 ? "b" : "c", "v");
	}
	/* missing four ways: absent, null, NaN, infinite */
	m[0] = (struct sort_metrics){
		{OPT_SET, 10}, {OPT_SET, 100}, {OPT_SET, 5}, {OPT_SET, INFINITY}};
	m[1] = (struct sort_metrics){{OPT_ABSENT, 99}, {OPT_SET, 300}, {OPT_SET, 1}, {OPT_SET, 7}};
	m[2] = (struct sort_metrics){{OPT_SET, 50}, {OPT_NULL, 0}, {OPT_SET, 3}, {OPT_SET, 2}};
	m[3] = (struct sort_metrics){{OPT_SET, 0.5}, {OPT_SET, 200}, {OPT_SET, NAN}, {OPT_SET, 9}};
}

static void test_every_key(void **state)
{
	static const char *const want[SORT_KEY_COUNT][2] = {
		[SORT_NAME] = {"2,3,1,0", "0,1,3,2"},
		[SORT_ID] = {"1,2,0,3", "3,0,2,1"},
		[SORT_STATUS] = {"1,3,0,2", "2,0,3,1"},
		[SORT_IMAGE] = {"1,0,2,3", "2,0,1,3"},
		[SORT_CPUS] = {"2,0,1,3", "3,1,0,2"},
		[SORT_MEMORY] = {"3,1,0,2", "2,0,1,3"},
		[SORT_CREATED] = {"1,2,0,3", "3,0,2,1"},
		[SORT_UPDATED] = {"3,0,2,1", "1,2,0,3"},
		[SORT_ACTIVITY] = {"2,3,0,1", "0,3,2,1"},
		[SORT_LABELS] = {"1,0,2,3", "3,2,0,1"},
		[SORT_CPU_PERCENT] = {"3,0,2,1", "2,0,3,1"},
		[SORT_MEMORY_USED] = {"0,3,1,2", "1,3,0,2"},
		[SORT_RX_RATE] = {"1,2,0,3", "0,2,1,3"},
		[SORT_TX_RATE] = {"2,1,3,0", "3,1,2,0"},
	};
	static const size_t reversed[4] = {3, 2, 1, 0};
	struct box b[4];
	struct sort_metrics m[4];

	(void)state;
	make_columns(b, m);
	for (int k = 0; k < SORT_KEY_COUNT; k++) {
		/* distinct keys: the start order does not matter */
		expect_sort(b, m, 4, NULL, (enum sort_key)k, false, want[k][0]);
		expect_sort(b, m, 4, NULL, (enum sort_key)k, true, want[k][1]);
		expect_sort(b, m, 4, reversed, (enum sort_key)k, false, want[k][0]);
		expect_sort(b, m, 4, reversed, (enum sort_key)k, true, want[k][1]);
	}
	clear_boxes(b, 4);
}

/* Status order: running, paused, stopping, configured, stopped, failed, unknown. */
static void test_status_order(void **state)
{
	const struct box_list *list = *state;

	expect_sort(list->items, NULL, list->n, NULL, SORT_STATUS, false, "0,3,5,4,1,2,6");
	expect_sort(list->items, NULL, list->n, NULL, SORT_STATUS, true, "6,2,1,4,5,3,0");
}

static void test_natural_names(void **state)
{
	static const char *const names[] = {
		"web-10",
		"web-2",
		"web-1",
		"Web-11",
		"web",
		"web-2a",
		"a100000000000000000000000",
		"a99999999999999999999999",
		"a0",
		"a",
		"web-2-b",
		"WEB-3",
		"",
	};
	struct box b[ARRAY_LEN(names)];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		make_box(&b[i], "zz-id", names[i], NULL);
	/* "" shows as its id, zz-id */
	expect_sort(b, NULL, ARRAY_LEN(names), NULL, SORT_NAME, false,
		    "9,8,7,6,4,2,1,10,5,11,0,3,12");
	expect_sort(b, NULL, ARRAY_LEN(names), NULL, SORT_NAME, true,
		    "12,3,0,11,5,10,1,2,4,6,7,8,9");
	clear_boxes(b, ARRAY_LEN(names));
}

/* Equal keys keep the order they had in the array, in both directions. */
static void test_stability(void **state)
{
	static const char *const names[] = {"web", "WEB-01", "Web", "web-1", "wEb", "web-1"};
	static const size_t reversed[6] = {5, 4, 3, 2, 1, 0};
	struct box b[6];
	struct sort_metrics m[6] = {0};

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		make_box(&b[i], i % 2 ? "ID" : "id", names[i], i % 2 ? "Img:2" : "img:02");
		b[i].cpus = 1 + (int64_t)(i % 2);
		b[i].status = i % 2 ? BOX_RUNNING : BOX_STOPPED;
	}
	expect_sort(b, NULL, 6, NULL, SORT_CPUS, false, "0,2,4,1,3,5");
	expect_sort(b, NULL, 6, NULL, SORT_CPUS, true, "1,3,5,0,2,4");
	expect_sort(b, NULL, 6, reversed, SORT_CPUS, false, "4,2,0,5,3,1");
	expect_sort(b, NULL, 6, reversed, SORT_CPUS, true, "5,3,1,4,2,0");
	expect_sort(b, NULL, 6, NULL, SORT_NAME, false, "0,2,4,1,3,5");
	expect_sort(b, NULL, 6, NULL, SORT_NAME, true, "1,3,5,0,2,4");
	expect_sort(b, NULL, 6, reversed, SORT_STATUS, false, "5,3,1,4,2,0");
	for (int k = 0; k < SORT_KEY_COUNT; k++) {
		if (k == SORT_NAME || k == SORT_CPUS || k == SORT_STATUS)
			continue;
		expect_sort(b, m, 6, reversed, (enum sort_key)k, false, "5,4,3,2,1,0");
		expect_sort(b, m, 6, reversed, (enum sort_key)k, true, "5,4,3,2,1,0");
	}
	clear_boxes(b, 6);
}

/* Missing values go last whichever the direction, and keep their order there. */
static void test_missing_last(void **state)
{
	static const size_t start[5] = {4, 0, 3, 1, 2};
	struct box b[5];
	struct sort_metrics m[5] = {0};

	(void)state;
	for (size_t i = 0; i < 5; i++)
		make_box(&b[i], "id", "n", i == 1 || i == 3 ? "img" : NULL);
	m[1].cpu_percent = (struct opt_f64){OPT_SET, 1.0};
	m[3].cpu_percent = (struct opt_f64){OPT_SET, 2.0};
	m[0].cpu_percent = (struct opt_f64){OPT_NULL, 0};
	m[4].cpu_percent = (struct opt_f64){OPT_SET, -NAN};
	expect_sort(b, m, 5, start, SORT_CPU_PERCENT, false, "1,3,4,0,2");
	expect_sort(b, m, 5, start, SORT_CPU_PERCENT, true, "3,1,4,0,2");
	expect_sort(b, m, 5, start, SORT_IMAGE, false, "3,1,4,0,2");
	expect_sort(b, m, 5, start, SORT_IMAGE, true, "3,1,4,0,2");
	expect_sort(b, NULL, 5, start, SORT_MEMORY_USED, true, "4,0,3,1,2");
	free(b[2].id);
	b[2].id = NULL;
	expect_sort(b, m, 5, start, SORT_ID, false, "4,0,3,1,2");
	expect_sort(b, m, 5, start, SORT_ID, true, "4,0,3,1,2");
	b[3].last_activity_at = (struct opt_i64){OPT_SET, 7};
	b[0].last_activity_at = (struct opt_i64){OPT_NULL, 9};
	expect_sort(b, m, 5, start, SORT_ACTIVITY, true, "3,4,0,1,2");
	clear_boxes(b, 5);
}

/* A status outside the enum (a hand-built box) is unknown: it filters and sorts as one. */
static void test_out_of_range_status(void **state)
{
	struct box b[2];
	struct query *q = query_parse("status:unknown");

	(void)state;
	make_box(&b[0], "a", "a", "i");
	make_box(&b[1], "b", "b", "i");
	b[0].status = (enum box_status)42;
	b[1].status = BOX_RUNNING;
	assert_true(query_match(q, &b[0]));
	assert_false(query_match(q, &b[1]));
	expect_sort(b, NULL, 2, NULL, SORT_STATUS, false, "1,0");
	query_free(&q);
	clear_boxes(b, 2);
}

#define BIG 10000

static uint32_t next_rand(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

static struct box *make_big(struct sort_metrics *m)
{
	struct box *b = xcalloc(BIG, sizeof(*b));
	uint32_t seed = 7;

	for (size_t i = 0; i < BIG; i++) {
		char name[32], id[32];

		snprintf(name, sizeof(name), "box-%u", next_rand(&seed) % 5000);
		snprintf(id, sizeof(id), "ID%05zu", BIG - i);
		make_box(&b[i], id, name, "alpine:3.20");
		b[i].status = (enum box_status)(next_rand(&seed) % BOX_STATUS_COUNT);
		b[i].cpus = next_rand(&seed) % 7;
		if (i % 3 == 0)
			add_label(&b[i], "team", i % 2 ? "ml" : "web");
		if (i % 5 != 0)
			m[i].cpu_percent.v = next_rand(&seed) % 100;
		m[i].cpu_percent.state = i % 5 != 0 ? OPT_SET : OPT_ABSENT;
	}
	return b;
}

/* The plain-loop reading of "status:running label:team=ml !name:box-1". */
static bool big_oracle(const struct box *b)
{
	const char *team = b->n_labels > 0 ? b->labels[0].value : NULL;

	return b->status == BOX_RUNNING && team != NULL && strcmp(team, "ml") == 0 &&
	       strstr(b->name, "box-1") == NULL;
}

static void check_big_filter(const struct box *b, const size_t *idx, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < BIG; i++) {
		if (!big_oracle(&b[i]))
			continue;
		assert_true(k < n);
		assert_int_equal(idx[k++], i);
	}
	assert_int_equal(k, n);
	assert_true(n > 50);
}

static long name_number(const struct box *b)
{
	return strtol(b->name + 4, NULL, 10);
}

/* Sorted by cpus descending, ties in index order (the filter's order). */
static void check_cpus_desc(const struct box *b, const size_t *idx, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct box *p = &b[idx[i - 1]], *c = &b[idx[i]];

		assert_true(p->cpus >= c->cpus);
		if (p->cpus == c->cpus)
			assert_true(idx[i - 1] < idx[i]);
	}
}

/* Sorted by status rank, and within one status by name (sorted first). */
static void check_status_then_name(const struct box *b, const size_t *idx, size_t n)
{
	static const int rank[BOX_STATUS_COUNT] = {3, 0, 2, 4, 1, 5, 6};

	for (size_t i = 1; i < n; i++) {
		const struct box *p = &b[idx[i - 1]], *c = &b[idx[i]];

		assert_true(rank[p->status] <= rank[c->status]);
		if (p->status == c->status)
			assert_true(name_number(p) <= name_number(c));
	}
}

/*
 * cpu percent ascending, every missing value after every present one and in
 * the order they had before: by id, which is index descending.
 */
static void check_cpu_percent(const struct sort_metrics *m, const size_t *idx, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct opt_f64 p = m[idx[i - 1]].cpu_percent, c = m[idx[i]].cpu_percent;

		assert_false(!opt_f64_has(p) && opt_f64_has(c));
		if (opt_f64_has(p) && opt_f64_has(c))
			assert_true(p.v <= c.v);
		else if (!opt_f64_has(p))
			assert_true(idx[i - 1] > idx[i]);
	}
}

static void test_ten_thousand(void **state)
{
	struct sort_metrics *m = xcalloc(BIG, sizeof(*m));
	struct box *b = make_big(m);
	size_t *idx = xcalloc(BIG, sizeof(*idx));
	struct query *q = query_parse("status:running label:team=ml !name:box-1");
	size_t n = query_filter(q, b, BIG, idx);

	(void)state;
	check_big_filter(b, idx, n);
	query_sort(b, m, idx, n, SORT_CPUS, true);
	check_cpus_desc(b, idx, n);
	n = query_filter(NULL, b, BIG, idx);
	assert_int_equal(n, BIG);
	query_sort(b, m, idx, n, SORT_NAME, false);
	for (size_t i = 1; i < n; i++)
		assert_true(name_number(&b[idx[i - 1]]) <= name_number(&b[idx[i]]));
	query_sort(b, m, idx, n, SORT_STATUS, false);
	check_status_then_name(b, idx, n);
	query_sort(b, m, idx, n, SORT_ID, false);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(idx[i], BIG - 1 - i);
	query_sort(b, m, idx, n, SORT_CPU_PERCENT, false);
	check_cpu_percent(m, idx, n);
	query_free(&q);
	clear_boxes(b, BIG);
	free(b);
	free(m);
	free(idx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_incomplete_terms),
		cmocka_unit_test(test_free_text),
		cmocka_unit_test(test_unknown_key_is_text),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_name_image_id),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_sort_degenerate),
		cmocka_unit_test(test_sort_key_names),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_status_order),
		cmocka_unit_test(test_natural_names),
		cmocka_unit_test(test_stability),
		cmocka_unit_test(test_missing_last),
		cmocka_unit_test(test_out_of_range_status),
		cmocka_unit_test(test_ten_thousand),
	};

	return cmocka_run_group_tests_name("query", tests, setup_fixture, teardown_fixture);
}
