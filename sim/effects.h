/*
 * effects: what looking at the fleet did to it. A monitor must never boot,
 * resume or keep awake a box by watching it (api.md, "boxlite serve as its
 * code behaves"); this log records every time a request did, with the
 * request that did it, so a test can count what a client changed by
 * watching (GET /_sim/effects, cleared by DELETE).
 *
 * Kinds:
 *   boot       a metrics read started a box that was not running
 *   resume     an operation brought a stopped box back on its own
 *              (an exec, or files in the serve flavor, on a stopped box)
 *   stamp      a request reset the box's AutoStop idle clock (used it)
 *   autostop   the sweep stopped a box idle for its auto_stop seconds
 *   autodelete the sweep removed a box at rest for its auto_delete seconds
 * The last two have no request: the sweep did them.
 *
 * Bounded: the newest EFFECTS_KEPT entries, with counts by kind that are
 * never dropped. Thread-safe: its own mutex, taken last (the fleet records
 * with its lock held; the log never calls back).
 */
#ifndef BOXTOP_SIM_EFFECTS_H
#define BOXTOP_SIM_EFFECTS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#define EFFECTS_KEPT 4096

enum effect_kind {
	EFFECT_BOOT,
	EFFECT_RESUME,
	EFFECT_STAMP,
	EFFECT_AUTOSTOP,
	EFFECT_AUTODELETE,
	EFFECT_KIND_COUNT,
};

/* The request behind an effect; every field may be NULL (the sweep has none). */
struct effect_cause {
	const char *method;
	const char *path; /* as sent, query excluded */
	const char *request_id;
	const char *user_agent;
};

struct effects;

struct effects *effects_new(void);
void effects_free(struct effects **e);

/* Records one effect on box id (name may be NULL), caused by cause (may be NULL). */
void effects_add(struct effects *e, enum effect_kind kind, const char *box_id, const char *box_name,
		 const struct effect_cause *cause);
void effects_clear(struct effects *e);
/*
 * {"counts": {"boot": N, ...}, "dropped": N, "effects": [{"seq", "at" (RFC 3339,
 * ms), "kind", "box_id", "box_name", "method", "path", "request_id",
 * "user_agent"}, ...]} oldest first; absent causes are null.
 */
cJSON *effects_to_json(struct effects *e);
/* "boot", "stamp", ... */
const char *effect_kind_name(enum effect_kind k);

#endif
