/*
 * fleet_control: changes to the fleet that no API call makes, for the
 * control API (/_sim/boxes): a box appears from nowhere, or its status is
 * set outright. (A box vanishing is fleet_delete with force.) Like the rest
 * of the fleet, each call locks it for its whole run.
 */
#ifndef BOXTOP_SIM_FLEET_CONTROL_H
#define BOXTOP_SIM_FLEET_CONTROL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "fleet.h"
#include "model/box.h"

/* The status by its exact API name ("unknown" included); -1 for anything else. */
int fleet_status_parse(const char *s, enum box_status *out);

/*
 * Reads a box description {name?, image?, status?, cpus?, memory_mib?,
 * labels?} into out (which the caller clears with box_clear, also on
 * failure). Absent fields get defaults: no name, alpine:3.20, running, 2
 * CPUs, 1024 MiB, no labels. Unknown fields are refused. Returns -1 with a
 * message in err.
 */
int fleet_box_spec(const cJSON *spec, struct box *out, char *err, size_t errlen);

/*
 * Appends the box b (taking what it owns: b is left empty) with a new ULID,
 * created now, a pid or exit code to suit its status, seeded metrics and
 * a generated disk.
 * FLEET_EXISTS (b untouched) when its name is another box's name or id. On
 * FLEET_OK *out is the Box; caller frees with cJSON_Delete.
 */
enum fleet_rc fleet_add_box(struct fleet *f, struct box *b, cJSON **out);

/*
 * Sets the box's status as if the runtime had changed it: pid and exit_code
 * follow (exit_code, when >= 0, is used for stopped and failed; else 0 and
 * 1), gauges are measured only while running, and a change to failed or
 * stopped counts in the runtime metrics. On FLEET_OK *out is the Box.
 */
enum fleet_rc fleet_set_status(struct fleet *f, const char *id_or_name, enum box_status status,
			       int64_t exit_code, cJSON **out);

#endif
