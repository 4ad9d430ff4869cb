/*
 * columns: the columns of a boxes table, shared by the dashboard's table and
 * batch output so a cell reads the same in both: the list, their names in
 * the config file, the text of each cell, and how many fit a width.
 * No curses: the dashboard draws what this computes.
 */
#ifndef BOXTOP_TUI_COLUMNS_H
#define BOXTOP_TUI_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glyph.h"
#include "model/box.h"
#include "model/metrics.h"
#include "model/nullable.h"
#include "model/query.h"

enum col_id {
	COL_NAME,
	COL_ID,
	COL_STATUS,
	COL_IMAGE,
	COL_CPUS,
	COL_MEM,
	COL_CPU,
	COL_GRAPH, /* the CPU sparkline: the dashboard draws it */
	COL_MEMUSED,
	COL_RX,
	COL_TX,
	COL_AGE,
	COL_LABELS,
	COL_COUNT,
};
#define COLUMNS_ALL ((1u << COL_COUNT) - 1)

struct column {
	const char *name;  /* in the config's column list: "mem_used" */
	const char *title; /* the header: "MEM-USED" */
	enum sort_key key; /* what clicking the header sorts by */
	int width, max;    /* max > width: takes spare columns up to max */
	int keep;          /* the higher, the later it is dropped on a narrow screen */
	enum glyph_align align;
};

/* What was measured of a box: its metrics and network rates (rates need two samples). */
struct column_live {
	bool has_metrics;
	struct box_metrics m;
	struct opt_f64 rx_rate; /* bytes per second */
	struct opt_f64 tx_rate;
};

/* Column c's definition (c < COL_COUNT). Static storage. */
const struct column *column_at(enum col_id c);

/*
 * The text of b's cell in column c into buf: raw server text where the cell
 * shows it (name, id, image, labels: sanitize before drawing), "-" for a
 * value that is unknown; "" for COL_GRAPH. l may be NULL (nothing measured).
 * now is unix seconds for the age. Returns buf.
 */
char *column_text(enum col_id c, const struct box *b, const struct column_live *l, int64_t now,
		  enum glyph_set set, char *buf, size_t size);

/* The status as a symbol, never colour alone: "●" running, "■" stopped, ... ("*", "." in ASCII). */
const char *column_status_symbol(enum box_status s, enum glyph_set set);

/*
 * A column list ("name,status,cpu"; commas or spaces) as a mask of 1 << COL_x.
 * Returns 0, or -1 naming the bad column in err.
 */
int columns_parse(const char *spec, unsigned *mask, char *err, size_t errlen);

/*
 * Which of the wanted columns fit in cols terminal columns (one blank
 * between columns), least useful dropped first, the spare width given to
 * the flexible ones (name, image, labels) in order. Fills shown and width
 * (room for COL_COUNT each) and returns how many, in display order. NAME,
 * STATUS and CPU% are never dropped; the result may then be wider than cols.
 */
int columns_layout(int cols, unsigned wanted, enum col_id *shown, int *width);

#endif
