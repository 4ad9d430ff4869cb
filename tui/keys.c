/*
 * keys: the global key table, and the dispatch of a key: the shown view's
 * line being typed into, then its own rows (view.h), then the global rows
 * that apply to it. A row either starts an action of net/actions' table
 * (the flow asks for the rest, see flow.c) or runs its handler; either way
 * it returns what it changed. The hint bar and the help are generated from
 * the same rows, so they cannot drift from what the keys do (htop's
 * Action.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "net/api.h"
#include "keys.h"
#include "ui.h"

/* ---- navigation ---- */

static size_t page(struct ui *ui)
{
	size_t h = draw_table_rows(ui);

	return h > 1 ? h - 1 : 1;
}

static unsigned nav(struct ui *ui, long delta, bool absolute)
{
	struct view *v = ui_current(ui);

	return v->cls->cursor != NULL ? v->cls->cursor(ui, v, delta, absolute) : 0;
}

static unsigned k_move(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	switch (key) {
	case 'j':
	case KEYCODE(KEY_DOWN):
		return nav(ui, 1, false);
	case 'k':
	case KEYCODE(KEY_UP):
		return nav(ui, -1, false);
	case 'g':
	case KEYCODE(KEY_HOME):
		return nav(ui, 0, true);
	case 'G':
	case KEYCODE(KEY_END):
		return nav(ui, 1L << 40, true);
	case KEYCODE(KEY_PPAGE):
	case CTRL_KEY('b'):
		return nav(ui, -(long)page(ui), false);
	default:
		return nav(ui, (long)page(ui), false);
	}
}

/* Esc: an action waiting for its pick is dropped; else the view undoes (a filter), else view 1. */
static unsigned k_back(struct ui *ui, const struct binding *b, int key)
{
	struct view *v = ui_current(ui);
	unsigned r;

	(void)b;
	(void)key;
	if (flow_waits_for_pick(ui)) {
		flow_forget(ui);
		ui_flash(ui, false, "snapshot pick abandoned");
		return REDRAW_FOOT;
	}
	r = v->cls->back != NULL ? v->cls->back(ui, v) : 0;
	return r != 0 ? r : ui_show_at(ui, 0);
}

static unsigned k_view(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	return ui_show_at(ui, (size_t)(key - '1'));
}

static unsigned k_cycle(struct ui *ui, const struct binding *b, int key)
{
	size_t n = view_count();

	(void)b;
	return ui_show_at(ui, (ui->current + (key == '\t' ? 1 : n - 1)) % n);
}

/* ---- filter, pause, redraw, help, quit ---- */

static unsigned k_filter(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	return boxes_filter_open(ui);
}

static unsigned k_pause(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	ui->paused = !ui->paused;
	ui_flash(ui, false, ui->paused ? "updates paused (p resumes)" : "updates resumed");
	return REDRAW_HEAD | REDRAW_FOOT;
}

static unsigned k_redraw(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	poller_kick(ui->poller);
	return REDRAW_ALL | REDRAW_SCREEN;
}

static unsigned k_look(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	poller_kick(ui->poller);
	ui_flash(ui, false, "asking again");
	return REDRAW_FOOT;
}

static unsigned k_help(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	ui->modal.kind = MODAL_HELP;
	return REDRAW_ALL;
}

static void quit_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)m;
	(void)text;
	if (choice == 'w') {
		ui->quit_when_idle = true;
		ui_flash(ui, false, "quitting when the jobs are done (q again to choose again)");
	} else if (choice == 'c') {
		ui->quit = true;
	}
}

static unsigned k_quit(struct ui *ui, const struct binding *b, int key)
{
	size_t n = ui_active_jobs(ui);
	char msg[128];

	(void)b;
	(void)key;
	if (n == 0) {
		ui->quit = true;
		return 0;
	}
	snprintf(msg, sizeof(msg), "%zu job%s still queued or running.", n,
		 n == 1 ? " is" : "s are");
	modal_confirm(ui, "Quit boxtop?", msg, NULL, quit_answer);
	ui->modal.kind = MODAL_QUIT;
	return REDRAW_ALL;
}

/* s: start a box that does not run, stop one that does (after asking). */
static unsigned k_start_stop(struct ui *ui, const struct binding *b, int key)
{
	const struct box *box = ui_box(ui);

	(void)b;
	(void)key;
	return flow_begin(ui, action_def(box->status == BOX_RUNNING ? JOB_STOP : JOB_START));
}

/* l: the box's log, followed from now (an explicit look: it attaches). */
static unsigned k_logs(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	return logs_follow(ui, ui_box(ui));
}

/* !: a shell in the box, on the whole terminal (tui/shellkey.c). */
static unsigned k_shell(struct ui *ui, const struct binding *b, int key)
{
	(void)b;
	(void)key;
	return shell_open(ui, ui_box(ui));
}

/* ---- the table ---- */

static const struct binding bindings[] = {
	{{'j', KEYCODE(KEY_DOWN)}, "j/k", "move down / up", IN_HINTS, NO_ACTION, k_move},
	{{'k', KEYCODE(KEY_UP)}, "", "", 0, NO_ACTION, k_move},
	{{KEYCODE(KEY_NPAGE), CTRL_KEY('f'), ' '}, "PgDn", "page down", 0, NO_ACTION, k_move},
	{{KEYCODE(KEY_PPAGE), CTRL_KEY('b')}, "PgUp", "page up", 0, NO_ACTION, k_move},
	{{'g', KEYCODE(KEY_HOME)}, "g/G", "first / last", 0, NO_ACTION, k_move},
	{{'G', KEYCODE(KEY_END)}, "", "", 0, NO_ACTION, k_move},
	{{KEY_ESC, KEYCODE(KEY_BACKSPACE)}, "Esc", "back / clear the filter", 0, NO_ACTION, k_back},
	{{'1', '2', '3', '4', '5', '6', '7', '8', '9'}, NULL, NULL, 0, NO_ACTION, k_view},
	{{'\t', KEYCODE(KEY_BTAB)}, "Tab", "next view (Shift-Tab previous)", 0, NO_ACTION, k_cycle},
	{{'/'},
	 "/",
	 "filter: text, status:running, image:x, label:k=v, !neg",
	 IN_HINTS | BOX_VIEWS,
	 NO_ACTION,
	 k_filter},
	{{'S'}, "S", NULL, IN_HINTS, JOB_SNAPSHOT_CREATE, NULL},
	{{'R'}, "R", NULL, IN_HINTS, JOB_SNAPSHOT_RESTORE, NULL},
	{{'d'}, "d", NULL, 0, JOB_SNAPSHOT_DELETE, NULL},
	{{'c'}, "c", NULL, IN_HINTS, JOB_CLONE, NULL},
	{{'e'}, "e", NULL, IN_HINTS, JOB_EXPORT, NULL},
	{{'i'}, "i", NULL, IN_HINTS, JOB_IMPORT, NULL},
	{{'s'},
	 "s",
	 "start / stop the box",
	 IN_HINTS | NEEDS_BOX | MUTATES,
	 NO_ACTION,
	 k_start_stop},
	{{'D'}, "D", NULL, 0, JOB_DELETE_BOX, NULL},
	{{'l'}, "l", "the box's log (follows it)", IN_HINTS | NEEDS_BOX, NO_ACTION, k_logs},
	{{'!'},
	 "!",
	 "a shell in the box (~. leaves it running)",
	 IN_HINTS | NEEDS_BOX | MUTATES,
	 NO_ACTION,
	 k_shell},
	{{'p'}, "p", "pause / resume updates", 0, NO_ACTION, k_pause},
	{{CTRL_KEY('l')}, "^L", "redraw the screen", 0, NO_ACTION, k_redraw},
	{{CTRL_KEY('r'), KEYCODE(KEY_F(5))}, "^R", "ask again now", 0, NO_ACTION, k_look},
	{{'?', KEYCODE(KEY_F(1))}, "?", "help", IN_HINTS | ALWAYS, NO_ACTION, k_help},
	{{'q', KEYCODE(KEY_F(10))}, "q", "quit", IN_HINTS | ALWAYS, NO_ACTION, k_quit},
};

size_t keys_table(const struct binding **rows)
{
	*rows = bindings;
	return ARRAY_LEN(bindings);
}

/* The number keys' label and help, from the views' table: "1-5", "Boxes, Detail, ...". */
static const char *views_text(bool label)
{
	static char names[256], keys[8];

	if (names[0] == '\0') {
		size_t used = 0;

		for (size_t i = 0; i < view_count() && used < sizeof(names); i++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 i > 0 ? ", " : "", view_class_at(i)->name);
		snprintf(keys, sizeof(keys), "1-%zu", view_count());
	}
	return label ? keys : names;
}

const char *binding_help(const struct binding *b)
{
	if (b->help != NULL)
		return b->help;
	if (b->action != NO_ACTION)
		return action_def((enum job_kind)b->action)->help;
	return views_text(false);
}

const char *binding_label(const struct binding *b)
{
	return b->label != NULL ? b->label : views_text(true);
}

unsigned binding_flags(const struct binding *b)
{
	const struct action_def *d =
		b->action != NO_ACTION ? action_def((enum job_kind)b->action) : NULL;

	if (d == NULL)
		return b->flags;
	return b->flags | (d->read_only ? 0 : MUTATES) | (d->needs & ACT_BOX ? NEEDS_BOX : 0);
}

/* Whether a global row applies to a view of class c: one about boxes only where it has them. */
static bool applies(const struct binding *b, const struct view_class *c)
{
	const struct action_def *d =
		b->action != NO_ACTION ? action_def((enum job_kind)b->action) : NULL;

	if ((binding_flags(b) & (NEEDS_BOX | BOX_VIEWS)) && c->selected_box == NULL)
		return false;
	return d == NULL || !(d->needs & ACT_IMAGE) || c->selected_image != NULL;
}

static bool binds(const struct binding *b, int key)
{
	for (int k = 0; k < BINDING_KEYS && b->keys[k] != 0; k++)
		if (b->keys[k] == key)
			return true;
	return false;
}

/* The row key means in the shown view: its own rows first, then the global ones. */
static const struct binding *find(struct ui *ui, int key)
{
	const struct view *v = ui_current(ui);

	for (size_t i = 0; i < v->cls->n_keys; i++)
		if (binds(&v->cls->keys[i], key))
			return &v->cls->keys[i];
	for (size_t i = 0; i < ARRAY_LEN(bindings); i++)
		if (binds(&bindings[i], key) && applies(&bindings[i], v->cls))
			return &bindings[i];
	return NULL;
}

/* Why b cannot run now, or NULL when it can. */
static const char *refusal(struct ui *ui, const struct binding *b, char *buf, size_t size)
{
	const struct action_def *d =
		b->action != NO_ACTION ? action_def((enum job_kind)b->action) : NULL;
	unsigned flags = binding_flags(b);
	struct net_error err;

	if ((flags & MUTATES) && ui->opts->readonly)
		return "read-only mode (--readonly)";
	if ((flags & NEEDS_BOX) && ui_box(ui) == NULL)
		return "no box selected";
	if (d != NULL && (d->needs & ACT_IMAGE) && ui_image(ui) == NULL)
		return "no image selected";
	if (d != NULL && d->cap != CAP_COUNT &&
	    api_require(store_view_config(&ui->view), d->cap, &err) < 0) {
		snprintf(buf, size, "%.200s", err.message);
		return buf;
	}
	return NULL;
}

unsigned keys_handle(struct ui *ui, int key)
{
	struct view *v = ui_current(ui);
	const struct binding *b;
	bool taken = false;
	unsigned r = v->cls->key != NULL ? v->cls->key(ui, v, key, &taken) : 0;
	char why[256];
	const char *no;

	if (taken)
		return r;
	b = find(ui, key);
	if (b == NULL)
		return 0;
	no = refusal(ui, b, why, sizeof(why));
	if (no != NULL) {
		ui_flash(ui, true, "%s: %s", binding_help(b), no);
		return REDRAW_FOOT;
	}
	if (b->action != NO_ACTION)
		return flow_begin(ui, action_def((enum job_kind)b->action));
	return b->fn(ui, b, key);
}

unsigned keys_mouse(struct ui *ui, int y, int x, int button)
{
	struct view *v = ui_current(ui);

	if (ui->modal.kind != MODAL_NONE)
		return 0;
	if (button == 4 || button == 5)
		return nav(ui, button == 4 ? -3 : 3, false);
	if (y == 2) {
		int tab = draw_tab_at(x);

		return tab >= 0 ? ui_show_at(ui, (size_t)tab) : 0;
	}
	if (y < 3 || y >= 3 + getmaxy(ui->body) || v->cls->click == NULL)
		return 0;
	return v->cls->click(ui, v, y - 3, x, button);
}

/* Whether a view of class c binds one of b's keys itself (its row wins). */
static bool shadowed(const struct binding *b, const struct view_class *c)
{
	for (size_t k = 0; k < c->n_keys; k++)
		for (int i = 0; i < BINDING_KEYS && b->keys[i] != 0; i++)
			if (binds(&c->keys[k], b->keys[i]))
				return true;
	return false;
}

/*
 * The rows of a view of class c in the order the hint bar and the help
 * show them: the global navigation row, then the view's own rows, then the
 * other global rows that apply and that it does not bind itself. Returns
 * how many (at most max).
 */
static size_t ordered(const struct view_class *c, const struct binding **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(bindings) && n < max; i++) {
		if (i == 1)
			for (size_t k = 0; k < c->n_keys && n < max; k++)
				out[n++] = &c->keys[k];
		if (applies(&bindings[i], c) && !shadowed(&bindings[i], c) && n < max)
			out[n++] = &bindings[i];
	}
	return n;
}

/* "S snapshot": the label and the first word of the help, for the hint bar. */
static int hint_text(const struct binding *b, char *buf, size_t size)
{
	const char *help = binding_help(b);
	int len = snprintf(buf, size, "%s %s", binding_label(b), help);

	if (len > 18) /* the hint bar has room for the first words only */
		len = snprintf(buf, size, "%s %.*s", binding_label(b), (int)strcspn(help, " /:"),
			       help);
	return len;
}

static void draw_hint(struct ui *ui, WINDOW *w, int y, int x, const struct binding *b)
{
	char hint[64], why[256];
	int len = hint_text(b, hint, sizeof(hint));
	bool off = refusal(ui, b, why, sizeof(why)) != NULL;

	draw_text(w, y, x, hint, len, ui->attr[C_HEADER] | (off ? A_DIM : A_BOLD));
}

#define ROWS_MAX 64

/*
 * The hint bar: the rows marked for it, in order, as many as fit; the
 * ALWAYS ones (help, quit) are kept at the right end whatever the width.
 */
void keys_hints(struct ui *ui, WINDOW *w, int y, int width)
{
	const struct binding *rows[ROWS_MAX];
	size_t n = ordered(ui_current(ui)->cls, rows, ROWS_MAX);
	char hint[64];
	int x = 0, right = width;

	wattrset(w, ui->attr[C_HEADER]);
	mvwhline(w, y, 0, ' ', width);
	for (size_t i = n; i-- > 0;) {
		int len = hint_text(rows[i], hint, sizeof(hint));

		if ((rows[i]->flags & ALWAYS) && right - len - 1 >= 0) {
			right -= len + 2;
			draw_hint(ui, w, y, right + 1, rows[i]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		int len = hint_text(rows[i], hint, sizeof(hint));

		if (!(rows[i]->flags & IN_HINTS) || (rows[i]->flags & ALWAYS))
			continue;
		if (x + len + 1 > right)
			break;
		draw_hint(ui, w, y, x, rows[i]);
		x += len + 2;
	}
}

size_t keys_help_lines(struct ui *ui, char ***lines)
{
	const struct binding *rows[ROWS_MAX];
	size_t n = ordered(ui_current(ui)->cls, rows, ROWS_MAX), out = 0;
	char why[256];

	*lines = xcalloc(n > 0 ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *no;

		if (binding_label(rows[i])[0] == '\0')
			continue;
		no = (binding_flags(rows[i]) & MUTATES) ? refusal(ui, rows[i], why, sizeof(why))
							: NULL;
		(*lines)[out++] = xasprintf("%-6s %s%s%s%s", binding_label(rows[i]),
					    binding_help(rows[i]), no != NULL ? "  [off: " : "",
					    no != NULL ? no : "", no != NULL ? "]" : "");
	}
	return out;
}

void keys_print(FILE *out)
{
	const struct binding *rows[ROWS_MAX];

	for (size_t v = 0; v < view_count(); v++) {
		const struct view_class *c = view_class_at(v);
		size_t n = ordered(c, rows, ROWS_MAX);

		fprintf(out, "%s%zu %s\n", v > 0 ? "\n" : "", v + 1, c->name);
		for (size_t i = 0; i < n; i++)
			if (binding_label(rows[i])[0] != '\0')
				fprintf(out, "  %-6s %s\n", binding_label(rows[i]),
					binding_help(rows[i]));
	}
}
