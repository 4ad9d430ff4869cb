/*
 * Unit tests for model/store and model/shared, one thread at a time: NULL
 * and empty cases, every slot set and read back, generations and the
 * changed mask, a view keeping a replaced value alive, per-box data dropped
 * with its box, 10,000 boxes of metrics, the jobs table, and the wake pipe.
 * The threaded test is in test_store_threads.c; it shares the builders of
 * test data defined here.
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/store.h"
#include "model/xalloc.h"
#include "tests/support/fixture.h"

/* Shared with test_store_threads.c. */
struct box_list *test_box_list(size_t n, size_t step, uint64_t serial);
struct snapshot_list *test_snapshot_list(const char *box_id, size_t n, uint64_t serial);
void test_concurrency(void **state);

/* A growing string. */
struct text {
	char *buf;
	size_t len;
	size_t cap;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = 2 * (t->len + (size_t)n + 1);
		t->buf = xrealloc(t->buf, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void decode_failed(const char *what, const struct decode_error *err)
{
	char msg[300];

	fail_msg("%s: %s", what, decode_error_str(err, msg, sizeof(msg)));
}

/*
 * n boxes with ids b0, b<step>, b<2*step>...; box i is named
 * "s<serial>-n<n>-i<i>", so a reader can tell which list it came from.
 */
struct box_list *test_box_list(size_t n, size_t step, uint64_t serial)
{
	struct decode_error err = {0};
	struct text t = {0};
	struct box_list *l = NULL;

	text_add(&t, "{\"boxes\":[");
	for (size_t i = 0; i < n; i++)
		text_add(&t,
			 "%s{\"box_id\":\"b%zu\",\"name\":\"s%" PRIu64 "-n%zu-i%zu\","
			 "\"status\":\"running\",\"created_at\":1,\"updated_at\":1,"
			 "\"image\":\"alpine\",\"cpus\":1,\"memory_mib\":128}",
			 i > 0 ? "," : "", i * step, serial, n, i);
	text_add(&t, "]}");
	if (box_list_decode(t.buf, t.len, &l, &err) < 0)
		decode_failed("box list", &err);
	free(t.buf);
	return l;
}

/* n snapshots of box_id, each named "s<serial>-n<n>". */
struct snapshot_list *test_snapshot_list(const char *box_id, size_t n, uint64_t serial)
{
	struct decode_error err = {0};
	struct text t = {0};
	struct snapshot_list *l = NULL;

	text_add(&t, "{\"snapshots\":[");
	for (size_t i = 0; i < n; i++)
		text_add(&t,
			 "%s{\"id\":\"%zu\",\"box_id\":\"%s\",\"name\":\"s%" PRIu64 "-n%zu\","
			 "\"created_at\":1,\"container_disk_bytes\":0,\"size_bytes\":1}",
			 i > 0 ? "," : "", i, box_id, serial, n);
	text_add(&t, "]}");
	if (snapshot_list_decode(t.buf, t.len, &l, &err) < 0)
		decode_failed("snapshot list", &err);
	free(t.buf);
	return l;
}

/* The images, config and principal fixtures, decoded. */
struct loaded {
	struct image_list *images;
	struct server_config *config;
	struct principal *principal;
};

static void load_fixtures(struct loaded *f)
{
	static const char *const names[3] = {"image_list_unpaged.json", "config_serve.json",
					     "me_serve.json"};
	struct decode_error err = {0};
	size_t len[3];
	char *buf[3];

	for (int i = 0; i < 3; i++)
		buf[i] = fixture_load(names[i], &len[i]);
	if (image_list_decode(buf[0], len[0], &f->images, &err) < 0 ||
	    server_config_decode(buf[1], len[1], &f->config, &err) < 0 ||
	    principal_decode(buf[2], len[2], &f->principal, &err) < 0)
		decode_failed("fixtures", &err);
	for (int i = 0; i < 3; i++)
		free(buf[i]);
}

static struct box_metrics memory_metrics(int64_t bytes)
{
	struct box_metrics m = {.memory_bytes = {OPT_SET, bytes}};

	return m;
}

static bool wake_pending(const struct store *s)
{
	struct pollfd p = {.fd = store_wake_fd(s), .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void set_boxes(struct store *s, size_t n, size_t step, uint64_t serial)
{
	struct box_list *l = test_box_list(n, step, serial);

	store_set_boxes(s, &l);
	assert_null(l);
}

static void test_degenerate(void **state)
{
	struct store *s = NULL;
	struct store_view v = {0};
	struct box_metrics m;
	struct snapshot_list *snaps = test_snapshot_list("b0", 1, 1);
	struct box_list *none = NULL;
	struct job_update u = {0};

	(void)state;
	store_free(NULL);
	store_free(&s);
	store_view_release(NULL);
	store_view_release(&v);
	assert_int_equal(store_wake_fd(NULL), -1);
	assert_null(store_view_boxes(NULL));
	assert_null(store_view_boxes(&v));
	assert_null(store_view_runtime(&v));
	assert_null(store_view_snapshots(&v, "b0"));
	assert_null(store_view_snapshots(&v, NULL));
	assert_int_equal(store_view_conn(NULL)->status, CONN_CONNECTING);
	assert_int_equal(store_view_job_count(NULL), 0);
	assert_null(store_view_job_at(&v, 0));
	assert_null(store_view_job(&v, 1));
	assert_int_equal(store_view_generation(NULL, STORE_BOXES), 0);
	assert_string_equal(conn_status_name((enum conn_status)42), "unknown");
	assert_string_equal(conn_status_name(CONN_AUTH_FAILED), "auth failed");

	s = store_new();
	assert_non_null(s);
	assert_false(wake_pending(s));
	/* A zeroed view sees everything as changed once, then nothing. */
	assert_int_equal(store_read(s, &v), STORE_ALL);
	assert_int_equal(store_read(s, &v), 0);
	assert_null(store_view_boxes(&v));
	assert_int_equal(store_view_conn(&v)->status, CONN_CONNECTING);
	assert_int_equal(store_view_generation(&v, STORE_BOXES | STORE_JOBS), 0);
	assert_false(store_box_metrics(s, "b0", &m, NULL));
	assert_false(store_box_metrics(s, NULL, &m, NULL));
	store_put_box_metrics(s, NULL, NULL, 1);
	store_set_snapshots(s, NULL, &snaps);
	assert_null(snaps);
	assert_int_equal(store_job_update(s, 1, &u), -1);
	assert_int_equal(store_read(s, &v), 0);
	assert_false(wake_pending(s));
	store_set_boxes(s, &none);
	assert_int_equal(store_read(s, &v), STORE_BOXES);
	assert_null(store_view_boxes(&v));
	store_view_release(&v);
	store_free(&s);
	assert_null(s);
}

static int destroyed;

static void count_destroy(void *data)
{
	destroyed++;
	free(data);
}

static void test_shared_refcount(void **state)
{
	struct shared *a = shared_new(xstrdup("value"), count_destroy);
	struct shared *b = shared_ref(a), *c = shared_ref(b), *empty = shared_new(NULL, NULL);

	(void)state;
	destroyed = 0;
	assert_null(shared_get(NULL));
	assert_null(shared_ref(NULL));
	shared_unref(NULL);
	assert_ptr_equal(a, c);
	assert_string_equal(shared_get(c), "value");
	shared_unref(&a);
	shared_unref(&b);
	assert_null(a);
	assert_int_equal(destroyed, 0);
	assert_string_equal(shared_get(c), "value");
	shared_unref(&c);
	assert_int_equal(destroyed, 1);
	shared_unref(&c);
	assert_null(shared_get(empty));
	shared_unref(&empty);
}

static void set_every_slot(struct store *s)
{
	struct runtime_metrics rt = {.num_running_boxes = {OPT_SET, 21}};
	struct box_metrics m = memory_metrics(4096);
	struct snapshot_list *snaps = test_snapshot_list("b1", 2, 7);
	struct loaded f = {0};
	struct conn_state conn = {.status = CONN_DEGRADED, .since_ms = 5, .last_ok_ms = 4};
	struct job tmpl = {.kind = JOB_CLONE, .arg = (char[]){"web-2"}};
	struct image_detail *detail = image_detail_failed("ghcr.io/acme/worker", "gone");

	load_fixtures(&f);
	snprintf(conn.message, sizeof(conn.message), "2 of 3 requests failed");
	set_boxes(s, 3, 1, 1);
	store_set_runtime(s, &rt);
	store_put_box_metrics(s, "b1", &m, 1000);
	store_set_snapshots(s, "b1", &snaps);
	store_set_images(s, &f.images);
	store_set_image_detail(s, &detail);
	store_set_config(s, &f.config);
	store_set_principal(s, &f.principal);
	store_set_conn(s, &conn);
	assert_int_equal(store_job_add(s, &tmpl), 1);
	assert_null(detail);
	assert_null(snaps);
	assert_null(f.images);
	assert_null(f.config);
	assert_null(f.principal);
}

static void test_every_slot(void **state)
{
	struct store *s = store_new();
	struct store_view v = {0};
	struct box_metrics m;

	(void)state;
	assert_int_equal(store_read(s, &v), STORE_ALL);
	set_every_slot(s);
	assert_int_equal(store_read(s, &v), STORE_ALL);
	assert_int_equal(store_view_boxes(&v)->n, 3);
	assert_string_equal(store_view_boxes(&v)->items[2].name, "s1-n3-i2");
	assert_int_equal(store_view_runtime(&v)->num_running_boxes.v, 21);
	assert_true(store_box_metrics(s, "b1", &m, NULL));
	assert_int_equal(m.memory_bytes.v, 4096);
	assert_int_equal(store_view_snapshots(&v, "b1")->n, 2);
	assert_string_equal(store_view_snapshots(&v, "b1")->items[1].name, "s7-n2");
	assert_null(store_view_snapshots(&v, "b0"));
	assert_string_equal(store_view_images(&v)->items[0].tag, "3.20");
	assert_string_equal(store_view_image_detail(&v)->asked, "ghcr.io/acme/worker");
	assert_string_equal(store_view_image_detail(&v)->error, "gone");
	assert_true(store_view_config(&v)->caps[CAP_SNAPSHOTS]);
	assert_string_equal(store_view_principal(&v)->sub, "local");
	assert_int_equal(store_view_conn(&v)->status, CONN_DEGRADED);
	assert_string_equal(store_view_conn(&v)->message, "2 of 3 requests failed");
	assert_int_equal(store_view_job_count(&v), 1);
	assert_string_equal(store_view_job(&v, 1)->arg, "web-2");
	assert_int_equal(store_view_job_at(&v, 0)->kind, JOB_CLONE);
	store_view_release(&v);
	assert_null(store_view_images(&v));
	store_free(&s);
}

static void test_forget(void **state)
{
	struct store *s = store_new();
	struct store_view v = {0};
	struct snapshot_list *no_snaps = NULL;
	struct image_list *no_images = NULL;
	struct image_detail *no_detail = NULL;
	struct server_config *no_config = NULL;
	struct principal *no_principal = NULL;
	struct conn_state conn;

	(void)state;
	set_every_slot(s);
	store_read(s, &v);
	store_set_runtime(s, NULL);
	store_set_snapshots(s, "b1", &no_snaps);
	store_set_images(s, &no_images);
	store_set_image_detail(s, &no_detail);
	store_set_config(s, &no_config);
	store_set_principal(s, &no_principal);
	store_set_conn(s, NULL);
	assert_int_equal(store_read(s, &v), STORE_RUNTIME | STORE_SNAPSHOTS | STORE_IMAGES |
						    STORE_IMAGE_DETAIL | STORE_CONFIG |
						    STORE_PRINCIPAL | STORE_CONN);
	assert_null(store_view_runtime(&v));
	assert_null(store_view_snapshots(&v, "b1"));
	assert_null(store_view_images(&v));
	assert_null(store_view_image_detail(&v));
	assert_null(store_view_config(&v));
	assert_null(store_view_principal(&v));
	assert_int_equal(store_view_conn(&v)->status, CONN_CONNECTING);
	/* An unterminated message is cut, not overrun. */
	memset(&conn, 'x', sizeof(conn));
	conn.status = CONN_DOWN;
	store_set_conn(s, &conn);
	store_read(s, &v);
	assert_int_equal(strlen(store_view_conn(&v)->message), sizeof(conn.message) - 1);
	store_view_release(&v);
	store_free(&s);
}

static void test_generations(void **state)
{
	struct store *s = store_new();
	struct store_view v = {0};
	struct runtime_metrics rt = {0};
	uint64_t g0, runtime0, boxes0;

	(void)state;
	store_read(s, &v);
	g0 = store_view_generation(&v, 0);
	runtime0 = store_view_generation(&v, STORE_RUNTIME);
	boxes0 = store_view_generation(&v, STORE_BOXES);
	store_set_runtime(s, &rt);
	store_set_runtime(s, &rt);
	assert_int_equal(store_read(s, &v), STORE_RUNTIME);
	assert_int_equal(store_view_generation(&v, STORE_RUNTIME), runtime0 + 2);
	assert_int_equal(store_view_generation(&v, STORE_BOXES), boxes0);
	assert_int_equal(store_view_generation(&v, 0), g0 + 2);
	store_put_box_metrics(s, "b9", NULL, 1);
	store_set_conn(s, NULL);
	assert_int_equal(store_read(s, &v), STORE_METRICS | STORE_CONN);
	assert_int_equal(store_read(s, &v), 0);
	/* A view released and reused starts over: everything changed. */
	store_view_release(&v);
	assert_int_equal(store_read(s, &v), STORE_ALL);
	assert_int_equal(store_view_generation(&v, 0), g0 + 4);
	store_view_release(&v);
	store_free(&s);
}

static void assert_box_names(const struct store_view *v, uint64_t serial, size_t n)
{
	const struct box_list *l = store_view_boxes(v);
	char name[64];

	assert_non_null(l);
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%" PRIu64 "-n%zu-i%zu", serial, n, i);
		assert_string_equal(l->items[i].name, name);
	}
}

static void test_view_keeps_old_value(void **state)
{
	struct store *s = store_new();
	struct store_view old = {0}, fresh = {0};
	const struct box_list *first;

	(void)state;
	set_boxes(s, 50, 1, 1);
	store_read(s, &old);
	first = store_view_boxes(&old);
	/* Replaced twice: the old view still holds the first list, intact. */
	set_boxes(s, 20, 1, 2);
	set_boxes(s, 30, 1, 3);
	assert_ptr_equal(store_view_boxes(&old), first);
	assert_box_names(&old, 1, 50);
	store_read(s, &fresh);
	assert_box_names(&fresh, 3, 30);
	assert_box_names(&old, 1, 50);
	assert_int_equal(store_read(s, &old), STORE_BOXES);
	assert_box_names(&old, 3, 30);
	assert_ptr_equal(store_view_boxes(&old), store_view_boxes(&fresh));
	store_view_release(&old);
	/* The store let go first: the view alone keeps the list. */
	store_free(&s);
	assert_box_names(&fresh, 3, 30);
	store_view_release(&fresh);
}

static void test_vanished_boxes(void **state)
{
	struct store *s = store_new();
	struct store_view v = {0};
	struct snapshot_list *snaps;
	struct box_metrics m = memory_metrics(1);
	char id[16];

	(void)state;
	set_boxes(s, 10, 1, 1);
	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "b%d", i);
		store_put_box_metrics(s, id, &m, 1000);
		snaps = test_snapshot_list(id, 1, 1);
		store_set_snapshots(s, id, &snaps);
	}
	/* Metrics may come before the box list that names the box. */
	store_put_box_metrics(s, "b10", &m, 1000);
	assert_int_equal(store_box_metrics_count(s), 11);
	store_read(s, &v);
	set_boxes(s, 5, 2, 2); /* b0 b2 b4 b6 b8 */
	assert_int_equal(store_read(s, &v), STORE_BOXES | STORE_METRICS | STORE_SNAPSHOTS);
	assert_int_equal(store_box_metrics_count(s), 5);
	assert_true(store_box_metrics(s, "b8", NULL, NULL));
	assert_false(store_box_metrics(s, "b1", NULL, NULL));
	assert_false(store_box_metrics(s, "b10", NULL, NULL));
	assert_non_null(store_view_snapshots(&v, "b4"));
	assert_null(store_view_snapshots(&v, "b5"));
	/* The same boxes again: nothing per-box changes. */
	set_boxes(s, 5, 2, 3);
	assert_int_equal(store_read(s, &v), STORE_BOXES);
	set_boxes(s, 0, 1, 4);
	assert_int_equal(store_read(s, &v), STORE_BOXES | STORE_METRICS | STORE_SNAPSHOTS);
	assert_int_equal(store_box_metrics_count(s), 0);
	assert_null(store_view_snapshots(&v, "b0"));
	store_view_release(&v);
	store_free(&s);
}

static void test_box_metrics(void **state)
{
	struct store *s = store_new();
	struct box_metrics m = {.cpu_percent = {OPT_SET, 50},
				.network_bytes_received = {OPT_SET, 0}};
	struct metric_history h;
	double v;

	(void)state;
	store_put_box_metrics(s, "b0", &m, 1000);
	m.network_bytes_received.v = 2000;
	store_put_box_metrics(s, "b0", &m, 2000);
	memset(&m, 0xff, sizeof(m));
	assert_true(store_box_metrics(s, "b0", &m, &h));
	assert_int_equal(m.network_bytes_received.v, 2000);
	assert_int_equal(h.count, 2);
	assert_true(history_last(&h, HISTORY_NET_RX, &v) && v == 2000.0);
	/* A poll that measured nothing: a gap, and latest metrics all absent. */
	store_put_box_metrics(s, "b0", NULL, 3000);
	assert_true(store_box_metrics(s, "b0", &m, &h));
	assert_int_equal(m.cpu_percent.state, OPT_ABSENT);
	assert_int_equal(h.count, 3);
	assert_false(history_last(&h, HISTORY_CPU, &v));
	store_free(&s);
}

static void test_many_boxes(void **state)
{
	enum { N = 10000 };
	struct store *s = store_new();
	struct box_metrics m;
	char id[16];

	(void)state;
	set_boxes(s, N, 1, 1);
	/* In scrambled order, so inserts land all over the map. */
	for (size_t k = 0; k < N; k++) {
		size_t i = k * 7919 % N;

		snprintf(id, sizeof(id), "b%zu", i);
		m = memory_metrics((int64_t)i);
		store_put_box_metrics(s, id, &m, 1000);
	}
	assert_int_equal(store_box_metrics_count(s), N);
	for (size_t i = 0; i < N; i += 37) {
		snprintf(id, sizeof(id), "b%zu", i);
		assert_true(store_box_metrics(s, id, &m, NULL));
		assert_int_equal(m.memory_bytes.v, i);
	}
	set_boxes(s, N / 2, 2, 2);
	assert_int_equal(store_box_metrics_count(s), N / 2);
	assert_false(store_box_metrics(s, "b9999", NULL, NULL));
	assert_true(store_box_metrics(s, "b9998", &m, NULL));
	assert_int_equal(m.memory_bytes.v, 9998);
	store_free(&s);
}

static void test_jobs(void **state)
{
	struct store *s = store_new();
	struct store_view v = {0}, before = {0};
	struct job tmpl = {.kind = JOB_EXPORT, .box_id = (char[]){"b1"}, .bytes_total = -1};
	struct job_update u = {.fields = JOB_FIELD_STATE, .state = JOB_RUNNING, .now_ms = 10};
	const struct job *j;

	(void)state;
	assert_int_equal(store_job_add(s, &tmpl), 1);
	assert_int_equal(store_job_add(s, NULL), 2);
	tmpl.id = 77; /* ignored */
	assert_int_equal(store_job_add(s, &tmpl), 3);
	store_read(s, &before);
	assert_int_equal(store_job_update(s, 1, &u), 0);
	u = (struct job_update){.fields = JOB_FIELD_PROGRESS | JOB_FIELD_MESSAGE,
				.bytes_done = 10,
				.bytes_total = 100,
				.message = "10%"};
	assert_int_equal(store_job_update(s, 1, &u), 0);
	assert_int_equal(store_read(s, &v), STORE_ALL);
	assert_int_equal(store_view_job_count(&v), 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(store_view_job_at(&v, i)->id, i + 1);
	j = store_view_job(&v, 1);
	assert_int_equal(j->state, JOB_RUNNING);
	assert_int_equal(j->started_ms, 10);
	assert_int_equal(j->bytes_done, 10);
	assert_string_equal(j->message, "10%");
	assert_string_equal(j->box_id, "b1");
	/* Copy on write: the older view still has the job as it was. */
	assert_int_equal(store_view_job(&before, 1)->state, JOB_QUEUED);
	assert_null(store_view_job(&before, 1)->message);
	assert_ptr_equal(store_view_job(&before, 2), store_view_job(&v, 2));
	u = (struct job_update){.fields = JOB_FIELD_STATE, .state = JOB_FAILED, .now_ms = 20};
	assert_int_equal(store_job_update(s, 1, &u), 0);
	assert_int_equal(store_job_update(s, 1, &u), -1);
	assert_int_equal(store_job_update(s, 4, &u), -1);
	assert_int_equal(store_job_update(s, 0, &u), -1);
	assert_int_equal(store_read(s, &v), STORE_JOBS);
	assert_int_equal(store_view_job(&v, 1)->finished_ms, 20);
	assert_null(store_view_job(&v, 4));
	assert_null(store_view_job_at(&v, 3));
	store_view_release(&before);
	store_view_release(&v);
	store_free(&s);
}

static void test_job_prune(void **state)
{
	enum { RUNNING = 5, FINISHED = STORE_JOBS_KEPT + 50 };
	struct store *s = store_new();
	struct store_view v = {0};
	struct job running = {.state = JOB_RUNNING};
	struct job_update done = {.fields = JOB_FIELD_STATE, .state = JOB_SUCCEEDED};
	uint64_t first;

	(void)state;
	for (uint64_t i = 1; i <= RUNNING; i++)
		assert_int_equal(store_job_add(s, &running), i);
	first = RUNNING + 1;
	for (uint64_t i = 0; i < FINISHED; i++)
		assert_int_equal(store_job_add(s, NULL), first + i);
	/* Finished newest first: the most recently finished are the oldest ids. */
	for (uint64_t i = 0; i < FINISHED; i++) {
		done.now_ms = (int64_t)(1000 + i);
		assert_int_equal(store_job_update(s, first + FINISHED - 1 - i, &done), 0);
	}
	store_read(s, &v);
	assert_int_equal(store_view_job_count(&v), RUNNING + STORE_JOBS_KEPT);
	for (uint64_t i = 1; i <= RUNNING; i++)
		assert_int_equal(store_view_job(&v, i)->state, JOB_RUNNING);
	assert_non_null(store_view_job(&v, first));
	assert_non_null(store_view_job(&v, first + STORE_JOBS_KEPT - 1));
	assert_null(store_view_job(&v, first + STORE_JOBS_KEPT));
	assert_int_equal(store_job_update(s, first + FINISHED - 1, &done), -1);
	/* Ids keep counting after a prune. */
	assert_int_equal(store_job_add(s, NULL), first + FINISHED);
	store_view_release(&v);
	store_free(&s);
}

static void test_wake(void **state)
{
	struct store *s = store_new();
	struct runtime_metrics rt = {0};
	struct job_update u = {0};

	(void)state;
	assert_true(store_wake_fd(s) >= 0);
	assert_false(wake_pending(s));
	store_set_conn(s, NULL);
	assert_true(wake_pending(s));
	store_drain_wake(s);
	assert_false(wake_pending(s));
	store_drain_wake(s);
	/* Far more changes than a pipe holds: writers must never block. */
	for (int i = 0; i < 70000; i++)
		store_set_runtime(s, &rt);
	assert_true(wake_pending(s));
	store_drain_wake(s);
	assert_false(wake_pending(s));
	/* A refused update changes nothing and wakes nobody. */
	assert_int_equal(store_job_update(s, 9, &u), -1);
	assert_false(wake_pending(s));
	store_free(&s);
}

/* What store_log_take handed over, joined, with the streams as letters. */
struct taken {
	char buf[256];
	size_t len;
};

static void take_one(void *arg, int stream, const char *bytes, size_t n)
{
	struct taken *t = arg;

	t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%c:%.*s|",
				   stream == 2 ? 'e' : 'o', (int)n, bytes);
}

static void test_log_feed(void **state)
{
	struct store *s = store_new();
	struct store_view v = {0};
	struct taken t = {0};
	char st[64];
	char *big;

	(void)state;
	store_read(s, &v);
	assert_int_equal(store_read(s, &v) & STORE_LOG, 0);
	store_log_open(s, 7);
	assert_true(store_read(s, &v) & STORE_LOG);
	store_log_push(s, 7, 1, "hello ", 6);
	store_log_push(s, 7, 2, "oops", 4);
	store_log_push(s, 6, 1, "an old box", 10); /* another session: dropped */
	store_log_state(s, 7, "attached");
	store_log_state(s, 6, "closed");
	assert_true(store_read(s, &v) & STORE_LOG);
	assert_int_equal(store_log_take(s, 7, take_one, &t, st, sizeof(st)), 0);
	assert_string_equal(t.buf, "o:hello |e:oops|");
	assert_string_equal(st, "attached");
	/* taken: the queue is empty; another session's take gets nothing */
	t = (struct taken){0};
	store_log_take(s, 7, take_one, &t, st, sizeof(st));
	assert_int_equal(t.len, 0);
	store_log_push(s, 7, 1, "x", 1);
	store_log_take(s, 6, take_one, &t, st, sizeof(st));
	assert_int_equal(t.len, 0);
	assert_string_equal(st, "");
	/* past STORE_LOG_MAX the oldest go, and are counted */
	big = xcalloc(1, STORE_LOG_MAX);
	store_log_push(s, 7, 1, big, STORE_LOG_MAX);
	store_log_push(s, 7, 1, "tail", 4);
	t = (struct taken){0};
	assert_int_equal(store_log_take(s, 7, take_one, &t, NULL, 0), 1 + STORE_LOG_MAX);
	assert_string_equal(t.buf, "o:tail|");
	/* a new session empties the feed */
	store_log_push(s, 7, 1, "left", 4);
	store_log_open(s, 8);
	t = (struct taken){0};
	store_log_take(s, 8, take_one, &t, st, sizeof(st));
	assert_int_equal(t.len, 0);
	free(big);
	store_view_release(&v);
	store_free(&s);
}

struct pusher {
	struct store *s;
	int n;
};

static void *push_many(void *arg)
{
	struct pusher *p = arg;

	for (int i = 0; i < p->n; i++)
		store_log_push(p->s, 1, 1, "0123456789", 10);
	return NULL;
}

static void count_bytes(void *arg, int stream, const char *bytes, size_t n)
{
	(void)stream;
	(void)bytes;
	*(size_t *)arg += n;
}

/* A follower thread pushing while the UI thread takes: nothing lost, nothing twice (TSan). */
static void test_log_feed_threads(void **state)
{
	struct store *s = store_new();
	struct pusher p = {.s = s, .n = 20000};
	size_t got = 0, dropped = 0;
	pthread_t th;

	(void)state;
	store_log_open(s, 1);
	assert_int_equal(pthread_create(&th, NULL, push_many, &p), 0);
	for (int i = 0; i < 1000; i++)
		dropped += store_log_take(s, 1, count_bytes, &got, NULL, 0);
	pthread_join(th, NULL);
	dropped += store_log_take(s, 1, count_bytes, &got, NULL, 0);
	assert_int_equal(got + dropped, (size_t)p.n * 10);
	store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_shared_refcount),
		cmocka_unit_test(test_every_slot),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_view_keeps_old_value),
		cmocka_unit_test(test_vanished_boxes),
		cmocka_unit_test(test_box_metrics),
		cmocka_unit_test(test_many_boxes),
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_job_prune),
		cmocka_unit_test(test_wake),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_log_feed),
		cmocka_unit_test(test_log_feed_threads),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
