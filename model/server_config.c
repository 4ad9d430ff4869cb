/*
 * server_config: decoding GET /v1/config. `boxlite serve` sends only five
 * capability flags; a cloud may send every flag false. Flags are read into a
 * table indexed by enum capability so gating code asks one question, with
 * whether each was sent at all.
 */
#include "server_config.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct cap_name {
	const char *flag;
	const char *noun;
};

static const struct cap_name cap_names[CAP_COUNT] = {
	[CAP_SNAPSHOTS] = {"snapshots_enabled", "snapshot"},
	[CAP_CLONE] = {"clone_enabled", "clone"},
	[CAP_EXPORT] = {"export_enabled", "export"},
	[CAP_IMPORT] = {"import_enabled", "import"},
	[CAP_TTY] = {"tty_enabled", "TTY"},
	[CAP_STREAMING] = {"streaming_enabled", "streaming"},
	[CAP_INBOUND_UPDATE] = {"inbound_update_enabled", "inbound network update"},
	[CAP_LINUX_CAPABILITIES] = {"linux_capabilities_enabled", "Linux capability"},
};

const char *capability_flag(enum capability c)
{
	return (unsigned)c < CAP_COUNT ? cap_names[c].flag : "unknown";
}

const char *capability_noun(enum capability c)
{
	return (unsigned)c < CAP_COUNT ? cap_names[c].noun : "unknown";
}

bool capability_gated(enum capability c)
{
	return c == CAP_SNAPSHOTS || c == CAP_CLONE || c == CAP_EXPORT || c == CAP_IMPORT;
}

static void server_config_clear(void *obj)
{
	struct server_config *c = obj;

	kv_free(&c->overrides, c->n_overrides);
	free(c->idempotency_key_lifetime);
}

void server_config_free(struct server_config **c)
{
	if (*c == NULL)
		return;
	server_config_clear(*c);
	free(*c);
	*c = NULL;
}

/* The object field `name` of obj, NULL when absent or null, -1 when not an object. */
static int sub_object(const cJSON *obj, const char *name, const struct json_ctx *ctx,
		      const cJSON **out)
{
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = NULL;
	if (node == NULL || cJSON_IsNull(node))
		return 0;
	if (json_want_object(node, name, ctx) < 0)
		return -1;
	*out = node;
	return 0;
}

static int decode_defaults(const cJSON *d, const struct json_ctx *ctx, struct server_config *c)
{
	if (d == NULL)
		return 0;
	if (json_opt_i64(d, "cpus", 0, JSON_INT_MAX, ctx, &c->default_cpus) < 0 ||
	    json_opt_i64(d, "memory_mib", 0, JSON_INT_MAX, ctx, &c->default_memory_mib) < 0 ||
	    json_opt_i64(d, "disk_size_gb", 0, JSON_INT_MAX, ctx, &c->default_disk_size_gb) < 0 ||
	    json_opt_i64(d, "auto_delete", 0, JSON_INT_MAX, ctx, &c->default_auto_delete) < 0)
		return -1;
	return 0;
}

static int decode_limits(const cJSON *caps, const struct json_ctx *ctx, struct server_config *c)
{
	if (json_opt_i64(caps, "max_cpus", 0, JSON_INT_MAX, ctx, &c->max_cpus) < 0 ||
	    json_opt_i64(caps, "max_memory_mib", 0, JSON_INT_MAX, ctx, &c->max_memory_mib) < 0 ||
	    json_opt_i64(caps, "max_disk_size_gb", 0, JSON_INT_MAX, ctx, &c->max_disk_size_gb) <
		    0 ||
	    json_opt_i64(caps, "max_boxes_per_path_prefix", 0, JSON_INT_MAX, ctx,
			 &c->max_boxes_per_path_prefix) < 0 ||
	    json_opt_i64(caps, "max_concurrent_executions", 0, JSON_INT_MAX, ctx,
			 &c->max_concurrent_executions) < 0 ||
	    json_opt_i64(caps, "file_transfer_max_bytes", 0, JSON_INT_MAX, ctx,
			 &c->file_transfer_max_bytes) < 0 ||
	    json_opt_f64(caps, "exec_timeout_max_seconds", 0, 1e12, ctx,
			 &c->exec_timeout_max_seconds) < 0)
		return -1;
	return json_opt_string(caps, "idempotency_key_lifetime", ctx, &c->idempotency_key_lifetime);
}

static int decode_caps(const cJSON *caps, const struct json_ctx *ctx, struct server_config *c)
{
	if (caps == NULL)
		return 0;
	for (int i = 0; i < CAP_COUNT; i++) {
		if (json_opt_bool(caps, cap_names[i].flag, false, ctx, &c->caps[i]) < 0)
			return -1;
		c->caps_said[i] = cJSON_GetObjectItemCaseSensitive(caps, cap_names[i].flag) != NULL;
	}
	return decode_limits(caps, ctx, c);
}

static int config_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct server_config *c = out;
	const cJSON *defaults, *caps;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    sub_object(root, "defaults", ctx, &defaults) < 0 ||
	    sub_object(root, "capabilities", ctx, &caps) < 0 ||
	    decode_defaults(defaults, ctx, c) < 0 || decode_caps(caps, ctx, c) < 0)
		return -1;
	return json_kv(root, "overrides", ctx, &c->overrides, &c->n_overrides);
}

int server_config_decode(const char *buf, size_t len, struct server_config **out,
			 struct decode_error *err)
{
	void *c;
	int rc = json_decode_new(buf, len, "config", err, sizeof(struct server_config),
				 config_decode_json, server_config_clear, &c);

	*out = c;
	return rc;
}

bool server_config_idempotent(const struct server_config *c)
{
	return c != NULL && c->idempotency_key_lifetime != NULL &&
	       c->idempotency_key_lifetime[0] != '\0';
}
