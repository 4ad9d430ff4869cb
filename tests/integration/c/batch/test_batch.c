/*
 * net/http's batches and net/batchfetch against a live boxlite-sim: every
 * answer lands at its URL's index, a missing box is a gap and not a
 * failure, and the batch never waits on curl_multi_poll with a slot it
 * could fill. That last one is what made `boxtop -b` at 10,000 boxes take
 * 0.8 s or 17 s: when every transfer of a round ended in one pass, the
 * loop polled with nothing in flight and sat out the 100 ms timeout before
 * launching the next URLs.
 *
 * No check is on time. This runner defines curl_multi_poll,
 * curl_multi_add_handle and curl_multi_remove_handle itself; the calls
 * net/http.o makes (linked into this executable) reach these first, which
 * count the handles attached at each wait and pass on to libcurl's own
 * (dlsym RTLD_NEXT).
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "model/xalloc.h"
#include "net/api.h"
#include "net/batchfetch.h"
#include "net/http.h"
#include "tests/support/simproc.h"

/* What the wrappers saw while armed (around one batch call only). */
static struct {
	bool armed;
	size_t parallel; /* the batch's slots */
	size_t urls;     /* URLs the batch was given */
	size_t attached; /* handles on the multi handle now */
	size_t launched; /* handles added so far */
	size_t polls;
	size_t idle_polls;    /* waits with no transfer in flight */
	size_t starved_polls; /* waits with a free slot and URLs left to launch */
} seen;

/* libcurl's function of that name, found once. */
static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fprintf(stderr, "test_batch: no %s in libcurl\n", name);
		abort();
	}
	return f;
}

CURLMcode curl_multi_add_handle(CURLM *multi_handle, CURL *curl_handle)
{
	static CURLMcode (*fn)(CURLM *, CURL *);
	CURLMcode rc;

	if (fn == NULL) {
		void *f = real("curl_multi_add_handle");

		memcpy(&fn, &f, sizeof(fn));
	}
	rc = fn(multi_handle, curl_handle);
	if (seen.armed && rc == CURLM_OK) {
		seen.attached++;
		seen.launched++;
	}
	return rc;
}

CURLMcode curl_multi_remove_handle(CURLM *multi_handle, CURL *curl_handle)
{
	static CURLMcode (*fn)(CURLM *, CURL *);

	if (fn == NULL) {
		void *f = real("curl_multi_remove_handle");

		memcpy(&fn, &f, sizeof(fn));
	}
	if (seen.armed && seen.attached > 0)
		seen.attached--;
	return fn(multi_handle, curl_handle);
}

CURLMcode curl_multi_poll(CURLM *multi_handle, struct curl_waitfd extra_fds[],
			  unsigned int extra_nfds, int timeout_ms, int *ret)
{
	static CURLMcode (*fn)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);

	if (fn == NULL) {
		void *f = real("curl_multi_poll");

		memcpy(&fn, &f, sizeof(fn));
	}
	if (seen.armed) {
		seen.polls++;
		seen.idle_polls += seen.attached == 0;
		seen.starved_polls += seen.attached < seen.parallel && seen.launched < seen.urls;
	}
	return fn(multi_handle, extra_fds, extra_nfds, timeout_ms, ret);
}

static void arm(size_t parallel, size_t urls)
{
	memset(&seen, 0, sizeof(seen));
	seen.parallel = parallel;
	seen.urls = urls;
	seen.armed = true;
}

/* A fleet of n boxes and its list, read through the API. */
static struct api *fleet(struct simproc *s, const char *n, struct box_list **boxes)
{
	const char *args[] = {"--boxes", n, NULL};
	struct http_conf conf = {0};
	struct net_error err;
	struct api *a;

	assert_int_equal(simproc_start(s, args), 0);
	a = api_new(s->url, NULL, &conf);
	assert_int_equal(api_boxes(a, NULL, NULL, boxes, &err), 0);
	return a;
}

/*
 * A fleet of n boxes, and GET /v1/boxes/ID of every one, parallel at a
 * time: each answer where its URL was. What the batch did is left in seen.
 */
static void get_every_box(const char *n, unsigned parallel)
{
	struct box_list *l = NULL;
	struct simproc s;
	struct api *a = fleet(&s, n, &l);
	struct http_conf conf = {0};
	struct http_batch *b = http_batch_new(&conf, parallel);
	char **urls = xcalloc(l->n, sizeof(*urls));
	struct http_resp *out = xcalloc(l->n, sizeof(*out));
	struct net_error *errs = xcalloc(l->n, sizeof(*errs));

	for (size_t i = 0; i < l->n; i++)
		urls[i] = xasprintf("%s/v1/boxes/%s", s.url, l->items[i].id);
	arm(parallel, l->n);
	assert_int_equal(http_batch_get(b, (const char *const *)urls, l->n, out, errs, NULL), 0);
	seen.armed = false;
	for (size_t i = 0; i < l->n; i++) {
		assert_int_equal(errs[i].kind, NET_OK);
		assert_int_equal(out[i].status, 200);
		assert_non_null(strstr(out[i].body, l->items[i].id));
		http_resp_clear(&out[i]);
		free(urls[i]);
	}
	assert_int_equal(seen.launched, l->n);
	assert_int_equal(seen.attached, 0);
	free(urls);
	free(out);
	free(errs);
	http_batch_free(&b);
	box_list_free(&l);
	api_free(&a);
	assert_int_equal(simproc_stop(&s), 0);
}

/*
 * One slot: each transfer ends alone, so every round is "all done, more to
 * launch". The old loop then waited 100 ms with nothing in flight, once per
 * URL but the last.
 */
static void test_one_slot_never_waits_idle(void **state)
{
	(void)state;
	get_every_box("30", 1);
	assert_true(seen.polls > 0);
	assert_int_equal(seen.idle_polls, 0);
	assert_int_equal(seen.starved_polls, 0);
}

/* Eight slots, many more URLs: a slot that comes free is filled before the next wait. */
static void test_slots_refilled_before_waiting(void **state)
{
	(void)state;
	get_every_box("400", 8);
	assert_int_equal(seen.idle_polls, 0);
	assert_int_equal(seen.starved_polls, 0);
}

/*
 * The poller's and batch output's path: every running box's metrics (more
 * than one of batchfetch's windows of 1,024), and a vanished box's gap.
 */
static void test_batchfetch_running_boxes(void **state)
{
	struct http_conf conf = {0};
	struct http_batch *b = http_batch_new(&conf, 8);
	struct box_list *l = NULL;
	struct net_error first = {.kind = NET_OK};
	struct box_metrics *m;
	const char **ids;
	bool *got;
	size_t n = 0;
	struct simproc s;
	struct api *a;

	(void)state;
	a = fleet(&s, "2000", &l);
	ids = xcalloc(l->n + 1, sizeof(*ids));
	m = xcalloc(l->n + 1, sizeof(*m));
	got = xcalloc(l->n + 1, sizeof(*got));
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].status == BOX_RUNNING)
			ids[n++] = l->items[i].id;
	assert_true(n > 1024);
	ids[n++] = "no-such-box";
	arm(8, n);
	assert_int_equal(batchfetch_box_metrics(a, b, ids, n, NULL, m, got, &first), 0);
	seen.armed = false;
	assert_int_equal(first.kind, NET_OK);
	for (size_t i = 0; i + 1 < n; i++) {
		assert_true(got[i]);
		assert_true(opt_f64_has(m[i].cpu_percent));
	}
	assert_false(got[n - 1]);
	/* Slots do drain at the end of each window (by design), but never wait idle. */
	assert_int_equal(seen.idle_polls, 0);
	free(ids);
	free(m);
	free(got);
	box_list_free(&l);
	http_batch_free(&b);
	api_free(&a);
	assert_int_equal(simproc_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_slot_never_waits_idle),
		cmocka_unit_test(test_slots_refilled_before_waiting),
		cmocka_unit_test(test_batchfetch_running_boxes),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
