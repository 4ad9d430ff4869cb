/*
 * metrics: RuntimeMetrics (server-wide) and BoxMetrics (per box, with the
 * boot timing breakdown). Both are flat structs: copy them freely.
 */
#ifndef BOXTOP_MODEL_METRICS_H
#define BOXTOP_MODEL_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "nullable.h"

struct runtime_metrics {
	struct opt_i64 boxes_created_total;
	struct opt_i64 boxes_failed_total;
	struct opt_i64 boxes_stopped_total;
	struct opt_i64 num_running_boxes;
	struct opt_i64 total_commands_executed;
	struct opt_i64 total_exec_errors;
	struct opt_i64 image_disks_evicted_total;
	struct opt_i64 image_disk_bytes_reclaimed_total;
};

enum boot_stage {
	BOOT_GUEST_BOOT,
	BOOT_FILESYSTEM_SETUP,
	BOOT_IMAGE_PREPARE,
	BOOT_GUEST_ROOTFS,
	BOOT_BOX_CONFIG,
	BOOT_BOX_SPAWN,
	BOOT_CONTAINER_INIT,
	BOOT_STAGE_COUNT,
};

struct boot_timing {
	bool present; /* false when the object was absent or null */
	struct opt_i64 total_create_ms;
	struct opt_i64 stage_ms[BOOT_STAGE_COUNT];
};

struct box_metrics {
	struct opt_i64 commands_executed_total;
	struct opt_i64 exec_errors_total;
	struct opt_i64 bytes_sent_total;
	struct opt_i64 bytes_received_total;
	struct opt_f64
		cpu_percent; /* 0-100 per the spec, more kept (cores summed); null = not measured */
	struct opt_i64 memory_bytes;
	struct opt_i64 network_bytes_sent;
	struct opt_i64 network_bytes_received;
	struct opt_i64 network_tcp_connections;
	struct opt_i64 network_tcp_errors;
	struct boot_timing boot;
};

/* "guest_boot", ... as the server names the stage (without "_ms"). */
const char *boot_stage_name(enum boot_stage s);

int runtime_metrics_decode(const char *buf, size_t len, struct runtime_metrics *out,
			   struct decode_error *err);
int box_metrics_decode(const char *buf, size_t len, struct box_metrics *out,
		       struct decode_error *err);

#endif
