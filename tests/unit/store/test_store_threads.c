/*
 * The store under threads: writers replace the box list, put metrics and
 * snapshots, set the connection state and report job progress while readers
 * refresh views and check that everything they see is whole. Every value a
 * writer makes is consistent with itself (a box list's names carry its
 * serial and length, a job's message carries its progress), so a reader
 * seeing half of one write, or a mix of two, finds a mismatch. A reader also
 * keeps an older view and checks it again later, while writers replace what
 * it holds. Iterations are counted, never timed: ThreadSanitizer on a slow
 * machine only takes longer.
 */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/store.h"

/* Defined in test_store.c. */
struct box_list *test_box_list(size_t n, size_t step, uint64_t serial);
struct snapshot_list *test_snapshot_list(const char *box_id, size_t n, uint64_t serial);
void test_concurrency(void **state);

enum {
	WRITERS = 3,
	READERS = 2,
	ROUNDS = 150,   /* per writer */
	MIN_READS = 50, /* per reader, even if the writers are done first */
	HOLD_EVERY = 16,
};

struct run {
	struct store *store;
	atomic_int writers_done;
};

/* One thread. Failures are counted, not asserted: cmocka is not thread-safe. */
struct worker {
	struct run *run;
	int index;
	long count;
	int errors;
	char first_error[256];
	pthread_t thread;
};

static void failed(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void failed(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->errors++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
	va_end(ap);
}

/* Writers. */

static void write_job_progress(struct worker *w, uint64_t job, uint64_t serial)
{
	char message[64];
	struct job_update u = {.fields = JOB_FIELD_PROGRESS | JOB_FIELD_MESSAGE | JOB_FIELD_RATE,
			       .bytes_done = (int64_t)serial,
			       .bytes_total = -1,
			       .rate_bps = (double)serial,
			       .message = message};

	snprintf(message, sizeof(message), "done %" PRIu64, serial);
	if (store_job_update(w->run->store, job, &u) < 0)
		failed(w, "writer %d: update of running job %" PRIu64 " refused", w->index, job);
}

/* A job that comes and goes at once, so the table is pruned as others read it. */
static void write_short_job(struct worker *w, uint64_t *last_id)
{
	struct job_update done = {.fields = JOB_FIELD_STATE, .state = JOB_SUCCEEDED, .now_ms = 1};
	uint64_t id = store_job_add(w->run->store, NULL);

	if (id <= *last_id)
		failed(w, "writer %d: job id %" PRIu64 " after %" PRIu64, w->index, id, *last_id);
	*last_id = id;
	if (store_job_update(w->run->store, id, &done) < 0)
		failed(w, "writer %d: cannot finish job %" PRIu64, w->index, id);
}

static void write_round(struct worker *w, uint64_t job, uint64_t serial, uint64_t *last_id)
{
	struct store *s = w->run->store;
	struct box_list *boxes = test_box_list(1 + serial % 40, 1, serial);
	struct box_metrics m = {.memory_bytes = {OPT_SET, (int64_t)serial},
				.network_bytes_sent = {OPT_SET, 2 * (int64_t)serial}};
	struct conn_state conn = {.status = CONN_CONNECTED, .since_ms = (int64_t)serial};
	struct snapshot_list *snaps;

	snprintf(conn.message, sizeof(conn.message), "serial %" PRIu64, serial);
	store_set_boxes(s, &boxes);
	store_put_box_metrics(s, "b0", &m, (int64_t)serial);
	store_set_conn(s, &conn);
	write_job_progress(w, job, serial);
	write_short_job(w, last_id);
	if (serial % 8 == 0) {
		snaps = test_snapshot_list("b0", 1 + serial % 5, serial);
		store_set_snapshots(s, "b0", &snaps);
	}
}

static void *writer_main(void *p)
{
	struct worker *w = p;
	struct job tmpl = {.kind = JOB_EXPORT, .state = JOB_RUNNING};
	struct job_update done = {.fields = JOB_FIELD_STATE, .state = JOB_SUCCEEDED, .now_ms = 2};
	uint64_t job = store_job_add(w->run->store, &tmpl), last_id = job;

	for (uint64_t r = 0; r < ROUNDS; r++, w->count++)
		write_round(w, job, (uint64_t)(w->index + 1) * 1000000 + r, &last_id);
	if (store_job_update(w->run->store, job, &done) < 0)
		failed(w, "writer %d: cannot finish job %" PRIu64, w->index, job);
	atomic_fetch_add(&w->run->writers_done, 1);
	return NULL;
}

/* Readers. */

static void check_boxes(struct worker *w, const struct box_list *l)
{
	uint64_t serial = 0, s;
	size_t n, i;

	for (size_t k = 0; l != NULL && k < l->n; k++) {
		if (sscanf(l->items[k].name, "s%" SCNu64 "-n%zu-i%zu", &s, &n, &i) != 3 ||
		    n != l->n || i != k || (k > 0 && s != serial)) {
			failed(w, "reader %d: box %zu of %zu is '%s', after serial %" PRIu64,
			       w->index, k, l->n, l->items[k].name, serial);
			return;
		}
		serial = s;
	}
}

static void check_snapshots(struct worker *w, const struct snapshot_list *l)
{
	uint64_t serial = 0, s;
	size_t n;

	for (size_t k = 0; l != NULL && k < l->n; k++) {
		if (sscanf(l->items[k].name, "s%" SCNu64 "-n%zu", &s, &n) != 2 || n != l->n ||
		    (k > 0 && s != serial)) {
			failed(w, "reader %d: snapshot %zu of %zu is '%s'", w->index, k, l->n,
			       l->items[k].name);
			return;
		}
		serial = s;
	}
}

static void check_job(struct worker *w, const struct job *j, uint64_t prev_id)
{
	char want[64];

	if (j->id <= prev_id)
		failed(w, "reader %d: job %" PRIu64 " after %" PRIu64, w->index, j->id, prev_id);
	if (j->message == NULL)
		return;
	snprintf(want, sizeof(want), "done %" PRId64, j->bytes_done);
	if (strcmp(j->message, want) != 0 || j->rate_bps != (double)j->bytes_done)
		failed(w, "reader %d: job %" PRIu64 " says '%s' at %" PRId64 " bytes", w->index,
		       j->id, j->message, j->bytes_done);
}

static void check_jobs(struct worker *w, const struct store_view *v)
{
	size_t finished = 0;
	uint64_t prev = 0;

	for (size_t i = 0; i < store_view_job_count(v); i++) {
		const struct job *j = store_view_job_at(v, i);

		check_job(w, j, prev);
		prev = j->id;
		finished += job_is_finished(j);
	}
	if (finished > STORE_JOBS_KEPT)
		failed(w, "reader %d: %zu finished jobs kept", w->index, finished);
}

static void check_view(struct worker *w, const struct store_view *v)
{
	const struct conn_state *c = store_view_conn(v);
	char want[64];

	check_boxes(w, store_view_boxes(v));
	check_snapshots(w, store_view_snapshots(v, "b0"));
	check_jobs(w, v);
	snprintf(want, sizeof(want), "serial %" PRId64, c->since_ms);
	if (c->since_ms != 0 && strcmp(c->message, want) != 0)
		failed(w, "reader %d: connection since %" PRId64 " says '%s'", w->index,
		       c->since_ms, c->message);
}

static void check_metrics(struct worker *w)
{
	struct box_metrics m;
	struct metric_history h;

	if (!store_box_metrics(w->run->store, "b0", &m, &h))
		return;
	if (m.network_bytes_sent.v != 2 * m.memory_bytes.v || h.count > HISTORY_LEN)
		failed(w, "reader %d: metrics memory %" PRId64 " sent %" PRId64, w->index,
		       m.memory_bytes.v, m.network_bytes_sent.v);
}

/* Refreshes v and checks the changed mask against the generations. */
static void refresh(struct worker *w, struct store_view *v)
{
	uint64_t before[STORE_SLOT_COUNT], after;
	unsigned changed;

	for (int i = 0; i < STORE_SLOT_COUNT; i++)
		before[i] = store_view_generation(v, 1u << i);
	changed = store_read(w->run->store, v);
	for (int i = 0; i < STORE_SLOT_COUNT; i++) {
		after = store_view_generation(v, 1u << i);
		if (after < before[i] || (after != before[i]) != ((changed >> i) & 1u))
			failed(w, "reader %d: slot %d went %" PRIu64 " -> %" PRIu64 ", mask %#x",
			       w->index, i, before[i], after, changed);
	}
}

static void *reader_main(void *p)
{
	struct worker *w = p;
	struct store_view v = {0}, held = {0};

	while (atomic_load(&w->run->writers_done) < WRITERS || w->count < MIN_READS) {
		store_drain_wake(w->run->store);
		refresh(w, &v);
		check_view(w, &v);
		check_metrics(w);
		/* What an older view holds must stay whole while writers replace it. */
		if (w->count % HOLD_EVERY == 0)
			refresh(w, &held);
		check_view(w, &held);
		w->count++;
	}
	store_view_release(&held);
	store_view_release(&v);
	return NULL;
}

static void start(struct worker *w, struct run *run, int index, void *(*fn)(void *))
{
	w->run = run;
	w->index = index;
	if (pthread_create(&w->thread, NULL, fn, w) != 0)
		fail_msg("cannot start thread %d", index);
}

static void join(struct worker *w)
{
	pthread_join(w->thread, NULL);
	if (w->errors > 0)
		fail_msg("%d failures, first: %s", w->errors, w->first_error);
}

void test_concurrency(void **state)
{
	struct run run = {.store = store_new()};
	struct worker writers[WRITERS] = {0}, readers[READERS] = {0};
	struct store_view v = {0};
	const struct box_list *boxes;

	(void)state;
	atomic_init(&run.writers_done, 0);
	for (int i = 0; i < READERS; i++)
		start(&readers[i], &run, i, reader_main);
	for (int i = 0; i < WRITERS; i++)
		start(&writers[i], &run, i, writer_main);
	for (int i = 0; i < WRITERS; i++)
		join(&writers[i]);
	for (int i = 0; i < READERS; i++)
		join(&readers[i]);
	for (int i = 0; i < READERS; i++)
		assert_true(readers[i].count >= MIN_READS);
	/* Every job finished: the kept number remain, among them the last one added. */
	store_read(run.store, &v);
	assert_int_equal(store_view_job_count(&v), STORE_JOBS_KEPT);
	assert_non_null(store_view_job(&v, WRITERS * (1 + ROUNDS)));
	boxes = store_view_boxes(&v);
	assert_non_null(boxes);
	assert_true(store_box_metrics_count(run.store) <= boxes->n);
	store_view_release(&v);
	store_free(&run.store);
}
