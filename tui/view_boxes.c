/*
 * view_boxes: the boxes table and the box detail view.
 *
 * The table's rows are indices into the view's box list, filtered with the
 * model's query and sorted with its stable sort; they are rebuilt only when
 * the list, the metrics (for a metric sort), the filter or the sort changed.
 * The selection is a box id, so it stays on its box through refreshes and
 * re-sorts; when the box goes away it stays on the same row. Columns have a
 * priority: on a narrow terminal the least useful go first, and the spare
 * width goes to the name, image and labels.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/history.h"
#include "model/sanitize.h"
#include "model/xalloc.h"
#include "model/timeutil.h"
#include "columns.h"
#include "ui.h"

/* ---- rows ---- */

static bool metric_sort(enum sort_key k)
{
	return k == SORT_CPU_PERCENT || k == SORT_MEMORY_USED || k == SORT_RX_RATE ||
	       k == SORT_TX_RATE;
}

/*
 * Whether a box's metrics in the store are live: it runs (or is paused for
 * a moment). Those of a box that stopped are what it last had; they are
 * shown as such in its detail, never as if it ran.
 */
static bool live(const struct box *b)
{
	return b->status == BOX_RUNNING || b->status == BOX_PAUSED;
}

/* The live values of every box, for a sort by a metric. Caller frees. */
static struct sort_metrics *gather_metrics(struct ui *ui, const struct box_list *l)
{
	struct sort_metrics *sm = xcalloc(l->n > 0 ? l->n : 1, sizeof(*sm));
	bool rates = ui->sort == SORT_RX_RATE || ui->sort == SORT_TX_RATE;
	struct metric_history *h = rates ? xmalloc(sizeof(*h)) : NULL;

	for (size_t i = 0; i < l->n; i++) {
		struct box_metrics m;
		double v;

		if (!live(&l->items[i]) || !store_box_metrics(ui->store, l->items[i].id, &m, h))
			continue;
		sm[i].cpu_percent = m.cpu_percent;
		sm[i].memory_bytes = m.memory_bytes;
		if (h != NULL && history_last(h, HISTORY_NET_RX, &v))
			sm[i].rx_rate = (struct opt_f64){.state = OPT_SET, .v = v};
		if (h != NULL && history_last(h, HISTORY_NET_TX, &v))
			sm[i].tx_rate = (struct opt_f64){.state = OPT_SET, .v = v};
	}
	free(h);
	return sm;
}

/* Where the selected box is now; its old row when it went away. */
static void follow_selection(struct ui *ui, const struct box_list *l)
{
	struct box_rows *r = &ui->rows_boxes;
	size_t old = ui->sel_row;

	for (size_t i = 0; ui->selected_id != NULL && i < r->n; i++)
		if (strcmp(l->items[r->idx[i]].id, ui->selected_id) == 0) {
			ui->sel_row = i;
			return;
		}
	/* the detail view never silently shows another box: back to the table */
	if (ui->selected_id != NULL && ui->current == VIEW_DETAIL) {
		ui->current = VIEW_BOXES;
		ui_flash(ui, true, "box %.40s is gone from the server", ui->selected_id);
	}
	ui->sel_row = r->n == 0 ? 0 : (old < r->n ? old : r->n - 1);
	free(ui->selected_id);
	ui->selected_id = r->n > 0 ? xstrdup(l->items[r->idx[ui->sel_row]].id) : NULL;
}

void boxes_rebuild(struct ui *ui)
{
	const struct box_list *l = store_view_boxes(&ui->view);
	struct box_rows *r = &ui->rows_boxes;
	struct sort_metrics *sm = NULL;
	size_t n = l != NULL ? l->n : 0;

	r->dirty = false;
	if (r->cap < n) {
		free(r->idx);
		r->idx = xcalloc(n, sizeof(size_t));
		r->cap = n;
	}
	r->n = n > 0 ? query_filter(ui->query, l->items, n, r->idx) : 0;
	if (r->n > 0 && metric_sort(ui->sort))
		sm = gather_metrics(ui, l);
	if (r->n > 0)
		query_sort(l->items, sm, r->idx, r->n, ui->sort, ui->sort_desc);
	free(sm);
	if (l != NULL)
		follow_selection(ui, l);
	else
		ui->sel_row = 0;
}

const struct box *ui_selected_box(struct ui *ui)
{
	const struct box_list *l = store_view_boxes(&ui->view);

	if (l == NULL || ui->sel_row >= ui->rows_boxes.n)
		return NULL;
	return &l->items[ui->rows_boxes.idx[ui->sel_row]];
}

void boxes_move(struct ui *ui, long delta, bool absolute)
{
	const struct box_list *l = store_view_boxes(&ui->view);
	long n = (long)ui->rows_boxes.n, to = absolute ? delta : (long)ui->sel_row + delta;

	if (n == 0 || l == NULL)
		return;
	to = to < 0 ? 0 : (to >= n ? n - 1 : to);
	ui->sel_row = (size_t)to;
	free(ui->selected_id);
	ui->selected_id = xstrdup(l->items[ui->rows_boxes.idx[to]].id);
	ui->detail_scroll = 0;
}

void boxes_set_sort(struct ui *ui, enum sort_key key)
{
	if (ui->sort == key)
		ui->sort_desc = !ui->sort_desc;
	else
		ui->sort_desc = metric_sort(key); /* busiest first */
	ui->sort = key;
	ui->rows_boxes.dirty = true;
	ui_flash(ui, false, "sorted by %s%s", query_sort_key_name(key),
		 ui->sort_desc ? ", descending" : "");
}

/* ---- the table ---- */

struct row_data {
	bool has_m;
	struct box_metrics m;
	struct metric_history h;
};

/* The row's cell in column c; the sparkline is drawn from the history. */
static void cell_text(struct ui *ui, const struct box *b, const struct row_data *d, enum col_id c,
		      int width, char *buf, size_t size)
{
	struct column_live live = {.has_metrics = d->has_m, .m = d->m};
	double series[HISTORY_LEN], v;
	size_t n;

	if (c == COL_GRAPH) {
		n = d->has_m ? history_series(&d->h, HISTORY_CPU, series, NULL, HISTORY_LEN) : 0;
		glyph_sparkline(series, n, 100.0 * (double)(b->cpus > 0 ? b->cpus : 1), ui->glyphs,
				(size_t)width, buf, size);
		return;
	}
	if (d->has_m && history_last(&d->h, HISTORY_NET_RX, &v))
		live.rx_rate = (struct opt_f64){.state = OPT_SET, .v = v};
	if (d->has_m && history_last(&d->h, HISTORY_NET_TX, &v))
		live.tx_rate = (struct opt_f64){.state = OPT_SET, .v = v};
	column_text(c, b, &live, time(NULL), ui->glyphs, buf, size);
}

static void draw_row(struct ui *ui, int y, const struct box *b, const enum col_id *shown,
		     const int *width, int n, bool selected)
{
	struct row_data *d = xmalloc(sizeof(*d));
	attr_t base = selected ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL];
	int x = 0;

	d->has_m = live(b) && store_box_metrics(ui->store, b->id, &d->m, &d->h);
	if (selected) {
		wattrset(ui->body, base);
		mvwhline(ui->body, y, 0, ' ', ui->cols);
	}
	for (int i = 0; i < n; i++) {
		char buf[1024];
		attr_t a = base;

		cell_text(ui, b, d, shown[i], width[i], buf, sizeof(buf));
		if (!selected && shown[i] == COL_STATUS)
			a = status_attr(ui, b->status);
		else if (!selected && shown[i] == COL_GRAPH)
			a = ui->attr[C_GRAPH];
		if (shown[i] == COL_GRAPH || shown[i] == COL_STATUS)
			draw_text(ui->body, y, x, buf, width[i], a);
		else
			draw_server_text(ui, ui->body, y, x, buf, width[i],
					 column_at(shown[i])->align, a);
		x += width[i] + 1;
	}
	free(d);
}

static void draw_table_header(struct ui *ui, const enum col_id *shown, const int *width, int n)
{
	int x = 0;

	wattrset(ui->body, ui->attr[C_HEADER]);
	mvwhline(ui->body, 0, 0, ' ', ui->cols);
	for (int i = 0; i < n; i++) {
		char t[40];
		const struct column *c = column_at(shown[i]);
		bool sorted = c->key == ui->sort && shown[i] != COL_GRAPH;

		snprintf(t, sizeof(t), "%s%s", c->title,
			 sorted ? (ui->sort_desc ? (ui->glyphs == GLYPH_ASCII ? "v" : "▼")
						 : (ui->glyphs == GLYPH_ASCII ? "^" : "▲"))
				: "");
		draw_text(ui->body, 0, x, t, width[i], ui->attr[C_HEADER] | (sorted ? A_BOLD : 0));
		ui->col_x[i] = x;
		ui->col_key[i] = c->key;
		x += width[i] + 1;
	}
	ui->n_cols_shown = n;
}

/* Keeps the selected row on screen. */
static void scroll_to_selection(struct ui *ui, size_t visible)
{
	if (visible == 0)
		return;
	if (ui->sel_row < ui->top)
		ui->top = ui->sel_row;
	if (ui->sel_row >= ui->top + visible)
		ui->top = ui->sel_row - visible + 1;
	if (ui->top + visible > ui->rows_boxes.n)
		ui->top = ui->rows_boxes.n > visible ? ui->rows_boxes.n - visible : 0;
}

static bool stale(struct ui *ui)
{
	enum conn_status s = store_view_conn(&ui->view)->status;

	return s == CONN_DOWN || s == CONN_AUTH_FAILED;
}

void boxes_draw(struct ui *ui)
{
	const struct box_list *l = store_view_boxes(&ui->view);
	enum col_id shown[COL_COUNT];
	int width[COL_COUNT], n = columns_layout(ui->cols, ui->columns, shown, width);
	size_t visible = draw_table_rows(ui);

	draw_table_header(ui, shown, width, n);
	if (l == NULL || ui->rows_boxes.n == 0) {
		draw_text(ui->body, 2, 2,
			  l == NULL ? "waiting for the server..."
			  : ui->query != NULL && l->n > 0
				  ? "no box matches the filter (/ to change, "
				    "Esc in the filter clears it)"
				  : "no boxes",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	scroll_to_selection(ui, visible);
	for (size_t r = ui->top; r < ui->rows_boxes.n && r - ui->top < visible; r++)
		draw_row(ui, (int)(r - ui->top) + 1, &l->items[ui->rows_boxes.idx[r]], shown, width,
			 n, r == ui->sel_row);
	if (stale(ui))
		for (int y = 1; y < getmaxy(ui->body); y++)
			mvwchgat(ui->body, y, 0, -1, A_DIM, 0, NULL);
}

void boxes_click(struct ui *ui, int y, int x)
{
	if (y == 0) {
		for (int i = ui->n_cols_shown - 1; i >= 0; i--)
			if (x >= ui->col_x[i]) {
				boxes_set_sort(ui, ui->col_key[i]);
				return;
			}
		return;
	}
	if (ui->top + (size_t)(y - 1) < ui->rows_boxes.n)
		boxes_move(ui, (long)(ui->top + (size_t)(y - 1)), true);
}

/* ---- the detail view ---- */

struct detail {
	WINDOW *w;
	int y, width;
	struct ui *ui;
};

static void field(struct detail *d, const char *name, const char *value)
{
	if (d->y >= getmaxy(d->w))
		return;
	draw_text(d->w, d->y, 1, name, 14, d->ui->attr[C_DIM]);
	draw_server_text(d->ui, d->w, d->y, 16, value, d->width - 17, GLYPH_LEFT,
			 d->ui->attr[C_NORMAL]);
	d->y++;
}

static void box_fields(struct detail *d, const struct box *b)
{
	char buf[256], t[FMT_BUF], a[FMT_BUF];

	field(d, "name", box_display_name(b));
	field(d, "id", b->id);
	field(d, "status", column_text(COL_STATUS, b, NULL, 0, d->ui->glyphs, buf, sizeof(buf)));
	field(d, "image", b->image != NULL ? b->image : "-");
	snprintf(buf, sizeof(buf), "%lld vCPU, %s", (long long)b->cpus,
		 column_text(COL_MEM, b, NULL, 0, d->ui->glyphs, t, sizeof(t)));
	field(d, "resources", buf);
	snprintf(buf, sizeof(buf), "%s UTC (%s ago)",
		 fmt_timestamp(b->created_at, true, t, sizeof(t)),
		 fmt_age(b->created_at, time(NULL), a, sizeof(a)));
	field(d, "created", buf);
	if (opt_i64_has(b->pid)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)b->pid.v);
		field(d, "pid", buf);
	}
	if (opt_i64_has(b->exit_code)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)b->exit_code.v);
		field(d, "exit code", buf);
	}
	snprintf(buf, sizeof(buf), "auto-stop %s, auto-delete %s, auto-resume %s",
		 b->auto_stop ? fmt_duration(b->auto_stop, t, sizeof(t)) : "off",
		 b->auto_delete ? fmt_duration(b->auto_delete, a, sizeof(a)) : "off",
		 b->auto_resume ? "on" : "off");
	field(d, "lifecycle", buf);
	field(d, "labels", column_text(COL_LABELS, b, NULL, 0, d->ui->glyphs, buf, sizeof(buf)));
}

/* For a box that is not running: when its metrics below were read, and why not since. */
static void last_measured(struct detail *d, const struct metric_history *h)
{
	char when[FMT_BUF], age[FMT_BUF], line[300];
	int64_t at = (int64_t)time(NULL) - (time_mono_ms() - h->last_ms) / 1000;

	snprintf(line, sizeof(line),
		 "as last measured, %s UTC (%s ago), while it ran: boxtop does not ask a box that "
		 "is not running (on boxlite serve that would start it)",
		 fmt_timestamp(at, true, when, sizeof(when)),
		 fmt_age(at, time(NULL), age, sizeof(age)));
	field(d, "metrics", line);
}

/* One history as a sparkline scaled to max (NAN: to its own peak). */
static void graph(struct detail *d, const struct metric_history *h, enum history_metric m,
		  double max, const char *name, const char *now_text)
{
	double series[HISTORY_LEN];
	size_t n = history_series(h, m, series, NULL, HISTORY_LEN);
	int gw = d->width - 30;
	char buf[GLYPH_BUF(HISTORY_LEN)];

	if (d->y >= getmaxy(d->w) || gw < 4)
		return;
	draw_text(d->w, d->y, 1, name, 14, d->ui->attr[C_DIM]);
	draw_text(d->w, d->y, 16, now_text, 12, d->ui->attr[C_NORMAL]);
	glyph_sparkline(series, n, max, d->ui->glyphs,
			(size_t)(gw > HISTORY_LEN ? HISTORY_LEN : gw), buf, sizeof(buf));
	draw_text(d->w, d->y, 29, buf, gw, d->ui->attr[C_GRAPH]);
	d->y++;
}

static void metric_graphs(struct detail *d, const struct box *b)
{
	struct box_metrics m;
	struct metric_history *h = xmalloc(sizeof(*h));
	char t[FMT_BUF];
	double v;

	d->y++;
	if (!store_box_metrics(d->ui->store, b->id, &m, h)) {
		field(d, "metrics",
		      live(b) ? "waiting..."
			      : "none: boxtop does not ask a box that is not running for its "
				"metrics "
				"(on boxlite serve that would start it)");
		free(h);
		return;
	}
	if (!live(b))
		last_measured(d, h);
	graph(d, h, HISTORY_CPU, 100.0 * (double)(b->cpus > 0 ? b->cpus : 1), "cpu",
	      fmt_percent(m.cpu_percent.v, t, sizeof(t)));
	graph(d, h, HISTORY_MEMORY, (double)b->memory_mib * 1048576.0, "memory",
	      opt_i64_has(m.memory_bytes) ? fmt_bytes(m.memory_bytes.v, t, sizeof(t)) : "-");
	graph(d, h, HISTORY_NET_RX, NAN, "net rx",
	      history_last(h, HISTORY_NET_RX, &v) ? fmt_rate(v, t, sizeof(t)) : "-");
	graph(d, h, HISTORY_NET_TX, NAN, "net tx",
	      history_last(h, HISTORY_NET_TX, &v) ? fmt_rate(v, t, sizeof(t)) : "-");
	if (m.boot.present && d->y < getmaxy(d->w)) {
		struct glyph_segment seg[BOOT_STAGE_COUNT];
		size_t cells[BOOT_STAGE_COUNT];
		char bar[GLYPH_BUF(120)], legend[512];
		int bw = d->width - 30 > 120 ? 120 : d->width - 30;
		size_t used = 0;

		for (int s = 0; s < BOOT_STAGE_COUNT; s++) {
			seg[s] = (struct glyph_segment){.value = (double)m.boot.stage_ms[s].v,
							.glyph = s % 2 ? "▒" : "█",
							.letter = (char)('a' + s)};
			used += (size_t)snprintf(legend + used, sizeof(legend) - used,
						 "%s%c %s %lldms", s ? ", " : "", 'a' + s,
						 boot_stage_name((enum boot_stage)s),
						 (long long)m.boot.stage_ms[s].v);
			if (used >= sizeof(legend))
				break;
		}
		if (bw > 4) {
			/* letters in every glyph set: seven stages need names, not shades */
			glyph_stack(seg, BOOT_STAGE_COUNT, GLYPH_ASCII, (size_t)bw, cells, bar,
				    sizeof(bar));
			snprintf(t, sizeof(t), "%lld ms", (long long)m.boot.total_create_ms.v);
			draw_text(d->w, d->y, 1, "boot", 14, d->ui->attr[C_DIM]);
			draw_text(d->w, d->y, 16, t, 12, d->ui->attr[C_NORMAL]);
			draw_text(d->w, d->y++, 29, bar, bw, d->ui->attr[C_GRAPH]);
		}
		if (d->y < getmaxy(d->w))
			draw_text(d->w, d->y++, 16, legend, d->width - 17, d->ui->attr[C_DIM]);
	}
	free(h);
}

static void snapshots(struct detail *d, const struct box *b)
{
	const struct snapshot_list *sl = store_view_snapshots(&d->ui->view, b->id);
	char size[FMT_BUF], age[FMT_BUF], line[300];

	d->y++;
	if (d->y >= getmaxy(d->w))
		return;
	/* asked when the detail opened, after a snapshot job, or on ^R: never on a timer */
	if (sl == NULL)
		snprintf(line, sizeof(line), "snapshots (asking the server...)");
	else if (sl->error != NULL)
		snprintf(line, sizeof(line), "snapshots: could not be read (^R asks again): %.200s",
			 sl->error);
	else
		snprintf(line, sizeof(line), "snapshots (%zu, asked %s ago; ^R asks again)", sl->n,
			 fmt_age(sl->asked_at, time(NULL), age, sizeof(age)));
	draw_server_text(d->ui, d->w, d->y++, 1, line, d->width - 2, GLYPH_LEFT, A_BOLD);
	for (size_t i = 0; sl != NULL && i < sl->n && d->y < getmaxy(d->w); i++) {
		const struct snapshot *s = &sl->items[i];

		draw_server_text(d->ui, d->w, d->y, 3, s->name, 30, GLYPH_LEFT, A_NORMAL);
		snprintf(line, sizeof(line), "%9s  %6s ago",
			 fmt_bytes(s->size_bytes, size, sizeof(size)),
			 fmt_age(s->created_at, time(NULL), age, sizeof(age)));
		draw_text(d->w, d->y++, 34, line, d->width - 35, A_NORMAL);
	}
}

void detail_draw(struct ui *ui)
{
	const struct box *b = ui_selected_box(ui);
	struct detail d = {.w = ui->body, .y = 0, .width = ui->cols, .ui = ui};

	if (b == NULL) {
		draw_text(ui->body, 1, 2, "no box selected (1 for the boxes table)", ui->cols - 4,
			  ui->attr[C_DIM]);
		return;
	}
	box_fields(&d, b);
	metric_graphs(&d, b);
	snapshots(&d, b);
}
