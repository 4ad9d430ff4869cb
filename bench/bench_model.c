/*
 * bench_model: what one refresh of a large fleet costs the model layer.
 * Builds the JSON of N boxes (the shape boxlite-sim and real servers send),
 * then times decoding it, sanitizing every name for a 24-column cell, and
 * filtering and sorting it, each as the median of RUNS runs. Prints one
 * table row per step plus the peak RSS, so docs/benchmarks.md can quote it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "model/box.h"
#include "model/query.h"
#include "model/sanitize.h"
#include "model/xalloc.h"

#define RUNS 15

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static char *fleet_json(size_t n, size_t *len)
{
	static const char *const status[] = {"running", "stopped", "paused", "failed"};
	size_t cap = n * 400 + 64, off = 0;
	char *doc = xmalloc(cap);

	off += (size_t)snprintf(doc, cap, "{\"boxes\":[");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(
			doc + off, cap - off,
			"%s{\"box_id\":\"01HJK4TNRPQSXYZ8WM6N%06zu\",\"name\":\"worker-%zu\","
			"\"status\":\"%s\",\"created_at\":\"2026-11-01T10:00:00Z\",\"updated_at\":"
			"\"2026-11-01T10:05:00Z\",\"image\":\"docker.io/library/"
			"python:3.%zu-slim\","
			"\"cpus\":%zu,\"memory_mib\":%zu,\"pid\":%zu,\"labels\":{\"team\":\"t%zu\","
			"\"env\":\"prod\"},\"auto_stop\":900,\"auto_resume\":true}",
			i ? "," : "", i, i, status[i % 4], i % 13, 1 + i % 8, 512 * (1 + i % 4),
			1000 + i, i % 7);
	off += (size_t)snprintf(doc + off, cap - off, "]}");
	*len = off;
	return doc;
}

static void bench_fleet(size_t n)
{
	double t_dec[RUNS], t_san[RUNS], t_q[RUNS];
	size_t len, *idx = xcalloc(n, sizeof(*idx)), matched = 0;
	char *doc = fleet_json(n, &len), cell[128];
	struct query *q = query_parse("status:running label:team=t3 !worker-1");

	for (int r = 0; r < RUNS; r++) {
		struct decode_error err;
		struct box_list *list = NULL;
		double t0 = now_ms();

		if (box_list_decode(doc, len, &list, &err) < 0)
			fatal("decode failed");
		/*
		 * Freeing cJSON's tree leaves thousands of small chunks that glibc
		 * consolidates on the next large malloc: charge that to decoding,
		 * where it comes from, not to whatever allocates next.
		 */
		free(xmalloc(256 * 1024));
		t_dec[r] = now_ms() - t0;
		t0 = now_ms();
		for (size_t i = 0; i < n; i++) {
			const char *name = box_display_name(&list->items[i]);

			sanitize_display(name, strlen(name), 24, cell, sizeof(cell));
		}
		t_san[r] = now_ms() - t0;
		t0 = now_ms();
		matched = query_filter(q, list->items, n, idx);
		query_sort(list->items, NULL, idx, matched, SORT_NAME, false);
		t_q[r] = now_ms() - t0;
		box_list_free(&list);
	}
	printf("| %6zu | %8.1f | %9.2f | %9.3f | %9.3f | %7zu |\n", n, len / 1024.0,
	       median(t_dec, RUNS), median(t_san, RUNS), median(t_q, RUNS), matched);
	query_free(&q);
	free(idx);
	free(doc);
}

int main(void)
{
	static const size_t sizes[] = {40, 1000, 10000};
	struct rusage ru;

	printf("medians of %d runs\n\n", RUNS);
	printf("| boxes  | JSON KiB | decode ms | sanitize ms | filter+sort ms | matched |\n");
	printf("|-------:|---------:|----------:|----------:|----------:|--------:|\n");
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
		bench_fleet(sizes[i]);
	getrusage(RUSAGE_SELF, &ru);
	printf("\npeak RSS: %ld KiB\n", ru.ru_maxrss);
	return 0;
}
