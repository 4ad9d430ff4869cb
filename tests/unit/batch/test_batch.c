/*
 * Unit tests for tui/batch's rendering (the network side is tested against
 * a live simulator in tests/integration/t_batch.sh): an empty frame first,
 * then the exact text table (columns as wide as their content, numbers to
 * the right, no trailing blanks), server text sanitized in text and exact in
 * JSON, metrics and rates only where measured, the header counts and the
 * runtime line.
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

#include "tui/batch.h"

#define NOW INT64_C(1793491200) /* 2026-11-01T00:00:00Z */
#define MIB INT64_C(1048576)

static char *text_of(const struct batch_frame *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	batch_write_text(mem, f);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

/*
 * The line batch_write_json writes, parsed: what a consumer of the NDJSON
 * line reads. Written a piece at a time, it must still be one line and the
 * very bytes cJSON prints for the whole document (printing the parsed
 * document again gives it back).
 */
static cJSON *json_of(const struct batch_frame *f)
{
	char *text = NULL, *again;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	cJSON *doc;

	assert_non_null(mem);
	batch_write_json(mem, f);
	assert_int_equal(fclose(mem), 0);
	assert_true(len > 0 && text[len - 1] == '\n');
	assert_ptr_equal(strchr(text, '\n'), text + len - 1);
	doc = cJSON_ParseWithLength(text, len);
	assert_non_null(doc);
	again = cJSON_PrintUnformatted(doc);
	assert_non_null(again);
	assert_int_equal(strlen(again), len - 1);
	assert_memory_equal(again, text, len - 1);
	cJSON_free(again);
	free(text);
	return doc;
}

/* The line of text that starts with prefix, as a copy without its newline. */
static char *line_starting(const char *text, const char *prefix)
{
	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *end = strchr(p, '\n');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return strndup(p, n);
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

static void line_is(const char *text, const char *prefix, const char *want)
{
	char *line = line_starting(text, prefix);

	assert_non_null(line);
	assert_string_equal(line, want);
	free(line);
}

static void no_trailing_blanks(const char *text)
{
	for (const char *p = strchr(text, '\n'); p != NULL; p = strchr(p + 1, '\n'))
		assert_true(p == text || p[-1] != ' ');
}

/* Writable strings: struct box's fields are char *. */
static char id0[] = "01ABCDEFGHIJKLMNOP", name0[] = "web-1", image0[] = "alpine:3.20";
static char id1[] = "short", image1[] = "python:3.12-slim";
static char evil[] = "evil\x1b[31mred\x1b]0;title\x07x", evil_image[] = "img\x1b[2J\x9b";
static struct box two_boxes[2];
static struct column_live two_live[2];
static const size_t both[] = {0, 1};

static int setup_two(void **state)
{
	(void)state;
	memset(two_boxes, 0, sizeof(two_boxes));
	memset(two_live, 0, sizeof(two_live));
	two_boxes[0] = (struct box){.id = id0,
				    .name = name0,
				    .status = BOX_RUNNING,
				    .created_at = NOW - 3600,
				    .image = image0,
				    .cpus = 2,
				    .memory_mib = 512};
	two_boxes[1] = (struct box){.id = id1,
				    .status = BOX_STOPPED,
				    .created_at = NOW - 3 * 86400,
				    .image = image1,
				    .cpus = 16,
				    .memory_mib = 1024};
	two_live[0].has_metrics = true;
	two_live[0].m.cpu_percent = (struct opt_f64){OPT_SET, 12.5};
	two_live[0].m.memory_bytes = (struct opt_i64){OPT_SET, 100 * MIB};
	two_live[0].rx_rate = (struct opt_f64){OPT_SET, 2048.04};
	return 0;
}

static struct batch_frame two_frame(void)
{
	return (struct batch_frame){.now = NOW,
				    .url = "http://127.0.0.1:8100",
				    .boxes = two_boxes,
				    .live = two_live,
				    .n_boxes = 2,
				    .shown = both,
				    .n_shown = 2};
}

static void test_empty_frame(void **state)
{
	struct batch_frame f = {.now = NOW, .url = "http://h:1"};
	char *text = text_of(&f);
	cJSON *doc = json_of(&f);

	(void)state;
	line_is(text, "boxtop", "boxtop  2026-11-01 00:00:00 UTC  http://h:1  prefix: none");
	line_is(text, "boxes:", "boxes: 0 running, 0 total");
	line_is(text, "runtime:", "runtime: unavailable");
	line_is(text, "NAME",
		"NAME  ID  STATUS  IMAGE  CPUS  MEM  CPU%  MEM-USED  RX/s  TX/s  AGE");
	assert_non_null(strstr(text, "unavailable\n\nNAME"));
	no_trailing_blanks(text);
	assert_string_equal(cJSON_GetObjectItem(doc, "time")->valuestring, "2026-11-01T00:00:00Z");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "runtime")));
	assert_true(
		cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "endpoint"), "prefix")));
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "connection"), "status")->valuestring,
		"connected");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "boxes")), 0);
	free(text);
	cJSON_Delete(doc);
}

static void test_table_fits_content(void **state)
{
	struct batch_frame f = two_frame();
	char *text = text_of(&f);

	(void)state;
	line_is(text, "NAME",
		"NAME   ID            STATUS   IMAGE             CPUS      MEM   CPU%  MEM-USED"
		"       RX/s  TX/s  AGE");
	line_is(text, "web-1",
		"web-1  01ABCDEFGHIJ  running  alpine:3.20          2  512 MiB  12.5%   100 MiB"
		"  2.0 KiB/s     -   1h");
	line_is(text, "short  ",
		"short  short         stopped  python:3.12-slim    16  1.0 GiB      -         -"
		"          -     -   3d");
	line_is(text, "boxes:", "boxes: 1 running, 2 total");
	no_trailing_blanks(text);
	free(text);
}

static void test_shown_subset_and_filter(void **state)
{
	static const size_t second[] = {1};
	struct batch_frame f = two_frame();
	char *text;

	(void)state;
	f.shown = second;
	f.n_shown = 1;
	f.filter = "status:stopped";
	text = text_of(&f);
	line_is(text, "boxes:", "boxes: 1 running, 2 total; 1 match \"status:stopped\"");
	assert_null(strstr(text, "web-1"));
	/* Columns shrink to what is shown; a box without a name shows its id. */
	line_is(text, "NAME",
		"NAME   ID     STATUS   IMAGE             CPUS      MEM  CPU%  MEM-USED"
		"  RX/s  TX/s  AGE");
	line_is(text, "short",
		"short  short  stopped  python:3.12-slim    16  1.0 GiB     -         -"
		"     -     -   3d");
	free(text);
}

static void test_server_text_sanitized(void **state)
{
	struct batch_frame f = two_frame();
	char *text;
	cJSON *doc;

	(void)state;
	two_boxes[0].name = evil;
	two_boxes[1].image = evil_image;
	f.prefix = "us-east/\x1b[1m";
	text = text_of(&f);
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\x07'));
	assert_null(strstr(text, "\xc2\x9b"));
	assert_non_null(strstr(text, "red"));
	no_trailing_blanks(text);
	doc = json_of(&f);
	/* JSON is exact: the escape is escaped, not dropped. */
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "boxes"), 0),
				    "name")
			->valuestring,
		evil);
	free(text);
	cJSON_Delete(doc);
}

static void test_json_metrics_where_measured(void **state)
{
	struct batch_frame f = two_frame();
	cJSON *doc, *boxes, *first, *rates;

	(void)state;
	f.prefix = "team-1";
	f.problem = "runtime metrics: boom";
	doc = json_of(&f);
	boxes = cJSON_GetObjectItem(doc, "boxes");
	assert_int_equal(cJSON_GetArraySize(boxes), 2);
	first = cJSON_GetArrayItem(boxes, 0);
	assert_string_equal(cJSON_GetObjectItem(first, "box_id")->valuestring,
			    "01ABCDEFGHIJKLMNOP");
	assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(first, "metrics"), "cpu_percent")
			    ->valuedouble == 12.5);
	rates = cJSON_GetObjectItem(first, "rates");
	assert_true(cJSON_GetObjectItem(rates, "rx_bytes_per_sec")->valuedouble == 2048.0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(rates, "tx_bytes_per_sec")));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(boxes, 1), "metrics"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(boxes, 1), "rates"));
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "endpoint"), "prefix")->valuestring,
		"team-1");
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "connection"), "status")->valuestring,
		"degraded");
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "connection"), "message")->valuestring,
		"runtime metrics: boom");
	cJSON_Delete(doc);
}

static void test_runtime_line(void **state)
{
	struct runtime_metrics rm = {0};
	struct batch_frame f = {.now = NOW, .url = "u", .runtime = &rm};
	char *text = text_of(&f);
	cJSON *doc = json_of(&f);

	(void)state;
	line_is(text, "runtime:", "runtime: -");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "runtime")), 0);
	free(text);
	cJSON_Delete(doc);
	rm.boxes_created_total = (struct opt_i64){OPT_SET, 24};
	rm.num_running_boxes = (struct opt_i64){OPT_SET, 7};
	rm.boxes_failed_total = (struct opt_i64){OPT_NULL, 0};
	rm.image_disk_bytes_reclaimed_total = (struct opt_i64){OPT_SET, 3 * MIB / 2};
	text = text_of(&f);
	line_is(text, "runtime:", "runtime: 24 created, 7 running, 1.5 MiB reclaimed");
	free(text);
}

static void test_absurd_memory(void **state)
{
	struct batch_frame f = two_frame();
	char *text;

	(void)state;
	two_boxes[1].memory_mib = INT64_MAX / 2;
	two_live[0].has_metrics = false; /* rates and metrics are not shown without it */
	text = text_of(&f);
	line_is(text, "short  ",
		"short  short         stopped  python:3.12-slim    16        -     -         -"
		"     -     -   3d");
	line_is(text, "web-1",
		"web-1  01ABCDEFGHIJ  running  alpine:3.20          2  512 MiB     -"
		"         -     -     -   1h");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_frame),
		cmocka_unit_test_setup(test_table_fits_content, setup_two),
		cmocka_unit_test_setup(test_shown_subset_and_filter, setup_two),
		cmocka_unit_test_setup(test_server_text_sanitized, setup_two),
		cmocka_unit_test_setup(test_json_metrics_where_measured, setup_two),
		cmocka_unit_test(test_runtime_line),
		cmocka_unit_test_setup(test_absurd_memory, setup_two),
	};

	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
