/* eventlog: order, the bound, formatting, clearing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/eventlog.h"

static void test_empty(void **state)
{
	struct eventlog log = {0};

	(void)state;
	assert_null(eventlog_at(&log, 0));
	eventlog_clear(&log);
	assert_int_equal(log.n, 0);
	assert_string_equal(event_level_name(EVENT_ERROR), "error");
	assert_string_equal(event_level_name((enum event_level)99), "info");
}

static void test_order_and_format(void **state)
{
	struct eventlog log = {0};

	(void)state;
	eventlog_add(&log, 10, EVENT_INFO, "export %s queued", "web-1");
	eventlog_add(&log, 11, EVENT_ERROR, "%d%%", 50);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.added, 2);
	assert_string_equal(eventlog_at(&log, 0)->text, "export web-1 queued");
	assert_int_equal(eventlog_at(&log, 0)->at, 10);
	assert_string_equal(eventlog_at(&log, 1)->text, "50%");
	assert_int_equal(eventlog_at(&log, 1)->level, EVENT_ERROR);
	assert_null(eventlog_at(&log, 2));
	eventlog_clear(&log);
	assert_int_equal(log.n, 0);
	assert_int_equal(log.added, 3);
}

static void test_bounded(void **state)
{
	struct eventlog log = {0};

	(void)state;
	for (int i = 0; i < EVENTLOG_KEPT + 7; i++)
		eventlog_add(&log, i, EVENT_OK, "event %d", i);
	assert_int_equal(log.n, EVENTLOG_KEPT);
	assert_string_equal(eventlog_at(&log, 0)->text, "event 7");
	assert_int_equal(eventlog_at(&log, EVENTLOG_KEPT - 1)->at, EVENTLOG_KEPT + 6);
	eventlog_clear(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_and_format),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
