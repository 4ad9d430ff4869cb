/*
 * Unit tests for model/snapshot: the spec shape, the real shape without
 * guest_disk_bytes, and bad values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/snapshot.h"
#include "tests/support/fixture.h"

static struct snapshot_list *load(const char *name)
{
	struct decode_error err = {0};
	struct snapshot_list *list = NULL;
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (snapshot_list_decode(buf, len, &list, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
	return list;
}

static void test_degenerate(void **state)
{
	struct decode_error err = {0};
	struct snapshot_list *list = NULL;
	struct snapshot *s = NULL;

	(void)state;
	assert_int_equal(snapshot_list_decode("", 0, &list, &err), -1);
	assert_int_equal(snapshot_list_decode("{}", 2, &list, &err), -1);
	assert_string_equal(err.field, "snapshots");
	assert_null(list);
	assert_int_equal(snapshot_decode("null", 4, &s, &err), -1);
	assert_null(s);
	snapshot_list_free(&list);
	snapshot_free(&s);
}

static void test_real_shape(void **state)
{
	struct snapshot_list *list = load("snapshot_list_real.json");
	const struct snapshot *s = &list->items[0];

	(void)state;
	assert_int_equal(list->n, 1);
	assert_string_equal(s->id, "a1b2c3d4");
	assert_string_equal(s->name, "before-upgrade");
	assert_int_equal(s->created_at, 1793527200);
	assert_int_equal(s->container_disk_bytes, 1073741824);
	assert_int_equal(s->size_bytes, 52428800);
	assert_int_equal(s->guest_disk_bytes.state, OPT_ABSENT);
	snapshot_list_free(&list);
	assert_null(list);
}

static void test_spec_shape(void **state)
{
	struct snapshot_list *list = load("snapshot_list_spec.json");
	struct decode_error err = {0};
	struct snapshot *one = NULL;
	size_t len;
	char *buf = fixture_load("snapshot_spec.json", &len);

	(void)state;
	assert_int_equal(list->n, 2);
	assert_int_equal(list->items[1].guest_disk_bytes.state, OPT_SET);
	assert_int_equal(list->items[1].guest_disk_bytes.v, 2147483648);
	snapshot_list_free(&list);
	list = load("snapshot_list_empty.json");
	assert_int_equal(list->n, 0);
	snapshot_list_free(&list);
	assert_int_equal(snapshot_decode(buf, len, &one, &err), 0);
	assert_string_equal(one->name, "nightly");
	snapshot_free(&one);
	free(buf);
}

static void test_string_time_and_bad_values(void **state)
{
	struct decode_error err = {0};
	struct snapshot *s = NULL;
	const char *iso = "{\"id\":\"x\",\"box_id\":\"b\",\"name\":\"n\",\"created_at\":"
			  "\"2026-11-01T10:00:00Z\",\"container_disk_bytes\":1,\"size_bytes\":2}";
	const char *zero = "{\"id\":\"x\",\"box_id\":\"b\",\"name\":\"n\",\"created_at\":0,"
			   "\"container_disk_bytes\":0,\"size_bytes\":0,\"guest_disk_bytes\":0}";
	const char *neg = "{\"id\":\"x\",\"box_id\":\"b\",\"name\":\"n\",\"created_at\":1,"
			  "\"container_disk_bytes\":-1,\"size_bytes\":2}";
	const char *no_size = "{\"id\":\"x\",\"box_id\":\"b\",\"name\":\"n\",\"created_at\":1,"
			      "\"container_disk_bytes\":1}";

	(void)state;
	assert_int_equal(snapshot_decode(iso, strlen(iso), &s, &err), 0);
	assert_int_equal(s->created_at, 1793527200);
	snapshot_free(&s);
	assert_int_equal(snapshot_decode(zero, strlen(zero), &s, &err), 0);
	assert_int_equal(s->guest_disk_bytes.state, OPT_SET);
	assert_int_equal(s->guest_disk_bytes.v, 0);
	snapshot_free(&s);
	assert_int_equal(snapshot_decode(neg, strlen(neg), &s, &err), -1);
	assert_string_equal(err.field, "container_disk_bytes");
	assert_int_equal(snapshot_decode(no_size, strlen(no_size), &s, &err), -1);
	assert_string_equal(err.field, "size_bytes");
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_real_shape),
		cmocka_unit_test(test_spec_shape),
		cmocka_unit_test(test_string_time_and_bad_values),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
