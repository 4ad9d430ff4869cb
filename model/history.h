/*
 * history: a box's recent metrics for sparklines, in fixed-size rings.
 *
 * Each sample holds CPU percent, memory bytes and the network receive and
 * send rates. The rates are bytes per second worked out from the monotonic
 * counters network_bytes_received/sent between the sample and the last one
 * that had the counter. A counter that goes backwards (the box restarted) or
 * a clock that does not move forward gives a gap and starts measuring again,
 * never a negative spike; a value the server did not send (absent or null)
 * is a gap, never a zero.
 *
 * struct metric_history is flat (no pointers): copy it with = or memcpy.
 * A zeroed one is an empty history. Values are kept as float (sparkline
 * precision; about 2 KiB a box): read exact current values from the
 * struct box_metrics itself.
 */
#ifndef BOXTOP_MODEL_HISTORY_H
#define BOXTOP_MODEL_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

/* Samples kept per box; the oldest is overwritten first. */
#define HISTORY_LEN 120

enum history_metric {
	HISTORY_CPU,    /* percent, as the server reports it */
	HISTORY_MEMORY, /* bytes */
	HISTORY_NET_RX, /* bytes per second received */
	HISTORY_NET_TX, /* bytes per second sent */
	HISTORY_METRIC_COUNT,
};

/* The last reading of one network counter, to measure the next rate from. */
struct history_counter {
	bool valid;
	int64_t bytes;
	int64_t at_ms;
};

struct metric_history {
	float value[HISTORY_METRIC_COUNT][HISTORY_LEN];
	uint8_t present[HISTORY_LEN]; /* bit m set: value[m][i] holds a value */
	uint16_t next;                /* ring index the next sample goes to */
	uint16_t count;               /* samples held, at most HISTORY_LEN */
	int64_t last_ms;              /* time of the newest sample */
	struct history_counter rx, tx;
};

/*
 * A network counter's rate in bytes per second, read as now at now_ms (a
 * monotonic clock), since its last reading in *c, which now replaces it:
 * what history_push does for rx and tx, for a caller that needs the rate
 * and not the ring (2 KiB a box). Returns false with *rate untouched on a
 * first reading, a counter that went backwards, a clock that did not move,
 * or an absent or null now (which leaves *c alone too).
 */
bool history_counter_rate(struct history_counter *c, struct opt_i64 now, int64_t now_ms,
			  double *rate);

/*
 * Appends one sample taken at now_ms (a monotonic clock) from m; a NULL m
 * is a sample in which nothing was measured (every metric a gap).
 */
void history_push(struct metric_history *h, const struct box_metrics *m, int64_t now_ms);

/*
 * Copies the newest samples of one metric, at most max of them, oldest
 * first, into out (and present, when not NULL); a gap is NAN in out and
 * false in present. Returns how many were written; 0 for a NULL or empty h.
 */
size_t history_series(const struct metric_history *h, enum history_metric metric, double *out,
		      bool *present, size_t max);

/*
 * The newest sample of one metric into *out. Returns false, leaving *out
 * alone, when there is no sample or the newest one is a gap.
 */
bool history_last(const struct metric_history *h, enum history_metric metric, double *out);

#endif
