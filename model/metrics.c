/*
 * metrics: decoding RuntimeMetrics and BoxMetrics. Every field is optional
 * and nullable; counters are non-negative. The field tables keep the JSON
 * names next to the struct members so the two cannot drift apart.
 */
#include "metrics.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

struct i64_field {
	const char *name;
	size_t offset;
};

/* The tables stay one macro call a field. */
/* clang-format off */
#define RT(f) {#f, offsetof(struct runtime_metrics, f)}
static const struct i64_field runtime_fields[] = {
	RT(boxes_created_total),       RT(boxes_failed_total),
	RT(boxes_stopped_total),       RT(num_running_boxes),
	RT(total_commands_executed),   RT(total_exec_errors),
	RT(image_disks_evicted_total), RT(image_disk_bytes_reclaimed_total),
};
#undef RT

#define BM(f) {#f, offsetof(struct box_metrics, f)}
static const struct i64_field box_fields[] = {
	BM(commands_executed_total), BM(exec_errors_total),      BM(bytes_sent_total),
	BM(bytes_received_total),    BM(memory_bytes),           BM(network_bytes_sent),
	BM(network_bytes_received),  BM(network_tcp_connections), BM(network_tcp_errors),
};
#undef BM
/* clang-format on */

static const char *const stage_names[BOOT_STAGE_COUNT] = {
	[BOOT_GUEST_BOOT] = "guest_boot",         [BOOT_FILESYSTEM_SETUP] = "filesystem_setup",
	[BOOT_IMAGE_PREPARE] = "image_prepare",   [BOOT_GUEST_ROOTFS] = "guest_rootfs",
	[BOOT_BOX_CONFIG] = "box_config",         [BOOT_BOX_SPAWN] = "box_spawn",
	[BOOT_CONTAINER_INIT] = "container_init",
};

const char *boot_stage_name(enum boot_stage s)
{
	if ((unsigned)s >= BOOT_STAGE_COUNT)
		return "unknown";
	return stage_names[s];
}

static int decode_fields(const cJSON *obj, const struct i64_field *fields, size_t n, void *base,
			 const struct json_ctx *ctx)
{
	for (size_t i = 0; i < n; i++) {
		struct opt_i64 *dst = (struct opt_i64 *)((char *)base + fields[i].offset);

		if (json_opt_i64(obj, fields[i].name, 0, JSON_INT_MAX, ctx, dst) < 0)
			return -1;
	}
	return 0;
}

static int decode_boot(const cJSON *obj, const struct json_ctx *ctx, struct boot_timing *out)
{
	const cJSON *bt = cJSON_GetObjectItemCaseSensitive(obj, "boot_timing");
	struct json_ctx bctx = {"boot_timing", ctx->err};
	char name[40];

	memset(out, 0, sizeof(*out));
	if (bt == NULL || cJSON_IsNull(bt))
		return 0;
	if (json_want_object(bt, NULL, &bctx) < 0 ||
	    json_opt_i64(bt, "total_create_ms", 0, JSON_INT_MAX, &bctx, &out->total_create_ms) < 0)
		return -1;
	for (int i = 0; i < BOOT_STAGE_COUNT; i++) {
		snprintf(name, sizeof(name), "%s_ms", stage_names[i]);
		if (json_opt_i64(bt, name, 0, JSON_INT_MAX, &bctx, &out->stage_ms[i]) < 0)
			return -1;
	}
	out->present = true;
	return 0;
}

static int runtime_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	if (json_want_object(root, NULL, ctx) < 0)
		return -1;
	return decode_fields(root, runtime_fields, ARRAY_LEN(runtime_fields), out, ctx);
}

static int box_metrics_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct box_metrics *m = out;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    decode_fields(root, box_fields, ARRAY_LEN(box_fields), m, ctx) < 0 ||
	    json_opt_f64(root, "cpu_percent", 0.0, 100.0 * 1024, ctx, &m->cpu_percent) < 0)
		return -1;
	return decode_boot(root, ctx, &m->boot);
}

int runtime_metrics_decode(const char *buf, size_t len, struct runtime_metrics *out,
			   struct decode_error *err)
{
	memset(out, 0, sizeof(*out));
	return json_decode_doc(buf, len, "runtime metrics", err, runtime_decode_json, out);
}

int box_metrics_decode(const char *buf, size_t len, struct box_metrics *out,
		       struct decode_error *err)
{
	memset(out, 0, sizeof(*out));
	return json_decode_doc(buf, len, "box metrics", err, box_metrics_decode_json, out);
}
