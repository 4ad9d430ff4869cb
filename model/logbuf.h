/*
 * logbuf: a box's log as the Logs view keeps it. The bytes of its main
 * session (stdout and stderr, as they come) are cut into lines and kept as
 * safe text with their colours: SGR sequences (ESC [ ... m) become styled
 * runs, every other control goes through the sanitizer (one U+FFFD each),
 * so a hostile line can neither set the terminal's title nor move its
 * cursor. The scrollback is bounded in lines and in bytes: the oldest lines
 * go first. Lines keep an absolute number, so a reader keeps its place
 * while old lines are dropped. Single-threaded: its owner feeds and reads
 * it.
 */
#ifndef BOXTOP_MODEL_LOGBUF_H
#define BOXTOP_MODEL_LOGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The longest line kept whole (raw bytes); a longer one is cut into lines this long. */
#define LOGBUF_LINE_MAX (64u * 1024)

enum log_attr {
	LOG_BOLD = 1u << 0,
	LOG_DIM = 1u << 1,
	LOG_ITALIC = 1u << 2,
	LOG_UNDERLINE = 1u << 3,
	LOG_REVERSE = 1u << 4,
};

/* A run of a line's text in one style: fg and bg 0 = default, 1-8 the ANSI colours, 9-16 bright. */
struct log_run {
	uint32_t off, len; /* bytes of the line's text */
	uint8_t attr;      /* enum log_attr bits */
	uint8_t fg, bg;
};

struct log_line {
	char *text; /* sanitized UTF-8, NUL-terminated */
	size_t len;
	struct log_run *runs; /* covering text, in order */
	size_t n_runs;
	int stream; /* 1 stdout, 2 stderr */
};

/* The SGR state of a stream, carried from line to line as a terminal would. */
struct log_style {
	uint8_t attr, fg, bg;
};

struct logbuf {
	struct log_line *ring; /* max_lines slots */
	size_t max_lines, max_bytes;
	size_t head, n; /* the oldest kept, and how many */
	size_t bytes;   /* what the kept lines take */
	uint64_t first; /* the absolute number of the oldest kept line */
	/* per stream (index 1, 2): the bytes of the line not yet ended, and its style */
	char *partial[3];
	size_t partial_len[3];
	struct log_style style[3];
	bool cr[3]; /* the last byte was a CR: a LF next is one line end */
};

/* An empty log of at most max_lines lines and max_bytes bytes (both at least 1). */
void logbuf_init(struct logbuf *lb, size_t max_lines, size_t max_bytes);
/* Frees every line; lb may be used again after logbuf_init. */
void logbuf_clear(struct logbuf *lb);

/*
 * Adds n bytes of stream (1 stdout, 2 stderr). A LF (or CR LF) ends a line;
 * a CR alone starts it again (a progress line overwriting itself keeps
 * its last state). A line longer than LOGBUF_LINE_MAX is cut.
 */
void logbuf_feed(struct logbuf *lb, int stream, const char *bytes, size_t n);
/* Ends the lines not yet ended (the stream closed). */
void logbuf_flush(struct logbuf *lb);

/* How many lines are kept, and line i of them (0 the oldest), or NULL. */
size_t logbuf_count(const struct logbuf *lb);
const struct log_line *logbuf_at(const struct logbuf *lb, size_t i);
/* The absolute number of line i (stable while older lines are dropped). */
uint64_t logbuf_number(const struct logbuf *lb, size_t i);
/* The index of absolute line number no, clamped to the lines kept. */
size_t logbuf_index(const struct logbuf *lb, uint64_t no);

/*
 * The next line from index from (inclusive) in direction dir (+1 or -1)
 * whose text holds needle, wrapping around; case-insensitive unless needle
 * has an upper-case letter (smart case). Returns its index, or -1.
 */
long logbuf_find(const struct logbuf *lb, const char *needle, size_t from, int dir);

/* Writes every kept line's text (as shown: sanitized, no colours), one per line. Returns 0, or -1
 * on a write error (errno set). */
int logbuf_write(const struct logbuf *lb, FILE *f);

#endif
