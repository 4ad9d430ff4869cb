/*
 * view: what a view of the dashboard is (htop's panels as objects): a class
 * of hooks and its own state, one instance per class, listed once in
 * view.c's table. The loop only dispatches: it tells every view when the
 * store changed, draws the one shown, and hands it the keys and clicks the
 * global key table does not take. Adding a view is a new view_*.c file and
 * one row of that table: its tab, its number key and its place in Tab's
 * cycle come from the row.
 *
 * Every handler returns what it changed (a reaction, htop's Htop_Reaction),
 * and a frame redraws only that.
 */
#ifndef BOXTOP_TUI_VIEW_H
#define BOXTOP_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curses.h"
#include "model/box.h"
#include "model/image.h"

struct ui;
struct binding;
struct view;

/* What a handler changed: the parts of the screen the next frame redraws. */
enum reaction {
	REDRAW_HEAD = 1u << 0,   /* the header: connection, counts, tabs */
	REDRAW_BODY = 1u << 1,   /* the view */
	REDRAW_FOOT = 1u << 2,   /* the message line and the hint bar */
	REDRAW_SCREEN = 1u << 3, /* every cell sent again (Ctrl-L, resize, SIGCONT) */
	REDRAW_ALL = REDRAW_HEAD | REDRAW_BODY | REDRAW_FOOT,
};

/* What the poller should fetch for the screen as it is; views fill it in. */
struct interest {
	const char *ids[512]; /* boxes whose rows show (metrics) */
	size_t n_ids;
	const char *selected; /* the box actions act on */
	bool images;          /* the image list is shown */
	const char *image;    /* the image whose detail shows */
};

struct view_class {
	const char *name; /* its tab: "Boxes" */
	/* Its state, made once at start (NULL and err set when it cannot be). */
	void *(*create)(struct ui *ui, char *err, size_t errlen);
	void (*destroy)(void *state);
	/* The store changed (STORE_* bits): every view hears it, shown or not. */
	unsigned (*update)(struct ui *ui, struct view *v, unsigned changed);
	/* It is about to be shown (from another view), or another is. */
	unsigned (*enter)(struct ui *ui, struct view *v);
	void (*leave)(struct ui *ui, struct view *v);
	void (*draw)(struct ui *ui, struct view *v, WINDOW *w);
	/* The cursor by delta rows, or to row delta when absolute. */
	unsigned (*cursor)(struct ui *ui, struct view *v, long delta, bool absolute);
	/* A click at y, x of the body (button 1, or 2 for a double click). */
	unsigned (*click)(struct ui *ui, struct view *v, int y, int x, int button);
	/* Esc: what it undoes in the view (a filter); 0 when nothing, and Esc goes to view 1. */
	unsigned (*back)(struct ui *ui, struct view *v);
	/*
	 * Every key before the key tables see it, for a view with a line being
	 * typed into; sets *taken when it took the key.
	 */
	unsigned (*key)(struct ui *ui, struct view *v, int key, bool *taken);
	/* The footer's message line while the view owns it; false when it does not. */
	bool (*footer)(struct ui *ui, struct view *v, WINDOW *w, int y);
	/* A note after the tabs ("filter: ...", the image cache's use), or "". */
	void (*status)(struct ui *ui, struct view *v, char *buf, size_t size);
	/* What the poller should fetch; shown says whether it is on screen. */
	void (*interest)(struct ui *ui, struct view *v, struct interest *in, bool shown);
	/* The box or image actions act on here, or NULL (the view has none). */
	const struct box *(*selected_box)(struct ui *ui, struct view *v);
	const struct image_info *(*selected_image)(struct ui *ui, struct view *v);
	/* Its own keys, looked up before the global table's. */
	const struct binding *keys;
	size_t n_keys;
	bool ages; /* it shows times that age: redrawn every second */
};

struct view {
	const struct view_class *cls;
	void *state;
};

/* The classes, in tab order (view.c). */
extern const struct view_class view_boxes, view_detail, view_images, view_jobs, view_events,
	view_logs;

/* The table: how many views, and the i-th class. */
size_t view_count(void);
const struct view_class *view_class_at(size_t i);

/* The instance of class c in ui, and its state. */
struct view *ui_view(struct ui *ui, const struct view_class *c);
void *ui_view_state(struct ui *ui, const struct view_class *c);
/* The view shown. */
struct view *ui_current(struct ui *ui);
bool ui_showing(struct ui *ui, const struct view_class *c);
/* Shows view i (its enter hook runs when it was not shown). Returns the reaction. */
unsigned ui_show_at(struct ui *ui, size_t i);
unsigned ui_show(struct ui *ui, const struct view_class *c);
/* The box (image) actions act on in the shown view, or NULL. */
const struct box *ui_box(struct ui *ui);
const struct image_info *ui_image(struct ui *ui);
/* Makes every view's state (NULL on failure, err set) and frees it. */
int views_create(struct ui *ui, char *err, size_t errlen);
void views_destroy(struct ui *ui);
/* Tells every view the store changed; the reaction of the shown one, and the header's. */
unsigned views_update(struct ui *ui, unsigned changed);

/* view_boxes.c: the table the other views take their box from. */
/* The selected box of the boxes table (whatever view is shown), or NULL. */
const struct box *boxes_selected(struct ui *ui);
/* Shows the boxes table with its filter line open. */
unsigned boxes_filter_open(struct ui *ui);
/* The rows of the boxes table (after the filter), for the header's counts. */
size_t boxes_shown(struct ui *ui);

/* shellkey.c */
/* A shell in b on the whole terminal; the dashboard comes back after it. */
unsigned shell_open(struct ui *ui, const struct box *b);

/* view_logs.c */
/* Follows b's log (a read-only attach to its main session) and shows it. */
unsigned logs_follow(struct ui *ui, const struct box *b);

/* view_jobs.c */
/* Puts the cursor of the Jobs view on job id (a job just queued). */
void jobs_select(struct ui *ui, uint64_t id);

#endif
