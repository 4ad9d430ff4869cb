/*
 * cli: one action as a command (`boxtop snapshot web-1`, `boxtop export
 * web-1 -o w.boxlite`, ...), read from net/actions' table like the
 * dashboard's keys. The main thread connects (GET /v1/me for the prefix,
 * /v1/config for the capabilities, the box for its id, name and status),
 * asks the action's question on the terminal unless --yes, hands the job to
 * a one-worker pool through net/actions, then sleeps in poll() on the
 * store's wake fd, drawing a transfer's progress until the job is final.
 * Signals only set a flag; the loop turns it into pool_cancel.
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/encode.h"
#include "model/format.h"
#include "model/sanitize.h"
#include "model/store.h"
#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/actions.h"
#include "net/api.h"
#include "net/files.h"
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

struct run {
	const struct opts *o;
	const struct action_def *d;
	struct api *api;
	struct server_config *cfg;
	struct box *box; /* ACT_BOX: the box as the server named it */
	char *dest;      /* ACT_DEST: where it goes */
	char *name;      /* ACT_NAME: what it makes is called (NULL: the server picks) */
	char *box_ref;   /* ACT_BOX_PATH: the box of BOX:PATH, and its path */
	char *box_path;
	const char *local; /* ACT_LOCAL: cp's other argument */
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

/*
 * cp's arguments: the one spelled BOX:PATH is the box's side, and which it
 * is picks the copy row (docker cp's rule). 0, or 2 for a usage error.
 */
static int cp_args(struct run *r)
{
	bool out = files_split_arg(r->o->target, &r->box_ref, &r->box_path);
	char *b2 = NULL, *p2 = NULL;
	bool in = files_split_arg(r->o->second, &b2, &p2);

	if (out == in) {
		fprintf(stderr, "boxtop: cp: %s\n",
			out ? "both sides are in a box; copy through a local directory"
			    : "one side must be BOX:PATH (boxtop cp BOX:PATH DEST, boxtop cp SRC "
			      "BOX:PATH; a local path with ':' is written ./a:b)");
		free(b2);
		free(p2);
		return 2;
	}
	if (in) {
		r->box_ref = b2;
		r->box_path = p2;
	}
	r->d = action_def(out ? JOB_CP_OUT : JOB_CP_IN);
	r->local = out ? r->o->second : r->o->target;
	return 0;
}

/* Connects and learns what the server allows; finds the box and fills in the defaults. */
static int prepare(struct run *r, const struct settings *s, struct net_error *err)
{
	r->api = settings_connect(s, &interrupted, NULL, err);
	if (r->api == NULL)
		return -1;
	if (api_config(r->api, &interrupted, &r->cfg, err) < 0)
		return -1;
	if ((r->d->needs & ACT_BOX) &&
	    api_box(r->api, r->box_ref != NULL ? r->box_ref : r->o->target, &interrupted, &r->box,
		    err) < 0)
		return -1;
	if (action_box_refusal(r->d, r->box) != NULL) {
		net_error_set(err, NET_REFUSED, "%s %s: %s", job_kind_name(r->d->kind),
			      box_display_name(r->box), action_box_refusal(r->d, r->box));
		return -1;
	}
	if (r->d->needs & ACT_DEST)
		r->dest = export_dest(r->o, r->box);
	r->name = xstrdup(r->o->name);
	/* a snapshot needs a name: the dashboard's default, when none is given */
	if ((r->d->needs & ACT_NAME) && !r->d->name_optional && r->name == NULL)
		r->name = action_default_name(r->d, box_display_name(r->box), time(NULL));
	return 0;
}

static bool running(const struct run *r)
{
	return r->box != NULL && box_is_live(r->box);
}

/* What the action acts on, as typed to confirm it: the snapshot, the image or the box. */
static const char *target_name(const struct run *r)
{
	if (r->d->needs & ACT_SNAPSHOT)
		return r->o->second;
	if (r->box != NULL)
		return box_display_name(r->box);
	return r->o->target;
}

/*
 * The action's question, on the terminal: y for CONFIRM_YES, the name typed
 * out for CONFIRM_TYPE. Returns 0 to go on, 1 when not confirmed, 2 when
 * there is no terminal to ask on (and no --yes).
 */
static int confirm(const struct run *r)
{
	const char *box = r->box != NULL ? box_display_name(r->box) : NULL;
	const char *image = r->d->needs & ACT_IMAGE ? r->o->target : NULL;
	const char *warning =
		running(r) && r->d->warning_running != NULL ? r->d->warning_running : r->d->warning;
	char *question, *safe, line[512];
	bool yes;

	if (r->d->confirm == CONFIRM_NONE || r->o->yes)
		return 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		fprintf(stderr,
			"boxtop: %s asks first and there is no terminal to ask on: add --yes\n",
			r->d->command);
		return 2;
	}
	question = action_text(r->d->ask_confirm, box, r->o->second, image);
	safe = sanitize_dup(question, SANITIZE_NO_LIMIT);
	fprintf(stderr, "%s %s\n", safe, warning);
	free(safe);
	free(question);
	safe = sanitize_dup(target_name(r), SANITIZE_NO_LIMIT);
	if (r->d->confirm == CONFIRM_TYPE)
		fprintf(stderr, "Type %s to confirm: ", safe);
	else
		fputs("[y/N] ", stderr);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	yes = r->d->confirm == CONFIRM_TYPE
		      ? strcmp(line, target_name(r)) == 0
		      : strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
	if (!yes)
		fprintf(stderr, "boxtop: not confirmed; nothing was done\n");
	free(safe);
	return yes ? 0 : 1;
}

/* "export web-1" or "import web.boxlite": what the progress line is about. */
static char *job_title(const struct job *j)
{
	const char *what = j->box_name != NULL ? j->box_name : j->arg;
	char *safe = sanitize_dup(what != NULL ? what : "", 40);
	char *title = xasprintf("%s %s", job_kind_name(j->kind), safe);

	free(safe);
	return title;
}

static void draw_progress(struct run *r, const struct job *j)
{
	char done[FMT_BUF], total[FMT_BUF], rate[FMT_BUF], eta[FMT_BUF];
	char *title;

	if (!r->progress_tty || j->state != JOB_RUNNING)
		return;
	title = job_title(j);
	/* the server's silence: say what it is, with the time it has taken */
	if (j->message != NULL && strncmp(j->message, "waiting", 7) == 0) {
		fmt_duration((time_mono_ms() - j->started_ms) / 1000, done, sizeof(done));
		fprintf(stderr, "\r\033[K%s: %s (%s)", title, j->message, done);
		r->drew = true;
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
	r->drew = true;
	free(title);
}

/* Sleeps until the job is final, drawing progress and cancelling on a signal. Returns its state. */
static enum job_state watch(struct run *r, struct store *st, struct pool *pool, uint64_t id,
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
		draw_progress(r, j);
		if (state >= JOB_SUCCEEDED)
			job_copy(final, j);
	}
	store_view_release(&v);
	if (r->drew)
		fputs("\r\033[K", stderr);
	r->drew = false;
	return state;
}

/* The job as the command's output: its result (or JSON) on stdout, a sentence on stderr. */
static void report(const struct run *r, const struct job *final, enum job_state state)
{
	if (r->o->json) {
		cJSON *doc = job_to_json(final);
		char *text = cJSON_PrintUnformatted(doc);

		if (text != NULL)
			puts(text);
		free(text);
		cJSON_Delete(doc);
	} else if (state == JOB_SUCCEEDED && final->result != NULL) {
		/* the result alone on stdout, for scripts; the sentence for people */
		say(stdout, "", final->result);
	}
	if (state == JOB_SUCCEEDED) {
		if (final->message != NULL)
			say(stderr, "boxtop: ", final->message);
		else
			fprintf(stderr, "boxtop: %s done\n", job_kind_name(final->kind));
	} else if (state != JOB_CANCELLED && caught == 0) {
		fprintf(stderr, "boxtop: %s failed: ", job_kind_name(final->kind));
		say(stderr, "", final->message);
	}
}

/* Queues one job of kind k with what was gathered and watches it. Returns the exit status. */
static int run_job(struct run *r, struct actions *acts, struct store *st, struct pool *pool,
		   enum job_kind k)
{
	struct action act = {.kind = k,
			     .box_id = r->box != NULL ? r->box->id : NULL,
			     .box_name = r->box != NULL ? box_display_name(r->box) : NULL,
			     .path = r->d->needs & ACT_DEST    ? r->dest
				     : r->d->needs & ACT_FILE  ? r->o->target
				     : r->d->needs & ACT_LOCAL ? r->local
							       : NULL,
			     .box_path = r->box_path,
			     .force = r->o->force,
			     .no_verify = r->o->no_verify};
	struct job final = {.kind = k};
	struct net_error err;
	enum job_state state;
	uint64_t id;
	int rc = 1;

	if (k == r->d->kind)
		act.name = r->d->needs & ACT_SNAPSHOT ? r->o->second
			   : r->d->needs & ACT_IMAGE  ? r->o->target
						      : r->name;
	id = actions_submit(acts, &act, r->cfg, &err);
	if (id == 0) {
		say(stderr, "boxtop: ", err.message);
		return 1;
	}
	state = watch(r, st, pool, id, &final);
	report(r, &final, state);
	if (state == JOB_SUCCEEDED)
		rc = 0;
	else if (state == JOB_CANCELLED || caught != 0) {
		fprintf(stderr, "boxtop: %s cancelled%s\n", job_kind_name(k),
			k == JOB_EXPORT || k == JOB_CP_OUT ? "; nothing saved" : "");
		rc = 128 + (caught != 0 ? caught : SIGINT);
	}
	job_clear(&final);
	return rc;
}

/* Runs the action (a running box stopped first when its row says so). Returns the exit status. */
static int run(struct run *r, const struct settings *s)
{
	struct http_conf conf = settings_http_conf(s);
	struct store *st = store_new();
	struct pool *pool = st != NULL ? pool_new(1, st) : NULL;
	struct actions *acts = NULL;
	int rc = 1;

	if (pool == NULL) {
		fprintf(stderr, "boxtop: cannot start a worker thread: %s\n", strerror(errno));
		goto out;
	}
	acts = actions_new(api_base_url(r->api), api_prefix(r->api), &conf, NULL, pool, NULL);
	if (r->d->stop_first && running(r)) {
		char *safe = sanitize_dup(box_display_name(r->box), SANITIZE_NO_LIMIT);

		fprintf(stderr, "boxtop: %s is running: it is stopped first\n", safe);
		free(safe);
		rc = run_job(r, acts, st, pool, JOB_STOP);
		if (rc != 0)
			goto out;
	}
	rc = run_job(r, acts, st, pool, r->d->kind);
out:
	pool_free(&pool); /* its job reads the actions: it ends first */
	actions_free(&acts);
	store_free(&st);
	return rc;
}

int cli_action(const struct opts *o, const struct settings *s)
{
	struct run r = {.o = o, .d = o->action, .progress_tty = isatty(STDERR_FILENO) == 1};
	struct net_error err;
	const char *term = getenv("TERM");
	int rc = 1;

	if (term == NULL || strcmp(term, "dumb") == 0)
		r.progress_tty = false;
	catch_signals();
	if ((r.d->needs & ACT_BOX_PATH) && cp_args(&r) != 0) {
		rc = 2;
		goto out;
	}
	if (prepare(&r, s, &err) < 0) {
		if (err.kind == NET_CANCELLED)
			rc = 128 + (caught != 0 ? caught : SIGINT);
		else
			say(stderr, "boxtop: ", err.message);
		goto out;
	}
	rc = confirm(&r);
	if (rc == 0)
		rc = run(&r, s);
out:
	free(r.dest);
	free(r.name);
	free(r.box_ref);
	free(r.box_path);
	box_free(&r.box);
	server_config_free(&r.cfg);
	api_free(&r.api);
	return rc;
}
