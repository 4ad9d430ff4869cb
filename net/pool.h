/*
 * pool: the worker threads that run the user's long operations (snapshot,
 * clone, export, import, start, stop, delete) off the UI thread.
 *
 * N workers take jobs from one FIFO queue. A job may carry an order key
 * (the box id): jobs with equal keys never run at once and run in the order
 * they were submitted, while jobs on other keys (or none) pass them by, so
 * a box busy with a long export never holds up work on other boxes.
 *
 * Every job is a record in the store's jobs table (struct job): the pool
 * adds it as queued and moves it to running, then to succeeded, failed or
 * cancelled, with its timestamps, message, bytes and smoothed rate. The UI
 * reads it there and is woken through the store's wake fd; the pool itself
 * never touches the screen. Workers are born with the terminal signals
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH) blocked.
 *
 * The pool knows nothing about HTTP: a job is a function and an argument.
 */
#ifndef BOXTOP_NET_POOL_H
#define BOXTOP_NET_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "model/job.h"
#include "model/store.h"

#define POOL_DEFAULT_WORKERS 4
#define POOL_MAX_WORKERS     64
/* Failed and cancelled jobs kept for pool_retry: as many as the store shows. */
#define POOL_RETRY_KEPT STORE_JOBS_KEPT
/* Progress reaches the store at most this often (the last report always does). */
#define POOL_PROGRESS_MS 100
/* The time constant of the smoothed rate: about the last few seconds count. */
#define POOL_RATE_TAU_MS 3000

struct pool;
/* What a running job function sees of its job. Valid only during the call. */
struct pool_ctx;

/*
 * A job. Runs on a worker thread; returns 0 on success, -1 on failure with
 * the reason set by pool_ctx_message. A job whose cancel was requested and
 * that returns non-zero ends cancelled, not failed. fn must not consume or
 * free arg: the pool owns it, and pool_retry calls fn again with the same
 * arg. Jobs on different keys run concurrently, so fn must not touch state
 * shared with other jobs without its own locking (and never curses).
 */
typedef int (*pool_fn)(struct pool_ctx *ctx, void *arg);

/*
 * Starts `workers` threads (0: POOL_DEFAULT_WORKERS; at most
 * POOL_MAX_WORKERS) that report to store, which must outlive the pool.
 * Returns NULL with errno set when store is NULL (EINVAL) or a thread
 * cannot be started. Free with pool_free.
 */
struct pool *pool_new(unsigned workers, struct store *store);
/*
 * Cancels every queued job (in the store too), requests cancel of every
 * running one, waits for the workers to return and frees every arg it still
 * holds, each exactly once. Safe with jobs running; it returns once their
 * functions do, so they must poll pool_ctx_cancelled. p may be NULL; *p is
 * NULLed. No other thread may use the pool once it is called.
 */
void pool_free(struct pool **p);

/*
 * Adds a copy of tmpl to the store as a queued job (state, timestamps,
 * bytes and rate are the pool's; kind, box_id, box_name and arg are
 * tmpl's) and queues fn(arg). order_key (copied; NULL: none) serializes it
 * after every earlier job with an equal key. The pool owns arg from now on
 * and frees it with free_arg (may be NULL) once the job succeeded, or once
 * a failed or cancelled job can no longer be retried (it fell out of the
 * POOL_RETRY_KEPT most recent, or pool_free). Returns the store's job id,
 * or 0 (arg freed) when p or fn is NULL.
 */
uint64_t pool_submit(struct pool *p, const struct job *tmpl, const char *order_key, pool_fn fn,
		     void *arg, void (*free_arg)(void *));

/*
 * A queued job becomes cancelled at once and never runs; a running one has
 * its cancel flag set (it ends cancelled if fn then fails). Returns 0, or
 * -1 when the job is unknown or already finished.
 */
int pool_cancel(struct pool *p, uint64_t job_id);

/*
 * Submits a failed or cancelled job again, as a new job with the same
 * template, order key, fn and arg (which move to the new job: the old one
 * cannot be retried a second time, retry the new one instead). Returns the
 * new id, or 0 when the job is unknown, not failed or cancelled, already
 * retried or no longer kept.
 */
uint64_t pool_retry(struct pool *p, uint64_t job_id);

/*
 * Blocks the terminal signals (the set workers are born with) in the calling
 * thread, the old mask in *old: call around pthread_create so a new thread
 * starts with them blocked, then restore. The poller uses it too.
 */
void pool_block_signals(sigset_t *old);

/* For job functions, on their worker thread. */

/* The store's id of the running job. */
uint64_t pool_ctx_job_id(const struct pool_ctx *c);
/* Whether cancel was requested: one atomic load, fine in a progress callback. */
bool pool_ctx_cancelled(const struct pool_ctx *c);
/*
 * The cancel flag itself, for code that takes a `const atomic_bool *`
 * (struct xfer_opts.cancel). Valid during the job function's call.
 */
const atomic_bool *pool_ctx_cancel_flag(const struct pool_ctx *c);
/*
 * Reports bytes done of total (-1: unknown). Keeps a smoothed rate (an
 * exponentially weighted moving average, time constant POOL_RATE_TAU_MS,
 * on the monotonic clock) and publishes bytes and rate to the store at
 * most every POOL_PROGRESS_MS; the first report, one reaching total and the
 * last one before the job ends are always published.
 */
void pool_ctx_progress(struct pool_ctx *c, int64_t done, int64_t total);
/* pool_ctx_progress as an http_progress_fn: pass the ctx as its arg. */
void pool_ctx_progress_cb(void *ctx, int64_t done, int64_t total);
/* Sets the job's message (a progress note, or why it failed) in the store. */
void pool_ctx_message(struct pool_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets what the job made (job.result): a saved path, a new box's id. */
void pool_ctx_result(struct pool_ctx *c, const char *result);

#endif
