/*
 * history: see history.h. The ring is a set of parallel arrays indexed by
 * sample, with one presence byte per sample whose bit m says whether metric
 * m was measured, so a copy is one memcpy and nothing needs freeing. A rate
 * needs two readings of a counter; the last reading is kept beside the ring
 * and survives gaps, so a counter that comes back after a missed poll gives
 * the average over the whole interval rather than nothing.
 */
#include "history.h"

#include <math.h>

static void put(struct metric_history *h, enum history_metric metric, bool has, double v)
{
	h->value[metric][h->next] = has ? (float)v : 0.0f;
	if (has)
		h->present[h->next] |= (uint8_t)(1u << metric);
}

bool history_counter_rate(struct history_counter *c, struct opt_i64 now, int64_t now_ms,
			  double *rate)
{
	bool ok = false;

	if (!opt_i64_has(now))
		return false;
	if (c->valid && now.v >= c->bytes && now_ms > c->at_ms) {
		*rate = (double)(now.v - c->bytes) * 1000.0 / (double)(now_ms - c->at_ms);
		ok = true;
	}
	c->valid = true;
	c->bytes = now.v;
	c->at_ms = now_ms;
	return ok;
}

void history_push(struct metric_history *h, const struct box_metrics *m, int64_t now_ms)
{
	static const struct box_metrics none;
	double rx = 0, tx = 0;
	bool has_rx, has_tx;

	if (m == NULL)
		m = &none;
	has_rx = history_counter_rate(&h->rx, m->network_bytes_received, now_ms, &rx);
	has_tx = history_counter_rate(&h->tx, m->network_bytes_sent, now_ms, &tx);
	h->present[h->next] = 0;
	put(h, HISTORY_CPU, opt_f64_has(m->cpu_percent), m->cpu_percent.v);
	put(h, HISTORY_MEMORY, opt_i64_has(m->memory_bytes), (double)m->memory_bytes.v);
	put(h, HISTORY_NET_RX, has_rx, rx);
	put(h, HISTORY_NET_TX, has_tx, tx);
	h->next = (uint16_t)((h->next + 1) % HISTORY_LEN);
	if (h->count < HISTORY_LEN)
		h->count++;
	h->last_ms = now_ms;
}

/* The ring index of the i-th of the newest n samples, oldest first. */
static size_t ring_index(const struct metric_history *h, size_t n, size_t i)
{
	return (h->next + HISTORY_LEN - n + i) % HISTORY_LEN;
}

static bool valid_metric(enum history_metric metric)
{
	return (unsigned)metric < HISTORY_METRIC_COUNT;
}

size_t history_series(const struct metric_history *h, enum history_metric metric, double *out,
		      bool *present, size_t max)
{
	size_t n;

	if (h == NULL || !valid_metric(metric))
		return 0;
	n = h->count < max ? h->count : max;
	for (size_t i = 0; i < n; i++) {
		size_t at = ring_index(h, n, i);
		bool has = (h->present[at] >> metric) & 1u;

		out[i] = has ? (double)h->value[metric][at] : NAN;
		if (present != NULL)
			present[i] = has;
	}
	return n;
}

bool history_last(const struct metric_history *h, enum history_metric metric, double *out)
{
	double v;
	bool has = false;

	if (history_series(h, metric, &v, &has, 1) == 1 && has)
		*out = v;
	return has;
}
