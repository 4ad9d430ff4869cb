/*
 * view_events: the events log, newest first, and its observer, which turns
 * the job transitions and connection changes seen in the store into
 * timestamped lines (and a finished job into the message line), whatever
 * view is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model/xalloc.h"
#include "ui.h"

struct events {
	size_t top; /* from the newest */
	enum conn_status last_conn;
	enum job_state *job_seen; /* by job id, grown as needed */
	size_t n_job_seen;
};

/* ---- the observer ---- */

static bool observe_conn(struct ui *ui, struct events *s)
{
	const struct conn_state *c = store_view_conn(&ui->view);
	enum event_level l = EVENT_OK;

	if (c->status == s->last_conn)
		return false;
	if (c->status == CONN_DOWN || c->status == CONN_AUTH_FAILED)
		l = EVENT_ERROR;
	else if (c->status == CONN_DEGRADED)
		l = EVENT_WARN;
	eventlog_add(&ui->events, time(NULL), l, "server %s%s%s", conn_status_name(c->status),
		     c->message[0] ? ": " : "", c->message);
	s->last_conn = c->status;
	return true;
}

static bool observe_job(struct ui *ui, struct events *s, const struct job *j)
{
	static const enum event_level level[JOB_STATE_COUNT] = {[JOB_SUCCEEDED] = EVENT_OK,
								[JOB_FAILED] = EVENT_ERROR,
								[JOB_CANCELLED] = EVENT_WARN};
	const char *who = j->box_name != NULL ? j->box_name : (j->arg != NULL ? j->arg : "");

	if (j->id >= s->n_job_seen) {
		size_t n = j->id + 64;

		s->job_seen = xrealloc(s->job_seen, n * sizeof(*s->job_seen));
		for (size_t i = s->n_job_seen; i < n; i++)
			s->job_seen[i] = JOB_STATE_COUNT; /* never seen */
		s->n_job_seen = n;
	}
	if (s->job_seen[j->id] == j->state || !job_is_finished(j)) {
		if (s->job_seen[j->id] == JOB_STATE_COUNT)
			s->job_seen[j->id] = j->state;
		return false;
	}
	s->job_seen[j->id] = j->state;
	eventlog_add(&ui->events, time(NULL), level[j->state], "%s %s %s%s%s",
		     job_kind_name(j->kind), who, job_state_name(j->state),
		     j->message != NULL ? ": " : "", j->message != NULL ? j->message : "");
	ui_flash(ui, j->state != JOB_SUCCEEDED, "%s %s %s%s%s", job_kind_name(j->kind), who,
		 job_state_name(j->state), j->message != NULL ? ": " : "",
		 j->message != NULL ? j->message : "");
	return true;
}

static unsigned events_update(struct ui *ui, struct view *v, unsigned changed)
{
	struct events *s = v->state;
	bool added = false;

	if (changed & STORE_CONN)
		added |= observe_conn(ui, s);
	for (size_t i = 0; (changed & STORE_JOBS) && i < store_view_job_count(&ui->view); i++)
		added |= observe_job(ui, s, store_view_job_at(&ui->view, i));
	return added ? REDRAW_BODY : 0;
}

/* ---- the view ---- */

static void *events_create(struct ui *ui, char *err, size_t errlen)
{
	struct events *s = xcalloc(1, sizeof(*s));

	(void)ui;
	(void)err;
	(void)errlen;
	s->last_conn = CONN_CONNECTING;
	return s;
}

static void events_destroy(void *p)
{
	struct events *s = p;

	if (s != NULL)
		free(s->job_seen);
	free(s);
}

static unsigned events_move(struct ui *ui, struct view *v, long delta, bool absolute)
{
	struct events *s = v->state;
	long n = (long)ui->events.n, to = absolute ? delta : (long)s->top + delta;

	if (n == 0)
		return 0;
	to = to < 0 ? 0 : (to >= n ? n - 1 : to);
	if ((size_t)to == s->top)
		return 0;
	s->top = (size_t)to;
	return REDRAW_BODY;
}

static attr_t event_attr(struct ui *ui, enum event_level l)
{
	static const enum ui_color c[] = {C_NORMAL, C_OK, C_WARN, C_ERROR};

	return ui->attr[c[(unsigned)l < ARRAY_LEN(c) ? l : 0]];
}

static void events_draw(struct ui *ui, struct view *v, WINDOW *w)
{
	struct events *s = v->state;
	size_t visible = draw_table_rows(ui);

	draw_heading(ui, w, "TIME      EVENT (newest first)");
	if (s->top >= ui->events.n)
		s->top = ui->events.n > 0 ? ui->events.n - 1 : 0;
	for (size_t r = s->top; r < ui->events.n && r - s->top < visible; r++) {
		const struct event *e = eventlog_at(&ui->events, ui->events.n - 1 - r);
		int y = (int)(r - s->top) + 1;
		char t[16];
		time_t at = (time_t)e->at;
		struct tm tm;

		localtime_r(&at, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		draw_text(w, y, 0, t, 9, ui->attr[C_DIM]);
		draw_server_text(ui, w, y, 10, e->text, ui->cols - 10, GLYPH_LEFT,
				 event_attr(ui, e->level));
	}
}

const struct view_class view_events = {
	.name = "Events",
	.create = events_create,
	.destroy = events_destroy,
	.update = events_update,
	.draw = events_draw,
	.cursor = events_move,
};
