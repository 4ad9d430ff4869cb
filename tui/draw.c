/*
 * draw: the parts of the screen every view shares: the header (endpoint,
 * user, connection, data age, runtime metrics, tabs), the message line, the
 * hint bar and the modal boxes. Server text reaches the screen only through
 * draw_server_text, which sanitizes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/sanitize.h"
#include "model/xalloc.h"
#include "model/timeutil.h"
#include "ui.h"

/* The glyph set of everything drawn: ASCII with --ascii or a locale that is not UTF-8. */
static enum glyph_set text_set = GLYPH_UTF8;

void draw_init(enum glyph_set set)
{
	text_set = set;
}

size_t draw_table_rows(const struct ui *ui)
{
	int h = ui->body != NULL ? getmaxy(ui->body) - 1 : 0;

	return h > 0 ? (size_t)h : 0;
}

void draw_text(WINDOW *w, int y, int x, const char *s, int maxw, attr_t attr)
{
	char buf[GLYPH_FIT_BUF(512)];
	size_t width = maxw > 512 ? 512 : (size_t)(maxw < 0 ? 0 : maxw);

	if (width == 0)
		return;
	glyph_fit(s, width, GLYPH_LEFT, text_set, buf, sizeof(buf));
	wattrset(w, attr);
	mvwaddstr(w, y, x, buf);
	wattrset(w, A_NORMAL);
}

void draw_server_text(struct ui *ui, WINDOW *w, int y, int x, const char *s, int width,
		      enum glyph_align align, attr_t attr)
{
	struct sanitize_opts so = {.ascii = ui->glyphs == GLYPH_ASCII};
	char safe[1024], buf[GLYPH_FIT_BUF(512)];
	size_t cols = width > 512 ? 512 : (size_t)(width < 0 ? 0 : width);

	if (cols == 0)
		return;
	sanitize_display_opts(s != NULL ? s : "", s != NULL ? strlen(s) : 0, cols + 1, &so, safe,
			      sizeof(safe));
	glyph_fit(safe, cols, align, ui->glyphs, buf, sizeof(buf));
	wattrset(w, attr);
	mvwaddstr(w, y, x, buf);
	wattrset(w, A_NORMAL);
}

void draw_heading(struct ui *ui, WINDOW *w, const char *text)
{
	wattrset(w, ui->attr[C_HEADER]);
	mvwhline(w, 0, 0, ' ', ui->cols);
	draw_text(w, 0, 0, text, ui->cols, ui->attr[C_HEADER]);
}

/*
 * The net layer puts "POST http://host/v1/...: " in front of an error, so a
 * narrow column shows the reason without it; the Events view and the
 * message line keep the whole text.
 */
const char *draw_error_reason(const char *msg)
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

size_t draw_scroll_for(size_t sel, size_t top, size_t visible)
{
	if (sel < top)
		return sel;
	if (visible > 0 && sel >= top + visible)
		return sel - visible + 1;
	return top;
}

attr_t status_attr(const struct ui *ui, enum box_status s)
{
	switch (s) {
	case BOX_RUNNING:
		return ui->attr[C_RUNNING];
	case BOX_STOPPED:
		return ui->attr[C_STOPPED];
	case BOX_STOPPING:
	case BOX_PAUSED:
		return ui->attr[C_PAUSED];
	case BOX_FAILED:
		return ui->attr[C_FAILED];
	case BOX_CONFIGURED:
		return ui->attr[C_CONFIGURED];
	default:
		return ui->attr[C_DIM];
	}
}

/* "connected", "down, retry in 4s", ... for the header. */
static void conn_text(const struct conn_state *c, char *buf, size_t size)
{
	int64_t wait = c->next_retry_ms - time_mono_ms();

	if (c->status == CONN_DOWN && c->next_retry_ms > 0)
		snprintf(buf, size, "down, retry in %llds",
			 (long long)(wait > 0 ? (wait + 999) / 1000 : 0));
	else
		snprintf(buf, size, "%s", conn_status_name(c->status));
}

static attr_t conn_attr(const struct ui *ui, enum conn_status s)
{
	if (s == CONN_CONNECTED)
		return ui->attr[C_HEADER];
	if (s == CONN_DEGRADED || s == CONN_CONNECTING)
		return ui->attr[C_HEADER] | A_BOLD;
	return ui->attr[C_BANNER];
}

const char *ui_prefix(struct ui *ui)
{
	const char *prefix = settings_prefix(ui->settings);
	const struct principal *me = store_view_principal(&ui->view);

	return prefix != NULL ? prefix : me != NULL ? me->path_prefix : NULL;
}

/* The endpoint as requests go: URL and the prefix in use. */
static void endpoint_text(struct ui *ui, char *buf, size_t size)
{
	const char *prefix = ui_prefix(ui);

	snprintf(buf, size, "%s%s%s", ui->settings->url, prefix != NULL && prefix[0] ? "/" : "",
		 prefix != NULL ? prefix : "");
}

static void header_line0(struct ui *ui)
{
	const struct conn_state *c = store_view_conn(&ui->view);
	const struct principal *me = store_view_principal(&ui->view);
	char endpoint[512], conn[64], age[FMT_BUF], clock[16], right[160];
	time_t now = time(NULL);
	struct tm tm;
	int x, rw, room, w;

	wattrset(ui->head, ui->attr[C_HEADER]);
	mvwhline(ui->head, 0, 0, ' ', ui->cols);
	endpoint_text(ui, endpoint, sizeof(endpoint));
	conn_text(c, conn, sizeof(conn));
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (c->last_ok_ms > 0)
		fmt_duration((time_mono_ms() - c->last_ok_ms) / 1000, age, sizeof(age));
	else
		snprintf(age, sizeof(age), "-");
	snprintf(right, sizeof(right), " data %s old  %s ", age, clock);
	rw = (int)sanitize_width(right);
	draw_text(ui->head, 0, 0, " boxtop ", 8, ui->attr[C_HEADER] | A_BOLD);
	x = 8;
	draw_text(ui->head, 0, x, conn, 24, conn_attr(ui, c->status));
	x += (int)strlen(conn) + 2;
	/* what is left between the status and the clock: the endpoint, then the user */
	room = ui->cols - x - rw - 1;
	w = room > 0 ? (int)sanitize_width(endpoint) : 0;
	w = w < room - 20 ? w : (room - 20 > 0 ? room - 20 : 0);
	draw_server_text(ui, ui->head, 0, x, endpoint, w, GLYPH_LEFT, ui->attr[C_HEADER]);
	x += w + (w > 0 ? 2 : 0);
	if (me != NULL && ui->cols - rw - 1 - x > 3)
		draw_server_text(ui, ui->head, 0, x, principal_display(me),
				 ui->cols - rw - 1 - x < 24 ? ui->cols - rw - 1 - x : 24,
				 GLYPH_LEFT, ui->attr[C_HEADER]);
	if (ui->cols > rw)
		draw_text(ui->head, 0, ui->cols - rw, right, rw, ui->attr[C_HEADER]);
}

static void runtime_line(struct ui *ui, char *buf, size_t size)
{
	const struct runtime_metrics *m = store_view_runtime(&ui->view);
	const struct box_list *l = store_view_boxes(&ui->view);
	size_t running = 0, total = l != NULL ? l->n : 0;
	size_t active = ui_active_jobs(ui);
	int n;

	for (size_t i = 0; i < total; i++)
		running += l->items[i].status == BOX_RUNNING;
	n = snprintf(buf, size, "boxes %zu/%zu running", running, total);
	if (m != NULL && n > 0 && (size_t)n < size)
		n += snprintf(
			buf + n, size - (size_t)n,
			" | created %lld stopped %lld failed %lld | commands %lld, exec errors "
			"%lld",
			(long long)m->boxes_created_total.v, (long long)m->boxes_stopped_total.v,
			(long long)m->boxes_failed_total.v, (long long)m->total_commands_executed.v,
			(long long)m->total_exec_errors.v);
	if (n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " | jobs %zu active%s%s", active,
			 ui->paused ? " | PAUSED (p)" : "",
			 ui->opts->readonly ? " | read-only" : "");
}

/* Line 1: the runtime metrics, or a banner while the server cannot be used. */
static void header_line1(struct ui *ui)
{
	const struct conn_state *c = store_view_conn(&ui->view);
	char buf[512];

	if (c->status == CONN_DOWN || c->status == CONN_AUTH_FAILED) {
		char age[FMT_BUF];

		fmt_duration(c->last_ok_ms > 0 ? (time_mono_ms() - c->last_ok_ms) / 1000 : 0, age,
			     sizeof(age));
		snprintf(buf, sizeof(buf), " %s (%s): %s ",
			 c->status == CONN_DOWN ? "SERVER DOWN" : "AUTH FAILED",
			 c->last_ok_ms > 0 ? "showing the last data" : "no data yet", c->message);
		wattrset(ui->head, ui->attr[C_BANNER]);
		mvwhline(ui->head, 1, 0, ' ', ui->cols);
		draw_server_text(ui, ui->head, 1, 0, buf, ui->cols, GLYPH_LEFT, ui->attr[C_BANNER]);
		return;
	}
	runtime_line(ui, buf, sizeof(buf));
	draw_text(ui->head, 1, 1, buf, ui->cols - 1, ui->attr[C_NORMAL]);
}

static void header_tabs(struct ui *ui)
{
	struct view *v = ui_current(ui);
	char note[320] = "";
	int x = 0;

	for (size_t i = 0; i < view_count(); i++) {
		char tab[32];
		int w = snprintf(tab, sizeof(tab), " %zu %s ", i + 1, view_class_at(i)->name);

		draw_text(ui->head, 2, x, tab, ui->cols - x,
			  ui->attr[i == ui->current ? C_TAB_ON : C_TAB]);
		x += w + 1;
	}
	/* what the view says about itself: its filter, the image cache's use */
	if (v->cls->status != NULL)
		v->cls->status(ui, v, note, sizeof(note));
	if (note[0] != '\0' && x < ui->cols - 10)
		draw_server_text(ui, ui->head, 2, x + 2, note, ui->cols - x - 2, GLYPH_LEFT,
				 ui->attr[C_WARN]);
}

void draw_header(struct ui *ui)
{
	header_line0(ui);
	header_line1(ui);
	header_tabs(ui);
}

/* Which tab is at column x of the tab row, or -1. */
int draw_tab_at(int x)
{
	int left = 0;

	for (size_t i = 0; i < view_count(); i++) {
		int w = 3 + (int)strlen(view_class_at(i)->name) + 1;

		if (x >= left && x < left + w)
			return (int)i;
		left += w + 1;
	}
	return -1;
}

void draw_footer(struct ui *ui)
{
	struct view *v = ui_current(ui);

	if (v->cls->footer != NULL && v->cls->footer(ui, v, ui->foot, 0)) {
		/* the view owns the message line (a line being typed) */
	} else if (ui->flash != NULL) {
		draw_server_text(ui, ui->foot, 0, 0, ui->flash, ui->cols, GLYPH_LEFT,
				 ui->attr[ui->flash_error ? C_ERROR : C_OK]);
	}
	keys_hints(ui, ui->foot, 1, ui->cols);
}

/* ---- modals ---- */

static WINDOW *modal_window(struct ui *ui, int h, int w)
{
	WINDOW *win;

	if (w > ui->cols - 2)
		w = ui->cols - 2;
	if (h > ui->rows - 2)
		h = ui->rows - 2;
	win = newwin(h, w, (ui->rows - h) / 2, (ui->cols - w) / 2);
	werase(win);
	if (ui->glyphs == GLYPH_ASCII)
		wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	else
		box(win, 0, 0);
	return win;
}

/* A title on the border: as wide as it is, no padding over the line. */
static void draw_title(struct ui *ui, WINDOW *win, const char *title, int maxw)
{
	char *safe = sanitize_dup(title, maxw > 2 ? (size_t)maxw - 2 : 1);
	char *padded = xasprintf(" %s ", safe);

	draw_text(win, 0, 1, padded, (int)sanitize_width(padded), A_BOLD);
	free(padded);
	free(safe);
	(void)ui;
}

static void draw_edit_line(struct ui *ui, WINDOW *win, int y, struct lineedit *le, int width)
{
	struct lineedit_view v;

	if (width < 2)
		return;
	lineedit_view(le, (size_t)width, &v);
	wattrset(win, A_UNDERLINE);
	mvwhline(win, y, 2, ' ', width);
	mvwaddnstr(win, y, 2, lineedit_text(le) + v.start, (int)(v.end - v.start));
	wattrset(win, A_NORMAL);
	mvwchgat(win, y, 2 + (int)v.cursor_col, 1, A_REVERSE, 0, NULL);
	(void)ui;
}

static void draw_modal_list(struct ui *ui, WINDOW *win, int y0, int h, int w)
{
	struct modal *m = &ui->modal;
	size_t top = m->sel >= (size_t)h ? m->sel - (size_t)h + 1 : 0;

	for (int i = 0; i < h && top + (size_t)i < m->n_items; i++) {
		size_t k = top + (size_t)i;

		draw_server_text(ui, win, y0 + i, 2, m->items[k], w - 4, GLYPH_LEFT,
				 k == m->sel ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL]);
	}
}

static void draw_help(struct ui *ui)
{
	char **lines = NULL;
	size_t n = keys_help_lines(ui, &lines);
	int h = (int)n + 4, w = 96;
	WINDOW *win = modal_window(ui, h, w);

	getmaxyx(win, h, w);
	draw_title(ui, win, "keys (any key closes)", w - 4);
	for (size_t i = 0; i < n && (int)i < h - 3; i++)
		draw_text(win, 2 + (int)i, 2, lines[i], w - 4, A_NORMAL);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	wnoutrefresh(win);
	delwin(win);
}

void draw_modal(struct ui *ui)
{
	struct modal *m = &ui->modal;
	int h = 8, w = 70;
	WINDOW *win;
	const char *foot = "Enter ok  Esc cancel";

	if (m->kind == MODAL_HELP) {
		draw_help(ui);
		return;
	}
	if (m->kind == MODAL_PICK)
		h = 6 + (int)(m->n_items < 12 ? m->n_items : 12);
	win = modal_window(ui, h, w);
	getmaxyx(win, h, w);
	draw_title(ui, win, m->title, w - 4);
	if (m->message != NULL)
		draw_server_text(ui, win, 2, 2, m->message, w - 4, GLYPH_LEFT, A_NORMAL);
	switch (m->kind) {
	case MODAL_PROMPT:
		draw_edit_line(ui, win, 3, &m->edit, w - 4);
		if (m->completes_paths)
			foot = "Enter ok  Esc cancel  Tab complete";
		break;
	case MODAL_CONFIRM:
		if (m->must_type != NULL)
			draw_edit_line(ui, win, 3, &m->edit, w - 4);
		else
			foot = "y yes   n/Esc/Enter no";
		break;
	case MODAL_PICK:
		draw_modal_list(ui, win, 3, h - 5, w);
		foot = "j/k move  Enter choose  Esc cancel";
		break;
	case MODAL_QUIT:
		foot = "w wait for them  c cancel them and quit  Esc back";
		break;
	default:
		break;
	}
	if (m->hint != NULL)
		draw_server_text(ui, win, h - 3, 2, m->hint, w - 4, GLYPH_LEFT, ui->attr[C_WARN]);
	draw_text(win, h - 2, 2, foot, w - 4, ui->attr[C_DIM]);
	wnoutrefresh(win);
	delwin(win);
}
