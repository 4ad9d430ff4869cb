/*
 * ui: the dashboard's state, shared by the event loop (app.c), the views
 * (view_*.c), the key table (keys.c) and the modal prompts (prompt.c).
 * Everything here belongs to the UI thread; other threads reach it only
 * through the store.
 *
 * A frame: the loop refreshes the store view, rebuilds the rows of the
 * current view when their inputs changed, then draws the header, the view,
 * the message line and the hint bar into their windows and calls doupdate
 * once. Key handlers change state and return what to redraw; nothing draws
 * outside a frame.
 */
#ifndef BOXTOP_TUI_UI_H
#define BOXTOP_TUI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curses.h"
#include "glyph.h"
#include "lineedit.h"
#include "model/eventlog.h"
#include "model/query.h"
#include "model/store.h"
#include "net/actions.h"
#include "net/poller.h"
#include "net/pool.h"
#include "net/settings.h"
#include "opts.h"

enum view_id {
	VIEW_BOXES,
	VIEW_DETAIL,
	VIEW_IMAGES,
	VIEW_JOBS,
	VIEW_EVENTS,
	VIEW_COUNT,
};

/* Colour pairs (and their monochrome fallbacks, chosen in app.c). */
enum ui_color {
	C_NORMAL,
	C_HEADER,
	C_TAB,
	C_TAB_ON,
	C_RUNNING,
	C_STOPPED,
	C_PAUSED,
	C_FAILED,
	C_CONFIGURED,
	C_DIM,
	C_OK,
	C_WARN,
	C_ERROR,
	C_SELECTED,
	C_BANNER,
	C_GRAPH,
	C_COLOR_COUNT,
};

/* What a modal is asking for. */
enum modal_kind {
	MODAL_NONE,
	MODAL_PROMPT,  /* a line of text (lineedit) */
	MODAL_CONFIRM, /* yes/no, or type the name to confirm */
	MODAL_PICK,    /* one of a list */
	MODAL_HELP,    /* the key overlay */
	MODAL_QUIT,    /* jobs run: wait, cancel or leave */
};

struct ui;
struct modal;
/*
 * What happens when a modal is answered: m is the modal (already closed and
 * freed after the call, so a callback may open the next one), text the line
 * typed or the item picked, choice the picked index or the confirm key.
 */
typedef void (*modal_fn)(struct ui *ui, const struct modal *m, const char *text, int choice);

struct modal {
	enum modal_kind kind;
	char *title;     /* "Snapshot web-1", sanitized when it holds server text */
	char *message;   /* one more line under the title, or NULL */
	char *must_type; /* MODAL_CONFIRM: the text to type, or NULL for y/N */
	struct lineedit edit;
	bool completes_paths; /* Tab completes file names */
	char **items;         /* MODAL_PICK */
	size_t n_items, sel;
	char *hint; /* the last completion list, or a refusal, under the line */
	modal_fn done;
	/* What the modal is about, copied: the box and a second argument. */
	char *box_id, *box_name, *arg;
};

/*
 * A snapshot pick waiting for its box's snapshots, asked when the key was
 * pressed (asking is using the box on boxlite serve, so it is asked when
 * looked at, never kept fresh): it opens once a list asked since arrives.
 */
struct pick_wait {
	char *box_id, *box_name; /* NULL: none waits */
	const char *verb;        /* "Restore", "Delete" */
	modal_fn done;
	int64_t since_ms; /* when the look was asked */
};

/* One row of the boxes table: an index into the view's box list. */
struct box_rows {
	size_t *idx;
	size_t n, cap;
	uint64_t boxes_gen; /* the list the rows were built from */
	uint64_t metrics_gen;
	bool dirty;
};

struct ui {
	const struct opts *opts;
	const struct settings *settings;
	struct store *store;
	struct store_view view;
	struct login *login; /* the bearer, shared by the poller and the actions */
	struct poller *poller;
	struct pool *pool;
	struct actions *actions;
	struct eventlog events;

	/* terminal */
	FILE *tty;
	SCREEN *screen;
	WINDOW *head, *body, *foot;
	int rows, cols;
	bool color;
	enum glyph_set glyphs;
	attr_t attr[C_COLOR_COUNT];

	/* what is on screen */
	enum view_id current;
	bool paused; /* p: the view is frozen; the store keeps filling */
	char *flash; /* the message line: a result or a refusal */
	int64_t flash_until_ms;
	bool flash_error;
	struct modal modal;
	struct pick_wait pick;

	/* the boxes table */
	struct box_rows rows_boxes;
	char *selected_id; /* survives refreshes and re-sorts */
	size_t sel_row;    /* its row in rows_boxes */
	size_t top;        /* first row shown */
	enum sort_key sort;
	bool sort_desc;
	char *filter_text;
	struct query *query;
	bool filtering; /* '/' is being typed into */
	struct lineedit filter_edit;
	int table_top_y; /* screen row of the table's header, for clicks */
	int col_x[16];   /* x of each shown column, for header clicks */
	enum sort_key col_key[16];
	int n_cols_shown;
	unsigned columns; /* the columns the user wants (all when the config names none) */

	/* other views' selection */
	size_t images_sel, images_top;
	uint64_t job_sel; /* a job id */
	size_t jobs_top;
	size_t events_top; /* from the newest */
	size_t detail_scroll;

	/* what the poller was told */
	char **interest;
	size_t n_interest;
	char *interest_selected;
	bool interest_images;
	char *interest_image; /* the image whose detail is asked for, or NULL */

	/* what the events log has seen */
	enum conn_status last_conn;
	enum job_state *job_seen; /* by job id, grown as needed */
	size_t n_job_seen;

	/* quitting */
	bool quit;
	bool quit_when_idle; /* "wait": quit once no job is active */
	int exit_status;
};

/* app.c */
/* Shows text on the message line for a few seconds. */
void ui_flash(struct ui *ui, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The box under the cursor in the boxes table (and the detail view), or NULL. */
const struct box *ui_selected_box(struct ui *ui);
/* Switches to view v; opening the detail view looks at the box's snapshots. */
void ui_show(struct ui *ui, enum view_id v);
/* Active (queued or running) jobs in the store. */
size_t ui_active_jobs(struct ui *ui);

/* draw.c */
/* The lines of the body a table has for rows: all but its heading line. */
size_t draw_table_rows(const struct ui *ui);
/* Sets the glyph set every draw_ function uses (app.c, once the terminal is known). */
void draw_init(enum glyph_set set);
void draw_header(struct ui *ui);
void draw_footer(struct ui *ui);
void draw_modal(struct ui *ui);
/* Which tab is at column x of the tab row, or -1. */
int draw_tab_at(int x);
/* Writes s (already safe) at y, x in w, at most maxw columns, fitted. */
void draw_text(WINDOW *w, int y, int x, const char *s, int maxw, attr_t attr);
/* A server string: sanitized and fitted. */
void draw_server_text(struct ui *ui, WINDOW *w, int y, int x, const char *s, int width,
		      enum glyph_align align, attr_t attr);
attr_t status_attr(const struct ui *ui, enum box_status s);

/* view_boxes.c */
void boxes_rebuild(struct ui *ui);
void boxes_draw(struct ui *ui);
void detail_draw(struct ui *ui);
/* Moves the selection by delta rows (clamped), or to an absolute row with absolute. */
void boxes_move(struct ui *ui, long delta, bool absolute);
void boxes_click(struct ui *ui, int y, int x);
void boxes_set_sort(struct ui *ui, enum sort_key key);

/* view_lists.c */
void images_draw(struct ui *ui);
/* The image under the cursor in the images view (whatever view is shown), or NULL. */
const struct image_info *images_selected(struct ui *ui);
void jobs_draw(struct ui *ui);
void events_draw(struct ui *ui);
void lists_move(struct ui *ui, long delta, bool absolute);
void lists_click(struct ui *ui, int y);
/* The job under the cursor in the jobs view, or NULL. */
const struct job *jobs_selected(struct ui *ui);
/* Logs job transitions and connection changes seen since the last call. */
void events_observe(struct ui *ui);

/* keys.c; a key is its character, or an ncurses KEY_ code with KEY_FLAG set. */
#define KEY_FLAG    (1 << 24)
#define KEYCODE(c)  ((c) | KEY_FLAG)
#define CTRL_KEY(c) ((c)&0x1f)
#define KEY_ESC     27
/* Handles one key. */
void keys_handle(struct ui *ui, int key);
/* The hint bar for the current view, and the help overlay's lines. */
void keys_hints(struct ui *ui, WINDOW *w, int y, int width);
size_t keys_help_lines(struct ui *ui, char ***lines);

/* prompt.c */
void modal_prompt(struct ui *ui, const char *title, const char *initial, bool paths, modal_fn done);
void modal_confirm(struct ui *ui, const char *title, const char *message, const char *must_type,
		   modal_fn done);
void modal_pick(struct ui *ui, const char *title, char **items, size_t n, modal_fn done);
void modal_close(struct ui *ui);
/* Applies an editing key to a line; true when it changed the text or the cursor. */
bool prompt_edit_key(struct lineedit *le, int key);
/* A key while a modal is open. */
void modal_key(struct ui *ui, int key);
/* Opens a waiting snapshot pick once its list came (each frame); forgets one that waited too long.
 */
void keys_pick_ready(struct ui *ui);
void keys_pick_forget(struct ui *ui);
/* A mouse event at screen y, x (button: 1 click, 2 double click, 4 wheel up, 5 down). */
void keys_mouse(struct ui *ui, int y, int x, int button);

#endif
