/*
 * glyph: sparklines, progress bars, stacked bars, meters and table cells,
 * rendered as text into buffers the caller owns; the views draw the text.
 * Nothing here calls curses, allocates or reads the locale.
 *
 * Every function has two looks, picked by enum glyph_set: UTF-8 block
 * glyphs, or plain ASCII for terminals and fonts that cannot show them
 * (--ascii, or a locale that is not UTF-8: see glyph_set_pick()).
 *
 * Buffer contract, the same for every function: out holds out_size bytes
 * and is always NUL-terminated when out_size > 0 (out NULL or out_size 0:
 * nothing is written and 0 is returned). The return value is the number of
 * display columns written. A buffer of GLYPH_BUF(w) bytes (GLYPH_FIT_BUF(w)
 * for glyph_fit and glyph_meter) always holds the whole w columns. Below
 * that, the bars stop at the last whole cell that fits (fewer than w
 * columns, never a split character), and glyph_fit keeps exactly w columns
 * as long as out_size > w by cutting the text sooner (at out_size <= w it
 * writes out_size - 1 spaces). A w above GLYPH_MAX_W
 * is drawn GLYPH_MAX_W wide.
 */
#ifndef BOXTOP_TUI_GLYPH_H
#define BOXTOP_TUI_GLYPH_H

#include <stdbool.h>
#include <stddef.h>

#include "model/sanitize.h"

/* The widest result drawn: far wider than any terminal, small enough for exact arithmetic. */
#define GLYPH_MAX_W 65535
/* Bytes one cell of a bar takes at most (a 4-byte one-column segment glyph). */
#define GLYPH_CELL_BYTES 4
/* Bytes one column of fitted text takes at most: a character and its marks. */
#define GLYPH_COL_BYTES (4 + 4 * SANITIZE_MAX_MARKS)
/* A buffer that holds any w-cell bar, with its NUL. */
#define GLYPH_BUF(w) ((w)*GLYPH_CELL_BYTES + 1)
/* A buffer that holds any w-column glyph_fit() or glyph_meter() result. */
#define GLYPH_FIT_BUF(w) ((w)*GLYPH_COL_BYTES + 1)

enum glyph_set {
	GLYPH_UTF8,
	GLYPH_ASCII,
};

enum glyph_align {
	GLYPH_LEFT,
	GLYPH_RIGHT,
	GLYPH_CENTER, /* an odd column left over goes on the right */
};

/*
 * GLYPH_ASCII when want_ascii (--ascii) or when codeset, the locale's
 * nl_langinfo(CODESET), is not UTF-8 ("UTF-8" or "utf8", any case); a NULL
 * codeset is not UTF-8.
 */
enum glyph_set glyph_set_pick(bool want_ascii, const char *codeset);

/*
 * A sparkline of exactly w cells from n values, oldest first (as
 * history_series() gives them), newest in the rightmost cell. A longer
 * series shows its last w values; a shorter one is padded with blanks on the
 * left. NaN and infinities are gaps (a poll that measured nothing) and draw
 * a blank; negative values count as 0.
 *
 * Levels: a cell shows floor(8 * v / max) of 8 levels (the top one from
 * v >= 7/8 max), so 0 draws the lowest level, never a blank. UTF-8 draws
 * U+2581..U+2588 ("▁▂▃▄▅▆▇█"); ASCII draws "_.:-=+*#", lowest to highest.
 * max is the value drawn as a full cell (larger values are clipped to it);
 * one that is not a positive finite number means "auto": the largest value
 * shown. In auto mode a window with no variation (all zero, or flat) draws
 * every value at the lowest level, since its scale says nothing.
 * values may be NULL when n is 0.
 */
size_t glyph_sparkline(const double *values, size_t n, double max, enum glyph_set set, size_t w,
		       char *out, size_t out_size);

/*
 * A progress bar of exactly w cells for frac (clamped to 0..1), rounded
 * down to an eighth of a cell (ASCII: a whole cell) so that only 1 fills it.
 * UTF-8: "█" cells, one of "▏▎▍▌▋▊▉" for the last eighths, spaces for the
 * rest. ASCII: "#" cells and "-" for the rest. A NaN or infinite frac is
 * unknown: every cell "░" (UTF-8) or "?" (ASCII).
 */
size_t glyph_bar(double frac, enum glyph_set set, size_t w, char *out, size_t out_size);

/* One part of a glyph_stack(). */
struct glyph_segment {
	double value;      /* its share; not a positive finite number counts as 0 */
	const char *glyph; /* UTF-8 set: one printable column ("▓"); else the letter */
	char letter;       /* ASCII set and fallback; not printable ASCII: '#' */
};

/*
 * A stacked bar of exactly w cells: segment i gets cells[i] cells drawn with
 * its glyph, in order, proportionally to its value by the largest remainder
 * method (ties go to the earlier segment), so the counts sum to w. When w is
 * at least the number of non-zero segments, each of them gets one cell at
 * least (taken from the segment most over its exact share). When every value
 * is zero the bar is w blanks and every count 0. cells (n entries, needed
 * when n > 0: without it nothing is drawn and 0 returned) gets what was
 * written, so when out is too small the counts sum to the columns returned.
 * seg and cells may be NULL when n is 0.
 */
size_t glyph_stack(const struct glyph_segment *seg, size_t n, enum glyph_set set, size_t w,
		   size_t *cells, char *out, size_t out_size);

/*
 * Fits s (NUL-terminated; NULL is "") into exactly w display columns, padded
 * with spaces per align. Text that is too wide is cut, never inside a
 * character, with "…" (UTF-8) or "~" (ASCII) in its last column; a wide
 * character that no longer fits leaves a space. s is passed through
 * sanitize_display_opts() on the way, which also gives the widths, so
 * unsanitized input cannot break the column count (ASCII: every non-ASCII
 * character is one "?").
 */
size_t glyph_fit(const char *s, size_t w, enum glyph_align align, enum glyph_set set, char *out,
		 size_t out_size);

/*
 * An htop-style meter of exactly w columns, "[|||||||      42.0%]": the
 * label (NULL: none) fitted right-aligned into the inner w - 2 columns as
 * glyph_fit() fits it, and "|" in the first floor(frac * (w - 2)) of them
 * that the label leaves blank. Below w = 2 there are no brackets. A NaN or
 * infinite frac draws no bars. set applies to the label only: the bars and
 * brackets are ASCII in both sets.
 */
size_t glyph_meter(double frac, const char *label, enum glyph_set set, size_t w, char *out,
		   size_t out_size);

#endif
