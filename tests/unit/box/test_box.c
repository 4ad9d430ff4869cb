/*
 * Unit tests for model/box: every real-world box shape in api.md, the
 * absent/null/0 distinction, and hostile lists.
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
#include "model/xalloc.h"
#include "tests/support/fixture.h"

static struct box_list *load_list(const char *name)
{
	struct decode_error err = {0};
	struct box_list *list = NULL;
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (box_list_decode(buf, len, &list, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
	return list;
}

static int decode_text(const char *text, struct box_list **list, struct decode_error *err)
{
	return box_list_decode(text, strlen(text), list, err);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_int_equal(box_status_parse(NULL), BOX_UNKNOWN);
	assert_int_equal(box_status_parse(""), BOX_UNKNOWN);
	assert_int_equal(box_status_parse("snapshotting"), BOX_UNKNOWN);
	assert_int_equal(box_status_parse("running"), BOX_RUNNING);
	assert_int_equal(box_status_parse("Paused"), BOX_PAUSED);
	for (int s = 0; s < BOX_STATUS_COUNT; s++)
		assert_int_equal(box_status_parse(box_status_name((enum box_status)s)), s);
	assert_string_equal(box_status_name((enum box_status)99), "unknown");
}

static void test_degenerate_documents(void **state)
{
	struct decode_error err = {0};
	struct box_list *list = (struct box_list *)1;

	(void)state;
	assert_int_equal(box_list_decode(NULL, 0, &list, &err), -1);
	assert_null(list);
	assert_int_equal(decode_text("[]", &list, &err), -1);
	assert_string_equal(err.message, "expected an object");
	assert_int_equal(decode_text("{}", &list, &err), -1);
	assert_string_equal(err.field, "boxes");
	assert_int_equal(decode_text("{\"boxes\":{}}", &list, &err), -1);
	assert_string_equal(err.message, "expected an array");
	assert_int_equal(decode_text("{\"boxes\":[1]}", &list, &err), -1);
	assert_string_equal(err.object, "boxes[0]");
	box_list_free(&list);
	box_list_free(&list);
}

static void test_spec_list(void **state)
{
	struct box_list *list = load_list("box_list_spec.json");
	const struct box *web, *exited, *failed;

	(void)state;
	assert_int_equal(list->n, 3);
	assert_string_equal(list->next_page_token, "eyJvIjoyfQ");
	web = &list->items[0];
	assert_string_equal(web->id, "01HJK4TNRPQSXYZ8WM6NCVT9R5");
	assert_string_equal(web->name, "web-1");
	assert_int_equal(web->status, BOX_RUNNING);
	assert_int_equal(web->created_at, 1793527200);
	assert_int_equal(web->updated_at, 1793527500);
	assert_int_equal(web->last_activity_at.state, OPT_SET);
	assert_int_equal(web->last_activity_at.v, 1793599200);
	assert_string_equal(web->image, "docker.io/library/alpine:3.20");
	assert_int_equal(web->cpus, 2);
	assert_int_equal(web->memory_mib, 1024);
	assert_int_equal(web->pid.state, OPT_SET);
	assert_int_equal(web->pid.v, 4242);
	assert_int_equal(web->n_labels, 2);
	assert_string_equal(box_label(web, "team"), "ml");
	assert_null(box_label(web, "nope"));
	assert_int_equal(web->auto_stop, 0);
	assert_int_equal(web->auto_delete, 3600);
	assert_false(web->auto_resume);
	assert_int_equal(web->exit_code.state, OPT_ABSENT);

	exited = &list->items[1];
	assert_null(exited->name);
	assert_string_equal(box_display_name(exited), "sb_abc123");
	assert_int_equal(exited->pid.state, OPT_NULL);
	assert_int_equal(exited->exit_code.state, OPT_SET);
	assert_int_equal(exited->exit_code.v, 0);
	assert_int_equal(exited->auto_stop, 900);
	assert_true(exited->auto_resume);

	failed = &list->items[2];
	assert_int_equal(failed->status, BOX_FAILED);
	assert_int_equal(failed->exit_code.v, 137);
	assert_int_equal(failed->n_labels, 0);
	box_list_free(&list);
	assert_null(list);
}

static void test_real_shapes(void **state)
{
	struct box_list *list;

	(void)state;
	list = load_list("box_list_last_page.json");
	assert_null(list->next_page_token);
	box_list_free(&list);
	list = load_list("box_list_minimal.json");
	assert_int_equal(list->n, 1);
	assert_null(list->items[0].name);
	assert_int_equal(list->items[0].pid.state, OPT_ABSENT);
	assert_int_equal(list->items[0].status, BOX_CONFIGURED);
	box_list_free(&list);
	list = load_list("box_list_empty.json");
	assert_int_equal(list->n, 0);
	assert_null(list->items);
	box_list_free(&list);
	list = load_list("box_list_real_extras.json");
	assert_int_equal(list->items[0].status, BOX_UNKNOWN);
	assert_int_equal(list->items[1].status, BOX_PAUSED);
	box_list_free(&list);
}

static void test_single_box(void **state)
{
	struct decode_error err = {0};
	struct box *b = NULL, copy;
	size_t len;
	char *buf = fixture_load("box_spec.json", &len);

	(void)state;
	assert_int_equal(box_decode(buf, len, &b, &err), 0);
	box_copy(&copy, b);
	box_free(&b);
	assert_null(b);
	box_free(&b);
	assert_string_equal(copy.name, "web-1");
	assert_string_equal(box_label(&copy, "env"), "prod");
	box_clear(&copy);
	assert_null(copy.id);
	assert_int_equal(box_decode("{\"box_id\":\"x\"}", 14, &b, &err), -1);
	assert_null(b);
	free(buf);
}

/* Each required field, missing or of the wrong type, is named in the error. */
static void test_required_fields(void **state)
{
	static const char *const fields[] = {"box_id", "status", "created_at", "updated_at",
					     "image",  "cpus",   "memory_mib"};
	static const char *const good =
		"{\"box_id\":\"a\",\"status\":\"running\",\"created_at\":\"2026-11-01T00:00:00Z\","
		"\"updated_at\":\"2026-11-01T00:00:00Z\",\"image\":\"i\",\"cpus\":1,\"memory_mib\":"
		"128}";

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
		cJSON *obj = cJSON_Parse(good);
		struct decode_error err = {0};
		struct json_ctx ctx = {"box", &err};
		struct box b;

		assert_int_equal(box_decode_json(obj, &ctx, &b), 0);
		box_clear(&b);
		cJSON_ReplaceItemInObject(obj, fields[i], cJSON_CreateArray());
		assert_int_equal(box_decode_json(obj, &ctx, &b), -1);
		assert_string_equal(err.field, fields[i]);
		cJSON_DeleteItemFromObject(obj, fields[i]);
		assert_int_equal(box_decode_json(obj, &ctx, &b), -1);
		assert_string_equal(err.field, fields[i]);
		assert_string_equal(err.message, "required but missing");
		assert_null(b.id);
		cJSON_Delete(obj);
	}
}

/* A valid box with one field set to a bad value is refused, naming the field. */
static void test_bad_values(void **state)
{
	static const char *const bad[][2] = {
		{"box_id", "\"\""},
		{"cpus", "-1"},
		{"cpus", "1.5"},
		{"cpus", "1e400"},
		{"memory_mib", "\"128\""},
		{"created_at", "\"last tuesday\""},
		{"labels", "{\"a\":1}"},
		{"labels", "[]"},
		{"exit_code", "\"0\""},
		{"auto_resume", "1"},
		{"name", "7"},
		{"pid", "-3"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		cJSON *box = cJSON_Parse(
			"{\"box_id\":\"a\",\"status\":\"running\",\"created_at\":"
			"\"2026-11-01T00:00:00Z\",\"updated_at\":\"2026-11-01T00:00:00Z\","
			"\"image\":\"i\",\"cpus\":1,\"memory_mib\":128}");
		cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "boxes");
		struct decode_error err = {0};
		struct box_list *list = NULL;
		char *text;

		cJSON_DeleteItemFromObject(box, bad[i][0]);
		cJSON_AddItemToObject(box, bad[i][0], cJSON_Parse(bad[i][1]));
		cJSON_AddItemToArray(arr, box);
		text = cJSON_PrintUnformatted(doc);
		assert_int_equal(decode_text(text, &list, &err), -1);
		assert_null(list);
		assert_string_equal(err.object, "boxes[0]");
		assert_string_equal(err.field, bad[i][0]);
		cJSON_free(text);
		cJSON_Delete(doc);
	}
}

static void test_hostile_strings_kept_raw(void **state)
{
	struct decode_error err = {0};
	struct box_list *list = NULL;
	const char *doc = "{\"boxes\":[{\"box_id\":\"a\",\"name\":\"\\u001b]0;pwned\\u0007\\u202e"
			  "evil\",\"status\":\"running\",\"created_at\":\"2026-11-01T00:00:00Z\","
			  "\"updated_at\":\"2026-11-01T00:00:00Z\",\"image\":\"\\u001b[2J\","
			  "\"cpus\":1,\"memory_mib\":128,\"labels\":{\"\\u001b\":\"\\u0000x\"}}]}";

	(void)state;
	/* decoding keeps the bytes; the display sanitizer is what neutralises them */
	assert_int_equal(decode_text(doc, &list, &err), 0);
	assert_string_equal(list->items[0].name, "\x1b]0;pwned\x07\xe2\x80\xae"
						 "evil");
	assert_string_equal(list->items[0].image, "\x1b[2J");
	assert_string_equal(list->items[0].labels[0].key, "\x1b");
	box_list_free(&list);
}

static void test_big_list_and_append(void **state)
{
	size_t n = 10000, cap = n * 256 + 64, off = 0;
	char *doc = xmalloc(cap);
	struct decode_error err = {0};
	struct box_list *list = NULL, *more = NULL;

	(void)state;
	off += (size_t)snprintf(doc + off, cap - off, "{\"boxes\":[");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(
			doc + off, cap - off,
			"%s{\"box_id\":\"id-%zu\",\"name\":\"box-%zu\",\"status\":"
			"\"running\",\"created_at\":%zu,\"updated_at\":%zu,\"image\":"
			"\"alpine\",\"cpus\":1,\"memory_mib\":128}",
			i ? "," : "", i, i, i, i);
	off += (size_t)snprintf(doc + off, cap - off, "],\"next_page_token\":\"t\"}");
	assert_int_equal(box_list_decode(doc, off, &list, &err), 0);
	assert_int_equal(list->n, n);
	assert_string_equal(list->items[9999].name, "box-9999");
	assert_int_equal(box_list_decode(doc, off, &more, &err), 0);
	box_list_append(list, more);
	assert_int_equal(list->n, 2 * n);
	assert_int_equal(more->n, 0);
	assert_string_equal(list->items[19999].id, "id-9999");
	box_list_free(&more);
	box_list_free(&list);
	free(doc);
}

static void test_keep_status(void **state)
{
	static const char doc[] =
		"{\"boxes\":["
		"{\"box_id\":\"a\",\"status\":\"running\",\"created_at\":1,\"updated_at\":1,"
		"\"image\":\"alpine\",\"cpus\":1,\"memory_mib\":128},"
		"{\"box_id\":\"b\",\"status\":\"stopped\",\"created_at\":1,\"updated_at\":1,"
		"\"image\":\"alpine\",\"cpus\":1,\"memory_mib\":128},"
		"{\"box_id\":\"c\",\"status\":\"running\",\"created_at\":1,\"updated_at\":1,"
		"\"image\":\"alpine\",\"cpus\":1,\"memory_mib\":128},"
		"{\"box_id\":\"d\",\"status\":\"paused\",\"created_at\":1,\"updated_at\":1,"
		"\"image\":\"alpine\",\"cpus\":1,\"memory_mib\":128}]}";
	struct decode_error err = {0};
	struct box_list *list = NULL;

	(void)state;
	assert_int_equal(decode_text(doc, &list, &err), 0);
	box_list_keep_status(list, BOX_RUNNING);
	/* the kept ones in order; the dropped ones freed (ASan would say) */
	assert_int_equal(list->n, 2);
	assert_string_equal(list->items[0].id, "a");
	assert_string_equal(list->items[1].id, "c");
	box_list_keep_status(list, BOX_STOPPED);
	assert_int_equal(list->n, 0);
	box_list_keep_status(list, BOX_RUNNING);
	assert_int_equal(list->n, 0);
	box_list_free(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_degenerate_documents),
		cmocka_unit_test(test_spec_list),
		cmocka_unit_test(test_real_shapes),
		cmocka_unit_test(test_single_box),
		cmocka_unit_test(test_required_fields),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_hostile_strings_kept_raw),
		cmocka_unit_test(test_big_list_and_append),
		cmocka_unit_test(test_keep_status),
	};

	return cmocka_run_group_tests_name("box", tests, NULL, NULL);
}
