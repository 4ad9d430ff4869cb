/*
 * Unit tests for tui/imagecmd's rendering (the network side runs against a
 * live simulator in tests/integration/t_images.sh): an empty list, the
 * exact table (ids shortened, sizes right-aligned, "-" for an unknown size,
 * no trailing blanks), server text sanitized in the table and exact in the
 * JSON document, usage or null.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "tui/imagecmd.h"

#define NOW INT64_C(1793491200) /* 2026-11-01T00:00:00Z */

static char ref0[] = "alpine:3.20", repo0[] = "alpine", tag0[] = "3.20",
	    id0[] = "sha256:6d6599476d095b58c5aa503c756d2875";
static char ref1[] = "ghcr.io/ev\x1b[2Jil:1", repo1[] = "ghcr.io/ev\x1b[2Jil", tag1[] = "1",
	    id1[] = "sha256:cd1f2b62b58b0000";
static struct image_info two[2];

static struct image_list two_images(void)
{
	two[0] = (struct image_info){.reference = ref0,
				     .repository = repo0,
				     .tag = tag0,
				     .id = id0,
				     .cached_at = NOW - 3 * 86400,
				     .size_bytes = {OPT_SET, 265 * INT64_C(1048576)}};
	two[1] = (struct image_info){.reference = ref1,
				     .repository = repo1,
				     .tag = tag1,
				     .id = id1,
				     .cached_at = NOW - 60};
	return (struct image_list){.items = two, .n = 2};
}

/* What the command writes for l: the table (json false) or the document. Caller frees. */
static char *output(const struct image_list *l, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	if (json)
		imagecmd_write_json(mem, l);
	else
		imagecmd_write_text(mem, l, NOW);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void test_empty(void **state)
{
	struct image_list none = {0};
	char *text = output(&none, false), *json = output(&none, true);

	(void)state;
	assert_string_equal(text, "REPOSITORY  TAG  ID  SIZE  CACHED\n");
	assert_string_equal(json, "{\"images\":[],\"usage\":null}\n");
	free(text);
	free(json);
}

static void test_table(void **state)
{
	struct image_list l = two_images();
	char *text = output(&l, false);

	(void)state;
	/* the escape sequence is one replacement character */
	assert_string_equal(text, "REPOSITORY     TAG   ID               SIZE  CACHED\n"
				  "alpine         3.20  6d6599476d09  265 MiB  3d\n"
				  "ghcr.io/ev\xef\xbf\xbdil  1     cd1f2b62b58b        -  1m\n");
	free(text);
}

static void test_json_exact(void **state)
{
	struct image_list l = two_images();
	char *text;
	cJSON *doc, *first;

	(void)state;
	l.has_usage = true;
	l.usage = (struct image_usage){.count = 2, .limit = 50, .known_bytes = 7};
	text = output(&l, true);
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "images"), 1);
	assert_string_equal(cJSON_GetObjectItem(first, "repository")->valuestring, repo1);
	assert_string_equal(cJSON_GetObjectItem(first, "id")->valuestring, id1);
	assert_null(cJSON_GetObjectItem(first, "size_bytes"));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "usage"), "limit")->valueint,
			 50);
	cJSON_Delete(doc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json_exact),
	};

	return cmocka_run_group_tests_name("imagecmd", tests, NULL, NULL);
}
