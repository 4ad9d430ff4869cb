/*
 * keys: the key table itself, for keys.c and its tests. Everything else
 * reaches the keys through ui.h (keys_handle, keys_hints, keys_help_lines).
 */
#ifndef BOXTOP_TUI_KEYS_H
#define BOXTOP_TUI_KEYS_H

#include <stddef.h>

struct ui;

#define V_BOXES  (1u << VIEW_BOXES)
#define V_DETAIL (1u << VIEW_DETAIL)
#define V_IMAGES (1u << VIEW_IMAGES)
#define V_JOBS   (1u << VIEW_JOBS)
#define V_EVENTS (1u << VIEW_EVENTS)
#define V_ALL    ((1u << VIEW_COUNT) - 1)
#define V_BOX    (V_BOXES | V_DETAIL)

enum {
	NEEDS_BOX = 1u << 0,
	MUTATES = 1u << 1,
	IN_HINTS = 1u << 2, /* shown in the hint bar, not only in the help */
	ALWAYS = 1u << 3,   /* in the hint bar at every width (help, quit) */
};

struct binding {
	int keys[4]; /* 0-terminated */
	const char *label;
	const char *help;
	unsigned views;
	unsigned flags;
	int cap; /* enum capability the server must have, or -1 */
	void (*fn)(struct ui *ui, const struct binding *b);
};

/* The rows of the table, in the order help shows them. Static storage. */
size_t keys_table(const struct binding **rows);

#endif
