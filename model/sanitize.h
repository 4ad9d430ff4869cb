/*
 * sanitize: the one gate between server-provided text and the terminal.
 *
 * Every string that came from a server (names, images, error messages,
 * labels) is passed through sanitize_display() before it is drawn. The output
 * is valid UTF-8 holding only printable characters: no C0 or C1 controls, no
 * DEL, no escape sequences (CSI, OSC, DCS, ...), no bidi controls, no invalid
 * UTF-8. Each of those becomes one U+FFFD ("?" in ASCII mode); TAB, CR and LF
 * become one space. Display widths come from a built-in table, not wcwidth(),
 * so the result does not depend on the locale.
 */
#ifndef BOXTOP_MODEL_SANITIZE_H
#define BOXTOP_MODEL_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A max_cols meaning "no width limit". */
#define SANITIZE_NO_LIMIT SIZE_MAX
/* Combining characters kept after one base character; the rest are dropped. */
#define SANITIZE_MAX_MARKS 8

struct sanitize_opts {
	/*
	 * For terminals that cannot show UTF-8: every non-ASCII character
	 * becomes '?' and truncation is marked with '~' instead of U+2026.
	 */
	bool ascii;
};

/*
 * Sanitizes in_len bytes of in (NUL bytes included, no terminator needed)
 * into out, which is always NUL-terminated when out_size > 0. The result is
 * at most max_cols columns wide; when input is left out for lack of columns or
 * of bytes in out, the last column holds "…" (when there is room for it). A
 * character is never split and a wide character that does not fit is left
 * out whole. Zero-width characters stay with the character before them (at
 * most SANITIZE_MAX_MARKS of them) and are dropped when there is none. Returns
 * the display width written. in may be NULL when in_len is 0. Reads no
 * further than the first character that does not fit.
 */
size_t sanitize_display(const char *in, size_t in_len, size_t max_cols, char *out, size_t out_size);

/* sanitize_display() with options; opts may be NULL for the defaults. */
size_t sanitize_display_opts(const char *in, size_t in_len, size_t max_cols,
			     const struct sanitize_opts *opts, char *out, size_t out_size);

/*
 * A sanitized copy of the NUL-terminated s, at most max_cols wide
 * (SANITIZE_NO_LIMIT for all of it). NULL in, NULL out; otherwise the caller
 * frees the copy.
 */
char *sanitize_dup(const char *s, size_t max_cols);

/* sanitize_dup() with options; opts may be NULL for the defaults. */
char *sanitize_dup_opts(const char *s, size_t max_cols, const struct sanitize_opts *opts);

/*
 * The display width of an already sanitized string (NULL gives 0), by the
 * same table sanitize_display() uses. Stray invalid bytes count one column,
 * as the U+FFFD they would be shown as.
 */
size_t sanitize_width(const char *utf8);

/*
 * How many bytes of the already sanitized utf8[0..len) make the longest
 * run of whole characters no wider than max_cols (zero-width ones stay
 * with the character before them); *cols gets their width. For drawing a
 * long line a row at a time.
 */
size_t sanitize_prefix(const char *utf8, size_t len, size_t max_cols, size_t *cols);

#endif
