/*
 * execcmd: connect, find the box (its id is the one spelling used after),
 * refuse what would change a box the user only looks at, then exec and
 * attach (session.c) or read the main session.
 */
#include "execcmd.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/logbuf.h"
#include "model/sanitize.h"
#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/exec.h"
#include "session.h"

#define LOGS_QUIET_MS 300 /* logs without -f: done once the replay has been quiet this long, */
#define LOGS_REPLAY_MS                                                                             \
	1000               /* ... or this long after its first byte (a busy log is never quiet),   \
			    */
#define LOGS_FIRST_MS 2000 /* ... or when nothing came at all for this long */

static void say(const char *what, const char *text)
{
	char *safe = sanitize_dup(text, SANITIZE_NO_LIMIT);

	fprintf(stderr, "boxtop: %s%s\n", what, safe);
	free(safe);
}

static bool is_running(const struct box *b)
{
	return b->status == BOX_RUNNING;
}

/* Connects and finds the box; NULL after saying why. */
static struct api *connect_box(const struct settings *s, const char *target, struct box **box)
{
	struct net_error err;
	struct api *a = settings_connect(s, NULL, NULL, &err);

	if (a == NULL) {
		say("", err.message);
		return NULL;
	}
	if (api_box(a, target, NULL, box, &err) < 0) {
		say("", err.message);
		api_free(&a);
		return NULL;
	}
	return a;
}

static void explain(const char *box, const struct net_error *err)
{
	char msg[800];

	session_why(box, err, msg, sizeof(msg));
	say("", msg);
}

static int start_exec(struct api *a, const struct box *b, const struct opts *o, char **eid)
{
	const char *shell_argv[] = {o->shell != NULL ? o->shell : OPTS_SHELL};
	const char *const *argv = o->argc > 0 ? (const char *const *)o->argv : shell_argv;
	size_t argc = o->argc > 0 ? (size_t)o->argc : 1;
	struct exec_spec spec = {.command = argv[0],
				 .args = argv + 1,
				 .n_args = argc - 1,
				 .env = o->env,
				 .n_env = o->n_env,
				 .working_dir = o->workdir,
				 .tty = o->tty};
	struct net_error err;

	if (api_exec(a, b->id, &spec, NULL, eid, &err) < 0) {
		explain(box_display_name(b), &err);
		return -1;
	}
	return 0;
}

int execcmd_run(const struct opts *o, const struct settings *s)
{
	struct box *b = NULL;
	struct api *a = connect_box(s, o->target, &b);
	struct attach *t = NULL;
	struct session_opts so = {.in_fd = STDIN_FILENO,
				  .out_fd = STDOUT_FILENO,
				  .err_fd = STDERR_FILENO,
				  .send_stdin = o->interactive,
				  .tty = o->tty && isatty(STDIN_FILENO),
				  .detach_keys = o->tty && isatty(STDIN_FILENO)};
	struct net_error err;
	char *eid = NULL;
	int code = EXEC_UNKNOWN_STATUS;

	if (a == NULL)
		return 1;
	if (!is_running(b) && !b->auto_resume) {
		fprintf(stderr,
			"boxtop: %s is %s and does not resume on use: start it first (boxtop start "
			"%s)\n",
			box_display_name(b), box_status_name(b->status), box_display_name(b));
		code = 1;
		goto out;
	}
	if (start_exec(a, b, o, &eid) < 0) {
		code = 1;
		goto out;
	}
	/* writable without -i too: a read-only attach is refused the signal frames */
	t = attach_open(a, b->id, eid, true, NULL, &err);
	if (t == NULL) {
		struct net_error kerr;

		explain(box_display_name(b), &err);
		code = err.kind == NET_STATUS ? 1 : EXEC_UNKNOWN_STATUS; /* refused: 409, 404 */
		/* nobody will read it: the command just started is not left running */
		if (err.kind == NET_STATUS && api_exec_kill(a, b->id, eid, NULL, &kerr) < 0 &&
		    !(kerr.kind == NET_STATUS && kerr.api.http_status == 404))
			explain(box_display_name(b), &kerr);
		goto out;
	}
	switch (session_run(t, &so, &code, &err)) {
	case SESSION_EXITED:
		break;
	case SESSION_DETACHED:
		fprintf(stderr, "boxtop: detached; execution %s runs on in %s\n", eid,
			box_display_name(b));
		code = EXEC_UNKNOWN_STATUS;
		break;
	case SESSION_FAILED:
		explain(box_display_name(b), &err);
		code = EXEC_UNKNOWN_STATUS;
		break;
	case SESSION_NO_READER:
		/* as a pipeline's writer dies of SIGPIPE: the command is ended, not left running */
		if (api_exec_kill(a, b->id, eid, NULL, &err) < 0)
			explain(box_display_name(b), &err);
		code = 128 + SIGPIPE;
		break;
	}
out:
	attach_free(&t);
	free(eid);
	box_free(&b);
	api_free(&a);
	return code;
}

/* ---- logs ---- */

static volatile sig_atomic_t logs_stop;

static void on_stop(int sig)
{
	logs_stop = sig;
}

struct logs {
	bool tty;
	struct logbuf lb;
	uint64_t next; /* the number of the next line to print (tty) */
	int64_t first_ms, last_ms;
	bool any, gone;
};

static void print_lines(struct logs *l)
{
	size_t n = logbuf_count(&l->lb);

	for (size_t i = logbuf_index(&l->lb, l->next); i < n; i++) {
		const struct log_line *line = logbuf_at(&l->lb, i);

		if (fwrite(line->text, 1, line->len, stdout) != line->len || putchar('\n') == EOF)
			l->gone = true;
	}
	l->next = logbuf_number(&l->lb, n);
	if (fflush(stdout) != 0)
		l->gone = true;
}

static void on_log(void *arg, enum attach_stream s, const uint8_t *data, size_t len)
{
	struct logs *l = arg;
	FILE *f = s == ATTACH_STDERR ? stderr : stdout;

	if (!l->any)
		l->first_ms = time_mono_ms();
	l->any = true;
	l->last_ms = time_mono_ms();
	if (!l->tty) {
		if (fwrite(data, 1, len, f) != len || fflush(f) != 0)
			l->gone = f == stdout;
		return;
	}
	logbuf_feed(&l->lb, s, (const char *)data, len);
	print_lines(l);
}

int logscmd_run(const struct opts *o, const struct settings *s)
{
	struct box *b = NULL;
	struct api *a = connect_box(s, o->target, &b);
	struct logs l = {.tty = isatty(STDOUT_FILENO) == 1};
	struct attach_cb cb = {.output = on_log, .arg = &l};
	struct attach *t = NULL;
	struct net_error err;
	int code, rc = 1;
	int64_t start = time_mono_ms();

	if (a == NULL)
		return 1;
	if (!is_running(b)) {
		fprintf(stderr,
			"boxtop: %s is %s: it has no main session to read (boxtop does not start "
			"a box to read its logs)\n",
			box_display_name(b), box_status_name(b->status));
		goto out;
	}
	t = attach_open(a, b->id, NULL, false, NULL, &err);
	if (t == NULL) {
		explain(box_display_name(b), &err);
		goto out;
	}
	logbuf_init(&l.lb, 1000, 1u << 20);
	l.next = 0;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	for (;;) {
		struct pollfd pf = {.fd = attach_fd(t), .events = POLLIN};
		int64_t now = time_mono_ms();
		int wait = attach_timeout_ms(t);

		if (logs_stop || l.gone)
			break;
		if (!o->follow && ((l.any && (now - l.last_ms >= LOGS_QUIET_MS ||
					      now - l.first_ms >= LOGS_REPLAY_MS)) ||
				   (!l.any && now - start >= LOGS_FIRST_MS)))
			break;
		if (!o->follow && wait > 100)
			wait = 100;
		if (attach_wants_write(t))
			pf.events |= POLLOUT;
		poll(&pf, 1, wait);
		rc = attach_service(t, &cb, &code, &err);
		if (rc != 0)
			break;
	}
	if (l.tty) {
		logbuf_flush(&l.lb);
		print_lines(&l);
	}
	if (rc == 1 || rc == 0) {
		rc = 0;
	} else {
		explain(box_display_name(b), &err);
		rc = 1;
	}
	if (logs_stop)
		rc = 0;
	logbuf_clear(&l.lb);
out:
	attach_free(&t);
	box_free(&b);
	api_free(&a);
	return rc;
}
