/*
 * view_lists: the Images, Jobs and Events views, and the events log's
 * observer, which turns job transitions and connection changes seen in the
 * store into timestamped lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/xalloc.h"
#include "model/timeutil.h"
#include "ui.h"

/* ---- scrolling lists ---- */

static size_t list_len(struct ui *ui)
{
	const struct image_list *il = store_view_images(&ui->view);

	switch (ui->current) {
	case VIEW_IMAGES:
		return il != NULL ? il->n : 0;
	case VIEW_JOBS:
		return store_view_job_count(&ui->view);
	case VIEW_EVENTS:
		return ui->events.n;
	default:
		return 0;
	}
}

/* The jobs view shows the newest first: row r is job count-1-r. */
static const struct job *job_row(struct ui *ui, size_t r)
{
	size_t n = store_view_job_count(&ui->view);

	return r < n ? store_view_job_at(&ui->view, n - 1 - r) : NULL;
}

/* The id of row r's job, 0 past the end. */
static uint64_t job_row_id(struct ui *ui, size_t r)
{
	const struct job *j = job_row(ui, r);

	return j != NULL ? j->id : 0;
}

static size_t job_sel_row(struct ui *ui)
{
	for (size_t r = 0; r < store_view_job_count(&ui->view); r++)
		if (job_row_id(ui, r) == ui->job_sel)
			return r;
	return 0;
}

const struct job *jobs_selected(struct ui *ui)
{
	return job_row(ui, job_sel_row(ui));
}

void lists_move(struct ui *ui, long delta, bool absolute)
{
	long n = (long)list_len(ui), cur = 0, to;

	if (n == 0)
		return;
	if (ui->current == VIEW_IMAGES)
		cur = (long)ui->images_sel;
	else if (ui->current == VIEW_JOBS)
		cur = (long)job_sel_row(ui);
	else if (ui->current == VIEW_EVENTS)
		cur = (long)ui->events_top;
	to = absolute ? delta : cur + delta;
	to = to < 0 ? 0 : (to >= n ? n - 1 : to);
	if (ui->current == VIEW_IMAGES)
		ui->images_sel = (size_t)to;
	else if (ui->current == VIEW_JOBS)
		ui->job_sel = job_row_id(ui, (size_t)to);
	else
		ui->events_top = (size_t)to;
}

/* Lines under the image list that the selected image's detail takes: none on a short body. */
static size_t image_detail_lines(const struct ui *ui)
{
	int h = ui->body != NULL ? getmaxy(ui->body) : 0;

	return h >= 12 ? (size_t)h / 2 : 0;
}

/* Rows of the image list: the table's, less the detail's lines. */
static size_t image_list_rows(const struct ui *ui)
{
	return draw_table_rows(ui) - image_detail_lines(ui);
}

void lists_click(struct ui *ui, int y)
{
	if (ui->current == VIEW_IMAGES && y >= 1 && (size_t)y <= image_list_rows(ui))
		lists_move(ui, (long)(ui->images_top + (size_t)(y - 1)), true);
	else if (ui->current == VIEW_JOBS && y >= 1)
		lists_move(ui, (long)(ui->jobs_top + (size_t)(y - 1)), true);
}

static size_t scroll_for(size_t sel, size_t top, size_t visible)
{
	if (sel < top)
		return sel;
	if (visible > 0 && sel >= top + visible)
		return sel - visible + 1;
	return top;
}

static void heading(struct ui *ui, const char *text)
{
	wattrset(ui->body, ui->attr[C_HEADER]);
	mvwhline(ui->body, 0, 0, ' ', ui->cols);
	draw_text(ui->body, 0, 0, text, ui->cols, ui->attr[C_HEADER]);
}

/*
 * A job's (or a failed read's) message without the "POST http://host/v1/...: "
 * the net layer puts in front of an error, so a narrow column shows the
 * reason; the Events view and the message line keep the whole text.
 */
static const char *error_reason(const char *msg)
{
	static const char *const methods[] = {"GET ", "POST ", "DELETE ", "HEAD "};
	const char *sep;

	if (msg == NULL)
		return "";
	for (size_t i = 0; i < ARRAY_LEN(methods); i++)
		if (strncmp(msg, methods[i], strlen(methods[i])) == 0) {
			sep = strstr(msg, ": ");
			return sep != NULL ? sep + 2 : msg;
		}
	return msg;
}

/* ---- images ---- */

const struct image_info *images_selected(struct ui *ui)
{
	const struct image_list *il = store_view_images(&ui->view);

	if (il == NULL || il->n == 0)
		return NULL;
	return &il->items[ui->images_sel < il->n ? ui->images_sel : il->n - 1];
}

static void image_row(struct ui *ui, int y, int refw, const struct image_info *im, bool selected)
{
	attr_t a = selected ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL];
	char size[FMT_BUF], age[FMT_BUF];

	if (selected) {
		wattrset(ui->body, a);
		mvwhline(ui->body, y, 0, ' ', ui->cols);
	}
	draw_server_text(ui, ui->body, y, 0, im->reference, refw, GLYPH_LEFT, a);
	draw_server_text(ui, ui->body, y, refw + 1, im->tag, 12, GLYPH_LEFT, a);
	draw_server_text(ui, ui->body, y, refw + 14, im->id, 20, GLYPH_LEFT, a);
	if (opt_i64_has(im->size_bytes))
		fmt_bytes(im->size_bytes.v, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "-");
	draw_server_text(ui, ui->body, y, refw + 35, size, 10, GLYPH_RIGHT, a);
	draw_text(ui->body, y, refw + 46, fmt_age(im->cached_at, time(NULL), age, sizeof(age)), 8,
		  a);
}

/* "label     value" at y, the value server text. */
static void detail_field(struct ui *ui, int y, const char *label, const char *value)
{
	draw_text(ui->body, y, 1, label, 9, ui->attr[C_DIM]);
	draw_server_text(ui, ui->body, y, 11, value, ui->cols - 12, GLYPH_LEFT, A_NORMAL);
}

/* The tags joined with ", ". Caller frees. */
static char *joined_tags(const struct image_detail *d)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < d->n_tags; i++)
		len += strlen(d->tags[i]) + 2;
	out = xcalloc(1, len);
	for (size_t i = 0; i < d->n_tags; i++) {
		strcat(out, i == 0 ? "" : ", ");
		strcat(out, d->tags[i]);
	}
	return out;
}

/* One version of the image: digest (shortened), source reference, when, size. */
static void version_row(struct ui *ui, int y, const struct image_version *v)
{
	char digest[FMT_BUF], age[FMT_BUF], size[FMT_BUF] = "-";

	fmt_digest(v->digest, digest, sizeof(digest));
	if (opt_i64_has(v->size_bytes))
		fmt_bytes(v->size_bytes.v, size, sizeof(size));
	draw_server_text(ui, ui->body, y, 1, digest, 12, GLYPH_LEFT, A_NORMAL);
	draw_server_text(ui, ui->body, y, 15, v->source_ref, ui->cols - 15 - 22, GLYPH_LEFT,
			 A_NORMAL);
	draw_text(ui->body, y, ui->cols - 21, fmt_age(v->recorded_at, time(NULL), age, sizeof(age)),
		  8, A_NORMAL);
	draw_text(ui->body, y, ui->cols - 11, size, 10, A_NORMAL);
}

/*
 * The selected image's detail from line y0 to the bottom: name, curated,
 * tags and its versions; or why there is none (yet).
 */
static void image_detail_draw(struct ui *ui, int y0, const struct image_info *im)
{
	const struct image_detail *d = store_view_image_detail(&ui->view);
	int bottom = getmaxy(ui->body);
	char *tags, *why;

	wattrset(ui->body, ui->attr[C_HEADER]);
	mvwhline(ui->body, y0, 0, ' ', ui->cols);
	draw_text(ui->body, y0, 0, "IMAGE", 9, ui->attr[C_HEADER]);
	draw_server_text(ui, ui->body, y0, 11, im->repository, ui->cols - 12, GLYPH_LEFT,
			 ui->attr[C_HEADER]);
	if (d == NULL || !xstreq(d->asked, im->repository)) {
		draw_text(ui->body, y0 + 1, 1, "asking the server for its detail...", ui->cols - 2,
			  ui->attr[C_DIM]);
		return;
	}
	if (d->error != NULL) {
		why = xasprintf("no detail: %s", error_reason(d->error));
		draw_server_text(ui, ui->body, y0 + 1, 1, why, ui->cols - 2, GLYPH_LEFT,
				 ui->attr[C_WARN]);
		free(why);
		return;
	}
	detail_field(ui, y0 + 1, "curated", d->curated ? "yes" : "no");
	tags = joined_tags(d);
	detail_field(ui, y0 + 2, "tags", d->n_tags > 0 ? tags : "-");
	free(tags);
	draw_text(ui->body, y0 + 3, 1, "DIGEST", 12, ui->attr[C_DIM]);
	draw_text(ui->body, y0 + 3, 15, "SOURCE", 10, ui->attr[C_DIM]);
	draw_text(ui->body, y0 + 3, ui->cols - 21, "RECORDED", 8, ui->attr[C_DIM]);
	draw_text(ui->body, y0 + 3, ui->cols - 11, "SIZE", 10, ui->attr[C_DIM]);
	for (size_t i = 0; i < d->n_versions && y0 + 4 + (int)i < bottom; i++)
		version_row(ui, y0 + 4 + (int)i, &d->versions[i]);
}

void images_draw(struct ui *ui)
{
	const struct image_list *il = store_view_images(&ui->view);
	size_t visible = image_list_rows(ui);
	int refw = ui->cols - 12 - 20 - 10 - 8 - 4;

	heading(ui, "REFERENCE");
	draw_text(ui->body, 0, refw + 1, "TAG", 12, ui->attr[C_HEADER]);
	draw_text(ui->body, 0, refw + 14, "DIGEST", 20, ui->attr[C_HEADER]);
	draw_text(ui->body, 0, refw + 35, "     SIZE", 10, ui->attr[C_HEADER]);
	draw_text(ui->body, 0, refw + 46, "CACHED", 8, ui->attr[C_HEADER]);
	if (il == NULL || il->n == 0) {
		draw_text(ui->body, 2, 2, il == NULL ? "loading images..." : "no images cached",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	if (ui->images_sel >= il->n)
		ui->images_sel = il->n - 1;
	ui->images_top = scroll_for(ui->images_sel, ui->images_top, visible);
	for (size_t r = ui->images_top; r < il->n && r - ui->images_top < visible; r++)
		image_row(ui, (int)(r - ui->images_top) + 1, refw, &il->items[r],
			  r == ui->images_sel);
	if (image_detail_lines(ui) > 0)
		image_detail_draw(ui, (int)visible + 1, &il->items[ui->images_sel]);
}

/* ---- jobs ---- */

static attr_t job_attr(struct ui *ui, enum job_state s)
{
	switch (s) {
	case JOB_SUCCEEDED:
		return ui->attr[C_OK];
	case JOB_FAILED:
		return ui->attr[C_ERROR];
	case JOB_CANCELLED:
		return ui->attr[C_WARN];
	case JOB_RUNNING:
		return ui->attr[C_RUNNING];
	default:
		return ui->attr[C_DIM];
	}
}

/* "12.0 MiB/1.0 GiB 3.2 MiB/s ETA 4m05s", or the elapsed time of a job that moves no bytes. */
static void job_progress(const struct job *j, char *buf, size_t size)
{
	char done[FMT_BUF], total[FMT_BUF], rate[FMT_BUF], eta[FMT_BUF], el[FMT_BUF];
	int64_t end = j->finished_ms > 0 ? j->finished_ms : time_mono_ms();

	fmt_duration(j->started_ms > 0 ? (end - j->started_ms) / 1000 : 0, el, sizeof(el));
	if (j->kind != JOB_EXPORT && j->kind != JOB_IMPORT) {
		snprintf(buf, size, "%s", el);
		return;
	}
	/* the server's silence (an archive being built or checked) is not a stall */
	if (j->state == JOB_RUNNING && j->message != NULL &&
	    strncmp(j->message, "waiting", 7) == 0) {
		snprintf(buf, size, "waiting for the server %s", el);
		return;
	}
	fmt_bytes(j->bytes_done, done, sizeof(done));
	if (j->bytes_total >= 0)
		fmt_bytes(j->bytes_total, total, sizeof(total));
	else
		snprintf(total, sizeof(total), "?");
	fmt_rate(j->rate_bps, rate, sizeof(rate));
	fmt_eta(j->bytes_done, j->bytes_total, j->rate_bps, eta, sizeof(eta));
	if (j->state == JOB_RUNNING)
		snprintf(buf, size, "%s/%s %s ETA %s %s", done, total, rate, eta, el);
	else
		snprintf(buf, size, "%s/%s in %s", done, total, el);
}

static void job_line(struct ui *ui, int y, const struct job *j, bool selected)
{
	attr_t a = selected ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL];
	char what[300], prog[256], bar[GLYPH_BUF(20)];
	double frac = j->bytes_total > 0 ? (double)j->bytes_done / (double)j->bytes_total : -1;

	if (selected) {
		wattrset(ui->body, a);
		mvwhline(ui->body, y, 0, ' ', ui->cols);
	}
	snprintf(what, sizeof(what), "%-9s %s", job_kind_name(j->kind),
		 j->box_name != NULL ? j->box_name : (j->arg != NULL ? j->arg : ""));
	draw_text(ui->body, y, 0, job_state_name(j->state), 9,
		  selected ? a : job_attr(ui, j->state));
	draw_server_text(ui, ui->body, y, 10, what, 30, GLYPH_LEFT, a);
	if (j->state == JOB_SUCCEEDED)
		frac = 1;
	glyph_bar(frac, ui->glyphs, 12, bar, sizeof(bar));
	draw_text(ui->body, y, 41, bar, 12, selected ? a : ui->attr[C_GRAPH]);
	job_progress(j, prog, sizeof(prog));
	draw_text(ui->body, y, 54, prog, 40, a);
	if (ui->cols > 96)
		draw_server_text(ui, ui->body, y, 95, error_reason(j->message), ui->cols - 95,
				 GLYPH_LEFT, selected ? a : job_attr(ui, j->state));
}

void jobs_draw(struct ui *ui)
{
	size_t n = store_view_job_count(&ui->view), sel = job_sel_row(ui);
	size_t visible = draw_table_rows(ui);

	heading(ui, "STATE     JOB                            PROGRESS     "
		    "BYTES, RATE, ETA, ELAPSED                MESSAGE");
	if (n == 0) {
		draw_text(ui->body, 2, 2, "no jobs yet: S snapshot, c clone, e export, i import",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	ui->job_sel = job_row_id(ui, sel);
	ui->jobs_top = scroll_for(sel, ui->jobs_top, visible);
	for (size_t r = ui->jobs_top; r < n && r - ui->jobs_top < visible; r++)
		job_line(ui, (int)(r - ui->jobs_top) + 1, job_row(ui, r), r == sel);
}

/* ---- events ---- */

static attr_t event_attr(struct ui *ui, enum event_level l)
{
	static const enum ui_color c[] = {C_NORMAL, C_OK, C_WARN, C_ERROR};

	return ui->attr[c[(unsigned)l < 4 ? l : 0]];
}

void events_draw(struct ui *ui)
{
	size_t visible = draw_table_rows(ui);

	heading(ui, "TIME      EVENT (newest first)");
	if (ui->events_top >= ui->events.n)
		ui->events_top = ui->events.n > 0 ? ui->events.n - 1 : 0;
	for (size_t r = ui->events_top; r < ui->events.n && r - ui->events_top < visible; r++) {
		const struct event *e = eventlog_at(&ui->events, ui->events.n - 1 - r);
		int y = (int)(r - ui->events_top) + 1;
		char t[16];
		time_t at = (time_t)e->at;
		struct tm tm;

		localtime_r(&at, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		draw_text(ui->body, y, 0, t, 9, ui->attr[C_DIM]);
		draw_server_text(ui, ui->body, y, 10, e->text, ui->cols - 10, GLYPH_LEFT,
				 event_attr(ui, e->level));
	}
}

/* ---- the observer ---- */

static void observe_conn(struct ui *ui)
{
	const struct conn_state *c = store_view_conn(&ui->view);
	enum event_level l = EVENT_OK;

	if (c->status == ui->last_conn)
		return;
	if (c->status == CONN_DOWN || c->status == CONN_AUTH_FAILED)
		l = EVENT_ERROR;
	else if (c->status == CONN_DEGRADED)
		l = EVENT_WARN;
	eventlog_add(&ui->events, time(NULL), l, "server %s%s%s", conn_status_name(c->status),
		     c->message[0] ? ": " : "", c->message);
	ui->last_conn = c->status;
}

static void observe_job(struct ui *ui, const struct job *j)
{
	static const enum event_level level[JOB_STATE_COUNT] = {[JOB_SUCCEEDED] = EVENT_OK,
								[JOB_FAILED] = EVENT_ERROR,
								[JOB_CANCELLED] = EVENT_WARN};
	const char *who = j->box_name != NULL ? j->box_name : (j->arg != NULL ? j->arg : "");

	if (j->id >= ui->n_job_seen) {
		size_t n = j->id + 64;

		ui->job_seen = xrealloc(ui->job_seen, n * sizeof(*ui->job_seen));
		for (size_t i = ui->n_job_seen; i < n; i++)
			ui->job_seen[i] = JOB_STATE_COUNT; /* never seen */
		ui->n_job_seen = n;
	}
	if (ui->job_seen[j->id] == j->state || !job_is_finished(j)) {
		if (ui->job_seen[j->id] == JOB_STATE_COUNT)
			ui->job_seen[j->id] = j->state;
		return;
	}
	ui->job_seen[j->id] = j->state;
	eventlog_add(&ui->events, time(NULL), level[j->state], "%s %s %s%s%s",
		     job_kind_name(j->kind), who, job_state_name(j->state),
		     j->message != NULL ? ": " : "", j->message != NULL ? j->message : "");
	ui_flash(ui, j->state != JOB_SUCCEEDED, "%s %s %s%s%s", job_kind_name(j->kind), who,
		 job_state_name(j->state), j->message != NULL ? ": " : "",
		 j->message != NULL ? j->message : "");
}

void events_observe(struct ui *ui)
{
	observe_conn(ui);
	for (size_t i = 0; i < store_view_job_count(&ui->view); i++)
		observe_job(ui, store_view_job_at(&ui->view, i));
}
