/*
 * Unit tests for model/history: an empty history, values and gaps (null is
 * not zero), network rates from counters, a counter reset, a clock that does
 * not move, and the ring wrapping at HISTORY_LEN.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/history.h"

/* Box metrics decoded from a JSON object. */
static struct box_metrics metrics(const char *json)
{
	struct decode_error err = {0};
	struct box_metrics m;
	char msg[300];

	if (box_metrics_decode(json, strlen(json), &m, &err) < 0)
		fail_msg("%s: %s", json, decode_error_str(&err, msg, sizeof(msg)));
	return m;
}

/* Metrics with only the two network counters. */
static struct box_metrics net(int64_t rx, int64_t tx)
{
	char json[128];

	snprintf(json, sizeof(json),
		 "{\"network_bytes_received\":%lld,\"network_bytes_sent\":%lld}", (long long)rx,
		 (long long)tx);
	return metrics(json);
}

static void push_json(struct metric_history *h, const char *json, int64_t now_ms)
{
	struct box_metrics m = metrics(json);

	history_push(h, &m, now_ms);
}

static void push_net(struct metric_history *h, int64_t rx, int64_t tx, int64_t now_ms)
{
	struct box_metrics m = net(rx, tx);

	history_push(h, &m, now_ms);
}

/* The newest value of metric, failing the test when it is a gap. */
static double last(const struct metric_history *h, enum history_metric metric)
{
	double v = -1;

	if (!history_last(h, metric, &v))
		fail_msg("metric %d: newest sample is a gap", (int)metric);
	return v;
}

static void test_degenerate(void **state)
{
	struct metric_history h = {0};
	double out[4] = {7, 7, 7, 7};
	bool present[4];
	double v = 42;

	(void)state;
	assert_int_equal(history_series(NULL, HISTORY_CPU, out, present, 4), 0);
	assert_int_equal(history_series(&h, HISTORY_CPU, out, present, 4), 0);
	assert_false(history_last(NULL, HISTORY_CPU, &v));
	assert_false(history_last(&h, HISTORY_CPU, &v));
	assert_true(v == 42);
	history_push(&h, NULL, 1000);
	assert_int_equal(history_series(&h, HISTORY_CPU, out, present, 0), 0);
	assert_int_equal(history_series(&h, (enum history_metric)9, out, present, 4), 0);
	assert_false(history_last(&h, (enum history_metric) - 1, &v));
	/* A NULL sample is a gap in every metric, not a zero. */
	for (int m = 0; m < HISTORY_METRIC_COUNT; m++) {
		assert_int_equal(history_series(&h, (enum history_metric)m, out, present, 4), 1);
		assert_false(present[0]);
		assert_true(isnan(out[0]));
		assert_false(history_last(&h, (enum history_metric)m, &v));
	}
	assert_int_equal(h.last_ms, 1000);
}

static void test_values_and_gaps(void **state)
{
	struct metric_history h = {0}, copy;
	double out[3];
	bool present[3];

	(void)state;
	push_json(&h, "{\"cpu_percent\":12.5,\"memory_bytes\":1048576}", 1000);
	push_json(&h, "{\"cpu_percent\":null,\"memory_bytes\":0}", 2000);
	push_json(&h, "{\"cpu_percent\":0}", 3000);
	assert_int_equal(history_series(&h, HISTORY_CPU, out, present, 3), 3);
	assert_true(present[0] && !present[1] && present[2]);
	assert_true(out[0] == 12.5 && isnan(out[1]) && out[2] == 0.0);
	assert_int_equal(history_series(&h, HISTORY_MEMORY, out, NULL, 3), 3);
	assert_true(out[0] == 1048576.0 && out[1] == 0.0 && isnan(out[2]));
	assert_true(last(&h, HISTORY_CPU) == 0.0);
	/* Flat: a plain copy is a full copy. */
	copy = h;
	assert_memory_equal(&copy, &h, sizeof(h));
	assert_int_equal(history_series(&copy, HISTORY_CPU, out, present, 3), 3);
	assert_true(out[0] == 12.5);
}

static void test_rates(void **state)
{
	struct metric_history h = {0};
	double out[3];
	bool present[3];

	(void)state;
	push_net(&h, 0, 100, 10000);
	/* One reading is no rate yet. */
	assert_int_equal(history_series(&h, HISTORY_NET_RX, out, present, 3), 1);
	assert_false(present[0]);
	push_net(&h, 1000, 100, 11000);
	assert_true(last(&h, HISTORY_NET_RX) == 1000.0);
	assert_true(last(&h, HISTORY_NET_TX) == 0.0);
	/* Half a second, 4000 bytes: 8000 bytes/s. */
	push_net(&h, 5000, 600, 11500);
	assert_true(last(&h, HISTORY_NET_RX) == 8000.0);
	assert_true(last(&h, HISTORY_NET_TX) == 1000.0);
	assert_int_equal(history_series(&h, HISTORY_NET_RX, out, present, 3), 3);
	assert_true(!present[0] && present[1] && present[2]);
}

static void test_counter_reset(void **state)
{
	struct metric_history h = {0};
	double v = 0;

	(void)state;
	push_net(&h, 50000, 50000, 1000);
	push_net(&h, 60000, 60000, 2000);
	assert_true(last(&h, HISTORY_NET_RX) == 10000.0);
	/* The box restarted: counters went back. A gap, never a negative rate. */
	push_net(&h, 300, 70000, 3000);
	assert_false(history_last(&h, HISTORY_NET_RX, &v));
	assert_true(last(&h, HISTORY_NET_TX) == 10000.0);
	/* Measuring starts again from the new reading. */
	push_net(&h, 2300, 70000, 4000);
	assert_true(last(&h, HISTORY_NET_RX) == 2000.0);
}

static void test_missing_counter_and_clock(void **state)
{
	struct metric_history h = {0};
	double v = 0;

	(void)state;
	push_net(&h, 1000, 1000, 1000);
	/* The counter is missing: a gap, and the last reading is kept... */
	push_json(&h, "{\"network_bytes_received\":null}", 2000);
	assert_false(history_last(&h, HISTORY_NET_RX, &v));
	assert_false(history_last(&h, HISTORY_NET_TX, &v));
	/* ...so the next one measures over the whole four seconds. */
	push_net(&h, 9000, 1000, 5000);
	assert_true(last(&h, HISTORY_NET_RX) == 2000.0);
	/* A clock that did not move gives a gap, not a division by zero. */
	push_net(&h, 9500, 1000, 5000);
	assert_false(history_last(&h, HISTORY_NET_RX, &v));
	push_net(&h, 10500, 1000, 6000);
	assert_true(last(&h, HISTORY_NET_RX) == 1000.0);
}

static void test_wraparound(void **state)
{
	struct metric_history h = {0};
	double out[HISTORY_LEN + 5];
	bool present[HISTORY_LEN + 5];
	char json[64];
	size_t n;

	(void)state;
	for (int i = 0; i < 3 * HISTORY_LEN + 7; i++) {
		snprintf(json, sizeof(json), "{\"cpu_percent\":%d}", i);
		push_json(&h, json, 1000 * (i + 1));
		if (i == HISTORY_LEN - 1)
			assert_int_equal(
				history_series(&h, HISTORY_CPU, out, present, HISTORY_LEN + 5),
				HISTORY_LEN);
	}
	n = history_series(&h, HISTORY_CPU, out, present, HISTORY_LEN + 5);
	assert_int_equal(n, HISTORY_LEN);
	for (size_t i = 0; i < n; i++) {
		assert_true(present[i]);
		assert_true(out[i] == (double)(2 * HISTORY_LEN + 7 + i));
	}
	/* A narrower sparkline gets the newest samples, still oldest first. */
	assert_int_equal(history_series(&h, HISTORY_CPU, out, present, 3), 3);
	assert_true(out[0] == 3 * HISTORY_LEN + 4 && out[2] == 3 * HISTORY_LEN + 6);
	assert_true(last(&h, HISTORY_CPU) == 3 * HISTORY_LEN + 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_values_and_gaps),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_counter_reset),
		cmocka_unit_test(test_missing_counter_and_clock),
		cmocka_unit_test(test_wraparound),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
