/*
 * glyph: every bar is a run of cells appended through one small writer
 * (struct cells) that refuses a cell that does not fit whole, and every cell
 * after it, so a short buffer cuts a bar at a cell boundary and never inside
 * a UTF-8 sequence. Each glyph is one display column, so cells are columns.
 *
 * Text (glyph_fit and the meter's label) goes through sanitize_display_opts,
 * which owns the width table, the cut mark and the ASCII fallback; this file
 * only pads the result to its column count.
 *
 * Fractions are rounded down with a slack of a millionth of a unit, so that
 * 0.3 of 10 cells is 3 cells although 0.3 * 10 * 8 is 23.999... in binary.
 */
#include "glyph.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define SPARK_LEVELS 8
#define SLACK        1e-6

/* U+2581..U+2588, lowest first. */
static const char *const spark_utf8[SPARK_LEVELS] = {
	"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
	"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
};
/* Baseline marks first, then ever more ink; '_' and '.' read as "nearly nothing". */
static const char spark_ascii[SPARK_LEVELS + 1] = "_.:-=+*#";

/* Left blocks for k eighths of a cell, k = 1..7: U+258F down to U+2589. */
static const char *const bar_eighths[8] = {
	"",
	"\xE2\x96\x8F",
	"\xE2\x96\x8E",
	"\xE2\x96\x8D",
	"\xE2\x96\x8C",
	"\xE2\x96\x8B",
	"\xE2\x96\x8A",
	"\xE2\x96\x89",
};
#define FULL_BLOCK  "\xE2\x96\x88" /* U+2588 */
#define LIGHT_SHADE "\xE2\x96\x91" /* U+2591 */

struct cells {
	char *out;
	size_t size;
	size_t len;   /* bytes written, without the NUL */
	size_t count; /* cells (columns) written */
	bool full;    /* a cell did not fit: write no more */
};

static void cells_open(struct cells *c, char *out, size_t size)
{
	*c = (struct cells){.out = out, .size = size, .full = out == NULL || size == 0};
	if (!c->full)
		out[0] = '\0';
}

/* Appends g (one column) unless it, or a cell before it, did not fit. */
static bool cells_put(struct cells *c, const char *g)
{
	size_t n = strlen(g);

	if (c->full || n >= c->size - c->len) {
		c->full = true;
		return false;
	}
	memcpy(c->out + c->len, g, n + 1);
	c->len += n;
	c->count++;
	return true;
}

/* Appends k cells of g; returns how many fitted. */
static size_t cells_repeat(struct cells *c, const char *g, size_t k)
{
	size_t put = 0;

	while (put < k && cells_put(c, g))
		put++;
	return put;
}

/* Appends s fitted into w columns; a partial fit stops the writer. */
static void cells_fit(struct cells *c, const char *s, size_t w, enum glyph_align align,
		      enum glyph_set set)
{
	size_t cols;

	if (c->full)
		return;
	cols = glyph_fit(s, w, align, set, c->out + c->len, c->size - c->len);
	c->len += strlen(c->out + c->len);
	c->count += cols;
	c->full = cols < w;
}

static size_t cap_width(size_t w)
{
	return w < GLYPH_MAX_W ? w : GLYPH_MAX_W;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* floor(frac * units) for a finite frac, where only frac >= 1 gives all units. */
static size_t scaled_floor(double frac, size_t units)
{
	double x;

	if (units == 0)
		return 0;
	frac = clamp01(frac);
	if (frac >= 1)
		return units;
	x = floor(frac * (double)units + SLACK);
	return x >= (double)units ? units - 1 : (size_t)x;
}

enum glyph_set glyph_set_pick(bool want_ascii, const char *codeset)
{
	if (want_ascii || codeset == NULL)
		return GLYPH_ASCII;
	if (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0)
		return GLYPH_UTF8;
	return GLYPH_ASCII;
}

/* The value a full cell stands for, or 0 when the window has no scale. */
static double spark_scale(const double *v, size_t n, double max)
{
	double lo = INFINITY, hi = 0;

	if (isfinite(max) && max > 0)
		return max;
	for (size_t i = 0; i < n; i++) {
		double x;

		if (!isfinite(v[i]))
			continue;
		x = v[i] > 0 ? v[i] : 0;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	return hi > lo ? hi : 0;
}

/* The cell for v: a blank for a gap, else its level's glyph (ascii: 2 bytes). */
static const char *spark_cell(double v, double scale, enum glyph_set set, char *ascii)
{
	size_t level;

	if (!isfinite(v))
		return " ";
	level = scale > 0 ? scaled_floor(v / scale, SPARK_LEVELS) : 0;
	level = level < SPARK_LEVELS ? level : SPARK_LEVELS - 1;
	if (set == GLYPH_UTF8)
		return spark_utf8[level];
	ascii[0] = spark_ascii[level];
	ascii[1] = '\0';
	return ascii;
}

size_t glyph_sparkline(const double *values, size_t n, double max, enum glyph_set set, size_t w,
		       char *out, size_t out_size)
{
	struct cells c;
	const double *win = values;
	size_t shown;
	double scale;
	char ascii[2];

	w = cap_width(w);
	shown = values == NULL ? 0 : n < w ? n : w;
	if (shown > 0)
		win = values + (n - shown);
	scale = spark_scale(win, shown, max);
	cells_open(&c, out, out_size);
	cells_repeat(&c, " ", w - shown);
	for (size_t i = 0; i < shown; i++)
		cells_put(&c, spark_cell(win[i], scale, set, ascii));
	return c.count;
}

size_t glyph_bar(double frac, enum glyph_set set, size_t w, char *out, size_t out_size)
{
	bool ascii = set == GLYPH_ASCII;
	size_t eighths, full, part;
	struct cells c;

	w = cap_width(w);
	cells_open(&c, out, out_size);
	if (!isfinite(frac)) {
		cells_repeat(&c, ascii ? "?" : LIGHT_SHADE, w);
		return c.count;
	}
	eighths = scaled_floor(frac, w * 8);
	full = eighths / 8;
	part = ascii ? 0 : eighths % 8;
	cells_repeat(&c, ascii ? "#" : FULL_BLOCK, full);
	if (part > 0)
		cells_put(&c, bar_eighths[part]);
	cells_repeat(&c, ascii ? "-" : " ", w - full - (part > 0));
	return c.count;
}

static double seg_value(const struct glyph_segment *s)
{
	return isfinite(s->value) && s->value > 0 ? s->value : 0;
}

/* The segments scaled by their largest value, so that summing cannot overflow. */
struct share {
	const struct glyph_segment *seg;
	size_t n, w;
	double top; /* the largest value */
	double sum; /* the sum of value / top */
};

/* False when no segment has a value. */
static bool share_init(struct share *sh, const struct glyph_segment *seg, size_t n, size_t w)
{
	*sh = (struct share){.seg = seg, .n = n, .w = w};
	for (size_t i = 0; i < n; i++)
		sh->top = seg_value(&seg[i]) > sh->top ? seg_value(&seg[i]) : sh->top;
	for (size_t i = 0; sh->top > 0 && i < n; i++)
		sh->sum += seg_value(&seg[i]) / sh->top;
	return sh->top > 0;
}

/* Segment i's exact share of the w cells. */
static double share_quota(const struct share *sh, size_t i)
{
	return seg_value(&sh->seg[i]) / sh->top / sh->sum * (double)sh->w;
}

/*
 * The first segment with at least min_cells whose count is furthest below
 * (sign +1) or above (sign -1) its exact share; SIZE_MAX when none has.
 */
static size_t share_furthest(const struct share *sh, const size_t *cells, double sign,
			     size_t min_cells)
{
	size_t best = SIZE_MAX;
	double best_gap = 0;

	for (size_t i = 0; i < sh->n; i++) {
		double gap = sign * (share_quota(sh, i) - (double)cells[i]);

		if (cells[i] >= min_cells && (best == SIZE_MAX || gap > best_gap)) {
			best = i;
			best_gap = gap;
		}
	}
	return best;
}

/* Gives each non-zero segment a cell, when there are cells enough. */
static void share_ensure_one(const struct share *sh, size_t *cells)
{
	size_t nonzero = 0;

	for (size_t i = 0; i < sh->n; i++)
		nonzero += seg_value(&sh->seg[i]) > 0;
	for (size_t i = 0; nonzero <= sh->w && i < sh->n; i++) {
		size_t from;

		if (cells[i] > 0 || seg_value(&sh->seg[i]) == 0)
			continue;
		/* with nonzero <= w, some segment holds two cells while i holds none */
		from = share_furthest(sh, cells, -1, 2);
		if (from == SIZE_MAX)
			return;
		cells[from]--;
		cells[i]++;
	}
}

/* Largest remainder: whole parts first, then one cell each to the largest fractions. */
static void share_apportion(const struct share *sh, size_t *cells)
{
	size_t given = 0;

	for (size_t i = 0; i < sh->n; i++) {
		double q = floor(share_quota(sh, i));

		/* never past w, whatever the rounding: a bar is never wider */
		cells[i] = q < (double)(sh->w - given) ? (size_t)q : sh->w - given;
		given += cells[i];
	}
	for (; given < sh->w; given++)
		cells[share_furthest(sh, cells, 1, 0)]++;
	share_ensure_one(sh, cells);
}

/* The segment's cell: its glyph when that is one clean column, else its letter. */
static const char *seg_glyph(const struct glyph_segment *s, enum glyph_set set, char *buf,
			     size_t size)
{
	if (set == GLYPH_UTF8 && s->glyph != NULL &&
	    sanitize_display(s->glyph, strlen(s->glyph), 1, buf, size) == 1 &&
	    strcmp(buf, s->glyph) == 0)
		return buf;
	buf[0] = s->letter >= 0x20 && s->letter < 0x7F ? s->letter : '#';
	buf[1] = '\0';
	return buf;
}

size_t glyph_stack(const struct glyph_segment *seg, size_t n, enum glyph_set set, size_t w,
		   size_t *cells, char *out, size_t out_size)
{
	struct share sh;
	struct cells c;
	char g[GLYPH_CELL_BYTES + 1];

	w = cap_width(w);
	cells_open(&c, out, out_size);
	if (n > 0 && (seg == NULL || cells == NULL))
		return 0;
	if (!share_init(&sh, seg, n, w)) {
		for (size_t i = 0; i < n; i++)
			cells[i] = 0;
		cells_repeat(&c, " ", w);
		return c.count;
	}
	share_apportion(&sh, cells);
	for (size_t i = 0; i < n; i++)
		cells[i] = cells_repeat(&c, seg_glyph(&seg[i], set, g, sizeof(g)), cells[i]);
	return c.count;
}

/* Puts pad spaces around the n bytes of text at the start of out, per align. */
static void fit_pad(char *out, size_t n, size_t pad, enum glyph_align align)
{
	size_t left = align == GLYPH_RIGHT ? pad : align == GLYPH_CENTER ? pad / 2 : 0;

	memmove(out + left, out, n);
	memset(out, ' ', left);
	memset(out + left + n, ' ', pad - left);
	out[n + pad] = '\0';
}

/*
 * Sanitizes s into out with text_room bytes for the text and w columns;
 * returns the columns and sets *n to the bytes.
 */
static size_t fit_text(const char *s, size_t w, const struct sanitize_opts *opts, char *out,
		       size_t text_room, size_t *n)
{
	size_t cols =
		sanitize_display_opts(s, s != NULL ? strlen(s) : 0, w, opts, out, text_room + 1);

	*n = strlen(out);
	return cols;
}

size_t glyph_fit(const char *s, size_t w, enum glyph_align align, enum glyph_set set, char *out,
		 size_t out_size)
{
	struct sanitize_opts opts = {.ascii = set == GLYPH_ASCII};
	size_t room, cols, n, pad;

	if (out == NULL || out_size == 0)
		return 0;
	w = cap_width(w);
	room = out_size - 1;
	cols = fit_text(s, w, &opts, out, room, &n);
	/*
	 * Short of bytes for the padding: give the text fewer. Each pass gives
	 * it fewer than it took (n > room - pad), so this ends.
	 */
	while (n + (w - cols) > room) {
		size_t text_room = room > w - cols ? room - (w - cols) : 0;

		cols = fit_text(s, w, &opts, out, text_room, &n);
		if (text_room == 0)
			break;
	}
	pad = w - cols < room - n ? w - cols : room - n;
	fit_pad(out, n, pad, align);
	return cols + pad;
}

/*
 * The label is fitted right-aligned into the whole inside first, so its
 * width is the one shown (ASCII and sanitizing change it); the bars then
 * take the spaces in front of it, one byte for one byte.
 */
size_t glyph_meter(double frac, const char *label, enum glyph_set set, size_t w, char *out,
		   size_t out_size)
{
	bool brackets;
	size_t inner, fill, start, lead;
	struct cells c;

	w = cap_width(w);
	brackets = w >= 2;
	inner = brackets ? w - 2 : w;
	fill = isfinite(frac) ? scaled_floor(frac, inner) : 0;
	cells_open(&c, out, out_size);
	if (c.full)
		return 0;
	if (brackets)
		cells_put(&c, "[");
	start = c.len;
	cells_fit(&c, label, inner, GLYPH_RIGHT, set);
	lead = strspn(out + start, " ");
	memset(out + start, '|', fill < lead ? fill : lead);
	if (brackets)
		cells_put(&c, "]");
	return c.count;
}
