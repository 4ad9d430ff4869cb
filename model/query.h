/*
 * query: the filter language of the box list (`/` in the dashboard, the
 * filter of batch output) and stable sorting of the list by any column.
 *
 * Filter language
 *
 *   A query is a list of terms separated by unquoted whitespace. A box
 *   matches when it matches every term (AND). An empty query, or one of
 *   whitespace only, matches every box. Parsing never fails: any text is a
 *   query, because it is parsed again at every key press.
 *
 *   web            free text: a case-insensitive substring of the box's
 *                  name, id or image
 *   name:web       a case-insensitive substring of the name as displayed
 *                  (the id, for a box without a name)
 *   image:alpine   a case-insensitive substring of the image reference
 *   id:01H         a case-insensitive prefix of the id
 *   status:run     a case-insensitive prefix of the status name: running,
 *                  paused, stopping, configured, stopped, failed, unknown.
 *                  The full name matches that status only (no name is a
 *                  prefix of another); a shorter prefix matches every status
 *                  it begins (status:stop is stopping or stopped); a value
 *                  that begins no name matches no box.
 *   label:team     the box has the label key "team"
 *   label:team=ml  the box has the label "team" with the value "ml". Label
 *                  keys and values are compared exactly: case-sensitive,
 *                  whole strings. The key ends at the first '='.
 *   !term          negation: the box matches when it does not match term
 *                  (!status:stopped, !web). Only the first '!' negates:
 *                  "!!a" is "not the free text !a".
 *
 *   Keys are case-insensitive (Status:running). A term whose text before
 *   its first ':' is not one of the keys above (foo:bar, alpine:3.20, a lone
 *   ':') is free text as a whole, colon included, so names and images that
 *   hold a ':' can still be searched.
 *
 *   Double quotes group: "two words" is one term. Quotes may open and close
 *   anywhere in a term and are not part of its text (name:"my box" is the
 *   term name:my box). A quote left open takes the rest of the line.
 *   Quoted text is literal: a '!' or a ':' inside quotes is text, so "!a"
 *   searches for "!a" and "status:x" for "status:x", and a key is only
 *   recognised when no quote comes before its ':'. There is no escape
 *   character; a literal '"' cannot be searched for.
 *
 *   A term that is still being typed is ignored (it matches every box,
 *   negated or not), so the list does not blank out on the way to a
 *   complete term: a lone '!', an empty "", a key with nothing after its
 *   ':' (status:, !label:), and label:=x (no key). label:team= (no value
 *   yet) is label:team.
 *
 *   Case folding is ASCII only; other bytes (UTF-8) must match exactly.
 *   Whitespace is ASCII space, tab, newline, carriage return, vertical tab
 *   and form feed.
 *
 * Sorting
 *
 *   query_sort() orders an array of box indices (as query_filter() writes
 *   it) by one column, ascending or descending, and is stable in both
 *   directions: boxes with equal keys keep the order they had in the array,
 *   so sorting by a second column and then by the first gives a sort by
 *   both. Names and images use natural order: case-insensitive, with runs of
 *   digits compared as numbers of any length (web-2 < web-10 < Web-11,
 *   python:3.9 < python:3.11; web-01 and web-1 are equal). Ids compare
 *   case-insensitively byte by byte. Statuses sort from the most alive to
 *   the least: running, paused, stopping, configured, stopped, failed,
 *   unknown. Values that are missing (no last activity, a NULL id or
 *   image, a metric not measured or not finite) sort last in both
 *   directions.
 */
#ifndef BOXTOP_MODEL_QUERY_H
#define BOXTOP_MODEL_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "box.h"
#include "nullable.h"

/* A parsed filter; opaque. */
struct query;

/*
 * Parses text (NULL is the empty query). Never fails and never returns
 * NULL; the caller frees the query with query_free. text is not kept.
 */
struct query *query_parse(const char *text);
/* Frees *q (which may be NULL) and sets it to NULL. q may be NULL. */
void query_free(struct query **q);

/* Whether b matches every term of q. A NULL q matches every box. */
bool query_match(const struct query *q, const struct box *b);

/*
 * Writes to out_idx the indices of the boxes among the n of boxes that
 * match q, in their order, and returns how many. out_idx has room for n
 * indices (boxes and out_idx may be NULL when n is 0). A NULL q matches
 * every box.
 */
size_t query_filter(const struct query *q, const struct box *boxes, size_t n, size_t *out_idx);

/* The columns a box list sorts by. */
enum sort_key {
	SORT_NAME, /* box_display_name, natural order */
	SORT_ID,
	SORT_STATUS,      /* running first, unknown last */
	SORT_IMAGE,       /* natural order */
	SORT_CPUS,        /* vCPUs given to the box */
	SORT_MEMORY,      /* memory_mib given to the box */
	SORT_CREATED,     /* created_at */
	SORT_UPDATED,     /* updated_at */
	SORT_ACTIVITY,    /* last_activity_at; missing sorts last */
	SORT_LABELS,      /* the number of labels */
	SORT_CPU_PERCENT, /* metrics: the rest need a sort_metrics array */
	SORT_MEMORY_USED,
	SORT_RX_RATE,
	SORT_TX_RATE,
	SORT_KEY_COUNT,
};

/*
 * A box's live values, which are not part of struct box. A value that is
 * not OPT_SET (or is NaN or infinite) is missing. A zeroed struct is a box
 * with nothing measured.
 */
struct sort_metrics {
	struct opt_f64 cpu_percent;  /* percent, as box_metrics has it */
	struct opt_i64 memory_bytes; /* memory in use */
	struct opt_f64 rx_rate;      /* bytes per second received */
	struct opt_f64 tx_rate;      /* bytes per second sent */
};

/*
 * Sorts the n indices in idx (each an index into boxes, and into metrics
 * when it is not NULL) by key; see "Sorting" above. metrics may be NULL:
 * then every metric is missing, and a sort by a metric leaves idx as it
 * is. So does a key out of range. Allocates scratch space only.
 */
void query_sort(const struct box *boxes, const struct sort_metrics *metrics, size_t *idx, size_t n,
		enum sort_key key, bool descending);

/*
 * The key's name for flags and headers: "name", "id", "status", "image",
 * "cpus", "memory", "created", "updated", "activity", "labels", "cpu",
 * "mem", "rx", "tx"; "unknown" for a key out of range. Static storage.
 */
const char *query_sort_key_name(enum sort_key key);

/*
 * Reads a key by its name (as query_sort_key_name gives it) or by the API field
 * it sorts (box_id, memory_mib, created_at, updated_at, last_activity_at,
 * cpu_percent, memory_bytes, rx_rate, tx_rate), case-insensitively. Returns
 * 0 with *out set, or -1 with *out untouched. name may be NULL (-1).
 */
int query_sort_key_parse(const char *name, enum sort_key *out);

/*
 * ASCII case folding by hand, never the locale's (a Turkish locale would
 * change what matches): query_fold folds s in place; query_contains says
 * whether hay (NULL: no) holds the already folded needle, ignoring ASCII
 * case. Also the Logs view's search.
 */
void query_fold(char *s);
bool query_contains(const char *hay, const char *needle);

#endif
