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

/* A whole number of seconds (a deadline) named name; -1 with a message in err. */
int fleet_spec_seconds(const cJSON *it, const char *name, int64_t *out, char *err, size_t errlen);

/* The status by its exact API name ("unknown" included); -1 for anything else. */
int fleet_status_parse(const char *s, enum box_status *out);

/*
 * Reads a box description {name?, image?, status?, cpus?, memory_mib?,
 * labels?, auto_stop?, auto_delete?} into out (which the caller clears with
 * box_clear, also on failure). Absent fields get defaults: no name,
 * alpine:3.20, running, 2 CPUs, 1024 MiB, no labels, auto_stop -1 (for
 * fleet_add_box: the flavor's default), auto_delete 0. Unknown fields are
 * refused. Returns -1 with a message in err.
 */
int fleet_box_spec(const cJSON *spec, struct box *out, char *err, size_t errlen);

/*
 * Appends the box b (taking what it owns: b is left empty) with a new ULID,
 * created now, a pid or exit code to suit its status, seeded metrics, a
 * generated disk and, when its auto_stop is negative, the flavor's default
 * (900 s; boxlite serve: 0).
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
