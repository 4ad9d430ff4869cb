/*
 * shellkey: `!` on a box, a shell inside it on the whole terminal.
 *
 * The dashboard steps aside (def_prog_mode, endwin), runs a TTY execution
 * of the configured shell through tui/session, and comes back as it was
 * (reset_prog_mode, a full repaint, a resize in case the window changed
 * meanwhile). The poller keeps running behind it. "~." after Enter
 * detaches: the execution is remembered for its box, and the next `!` on
 * that box attaches to it again (the server replays what it wrote) instead
 * of starting another shell. Attaching counts as use of the box.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/exec.h"
#include "net/login.h"
#include "session.h"
#include "ui.h"
#include "view.h"

#define DETACHED_MAX 32

/* Shells left running with ~., by box. */
static struct {
	char *box_id;
	char *eid;
} detached[DETACHED_MAX];

static char **detached_eid(const char *box_id, bool add)
{
	size_t free_slot = DETACHED_MAX;

	for (size_t i = 0; i < DETACHED_MAX; i++) {
		if (detached[i].box_id != NULL && strcmp(detached[i].box_id, box_id) == 0)
			return &detached[i].eid;
		if (detached[i].box_id == NULL && free_slot == DETACHED_MAX)
			free_slot = i;
	}
	if (!add || free_slot == DETACHED_MAX)
		return NULL;
	detached[free_slot].box_id = xstrdup(box_id);
	return &detached[free_slot].eid;
}

static void forget(const char *box_id)
{
	for (size_t i = 0; i < DETACHED_MAX; i++)
		if (detached[i].box_id != NULL && strcmp(detached[i].box_id, box_id) == 0) {
			free(detached[i].box_id);
			free(detached[i].eid);
			detached[i].box_id = detached[i].eid = NULL;
		}
}

static struct api *session_api(struct ui *ui, char **bearer)
{
	struct http_conf conf = settings_http_conf(ui->settings);

	*bearer = ui->login != NULL ? login_bearer(ui->login, NULL) : NULL;
	if (*bearer != NULL)
		conf.bearer = *bearer;
	return api_new(ui->settings->url, ui_prefix(ui), &conf);
}

/* Attaches to the box's detached shell, else starts one. NULL with err. */
static struct attach *open_shell(struct ui *ui, struct api *a, const struct box *b, char **eid,
				 struct net_error *err)
{
	char **kept = detached_eid(b->id, false);
	struct exec_spec spec = {.command = ui->opts->shell, .tty = true};
	struct attach *t;

	if (kept != NULL && *kept != NULL) {
		t = attach_open(a, b->id, *kept, true, NULL, err);
		if (t != NULL) {
			*eid = xstrdup(*kept);
			return t;
		}
		/* only a shell that is gone (reaped, box restarted) is replaced: not one behind a
		 * failed connection or another client, which would be left running unreachable */
		if (!(err->kind == NET_STATUS && err->api.http_status == 404))
			return NULL;
		forget(b->id);
	}
	if (api_exec(a, b->id, &spec, NULL, eid, err) < 0)
		return NULL;
	return attach_open(a, b->id, *eid, true, NULL, err);
}

/* The dashboard's terminal modes put aside, the screen cleared for the shell. */
static void step_aside(const struct box *b)
{
	def_prog_mode();
	endwin();
	printf("boxtop: a shell in %s (~. after Enter leaves it running; exit ends it)\r\n",
	       box_display_name(b));
	fflush(stdout);
}

static unsigned come_back(void)
{
	reset_prog_mode();
	raise(SIGWINCH); /* the window may have changed while the shell had it */
	return REDRAW_ALL | REDRAW_SCREEN;
}

unsigned shell_open(struct ui *ui, const struct box *b)
{
	struct session_opts so = {.in_fd = STDIN_FILENO,
				  .out_fd = STDOUT_FILENO,
				  .err_fd = STDERR_FILENO,
				  .send_stdin = true,
				  .tty = true,
				  .detach_keys = true};
	struct net_error err;
	char *bearer = NULL, *eid = NULL;
	struct api *a;
	struct attach *t;
	char **slot;
	int code = 0;
	unsigned react;

	if (b->status != BOX_RUNNING && !b->auto_resume) {
		ui_flash(ui, true, "%s is %s and does not resume on use: start it first (s)",
			 box_display_name(b), box_status_name(b->status));
		return REDRAW_FOOT;
	}
	a = session_api(ui, &bearer);
	t = open_shell(ui, a, b, &eid, &err);
	if (t == NULL) {
		char why[800];

		session_why(box_display_name(b), &err, why, sizeof(why));
		ui_flash(ui, true, "no shell in %s", why);
		react = REDRAW_FOOT;
		goto out;
	}
	step_aside(b);
	switch (session_run(t, &so, &code, &err)) {
	case SESSION_EXITED:
		forget(b->id);
		ui_flash(ui, code != 0, "the shell in %s exited with status %d",
			 box_display_name(b), code);
		break;
	case SESSION_DETACHED:
		slot = detached_eid(b->id, true);
		if (slot != NULL) {
			free(*slot);
			*slot = xstrdup(eid);
		}
		ui_flash(ui, false, "detached from the shell in %s: ! attaches again",
			 box_display_name(b));
		break;
	case SESSION_FAILED:
	case SESSION_NO_READER:
		ui_flash(ui, true, "the shell in %s ended: %s (the terminal is boxtop's again)",
			 box_display_name(b), err.message);
		break;
	}
	react = come_back();
out:
	attach_free(&t);
	free(eid);
	api_free(&a);
	login_bearer_free(bearer);
	return react;
}
