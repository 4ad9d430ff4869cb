/*
 * Unit tests for model/image: lists with and without paging, detail with
 * versions, usage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/image.h"
#include "tests/support/fixture.h"

static struct image_list *load(const char *name)
{
	struct decode_error err = {0};
	struct image_list *list = NULL;
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (image_list_decode(buf, len, &list, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
	return list;
}

static void test_degenerate(void **state)
{
	struct decode_error err = {0};
	struct image_list *list = NULL;
	struct image_detail *d = NULL;
	struct image_usage u;

	(void)state;
	assert_int_equal(image_list_decode("{\"images\":null}", 15, &list, &err), -1);
	assert_null(list);
	assert_int_equal(image_detail_decode("{}", 2, &d, &err), -1);
	assert_null(d);
	assert_int_equal(image_usage_decode("{\"count\":1}", 11, &u, &err), -1);
	assert_string_equal(err.field, "limit");
	image_list_free(&list);
	image_detail_free(&d);
}

static void test_lists(void **state)
{
	struct image_list *paged = load("image_list_paged.json");
	struct image_list *all = load("image_list_unpaged.json");

	(void)state;
	assert_string_equal(paged->next_page_token, "cGFnZTI");
	assert_int_equal(paged->n, 1);
	assert_string_equal(paged->items[0].tag, "3.20");
	assert_int_equal(paged->items[0].size_bytes.v, 3623807);
	assert_null(all->next_page_token);
	assert_int_equal(all->items[1].size_bytes.state, OPT_NULL);
	assert_int_equal(all->items[1].cached_at, 1790856000);
	image_list_append(paged, all);
	assert_int_equal(paged->n, 3);
	assert_int_equal(all->n, 0);
	assert_string_equal(paged->items[2].reference, "python:3.11-slim");
	image_list_free(&paged);
	image_list_free(&all);
}

static void test_detail_and_usage(void **state)
{
	struct decode_error err = {0};
	struct image_detail *d = NULL;
	struct image_usage u;
	size_t len;
	char *buf = fixture_load("image_detail.json", &len);
	const char *bad = "{\"name\":\"n\",\"tags\":[],\"curated\":\"no\",\"versions\":[]}";

	(void)state;
	assert_int_equal(image_detail_decode(buf, len, &d, &err), 0);
	assert_string_equal(d->name, "quay.io/acme/app");
	assert_int_equal(d->n_tags, 2);
	assert_string_equal(d->tags[1], "1.2");
	assert_false(d->curated);
	assert_int_equal(d->n_versions, 2);
	assert_int_equal(d->versions[0].size_bytes.v, 123456);
	assert_int_equal(d->versions[1].size_bytes.state, OPT_ABSENT);
	image_detail_free(&d);
	assert_null(d);
	free(buf);
	buf = fixture_load("image_usage.json", &len);
	assert_int_equal(image_usage_decode(buf, len, &u, &err), 0);
	assert_int_equal(u.count, 12);
	assert_int_equal(u.limit, 50);
	assert_int_equal(u.known_bytes, 987654321);
	free(buf);
	assert_int_equal(image_detail_decode(bad, strlen(bad), &d, &err), -1);
	assert_string_equal(err.field, "curated");
}

/* A detail that could not be read says for which name, and why; the decoder sets neither. */
static void test_detail_failed(void **state)
{
	struct decode_error err = {0};
	struct image_detail *d = image_detail_failed("docker.io/library/alpine", "not_found (404)");
	size_t len;
	char *buf = fixture_load("image_detail.json", &len);

	(void)state;
	assert_string_equal(d->asked, "docker.io/library/alpine");
	assert_string_equal(d->error, "not_found (404)");
	assert_null(d->name);
	assert_int_equal(d->n_tags, 0);
	assert_int_equal(d->n_versions, 0);
	image_detail_free(&d);
	assert_int_equal(image_detail_decode(buf, len, &d, &err), 0);
	assert_null(d->asked);
	assert_null(d->error);
	image_detail_free(&d);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_detail_and_usage),
		cmocka_unit_test(test_detail_failed),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
