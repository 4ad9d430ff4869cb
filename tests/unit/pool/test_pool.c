/*
 * Unit tests for net/pool with real threads. Interleavings are forced with
 * gates (a mutex and condvar the test opens) rather than sleeps, and jobs
 * are awaited the way the UI does: poll() the store's wake fd and read the
 * jobs table. Nothing is timed; the long timeouts only turn a deadlock into
 * a failure. Job functions never call cmocka (it is not thread-safe): they
 * count what they saw and the test thread asserts on the counts.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "model/format.h"
#include "model/store.h"
#include "model/xalloc.h"
#include "net/pool.h"

/* Only a deadlock guard: a correct run never gets near it. */
#define GUARD_S 60

/* A door jobs wait at until the test opens it; counts who arrived. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	int arrived;
};

static void gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

static void gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
}

static struct timespec deadline(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += GUARD_S;
	return ts;
}

/* Arrives and waits until the gate opens. Returns false on the guard timeout. */
static bool gate_pass(struct gate *g)
{
	struct timespec ts = deadline();
	int rc = 0;

	pthread_mutex_lock(&g->lock);
	g->arrived++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	pthread_mutex_unlock(&g->lock);
	return rc != ETIMEDOUT;
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Waits until n have arrived at the gate (not necessarily still there). */
static void gate_await(struct gate *g, int n)
{
	struct timespec ts = deadline();
	int rc = 0;

	pthread_mutex_lock(&g->lock);
	while (g->arrived < n && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	pthread_mutex_unlock(&g->lock);
	assert_true(rc != ETIMEDOUT);
}

static int gate_arrived(struct gate *g)
{
	int n;

	pthread_mutex_lock(&g->lock);
	n = g->arrived;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Job arguments. */

struct arg {
	atomic_int runs;
	atomic_int frees;
	int fail_runs; /* the first this many runs fail */
	int seq;
	const char *key;
	struct gate *gate; /* wait here, if set */
	bool wait_cancel;  /* poll the cancel flag until set, then fail */
	bool mask_ok;      /* terminal signals were blocked in the worker */
	struct log *log;
};

/* What the keyed jobs saw: per-key order and the most running at once. */
#define KEYS 3
struct log {
	pthread_mutex_t lock;
	int order[KEYS][512];
	int n[KEYS];
	atomic_int running[KEYS];
	atomic_int overlaps;
	int fifo[512];
	int n_fifo;
};

static void free_arg(void *p)
{
	struct arg *a = p;

	atomic_fetch_add(&a->frees, 1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int wait_for_cancel(struct pool_ctx *c)
{
	while (!pool_ctx_cancelled(c))
		sleep_ms(1);
	pool_ctx_message(c, "stopped at the user's request");
	return -1;
}

static void log_run(struct arg *a)
{
	struct log *l = a->log;
	int k = a->key[0] - 'a';

	if (atomic_fetch_add(&l->running[k], 1) != 0)
		atomic_fetch_add(&l->overlaps, 1);
	pthread_mutex_lock(&l->lock);
	l->order[k][l->n[k]++] = a->seq;
	l->fifo[l->n_fifo++] = a->seq;
	pthread_mutex_unlock(&l->lock);
	for (int i = 0; i < 50; i++)
		sched_yield();
	atomic_fetch_sub(&l->running[k], 1);
}

static int job_fn(struct pool_ctx *c, void *p)
{
	struct arg *a = p;
	int run = atomic_fetch_add(&a->runs, 1);

	if (a->log != NULL)
		log_run(a);
	if (a->gate != NULL && !gate_pass(a->gate))
		return -1;
	if (a->wait_cancel)
		return wait_for_cancel(c);
	if (run < a->fail_runs) {
		pool_ctx_message(c, "boom %d", run);
		return -1;
	}
	return 0;
}

/* Waiting through the store. */

/* Copies job id from the store into *out once it is finished. */
static void wait_final(struct store *s, uint64_t id, struct job *out)
{
	struct store_view v = {0};
	struct pollfd pfd = {.fd = store_wake_fd(s), .events = POLLIN};
	struct timespec start, now;
	const struct job *j = NULL;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		store_drain_wake(s);
		store_read(s, &v);
		j = store_view_job(&v, id);
		if (j != NULL && job_is_finished(j))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > GUARD_S)
			fail_msg("job %llu never finished", (unsigned long long)id);
		poll(&pfd, 1, 1000);
	}
	job_copy(out, j);
	store_view_release(&v);
}

static enum job_state wait_state(struct store *s, uint64_t id)
{
	struct job j;
	enum job_state st;

	wait_final(s, id, &j);
	st = j.state;
	job_clear(&j);
	return st;
}

/* The job as the store has it now (it must be there). */
static void job_now(struct store *s, uint64_t id, struct job *out)
{
	struct store_view v = {0};
	const struct job *j;

	store_read(s, &v);
	j = store_view_job(&v, id);
	assert_non_null(j);
	job_copy(out, j);
	store_view_release(&v);
}

static enum job_state state_now(struct store *s, uint64_t id)
{
	struct job j;
	enum job_state st;

	job_now(s, id, &j);
	st = j.state;
	job_clear(&j);
	return st;
}

struct fixture {
	struct store *store;
	struct pool *pool;
};

static struct fixture fixture(unsigned workers)
{
	struct fixture f = {store_new(), NULL};

	assert_non_null(f.store);
	f.pool = pool_new(workers, f.store);
	assert_non_null(f.pool);
	return f;
}

static void fixture_free(struct fixture *f)
{
	pool_free(&f->pool);
	assert_null(f->pool);
	store_free(&f->store);
}

static uint64_t submit(struct fixture *f, const char *key, struct arg *a)
{
	static char x[] = "x";
	struct job t = {.kind = JOB_EXPORT, .box_id = (char *)(uintptr_t)key, .arg = x};
	uint64_t id = pool_submit(f->pool, &t, key, job_fn, a, free_arg);

	assert_true(id > 0);
	return id;
}

/* Tests. */

static void test_degenerate(void **state)
{
	struct pool *p = NULL;
	struct arg a = {0};

	(void)state;
	pool_free(NULL);
	pool_free(&p);
	assert_null(pool_new(2, NULL));
	assert_int_equal(pool_submit(NULL, NULL, NULL, job_fn, &a, free_arg), 0);
	assert_int_equal(atomic_load(&a.frees), 1);
	assert_int_equal(pool_cancel(NULL, 1), -1);
	assert_int_equal(pool_retry(NULL, 1), 0);
	assert_false(pool_ctx_cancelled(NULL));
	assert_null(pool_ctx_cancel_flag(NULL));
	assert_int_equal(pool_ctx_job_id(NULL), 0);
	pool_ctx_progress(NULL, 1, 2);
	pool_ctx_message(NULL, "x");
}

static void test_unknown_ids(void **state)
{
	struct fixture f = fixture(1);
	struct arg a = {0};
	uint64_t id;

	(void)state;
	assert_int_equal(pool_cancel(f.pool, 0), -1);
	assert_int_equal(pool_cancel(f.pool, 42), -1);
	assert_int_equal(pool_retry(f.pool, 42), 0);
	assert_int_equal(pool_submit(f.pool, NULL, NULL, NULL, &a, free_arg), 0);
	assert_int_equal(atomic_load(&a.frees), 1);
	atomic_store(&a.frees, 0);
	id = pool_submit(f.pool, NULL, NULL, job_fn, &a, NULL); /* blank template, no destructor */
	assert_int_equal(wait_state(f.store, id), JOB_SUCCEEDED);
	assert_int_equal(pool_cancel(f.pool, id), -1); /* finished */
	assert_int_equal(pool_retry(f.pool, id), 0);   /* succeeded: nothing to retry */
	fixture_free(&f);
	assert_int_equal(atomic_load(&a.frees), 0);
}

static void test_fifo_one_worker(void **state)
{
	enum { N = 40 };
	struct fixture f = fixture(1);
	static const char *const keys[] = {"a", "b", "c"};
	struct log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct gate g;
	struct arg first = {.gate = &g};
	struct arg a[N];
	uint64_t ids[N];

	(void)state;
	gate_init(&g);
	memset(a, 0, sizeof(a));
	submit(&f, NULL, &first); /* holds the only worker while the queue fills */
	for (int i = 0; i < N; i++) {
		a[i].seq = i;
		a[i].key = keys[i % KEYS];
		a[i].log = &log;
		ids[i] = submit(&f, i % 4 == 3 ? NULL : a[i].key, &a[i]);
		if (i > 0)
			assert_true(ids[i] > ids[i - 1]);
	}
	gate_open(&g);
	assert_int_equal(wait_state(f.store, ids[N - 1]), JOB_SUCCEEDED);
	assert_int_equal(log.n_fifo, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(log.fifo[i], i);
	fixture_free(&f);
	for (int i = 0; i < N; i++)
		assert_int_equal(atomic_load(&a[i].frees), 1);
	gate_destroy(&g);
}

static void test_key_order_and_exclusion(void **state)
{
	/* no more than the store keeps: past that, a finished job can be pruned
	 * before a waiter slowed by a loaded machine reads it */
	enum { N = STORE_JOBS_KEPT };
	struct fixture f = fixture(4);
	static const char *const keys[] = {"a", "b", "c"};
	struct log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct arg *a = xcalloc(N, sizeof(*a));
	uint64_t ids[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		a[i].seq = i;
		a[i].key = keys[(i * 7 / 3) % KEYS];
		a[i].log = &log;
		ids[i] = submit(&f, a[i].key, &a[i]);
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(wait_state(f.store, ids[i]), JOB_SUCCEEDED);
	assert_int_equal(atomic_load(&log.overlaps), 0);
	assert_int_equal(log.n[0] + log.n[1] + log.n[2], N);
	for (int k = 0; k < KEYS; k++)
		for (int i = 1; i < log.n[k]; i++)
			assert_true(log.order[k][i] > log.order[k][i - 1]);
	fixture_free(&f);
	for (int i = 0; i < N; i++)
		assert_int_equal(atomic_load(&a[i].frees), 1);
	free(a);
}

/*
 * Jobs that each wait until all `n` have started: only parallel workers
 * finish them. One that gives up (the deadlock guard) fails its job.
 */
struct meet {
	struct gate gate;
	int n;
	atomic_int passed;
};

static int meet_fn(struct pool_ctx *c, void *p)
{
	struct meet *m = p;
	struct timespec ts = deadline();
	int rc = 0;

	(void)c;
	pthread_mutex_lock(&m->gate.lock);
	m->gate.arrived++;
	pthread_cond_broadcast(&m->gate.cond);
	while (m->gate.arrived < m->n && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&m->gate.cond, &m->gate.lock, &ts);
	pthread_mutex_unlock(&m->gate.lock);
	if (rc == ETIMEDOUT)
		return -1;
	atomic_fetch_add(&m->passed, 1);
	return 0;
}

static void test_parallel_keys(void **state)
{
	struct fixture f = fixture(2);
	struct meet m;
	uint64_t a, b;

	(void)state;
	gate_init(&m.gate);
	m.n = 2;
	atomic_init(&m.passed, 0);
	a = pool_submit(f.pool, NULL, "box-a", meet_fn, &m, NULL);
	b = pool_submit(f.pool, NULL, "box-b", meet_fn, &m, NULL);
	assert_int_equal(wait_state(f.store, a), JOB_SUCCEEDED);
	assert_int_equal(wait_state(f.store, b), JOB_SUCCEEDED);
	assert_int_equal(atomic_load(&m.passed), 2);
	fixture_free(&f);
	gate_destroy(&m.gate);
}

static void test_no_head_of_line_blocking(void **state)
{
	struct fixture f = fixture(2);
	struct gate g;
	struct arg a1 = {.gate = &g}, a2 = {0}, b = {0};
	uint64_t id_a1, id_a2, id_b;

	(void)state;
	gate_init(&g);
	id_a1 = submit(&f, "a", &a1);
	id_a2 = submit(&f, "a", &a2); /* first in the queue, but its box is busy */
	id_b = submit(&f, "b", &b);
	gate_await(&g, 1);
	assert_int_equal(wait_state(f.store, id_b), JOB_SUCCEEDED);
	assert_int_equal(state_now(f.store, id_a1), JOB_RUNNING);
	assert_int_equal(state_now(f.store, id_a2), JOB_QUEUED);
	assert_int_equal(atomic_load(&a2.runs), 0);
	gate_open(&g);
	assert_int_equal(wait_state(f.store, id_a2), JOB_SUCCEEDED);
	assert_int_equal(wait_state(f.store, id_a1), JOB_SUCCEEDED);
	fixture_free(&f);
	gate_destroy(&g);
}

static void test_cancel_queued(void **state)
{
	struct fixture f = fixture(1);
	struct gate g;
	struct arg first = {.gate = &g}, second = {0};
	uint64_t id1, id2;
	struct job j;

	(void)state;
	gate_init(&g);
	id1 = submit(&f, NULL, &first);
	id2 = submit(&f, NULL, &second);
	gate_await(&g, 1);
	assert_int_equal(pool_cancel(f.pool, id2), 0);
	job_now(f.store, id2, &j); /* at once, not when a worker gets to it */
	assert_int_equal(j.state, JOB_CANCELLED);
	assert_int_equal(j.started_ms, 0);
	assert_true(j.finished_ms > 0);
	job_clear(&j);
	assert_int_equal(pool_cancel(f.pool, id2), -1);
	gate_open(&g);
	assert_int_equal(wait_state(f.store, id1), JOB_SUCCEEDED);
	fixture_free(&f);
	assert_int_equal(atomic_load(&second.runs), 0);
	assert_int_equal(atomic_load(&second.frees), 1);
	assert_int_equal(atomic_load(&first.frees), 1);
	gate_destroy(&g);
}

static void test_cancel_running(void **state)
{
	struct fixture f = fixture(2);
	struct gate g;
	struct arg a = {.gate = &g, .wait_cancel = true};
	uint64_t id;
	struct job j;

	(void)state;
	gate_init(&g);
	gate_open(&g); /* only to know when it started */
	id = submit(&f, "a", &a);
	gate_await(&g, 1);
	assert_int_equal(state_now(f.store, id), JOB_RUNNING);
	assert_int_equal(pool_cancel(f.pool, id), 0);
	wait_final(f.store, id, &j);
	assert_int_equal(j.state, JOB_CANCELLED); /* fn failed after a cancel */
	assert_string_equal(j.message, "cancelled");
	assert_true(j.started_ms > 0);
	assert_true(j.finished_ms >= j.started_ms);
	job_clear(&j);
	assert_int_equal(pool_cancel(f.pool, id), -1);
	assert_int_equal(atomic_load(&a.runs), 1);
	fixture_free(&f);
	assert_int_equal(atomic_load(&a.frees), 1);
	gate_destroy(&g);
}

/* A job that notices the cancel but completes anyway has succeeded. */
static int ignore_cancel_fn(struct pool_ctx *c, void *p)
{
	struct gate *g = p;

	gate_pass(g);
	while (!pool_ctx_cancelled(c))
		sleep_ms(1);
	return 0;
}

static void test_cancel_too_late(void **state)
{
	struct fixture f = fixture(1);
	struct gate g;
	uint64_t id;

	(void)state;
	gate_init(&g);
	gate_open(&g);
	id = pool_submit(f.pool, NULL, NULL, ignore_cancel_fn, &g, NULL);
	gate_await(&g, 1);
	assert_int_equal(pool_cancel(f.pool, id), 0);
	assert_int_equal(wait_state(f.store, id), JOB_SUCCEEDED);
	fixture_free(&f);
	gate_destroy(&g);
}

static void test_failure_message(void **state)
{
	struct fixture f = fixture(2);
	struct arg a = {.fail_runs = 1};
	uint64_t id;
	struct job j;

	(void)state;
	id = submit(&f, "a", &a);
	wait_final(f.store, id, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_string_equal(j.message, "boom 0");
	assert_int_equal(j.kind, JOB_EXPORT);
	assert_string_equal(j.box_id, "a");
	assert_string_equal(j.arg, "x");
	assert_true(j.created_ms > 0 && j.started_ms >= j.created_ms);
	assert_true(j.finished_ms >= j.started_ms);
	job_clear(&j);
	assert_int_equal(pool_cancel(f.pool, id), -1);
	fixture_free(&f);
	assert_int_equal(atomic_load(&a.frees), 1);
}

static int silent_fail_fn(struct pool_ctx *c, void *p)
{
	(void)c;
	(void)p;
	return -1;
}

static void test_failure_default_message(void **state)
{
	struct fixture f = fixture(1);
	uint64_t id;
	struct job j;

	(void)state;
	id = pool_submit(f.pool, NULL, NULL, silent_fail_fn, NULL, NULL);
	wait_final(f.store, id, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_string_equal(j.message, "failed");
	job_clear(&j);
	fixture_free(&f);
}

static void test_retry(void **state)
{
	struct fixture f = fixture(2);
	struct arg a = {.fail_runs = 1};
	uint64_t id, id2;
	struct job j;

	(void)state;
	id = submit(&f, "a", &a);
	assert_int_equal(wait_state(f.store, id), JOB_FAILED);
	assert_int_equal(atomic_load(&a.frees), 0); /* kept for the retry */
	id2 = pool_retry(f.pool, id);
	assert_true(id2 > id);
	assert_int_equal(pool_retry(f.pool, id), 0); /* moved to the new job */
	wait_final(f.store, id2, &j);
	assert_int_equal(j.state, JOB_SUCCEEDED);
	assert_int_equal(j.kind, JOB_EXPORT);
	assert_string_equal(j.box_id, "a");
	assert_string_equal(j.arg, "x");
	job_clear(&j);
	assert_int_equal(atomic_load(&a.runs), 2); /* the same arg, run again */
	assert_int_equal(pool_retry(f.pool, id2), 0);
	assert_int_equal(state_now(f.store, id), JOB_FAILED); /* the old one stays as it was */
	fixture_free(&f);
	assert_int_equal(atomic_load(&a.frees), 1);
}

static void test_retry_cancelled(void **state)
{
	struct fixture f = fixture(1);
	struct gate g;
	struct arg first = {.gate = &g}, second = {0};
	uint64_t id1, id2, id3;

	(void)state;
	gate_init(&g);
	id1 = submit(&f, NULL, &first);
	id2 = submit(&f, NULL, &second);
	assert_int_equal(pool_cancel(f.pool, id2), 0);
	id3 = pool_retry(f.pool, id2);
	assert_true(id3 > id2);
	gate_open(&g);
	assert_int_equal(wait_state(f.store, id1), JOB_SUCCEEDED);
	assert_int_equal(wait_state(f.store, id3), JOB_SUCCEEDED);
	assert_int_equal(atomic_load(&second.runs), 1);
	fixture_free(&f);
	assert_int_equal(atomic_load(&second.frees), 1);
	gate_destroy(&g);
}

static void test_retry_bound(void **state)
{
	enum { N = POOL_RETRY_KEPT + 5 };
	struct fixture f = fixture(1);
	struct arg *a = xcalloc(N, sizeof(*a));
	uint64_t ids[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		a[i].fail_runs = 1;
		ids[i] = submit(&f, NULL, &a[i]);
	}
	assert_int_equal(wait_state(f.store, ids[N - 1]), JOB_FAILED);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(atomic_load(&a[i].frees), 1); /* fell out of the history */
		assert_int_equal(pool_retry(f.pool, ids[i]), 0);
	}
	for (int i = 5; i < N; i++)
		assert_int_equal(atomic_load(&a[i].frees), 0);
	assert_true(pool_retry(f.pool, ids[5]) > 0);
	fixture_free(&f);
	for (int i = 0; i < N; i++)
		assert_int_equal(atomic_load(&a[i].frees), 1);
	free(a);
}

/* Progress: reports that must reach the store whatever the clock does. */
struct progress {
	struct gate *gate;
	int64_t seen_id;
	bool flag_ok;
};

static void wait_clock_tick(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		sleep_ms(1);
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while (a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec);
}

static int progress_fn(struct pool_ctx *c, void *p)
{
	struct progress *pr = p;

	pr->seen_id = (int64_t)pool_ctx_job_id(c);
	pr->flag_ok = pool_ctx_cancel_flag(c) != NULL && !atomic_load(pool_ctx_cancel_flag(c));
	pool_ctx_progress(c, 0, 1000); /* the first report is published at once */
	gate_pass(pr->gate);
	wait_clock_tick();
	pool_ctx_progress_cb(c, 400, 1000);
	wait_clock_tick();
	pool_ctx_progress(c, 1000, 1000); /* complete: published, with a rate */
	return 0;
}

static void test_progress(void **state)
{
	char eta[FMT_BUF];
	struct fixture f = fixture(1);
	struct gate g;
	struct progress pr = {.gate = &g};
	uint64_t id;
	struct job j;

	(void)state;
	gate_init(&g);
	id = pool_submit(f.pool, NULL, NULL, progress_fn, &pr, NULL);
	gate_await(&g, 1);
	job_now(f.store, id, &j);
	assert_int_equal(j.state, JOB_RUNNING);
	assert_int_equal(j.bytes_done, 0);
	assert_int_equal(j.bytes_total, 1000);
	job_clear(&j);
	gate_open(&g);
	wait_final(f.store, id, &j);
	assert_int_equal(j.state, JOB_SUCCEEDED);
	assert_int_equal(j.bytes_done, 1000);
	assert_int_equal(j.bytes_total, 1000);
	assert_true(j.rate_bps > 0);
	assert_string_equal(fmt_eta(j.bytes_done, j.bytes_total, j.rate_bps, eta, sizeof(eta)),
			    "0s");
	job_clear(&j);
	assert_int_equal(pr.seen_id, (int64_t)id);
	assert_true(pr.flag_ok);
	fixture_free(&f);
	gate_destroy(&g);
}

/* The last report is published with the final state even inside the rate limit. */
static int last_report_fn(struct pool_ctx *c, void *p)
{
	(void)p;
	pool_ctx_progress(c, 0, -1);
	for (int64_t i = 1; i <= 1000; i++)
		pool_ctx_progress(c, i * 10, -1);
	pool_ctx_message(c, "sent %d bytes", 10000);
	return 0;
}

static void test_progress_last_report(void **state)
{
	struct fixture f = fixture(1);
	uint64_t id;
	struct job j;

	(void)state;
	id = pool_submit(f.pool, NULL, NULL, last_report_fn, NULL, NULL);
	wait_final(f.store, id, &j);
	assert_int_equal(j.state, JOB_SUCCEEDED);
	assert_int_equal(j.bytes_done, 10000);
	assert_int_equal(j.bytes_total, -1);
	assert_string_equal(j.message, "sent 10000 bytes"); /* success keeps fn's words */
	job_clear(&j);
	fixture_free(&f);
}

static void test_free_with_jobs(void **state)
{
	enum { RUNNING = 2, QUEUED = 5 };
	struct fixture f = fixture(RUNNING);
	struct gate g;
	struct arg run[RUNNING], queued[QUEUED];
	uint64_t ids[RUNNING + QUEUED];
	struct store *s = f.store;

	(void)state;
	gate_init(&g);
	gate_open(&g);
	memset(run, 0, sizeof(run));
	memset(queued, 0, sizeof(queued));
	for (int i = 0; i < RUNNING; i++) {
		run[i].gate = &g;
		run[i].wait_cancel = true;
		ids[i] = submit(&f, i == 0 ? "a" : "b", &run[i]);
	}
	for (int i = 0; i < QUEUED; i++)
		ids[RUNNING + i] = submit(&f, i % 2 ? "a" : "b", &queued[i]);
	gate_await(&g, RUNNING);
	pool_free(&f.pool);
	assert_null(f.pool);
	for (int i = 0; i < RUNNING; i++) {
		assert_int_equal(atomic_load(&run[i].runs), 1);
		assert_int_equal(atomic_load(&run[i].frees), 1);
	}
	for (int i = 0; i < QUEUED; i++) {
		assert_int_equal(atomic_load(&queued[i].runs), 0);
		assert_int_equal(atomic_load(&queued[i].frees), 1);
	}
	for (int i = 0; i < RUNNING + QUEUED; i++)
		assert_int_equal(state_now(s, ids[i]), JOB_CANCELLED);
	assert_int_equal(gate_arrived(&g), RUNNING);
	store_free(&s);
	gate_destroy(&g);
}

static int mask_fn(struct pool_ctx *c, void *p)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH};
	struct arg *a = p;
	sigset_t cur;

	(void)c;
	a->mask_ok = pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0;
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		a->mask_ok = a->mask_ok && sigismember(&cur, sigs[i]) == 1;
	return 0;
}

static void test_signals_blocked(void **state)
{
	struct fixture f = fixture(3);
	struct arg a[3];
	uint64_t ids[3];
	sigset_t cur;

	(void)state;
	memset(a, 0, sizeof(a));
	for (int i = 0; i < 3; i++)
		ids[i] = pool_submit(f.pool, NULL, NULL, mask_fn, &a[i], NULL);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(wait_state(f.store, ids[i]), JOB_SUCCEEDED);
		assert_true(a[i].mask_ok);
	}
	/* The caller's own mask is left as it was. */
	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &cur), 0);
	assert_int_equal(sigismember(&cur, SIGINT), 0);
	assert_int_equal(sigismember(&cur, SIGWINCH), 0);
	fixture_free(&f);
}

static void test_default_workers(void **state)
{
	struct fixture f = fixture(0); /* POOL_DEFAULT_WORKERS: four meet at once */
	struct meet m;
	uint64_t ids[POOL_DEFAULT_WORKERS];
	char key[16];

	(void)state;
	gate_init(&m.gate);
	m.n = POOL_DEFAULT_WORKERS;
	atomic_init(&m.passed, 0);
	for (int i = 0; i < POOL_DEFAULT_WORKERS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ids[i] = pool_submit(f.pool, NULL, key, meet_fn, &m, NULL);
	}
	for (int i = 0; i < POOL_DEFAULT_WORKERS; i++)
		assert_int_equal(wait_state(f.store, ids[i]), JOB_SUCCEEDED);
	fixture_free(&f);
	gate_destroy(&m.gate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_fifo_one_worker),
		cmocka_unit_test(test_key_order_and_exclusion),
		cmocka_unit_test(test_parallel_keys),
		cmocka_unit_test(test_no_head_of_line_blocking),
		cmocka_unit_test(test_cancel_queued),
		cmocka_unit_test(test_cancel_running),
		cmocka_unit_test(test_cancel_too_late),
		cmocka_unit_test(test_failure_message),
		cmocka_unit_test(test_failure_default_message),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_retry_cancelled),
		cmocka_unit_test(test_retry_bound),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_progress_last_report),
		cmocka_unit_test(test_free_with_jobs),
		cmocka_unit_test(test_signals_blocked),
		cmocka_unit_test(test_default_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
