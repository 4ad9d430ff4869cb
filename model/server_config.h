/*
 * server_config: GET /v1/config, the server's defaults and capabilities.
 * As the official client: a missing or false flag among snapshots, clone,
 * export and import (the gated four) means unsupported; any other missing
 * flag means "not said" (try, and report the server's answer), and no
 * limit means none was announced.
 */
#ifndef BOXTOP_MODEL_SERVER_CONFIG_H
#define BOXTOP_MODEL_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "nullable.h"

enum capability {
	CAP_SNAPSHOTS,
	CAP_CLONE,
	CAP_EXPORT,
	CAP_IMPORT,
	CAP_TTY,
	CAP_STREAMING,
	CAP_INBOUND_UPDATE,
	CAP_LINUX_CAPABILITIES,
	CAP_COUNT,
};

struct server_config {
	struct opt_i64 default_cpus;
	struct opt_i64 default_memory_mib;
	struct opt_i64 default_disk_size_gb;
	struct opt_i64 default_auto_delete;
	struct kv *overrides;
	size_t n_overrides;
	bool caps[CAP_COUNT];      /* true: on; false: off, or not sent (see caps_said) */
	bool caps_said[CAP_COUNT]; /* the flag was in the answer */
	struct opt_i64 max_cpus;
	struct opt_i64 max_memory_mib;
	struct opt_i64 max_disk_size_gb;
	struct opt_i64 max_boxes_per_path_prefix;
	struct opt_i64 max_concurrent_executions;
	struct opt_i64 file_transfer_max_bytes;
	struct opt_f64 exec_timeout_max_seconds;
	char *idempotency_key_lifetime; /* ISO 8601 duration or NULL */
};

/* "snapshots_enabled", ... the JSON flag name. */
const char *capability_flag(enum capability c);
/* "snapshot", "clone", ... for "this server does not support X". */
const char *capability_noun(enum capability c);
/* Snapshots, clone, export and import: unsupported unless the server says they are on. */
bool capability_gated(enum capability c);

/* Whether the server keeps Idempotency-Keys (it announces idempotency_key_lifetime). */
bool server_config_idempotent(const struct server_config *c);

/* Caller frees with server_config_free. */
int server_config_decode(const char *buf, size_t len, struct server_config **out,
			 struct decode_error *err);
void server_config_free(struct server_config **c);

#endif
