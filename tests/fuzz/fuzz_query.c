/*
 * libFuzzer target for model/query. The input, cut at its first NUL, is a
 * filter: it is parsed and matched against fixed boxes (decoded once from
 * JSON), and query_filter must agree with query_match. When its quotes are
 * balanced, adding whitespace or repeating the whole filter must not change
 * what matches. The input's lines also become the names, ids and images of
 * up to 16 boxes, sorted by a key and direction taken from the first byte:
 * the result must be a permutation of the indices, and sorting it again must
 * change nothing (a stable sort with a consistent order). The fixed boxes
 * are sorted the same way with their metrics.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/box.h"
#include "model/query.h"
#include "model/xalloc.h"

#define MAX_LINES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_json[] =
	"{\"boxes\":["
	"{\"box_id\":\"01HJK4TNRPQSXYZ8WM6NCVT9R5\",\"name\":\"web-10\",\"status\":\"running\","
	"\"created_at\":100,\"updated_at\":200,\"image\":\"docker.io/library/alpine:3.20\","
	"\"cpus\":2,\"memory_mib\":1024,\"labels\":{\"team\":\"ml\",\"env\":\"prod\"},"
	"\"last_activity_at\":300},"
	"{\"box_id\":\"sb_abc123\",\"name\":null,\"status\":\"stopped\",\"created_at\":50,"
	"\"updated_at\":60,\"image\":\"python:3.11-slim\",\"cpus\":1,\"memory_mib\":512},"
	"{\"box_id\":\"550e8400-e29b-41d4-a716-446655440000\",\"name\":\"Web-2\","
	"\"status\":\"failed\",\"created_at\":100,\"updated_at\":100,\"image\":\"ubuntu:24.04\","
	"\"cpus\":4,\"memory_mib\":2048,\"labels\":{}},"
	"{\"box_id\":\"01HJK5AAAA\",\"name\":\"batch:nightly\",\"status\":\"paused\","
	"\"created_at\":1,\"updated_at\":2,\"image\":\"alpine:3.9\",\"cpus\":1,"
	"\"memory_mib\":128,\"labels\":{\"team\":\"ML\",\"a=b\":\"c\"}},"
	"{\"box_id\":\"box-4\",\"name\":\"my box\",\"status\":\"configured\",\"created_at\":100,"
	"\"updated_at\":100,\"image\":\"busybox\",\"cpus\":1,\"memory_mib\":128,"
	"\"labels\":{\"team\":\"\"}},"
	"{\"box_id\":\"box-6\",\"name\":\"\",\"status\":\"snapshotting\",\"created_at\":100,"
	"\"updated_at\":100,\"image\":\"debian:12\",\"cpus\":1,\"memory_mib\":128}"
	"]}";

static void check(int ok)
{
	if (!ok)
		abort();
}

/* The fixed boxes, decoded on the first call and kept for the process. */
static const struct box_list *fixed_boxes(void)
{
	static struct box_list *list;

	if (list == NULL)
		check(box_list_decode(fixed_json, strlen(fixed_json), &list, NULL) == 0);
	return list;
}

static void fixed_metrics(struct sort_metrics *m, size_t n, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t v = i < size ? data[i] : 0;

		m[i] = (struct sort_metrics){
			.cpu_percent = {v % 3 ? OPT_SET : OPT_NULL, v % 5 ? v / 2.0 : NAN},
			.memory_bytes = {v % 2 ? OPT_SET : OPT_ABSENT, (int64_t)v << 20},
			.rx_rate = {OPT_SET, v % 7 ? (double)(v & 0x0f) : INFINITY},
			.tx_rate = {v % 4 ? OPT_SET : OPT_ABSENT, -(double)(v >> 4)},
		};
	}
}

/* The matches of text (n at most 16) into idx; filter and match must agree. */
static size_t run_filter(const char *text, const struct box_list *l, size_t *idx)
{
	struct query *q = query_parse(text);
	size_t n = query_filter(q, l->items, l->n, idx), k = 0;

	check(n <= l->n);
	for (size_t i = 0; i < l->n; i++) {
		bool listed = k < n && idx[k] == i;

		check(query_match(q, &l->items[i]) == listed);
		k += listed;
	}
	query_free(&q);
	check(q == NULL);
	return n;
}

static bool quotes_balanced(const char *s)
{
	size_t quotes = 0;

	for (; *s != '\0'; s++)
		quotes += *s == '"';
	return quotes % 2 == 0;
}

static void fuzz_filter(const char *text)
{
	const struct box_list *l = fixed_boxes();
	size_t a[MAX_LINES], b[MAX_LINES], n;
	char *more;

	n = run_filter(text, l, a);
	if (!quotes_balanced(text))
		return;
	more = xasprintf(" %s\t", text);
	check(run_filter(more, l, b) == n && memcmp(a, b, n * sizeof(*a)) == 0);
	free(more);
	more = xasprintf("%s %s", text, text);
	check(run_filter(more, l, b) == n && memcmp(a, b, n * sizeof(*a)) == 0);
	free(more);
}

/* Sorts idx, checks it is a permutation of 0..n-1 and that a second sort keeps it. */
static void sort_and_check(const struct box *boxes, const struct sort_metrics *m, size_t n,
			   enum sort_key key, bool desc)
{
	size_t idx[MAX_LINES], again[MAX_LINES];
	bool seen[MAX_LINES] = {false};

	for (size_t i = 0; i < n; i++)
		idx[i] = n - 1 - i;
	query_sort(boxes, m, idx, n, key, desc);
	for (size_t i = 0; i < n; i++) {
		check(idx[i] < n && !seen[idx[i]]);
		seen[idx[i]] = true;
	}
	memcpy(again, idx, n * sizeof(*idx));
	query_sort(boxes, m, again, n, key, desc);
	check(memcmp(again, idx, n * sizeof(*idx)) == 0);
}

/* One box per line of text: the line is its name (absent on every third), id and image. */
static size_t boxes_from_lines(const char *text, struct box *boxes)
{
	size_t n = 0;

	while (n < MAX_LINES) {
		size_t len = strcspn(text, "\n");
		struct box *b = &boxes[n];

		memset(b, 0, sizeof(*b));
		b->id = xstrndup(text, len);
		b->name = n % 3 == 2 ? NULL : xstrndup(text, len);
		b->image = n % 4 == 3 ? NULL : xstrndup(text, len);
		b->status = (enum box_status)(len % (BOX_STATUS_COUNT + 1));
		b->cpus = (int64_t)len;
		n++;
		if (text[len] == '\0')
			break;
		text += len + 1;
	}
	return n;
}

static void fuzz_sort(const char *text, const uint8_t *data, size_t size)
{
	const struct box_list *l = fixed_boxes();
	struct box boxes[MAX_LINES];
	struct sort_metrics m[MAX_LINES];
	uint8_t first = size > 0 ? data[0] : 0;
	enum sort_key key = (enum sort_key)(first % (SORT_KEY_COUNT + 1));
	bool desc = (first / (SORT_KEY_COUNT + 1)) % 2 == 1;
	size_t n = boxes_from_lines(text, boxes);

	fixed_metrics(m, MAX_LINES, data, size);
	sort_and_check(boxes, m, n, key, desc);
	sort_and_check(boxes, NULL, n, key, !desc);
	sort_and_check(l->items, m, l->n, key, desc);
	for (size_t i = 0; i < n; i++)
		box_clear(&boxes[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly the bytes and a NUL, so reading past the end is caught */
	char *text = xmalloc(size + 1);

	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	fuzz_filter(text);
	fuzz_sort(text, data, size);
	free(text);
	return 0;
}
