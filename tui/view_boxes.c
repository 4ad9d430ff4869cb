/*
 * view_boxes: the boxes table, the view the others take their box from.
 *
 * The table's rows are indices into the view's box list, filtered with the
 * model's query and sorted with its stable sort; they are rebuilt only when
 * the list, the metrics (for a metric sort), the filter or the sort changed.
 * The selection is a box id, so it stays on its box through refreshes and
 * re-sorts; when the box goes away it stays on the same row. Columns have a
 * priority: on a narrow terminal the least useful go first, and the spare
 * width goes to the name, image and labels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/history.h"
#include "model/query.h"
#include "model/xalloc.h"
#include "columns.h"
#include "keys.h"
#include "ui.h"

#define FILTER_MAX 256

struct boxes {
	size_t *idx; /* the rows: indices into the list */
	size_t n, cap;
	bool dirty;
	char *selected_id; /* survives refreshes and re-sorts */
	size_t sel_row;    /* its row */
	size_t top;        /* first row shown */
	enum sort_key sort;
	bool sort_desc;
	char *filter_text;
	struct query *query;
	bool filtering; /* '/' is being typed into */
	struct lineedit filter_edit;
	unsigned columns;     /* the columns the user wants */
	int col_x[COL_COUNT]; /* x of each shown column, for header clicks */
	enum sort_key col_key[COL_COUNT];
	int n_cols_shown;
};

static struct boxes *state(struct ui *ui)
{
	return ui_view_state(ui, &view_boxes);
}

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
/* The live values of every box, for a sort by a metric. Caller frees. */
static struct sort_metrics *gather_metrics(struct ui *ui, struct boxes *s, const struct box_list *l)
{
	struct sort_metrics *sm = xcalloc(l->n > 0 ? l->n : 1, sizeof(*sm));
	bool rates = s->sort == SORT_RX_RATE || s->sort == SORT_TX_RATE;
	struct metric_history *h = rates ? xmalloc(sizeof(*h)) : NULL;

	for (size_t i = 0; i < l->n; i++) {
		struct box_metrics m;
		double v;

		if (!box_is_live(&l->items[i]) ||
		    !store_box_metrics(ui->store, l->items[i].id, &m, h))
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
static void follow_selection(struct boxes *s, const struct box_list *l)
{
	size_t old = s->sel_row;

	for (size_t i = 0; s->selected_id != NULL && i < s->n; i++)
		if (strcmp(l->items[s->idx[i]].id, s->selected_id) == 0) {
			s->sel_row = i;
			return;
		}
	s->sel_row = s->n == 0 ? 0 : (old < s->n ? old : s->n - 1);
	free(s->selected_id);
	s->selected_id = s->n > 0 ? xstrdup(l->items[s->idx[s->sel_row]].id) : NULL;
}

static void rebuild(struct ui *ui, struct boxes *s)
{
	const struct box_list *l = store_view_boxes(&ui->view);
	struct sort_metrics *sm = NULL;
	size_t n = l != NULL ? l->n : 0;

	s->dirty = false;
	if (s->cap < n) {
		free(s->idx);
		s->idx = xcalloc(n, sizeof(size_t));
		s->cap = n;
	}
	s->n = n > 0 ? query_filter(s->query, l->items, n, s->idx) : 0;
	if (s->n > 0 && metric_sort(s->sort))
		sm = gather_metrics(ui, s, l);
	if (s->n > 0)
		query_sort(l->items, sm, s->idx, s->n, s->sort, s->sort_desc);
	free(sm);
	if (l != NULL)
		follow_selection(s, l);
	else
		s->sel_row = 0;
}

/* The rows as they should be now: rebuilt first when an input changed. */
static struct boxes *fresh(struct ui *ui)
{
	struct boxes *s = state(ui);

	if (s->dirty)
		rebuild(ui, s);
	return s;
}

const struct box *boxes_selected(struct ui *ui)
{
	struct boxes *s = fresh(ui);
	const struct box_list *l = store_view_boxes(&ui->view);

	if (l == NULL || s->sel_row >= s->n)
		return NULL;
	return &l->items[s->idx[s->sel_row]];
}

size_t boxes_shown(struct ui *ui)
{
	return fresh(ui)->n;
}

static unsigned set_sort(struct ui *ui, struct boxes *s, enum sort_key key)
{
	if (s->sort == key)
		s->sort_desc = !s->sort_desc;
	else
		s->sort_desc = metric_sort(key); /* busiest first */
	s->sort = key;
	s->dirty = true;
	ui_flash(ui, false, "sorted by %s%s", query_sort_key_name(key),
		 s->sort_desc ? ", descending" : "");
	return REDRAW_BODY;
}

static void apply_filter(struct boxes *s)
{
	const char *text = lineedit_text(&s->filter_edit);

	free(s->filter_text);
	s->filter_text = text[0] != '\0' ? xstrdup(text) : NULL;
	query_free(&s->query);
	if (s->filter_text != NULL)
		s->query = query_parse(s->filter_text);
	s->dirty = true;
}

unsigned boxes_filter_open(struct ui *ui)
{
	struct boxes *s = state(ui);

	s->filtering = true;
	lineedit_clear(&s->filter_edit);
	lineedit_init(&s->filter_edit, s->filter_text, FILTER_MAX);
	return ui_show(ui, &view_boxes) | REDRAW_FOOT;
}

/* ---- hooks ---- */

static void *boxes_create(struct ui *ui, char *err, size_t errlen)
{
	struct boxes *s = xcalloc(1, sizeof(*s));

	s->sort = SORT_NAME;
	s->columns = COLUMNS_ALL;
	s->dirty = true;
	if (ui->opts->columns != NULL &&
	    columns_parse(ui->opts->columns, &s->columns, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	if (ui->opts->filter != NULL && ui->opts->filter[0] != '\0') {
		s->filter_text = xstrdup(ui->opts->filter);
		s->query = query_parse(s->filter_text);
	}
	lineedit_init(&s->filter_edit, NULL, FILTER_MAX);
	return s;
}

static void boxes_destroy(void *p)
{
	struct boxes *s = p;

	if (s == NULL)
		return;
	free(s->idx);
	free(s->selected_id);
	free(s->filter_text);
	query_free(&s->query);
	lineedit_clear(&s->filter_edit);
	free(s);
}

static unsigned boxes_update(struct ui *ui, struct view *v, unsigned changed)
{
	struct boxes *s = v->state;

	if (!(changed & (STORE_BOXES | STORE_METRICS)))
		return 0;
	s->dirty = true;
	rebuild(ui, s);
	return REDRAW_BODY;
}

static unsigned boxes_move(struct ui *ui, struct view *v, long delta, bool absolute)
{
	struct boxes *s = fresh(ui);
	const struct box_list *l = store_view_boxes(&ui->view);
	long n = (long)s->n, to = absolute ? delta : (long)s->sel_row + delta;

	(void)v;
	if (n == 0 || l == NULL)
		return 0;
	to = to < 0 ? 0 : (to >= n ? n - 1 : to);
	if ((size_t)to == s->sel_row)
		return 0;
	s->sel_row = (size_t)to;
	free(s->selected_id);
	s->selected_id = xstrdup(l->items[s->idx[to]].id);
	return REDRAW_BODY | REDRAW_FOOT; /* the hints follow what the box allows */
}

static unsigned boxes_click(struct ui *ui, struct view *v, int y, int x, int button)
{
	struct boxes *s = fresh(ui);
	unsigned react;

	if (y == 0) {
		for (int i = s->n_cols_shown - 1; i >= 0; i--)
			if (x >= s->col_x[i])
				return set_sort(ui, s, s->col_key[i]) | REDRAW_FOOT;
		return 0;
	}
	if (s->top + (size_t)(y - 1) >= s->n)
		return 0;
	react = boxes_move(ui, v, (long)(s->top + (size_t)(y - 1)), true);
	return button == 2 ? react | ui_show(ui, &view_detail) : react;
}

static unsigned boxes_back(struct ui *ui, struct view *v)
{
	struct boxes *s = v->state;

	if (s->filter_text == NULL)
		return 0;
	free(s->filter_text);
	s->filter_text = NULL;
	query_free(&s->query);
	s->dirty = true;
	ui_flash(ui, false, "filter cleared");
	return REDRAW_ALL;
}

/* Keys while the filter line is open: it filters as it is typed. */
static unsigned boxes_key(struct ui *ui, struct view *v, int key, bool *taken)
{
	struct boxes *s = v->state;

	(void)ui;
	*taken = s->filtering;
	if (!s->filtering)
		return 0;
	if (key == '\r' || key == '\n' || key == KEYCODE(KEY_ENTER)) {
		s->filtering = false;
		return REDRAW_FOOT;
	}
	if (key == KEY_ESC) {
		s->filtering = false;
		lineedit_clear(&s->filter_edit);
		lineedit_init(&s->filter_edit, NULL, FILTER_MAX);
		apply_filter(s);
		return REDRAW_ALL;
	}
	if (!prompt_edit_key(&s->filter_edit, key))
		return 0;
	apply_filter(s);
	return REDRAW_ALL;
}

static bool boxes_footer(struct ui *ui, struct view *v, WINDOW *w, int y)
{
	struct boxes *s = v->state;
	struct lineedit_view lv;

	if (!s->filtering)
		return false;
	draw_text(w, y, 0, "/", 1, ui->attr[C_WARN]);
	lineedit_view(&s->filter_edit, (size_t)(ui->cols > 2 ? ui->cols - 2 : 1), &lv);
	mvwaddnstr(w, y, 1, lineedit_text(&s->filter_edit) + lv.start, (int)(lv.end - lv.start));
	mvwchgat(w, y, 1 + (int)lv.cursor_col, 1, A_REVERSE, 0, NULL);
	return true;
}

static void boxes_status(struct ui *ui, struct view *v, char *buf, size_t size)
{
	struct boxes *s = v->state;
	const struct box_list *l = store_view_boxes(&ui->view);

	if (s->filter_text == NULL) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, size, "filter: %s (%zu of %zu)", s->filter_text, fresh(ui)->n,
		 l != NULL ? l->n : 0);
}

/* The rows on screen (metrics are asked for those) and the selected box, whatever is shown. */
static void boxes_interest(struct ui *ui, struct view *v, struct interest *in, bool shown)
{
	struct boxes *s = fresh(ui);
	const struct box_list *l = store_view_boxes(&ui->view);
	const struct box *sel = boxes_selected(ui);
	size_t rows = draw_table_rows(ui);

	(void)v;
	(void)shown;
	for (size_t r = s->top;
	     l != NULL && r < s->n && in->n_ids < rows && in->n_ids < ARRAY_LEN(in->ids); r++)
		in->ids[in->n_ids++] = l->items[s->idx[r]].id;
	in->selected = sel != NULL ? sel->id : NULL;
}

static const struct box *boxes_box(struct ui *ui, struct view *v)
{
	(void)v;
	return boxes_selected(ui);
}

/* ---- drawing ---- */

struct row_data {
	bool has_m;
	struct box_metrics m;
	struct metric_history h;
};

/* The row's cell in column c; the sparkline is drawn from the history. */
static void cell_text(struct ui *ui, const struct box *b, const struct row_data *d, enum col_id c,
		      int width, char *buf, size_t size)
{
	struct column_live lv = {.has_metrics = d->has_m, .m = d->m};
	double series[HISTORY_LEN], v;
	size_t n;

	if (c == COL_GRAPH) {
		n = d->has_m ? history_series(&d->h, HISTORY_CPU, series, NULL, HISTORY_LEN) : 0;
		glyph_sparkline(series, n, 100.0 * (double)(b->cpus > 0 ? b->cpus : 1), ui->glyphs,
				(size_t)width, buf, size);
		return;
	}
	if (d->has_m && history_last(&d->h, HISTORY_NET_RX, &v))
		lv.rx_rate = (struct opt_f64){.state = OPT_SET, .v = v};
	if (d->has_m && history_last(&d->h, HISTORY_NET_TX, &v))
		lv.tx_rate = (struct opt_f64){.state = OPT_SET, .v = v};
	column_text(c, b, &lv, time(NULL), ui->glyphs, buf, size);
}

static void draw_row(struct ui *ui, WINDOW *w, int y, const struct box *b, const enum col_id *shown,
		     const int *width, int n, bool selected)
{
	struct row_data *d = xmalloc(sizeof(*d));
	attr_t base = selected ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL];
	int x = 0;

	d->has_m = box_is_live(b) && store_box_metrics(ui->store, b->id, &d->m, &d->h);
	if (selected) {
		wattrset(w, base);
		mvwhline(w, y, 0, ' ', ui->cols);
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
			draw_text(w, y, x, buf, width[i], a);
		else
			draw_server_text(ui, w, y, x, buf, width[i], column_at(shown[i])->align, a);
		x += width[i] + 1;
	}
	free(d);
}

static void draw_table_header(struct ui *ui, struct boxes *s, WINDOW *w, const enum col_id *shown,
			      const int *width, int n)
{
	int x = 0;

	wattrset(w, ui->attr[C_HEADER]);
	mvwhline(w, 0, 0, ' ', ui->cols);
	for (int i = 0; i < n; i++) {
		char t[40];
		const struct column *c = column_at(shown[i]);
		bool sorted = c->key == s->sort && shown[i] != COL_GRAPH;

		snprintf(t, sizeof(t), "%s%s", c->title,
			 sorted ? (s->sort_desc ? (ui->glyphs == GLYPH_ASCII ? "v" : "▼")
						: (ui->glyphs == GLYPH_ASCII ? "^" : "▲"))
				: "");
		draw_text(w, 0, x, t, width[i], ui->attr[C_HEADER] | (sorted ? A_BOLD : 0));
		s->col_x[i] = x;
		s->col_key[i] = c->key;
		x += width[i] + 1;
	}
	s->n_cols_shown = n;
}

static bool stale(struct ui *ui)
{
	enum conn_status c = store_view_conn(&ui->view)->status;

	return c == CONN_DOWN || c == CONN_AUTH_FAILED;
}

static void boxes_draw(struct ui *ui, struct view *v, WINDOW *w)
{
	struct boxes *s = fresh(ui);
	const struct box_list *l = store_view_boxes(&ui->view);
	enum col_id shown[COL_COUNT];
	int width[COL_COUNT], n = columns_layout(ui->cols, s->columns, shown, width);
	size_t visible = draw_table_rows(ui);

	(void)v;
	draw_table_header(ui, s, w, shown, width, n);
	if (l == NULL || s->n == 0) {
		draw_text(w, 2, 2,
			  l == NULL ? "waiting for the server..."
			  : s->query != NULL && l->n > 0
				  ? "no box matches the filter (/ to change, "
				    "Esc in the filter clears it)"
				  : "no boxes",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	s->top = draw_scroll_for(s->sel_row, s->top, visible);
	if (s->top + visible > s->n)
		s->top = s->n > visible ? s->n - visible : 0;
	for (size_t r = s->top; r < s->n && r - s->top < visible; r++)
		draw_row(ui, w, (int)(r - s->top) + 1, &l->items[s->idx[r]], shown, width, n,
			 r == s->sel_row);
	if (stale(ui))
		for (int y = 1; y < getmaxy(w); y++)
			mvwchgat(w, y, 0, -1, A_DIM, 0, NULL);
}

/* ---- keys ---- */

static unsigned k_detail(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	return ui_show(ui, &view_detail);
}

static const enum sort_key sort_cycle[] = {
	SORT_NAME,        SORT_STATUS,  SORT_IMAGE,   SORT_CPUS,    SORT_MEMORY, SORT_CPU_PERCENT,
	SORT_MEMORY_USED, SORT_RX_RATE, SORT_TX_RATE, SORT_CREATED, SORT_ID};

static unsigned cycle_sort(struct ui *ui, int step)
{
	struct boxes *s = state(ui);
	size_t i = 0, n = ARRAY_LEN(sort_cycle);

	while (i < n && sort_cycle[i] != s->sort)
		i++;
	i = (i + n + (size_t)(step + (int)n)) % n;
	s->sort_desc = !s->sort_desc; /* set_sort flips it back for the same key */
	s->sort = SORT_KEY_COUNT;
	return set_sort(ui, s, sort_cycle[i]) | REDRAW_FOOT;
}

static unsigned k_sort(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	return cycle_sort(ui, key == '<' ? -1 : 1);
}

static unsigned k_reverse(struct ui *ui, const struct binding *b, int key)
{
	struct boxes *s = state(ui);

	(void)b;
	(void)key;
	return set_sort(ui, s, s->sort) | REDRAW_FOOT;
}

static const struct binding boxes_keys[] = {
	{{'\r', '\n', KEYCODE(KEY_ENTER)},
	 "Enter",
	 "box detail",
	 IN_HINTS | NEEDS_BOX,
	 NO_ACTION,
	 k_detail},
	{{'>'}, "</>", "sort by the next / previous column", IN_HINTS, NO_ACTION, k_sort},
	{{'<'}, "", "", 0, NO_ACTION, k_sort},
	{{'r'}, "r", "reverse the sort", 0, NO_ACTION, k_reverse},
};

const struct view_class view_boxes = {
	.name = "Boxes",
	.create = boxes_create,
	.destroy = boxes_destroy,
	.update = boxes_update,
	.draw = boxes_draw,
	.cursor = boxes_move,
	.click = boxes_click,
	.back = boxes_back,
	.key = boxes_key,
	.footer = boxes_footer,
	.status = boxes_status,
	.interest = boxes_interest,
	.selected_box = boxes_box,
	.keys = boxes_keys,
	.n_keys = ARRAY_LEN(boxes_keys),
	.ages = true,
};
