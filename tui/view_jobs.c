/*
 * view_jobs: the worker pool's jobs, newest first, with their progress,
 * rate and ETA (transfers and copies) and how they ended; x cancels one,
 * t retries one. The cursor is a job id, so it stays on its job as new
 * ones arrive above it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/format.h"
#include "model/timeutil.h"
#include "model/xalloc.h"
#include "keys.h"
#include "ui.h"

struct jobs {
	uint64_t sel; /* a job id; 0: the newest */
	size_t top;
};

/* Row r is job count-1-r: the newest first. */
static const struct job *job_row(struct ui *ui, size_t r)
{
	size_t n = store_view_job_count(&ui->view);

	return r < n ? store_view_job_at(&ui->view, n - 1 - r) : NULL;
}

/* The id of row r's job; 0 past the end. */
static uint64_t row_id(struct ui *ui, size_t r)
{
	const struct job *j = job_row(ui, r);

	return j != NULL ? j->id : 0;
}

static size_t sel_row(struct ui *ui, const struct jobs *s)
{
	for (size_t r = 0; r < store_view_job_count(&ui->view); r++)
		if (row_id(ui, r) == s->sel)
			return r;
	return 0;
}

static const struct job *selected(struct ui *ui)
{
	struct jobs *s = ui_view_state(ui, &view_jobs);

	return job_row(ui, sel_row(ui, s));
}

void jobs_select(struct ui *ui, uint64_t id)
{
	struct jobs *s = ui_view_state(ui, &view_jobs);

	s->sel = id;
}

/* ---- hooks ---- */

static void *jobs_create(struct ui *ui, char *err, size_t errlen)
{
	(void)ui;
	(void)err;
	(void)errlen;
	return xcalloc(1, sizeof(struct jobs));
}

static unsigned jobs_update(struct ui *ui, struct view *v, unsigned changed)
{
	(void)ui;
	(void)v;
	return changed & STORE_JOBS ? REDRAW_BODY : 0;
}

static unsigned jobs_move(struct ui *ui, struct view *v, long delta, bool absolute)
{
	struct jobs *s = v->state;
	long n = (long)store_view_job_count(&ui->view);
	long to = absolute ? delta : (long)sel_row(ui, s) + delta;

	if (n == 0)
		return 0;
	to = to < 0 ? 0 : (to >= n ? n - 1 : to);
	if (row_id(ui, (size_t)to) == s->sel)
		return 0;
	s->sel = row_id(ui, (size_t)to);
	return REDRAW_BODY | REDRAW_FOOT;
}

static unsigned jobs_click(struct ui *ui, struct view *v, int y, int x, int button)
{
	struct jobs *s = v->state;

	(void)x;
	(void)button;
	return y >= 1 ? jobs_move(ui, v, (long)(s->top + (size_t)(y - 1)), true) : 0;
}

/* ---- drawing ---- */

static attr_t job_attr(struct ui *ui, enum job_state st)
{
	switch (st) {
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

/*
 * Whether a job of kind k counts bytes (bytes_done, bytes_total; total -1
 * when unknown): one whose action moves a local file (the table says).
 */
static bool moves_bytes(enum job_kind k)
{
	const struct action_def *d = action_def(k);

	return d != NULL && (d->needs & (ACT_FILE | ACT_DEST | ACT_LOCAL)) != 0;
}

/* "12.0 MiB/1.0 GiB 3.2 MiB/s ETA 4m05s", or the elapsed time of a job that moves no bytes. */
static void job_progress(const struct job *j, char *buf, size_t size)
{
	char done[FMT_BUF], total[FMT_BUF], rate[FMT_BUF], eta[FMT_BUF], el[FMT_BUF];
	int64_t end = j->finished_ms > 0 ? j->finished_ms : time_mono_ms();

	fmt_duration(j->started_ms > 0 ? (end - j->started_ms) / 1000 : 0, el, sizeof(el));
	if (!moves_bytes(j->kind)) {
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

static void job_line(struct ui *ui, WINDOW *w, int y, const struct job *j, bool sel)
{
	attr_t a = sel ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL];
	char what[300], prog[256], bar[GLYPH_BUF(20)];
	double frac = j->bytes_total > 0 ? (double)j->bytes_done / (double)j->bytes_total : -1;

	if (sel) {
		wattrset(w, a);
		mvwhline(w, y, 0, ' ', ui->cols);
	}
	snprintf(what, sizeof(what), "%-9s %s", job_kind_name(j->kind),
		 j->box_name != NULL ? j->box_name : (j->arg != NULL ? j->arg : ""));
	draw_text(w, y, 0, job_state_name(j->state), 9, sel ? a : job_attr(ui, j->state));
	draw_server_text(ui, w, y, 10, what, 30, GLYPH_LEFT, a);
	if (j->state == JOB_SUCCEEDED)
		frac = 1;
	glyph_bar(frac, ui->glyphs, 12, bar, sizeof(bar));
	draw_text(w, y, 41, bar, 12, sel ? a : ui->attr[C_GRAPH]);
	job_progress(j, prog, sizeof(prog));
	draw_text(w, y, 54, prog, 40, a);
	if (ui->cols > 96)
		draw_server_text(ui, w, y, 95, draw_error_reason(j->message), ui->cols - 95,
				 GLYPH_LEFT, sel ? a : job_attr(ui, j->state));
}

static void jobs_draw(struct ui *ui, struct view *v, WINDOW *w)
{
	struct jobs *s = v->state;
	size_t n = store_view_job_count(&ui->view), sel = sel_row(ui, s);
	size_t visible = draw_table_rows(ui);

	draw_heading(ui, w,
		     "STATE     JOB                            PROGRESS     "
		     "BYTES, RATE, ETA, ELAPSED                MESSAGE");
	if (n == 0) {
		draw_text(w, 2, 2, "no jobs yet: S snapshot, c clone, e export, i import",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	s->sel = row_id(ui, sel);
	s->top = draw_scroll_for(sel, s->top, visible);
	for (size_t r = s->top; r < n && r - s->top < visible; r++)
		job_line(ui, w, (int)(r - s->top) + 1, job_row(ui, r), r == sel);
}

/* ---- keys ---- */

static unsigned k_cancel(struct ui *ui, const struct binding *b, int key)
{
	const struct job *j = selected(ui);

	(void)b;
	(void)key;
	if (j == NULL || job_is_finished(j) || pool_cancel(ui->pool, j->id) < 0) {
		ui_flash(ui, true, "no running or queued job selected");
		return REDRAW_FOOT;
	}
	ui_flash(ui, false, "cancelling %s %s", job_kind_name(j->kind),
		 j->box_name ? j->box_name : "");
	return REDRAW_FOOT;
}

static unsigned k_retry(struct ui *ui, const struct binding *b, int key)
{
	const struct job *j = selected(ui);
	uint64_t id = j != NULL ? pool_retry(ui->pool, j->id) : 0;

	(void)b;
	(void)key;
	if (id == 0) {
		ui_flash(ui, true, "only a failed or cancelled job can be retried (once)");
		return REDRAW_FOOT;
	}
	jobs_select(ui, id);
	ui_flash(ui, false, "retrying %s %s", job_kind_name(j->kind),
		 j->box_name ? j->box_name : "");
	return REDRAW_FOOT | REDRAW_BODY;
}

static const struct binding jobs_keys[] = {
	{{'x'}, "x", "cancel the job", IN_HINTS | MUTATES, NO_ACTION, k_cancel},
	{{'t'}, "t", "retry the job", IN_HINTS | MUTATES, NO_ACTION, k_retry},
};

const struct view_class view_jobs = {
	.name = "Jobs",
	.create = jobs_create,
	.destroy = free,
	.update = jobs_update,
	.draw = jobs_draw,
	.cursor = jobs_move,
	.click = jobs_click,
	.keys = jobs_keys,
	.n_keys = ARRAY_LEN(jobs_keys),
	.ages = true,
};
