/*
 * view_detail: one box, the one selected in the boxes table: its fields,
 * its metrics as graphs (or why there are none), its snapshots.
 *
 * Opening it is a look at the box: its snapshots are asked once, then, and
 * on ^R, never on a timer (on boxlite serve asking a box's snapshots counts
 * as using it and keeps it awake). It never silently shows another box:
 * when its box goes away it goes back to the table and says so.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/history.h"
#include "model/timeutil.h"
#include "model/xalloc.h"
#include "columns.h"
#include "keys.h"
#include "ui.h"

struct detail {
	char *box_id; /* the box it was opened on */
};

/* ---- hooks ---- */

static void *detail_create(struct ui *ui, char *err, size_t errlen)
{
	(void)ui;
	(void)err;
	(void)errlen;
	return xcalloc(1, sizeof(struct detail));
}

static void detail_destroy(void *p)
{
	struct detail *d = p;

	if (d != NULL)
		free(d->box_id);
	free(d);
}

/* Opening it is a look: the box's snapshots are asked once, now. */
static unsigned detail_enter(struct ui *ui, struct view *v)
{
	struct detail *d = v->state;
	const struct box *b = boxes_selected(ui);

	free(d->box_id);
	d->box_id = b != NULL ? xstrdup(b->id) : NULL;
	if (b != NULL)
		poller_look_snapshots(ui->poller, b->id);
	return REDRAW_ALL;
}

static unsigned detail_update(struct ui *ui, struct view *v, unsigned changed)
{
	struct detail *d = v->state;
	const struct box *b;

	if (!ui_showing(ui, &view_detail))
		return 0;
	b = boxes_selected(ui);
	if (d->box_id != NULL && (b == NULL || strcmp(b->id, d->box_id) != 0)) {
		ui_flash(ui, true, "box %.40s is gone from the server", d->box_id);
		free(d->box_id);
		d->box_id = NULL;
		return ui_show(ui, &view_boxes);
	}
	return changed & (STORE_BOXES | STORE_METRICS | STORE_SNAPSHOTS) ? REDRAW_BODY : 0;
}

static const struct box *detail_box(struct ui *ui, struct view *v)
{
	(void)v;
	return boxes_selected(ui);
}

/* ---- drawing ---- */

struct page {
	WINDOW *w;
	int y, width;
	struct ui *ui;
};

static void field(struct page *p, const char *name, const char *value)
{
	if (p->y >= getmaxy(p->w))
		return;
	draw_text(p->w, p->y, 1, name, 14, p->ui->attr[C_DIM]);
	draw_server_text(p->ui, p->w, p->y, 16, value, p->width - 17, GLYPH_LEFT,
			 p->ui->attr[C_NORMAL]);
	p->y++;
}

static void box_fields(struct page *p, const struct box *b)
{
	char buf[256], t[FMT_BUF], a[FMT_BUF];

	field(p, "name", box_display_name(b));
	field(p, "id", b->id);
	field(p, "status", column_text(COL_STATUS, b, NULL, 0, p->ui->glyphs, buf, sizeof(buf)));
	field(p, "image", b->image != NULL ? b->image : "-");
	snprintf(buf, sizeof(buf), "%lld vCPU, %s", (long long)b->cpus,
		 column_text(COL_MEM, b, NULL, 0, p->ui->glyphs, t, sizeof(t)));
	field(p, "resources", buf);
	snprintf(buf, sizeof(buf), "%s UTC (%s ago)",
		 fmt_timestamp(b->created_at, true, t, sizeof(t)),
		 fmt_age(b->created_at, time(NULL), a, sizeof(a)));
	field(p, "created", buf);
	if (opt_i64_has(b->pid)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)b->pid.v);
		field(p, "pid", buf);
	}
	if (opt_i64_has(b->exit_code)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)b->exit_code.v);
		field(p, "exit code", buf);
	}
	snprintf(buf, sizeof(buf), "auto-stop %s, auto-delete %s, auto-resume %s",
		 b->auto_stop ? fmt_duration(b->auto_stop, t, sizeof(t)) : "off",
		 b->auto_delete ? fmt_duration(b->auto_delete, a, sizeof(a)) : "off",
		 b->auto_resume ? "on" : "off");
	field(p, "lifecycle", buf);
	field(p, "labels", column_text(COL_LABELS, b, NULL, 0, p->ui->glyphs, buf, sizeof(buf)));
}

/* For a box that is not running: when its metrics below were read, and why not since. */
static void last_measured(struct page *p, const struct metric_history *h)
{
	char when[FMT_BUF], age[FMT_BUF], line[300];
	int64_t at = (int64_t)time(NULL) - (time_mono_ms() - h->last_ms) / 1000;

	snprintf(line, sizeof(line),
		 "as last measured, %s UTC (%s ago), while it ran: boxtop does not ask a box that "
		 "is not running (on boxlite serve that would start it)",
		 fmt_timestamp(at, true, when, sizeof(when)),
		 fmt_age(at, time(NULL), age, sizeof(age)));
	field(p, "metrics", line);
}

/* One history as a sparkline scaled to max (NAN: to its own peak). */
static void graph(struct page *p, const struct metric_history *h, enum history_metric m, double max,
		  const char *name, const char *now_text)
{
	double series[HISTORY_LEN];
	size_t n = history_series(h, m, series, NULL, HISTORY_LEN);
	int gw = p->width - 30;
	char buf[GLYPH_BUF(HISTORY_LEN)];

	if (p->y >= getmaxy(p->w) || gw < 4)
		return;
	draw_text(p->w, p->y, 1, name, 14, p->ui->attr[C_DIM]);
	draw_text(p->w, p->y, 16, now_text, 12, p->ui->attr[C_NORMAL]);
	glyph_sparkline(series, n, max, p->ui->glyphs,
			(size_t)(gw > HISTORY_LEN ? HISTORY_LEN : gw), buf, sizeof(buf));
	draw_text(p->w, p->y, 29, buf, gw, p->ui->attr[C_GRAPH]);
	p->y++;
}

/* The boot stages as one stacked bar with a legend, when the server reports them. */
static void boot_bar(struct page *p, const struct box_metrics *m)
{
	struct glyph_segment seg[BOOT_STAGE_COUNT];
	size_t cells[BOOT_STAGE_COUNT];
	char bar[GLYPH_BUF(120)], legend[512], t[FMT_BUF];
	int bw = p->width - 30 > 120 ? 120 : p->width - 30;
	size_t used = 0;

	if (!m->boot.present || p->y >= getmaxy(p->w))
		return;
	for (int s = 0; s < BOOT_STAGE_COUNT; s++) {
		seg[s] = (struct glyph_segment){.value = (double)m->boot.stage_ms[s].v,
						.glyph = s % 2 ? "▒" : "█",
						.letter = (char)('a' + s)};
		used += (size_t)snprintf(legend + used, sizeof(legend) - used, "%s%c %s %lldms",
					 s ? ", " : "", 'a' + s,
					 boot_stage_name((enum boot_stage)s),
					 (long long)m->boot.stage_ms[s].v);
		if (used >= sizeof(legend))
			break;
	}
	if (bw > 4) {
		/* letters in every glyph set: seven stages need names, not shades */
		glyph_stack(seg, BOOT_STAGE_COUNT, GLYPH_ASCII, (size_t)bw, cells, bar,
			    sizeof(bar));
		snprintf(t, sizeof(t), "%lld ms", (long long)m->boot.total_create_ms.v);
		draw_text(p->w, p->y, 1, "boot", 14, p->ui->attr[C_DIM]);
		draw_text(p->w, p->y, 16, t, 12, p->ui->attr[C_NORMAL]);
		draw_text(p->w, p->y++, 29, bar, bw, p->ui->attr[C_GRAPH]);
	}
	if (p->y < getmaxy(p->w))
		draw_text(p->w, p->y++, 16, legend, p->width - 17, p->ui->attr[C_DIM]);
}

static void metric_graphs(struct page *p, const struct box *b)
{
	struct box_metrics m;
	struct metric_history *h = xmalloc(sizeof(*h));
	char t[FMT_BUF];
	double v;

	p->y++;
	if (!store_box_metrics(p->ui->store, b->id, &m, h)) {
		field(p, "metrics",
		      box_is_live(b)
			      ? "waiting..."
			      : "none: boxtop does not ask a box that is not running for its "
				"metrics "
				"(on boxlite serve that would start it)");
		free(h);
		return;
	}
	if (!box_is_live(b))
		last_measured(p, h);
	graph(p, h, HISTORY_CPU, 100.0 * (double)(b->cpus > 0 ? b->cpus : 1), "cpu",
	      fmt_percent(m.cpu_percent.v, t, sizeof(t)));
	graph(p, h, HISTORY_MEMORY, (double)b->memory_mib * 1048576.0, "memory",
	      opt_i64_has(m.memory_bytes) ? fmt_bytes(m.memory_bytes.v, t, sizeof(t)) : "-");
	graph(p, h, HISTORY_NET_RX, NAN, "net rx",
	      history_last(h, HISTORY_NET_RX, &v) ? fmt_rate(v, t, sizeof(t)) : "-");
	graph(p, h, HISTORY_NET_TX, NAN, "net tx",
	      history_last(h, HISTORY_NET_TX, &v) ? fmt_rate(v, t, sizeof(t)) : "-");
	boot_bar(p, &m);
	free(h);
}

static void snapshots(struct page *p, const struct box *b)
{
	const struct snapshot_list *sl = store_view_snapshots(&p->ui->view, b->id);
	char size[FMT_BUF], age[FMT_BUF], line[300];

	p->y++;
	if (p->y >= getmaxy(p->w))
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
	draw_server_text(p->ui, p->w, p->y++, 1, line, p->width - 2, GLYPH_LEFT, A_BOLD);
	for (size_t i = 0; sl != NULL && i < sl->n && p->y < getmaxy(p->w); i++) {
		const struct snapshot *s = &sl->items[i];

		draw_server_text(p->ui, p->w, p->y, 3, s->name, 30, GLYPH_LEFT, A_NORMAL);
		snprintf(line, sizeof(line), "%9s  %6s ago",
			 fmt_bytes(s->size_bytes, size, sizeof(size)),
			 fmt_age(s->created_at, time(NULL), age, sizeof(age)));
		draw_text(p->w, p->y++, 34, line, p->width - 35, A_NORMAL);
	}
}

static void detail_draw(struct ui *ui, struct view *v, WINDOW *w)
{
	const struct box *b = boxes_selected(ui);
	struct page p = {.w = w, .y = 0, .width = ui->cols, .ui = ui};

	(void)v;
	if (b == NULL) {
		draw_text(w, 1, 2, "no box selected (1 for the boxes table)", ui->cols - 4,
			  ui->attr[C_DIM]);
		return;
	}
	box_fields(&p, b);
	metric_graphs(&p, b);
	snapshots(&p, b);
}

/* ---- keys ---- */

/* ^R here asks the box's snapshots again too: an explicit look. */
static unsigned k_look_box(struct ui *ui, const struct binding *bd, int key)
{
	const struct box *b = boxes_selected(ui);

	(void)bd;
	(void)key;
	if (b == NULL) {
		poller_kick(ui->poller);
		ui_flash(ui, false, "asking again");
		return REDRAW_FOOT;
	}
	poller_look_snapshots(ui->poller, b->id);
	ui_flash(ui, false, "asking again, %s's snapshots too", box_display_name(b));
	return REDRAW_FOOT;
}

static const struct binding detail_keys[] = {
	{{CTRL_KEY('r'), KEYCODE(KEY_F(5))},
	 "^R",
	 "ask again now, the box's snapshots",
	 0,
	 NO_ACTION,
	 k_look_box},
	{{'f'}, "f", NULL, IN_HINTS, JOB_CP_OUT, NULL},
	{{'F'}, "F", NULL, 0, JOB_CP_IN, NULL},
};

const struct view_class view_detail = {
	.name = "Detail",
	.create = detail_create,
	.destroy = detail_destroy,
	.update = detail_update,
	.enter = detail_enter,
	.draw = detail_draw,
	.selected_box = detail_box,
	.keys = detail_keys,
	.n_keys = ARRAY_LEN(detail_keys),
	.ages = true,
};
