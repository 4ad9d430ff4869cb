/*
 * control: the /_sim/ API, a route table like routes.c's. Every handler
 * answers errors in the envelope, never in serve's plain text (tests, not
 * clients, read these; serve's envelope still has no request_id, and an
 * unknown /_sim/ route or method gets the flavor's 404 or 405), bodies are
 * strict (unknown fields are refused), and nothing here is subject to
 * fault rules: the server sends /_sim/ straight here.
 *
 *   GET    /_sim/faults                 200 {"faults":[...]}
 *   POST   /_sim/faults                 201 {"faults":[...]}  body: a rule object,
 *                                           or {"spec":"METHOD PATTERN:key=value,..."}
 *   DELETE /_sim/faults                 204 (every rule removed)
 *   POST   /_sim/key/expire             204 (every authenticated route is 401)
 *   POST   /_sim/key/restore            204
 *   POST   /_sim/boxes                  201 Box  body: {name?, image?, status?, cpus?,
 *                                           memory_mib?, labels?, auto_stop?,
 *                                           auto_delete?}
 *   DELETE /_sim/boxes/{id|name}        204 (gone, whatever its state)
 *   POST   /_sim/boxes/{id|name}/state  200 Box  body: {"status", "exit_code"?}
 *   POST   /_sim/boxes/{id|name}/lifecycle  200 Box  body: {"auto_stop"?,
 *                                           "auto_delete"?} (seconds; the idle
 *                                           clock starts now)
 *   GET    /_sim/requests               200 {"total", "not_modified", "routes":
 *                                           [{"method", "route", "count",
 *                                           "not_modified"}]}: API requests
 *                                           answered so far, and of them 304s
 *   DELETE /_sim/requests               204 (the count starts again)
 *   GET    /_sim/effects                200 {"counts", "dropped", "effects": [...]}:
 *                                           boots, resumes, idle-clock stamps,
 *                                           and the sweep's stops and deletes
 *                                           (sim/effects.h)
 *   DELETE /_sim/effects                204 (the log starts again)
 */
#include "control.h"

#include <stdio.h>
#include <string.h>

#include "call.h"
#include "effects.h"
#include "faults.h"
#include "fleet_control.h"
#include "model/box.h"
#include "tally.h"
#include "model/xalloc.h"

static enum MHD_Result bad_body(struct call *c)
{
	return call_error(c, CALL_INVALID_ARGUMENT, "request body is not a JSON object");
}

static enum MHD_Result faults_reply(struct call *c, unsigned int status)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddItemToObject(doc, "faults", faults_to_json(c->env->faults));
	return call_reply(c, status, doc);
}

static enum MHD_Result list_faults(struct call *c)
{
	return faults_reply(c, MHD_HTTP_OK);
}

/* {"spec": "..."} alone is the --fault string; anything else is a rule object. */
static int add_fault(struct faults *f, const cJSON *body, char *err, size_t errlen)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(body, "spec");

	if (spec == NULL)
		return faults_add_json(f, body, err, errlen);
	if (!cJSON_IsString(spec) || cJSON_GetArraySize(body) != 1) {
		snprintf(err, errlen, "spec must be a string and the only field");
		return -1;
	}
	return faults_add_spec(f, spec->valuestring, err, errlen);
}

static enum MHD_Result post_fault(struct call *c)
{
	cJSON *body = NULL;
	char err[256];
	int rc;

	if (call_body_object(c, &body) < 0)
		return bad_body(c);
	rc = add_fault(c->env->faults, body, err, sizeof(err));
	cJSON_Delete(body);
	if (rc < 0)
		return call_error(c, CALL_INVALID_ARGUMENT, "fault rule: %s", err);
	return faults_reply(c, MHD_HTTP_CREATED);
}

static enum MHD_Result clear_faults(struct call *c)
{
	faults_clear(c->env->faults);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static enum MHD_Result expire_key(struct call *c)
{
	faults_set_key_expired(c->env->faults, true);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static enum MHD_Result restore_key(struct call *c)
{
	faults_set_key_expired(c->env->faults, false);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static enum MHD_Result add_box(struct call *c)
{
	struct box b;
	cJSON *body = NULL;
	cJSON *doc = NULL;
	char err[256];
	enum MHD_Result r;

	if (call_body_object(c, &body) < 0)
		return bad_body(c);
	if (fleet_box_spec(body, &b, err, sizeof(err)) < 0)
		r = call_error(c, CALL_INVALID_ARGUMENT, "box: %s", err);
	else if (fleet_add_box(c->env->fleet, &b, &doc) != FLEET_OK)
		r = call_error(c, CALL_ALREADY_EXISTS, "a box named %s exists already", b.name);
	else
		r = call_reply(c, MHD_HTTP_CREATED, doc);
	box_clear(&b);
	cJSON_Delete(body);
	return r;
}

static enum MHD_Result remove_box(struct call *c)
{
	if (fleet_delete(c->env->fleet, c->segs[1], true) != FLEET_OK)
		return call_error(c, CALL_NOT_FOUND, "box not found: %s", c->segs[1]);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

/* What /state and /lifecycle change; -1 (or -1 seconds) for what was not given. */
struct change {
	enum box_status status;
	int64_t exit_code;
	int64_t auto_stop, auto_delete;
};

/* {"status": NAME, "exit_code"?: N >= 0}; -1 with a message in err. */
static int state_body(const cJSON *body, struct change *ch, char *err, size_t errlen)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(body, "status");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "exit_code");
	size_t known = (status != NULL) + (code != NULL);

	if ((size_t)cJSON_GetArraySize(body) != known) {
		snprintf(err, errlen, "only status and exit_code may be given");
		return -1;
	}
	if (!cJSON_IsString(status) || fleet_status_parse(status->valuestring, &ch->status) < 0) {
		snprintf(err, errlen,
			 "status must be one of configured, running, stopping, stopped, paused, "
			 "failed, unknown");
		return -1;
	}
	if (code != NULL &&
	    (!cJSON_IsNumber(code) || code->valuedouble < 0 || code->valuedouble > 255 ||
	     code->valuedouble != (double)code->valueint)) {
		snprintf(err, errlen, "exit_code must be an integer from 0 to 255");
		return -1;
	}
	if (code != NULL)
		ch->exit_code = code->valueint;
	return 0;
}

/* {"auto_stop"?, "auto_delete"?}: seconds; -1 with a message in err. */
static int lifecycle_body(const cJSON *body, struct change *ch, char *err, size_t errlen)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, body) {
		int64_t *to = strcmp(it->string, "auto_stop") == 0     ? &ch->auto_stop
			      : strcmp(it->string, "auto_delete") == 0 ? &ch->auto_delete
								       : NULL;

		if (to == NULL) {
			snprintf(err, errlen, "only auto_stop and auto_delete may be given");
			return -1;
		}
		if (fleet_spec_seconds(it, it->string, to, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static enum fleet_rc apply_state(struct fleet *f, const char *id, const struct change *ch,
				 cJSON **out)
{
	return fleet_set_status(f, id, ch->status, ch->exit_code, out);
}

static enum fleet_rc apply_lifecycle(struct fleet *f, const char *id, const struct change *ch,
				     cJSON **out)
{
	return fleet_set_lifecycle(f, id, ch->auto_stop, ch->auto_delete, out);
}

/* Reads the body with read, changes the path's box with apply, answers with the Box. */
static enum MHD_Result
change_box(struct call *c, int (*read)(const cJSON *, struct change *, char *, size_t),
	   enum fleet_rc (*apply)(struct fleet *, const char *, const struct change *, cJSON **))
{
	struct change ch = {.exit_code = -1, .auto_stop = -1, .auto_delete = -1};
	cJSON *body = NULL;
	cJSON *doc = NULL;
	char err[256];
	int ok;

	if (call_body_object(c, &body) < 0)
		return bad_body(c);
	ok = read(body, &ch, err, sizeof(err));
	cJSON_Delete(body);
	if (ok < 0)
		return call_error(c, CALL_INVALID_ARGUMENT, "%s", err);
	if (apply(c->env->fleet, c->segs[1], &ch, &doc) != FLEET_OK)
		return call_error(c, CALL_NOT_FOUND, "box not found: %s", c->segs[1]);
	return call_reply(c, MHD_HTTP_OK, doc);
}

static enum MHD_Result set_state(struct call *c)
{
	return change_box(c, state_body, apply_state);
}

static enum MHD_Result set_lifecycle(struct call *c)
{
	return change_box(c, lifecycle_body, apply_lifecycle);
}

static enum MHD_Result list_effects(struct call *c)
{
	return call_reply(c, MHD_HTTP_OK, effects_to_json(c->env->effects));
}

static enum MHD_Result clear_effects(struct call *c)
{
	effects_clear(c->env->effects);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static enum MHD_Result list_requests(struct call *c)
{
	return call_reply(c, MHD_HTTP_OK, tally_to_json(c->env->tally));
}

static enum MHD_Result clear_requests(struct call *c)
{
	tally_clear(c->env->tally);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static const struct call_route control_routes[] = {
	{{"faults", NULL}, "GET", list_faults},
	{{"faults", NULL}, "POST", post_fault},
	{{"faults", NULL}, "DELETE", clear_faults},
	{{"key", "expire", NULL}, "POST", expire_key},
	{{"key", "restore", NULL}, "POST", restore_key},
	{{"boxes", NULL}, "POST", add_box},
	{{"boxes", "*", NULL}, "DELETE", remove_box},
	{{"boxes", "*", "state", NULL}, "POST", set_state},
	{{"boxes", "*", "lifecycle", NULL}, "POST", set_lifecycle},
	{{"effects", NULL}, "GET", list_effects},
	{{"effects", NULL}, "DELETE", clear_effects},
	{{"requests", NULL}, "GET", list_requests},
	{{"requests", NULL}, "DELETE", clear_requests},
};
enum MHD_Result control_dispatch(struct call *c)
{
	return call_dispatch(c, control_routes, ARRAY_LEN(control_routes));
}
