/*
 * view_logs: a box's log, read from its main session once l asks for it and
 * while the view shows it (net/logtail follows it on a thread; the store's
 * log feed brings the bytes; model/logbuf keeps them as safe styled lines,
 * bounded). f follows
 * the newest line or stays put, w wraps long lines, / searches (n and N go
 * on), o saves the log to a file. SGR colours are drawn as attributes;
 * nothing else of the log reaches the terminal unsanitized.
 *
 * Leaving the view stops the follower: looking at a box's log is using the
 * box, and boxtop does that only while asked to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/logbuf.h"
#include "model/xalloc.h"
#include "net/logtail.h"
#include "net/xfer.h"
#include "keys.h"
#include "ui.h"

#define SEARCH_MAX 256

struct logs {
	char *box_id, *box_name; /* the box followed, or NULL */
	uint64_t session;        /* the store's log feed, for this follower */
	struct logtail *tail;
	struct logbuf buf;
	char state[256]; /* the follower's words */
	size_t dropped;  /* bytes the feed could not keep */
	bool follow;     /* stick to the newest line */
	bool wrap;
	uint64_t top; /* the absolute number of the first line shown, when not following */
	char *search;
	bool searching; /* the search line is being typed into */
	struct lineedit search_edit;
	long match; /* the line of the last match, or -1 */
};

static struct logs *state(struct ui *ui)
{
	return ui_view_state(ui, &view_logs);
}

static void stop(struct logs *s)
{
	logtail_stop(&s->tail);
	free(s->box_id);
	free(s->box_name);
	s->box_id = s->box_name = NULL;
}

/* Follows b from now: a new feed session, an empty log (the server replays its backlog). */
static void start(struct ui *ui, struct logs *s, const struct box *b)
{
	struct http_conf conf = settings_http_conf(ui->settings);

	stop(s);
	logbuf_clear(&s->buf);
	logbuf_init(&s->buf, ui->opts->log_lines, ui->opts->log_bytes);
	s->box_id = xstrdup(b->id);
	s->box_name = xstrdup(box_display_name(b));
	s->session++;
	s->dropped = 0;
	s->follow = true;
	s->match = -1;
	snprintf(s->state, sizeof(s->state), "attaching");
	s->tail = logtail_start(ui->settings->url, ui_prefix(ui), &conf, ui->login, s->box_id,
				ui->store, s->session);
	if (s->tail == NULL)
		snprintf(s->state, sizeof(s->state), "cannot start a thread: %s", strerror(errno));
}

/* ---- hooks ---- */

static void *logs_create(struct ui *ui, char *err, size_t errlen)
{
	struct logs *s = xcalloc(1, sizeof(*s));

	(void)err;
	(void)errlen;
	logbuf_init(&s->buf, ui->opts->log_lines, ui->opts->log_bytes);
	lineedit_init(&s->search_edit, NULL, SEARCH_MAX);
	s->follow = true;
	s->wrap = true;
	s->match = -1;
	return s;
}

static void logs_destroy(void *p)
{
	struct logs *s = p;

	if (s == NULL)
		return;
	stop(s);
	logbuf_clear(&s->buf);
	lineedit_clear(&s->search_edit);
	free(s->search);
	free(s);
}

unsigned logs_follow(struct ui *ui, const struct box *b)
{
	/* on boxlite serve an attach may start the box: looking must not */
	if (b->status != BOX_RUNNING) {
		ui_flash(ui, true,
			 "%s is %s: it has no log to follow (boxtop does not start a box to "
			 "read it)",
			 box_display_name(b), box_status_name(b->status));
		return REDRAW_FOOT;
	}
	start(ui, state(ui), b);
	return ui_show(ui, &view_logs) | REDRAW_ALL;
}

/* Left: the follower stops; the lines read stay until l follows again. */
static void logs_leave(struct ui *ui, struct view *v)
{
	struct logs *s = v->state;

	(void)ui;
	if (s->tail == NULL)
		return;
	logtail_stop(&s->tail);
	snprintf(s->state, sizeof(s->state), "not followed since the view was left (l follows)");
}

static void take(void *arg, int stream, const char *bytes, size_t n)
{
	logbuf_feed(arg, stream, bytes, n);
}

static unsigned logs_update(struct ui *ui, struct view *v, unsigned changed)
{
	struct logs *s = v->state;

	if (!(changed & STORE_LOG) || s->tail == NULL)
		return 0;
	s->dropped +=
		store_log_take(ui->store, s->session, take, &s->buf, s->state, sizeof(s->state));
	/* the follower is done: a last line without its newline is shown too */
	if (strncmp(s->state, "closed", 6) == 0 || strncmp(s->state, "refused", 7) == 0 ||
	    strncmp(s->state, "ended", 5) == 0)
		logbuf_flush(&s->buf);
	return REDRAW_BODY;
}

/* The first line shown when following: as many of the newest as fill rows (wrapped or not). */
static size_t last_page(struct ui *ui, struct logs *s, size_t rows)
{
	size_t n = logbuf_count(&s->buf), used = 0, i = n;
	size_t cols = ui->cols > 0 ? (size_t)ui->cols : 1;

	while (i > 0) {
		const struct log_line *l = logbuf_at(&s->buf, i - 1);
		size_t h = s->wrap ? (sanitize_width(l->text) + cols - 1) / cols : 1;

		h = h > 0 ? h : 1;
		if (used + h > rows)
			break;
		used += h;
		i--;
	}
	return i == n && n > 0 ? n - 1 : i; /* a newest line taller than the view: its start */
}

static size_t first_shown(struct ui *ui, struct logs *s)
{
	size_t rows = draw_table_rows(ui);

	return s->follow ? last_page(ui, s, rows) : logbuf_index(&s->buf, s->top);
}

static unsigned logs_cursor(struct ui *ui, struct view *v, long delta, bool absolute)
{
	struct logs *s = v->state;
	long n = (long)logbuf_count(&s->buf), from = (long)first_shown(ui, s);
	long last = (long)last_page(ui, s, draw_table_rows(ui));
	long to = absolute ? delta : from + delta;

	if (n == 0)
		return 0;
	to = to < 0 ? 0 : (to > last ? last : to);
	/* the bottom follows again; anywhere above stays put */
	s->follow = to >= last;
	s->top = logbuf_number(&s->buf, (size_t)to);
	return REDRAW_BODY | REDRAW_FOOT;
}

static unsigned logs_back(struct ui *ui, struct view *v)
{
	struct logs *s = v->state;

	(void)ui;
	if (s->search == NULL)
		return 0;
	free(s->search);
	s->search = NULL;
	s->match = -1;
	return REDRAW_ALL;
}

/* Goes to the next match of the search from the line after (or before) the last. */
static unsigned find_next(struct ui *ui, struct logs *s, int dir)
{
	size_t n = logbuf_count(&s->buf);
	size_t from = s->match >= 0 ? (size_t)(s->match + dir + (long)n) % (n > 0 ? n : 1)
				    : first_shown(ui, s);
	long at = s->search != NULL ? logbuf_find(&s->buf, s->search, from, dir) : -1;

	if (at < 0) {
		ui_flash(ui, true, "not found: %s", s->search != NULL ? s->search : "");
		return REDRAW_FOOT;
	}
	s->match = at;
	s->follow = false;
	s->top = logbuf_number(&s->buf, (size_t)at);
	return REDRAW_BODY | REDRAW_FOOT;
}

/* Keys while the search line is open; Enter searches. */
static unsigned logs_key(struct ui *ui, struct view *v, int key, bool *taken)
{
	struct logs *s = v->state;
	const char *text;

	*taken = s->searching;
	if (!s->searching)
		return 0;
	if (key == KEY_ESC) {
		s->searching = false;
		return REDRAW_FOOT;
	}
	if (key != '\r' && key != '\n' && key != KEYCODE(KEY_ENTER))
		return prompt_edit_key(&s->search_edit, key) ? REDRAW_FOOT : 0;
	s->searching = false;
	text = lineedit_text(&s->search_edit);
	free(s->search);
	s->search = text[0] != '\0' ? xstrdup(text) : NULL;
	s->match = -1;
	return s->search != NULL ? find_next(ui, s, 1) : REDRAW_FOOT;
}

static bool logs_footer(struct ui *ui, struct view *v, WINDOW *w, int y)
{
	struct logs *s = v->state;
	struct lineedit_view lv;

	if (!s->searching)
		return false;
	draw_text(w, y, 0, "/", 1, ui->attr[C_WARN]);
	lineedit_view(&s->search_edit, (size_t)(ui->cols > 2 ? ui->cols - 2 : 1), &lv);
	mvwaddnstr(w, y, 1, lineedit_text(&s->search_edit) + lv.start, (int)(lv.end - lv.start));
	mvwchgat(w, y, 1 + (int)lv.cursor_col, 1, A_REVERSE, 0, NULL);
	return true;
}

static void logs_status(struct ui *ui, struct view *v, char *buf, size_t size)
{
	struct logs *s = v->state;

	(void)ui;
	if (s->search != NULL)
		snprintf(buf, size, "search: %s", s->search);
	else
		buf[0] = '\0';
}

static const struct box *logs_box(struct ui *ui, struct view *v)
{
	(void)v;
	return boxes_selected(ui);
}

/* ---- drawing ---- */

static attr_t run_attr(struct ui *ui, const struct log_run *r)
{
	attr_t a = ui->log_fg[r->fg < ARRAY_LEN(ui->log_fg) ? r->fg : 0];

	if (r->attr & LOG_BOLD)
		a |= A_BOLD;
	if (r->attr & LOG_DIM)
		a |= A_DIM;
	if (r->attr & LOG_UNDERLINE)
		a |= A_UNDERLINE;
	if (r->attr & LOG_REVERSE)
		a |= A_REVERSE;
	return a;
}

/*
 * Draws line l from row y, its runs in their colours; wrapped it takes as
 * many rows as it needs (up to bottom), else it is cut. Returns the rows used.
 */
static int draw_line(struct ui *ui, struct logs *s, WINDOW *w, int y, int bottom,
		     const struct log_line *l, bool current)
{
	int x = 0, row = y;

	if (current) {
		wattrset(w, ui->attr[C_SELECTED]);
		mvwhline(w, y, 0, ' ', ui->cols);
	}
	for (size_t r = 0; r < l->n_runs && row < bottom; r++) {
		const char *p = l->text + l->runs[r].off, *end = p + l->runs[r].len;
		attr_t a = current ? ui->attr[C_SELECTED] : run_attr(ui, &l->runs[r]);

		while (p < end && row < bottom) {
			size_t cols, n = sanitize_prefix(p, (size_t)(end - p),
							 (size_t)(ui->cols - x), &cols);
			char *piece = xstrndup(p, n);

			if (n > 0)
				draw_text(w, row, x, piece, (int)cols, a);
			free(piece);
			x += (int)cols;
			p += n;
			if (p < end || x >= ui->cols) {
				if (!s->wrap)
					return 1;
				row++;
				x = 0;
			}
			if (n == 0 && x == 0 && p < end)
				p = end; /* a character wider than the screen */
		}
	}
	return row - y + (x > 0 || row == y ? 1 : 0);
}

static void heading(struct ui *ui, struct logs *s, WINDOW *w)
{
	char text[512];

	snprintf(text, sizeof(text), "LOG %s  %s  %s  wrap %s  %zu lines%s", s->box_name, s->state,
		 s->follow ? "following" : "paused (G follows)", s->wrap ? "on" : "off",
		 logbuf_count(&s->buf), s->dropped > 0 ? "  (some dropped: too fast)" : "");
	draw_heading(ui, w, "");
	draw_server_text(ui, w, 0, 0, text, ui->cols, GLYPH_LEFT, ui->attr[C_HEADER]);
}

static void logs_draw(struct ui *ui, struct view *v, WINDOW *w)
{
	struct logs *s = v->state;
	int bottom = getmaxy(w), y = 1;

	if (s->box_id == NULL) {
		draw_heading(ui, w, "LOG");
		draw_text(w, 2, 2,
			  "l on a box follows its log (reading it attaches to the box's main "
			  "session, "
			  "which counts as using the box)",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	heading(ui, s, w);
	if (logbuf_count(&s->buf) == 0) {
		draw_server_text(ui, w, 2, 2,
				 strncmp(s->state, "attach", 6) == 0 ? "waiting for the log..."
								     : s->state,
				 ui->cols - 4, GLYPH_LEFT, ui->attr[C_DIM]);
		return;
	}
	for (size_t i = first_shown(ui, s); i < logbuf_count(&s->buf) && y < bottom; i++)
		y += draw_line(ui, s, w, y, bottom, logbuf_at(&s->buf, i), (long)i == s->match);
}

/* ---- keys ---- */

static unsigned k_follow(struct ui *ui, const struct binding *b, int key)
{
	struct logs *s = state(ui);

	(void)b;
	(void)key;
	s->follow = !s->follow;
	if (!s->follow)
		s->top = logbuf_number(&s->buf, first_shown(ui, s));
	ui_flash(ui, false, s->follow ? "following the newest lines" : "staying put");
	return REDRAW_BODY | REDRAW_FOOT;
}

static unsigned k_wrap(struct ui *ui, const struct binding *b, int key)
{
	struct logs *s = state(ui);

	(void)b;
	(void)key;
	s->wrap = !s->wrap;
	return REDRAW_BODY;
}

static unsigned k_search(struct ui *ui, const struct binding *b, int key)
{
	struct logs *s = state(ui);

	(void)b;
	(void)key;
	s->searching = true;
	lineedit_clear(&s->search_edit);
	lineedit_init(&s->search_edit, s->search, SEARCH_MAX);
	return REDRAW_FOOT;
}

static unsigned k_next(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	if (state(ui)->search == NULL) {
		ui_flash(ui, true, "no search yet (/ to search)");
		return REDRAW_FOOT;
	}
	return find_next(ui, state(ui), key == 'N' ? -1 : 1);
}

/* Writes the log to path through a .part file renamed into place: never half a file. */
static int save(struct logs *s, const char *path, char *why, size_t size)
{
	char *part = xasprintf("%s.part", path);
	int fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct net_error err;
	int rc = -1;

	if (f == NULL) {
		snprintf(why, size, "cannot write %s: %s", part, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(part);
		return -1;
	}
	if (access(path, F_OK) == 0)
		snprintf(why, size, "%s exists; not replacing it", path);
	else if (logbuf_write(&s->buf, f) < 0 || fflush(f) != 0)
		snprintf(why, size, "cannot write %s: %s", part, strerror(errno));
	else if (xfer_commit_part(fileno(f), part, path, false, &err) < 0)
		snprintf(why, size, "%s", err.message);
	else
		rc = 0;
	fclose(f);
	if (rc < 0)
		unlink(part);
	free(part);
	return rc;
}

static void save_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	struct logs *s = state(ui);
	char why[512];

	(void)m;
	(void)choice;
	if (text[0] == '\0') {
		ui_flash(ui, true, "saving the log needs a file name");
		return;
	}
	if (save(s, text, why, sizeof(why)) < 0)
		ui_flash(ui, true, "%s", why);
	else
		ui_flash(ui, false, "saved %zu lines to %s", logbuf_count(&s->buf), text);
}

static unsigned k_save(struct ui *ui, const struct binding *b, int key)
{
	struct logs *s = state(ui);
	const char *dir = ui->opts->export_dir != NULL ? ui->opts->export_dir : ".";
	char *base, *def;

	(void)b;
	(void)key;
	if (s->box_id == NULL)
		return 0;
	base = xfer_default_name(dir, s->box_name, time(NULL));
	/* "<dir>/<box>-<stamp>.boxlite" -> ".log" */
	def = xasprintf("%.*s.log", (int)(strlen(base) - strlen(".boxlite")), base);
	modal_prompt(ui, "Save the log to", def, true, save_answer);
	free(def);
	free(base);
	return REDRAW_ALL;
}

static const struct binding logs_keys[] = {
	{{'f'}, "f", "follow the newest lines / stay put", IN_HINTS, NO_ACTION, k_follow},
	{{'w'}, "w", "wrap long lines on / off", IN_HINTS, NO_ACTION, k_wrap},
	{{'/'},
	 "/",
	 "search the log (n, N: the next, the previous)",
	 IN_HINTS,
	 NO_ACTION,
	 k_search},
	{{'n'}, "n/N", "the next / previous match", 0, NO_ACTION, k_next},
	{{'N'}, "", "", 0, NO_ACTION, k_next},
	{{'o'}, "o", "save the log to a file", IN_HINTS, NO_ACTION, k_save},
};

const struct view_class view_logs = {
	.name = "Logs",
	.create = logs_create,
	.destroy = logs_destroy,
	.update = logs_update,
	.leave = logs_leave,
	.draw = logs_draw,
	.cursor = logs_cursor,
	.back = logs_back,
	.key = logs_key,
	.footer = logs_footer,
	.status = logs_status,
	.selected_box = logs_box,
	.keys = logs_keys,
	.n_keys = ARRAY_LEN(logs_keys),
};
