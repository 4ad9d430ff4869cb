/*
 * exec: executions, main sessions and their attach sessions.
 *
 * An execution (struct exec) is a shell (shell.h) driven by a thread of its
 * own, or, for a box's main session, a generator of log lines. Everything
 * it writes goes into two rings (stdout, stderr) of EXEC_BACKLOG bytes,
 * which every attach replays from their oldest byte. The thread steps the
 * shell a budget of bytes at a time. With a client attached it stops while
 * EXEC_UNREAD bytes wait for that client: `yes` runs as fast as the client
 * reads. With nobody attached the output only feeds the rings, paced so an
 * endless writer does not spin a core.
 *
 * An attach session (struct attach) is the owner of one wss session: its
 * pump copies what the client has not been sent out of the rings into
 * binary frames (at most ATTACH_QUEUE queued), then the exit frame and a
 * close without status; its on_msg turns client frames into input,
 * resizes, signals and stdin_eof. The exec holds the client's read offsets
 * and the attach slot (one client at a time, claimed before the upgrade so
 * a second client gets a plain 409).
 *
 * Locks, in order: the fleet's, then reg.lock, then one exec's lock, then
 * (inside the shell) its box's file tree. The fleet's stop hook is called
 * under the fleet's lock and takes the other two; so nothing here calls the
 * fleet while holding reg.lock or an exec's lock. Each exec is counted:
 * the registry, its thread and its attach session each hold a reference.
 */
#include "exec.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "ftree.h"
#include "shell.h"
#include "wss.h"
#include "model/timeutil.h"
#include "model/xalloc.h"

#define EXEC_UNREAD     (64u * 1024)  /* unread by the client: the shell waits */
#define EXEC_IN_MAX     (256u * 1024) /* stdin waiting for the shell */
#define EXEC_IN_HIGH    (32u * 1024)  /* above it the attach stops reading */
#define EXEC_BUDGET     (16u * 1024)  /* output bytes per shell_step */
#define EXEC_LONE_PACE  10            /* ms between steps that wrote with nobody attached */
#define EXEC_CLAIM_WAIT 10000         /* a claim with no session after this is stale */
#define ATTACH_QUEUE    16            /* frames queued in wslay before the pump waits */
#define ATTACH_CHUNK    (16u * 1024)
#define MAIN_PREFILL    240 /* lines a new main session starts with */
#define MAX_ARGS        1024
#define MAX_ENV         1024
#define DEFAULT_GRACE   60

/* The cooperative signals (kill is DELETE); as upstream's whitelist. */
static const int allowed_signals[] = {1, 2, 3, 6, 10, 12, 15, 28};
#define ALLOWED_TEXT "[1, 2, 3, 6, 10, 12, 15, 28]"

struct backlog {
	unsigned char *buf; /* EXEC_BACKLOG bytes, a ring, made on the first write */
	uint64_t total;     /* bytes ever written */
};

struct exec {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* the thread waits here for input, a reader, a kill */
	atomic_int refs;
	char id[48];
	char box_id[160];
	char *spelling; /* the box as the creating request named it: serve matches it */
	bool main;
	struct shell *sh;
	struct ftree *files;
	struct backlog out[2]; /* stdout, stderr */
	unsigned char *in;     /* stdin waiting for the shell */
	size_t in_len;
	bool in_eof, eof_given;
	unsigned cols, rows;
	bool resized;
	int sigs[8];
	size_t n_sigs;
	int kill_code; /* non-zero: end now with it */
	bool done;
	int exit_code;
	int64_t done_at, idle_since, deadline;
	/* the attach slot */
	bool claimed;
	int64_t claimed_at;
	struct wss *client;
	uint64_t sent[2]; /* the client's offsets in out[] */
	/* main session */
	uint64_t seed, line;
	int64_t next_line;
	unsigned rate;
};

struct attach {
	struct exec *e;
	struct wss *ws;
	bool read_only, closing, exit_sent;
	/* a fault: close where the exit frame would go, without it */
	bool hangup;
	bool refused[3]; /* resize, signal, stdin_eof: told once each */
	char *spelling, *path, *user_agent;
	char request_id[80];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* the reaper's sleep, and threads ending */
	struct exec **v;
	size_t n;
	struct fleet *fleet;
	const struct sim_opts *opts;
	size_t threads;
	bool stopping, started;
	pthread_t reaper;
	uint64_t next_id, salt;
} reg = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- backlog ---- */

static void backlog_put(struct backlog *b, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (n == 0)
		return;
	if (b->buf == NULL)
		b->buf = xmalloc(EXEC_BACKLOG);
	if (n > EXEC_BACKLOG) {
		b->total += n - EXEC_BACKLOG;
		p += n - EXEC_BACKLOG;
		n = EXEC_BACKLOG;
	}
	while (n > 0) {
		size_t at = (size_t)(b->total % EXEC_BACKLOG);
		size_t k = EXEC_BACKLOG - at < n ? EXEC_BACKLOG - at : n;

		memcpy(b->buf + at, p, k);
		b->total += k;
		p += k;
		n -= k;
	}
}

/* The offset of the oldest byte kept. */
static uint64_t backlog_first(const struct backlog *b)
{
	return b->total > EXEC_BACKLOG ? b->total - EXEC_BACKLOG : 0;
}

/* Up to max bytes from offset from (>= backlog_first), not across the ring's end. */
static size_t backlog_get(const struct backlog *b, uint64_t from, unsigned char *out, size_t max)
{
	size_t at = (size_t)(from % EXEC_BACKLOG);
	uint64_t left = b->total - from;
	size_t n = left < max ? (size_t)left : max;

	if (n > EXEC_BACKLOG - at)
		n = EXEC_BACKLOG - at;
	memcpy(out, b->buf + at, n);
	return n;
}

/* ---- executions ---- */

static void exec_unref(struct exec *e)
{
	if (e == NULL || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	shell_free(&e->sh);
	ftree_free(&e->files);
	free(e->out[0].buf);
	free(e->out[1].buf);
	free(e->in);
	free(e->spelling);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static struct exec *exec_new(const char *box_id, const char *spelling, bool main)
{
	struct exec *e = xcalloc(1, sizeof(*e));
	pthread_condattr_t ca;

	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&e->refs, 1);
	snprintf(e->box_id, sizeof(e->box_id), "%s", box_id);
	e->spelling = xstrdup(spelling);
	e->main = main;
	e->idle_since = time_mono_ms();
	return e;
}

static void on_out(void *arg, enum shell_stream s, const void *data, size_t len)
{
	struct exec *e = arg;

	backlog_put(&e->out[s == SHELL_STDERR ? 1 : 0], data, len);
}

/* Waits on e's cond for ms (< 0: until signalled); e->lock held. */
static void wait_ms(struct exec *e, int64_t ms)
{
	struct timespec ts;

	if (ms < 0) {
		pthread_cond_wait(&e->cond, &e->lock);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&e->cond, &e->lock, &ts);
}

static void finish(struct exec *e, int code)
{
	e->done = true;
	e->exit_code = code;
	e->done_at = time_mono_ms();
	shell_free(&e->sh);
	ftree_free(&e->files);
	if (e->client != NULL)
		wss_wake(e->client);
}

/* Hands the shell what came in since the last round. */
static void feed(struct exec *e)
{
	if (e->in_len != 0) {
		size_t k = shell_input(e->sh, e->in, e->in_len);

		memmove(e->in, e->in + k, e->in_len - k);
		e->in_len -= k;
		if (k != 0 && e->client != NULL)
			wss_wake(e->client); /* the attach may read again */
	}
	if (e->in_eof && e->in_len == 0 && !e->eof_given) {
		shell_eof(e->sh);
		e->eof_given = true;
	}
	if (e->resized) {
		shell_resize(e->sh, e->cols, e->rows);
		e->resized = false;
	}
	for (size_t i = 0; i < e->n_sigs; i++)
		shell_signal(e->sh, e->sigs[i]);
	e->n_sigs = 0;
}

/* The attached client has EXEC_UNREAD bytes or more still to read. */
static bool backed_up(const struct exec *e)
{
	uint64_t unread = 0;

	if (e->client == NULL)
		return false;
	for (int s = 0; s < 2; s++)
		if (e->out[s].total > e->sent[s])
			unread += e->out[s].total - e->sent[s];
	return unread >= EXEC_UNREAD;
}

static int64_t until_deadline(const struct exec *e, int64_t now, int64_t ms)
{
	if (e->deadline == 0)
		return ms;
	if (ms < 0 || e->deadline - now < ms)
		return e->deadline - now > 0 ? e->deadline - now : 0;
	return ms;
}

/* One round of a shell's thread; e->lock held. */
static void shell_round(struct exec *e)
{
	int64_t now = time_mono_ms();
	uint64_t before = e->out[0].total + e->out[1].total;
	int code = 0;
	long r;

	if (e->kill_code == 0 && e->deadline != 0 && now >= e->deadline)
		e->kill_code = EXEC_KILLED_CODE;
	if (e->kill_code != 0) {
		finish(e, e->kill_code);
		return;
	}
	feed(e);
	if (backed_up(e)) {
		wait_ms(e, until_deadline(e, now, 1000));
		return;
	}
	r = shell_step(e->sh, now, EXEC_BUDGET);
	if (e->out[0].total + e->out[1].total != before && e->client != NULL)
		wss_wake(e->client);
	if (shell_exited(e->sh, &code) || r == SHELL_DONE) {
		finish(e, code);
	} else if (r == SHELL_IDLE) {
		wait_ms(e, until_deadline(e, now, -1));
	} else if (r > 0) {
		wait_ms(e, until_deadline(e, now, r));
	} else if (e->client == NULL && e->out[0].total + e->out[1].total != before) {
		wait_ms(e, EXEC_LONE_PACE);
	} else {
		pthread_mutex_unlock(&e->lock);
		sched_yield();
		pthread_mutex_lock(&e->lock);
	}
}

/* ---- the main session's log ---- */

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/*
 * Line n of a box's log at wall time ms: the same words for the same seed,
 * box and n. Some are coloured, some hostile to a terminal that trusts them
 * (a title set, a screen clear, a bare CR, a DEL, one overlong line).
 */
static size_t log_line(uint64_t seed, uint64_t n, int64_t wall_ms, char *buf, size_t size)
{
	static const char *const paths[] = {"/", "/api/items", "/health", "/login",
					    "/static/app.js"};
	uint64_t r = mix(seed ^ mix(n));
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;
	char ts[40];
	int len;

	gmtime_r(&secs, &tm);
	len = (int)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + len, sizeof(ts) - (size_t)len, ".%03dZ", (int)(wall_ms % 1000));
	switch (n % 40) {
	case 7:
		len = snprintf(buf, size,
			       "%s \x1b[31mERROR\x1b[0m app: upstream timed out after %u ms\n", ts,
			       (unsigned)(r % 5000));
		break;
	case 3:
	case 23:
		len = snprintf(buf, size, "%s \x1b[33mWARN\x1b[0m app: slow query took %u ms\n", ts,
			       (unsigned)(r % 900 + 100));
		break;
	case 11:
		len = snprintf(buf, size, "%s INFO app: \x1b]0;pwned\x07title set by a log line\n",
			       ts);
		break;
	case 19:
		len = snprintf(buf, size,
			       "\x1b[2J\x1b[H%s INFO app: screen cleared by a log line\n", ts);
		break;
	case 27:
		len = snprintf(buf, size, "%s INFO app: progress 42%%\rprogress 100%%\n", ts);
		break;
	case 31:
		len = snprintf(buf, size, "%s INFO app: a DEL here \x7f and on\n", ts);
		break;
	case 37:
		len = snprintf(
			buf, size, "%s INFO app: overlong %.*s\n", ts,
			(int)(size > 200 ? size - 200 : 0),
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"x");
		break;
	default:
		len = snprintf(buf, size, "%s INFO app: request %llu GET %s served in %u ms\n", ts,
			       (unsigned long long)n, paths[r % ARRAY_LEN(paths)],
			       (unsigned)(r >> 8) % 40 + 1);
		break;
	}
	return len < 0 ? 0 : (size_t)len < size ? (size_t)len : size - 1;
}

static void emit_line(struct exec *e, int64_t when)
{
	static const char fill[] = " filler filler filler filler filler filler filler filler";
	char buf[1024];
	size_t n = log_line(e->seed, ++e->line, when, buf, sizeof(buf));
	size_t want = reg.opts != NULL ? reg.opts->log_line_len : 0;

	if (want <= n || n == 0 || buf[n - 1] != '\n') {
		backlog_put(&e->out[0], buf, n);
		return;
	}
	backlog_put(&e->out[0], buf, n - 1); /* --log-line-bytes: padded to want */
	for (n--; n + 1 < want;) {
		size_t k = want - 1 - n < sizeof(fill) - 1 ? want - 1 - n : sizeof(fill) - 1;

		backlog_put(&e->out[0], fill, k);
		n += k;
	}
	backlog_put(&e->out[0], "\n", 1);
}

/* A new main session has been "running" a while: its last lines are there. */
static void prefill(struct exec *e)
{
	int64_t now = time_wall_ms();
	unsigned k = e->rate * 120 < MAIN_PREFILL ? e->rate * 120 : MAIN_PREFILL;

	for (unsigned i = k; i > 0; i--)
		emit_line(e, now - (int64_t)i * 1000 / e->rate);
	e->next_line = time_mono_ms() + 1000 / e->rate;
}

/* One round of a main session's thread; e->lock held. Its stdin goes nowhere. */
static void main_round(struct exec *e)
{
	int64_t now = time_mono_ms();

	if (e->kill_code != 0) {
		finish(e, e->kill_code);
		return;
	}
	e->in_len = 0;
	e->n_sigs = 0;
	if (e->rate == 0 || backed_up(e)) {
		wait_ms(e, e->rate == 0 ? -1 : 1000);
		return;
	}
	if (now >= e->next_line) {
		emit_line(e, time_wall_ms());
		e->next_line += 1000 / e->rate;
		if (e->next_line < now - 1000) /* stalled: no burst of catch-up lines */
			e->next_line = now;
		if (e->client != NULL)
			wss_wake(e->client);
	}
	wait_ms(e, e->next_line - now > 0 ? e->next_line - now : 0);
}

static void *exec_main(void *p)
{
	struct exec *e = p;

	pthread_mutex_lock(&e->lock);
	while (!e->done) {
		if (e->main)
			main_round(e);
		else
			shell_round(e);
	}
	pthread_mutex_unlock(&e->lock);
	exec_unref(e);
	pthread_mutex_lock(&reg.lock);
	reg.threads--;
	pthread_cond_broadcast(&reg.cond);
	pthread_mutex_unlock(&reg.lock);
	return NULL;
}

/* ---- the registry ---- */

static unsigned grace_ms(void)
{
	return (reg.opts != NULL ? reg.opts->reap_grace : DEFAULT_GRACE) * 1000u;
}

/* Names e, adds it (a reference taken) and starts its thread; reg.lock held. */
static void reg_add(struct exec *e)
{
	pthread_attr_t attr;
	pthread_t t;

	snprintf(e->id, sizeof(e->id), "exec-%08llx%012llx", (unsigned long long)reg.salt,
		 (unsigned long long)++reg.next_id);

	reg.v = xrealloc(reg.v, (reg.n + 1) * sizeof(*reg.v));
	reg.v[reg.n++] = e;
	atomic_fetch_add(&e->refs, 1);
	if (e->done)
		return;
	atomic_fetch_add(&e->refs, 1);
	reg.threads++;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, exec_main, e) != 0)
		fatal("exec: cannot start a thread");
	pthread_attr_destroy(&attr);
}

static void reg_drop_at(size_t i)
{
	struct exec *e = reg.v[i];

	reg.v[i] = reg.v[--reg.n];
	exec_unref(e);
}

/* The registry's exec id (a reference the caller drops), or NULL. */
static struct exec *reg_find(const char *id)
{
	struct exec *e = NULL;

	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n && e == NULL; i++)
		if (strcmp(reg.v[i]->id, id) == 0)
			e = reg.v[i];
	if (e != NULL)
		atomic_fetch_add(&e->refs, 1);
	pthread_mutex_unlock(&reg.lock);
	return e;
}

static void reg_remove(struct exec *e)
{
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n; i++) {
		if (reg.v[i] == e) {
			reg_drop_at(i);
			break;
		}
	}
	pthread_mutex_unlock(&reg.lock);
}

/* Ends e as a kill does (137) unless it already ended; its thread wakes to it. */
static void kill_exec(struct exec *e)
{
	pthread_mutex_lock(&e->lock);
	if (!e->done && e->kill_code == 0)
		e->kill_code = EXEC_KILLED_CODE;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* The fleet's hook, under its lock: box_id stopped or is gone. */
static void on_box_stop(void *arg, const char *box_id)
{
	(void)arg;
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n; i++) {
		struct exec *e = reg.v[i];

		if (strcmp(e->box_id, box_id) != 0)
			continue;
		kill_exec(e);
	}
	pthread_mutex_unlock(&reg.lock);
}

/* Forgets what ended and nobody is attached to, reap_grace after the later of both. */
static void reap(int64_t now)
{
	for (size_t i = reg.n; i-- > 0;) {
		struct exec *e = reg.v[i];
		int64_t since;
		bool gone;

		pthread_mutex_lock(&e->lock);
		since = e->done_at > e->idle_since ? e->done_at : e->idle_since;
		gone = e->done && !e->claimed && now - since >= (int64_t)grace_ms();
		pthread_mutex_unlock(&e->lock);
		if (gone)
			reg_drop_at(i);
	}
}

static void *reaper_main(void *p)
{
	struct timespec ts;

	(void)p;
	pthread_mutex_lock(&reg.lock);
	while (!reg.stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&reg.cond, &reg.lock, &ts);
		reap(time_mono_ms());
	}
	pthread_mutex_unlock(&reg.lock);
	return NULL;
}

void exec_start(struct fleet *fleet, const struct sim_opts *opts)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&reg.cond, &ca);
	pthread_condattr_destroy(&ca);
	reg.fleet = fleet;
	reg.opts = opts;
	reg.stopping = false;
	reg.salt = (uint64_t)mix((uint64_t)time(NULL)) & 0xffffffffULL;
	fleet_set_stop_hook(fleet, on_box_stop, NULL);
	if (pthread_create(&reg.reaper, NULL, reaper_main, NULL) != 0)
		fatal("exec: cannot start the reaper");
	reg.started = true;
}

void exec_stop(void)
{
	if (!reg.started)
		return;
	fleet_set_stop_hook(reg.fleet, NULL, NULL);
	pthread_mutex_lock(&reg.lock);
	reg.stopping = true;
	for (size_t i = 0; i < reg.n; i++) {
		struct exec *e = reg.v[i];

		kill_exec(e);
	}
	pthread_cond_broadcast(&reg.cond);
	pthread_mutex_unlock(&reg.lock);
	pthread_join(reg.reaper, NULL);
	pthread_mutex_lock(&reg.lock);
	while (reg.threads != 0)
		pthread_cond_wait(&reg.cond, &reg.lock);
	while (reg.n != 0)
		reg_drop_at(reg.n - 1);
	free(reg.v);
	reg.v = NULL;
	pthread_mutex_unlock(&reg.lock);
	reg.started = false;
}

/* ---- request helpers ---- */

static bool is_int(const cJSON *v, double lo, double hi)
{
	return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble &&
	       v->valuedouble >= lo && v->valuedouble <= hi;
}

static bool string_list(const cJSON *v, size_t max)
{
	const cJSON *it;
	size_t n = 0;

	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsArray(v))
		return false;
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it) || ++n > max)
			return false;
	}
	return true;
}

static bool string_map(const cJSON *v, size_t max)
{
	const cJSON *it;
	size_t n = 0;

	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsObject(v))
		return false;
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it) || ++n > max)
			return false;
	}
	return true;
}

static bool opt_kind(const cJSON *v, cJSON_bool (*is)(const cJSON *))
{
	return v == NULL || cJSON_IsNull(v) || is(v);
}

/* Checks an ExecRequest; -1 after answering. */
static int check_exec_request(struct call *c, const cJSON *b, enum MHD_Result *r)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(b, "command");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "timeout_seconds");
	double min_t = call_serve(c) ? 0 : 0.1;

	if (!cJSON_IsString(cmd) || cmd->valuestring[0] == '\0')
		return call_bad_field(c, "command", cmd == NULL, NULL,
				      "command must be a non-empty string", r);
	if (!string_list(cJSON_GetObjectItemCaseSensitive(b, "args"), MAX_ARGS))
		return call_bad_field(c, "args", false, NULL, "args must be an array of strings",
				      r);
	if (!string_map(cJSON_GetObjectItemCaseSensitive(b, "env"), MAX_ENV))
		return call_bad_field(c, "env", false, NULL, "env must be an object of strings", r);
	if (!(t == NULL || cJSON_IsNull(t) || (cJSON_IsNumber(t) && t->valuedouble >= min_t)))
		return call_bad_field(c, "timeout_seconds", false, NULL,
				      "timeout_seconds must be a number of at least 0.1", r);
	if (!opt_kind(cJSON_GetObjectItemCaseSensitive(b, "working_dir"), cJSON_IsString))
		return call_bad_field(c, "working_dir", false, NULL, "working_dir must be a string",
				      r);
	if (!opt_kind(cJSON_GetObjectItemCaseSensitive(b, "stdin"), cJSON_IsString))
		return call_bad_field(c, "stdin", false, NULL, "stdin must be a string", r);
	if (!opt_kind(cJSON_GetObjectItemCaseSensitive(b, "tty"), cJSON_IsBool))
		return call_bad_field(c, "tty", false, NULL, "tty must be a boolean", r);
	return 0;
}

static const char **string_array(const cJSON *v)
{
	const char **out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*out));
	const cJSON *it;
	size_t n = 0;

	cJSON_ArrayForEach(it, v) {
		out[n++] = it->valuestring;
	}
	return out;
}

static char **env_array(const cJSON *v)
{
	char **out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*out));
	const cJSON *it;
	size_t n = 0;

	cJSON_ArrayForEach(it, v) {
		out[n++] = xasprintf("%s=%s", it->string, it->valuestring);
	}
	return out;
}

/* Starts e's shell for request b; a command that cannot start exits 127 with why. */
static void start_shell(struct exec *e, const cJSON *b)
{
	const cJSON *tty = cJSON_GetObjectItemCaseSensitive(b, "tty");
	const cJSON *wd = cJSON_GetObjectItemCaseSensitive(b, "working_dir");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(b, "stdin");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "timeout_seconds");
	const char **args = string_array(cJSON_GetObjectItemCaseSensitive(b, "args"));
	char **env = env_array(cJSON_GetObjectItemCaseSensitive(b, "env"));
	char host[13];
	struct shell_spec spec = {
		.command = cJSON_GetObjectItemCaseSensitive(b, "command")->valuestring,
		.args = args,
		.env = (const char *const *)env,
		.working_dir = cJSON_IsString(wd) ? wd->valuestring : NULL,
		.tty = cJSON_IsTrue(tty),
		.hostname = host,
	};
	const char *why = NULL;

	snprintf(host, sizeof(host), "%.12s", e->box_id);
	e->sh = shell_new(&spec, e->files, on_out, e, &why);
	if (e->sh == NULL) {
		char *msg = xasprintf("%s\n", why != NULL ? why : "exec failed");

		backlog_put(&e->out[1], msg, strlen(msg));
		free(msg);
		e->done = true;
		e->exit_code = 127;
		e->done_at = time_mono_ms();
	}
	if (cJSON_IsString(in)) {
		e->in_len = strlen(in->valuestring);
		e->in = xmalloc(e->in_len + 1);
		memcpy(e->in, in->valuestring, e->in_len);
		e->in_eof = true;
	}
	if (cJSON_IsNumber(t) && t->valuedouble > 0)
		e->deadline = time_mono_ms() + (int64_t)(t->valuedouble * 1000);
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
	free(args);
}

/* Running executions of box_id; reg.lock held. */
static size_t running_on(const char *box_id)
{
	size_t n = 0;

	for (size_t i = 0; i < reg.n; i++)
		if (!reg.v[i]->main && !reg.v[i]->done && strcmp(reg.v[i]->box_id, box_id) == 0)
			n++;
	return n;
}

/* The box still runs once e is registered (it may have stopped meanwhile): else e ends. */
static void recheck_box(struct exec *e)
{
	char id[160];

	if (fleet_use_box(reg.fleet, e->box_id, false, false, NULL, id, sizeof(id)) == FLEET_OK)
		return;
	kill_exec(e);
}

static enum MHD_Result box_refused(struct call *c, enum fleet_rc rc)
{
	if (rc == FLEET_NOT_FOUND)
		return call_error(c, CALL_NOT_FOUND, "box not found: %s", c->segs[1]);
	return call_runtime_error(c, CALL_INVALID_STATE, "box %s is not running", c->segs[1]);
}

enum MHD_Result exec_create(struct call *c)
{
	struct effect_cause cause = call_cause(c);
	cJSON *body = NULL;
	cJSON *doc;
	struct exec *e;
	struct ftree *files = NULL;
	enum MHD_Result r;
	enum fleet_rc rc;
	char id[160];
	bool full;

	if (call_json_body(c, &body, &r) < 0)
		return r;
	if (check_exec_request(c, body, &r) < 0)
		goto out;
	rc = fleet_use_box(c->env->fleet, c->segs[1], true, true, &cause, id, sizeof(id));
	if (rc != FLEET_OK) {
		r = box_refused(c, rc);
		goto out;
	}
	pthread_mutex_lock(&reg.lock);
	full = reg.n >= EXEC_MAX || running_on(id) >= EXEC_PER_BOX;
	pthread_mutex_unlock(&reg.lock);
	if (full) {
		r = call_error_status(c, 429, 0, "too many executions: the limit is 64 per box");
		goto out;
	}
	if (fleet_files(c->env->fleet, id, false, NULL, &files) != FLEET_OK)
		files = NULL;
	e = exec_new(id, c->segs[1], false);
	e->files = files;
	start_shell(e, body);
	pthread_mutex_lock(&reg.lock);
	reg_add(e);
	pthread_mutex_unlock(&reg.lock);
	recheck_box(e);
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "execution_id", e->id);
	exec_unref(e);
	r = call_reply(c, MHD_HTTP_CREATED, doc);
out:
	cJSON_Delete(body);
	return r;
}

/*
 * The execution c->segs[3] of the box c->segs[1] (a reference the caller
 * drops), or NULL having answered 404. serve matches the box as the string
 * the exec was created with; the spec flavor by the box it names.
 */
static struct exec *find_exec(struct call *c, enum MHD_Result *r)
{
	struct exec *e = reg_find(c->segs[3]);
	char id[160] = "";

	if (e != NULL && strcmp(e->spelling, c->segs[1]) != 0 &&
	    (call_serve(c) ||
	     fleet_use_box(c->env->fleet, c->segs[1], false, false, NULL, id, sizeof(id)) ==
		     FLEET_NOT_FOUND ||
	     strcmp(id, e->box_id) != 0)) {
		exec_unref(e);
		e = NULL;
	}
	if (e == NULL)
		*r = call_error(c, CALL_NOT_FOUND, "execution not found: %s", c->segs[3]);
	return e;
}

enum MHD_Result exec_get(struct call *c)
{
	enum MHD_Result r;
	struct exec *e = find_exec(c, &r);
	cJSON *doc;

	if (e == NULL)
		return r;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "execution_id", e->id);
	pthread_mutex_lock(&e->lock);
	cJSON_AddStringToObject(doc, "status", e->done ? "completed" : "running");
	if (e->done)
		cJSON_AddNumberToObject(doc, "exit_code", e->exit_code);
	pthread_mutex_unlock(&e->lock);
	exec_unref(e);
	return call_reply(c, MHD_HTTP_OK, doc);
}

enum MHD_Result exec_kill(struct call *c)
{
	enum MHD_Result r;
	struct exec *e = find_exec(c, &r);

	if (e == NULL)
		return r;
	kill_exec(e);
	reg_remove(e);
	exec_unref(e);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static bool signal_allowed(long long sig)
{
	for (size_t i = 0; i < ARRAY_LEN(allowed_signals); i++)
		if (allowed_signals[i] == sig)
			return true;
	return false;
}

static void queue_signal(struct exec *e, int sig)
{
	if (e->n_sigs < ARRAY_LEN(e->sigs))
		e->sigs[e->n_sigs++] = sig;
	pthread_cond_signal(&e->cond);
}

enum MHD_Result exec_signal(struct call *c)
{
	cJSON *body = NULL;
	const cJSON *sig;
	struct exec *e;
	enum MHD_Result r;

	if (call_json_body(c, &body, &r) < 0)
		return r;
	sig = cJSON_GetObjectItemCaseSensitive(body, "signal");
	if (!is_int(sig, -2147483648.0, 2147483647.0)) {
		call_bad_field(c, "signal", sig == NULL, NULL, "signal must be an integer", &r);
	} else if (!signal_allowed((long long)sig->valuedouble)) {
		r = call_error(c, CALL_INVALID_ARGUMENT,
			       "signal %lld not allowed; use DELETE /executions/{id} for kill, "
			       "cooperative signals are " ALLOWED_TEXT,
			       (long long)sig->valuedouble);
	} else if ((e = find_exec(c, &r)) != NULL) {
		pthread_mutex_lock(&e->lock);
		if (!e->done)
			queue_signal(e, (int)sig->valuedouble);
		pthread_mutex_unlock(&e->lock);
		exec_unref(e);
		r = call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
	}
	cJSON_Delete(body);
	return r;
}

static void queue_resize(struct exec *e, unsigned cols, unsigned rows)
{
	e->cols = cols;
	e->rows = rows;
	e->resized = true;
	pthread_cond_signal(&e->cond);
}

enum MHD_Result exec_resize(struct call *c)
{
	cJSON *body = NULL;
	const cJSON *cols, *rows;
	struct exec *e;
	enum MHD_Result r;

	if (call_json_body(c, &body, &r) < 0)
		return r;
	cols = cJSON_GetObjectItemCaseSensitive(body, "cols");
	rows = cJSON_GetObjectItemCaseSensitive(body, "rows");
	if (!is_int(cols, 1, 65535)) {
		call_bad_field(c, "cols", cols == NULL, NULL,
			       "cols must be an integer from 1 to 65535", &r);
	} else if (!is_int(rows, 1, 65535)) {
		call_bad_field(c, "rows", rows == NULL, NULL,
			       "rows must be an integer from 1 to 65535", &r);
	} else if ((e = find_exec(c, &r)) != NULL) {
		pthread_mutex_lock(&e->lock);
		queue_resize(e, (unsigned)cols->valuedouble, (unsigned)rows->valuedouble);
		pthread_mutex_unlock(&e->lock);
		exec_unref(e);
		r = call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
	}
	cJSON_Delete(body);
	return r;
}

/* ---- attach ---- */

static void send_json(struct wss *ws, cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);

	if (text != NULL)
		wss_send(ws, false, text, strlen(text));
	free(text);
	cJSON_Delete(doc);
}

static void send_error(struct wss *ws, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void send_error(struct wss *ws, const char *code, const char *fmt, ...)
{
	cJSON *doc = cJSON_CreateObject();
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(doc, "type", "error");
	if (code != NULL)
		cJSON_AddStringToObject(doc, "code", code);
	cJSON_AddStringToObject(doc, "message", msg);
	send_json(ws, doc);
}

/* A client frame with input in it is use: the box's AutoStop clock starts again. */
static void stamp(const struct attach *a)
{
	struct effect_cause cause = {.method = "GET",
				     .path = a->path,
				     .request_id = a->request_id,
				     .user_agent = a->user_agent};

	fleet_touch(reg.fleet, a->spelling, &cause);
}

static void take_stdin(struct attach *a, struct wss *ws, const uint8_t *data, size_t len)
{
	struct exec *e = a->e;

	if (a->read_only) {
		send_error(ws, "read_only_attach", "read-only attach rejected a write: stdin");
		wss_close(ws, 1008, "read-only attach");
		a->closing = true;
		return;
	}
	if (len != 0)
		stamp(a);
	pthread_mutex_lock(&e->lock);
	if (!e->in_eof && !e->done && len <= EXEC_IN_MAX - e->in_len) {
		e->in = xrealloc(e->in, e->in_len + len + 1);
		memcpy(e->in + e->in_len, data, len);
		e->in_len += len;
		len = 0;
		pthread_cond_signal(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	if (len != 0)
		send_error(ws, NULL, "stdin write failed: %zu bytes dropped", len);
}

/* A read-only attach refuses control frame kind k (told once a kind); true when refused. */
static bool refuse_control(struct attach *a, struct wss *ws, int k, const char *what)
{
	if (!a->read_only)
		return false;
	if (!a->refused[k])
		send_error(ws, "read_only_attach", "read-only attach rejected a write: %s", what);
	a->refused[k] = true;
	return true;
}

static void control_resize(struct attach *a, struct wss *ws, const cJSON *doc)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, "rows");
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(doc, "cols");

	if (refuse_control(a, ws, 0, "resize"))
		return;
	if (!is_int(rows, 1, 65535)) {
		send_error(ws, NULL, "resize: 'rows' must be a positive integer");
		return;
	}
	if (!is_int(cols, 1, 65535)) {
		send_error(ws, NULL, "resize: 'cols' must be a positive integer");
		return;
	}
	pthread_mutex_lock(&a->e->lock);
	queue_resize(a->e, (unsigned)cols->valuedouble, (unsigned)rows->valuedouble);
	pthread_mutex_unlock(&a->e->lock);
}

static void control_signal(struct attach *a, struct wss *ws, const cJSON *doc)
{
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(doc, "sig");

	if (refuse_control(a, ws, 1, "signal"))
		return;
	if (!is_int(sig, 1, 2147483647.0)) {
		send_error(ws, NULL, "signal: 'sig' must be a positive integer");
		return;
	}
	if (!signal_allowed((long long)sig->valuedouble)) {
		send_error(ws, NULL, "signal %d not allowed; whitelist: " ALLOWED_TEXT,
			   (int)sig->valuedouble);
		return;
	}
	pthread_mutex_lock(&a->e->lock);
	if (!a->e->done)
		queue_signal(a->e, (int)sig->valuedouble);
	pthread_mutex_unlock(&a->e->lock);
}

static void control(struct attach *a, struct wss *ws, const uint8_t *data, size_t len)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "type");

	if (doc == NULL)
		send_error(ws, NULL, "invalid control frame: not JSON");
	else if (!cJSON_IsString(type))
		send_error(ws, NULL, "control frame missing 'type' field");
	else if (strcmp(type->valuestring, "resize") == 0)
		control_resize(a, ws, doc);
	else if (strcmp(type->valuestring, "signal") == 0)
		control_signal(a, ws, doc);
	else if (strcmp(type->valuestring, "stdin_eof") == 0) {
		if (!refuse_control(a, ws, 2, "stdin_eof")) {
			pthread_mutex_lock(&a->e->lock);
			a->e->in_eof = true;
			pthread_cond_signal(&a->e->cond);
			pthread_mutex_unlock(&a->e->lock);
		}
	} else
		send_error(ws, NULL, "unknown control type: %.64s", type->valuestring);
	cJSON_Delete(doc);
}

static void attach_msg(void *arg, struct wss *ws, bool binary, const uint8_t *data, size_t len)
{
	struct attach *a = arg;

	if (a->closing)
		return;
	if (binary)
		take_stdin(a, ws, data, len);
	else
		control(a, ws, data, len);
}

static bool attach_rx_full(void *arg)
{
	struct attach *a = arg;
	bool full;

	pthread_mutex_lock(&a->e->lock);
	full = a->e->in_len >= EXEC_IN_HIGH;
	pthread_mutex_unlock(&a->e->lock);
	return full;
}

/* Queues stream s's unsent bytes while wslay's queue is short; e->lock held. */
static bool pump_stream(struct exec *e, struct wss *ws, int s)
{
	unsigned char buf[ATTACH_CHUNK + 1];
	bool moved = false;

	if (e->sent[s] < backlog_first(&e->out[s]))
		e->sent[s] = backlog_first(&e->out[s]);
	while (wss_queued(ws) < ATTACH_QUEUE && e->sent[s] < e->out[s].total) {
		size_t n = backlog_get(&e->out[s], e->sent[s], buf + 1, ATTACH_CHUNK);

		buf[0] = (unsigned char)(s + 1);
		wss_send(ws, true, buf, n + 1);
		e->sent[s] += n;
		moved = true;
	}
	return moved;
}

static void attach_pump(void *arg, struct wss *ws)
{
	struct attach *a = arg;
	struct exec *e = a->e;
	cJSON *doc;

	pthread_mutex_lock(&e->lock);
	if (a->ws == NULL) {
		a->ws = ws;
		e->client = ws;
	}
	if (!a->closing) {
		/* both streams get their turn: no short-circuit */
		bool out = pump_stream(e, ws, 0);
		bool err = pump_stream(e, ws, 1);

		if (out || err)
			pthread_cond_signal(&e->cond);
	}
	if (e->done && !a->closing && !a->exit_sent && e->sent[0] == e->out[0].total &&
	    e->sent[1] == e->out[1].total) {
		if (!a->hangup) {
			doc = cJSON_CreateObject();
			cJSON_AddStringToObject(doc, "type", "exit");
			cJSON_AddNumberToObject(doc, "exit_code", e->exit_code);
			send_json(ws, doc);
		}
		wss_close(ws, 0, NULL);
		a->exit_sent = true;
	}
	pthread_mutex_unlock(&e->lock);
}

static void attach_end(void *arg, struct wss *ws)
{
	struct attach *a = arg;
	struct exec *e = a->e;

	pthread_mutex_lock(&e->lock);
	if (e->client == ws || ws == NULL)
		e->client = NULL;
	e->claimed = false;
	e->idle_since = time_mono_ms();
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
	exec_unref(e);
	free(a->spelling);
	free(a->path);
	free(a->user_agent);
	free(a);
}

static const struct wss_ops attach_ops = {
	.on_msg = attach_msg,
	.pump = attach_pump,
	.rx_full = attach_rx_full,
	.on_end = attach_end,
};

/* ?stdin=: 0 when absent or allowing, 1 read-only, -1 after answering 400. */
static int stdin_policy(struct call *c, bool *read_only, enum MHD_Result *r)
{
	bool bad = false;
	char *v = call_query(c, "stdin", &bad);
	int rc = 0;

	*read_only = v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0);
	if (bad || (v != NULL && !*read_only && strcmp(v, "1") != 0 && strcmp(v, "true") != 0)) {
		*r = call_error(c, CALL_INVALID_ARGUMENT,
				"stdin must be one of 0, 1, false, true; got \"%.64s\"",
				v != NULL ? v : "");
		rc = -1;
	}
	free(v);
	return rc;
}

/* The handshake is a WebSocket one; else -1 having answered as axum's extractor would. */
static int handshake(struct call *c, enum MHD_Result *r)
{
	const char *why = NULL;

	if (wss_handshake_ok(c->conn, c->method, &why))
		return 0;
	*r = call_serve(c) ? call_text(c, MHD_HTTP_BAD_REQUEST, why, NULL)
			   : call_error(c, CALL_INVALID_ARGUMENT, "%s", why);
	return -1;
}

/* Claims e's attach slot for a client; false when another has it. */
static bool claim(struct exec *e)
{
	int64_t now = time_mono_ms();
	bool ok;

	pthread_mutex_lock(&e->lock);
	/* an upgrade that never reached its session (the client left) leaves a stale claim */
	ok = !e->claimed || (e->client == NULL && now - e->claimed_at > EXEC_CLAIM_WAIT);
	if (ok) {
		e->claimed = true;
		e->claimed_at = now;
		e->client = NULL;
		e->sent[0] = backlog_first(&e->out[0]);
		e->sent[1] = backlog_first(&e->out[1]);
	}
	pthread_mutex_unlock(&e->lock);
	return ok;
}

/* Upgrades to the attach session of e (its reference taken). */
static enum MHD_Result upgrade(struct call *c, struct exec *e, bool read_only, const char *hname)
{
	struct attach *a = xcalloc(1, sizeof(*a));
	const char *ua =
		MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);

	a->e = e;
	a->read_only = read_only;
	a->hangup = c->plan.hangup;
	a->spelling = xstrdup(c->segs[1]);
	a->path = xstrdup(c->url);
	a->user_agent = ua != NULL ? xstrdup(ua) : NULL;
	snprintf(a->request_id, sizeof(a->request_id), "%s", c->request_id);
	return wss_upgrade(c->conn, c->request_id, hname, hname != NULL ? e->id : NULL, &attach_ops,
			   a);
}

enum MHD_Result exec_attach(struct call *c)
{
	enum MHD_Result r;
	bool read_only = false;
	struct exec *e;

	if (stdin_policy(c, &read_only, &r) < 0 || handshake(c, &r) < 0)
		return r;
	e = find_exec(c, &r);
	if (e == NULL)
		return r;
	if (!claim(e)) {
		exec_unref(e);
		return call_error(c, CALL_INVALID_STATE,
				  "execution %s already has an attached client", c->segs[3]);
	}
	return upgrade(c, e, read_only, NULL);
}

/*
 * The running main session of box id (a reference), made when there is
 * none. The fleet's seed is read first: the fleet's lock comes before reg's.
 */
static struct exec *main_session(const char *id, const char *spelling, bool *made)
{
	uint64_t seed = mix(fleet_seed(reg.fleet) ^ hash_str(id));
	struct exec *e = NULL;

	*made = false;
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n && e == NULL; i++)
		if (reg.v[i]->main && !reg.v[i]->done && reg.v[i]->kill_code == 0 &&
		    strcmp(reg.v[i]->box_id, id) == 0)
			e = reg.v[i];
	if (e == NULL) {
		e = exec_new(id, spelling, true);
		e->seed = seed;
		e->rate = reg.opts != NULL ? reg.opts->log_rate : 2;
		if (e->rate != 0)
			prefill(e);
		reg_add(e);
		*made = true;
	} else {
		atomic_fetch_add(&e->refs, 1);
	}
	pthread_mutex_unlock(&reg.lock);
	return e;
}

enum MHD_Result exec_attach_box(struct call *c)
{
	enum MHD_Result r;
	bool read_only = false, made = false;
	struct exec *e;
	enum fleet_rc rc;
	char id[160];

	if (stdin_policy(c, &read_only, &r) < 0 || handshake(c, &r) < 0)
		return r;
	rc = fleet_use_box(c->env->fleet, c->segs[1], false, false, NULL, id, sizeof(id));
	if (rc != FLEET_OK)
		return box_refused(c, rc);
	e = main_session(id, c->segs[1], &made);
	if (made)
		recheck_box(e);
	if (!claim(e)) {
		exec_unref(e);
		return call_error(c, CALL_INVALID_STATE,
				  "box %s main session already has an attached client", c->segs[1]);
	}
	return upgrade(c, e, read_only, "x-boxlite-execution-id");
}
