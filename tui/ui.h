/*
 * ui: what the dashboard's parts share: the terminal, the store and its
 * view, the threads' handles, the message line, the modal and the views
 * (each view's own state lives in its view_*.c, see view.h). Everything
 * here belongs to the UI thread; other threads reach it only through the
 * store.
 *
 * A frame: the loop reads the store and tells the views what changed,
 * handles every key, then redraws what the handlers said they changed
 * (enum reaction), each window erased, drawn and wnoutrefresh'd, and one
 * doupdate. Nothing draws outside a frame.
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
#include "model/store.h"
#include "net/actions.h"
#include "net/poller.h"
#include "net/pool.h"
#include "net/settings.h"
#include "opts.h"
#include "view.h"

/* The smallest terminal the dashboard draws in. */
#define MIN_COLS 40
#define MIN_ROWS 8
/* The most views the table may hold (number keys 1-9). */
#define VIEW_MAX 9

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
struct flow;
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
	attr_t log_fg[17]; /* a log's colours (model/logbuf): 0 default, 1-8, 9-16 bright */

	/* the views (view.h) and what is on screen */
	struct view views[VIEW_MAX];
	size_t current;
	unsigned react; /* what side effects (a message, a modal) need redrawn */
	bool paused;    /* p: the views are frozen; the store keeps filling */
	char *flash;    /* the message line: a result or a refusal */
	int64_t flash_until_ms;
	bool flash_error;
	struct modal modal;
	struct flow *flow; /* the action being asked for (flow.c), or NULL */

	/* quitting */
	bool quit;
	bool quit_when_idle; /* "wait": quit once no job is active */
	int exit_status;
};

/* app.c */
/* Shows text on the message line for a few seconds. */
void ui_flash(struct ui *ui, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Active (queued or running) jobs in the store. */
size_t ui_active_jobs(struct ui *ui);

/* draw.c */
/* The path prefix requests go under: the setting, else what GET /v1/me said (NULL: none yet). */
const char *ui_prefix(struct ui *ui);
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
/* A table's heading line: text on the header colour across the whole width. */
void draw_heading(struct ui *ui, WINDOW *w, const char *text);
/* A job's (or a failed read's) message without the "POST http://host/...: " in front. */
const char *draw_error_reason(const char *msg);
/* The first row shown so that row sel is in a window of visible rows starting at top. */
size_t draw_scroll_for(size_t sel, size_t top, size_t visible);
attr_t status_attr(const struct ui *ui, enum box_status s);

/* keys.c; a key is its character, or an ncurses KEY_ code with KEY_FLAG set. */
#define KEY_FLAG    (1 << 24)
#define KEYCODE(c)  ((c) | KEY_FLAG)
#define CTRL_KEY(c) ((c)&0x1f)
#define KEY_ESC     27
/* Handles one key. Returns the reaction. */
unsigned keys_handle(struct ui *ui, int key);
/* A mouse event at screen y, x (button: 1 click, 2 double click, 4 wheel up, 5 down). */
unsigned keys_mouse(struct ui *ui, int y, int x, int button);
/* The hint bar for the current view, and the help overlay's lines. */
void keys_hints(struct ui *ui, WINDOW *w, int y, int width);
size_t keys_help_lines(struct ui *ui, char ***lines);
/* Every view's keys, as `boxtop keys` prints them (the help overlay's lines, by view). */
void keys_print(FILE *out);

/* flow.c: an action asked for step by step (net/actions' table), then queued. */
/* Starts asking for d (on the shown view's box or image). Returns the reaction. */
unsigned flow_begin(struct ui *ui, const struct action_def *d);
/* Each frame: opens a snapshot pick whose list came, forgets one that waited too long. */
unsigned flow_poll(struct ui *ui);
/* Forgets the action being asked for; true when there was one. */
bool flow_forget(struct ui *ui);
/* Whether it waits for a box's snapshots to open its pick. */
bool flow_waits_for_pick(const struct ui *ui);

/* prompt.c */
void modal_prompt(struct ui *ui, const char *title, const char *initial, bool paths, modal_fn done);
void modal_confirm(struct ui *ui, const char *title, const char *message, const char *must_type,
		   modal_fn done);
void modal_pick(struct ui *ui, const char *title, char **items, size_t n, modal_fn done);
void modal_close(struct ui *ui);
/* Applies an editing key to a line; true when it changed the text or the cursor. */
bool prompt_edit_key(struct lineedit *le, int key);
/* A key while a modal is open. Returns the reaction. */
unsigned modal_key(struct ui *ui, int key);

#endif
