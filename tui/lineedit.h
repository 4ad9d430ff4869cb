/*
 * lineedit: the one-line editor behind the dashboard's prompts. Pure logic,
 * no curses: the dashboard maps keys to these functions and draws the range
 * lineedit_view() picks.
 *
 * The text is always exactly what sanitize_display() (model/sanitize.h)
 * would make of it: valid UTF-8 of printable characters, no combining mark
 * without a base character before it, at most SANITIZE_MAX_MARKS marks on
 * one. An insertion that would break that is refused whole, so a paste cannot
 * put an escape sequence into the line, and the text can be drawn as it is.
 *
 * A "character" here is a cluster: a base character and the zero-width
 * characters after it (combining marks, ZWJ, variation selectors). The cursor
 * is a byte offset that is always on a cluster boundary; moving, backspace
 * and delete take a whole cluster. Widths come from sanitize's table (wide
 * CJK 2 columns, marks 0), never from the locale.
 *
 * Words (Ctrl-W, Alt-B, Alt-F) end at spaces and at '/', like readline's
 * unix-filename-rubout rather than its unix-word-rubout: on a path prompt,
 * Ctrl-W on "/tmp/dir/" leaves "/tmp/", one component at a time.
 */
#ifndef BOXTOP_TUI_LINEEDIT_H
#define BOXTOP_TUI_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* Completion candidates kept for display (the smallest, in byte order). */
#define LINEEDIT_MATCHES_MAX 1000

/* Why an insertion was refused (the line is then unchanged). */
enum lineedit_rc {
	LINEEDIT_OK = 0,
	LINEEDIT_INVALID = -1, /* a control, invalid UTF-8, a mark with no base, too many marks */
	LINEEDIT_FULL = -2,    /* the text would pass max_bytes */
};

/*
 * Embed it or put it on the stack; the fields are public only for that.
 * Read them through the functions below.
 */
struct lineedit {
	char *buf;     /* the text, NUL-terminated */
	char *scratch; /* the sanitized copy an insertion is checked against */
	size_t cap;    /* bytes allocated for each of buf and scratch */
	size_t len;    /* bytes of text */
	size_t max;    /* the most bytes the text may hold */
	size_t cursor; /* a byte offset on a cluster boundary, 0..len */
	size_t scroll; /* the first byte shown, kept by lineedit_view() */
};

/*
 * Sets up le (whatever it held is overwritten, not freed) with text as the
 * prompt's default, cursor at its end, and at most max_bytes bytes of text.
 * text may be NULL for an empty line. Returns LINEEDIT_OK, or why text was
 * refused; le is set up either way (with an empty line when refused) and the
 * caller releases it with lineedit_clear().
 */
int lineedit_init(struct lineedit *le, const char *text, size_t max_bytes);

/* Releases what lineedit_init() allocated and zeroes le; NULL is fine. */
void lineedit_clear(struct lineedit *le);

/*
 * Replaces the text (history recall, a new default), cursor at the end.
 * Returns as lineedit_insert(); when refused the line is left empty.
 */
int lineedit_set_text(struct lineedit *le, const char *text);

/*
 * Inserts n bytes of UTF-8 at the cursor and moves the cursor past them, or
 * inserts nothing and says why (all or nothing, as a paste should be).
 * s must not point into le's own text; it may be NULL when n is 0.
 */
int lineedit_insert(struct lineedit *le, const char *s, size_t n);

/* lineedit_insert() of a NUL-terminated string (NULL inserts nothing). */
int lineedit_insert_str(struct lineedit *le, const char *s);

/*
 * Editing and moving. Each returns true when the text or the cursor changed
 * (false: nothing to do, the caller may beep). Killed text is dropped: there
 * is no yank.
 */
bool lineedit_backspace(struct lineedit *le);  /* the cluster before the cursor */
bool lineedit_delete(struct lineedit *le);     /* the cluster at the cursor */
bool lineedit_left(struct lineedit *le);       /* one cluster */
bool lineedit_right(struct lineedit *le);      /* one cluster */
bool lineedit_home(struct lineedit *le);       /* Ctrl-A */
bool lineedit_end(struct lineedit *le);        /* Ctrl-E */
bool lineedit_kill_start(struct lineedit *le); /* Ctrl-U: from the start to the cursor */
bool lineedit_kill_end(struct lineedit *le);   /* Ctrl-K: from the cursor to the end */
bool lineedit_kill_word(struct lineedit *le);  /* Ctrl-W: delimiters, then a word, backwards */
bool lineedit_word_left(struct lineedit *le);  /* Alt-B: to the start of this or the last word */
bool lineedit_word_right(struct lineedit *le); /* Alt-F: to the end of this or the next word */
bool lineedit_erase(struct lineedit *le);      /* the whole text */

/* The text: valid until the next call that changes le; never NULL. */
const char *lineedit_text(const struct lineedit *le);
size_t lineedit_len(const struct lineedit *le);
size_t lineedit_cursor(const struct lineedit *le);

/* What to draw in a field `width` columns wide. */
struct lineedit_view {
	size_t start, end; /* the bytes of lineedit_text() to draw, [start, end) */
	size_t cols;       /* their width, at most width */
	size_t cursor_col; /* the cursor's column in the field */
};

/*
 * Picks the part of the text to show so that the cursor and the cluster
 * under it (one column at the end of the text) are inside the field. The
 * scroll position is kept in le between calls and moves only as far as it
 * must, like a shell line longer than the screen; when the end of the text
 * fits, it scrolls back to show as much as it can. A wide character that
 * does not fit at the right edge is left out (the caller pads). When even
 * the cursor's cluster is wider than the field, nothing is shown and
 * cursor_col is 0.
 */
void lineedit_view(struct lineedit *le, size_t width, struct lineedit_view *v);

enum lineedit_complete {
	LINEEDIT_COMPLETE_NONE,   /* nothing matched; the line is unchanged */
	LINEEDIT_COMPLETE_UNIQUE, /* one match, completed in the line */
	LINEEDIT_COMPLETE_LIST,   /* extended as far as the matches agree; m lists them */
	LINEEDIT_COMPLETE_ERROR,  /* the directory could not be listed: m->error */
};

struct lineedit_matches {
	/*
	 * The candidates' names, sorted by bytes, a directory's ending in '/'.
	 * Raw bytes from the file system: a name may hold control characters or
	 * invalid UTF-8, so pass each through sanitize_display() before drawing.
	 */
	char **names;
	size_t n;     /* in names: at most LINEEDIT_MATCHES_MAX */
	size_t total; /* how many matched (more than n when names is cut short) */
	int error;    /* the errno for LINEEDIT_COMPLETE_ERROR, else 0 */
};

/*
 * Tab: completes the word before the cursor (from the last space; there is
 * no quoting) as a file path. "~" and a leading "~/" stand for $HOME (the
 * line keeps the "~"; "~user" is not expanded); other paths are absolute or
 * relative to the current directory. Hidden names (and "." and "..") are
 * candidates only when the typed name starts with '.'. A single match is
 * completed with '/' after a directory and nothing after a file; several
 * extend the word to their longest common prefix. A name that cannot go into
 * the line (a control character, invalid UTF-8, no room) is completed only
 * as far as it can and then listed, so the result is LIST, not UNIQUE.
 *
 * m is zeroed or from an earlier call (it is cleared first); it holds the
 * candidates on LIST and none otherwise (total still counts them), and
 * error on ERROR (ENOENT when $HOME is needed but unset). The caller
 * releases it with lineedit_matches_clear().
 */
enum lineedit_complete lineedit_complete_path(struct lineedit *le, struct lineedit_matches *m);

/* Frees the names and zeroes m; NULL is fine. */
void lineedit_matches_clear(struct lineedit_matches *m);

#endif
