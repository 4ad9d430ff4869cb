/*
 * batch: `boxtop -b` and `boxtop --json`, the boxes table for scripts and
 * logs, like `top -b`. No terminal and no curses: plain text on stdout.
 *
 * Each refresh reads the box list, the runtime metrics and the metrics of
 * every running box it shows (at most 8 requests in flight), then prints
 *   text (-b): a header block (UTC time, endpoint and prefix, running and
 *     total boxes, the runtime metrics), a blank line, and the table NAME ID
 *     STATUS IMAGE CPUS MEM CPU% MEM-USED RX/s TX/s AGE, each column as wide
 *     as its widest cell; a blank line separates refreshes. Server strings
 *     go through sanitize (no escape sequences reach the terminal).
 *   JSON (--json): one document per refresh on one line (NDJSON):
 *     {"time", "endpoint":{"url","prefix"}, "connection":{"status",
 *     "message"?}, "runtime":{...}|null, "boxes":[box as model/encode
 *     writes it, plus "metrics" and "rates":{"rx_bytes_per_sec",
 *     "tx_bytes_per_sec"} for running boxes whose metrics came]}. Strings
 *     are exact (JSON escapes control characters).
 * Boxes are sorted by name and filtered by --filter (model/query). NAME is
 * the id for a box without a name, as in the dashboard; ID is the id's first
 * 12 characters. RX/s and TX/s need two samples: "-" (null) on the first
 * refresh; in JSON they are rounded to 0.1 B/s. AGE is the time since the
 * box was created (the API has no start time).
 *
 * Refreshes: -n N of them (text without -n: until stopped; --json without
 * -n: one document), -d apart (default 2 s) from start to start. A refresh
 * whose box list cannot be read prints nothing on stdout and one line on
 * stderr ("boxtop: cannot reach URL: why"); one that lacks the runtime
 * metrics or some box metrics prints what it has and says what failed on
 * stderr (in JSON also as connection "degraded"). Either way the run goes on
 * and ends with status 1.
 *
 * Exit status: 0 when every refresh succeeded, 1 otherwise (or when stdout
 * cannot be written), 0 when stdout is closed under us (`| head`: EPIPE,
 * SIGPIPE being ignored) unless a refresh had failed, 128+N after SIGINT or
 * SIGTERM, which stop the loop at once (a request in flight is cancelled).
 */
#ifndef BOXTOP_TUI_BATCH_H
#define BOXTOP_TUI_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/box.h"
#include "model/metrics.h"
#include "model/nullable.h"
#include "net/settings.h"
#include "columns.h"
#include "opts.h"

/*
 * Runs batch output as o says (o->json, o->iterations, o->interval_ms,
 * o->filter) against s. http_global_init must have run. Installs SIGINT and
 * SIGTERM handlers for its duration and restores the old ones. Returns the
 * exit status.
 */
int batch_run(const struct opts *o, const struct settings *s);

/*
 * One line for a person about err, naming s's URL ("cannot reach URL: why",
 * "URL: why"), server text sanitized. Caller frees.
 */
char *batch_describe(const struct settings *s, const struct net_error *err);

/*
 * A table cell of server text: sanitized, at most 120 columns
 * (longer is cut and marked with "…"), "-" for NULL or "". Caller frees.
 */
char *batch_cell(const char *s);

/*
 * The rendering, apart from the network so it can be tested.
 */

/* What one refresh shows. Every pointer is borrowed. */
struct batch_frame {
	int64_t now;         /* wall clock, unix seconds */
	const char *url;     /* the endpoint as the user set it */
	const char *prefix;  /* NULL or "": no prefix */
	const char *filter;  /* --filter's text, NULL when none */
	const char *problem; /* NULL when every request succeeded, else what failed */
	const struct runtime_metrics *runtime; /* NULL when it could not be read */
	const struct box *boxes;               /* the whole list (for the counts) */
	const struct column_live *live;        /* parallel to boxes; NULL: nothing measured */
	size_t n_boxes;
	const size_t *shown; /* indices into boxes, in the order printed */
	size_t n_shown;
};

/* Writes f as the text header block and table to out (errors show in ferror(out)). */
void batch_write_text(FILE *out, const struct batch_frame *f);

/*
 * Writes f to out as one JSON document on one line, newline included
 * (errors show in ferror(out)), one box at a time: no tree of the whole
 * frame is built.
 */
void batch_write_json(FILE *out, const struct batch_frame *f);

#endif
