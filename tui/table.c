/*
 * table: see table.h. Widths are measured once, when the table is written.
 */
#include "table.h"

#include <stdlib.h>

#include "model/sanitize.h"
#include "model/xalloc.h"

void table_init(struct table *t, size_t rows, size_t ncols, const enum glyph_align *align)
{
	t->rows = rows;
	t->ncols = ncols;
	t->cell = xcalloc(rows * ncols + 1, sizeof(char *));
	t->width = xcalloc(ncols + 1, sizeof(size_t));
	t->align = align;
}

void table_set(struct table *t, size_t r, size_t c, char *s)
{
	free(t->cell[r * t->ncols + c]);
	t->cell[r * t->ncols + c] = s;
}

static const char *cell_at(const struct table *t, size_t k)
{
	return t->cell[k] != NULL ? t->cell[k] : "";
}

static void write_row(FILE *out, const struct table *t, size_t r)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = cell_at(t, r * t->ncols + c);
		int pad = (int)(t->width[c] - sanitize_width(s));

		fputs(c == 0 ? "" : "  ", out);
		if (t->align[c] == GLYPH_RIGHT)
			fprintf(out, "%*s%s", pad, "", s);
		else
			fprintf(out, "%s%*s", s, c + 1 < t->ncols ? pad : 0, "");
	}
	fputc('\n', out);
}

void table_write(FILE *out, struct table *t)
{
	for (size_t k = 0; k < t->rows * t->ncols; k++) {
		size_t w = sanitize_width(cell_at(t, k));

		if (w > t->width[k % t->ncols])
			t->width[k % t->ncols] = w;
	}
	for (size_t r = 0; r < t->rows; r++)
		write_row(out, t, r);
}

void table_free(struct table *t)
{
	for (size_t k = 0; k < t->rows * t->ncols; k++)
		free(t->cell[k]);
	free(t->cell);
	free(t->width);
	t->cell = NULL;
	t->width = NULL;
}
