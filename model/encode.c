/*
 * encode: every field is written the way the matching decoder reads it, so
 * decode(encode(x)) gives x back. cJSON allocation failures are treated as
 * out of memory (fatal), like every other allocation in boxtop.
 */
#include "encode.h"

#include <stddef.h>
#include <stdio.h>

#include "timeutil.h"
#include "xalloc.h"

static cJSON *checked(cJSON *node)
{
	if (node == NULL)
		fatal("encode: out of memory");
	return node;
}

static void add(cJSON *obj, const char *name, cJSON *value)
{
	if (!cJSON_AddItemToObject(obj, name, checked(value)))
		fatal("encode: out of memory");
}

static void add_time(cJSON *obj, const char *name, int64_t t)
{
	char buf[32];

	add(obj, name, cJSON_CreateString(time_format_rfc3339(t, buf, sizeof(buf))));
}

static void add_opt_i64(cJSON *obj, const char *name, struct opt_i64 o)
{
	if (o.state == OPT_SET)
		add(obj, name, cJSON_CreateNumber((double)o.v));
	else if (o.state == OPT_NULL)
		add(obj, name, cJSON_CreateNull());
}

static void add_opt_time(cJSON *obj, const char *name, struct opt_i64 o)
{
	if (o.state == OPT_SET)
		add_time(obj, name, o.v);
	else if (o.state == OPT_NULL)
		add(obj, name, cJSON_CreateNull());
}

static cJSON *labels_to_json(const struct kv *kv, size_t n)
{
	cJSON *obj = checked(cJSON_CreateObject());

	for (size_t i = 0; i < n; i++)
		add(obj, kv[i].key, cJSON_CreateString(kv[i].value));
	return obj;
}

cJSON *box_to_json(const struct box *b)
{
	cJSON *obj = checked(cJSON_CreateObject());

	add(obj, "box_id", cJSON_CreateString(b->id));
	add(obj, "name", b->name != NULL ? cJSON_CreateString(b->name) : cJSON_CreateNull());
	add(obj, "status", cJSON_CreateString(box_status_name(b->status)));
	add_time(obj, "created_at", b->created_at);
	add_time(obj, "updated_at", b->updated_at);
	add(obj, "image", cJSON_CreateString(b->image));
	add(obj, "cpus", cJSON_CreateNumber((double)b->cpus));
	add(obj, "memory_mib", cJSON_CreateNumber((double)b->memory_mib));
	add_opt_i64(obj, "pid", b->pid);
	add(obj, "labels", labels_to_json(b->labels, b->n_labels));
	add(obj, "auto_stop", cJSON_CreateNumber((double)b->auto_stop));
	add(obj, "auto_delete", cJSON_CreateNumber((double)b->auto_delete));
	add(obj, "auto_resume", cJSON_CreateBool(b->auto_resume));
	add_opt_time(obj, "last_activity_at", b->last_activity_at);
	add_opt_i64(obj, "exit_code", b->exit_code);
	return obj;
}

cJSON *box_list_to_json(const struct box *items, size_t n, const char *next_page_token)
{
	cJSON *obj = checked(cJSON_CreateObject());
	cJSON *arr = checked(cJSON_CreateArray());

	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(arr, box_to_json(&items[i])))
			fatal("encode: out of memory");
	add(obj, "boxes", arr);
	if (next_page_token != NULL)
		add(obj, "next_page_token", cJSON_CreateString(next_page_token));
	return obj;
}

/* An optional integer field of a struct, by name and offset. */
struct i64_field {
	const char *name;
	size_t offset;
};

static void add_i64_fields(cJSON *obj, const void *base, const struct i64_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)base + fields[i].offset;

		add_opt_i64(obj, fields[i].name, *(const struct opt_i64 *)(const void *)p);
	}
}

#define RT_FIELD(f)                                                                                \
	{                                                                                          \
#f, offsetof(struct runtime_metrics, f)                                            \
	}
static const struct i64_field runtime_fields[] = {
	RT_FIELD(boxes_created_total),       RT_FIELD(boxes_failed_total),
	RT_FIELD(boxes_stopped_total),       RT_FIELD(num_running_boxes),
	RT_FIELD(total_commands_executed),   RT_FIELD(total_exec_errors),
	RT_FIELD(image_disks_evicted_total), RT_FIELD(image_disk_bytes_reclaimed_total),
};

cJSON *runtime_metrics_to_json(const struct runtime_metrics *m)
{
	cJSON *obj = checked(cJSON_CreateObject());

	add_i64_fields(obj, m, runtime_fields, ARRAY_LEN(runtime_fields));
	return obj;
}

static cJSON *boot_to_json(const struct boot_timing *b)
{
	cJSON *obj = checked(cJSON_CreateObject());
	char name[48];

	add_opt_i64(obj, "total_create_ms", b->total_create_ms);
	for (int i = 0; i < BOOT_STAGE_COUNT; i++) {
		snprintf(name, sizeof(name), "%s_ms", boot_stage_name((enum boot_stage)i));
		add_opt_i64(obj, name, b->stage_ms[i]);
	}
	return obj;
}

#define BM_FIELD(f)                                                                                \
	{                                                                                          \
#f, offsetof(struct box_metrics, f)                                                \
	}
/* In the order BoxMetrics lists them; cpu_percent (a float) goes between 4 and 5. */
static const struct i64_field counter_fields[] = {
	BM_FIELD(commands_executed_total),
	BM_FIELD(exec_errors_total),
	BM_FIELD(bytes_sent_total),
	BM_FIELD(bytes_received_total),
	BM_FIELD(memory_bytes),
	BM_FIELD(network_bytes_sent),
	BM_FIELD(network_bytes_received),
	BM_FIELD(network_tcp_connections),
	BM_FIELD(network_tcp_errors),
};

cJSON *box_metrics_to_json(const struct box_metrics *m)
{
	cJSON *obj = checked(cJSON_CreateObject());

	add_i64_fields(obj, m, counter_fields, 4);
	if (m->cpu_percent.state == OPT_SET)
		add(obj, "cpu_percent", cJSON_CreateNumber(m->cpu_percent.v));
	else if (m->cpu_percent.state == OPT_NULL)
		add(obj, "cpu_percent", cJSON_CreateNull());
	add_i64_fields(obj, m, counter_fields + 4, 5);
	if (m->boot.present)
		add(obj, "boot_timing", boot_to_json(&m->boot));
	return obj;
}

cJSON *snapshot_to_json(const struct snapshot *s)
{
	cJSON *obj = checked(cJSON_CreateObject());

	add(obj, "id", cJSON_CreateString(s->id));
	add(obj, "box_id", cJSON_CreateString(s->box_id));
	add(obj, "name", cJSON_CreateString(s->name));
	add(obj, "created_at", cJSON_CreateNumber((double)s->created_at));
	add(obj, "container_disk_bytes", cJSON_CreateNumber((double)s->container_disk_bytes));
	add(obj, "size_bytes", cJSON_CreateNumber((double)s->size_bytes));
	add_opt_i64(obj, "guest_disk_bytes", s->guest_disk_bytes);
	return obj;
}

cJSON *snapshot_list_to_json(const struct snapshot *items, size_t n)
{
	cJSON *obj = checked(cJSON_CreateObject());
	cJSON *arr = checked(cJSON_CreateArray());

	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(arr, snapshot_to_json(&items[i])))
			fatal("encode: out of memory");
	add(obj, "snapshots", arr);
	return obj;
}

cJSON *image_info_to_json(const struct image_info *i)
{
	cJSON *obj = checked(cJSON_CreateObject());

	add(obj, "reference", cJSON_CreateString(i->reference));
	add(obj, "repository", cJSON_CreateString(i->repository));
	add(obj, "tag", cJSON_CreateString(i->tag));
	add(obj, "id", cJSON_CreateString(i->id));
	add_time(obj, "cached_at", i->cached_at);
	add_opt_i64(obj, "size_bytes", i->size_bytes);
	return obj;
}

cJSON *image_usage_to_json(const struct image_usage *u)
{
	cJSON *obj = checked(cJSON_CreateObject());

	add(obj, "count", cJSON_CreateNumber((double)u->count));
	add(obj, "limit", cJSON_CreateNumber((double)u->limit));
	add(obj, "known_bytes", cJSON_CreateNumber((double)u->known_bytes));
	return obj;
}

static void add_string(cJSON *obj, const char *name, const char *s)
{
	add(obj, name, s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull());
}

cJSON *job_to_json(const struct job *j)
{
	cJSON *obj = checked(cJSON_CreateObject());
	int64_t end = j->finished_ms > 0 ? j->finished_ms : j->started_ms;

	add(obj, "id", cJSON_CreateNumber((double)j->id));
	add_string(obj, "kind", job_kind_name(j->kind));
	add_string(obj, "state", job_state_name(j->state));
	add_string(obj, "box_id", j->box_id);
	add_string(obj, "box_name", j->box_name);
	add_string(obj, "arg", j->arg);
	add_string(obj, "result", j->result);
	add_string(obj, "message", j->message);
	add(obj, "bytes_done", cJSON_CreateNumber((double)j->bytes_done));
	add(obj, "bytes_total",
	    j->bytes_total >= 0 ? cJSON_CreateNumber((double)j->bytes_total) : cJSON_CreateNull());
	add(obj, "seconds",
	    cJSON_CreateNumber(j->started_ms > 0 ? (double)(end - j->started_ms) / 1000.0 : 0.0));
	return obj;
}
