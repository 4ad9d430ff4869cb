/* columns: the boxes table's columns, their cells and their layout. */
#include "columns.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/format.h"

static const struct column columns[COL_COUNT] = {
	[COL_NAME] = {"name", "NAME", SORT_NAME, 14, 32, 100, GLYPH_LEFT},
	[COL_ID] = {"id", "ID", SORT_ID, 12, 12, 9, GLYPH_LEFT},
	[COL_STATUS] = {"status", "STATUS", SORT_STATUS, 12, 12, 99, GLYPH_LEFT},
	[COL_IMAGE] = {"image", "IMAGE", SORT_IMAGE, 16, 30, 40, GLYPH_LEFT},
	[COL_CPUS] = {"cpus", "CPUS", SORT_CPUS, 4, 4, 50, GLYPH_RIGHT},
	[COL_MEM] = {"mem", "MEM", SORT_MEMORY, 8, 8, 55, GLYPH_RIGHT},
	[COL_CPU] = {"cpu", "CPU%", SORT_CPU_PERCENT, 6, 6, 98, GLYPH_RIGHT},
	[COL_GRAPH] = {"cpu_history", "CPU HISTORY", SORT_CPU_PERCENT, 12, 12, 20, GLYPH_LEFT},
	[COL_MEMUSED] = {"mem_used", "MEM-USED", SORT_MEMORY_USED, 9, 9, 90, GLYPH_RIGHT},
	[COL_RX] = {"rx", "RX/s", SORT_RX_RATE, 10, 10, 25, GLYPH_RIGHT},
	[COL_TX] = {"tx", "TX/s", SORT_TX_RATE, 10, 10, 24, GLYPH_RIGHT},
	[COL_AGE] = {"age", "AGE", SORT_CREATED, 5, 5, 60, GLYPH_RIGHT},
	[COL_LABELS] = {"labels", "LABELS", SORT_LABELS, 8, 60, 10, GLYPH_LEFT},
};
#define KEEP_ALWAYS 98 /* columns kept at least this much are never dropped */

const struct column *column_at(enum col_id c)
{
	return &columns[(unsigned)c < COL_COUNT ? c : COL_NAME];
}

const char *column_status_symbol(enum box_status s, enum glyph_set set)
{
	static const char *const utf8[BOX_STATUS_COUNT] = {"○", "●", "◐", "■", "‖", "✖", "?"};
	static const char *const ascii[BOX_STATUS_COUNT] = {"o", "*", "~", ".", "=", "!", "?"};

	if ((unsigned)s >= BOX_STATUS_COUNT)
		s = BOX_UNKNOWN;
	return set == GLYPH_ASCII ? ascii[s] : utf8[s];
}

/* "team=ml,env=prod" */
static char *labels_text(const struct box *b, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < b->n_labels && used + 1 < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%s=%s", i ? "," : "", b->labels[i].key,
				 b->labels[i].value);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (b->n_labels == 0)
		snprintf(buf, size, "-");
	return buf;
}

/* The MiB a box is given, as bytes; "-" when that does not fit an int64 (a broken server). */
static char *mib_text(int64_t mib, char *buf, size_t size)
{
	if (mib < 0 || mib > INT64_MAX / (1024 * 1024)) {
		snprintf(buf, size, "-");
		return buf;
	}
	return fmt_bytes(mib * 1024 * 1024, buf, size);
}

static char *live_text(enum col_id c, const struct column_live *l, char *buf, size_t size)
{
	bool m = l != NULL && l->has_metrics;

	snprintf(buf, size, "-");
	if (c == COL_CPU && m && opt_f64_has(l->m.cpu_percent))
		fmt_percent(l->m.cpu_percent.v, buf, size);
	else if (c == COL_MEMUSED && m && opt_i64_has(l->m.memory_bytes))
		fmt_bytes(l->m.memory_bytes.v, buf, size);
	else if (c == COL_RX && m && opt_f64_has(l->rx_rate))
		fmt_rate(l->rx_rate.v, buf, size);
	else if (c == COL_TX && m && opt_f64_has(l->tx_rate))
		fmt_rate(l->tx_rate.v, buf, size);
	return buf;
}

char *column_text(enum col_id c, const struct box *b, const struct column_live *l, int64_t now,
		  enum glyph_set set, char *buf, size_t size)
{
	switch (c) {
	case COL_NAME:
		snprintf(buf, size, "%s", box_display_name(b));
		break;
	/* the first 12 characters, as docker ps; an id is ASCII in practice */
	case COL_ID:
		snprintf(buf, size, "%.12s", b->id != NULL ? b->id : "-");
		break;
	case COL_STATUS:
		snprintf(buf, size, "%s %s", column_status_symbol(b->status, set),
			 box_status_name(b->status));
		break;
	case COL_IMAGE:
		snprintf(buf, size, "%s", b->image != NULL && b->image[0] ? b->image : "-");
		break;
	case COL_CPUS:
		snprintf(buf, size, "%" PRId64, b->cpus);
		break;
	case COL_MEM:
		mib_text(b->memory_mib, buf, size);
		break;
	case COL_AGE:
		fmt_age(b->created_at, now, buf, size);
		break;
	case COL_LABELS:
		labels_text(b, buf, size);
		break;
	case COL_GRAPH:
		snprintf(buf, size, "%s", "");
		break;
	default:
		live_text(c, l, buf, size);
		break;
	}
	return buf;
}

int columns_parse(const char *spec, unsigned *mask, char *err, size_t errlen)
{
	const char *p = spec;

	*mask = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ", ");
		int c = 0;

		while (c < COL_COUNT &&
		       !(strlen(columns[c].name) == len && strncmp(columns[c].name, p, len) == 0))
			c++;
		if (len > 0 && c == COL_COUNT) {
			snprintf(
				err, errlen,
				"unknown column \"%.*s\" (name, id, status, image, cpus, mem, cpu, "
				"cpu_history, mem_used, rx, tx, age, labels)",
				(int)(len > 40 ? 40 : len), p);
			return -1;
		}
		if (len > 0)
			*mask |= 1u << c;
		p += len + (p[len] != '\0');
	}
	if (*mask == 0) {
		snprintf(err, errlen, "no columns");
		return -1;
	}
	return 0;
}

/* Drops the least useful wanted column; false when only the kept ones are left. */
static bool drop_one(bool *on, int *total)
{
	int drop = -1;

	for (int c = 0; c < COL_COUNT; c++)
		if (on[c] && columns[c].keep < KEEP_ALWAYS &&
		    (drop < 0 || columns[c].keep < columns[drop].keep))
			drop = c;
	if (drop < 0)
		return false;
	on[drop] = false;
	*total -= columns[drop].width + 1;
	return true;
}

int columns_layout(int cols, unsigned wanted, enum col_id *shown, int *width)
{
	bool on[COL_COUNT];
	int total = 0, n = 0, spare;

	for (int c = 0; c < COL_COUNT; c++) {
		on[c] = (wanted & (1u << c)) != 0;
		total += on[c] ? columns[c].width + 1 : 0;
	}
	while (total > cols && drop_one(on, &total))
		;
	spare = cols > total ? cols - total : 0;
	for (int c = 0; c < COL_COUNT; c++) {
		int extra;

		if (!on[c])
			continue;
		extra = columns[c].max - columns[c].width;
		extra = extra > spare ? spare : extra;
		spare -= extra;
		shown[n] = (enum col_id)c;
		width[n++] = columns[c].width + extra;
	}
	return n;
}
