/*
 * Unit tests for model/job: names (in and out of range), deep copies, and
 * job_apply: which fields an update touches, the timestamps it stamps, and
 * final states that stay final.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/job.h"
#include "model/xalloc.h"

static struct job export_job(void)
{
	struct job j = {
		.kind = JOB_EXPORT,
		.state = JOB_QUEUED,
		.box_id = xstrdup("01HJK"),
		.box_name = xstrdup("web"),
		.arg = xstrdup("/tmp/web.tar"),
		.created_ms = 100,
		.bytes_total = -1,
	};

	return j;
}

static void test_degenerate(void **state)
{
	struct job j = {0}, copy;
	struct job_update none = {0};

	(void)state;
	job_clear(NULL);
	job_clear(&j);
	assert_false(job_is_finished(NULL));
	assert_false(job_is_finished(&j));
	assert_string_equal(job_kind_name((enum job_kind)JOB_KIND_COUNT), "unknown");
	assert_string_equal(job_kind_name((enum job_kind) - 1), "unknown");
	assert_string_equal(job_state_name((enum job_state)99), "unknown");
	job_copy(&copy, &j);
	assert_null(copy.box_id);
	assert_null(copy.message);
	/* An update naming no field changes nothing. */
	assert_int_equal(job_apply(&copy, &none), 0);
	assert_memory_equal(&copy, &j, sizeof(j));
	job_clear(&copy);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(job_kind_name(JOB_SNAPSHOT_CREATE), "snapshot");
	assert_string_equal(job_kind_name(JOB_DELETE_BOX), "delete");
	assert_string_equal(job_kind_name(JOB_IMAGE_DELETE), "delete image");
	for (int k = 0; k < JOB_KIND_COUNT; k++)
		assert_string_not_equal(job_kind_name((enum job_kind)k), "unknown");
	for (int s = 0; s < JOB_STATE_COUNT; s++)
		assert_string_not_equal(job_state_name((enum job_state)s), "unknown");
	assert_string_equal(job_state_name(JOB_CANCELLED), "cancelled");
}

static void test_copy_is_deep(void **state)
{
	struct job j = export_job(), copy;

	(void)state;
	job_copy(&copy, &j);
	assert_ptr_not_equal(copy.box_id, j.box_id);
	assert_string_equal(copy.box_name, "web");
	assert_string_equal(copy.arg, "/tmp/web.tar");
	assert_null(copy.message);
	assert_int_equal(copy.bytes_total, -1);
	job_clear(&j);
	assert_null(j.box_id);
	assert_string_equal(copy.box_id, "01HJK");
	job_clear(&copy);
}

static void test_apply(void **state)
{
	struct job j = export_job();
	struct job_update u = {.fields = JOB_FIELD_STATE, .state = JOB_RUNNING, .now_ms = 200};

	(void)state;
	assert_int_equal(job_apply(&j, &u), 0);
	assert_int_equal(j.state, JOB_RUNNING);
	assert_int_equal(j.started_ms, 200);
	/* Running again does not move the start. */
	u.now_ms = 300;
	assert_int_equal(job_apply(&j, &u), 0);
	assert_int_equal(j.started_ms, 200);
	u = (struct job_update){.fields = JOB_FIELD_PROGRESS | JOB_FIELD_RATE | JOB_FIELD_MESSAGE,
				.bytes_done = 512,
				.bytes_total = 2048,
				.rate_bps = 1e6,
				.message = "writing layers",
				.state = JOB_FAILED};
	assert_int_equal(job_apply(&j, &u), 0);
	assert_int_equal(j.state, JOB_RUNNING); /* not in fields */
	assert_int_equal(j.bytes_done, 512);
	assert_int_equal(j.bytes_total, 2048);
	assert_true(j.rate_bps == 1e6);
	assert_string_equal(j.message, "writing layers");
	u = (struct job_update){.fields = JOB_FIELD_MESSAGE, .message = NULL};
	assert_int_equal(job_apply(&j, &u), 0);
	assert_null(j.message);
	job_clear(&j);
}

/* What a job made: set while it runs, copied deeply, kept once it is final. */
static void test_result(void **state)
{
	struct job j = {.state = JOB_RUNNING}, copy;
	struct job_update u = {.fields = JOB_FIELD_RESULT, .result = "/tmp/w.boxlite"};

	(void)state;
	assert_int_equal(job_apply(&j, &u), 0);
	assert_string_equal(j.result, "/tmp/w.boxlite");
	assert_null(j.message); /* only the named field changes */
	job_copy(&copy, &j);
	assert_ptr_not_equal(copy.result, j.result);
	assert_string_equal(copy.result, "/tmp/w.boxlite");
	u = (struct job_update){.fields = JOB_FIELD_STATE | JOB_FIELD_RESULT,
				.state = JOB_SUCCEEDED,
				.result = "01ABC"};
	assert_int_equal(job_apply(&j, &u), 0);
	assert_string_equal(j.result, "01ABC");
	u.result = "later";
	assert_int_equal(job_apply(&j, &u), -1);
	assert_string_equal(j.result, "01ABC");
	job_clear(&copy);
	job_clear(&j);
	assert_null(j.result);
}

static void test_final_is_final(void **state)
{
	struct job j = export_job();
	struct job_update done = {.fields = JOB_FIELD_STATE | JOB_FIELD_MESSAGE,
				  .state = JOB_SUCCEEDED,
				  .message = "exported",
				  .now_ms = 900};
	struct job_update late = {.fields = JOB_FIELD_STATE | JOB_FIELD_PROGRESS,
				  .state = JOB_CANCELLED,
				  .bytes_done = 1,
				  .now_ms = 950};

	(void)state;
	/* A queued job may finish without running: no start stamp. */
	assert_int_equal(job_apply(&j, &done), 0);
	assert_true(job_is_finished(&j));
	assert_int_equal(j.finished_ms, 900);
	assert_int_equal(j.started_ms, 0);
	assert_int_equal(job_apply(&j, &late), -1);
	assert_int_equal(j.state, JOB_SUCCEEDED);
	assert_int_equal(j.bytes_done, 0);
	assert_int_equal(j.finished_ms, 900);
	assert_string_equal(j.message, "exported");
	job_clear(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),     cmocka_unit_test(test_names),
		cmocka_unit_test(test_copy_is_deep),   cmocka_unit_test(test_apply),
		cmocka_unit_test(test_final_is_final), cmocka_unit_test(test_result),
	};

	return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
