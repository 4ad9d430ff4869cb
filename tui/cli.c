/*
 * cli: one transfer as a command. The main thread connects (GET /v1/me for
 * the prefix, /v1/config for the capabilities, the box for its id and
 * name), hands the transfer to a one-worker pool through net/actions, then
 * sleeps in poll() on the store's wake fd, drawing the job's progress until
 * it is final. Signals only set a flag; the loop turns it into pool_cancel.
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/format.h"
#include "model/sanitize.h"
#include "model/store.h"
#include "model/xalloc.h"
#include "model/timeutil.h"
#include "net/actions.h"
#include "net/api.h"
#include "net/pool.h"
#include "net/xfer.h"

static atomic_bool interrupted;
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
	atomic_store(&interrupted, true);
}

/* No SA_RESTART: a signal wakes poll() at once. */
static void catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Server text on our output: through the sanitizer, like on the screen. */
static void say(FILE *f, const char *prefix, const char *text)
{
	char *safe = sanitize_dup(text != NULL ? text : "", SANITIZE_NO_LIMIT);

	fprintf(f, "%s%s\n", prefix, safe);
	free(safe);
}

struct transfer {
	const struct opts *o;
	struct api *api;
	struct server_config *cfg;
	struct box *box; /* export: the box as the server named it */
	char *dest;      /* export: where it goes */
	bool progress_tty;
	bool drew; /* a progress line is on stderr and needs clearing */
};

/* The export's destination: -o, a directory given with -o, or the default name here. */
static char *export_dest(const struct opts *o, const struct box *b)
{
	struct stat st;
	const char *name = box_display_name(b);

	if (o->output == NULL)
		return xfer_default_name(".", name, time(NULL));
	if (stat(o->output, &st) == 0 && S_ISDIR(st.st_mode))
		return xfer_default_name(o->output, name, time(NULL));
	return xstrdup(o->output);
}

/* Connects and learns what the server allows; for export, finds the box. */
static int prepare(struct transfer *t, const struct settings *s, struct net_error *err)
{
	t->api = settings_connect(s, &interrupted, NULL, err);
	if (t->api == NULL)
		return -1;
	if (api_config(t->api, &interrupted, &t->cfg, err) < 0)
		return -1;
	if (t->o->mode != MODE_EXPORT)
		return 0;
	if (api_box(t->api, t->o->target, &interrupted, &t->box, err) < 0)
		return -1;
	t->dest = export_dest(t->o, t->box);
	return 0;
}

/* "export web-1" or "import web.boxlite": what the progress line is about. */
static char *job_title(const struct job *j)
{
	const char *what = j->kind == JOB_EXPORT ? j->box_name : j->arg;
	char *safe = sanitize_dup(what != NULL ? what : "", 40);
	char *title = xasprintf("%s %s", job_kind_name(j->kind), safe);

	free(safe);
	return title;
}

static void draw_progress(struct transfer *t, const struct job *j)
{
	char done[FMT_BUF], total[FMT_BUF], rate[FMT_BUF], eta[FMT_BUF];
	char *title;

	if (!t->progress_tty || j->state != JOB_RUNNING)
		return;
	title = job_title(j);
	/* the server's silence: say what it is, with the time it has taken */
	if (j->message != NULL && strncmp(j->message, "waiting", 7) == 0) {
		fmt_duration((time_mono_ms() - j->started_ms) / 1000, done, sizeof(done));
		fprintf(stderr, "\r\033[K%s: %s (%s)", title, j->message, done);
		t->drew = true;
		free(title);
		return;
	}
	if (j->bytes_done <= 0) {
		free(title);
		return;
	}
	fmt_bytes(j->bytes_done, done, sizeof(done));
	fmt_rate(j->rate_bps, rate, sizeof(rate));
	fmt_eta(j->bytes_done, j->bytes_total, j->rate_bps, eta, sizeof(eta));
	if (j->bytes_total > 0)
		fprintf(stderr, "\r\033[K%s: %s of %s (%d%%)  %s  ETA %s", title, done,
			fmt_bytes(j->bytes_total, total, sizeof(total)),
			(int)(100 * j->bytes_done / j->bytes_total), rate, eta);
	else
		fprintf(stderr, "\r\033[K%s: %s  %s", title, done, rate);
	t->drew = true;
	free(title);
}

/* Sleeps until the job is final, drawing progress and cancelling on a signal. Returns its state. */
static enum job_state watch(struct transfer *t, struct store *st, struct pool *pool, uint64_t id,
			    struct job *final)
{
	struct store_view v = {0};
	struct pollfd pfd = {.fd = store_wake_fd(st), .events = POLLIN};
	bool cancel_sent = false;
	enum job_state state = JOB_QUEUED;

	while (state < JOB_SUCCEEDED) {
		const struct job *j;

		if (atomic_load(&interrupted) && !cancel_sent) {
			pool_cancel(pool, id);
			cancel_sent = true;
		}
		if (poll(&pfd, 1, 500) < 0 && errno != EINTR)
			break;
		store_drain_wake(st);
		store_read(st, &v);
		j = store_view_job(&v, id);
		if (j == NULL)
			break;
		state = j->state;
		draw_progress(t, j);
		if (state >= JOB_SUCCEEDED)
			job_copy(final, j);
	}
	store_view_release(&v);
	return state;
}

/* Queues the transfer and watches it. Returns the exit status. */
static int run(struct transfer *t, const struct settings *s)
{
	struct http_conf conf = settings_http_conf(s);
	struct store *st = store_new();
	struct pool *pool = st != NULL ? pool_new(1, st) : NULL;
	struct actions *acts = NULL;
	struct action act = {.kind = t->o->mode == MODE_EXPORT ? JOB_EXPORT : JOB_IMPORT,
			     .force = t->o->force,
			     .no_verify = t->o->no_verify};
	struct net_error err;
	struct job final = {0};
	enum job_state state;
	uint64_t id;
	int rc = 1;

	if (pool == NULL) {
		fprintf(stderr, "boxtop: cannot start a worker thread: %s\n", strerror(errno));
		goto out;
	}
	acts = actions_new(api_base_url(t->api), api_prefix(t->api), &conf, NULL, pool, NULL);
	if (act.kind == JOB_EXPORT) {
		act.box_id = t->box->id;
		act.box_name = box_display_name(t->box);
		act.path = t->dest;
	} else {
		act.path = t->o->target;
		act.name = t->o->name;
	}
	id = actions_submit(acts, &act, t->cfg, &err);
	if (id == 0) {
		say(stderr, "boxtop: ", err.message);
		goto out;
	}
	state = watch(t, st, pool, id, &final);
	if (t->drew)
		fputs("\r\033[K", stderr);
	if (state == JOB_SUCCEEDED) {
		/* the result alone on stdout, for scripts; the sentence for people */
		say(stdout, "", final.result);
		say(stderr, "boxtop: ", final.message);
		rc = 0;
	} else if (state == JOB_CANCELLED || caught != 0) {
		fprintf(stderr, "boxtop: %s cancelled%s\n", job_kind_name(act.kind),
			act.kind == JOB_EXPORT ? "; nothing saved" : "");
		rc = 128 + (caught != 0 ? caught : SIGINT);
	} else {
		fprintf(stderr, "boxtop: %s failed: ", job_kind_name(act.kind));
		say(stderr, "", final.message);
	}
out:
	job_clear(&final);
	actions_free(&acts);
	pool_free(&pool);
	store_free(&st);
	return rc;
}

int cli_transfer(const struct opts *o, const struct settings *s)
{
	struct transfer t = {.o = o, .progress_tty = isatty(STDERR_FILENO) == 1};
	struct net_error err;
	const char *term = getenv("TERM");
	int rc = 1;

	if (term == NULL || strcmp(term, "dumb") == 0)
		t.progress_tty = false;
	catch_signals();
	if (prepare(&t, s, &err) < 0) {
		if (err.kind == NET_CANCELLED) {
			rc = 128 + (caught != 0 ? caught : SIGINT);
			goto out;
		}
		say(stderr, "boxtop: ", err.message);
		goto out;
	}
	rc = run(&t, s);
out:
	free(t.dest);
	box_free(&t.box);
	server_config_free(&t.cfg);
	api_free(&t.api);
	return rc;
}
