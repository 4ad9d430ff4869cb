/*
 * Unit tests for model/metrics: runtime metrics old and new, box metrics
 * with every field, with nulls (kept distinct from 0), and partial boot
 * timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/metrics.h"
#include "tests/support/fixture.h"

static void load_box(const char *name, struct box_metrics *m)
{
	struct decode_error err = {0};
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (box_metrics_decode(buf, len, m, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
}

static void load_runtime(const char *name, struct runtime_metrics *m)
{
	struct decode_error err = {0};
	size_t len;
	char *buf = fixture_load(name, &len);
	char msg[300];

	if (runtime_metrics_decode(buf, len, m, &err) < 0)
		fail_msg("%s: %s", name, decode_error_str(&err, msg, sizeof(msg)));
	free(buf);
}

static void test_degenerate(void **state)
{
	struct decode_error err = {0};
	struct box_metrics m;
	struct runtime_metrics r;

	(void)state;
	assert_int_equal(box_metrics_decode("[]", 2, &m, &err), -1);
	assert_int_equal(runtime_metrics_decode("", 0, &r, &err), -1);
	assert_int_equal(box_metrics_decode("{\"cpu_percent\":-1}", 18, &m, &err), -1);
	assert_string_equal(err.field, "cpu_percent");
	assert_int_equal(box_metrics_decode("{\"memory_bytes\":1.5}", 20, &m, &err), -1);
	assert_string_equal(err.field, "memory_bytes");
	assert_int_equal(box_metrics_decode("{\"boot_timing\":[]}", 18, &m, &err), -1);
	assert_string_equal(err.object, "boot_timing");
	assert_string_equal(boot_stage_name((enum boot_stage)42), "unknown");
}

static void test_runtime(void **state)
{
	struct runtime_metrics r;

	(void)state;
	load_runtime("runtime_metrics.json", &r);
	assert_int_equal(r.num_running_boxes.v, 21);
	assert_int_equal(r.total_exec_errors.v, 7);
	assert_int_equal(r.image_disks_evicted_total.state, OPT_ABSENT);
	load_runtime("runtime_metrics_new.json", &r);
	assert_int_equal(r.image_disk_bytes_reclaimed_total.v, 7340032);
	load_runtime("runtime_metrics_empty.json", &r);
	assert_int_equal(r.boxes_created_total.state, OPT_ABSENT);
}

static void test_box_full(void **state)
{
	struct box_metrics m;

	(void)state;
	load_box("box_metrics_running.json", &m);
	assert_int_equal(m.commands_executed_total.v, 10);
	assert_int_equal(m.cpu_percent.state, OPT_SET);
	assert_true(m.cpu_percent.v == 12.5);
	assert_int_equal(m.memory_bytes.v, 268435456);
	assert_int_equal(m.network_bytes_received.v, 200000);
	assert_int_equal(m.network_tcp_errors.state, OPT_SET);
	assert_int_equal(m.network_tcp_errors.v, 0);
	assert_true(m.boot.present);
	assert_int_equal(m.boot.total_create_ms.v, 812);
	assert_int_equal(m.boot.stage_ms[BOOT_GUEST_BOOT].v, 300);
	assert_int_equal(m.boot.stage_ms[BOOT_CONTAINER_INIT].v, 50);
	assert_string_equal(boot_stage_name(BOOT_IMAGE_PREPARE), "image_prepare");
}

static void test_box_nulls_and_partial(void **state)
{
	struct box_metrics m;

	(void)state;
	load_box("box_metrics_nulls.json", &m);
	assert_int_equal(m.cpu_percent.state, OPT_NULL);
	assert_int_equal(m.memory_bytes.state, OPT_NULL);
	assert_int_equal(m.commands_executed_total.state, OPT_SET);
	assert_int_equal(m.commands_executed_total.v, 0);
	assert_false(m.boot.present);
	load_box("box_metrics_partial_boot.json", &m);
	assert_int_equal(m.cpu_percent.state, OPT_SET);
	assert_true(m.cpu_percent.v == 0.0);
	assert_int_equal(m.memory_bytes.state, OPT_ABSENT);
	assert_true(m.boot.present);
	assert_int_equal(m.boot.stage_ms[BOOT_GUEST_BOOT].state, OPT_NULL);
	assert_int_equal(m.boot.stage_ms[BOOT_BOX_SPAWN].state, OPT_ABSENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_runtime),
		cmocka_unit_test(test_box_full),
		cmocka_unit_test(test_box_nulls_and_partial),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
