/*
 * Unit tests for model/encode: what box_to_json writes, box_decode reads
 * back unchanged, including the absent/null/0 distinction and a null name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/box.h"
#include "model/encode.h"
#include "model/metrics.h"
#include "model/snapshot.h"
#include "tests/support/fixture.h"

/* Mutable strings for struct fields (-Wwrite-strings makes literals const). */
static char s_b1[] = "b1", s_alpine[] = "alpine", s_01j[] = "01J", s_web1[] = "web-1";
static char s_python[] = "python:3.12", s_team[] = "team", s_web[] = "web", s_env[] = "env";
static char s_prod[] = "prod", s_a[] = "a", s_b[] = "b", s_i[] = "i";

static struct box *round_trip(const struct box *in)
{
	struct decode_error err = {0};
	struct box *out = NULL;
	cJSON *doc = box_to_json(in);
	char *text = cJSON_PrintUnformatted(doc);

	cJSON_Delete(doc);
	assert_int_equal(box_decode(text, strlen(text), &out, &err), 0);
	free(text);
	return out;
}

static void assert_same_box(const struct box *a, const struct box *b)
{
	assert_string_equal(a->id, b->id);
	assert_true((a->name == NULL) == (b->name == NULL));
	if (a->name != NULL)
		assert_string_equal(a->name, b->name);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->created_at, b->created_at);
	assert_int_equal(a->updated_at, b->updated_at);
	assert_string_equal(a->image, b->image);
	assert_int_equal(a->cpus, b->cpus);
	assert_int_equal(a->memory_mib, b->memory_mib);
	assert_int_equal(a->pid.state, b->pid.state);
	assert_int_equal(a->exit_code.state, b->exit_code.state);
	assert_int_equal(a->exit_code.v, b->exit_code.v);
	assert_int_equal(a->last_activity_at.state, b->last_activity_at.state);
	assert_int_equal(a->n_labels, b->n_labels);
	for (size_t i = 0; i < a->n_labels; i++) {
		assert_string_equal(a->labels[i].key, b->labels[i].key);
		assert_string_equal(a->labels[i].value, b->labels[i].value);
	}
	assert_int_equal(a->auto_stop, b->auto_stop);
	assert_int_equal(a->auto_delete, b->auto_delete);
	assert_int_equal(a->auto_resume, b->auto_resume);
}

static void test_minimal_box(void **state)
{
	struct box in = {.id = s_b1,
			 .status = BOX_STOPPED,
			 .image = s_alpine,
			 .cpus = 1,
			 .memory_mib = 128,
			 .exit_code = {OPT_SET, 0},
			 .pid = {OPT_NULL, 0}};
	struct box *out;

	(void)state;
	out = round_trip(&in);
	assert_null(out->name);
	assert_int_equal(out->exit_code.state, OPT_SET);
	assert_int_equal(out->exit_code.v, 0);
	assert_same_box(&in, out);
	box_free(&out);
}

static void test_running_has_no_exit_code(void **state)
{
	struct kv labels[] = {{s_team, s_web}, {s_env, s_prod}};
	struct box in = {.id = s_01j,
			 .name = s_web1,
			 .status = BOX_RUNNING,
			 .created_at = 1,
			 .updated_at = 1700000000,
			 .image = s_python,
			 .cpus = 4,
			 .memory_mib = 2048,
			 .pid = {OPT_SET, 4242},
			 .labels = labels,
			 .n_labels = 2,
			 .auto_stop = 0,
			 .auto_delete = 60,
			 .auto_resume = false,
			 .last_activity_at = {OPT_SET, 1700000001}};
	cJSON *doc = box_to_json(&in);
	struct box *out;

	(void)state;
	assert_null(cJSON_GetObjectItemCaseSensitive(doc, "exit_code"));
	cJSON_Delete(doc);
	out = round_trip(&in);
	assert_int_equal(out->pid.v, 4242);
	assert_same_box(&in, out);
	box_free(&out);
}

static void test_fixture_round_trip(void **state)
{
	struct decode_error err = {0};
	struct box *in = NULL;
	struct box *out;
	size_t len;
	char *buf = fixture_load("box_spec.json", &len);

	(void)state;
	assert_int_equal(box_decode(buf, len, &in, &err), 0);
	out = round_trip(in);
	assert_same_box(in, out);
	box_free(&out);
	box_free(&in);
	free(buf);
}

static void test_list(void **state)
{
	struct box items[2] = {
		{.id = s_a, .status = BOX_RUNNING, .image = s_i, .cpus = 1, .memory_mib = 128},
		{.id = s_b, .status = BOX_PAUSED, .image = s_i, .cpus = 2, .memory_mib = 256},
	};
	struct decode_error err = {0};
	struct box_list *list = NULL;
	cJSON *doc;
	char *text;

	(void)state;
	doc = box_list_to_json(items, 2, "tok");
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	assert_int_equal(box_list_decode(text, strlen(text), &list, &err), 0);
	assert_int_equal(list->n, 2);
	assert_string_equal(list->next_page_token, "tok");
	assert_int_equal(list->items[1].status, BOX_PAUSED);
	box_list_free(&list);
	free(text);
	doc = box_list_to_json(NULL, 0, NULL);
	assert_null(cJSON_GetObjectItemCaseSensitive(doc, "next_page_token"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "boxes")), 0);
	cJSON_Delete(doc);
}

static char *print(cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);

	cJSON_Delete(doc);
	return text;
}

static void test_metrics(void **state)
{
	struct runtime_metrics rt = {.num_running_boxes = {OPT_SET, 3},
				     .total_exec_errors = {OPT_NULL, 0}};
	struct box_metrics bm = {.cpu_percent = {OPT_SET, 12.5},
				 .memory_bytes = {OPT_NULL, 0},
				 .network_tcp_errors = {OPT_SET, 2},
				 .boot.present = true,
				 .boot.stage_ms[BOOT_BOX_SPAWN] = {OPT_SET, 42}};
	struct runtime_metrics rt2 = {0};
	struct box_metrics bm2 = {0};
	struct decode_error err = {0};
	char *text = print(runtime_metrics_to_json(&rt));

	(void)state;
	assert_int_equal(runtime_metrics_decode(text, strlen(text), &rt2, &err), 0);
	assert_int_equal(rt2.num_running_boxes.v, 3);
	assert_int_equal(rt2.total_exec_errors.state, OPT_NULL);
	assert_int_equal(rt2.boxes_created_total.state, OPT_ABSENT);
	free(text);
	text = print(box_metrics_to_json(&bm));
	assert_int_equal(box_metrics_decode(text, strlen(text), &bm2, &err), 0);
	assert_true(bm2.cpu_percent.v > 12.4 && bm2.cpu_percent.v < 12.6);
	assert_int_equal(bm2.memory_bytes.state, OPT_NULL);
	assert_int_equal(bm2.network_tcp_errors.v, 2);
	assert_true(bm2.boot.present);
	assert_int_equal(bm2.boot.stage_ms[BOOT_BOX_SPAWN].v, 42);
	free(text);
}

static void test_snapshots(void **state)
{
	static char id[] = "ab12cd34", box[] = "01J", name[] = "nightly";
	struct snapshot snap = {.id = id,
				.box_id = box,
				.name = name,
				.created_at = 1700000000,
				.container_disk_bytes = 4096,
				.size_bytes = 100};
	struct decode_error err = {0};
	struct snapshot_list *list = NULL;
	struct snapshot *out = NULL;
	char *text = print(snapshot_to_json(&snap));

	(void)state;
	assert_non_null(strstr(text, "\"created_at\":1700000000"));
	assert_null(strstr(text, "guest_disk_bytes"));
	assert_int_equal(snapshot_decode(text, strlen(text), &out, &err), 0);
	assert_string_equal(out->name, "nightly");
	assert_int_equal(out->created_at, 1700000000);
	assert_int_equal(out->container_disk_bytes, 4096);
	snapshot_free(&out);
	free(text);
	text = print(snapshot_list_to_json(&snap, 1));
	assert_int_equal(snapshot_list_decode(text, strlen(text), &list, &err), 0);
	assert_int_equal(list->n, 1);
	snapshot_list_free(&list);
	free(text);
}

/* ImageInfo and ImageUsage as the server sends them, and back. */
static void test_images(void **state)
{
	static char ref[] = "ghcr.io/acme/worker:1.4.2", repo[] = "ghcr.io/acme/worker",
		    tag[] = "1.4.2", id[] = "sha256:00ff";
	struct image_info im = {.reference = ref,
				.repository = repo,
				.tag = tag,
				.id = id,
				.cached_at = 1790856000,
				.size_bytes = {OPT_SET, 12345}};
	struct image_usage u = {.count = 3, .limit = 50, .known_bytes = 99};
	struct decode_error err = {0};
	struct image_usage back;
	char *text = print(image_info_to_json(&im));

	(void)state;
	assert_string_equal(text,
			    "{\"reference\":\"ghcr.io/acme/worker:1.4.2\",\"repository\":"
			    "\"ghcr.io/acme/worker\",\"tag\":\"1.4.2\",\"id\":\"sha256:00ff\","
			    "\"cached_at\":\"2026-10-01T12:00:00Z\",\"size_bytes\":12345}");
	free(text);
	im.size_bytes.state = OPT_ABSENT;
	text = print(image_info_to_json(&im));
	assert_null(strstr(text, "size_bytes"));
	free(text);
	text = print(image_usage_to_json(&u));
	assert_int_equal(image_usage_decode(text, strlen(text), &back, &err), 0);
	assert_memory_equal(&back, &u, sizeof(u));
	free(text);
}

/* A job as `boxtop COMMAND --json` prints it: every field, null for what is unknown. */
static void test_job(void **state)
{
	char id[] = "ID1", name[] = "web-1", path[] = "/tmp/w.boxlite";
	struct job j = {.id = 7,
			.kind = JOB_EXPORT,
			.state = JOB_SUCCEEDED,
			.box_id = id,
			.box_name = name,
			.arg = path,
			.result = path,
			.started_ms = 1000,
			.finished_ms = 3500,
			.bytes_done = 4096,
			.bytes_total = -1};
	cJSON *o = job_to_json(&j);
	char *text = cJSON_PrintUnformatted(o);

	(void)state;
	assert_string_equal(text,
			    "{\"id\":7,\"kind\":\"export\",\"state\":\"succeeded\",\"box_id\":"
			    "\"ID1\",\"box_name\":\"web-1\",\"arg\":\"/tmp/w.boxlite\",\"result\":"
			    "\"/tmp/w.boxlite\",\"message\":null,\"bytes_done\":4096,"
			    "\"bytes_total\":null,\"seconds\":2.5}");
	free(text);
	cJSON_Delete(o);
	/* a job that never ran: no time, and the names of kind and state as the model has them */
	j = (struct job){.kind = JOB_KIND_COUNT, .state = JOB_QUEUED, .bytes_total = 10};
	o = job_to_json(&j);
	assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "unknown");
	assert_int_equal(cJSON_GetObjectItem(o, "seconds")->valuedouble, 0);
	assert_int_equal(cJSON_GetObjectItem(o, "bytes_total")->valuedouble, 10);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "box_id")));
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_box),
		cmocka_unit_test(test_running_has_no_exit_code),
		cmocka_unit_test(test_fixture_round_trip),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_job),
	};

	return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
