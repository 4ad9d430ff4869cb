/*
 * table: a plain-text table for scripts and logs (`boxtop -b`, `boxtop
 * images`): a title row, then one row per item; each column as wide as its
 * widest cell (in terminal columns), two spaces between columns, right- or
 * left-aligned per column, no padding after the last cell of a row.
 */
#ifndef BOXTOP_TUI_TABLE_H
#define BOXTOP_TUI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "glyph.h"

struct table {
	char **cell; /* rows * ncols, owned; each already safe to print */
	size_t rows, ncols;
	size_t *width;
	const enum glyph_align *align; /* per column, borrowed */
};

/* rows rows (the titles' included) of ncols columns, every cell empty. Free with table_free. */
void table_init(struct table *t, size_t rows, size_t ncols, const enum glyph_align *align);
/* Row r, column c becomes s, which the table takes (it must be safe to print already). */
void table_set(struct table *t, size_t r, size_t c, char *s);
/* Writes every row to out (errors show in ferror(out)). */
void table_write(FILE *out, struct table *t);
void table_free(struct table *t);

#endif
