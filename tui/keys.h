/*
 * keys: a key binding is one row of a table: the keys, the label and text
 * the hint bar and the `?` overlay show, what it needs, and either the
 * action it starts (net/actions' table says the rest) or its handler.
 * The global table lives in keys.c; a view adds its own rows (view.h),
 * looked up first. Everything else reaches the keys through ui.h.
 */
#ifndef BOXTOP_TUI_KEYS_H
#define BOXTOP_TUI_KEYS_H

#include <stddef.h>

#include "model/job.h"

struct ui;

#define BINDING_KEYS 10 /* keys per row, 0-terminated: "1"-"9" fit */

enum {
	NEEDS_BOX = 1u << 0, /* the shown view must have a box selected */
	MUTATES = 1u << 1,   /* refused with --readonly */
	IN_HINTS = 1u << 2,  /* shown in the hint bar, not only in the help */
	ALWAYS = 1u << 3,    /* in the hint bar at every width (help, quit) */
	BOX_VIEWS = 1u << 4, /* only in views that show boxes (they have a box hook) */
};

#define NO_ACTION (-1)

struct binding {
	int keys[BINDING_KEYS]; /* 0-terminated */
	const char *label;      /* NULL: made from the views' table (the number keys) */
	const char *help;       /* NULL: the action's, or made from the views' table */
	unsigned flags;
	int action; /* the enum job_kind the key starts, or NO_ACTION */
	/* The handler of a row that starts no action; key is the key pressed. */
	unsigned (*fn)(struct ui *ui, const struct binding *b, int key);
};

/* The global rows, in the order help shows them. Static storage. */
size_t keys_table(const struct binding **rows);
/* What a row does, for the help and the refusals: its help, else its action's. */
const char *binding_help(const struct binding *b);
/* Its label: "S", "j/k"; the number keys' is "1-N" for N views. */
const char *binding_label(const struct binding *b);
/* Its flags, with NEEDS_BOX and MUTATES of the action it starts. */
unsigned binding_flags(const struct binding *b);

#endif
