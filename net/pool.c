/*
 * pool: see pool.h. The design is redis bio.c's, with keys.
 *
 * One mutex guards three lists of job records: the queue (FIFO, in
 * submission order), the running jobs, and the finished jobs that can still
 * be retried (failed or cancelled, the POOL_RETRY_KEPT most recent). A
 * worker takes the first queued job whose key no running job holds. Since
 * the queue is scanned in order, the first queued job on a key is always
 * the oldest one on it, which gives per-key submission order; a job whose
 * key is busy is skipped, not waited for, so it blocks nobody else. A key
 * only frees when a job finishes, and the worker that finished it scans the
 * queue again before it sleeps, so no wake-up is needed for that.
 *
 * Job functions run unlocked. The store has its own lock and never calls
 * back, so the pool may call it under its own (pool, then store: one order
 * only); it does so where the order of ids or states matters (adding a job,
 * and cancelling a queued one). Argument destructors are user code and are
 * always called unlocked.
 */
#include "pool.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/xalloc.h"
#include "model/timeutil.h"

struct pool_job {
	struct pool_job *prev, *next;
	uint64_t id; /* the store's */
	atomic_bool cancel;
	struct job tmpl; /* for pool_retry */
	char *key;       /* NULL: no ordering */
	pool_fn fn;
	void *arg;
	void (*free_arg)(void *);
};

struct job_list {
	struct pool_job *head, *tail;
	size_t n;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a job was queued, or stop */
	bool stop;
	struct job_list queue, running, retryable; /* under lock */
	struct store *store;
	pthread_t *threads;
	unsigned n_threads;
};

struct pool_ctx {
	struct pool *pool;
	struct pool_job *job; /* only until the job is filed as finished */
	uint64_t id;
	char *message;
	int64_t done, total;
	bool pending;      /* a report not yet published */
	bool sampled;      /* at least one report published */
	int64_t sample_ns; /* when the rate was last sampled */
	int64_t sample_done;
	double rate;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Lists. */

static void list_push(struct job_list *l, struct pool_job *j)
{
	j->prev = l->tail;
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->n++;
}

static void list_remove(struct job_list *l, struct pool_job *j)
{
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		l->head = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	else
		l->tail = j->prev;
	j->prev = j->next = NULL;
	l->n--;
}

static struct pool_job *list_find(const struct job_list *l, uint64_t id)
{
	for (struct pool_job *j = l->head; j != NULL; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

static void record_free(struct pool_job *j)
{
	if (j->free_arg != NULL)
		j->free_arg(j->arg);
	job_clear(&j->tmpl);
	free(j->key);
	free(j);
}

/* Frees every record of l. Call it unlocked: it runs the arg destructors. */
static void list_free(struct job_list *l)
{
	struct pool_job *j;

	while ((j = l->head) != NULL) {
		list_remove(l, j);
		record_free(j);
	}
}

/* Store updates. */

static void publish_state(struct pool *p, uint64_t id, enum job_state state, const char *message)
{
	struct job_update u = {.fields = JOB_FIELD_STATE, .state = state, .now_ms = time_mono_ms()};

	if (message != NULL) {
		u.fields |= JOB_FIELD_MESSAGE;
		u.message = message;
	}
	store_job_update(p->store, id, &u);
}

/* Adds j to the store and queues it. Lock held. */
static void enqueue_locked(struct pool *p, struct pool_job *j)
{
	struct job t = j->tmpl;

	t.state = JOB_QUEUED;
	t.message = NULL;
	t.created_ms = time_mono_ms();
	t.started_ms = t.finished_ms = 0;
	t.bytes_done = 0;
	t.bytes_total = -1;
	t.rate_bps = 0;
	j->id = store_job_add(p->store, &t);
	atomic_store(&j->cancel, false);
	list_push(&p->queue, j);
	pthread_cond_signal(&p->cond);
}

/* Keeps j for retry, moving the oldest kept ones beyond the bound to gone. Lock held. */
static void keep_locked(struct pool *p, struct pool_job *j, struct job_list *gone)
{
	list_push(&p->retryable, j);
	while (p->retryable.n > POOL_RETRY_KEPT) {
		struct pool_job *old = p->retryable.head;

		list_remove(&p->retryable, old);
		list_push(gone, old);
	}
}

/* Scheduling. */

static bool key_busy_locked(const struct pool *p, const char *key)
{
	for (const struct pool_job *r = p->running.head; r != NULL; r = r->next)
		if (r->key != NULL && strcmp(r->key, key) == 0)
			return true;
	return false;
}

/* The oldest queued job free to run, or NULL. Lock held. */
static struct pool_job *pick_locked(const struct pool *p)
{
	for (struct pool_job *j = p->queue.head; j != NULL; j = j->next)
		if (j->key == NULL || !key_busy_locked(p, j->key))
			return j;
	return NULL;
}

/* Waits for a job to run and moves it to running; NULL once stopping. Lock held. */
static struct pool_job *take_locked(struct pool *p)
{
	struct pool_job *j = NULL;

	for (;;) {
		if (p->stop)
			return NULL;
		j = pick_locked(p);
		if (j != NULL)
			break;
		pthread_cond_wait(&p->cond, &p->lock);
	}
	list_remove(&p->queue, j);
	list_push(&p->running, j);
	return j;
}

/* Progress. */

static void publish_progress(struct pool_ctx *c, const struct job_update *extra)
{
	struct job_update u = {.fields = JOB_FIELD_PROGRESS | JOB_FIELD_RATE,
			       .bytes_done = c->done,
			       .bytes_total = c->total,
			       .rate_bps = c->rate};

	if (extra != NULL) {
		u.fields |= extra->fields;
		u.state = extra->state;
		u.message = extra->message;
		u.now_ms = extra->now_ms;
	}
	store_job_update(c->pool->store, c->id, &u);
	c->pending = false;
	c->sampled = true;
}

/* Folds the bytes since the last sample into the smoothed rate. */
static void sample_rate(struct pool_ctx *c, int64_t now_ns)
{
	double dt = (double)(now_ns - c->sample_ns) / 1e9;
	double inst, alpha;

	if (dt <= 0)
		return;
	inst = c->done > c->sample_done ? (double)(c->done - c->sample_done) / dt : 0;
	alpha = dt / (dt + POOL_RATE_TAU_MS / 1000.0);
	c->rate = c->rate > 0 ? c->rate + alpha * (inst - c->rate) : inst;
	c->sample_ns = now_ns;
	c->sample_done = c->done;
}

/*
 * libcurl calls this many times a second, and keeps calling with the same
 * numbers while it waits for an answer: only a report that reaches the
 * total for the first time skips the rate limit.
 */
void pool_ctx_progress(struct pool_ctx *c, int64_t done, int64_t total)
{
	int64_t now;
	bool completes;

	if (c == NULL)
		return;
	now = mono_ns();
	completes = total >= 0 && done >= total && (c->done != done || c->total != total);
	c->done = done;
	c->total = total;
	c->pending = true;
	if (!c->sampled) {
		c->sample_ns = now;
		c->sample_done = done;
		publish_progress(c, NULL);
		return;
	}
	if (!completes && now - c->sample_ns < (int64_t)POOL_PROGRESS_MS * 1000000)
		return;
	sample_rate(c, now);
	publish_progress(c, NULL);
}

void pool_ctx_progress_cb(void *ctx, int64_t done, int64_t total)
{
	pool_ctx_progress(ctx, done, total);
}

void pool_ctx_message(struct pool_ctx *c, const char *fmt, ...)
{
	struct job_update u = {.fields = JOB_FIELD_MESSAGE};
	va_list ap;
	int n;

	if (c == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	free(c->message);
	c->message = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(c->message, (size_t)n + 1, fmt, ap);
	va_end(ap);
	u.message = c->message;
	store_job_update(c->pool->store, c->id, &u);
}

void pool_ctx_result(struct pool_ctx *c, const char *result)
{
	struct job_update u = {.fields = JOB_FIELD_RESULT, .result = result};

	if (c != NULL)
		store_job_update(c->pool->store, c->id, &u);
}

uint64_t pool_ctx_job_id(const struct pool_ctx *c)
{
	return c != NULL ? c->id : 0;
}

bool pool_ctx_cancelled(const struct pool_ctx *c)
{
	return c != NULL && atomic_load_explicit(&c->job->cancel, memory_order_relaxed);
}

const atomic_bool *pool_ctx_cancel_flag(const struct pool_ctx *c)
{
	return c != NULL ? &c->job->cancel : NULL;
}

/* Running. */

/* The message a job ends with: fn's for a failure, else a default. */
static const char *final_message(const struct pool_ctx *c, enum job_state state)
{
	if (state == JOB_CANCELLED)
		return "cancelled";
	if (state == JOB_FAILED && c->message == NULL)
		return "failed";
	return NULL; /* keep what fn said */
}

/* Runs j's function; returns the state it ends in. */
static enum job_state run_job(struct pool_ctx *c, struct pool_job *j)
{
	struct job_update u = {.fields = JOB_FIELD_STATE, .state = JOB_RUNNING};

	u.now_ms = time_mono_ms();
	store_job_update(c->pool->store, c->id, &u);
	if (j->fn(c, j->arg) == 0)
		return JOB_SUCCEEDED;
	return atomic_load(&j->cancel) ? JOB_CANCELLED : JOB_FAILED;
}

/*
 * Files a finished job (kept for retry, or freed with its arg), then
 * publishes its final state: once the store shows a job finished, the pool
 * is done with it and pool_retry accepts it. j is not touched after the
 * unlock: it may be retried or pruned by then.
 */
static void finish_job(struct pool *p, struct pool_job *j, struct pool_ctx *c, enum job_state state)
{
	struct job_update u = {.fields = JOB_FIELD_STATE, .state = state};
	struct job_list gone = {0};

	pthread_mutex_lock(&p->lock);
	list_remove(&p->running, j);
	if (state == JOB_SUCCEEDED)
		list_push(&gone, j);
	else
		keep_locked(p, j, &gone);
	pthread_mutex_unlock(&p->lock);
	list_free(&gone);
	u.message = final_message(c, state);
	if (u.message != NULL)
		u.fields |= JOB_FIELD_MESSAGE;
	u.now_ms = time_mono_ms();
	if (c->pending)
		publish_progress(c, &u);
	else
		store_job_update(p->store, c->id, &u);
}

static void *worker_main(void *arg)
{
	struct pool *p = arg;
	struct pool_job *j;
	struct pool_ctx c;
	enum job_state state;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		j = take_locked(p);
		pthread_mutex_unlock(&p->lock);
		if (j == NULL)
			break;
		c = (struct pool_ctx){.pool = p, .job = j, .id = j->id, .total = -1};
		state = run_job(&c, j);
		finish_job(p, j, &c, state);
		free(c.message);
	}
	return NULL;
}

/* Lifetime. */

void pool_block_signals(sigset_t *old)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH};
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		sigaddset(&set, sigs[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Starts the workers, born with the terminal signals blocked. Returns 0 or an errno. */
static int start_workers(struct pool *p, unsigned n)
{
	sigset_t old;
	int rc = 0;

	pool_block_signals(&old);
	for (p->n_threads = 0; p->n_threads < n; p->n_threads++) {
		rc = pthread_create(&p->threads[p->n_threads], NULL, worker_main, p);
		if (rc != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct pool *pool_new(unsigned workers, struct store *store)
{
	struct pool *p;
	int rc;

	if (store == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (workers == 0)
		workers = POOL_DEFAULT_WORKERS;
	if (workers > POOL_MAX_WORKERS)
		workers = POOL_MAX_WORKERS;
	p = xcalloc(1, sizeof(*p));
	p->store = store;
	p->threads = xcalloc(workers, sizeof(*p->threads));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	rc = start_workers(p, workers);
	if (rc != 0) {
		pool_free(&p);
		errno = rc;
	}
	return p;
}

void pool_free(struct pool **pp)
{
	struct pool *p = pp != NULL ? *pp : NULL;
	struct job_list queued;

	if (p == NULL)
		return;
	*pp = NULL;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	queued = p->queue;
	p->queue = (struct job_list){0};
	for (struct pool_job *j = p->running.head; j != NULL; j = j->next)
		atomic_store(&j->cancel, true);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (struct pool_job *j = queued.head; j != NULL; j = j->next)
		publish_state(p, j->id, JOB_CANCELLED, "cancelled");
	list_free(&queued);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	list_free(&p->retryable);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

/* Jobs. */

uint64_t pool_submit(struct pool *p, const struct job *tmpl, const char *order_key, pool_fn fn,
		     void *arg, void (*free_arg)(void *))
{
	static const struct job blank;
	struct pool_job *j;
	uint64_t id;

	if (p == NULL || fn == NULL) {
		if (free_arg != NULL)
			free_arg(arg);
		return 0;
	}
	j = xcalloc(1, sizeof(*j));
	job_copy(&j->tmpl, tmpl != NULL ? tmpl : &blank);
	j->key = xstrdup(order_key);
	j->fn = fn;
	j->arg = arg;
	j->free_arg = free_arg;
	pthread_mutex_lock(&p->lock);
	enqueue_locked(p, j);
	id = j->id;
	pthread_mutex_unlock(&p->lock);
	return id;
}

int pool_cancel(struct pool *p, uint64_t job_id)
{
	struct job_list gone = {0};
	struct pool_job *j;
	int rc = -1;

	if (p == NULL || job_id == 0)
		return -1;
	pthread_mutex_lock(&p->lock);
	j = list_find(&p->running, job_id);
	if (j != NULL) {
		atomic_store(&j->cancel, true);
		rc = 0;
	}
	j = rc != 0 ? list_find(&p->queue, job_id) : NULL;
	if (j != NULL) {
		list_remove(&p->queue, j);
		publish_state(p, j->id, JOB_CANCELLED, "cancelled");
		keep_locked(p, j, &gone);
		rc = 0;
	}
	pthread_mutex_unlock(&p->lock);
	list_free(&gone);
	return rc;
}

uint64_t pool_retry(struct pool *p, uint64_t job_id)
{
	struct pool_job *j;
	uint64_t id = 0;

	if (p == NULL || job_id == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	j = list_find(&p->retryable, job_id);
	if (j != NULL && !p->stop) {
		list_remove(&p->retryable, j);
		enqueue_locked(p, j);
		id = j->id;
	}
	pthread_mutex_unlock(&p->lock);
	return id;
}
