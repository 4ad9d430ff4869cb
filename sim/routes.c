/*
 * routes: the REST API itself, as a table of path pattern, method and
 * handler that call_dispatch (call.c) walks. Handlers read the call, ask
 * the fleet, and answer once.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "exec.h"
#include "files.h"
#include "images.h"
#include "snapset.h"
#include "model/xalloc.h"

#define PAUSE_MS 250 /* how long a running box shows `paused` for a snapshot, clone or export */

static bool is_snapshot_route(const struct call *c)
{
	return c->n_segs >= 4 && strcmp(c->segs[2], "snapshots") == 0;
}

/*
 * The API's answer to a fleet refusal. Messages are the runtime's words
 * (boxlite's snapshot manager and state checks), which the serve flavor
 * prefixes with the kind as BoxliteError's Display does; "box not found:
 * ID" is the handlers' own and has no second prefix.
 */
static enum MHD_Result fleet_error(struct call *c, enum fleet_rc rc, const char *other)
{
	const char *id = c->n_segs > 1 ? c->segs[1] : "";
	const char *snap = c->n_segs > 3 ? c->segs[3] : "";

	switch (rc) {
	case FLEET_NOT_FOUND:
		return call_error(c, CALL_NOT_FOUND, "box not found: %s", id);
	case FLEET_NO_SNAPSHOT:
		/* the runtime's NotFound: "box not found: " even for a snapshot */
		return call_error(c, CALL_NOT_FOUND,
				  "box not found: snapshot '%s' not found for "
				  "box '%s'",
				  snap, id);
	case FLEET_BAD_TOKEN:
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid pageToken");
	case FLEET_BAD_NAME:
		return call_runtime_error(c, CALL_INVALID_ARGUMENT, "%s",
					  snapset_name_problem(snap, call_serve(c)));
	case FLEET_EXISTS:
		return call_runtime_error(c, CALL_ALREADY_EXISTS,
					  "snapshot '%s' already exists for box '%s'", snap, id);
	case FLEET_IN_USE:
		return call_runtime_error(c, CALL_INVALID_STATE,
					  "Cannot remove snapshot: current disk depends on this "
					  "snapshot. Restore a different snapshot first.");
	case FLEET_SNAP_DEPENDS:
		return call_runtime_error(
			c, CALL_INVALID_STATE,
			"Cannot remove snapshot '%s': snapshot '%s' depends on it "
			"via backing chain",
			snap, other != NULL ? other : "");
	case FLEET_CLONE_DEPENDS:
		return call_runtime_error(c, CALL_INVALID_STATE,
					  "Cannot remove snapshot '%s': a clone base disk (%s) "
					  "depends on it",
					  snap, other != NULL ? other : "");
	case FLEET_MUST_STOP:
		return call_runtime_error(c, CALL_INVALID_STATE,
					  "box %s must be stopped for this operation", id);
	case FLEET_NAME_TAKEN:
		return call_runtime_error(c, CALL_ALREADY_EXISTS,
					  "a box with that name already exists");
	case FLEET_IO:
		return call_error(c, CALL_INTERNAL, "storage error: the state directory failed");
	default:
		break;
	}
	if (is_snapshot_route(c))
		return call_runtime_error(c, CALL_INVALID_STATE,
					  "Cannot restore snapshot while box is running. Stop the "
					  "box first.");
	return call_runtime_error(c, CALL_INVALID_STATE,
				  "box %s is running: stop it first or delete with force=true", id);
}

static enum MHD_Result fleet_reply(struct call *c, enum fleet_rc rc, unsigned int status,
				   cJSON *doc)
{
	if (rc == FLEET_OK)
		return call_reply(c, status, doc);
	cJSON_Delete(doc);
	return fleet_error(c, rc, NULL);
}

/* The capability flags, as /v1/config names them without "_enabled". */
static const char *const cap_names[] = {
	"snapshots", "clone",     "export",         "import",
	"tty",       "streaming", "inbound_update", "linux_capabilities",
};
/* The flags boxlite serve sends (config.rs): bit i is cap_names[i]. */
#define SERVE_CAPS (1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 7)

int routes_caps_parse(const char *list, unsigned *mask)
{
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		size_t i = 0;

		while (i < ARRAY_LEN(cap_names) &&
		       !(strlen(cap_names[i]) == len && strncmp(cap_names[i], p, len) == 0))
			i++;
		if (i == ARRAY_LEN(cap_names))
			return -1;
		*mask |= 1u << i;
		p += len + (p[len] != '\0');
	}
	return 0;
}

/* The flags and limits; serve sends five flags and no limit. */
static cJSON *caps_json(const struct call *c)
{
	unsigned off = c->env->opts != NULL ? c->env->opts->caps_off : 0;
	cJSON *caps = cJSON_CreateObject();
	char flag[64];

	for (size_t i = 0; i < ARRAY_LEN(cap_names); i++) {
		if (call_serve(c) && (SERVE_CAPS & (1u << i)) == 0)
			continue;
		snprintf(flag, sizeof(flag), "%s_enabled", cap_names[i]);
		cJSON_AddBoolToObject(caps, flag, (off & (1u << i)) == 0);
	}
	if (call_serve(c))
		return caps;
	cJSON_AddNumberToObject(caps, "max_cpus", 32);
	cJSON_AddNumberToObject(caps, "max_memory_mib", 65536);
	cJSON_AddNumberToObject(caps, "max_disk_size_gb", 500);
	cJSON_AddNumberToObject(caps, "max_boxes_per_path_prefix", 1000);
	cJSON_AddNumberToObject(caps, "max_concurrent_executions", 64);
	cJSON_AddNumberToObject(caps, "file_transfer_max_bytes",
				(double)(c->env->opts != NULL && c->env->opts->transfer_max != 0
						 ? c->env->opts->transfer_max
						 : SIM_TRANSFER_MAX));
	cJSON_AddNumberToObject(caps, "exec_timeout_max_seconds", 3600);
	cJSON_AddStringToObject(caps, "idempotency_key_lifetime", "PT24H");
	return caps;
}

enum MHD_Result routes_config(struct call *c)
{
	cJSON *doc;
	cJSON *defaults;

	if (strcmp(c->method, "GET") != 0)
		return call_not_allowed(c, "GET");
	doc = cJSON_CreateObject();
	/* boxlite serve sends only its capabilities */
	if (!call_serve(c)) {
		defaults = cJSON_AddObjectToObject(doc, "defaults");
		cJSON_AddNumberToObject(defaults, "cpus", 2);
		cJSON_AddNumberToObject(defaults, "memory_mib", 1024);
		cJSON_AddNumberToObject(defaults, "disk_size_gb", 10);
		cJSON_AddNumberToObject(defaults, "auto_delete", 0);
		cJSON_AddObjectToObject(doc, "overrides");
	}
	cJSON_AddItemToObject(doc, "capabilities", caps_json(c));
	return call_reply(c, MHD_HTTP_OK, doc);
}

/* boxlite serve's fixed principal (me.rs): it names a prefix it does not route by. */
static cJSON *serve_me(void)
{
	static const char *const scopes[] = {
		"box:read",    "box:write",     "box:exec",       "box:delete",      "image:read",
		"image:write", "snapshot:read", "snapshot:write", "snapshot:delete", "me:read",
	};
	cJSON *doc = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(doc, "scopes");

	cJSON_AddStringToObject(doc, "sub", "local-anonymous");
	cJSON_AddStringToObject(doc, "principal_type", "service_account");
	cJSON_AddStringToObject(doc, "email", "local@boxlite.local");
	cJSON_AddStringToObject(doc, "display_name", "Local development");
	cJSON_AddStringToObject(doc, "prefix", "default");
	for (size_t i = 0; i < ARRAY_LEN(scopes); i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(scopes[i]));
	cJSON_AddNullToObject(doc, "expires_at");
	return doc;
}

enum MHD_Result routes_me(struct call *c)
{
	cJSON *doc;
	cJSON *scopes;

	if (strcmp(c->method, "GET") != 0)
		return call_not_allowed(c, "GET");
	if (call_serve(c))
		return call_reply(c, MHD_HTTP_OK, serve_me());
	doc = cJSON_CreateObject();
	scopes = cJSON_AddArrayToObject(doc, "scopes");
	cJSON_AddStringToObject(doc, "sub", "sim-operator");
	cJSON_AddStringToObject(doc, "principal_type", "user");
	cJSON_AddItemToArray(scopes, cJSON_CreateString("boxes:read"));
	cJSON_AddItemToArray(scopes, cJSON_CreateString("boxes:write"));
	cJSON_AddStringToObject(doc, "display_name", "boxlite-sim operator");
	if (c->env->prefix != NULL)
		cJSON_AddStringToObject(doc, "path_prefix", c->env->prefix);
	else
		cJSON_AddNullToObject(doc, "path_prefix");
	return call_reply(c, MHD_HTTP_OK, doc);
}

static int status_filter(struct call *c, bool *has, enum box_status *st)
{
	bool bad = false;
	char *s = call_query(c, "status", &bad);
	int rc = -1;

	*has = s != NULL;
	if (bad)
		goto out;
	if (s != NULL) {
		*st = box_status_parse(s);
		if (*st == BOX_UNKNOWN && strcmp(s, "unknown") != 0)
			goto out;
	}
	rc = 0;
out:
	free(s);
	return rc;
}

static enum MHD_Result list_boxes(struct call *c)
{
	enum box_status st = BOX_UNKNOWN;
	bool has_status = false;
	bool bad = false;
	size_t size = 0;
	char *text = NULL;
	size_t len = 0;
	char *token = NULL;
	enum MHD_Result r;
	enum fleet_rc rc;

	if (call_page_size(c, &size) < 0)
		return call_error(c, CALL_INVALID_ARGUMENT, "pageSize must be an integer");
	/* serve's list_boxes takes no query: no status filter, no token */
	if (!call_serve(c)) {
		if (status_filter(c, &has_status, &st) < 0)
			return call_error(c, CALL_INVALID_ARGUMENT, "unknown status filter");
		token = call_query(c, "pageToken", &bad);
	}
	if (bad || (token != NULL && token[0] == '\0')) {
		free(token);
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid pageToken");
	}
	rc = fleet_list(c->env->fleet, token, size, has_status, st, &text, &len);
	free(token);
	if (rc != FLEET_OK)
		return fleet_error(c, rc, NULL);
	r = call_reply_text(c, MHD_HTTP_OK, text, len);
	free(text);
	return r;
}

/* Runs a fleet action on the path's box and answers with what it gives. */
static enum MHD_Result act_reply(struct call *c,
				 enum fleet_rc (*action)(struct fleet *, const char *, cJSON **),
				 cJSON **doc)
{
	enum fleet_rc rc = action(c->env->fleet, c->segs[1], doc);

	return fleet_reply(c, rc, MHD_HTTP_OK, *doc);
}

static enum MHD_Result get_box(struct call *c)
{
	cJSON *doc = NULL;

	return act_reply(c, fleet_get, &doc);
}

static enum MHD_Result head_box(struct call *c)
{
	if (fleet_get(c->env->fleet, c->segs[1], NULL) != FLEET_OK)
		return call_reply(c, MHD_HTTP_NOT_FOUND, NULL);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static enum MHD_Result delete_box(struct call *c)
{
	bool bad = false;
	char *force = call_query(c, "force", &bad);
	/* The spec defaults force to false; boxlite serve to true. */
	bool on = force != NULL ? strcmp(force, "true") == 0 : call_serve(c);
	bool valid = !bad &&
		     (force == NULL || strcmp(force, "true") == 0 || strcmp(force, "false") == 0);

	free(force);
	if (!valid && call_serve(c))
		return call_text(c, MHD_HTTP_BAD_REQUEST,
				 "Failed to deserialize query string: force: provided string was "
				 "not `true` or `false`",
				 NULL);
	if (!valid)
		return call_error(c, CALL_INVALID_ARGUMENT, "force must be true or false");
	return fleet_reply(c, fleet_delete(c->env->fleet, c->segs[1], on), MHD_HTTP_NO_CONTENT,
			   NULL);
}

static bool timeout_valid(const cJSON *body)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "timeout_seconds");

	return t == NULL || cJSON_IsNull(t) || (cJSON_IsNumber(t) && t->valuedouble >= 0);
}

/* start and stop: serve reads no body; the spec takes {timeout_seconds?}. */
static enum MHD_Result lifecycle(struct call *c,
				 enum fleet_rc (*action)(struct fleet *, const char *, cJSON **))
{
	cJSON *body = NULL;
	cJSON *doc = NULL;
	bool ok;

	if (!call_serve(c)) {
		if (call_body_object(c, &body) < 0)
			return call_error(c, CALL_INVALID_ARGUMENT,
					  "request body is not a JSON object");
		ok = timeout_valid(body);
		cJSON_Delete(body);
		if (!ok)
			return call_error(c, CALL_INVALID_ARGUMENT,
					  "timeout_seconds must be a non-negative number");
	}
	return act_reply(c, action, &doc);
}

static enum MHD_Result start_box(struct call *c)
{
	return lifecycle(c, fleet_start);
}

static enum MHD_Result stop_box(struct call *c)
{
	return lifecycle(c, fleet_stop);
}

static enum MHD_Result runtime_metrics(struct call *c)
{
	cJSON *doc = NULL;
	enum fleet_rc rc = fleet_runtime_metrics(c->env->fleet, &doc);

	return fleet_reply(c, rc, MHD_HTTP_OK, doc);
}

static enum MHD_Result box_metrics(struct call *c)
{
	struct effect_cause cause = call_cause(c);
	cJSON *doc = NULL;
	char why[256] = "";
	enum fleet_rc rc =
		fleet_box_metrics(c->env->fleet, c->segs[1], &cause, &doc, why, sizeof(why));

	if (rc == FLEET_CONFLICT)
		return call_error(c, CALL_CONFLICT, "%s", why);
	return fleet_reply(c, rc, MHD_HTTP_OK, doc);
}

/*
 * Pauses a running box for a moment, as the real VM is frozen while its
 * disk is copied: pollers see `paused`. Returns FLEET_OK or why not.
 */
static enum fleet_rc pause_briefly(struct call *c, bool *paused)
{
	enum fleet_rc rc = fleet_pause(c->env->fleet, c->segs[1], paused);

	if (rc == FLEET_OK && *paused)
		call_sleep(c->env, PAUSE_MS);
	return rc;
}

static void resume(struct call *c, bool paused)
{
	if (paused)
		fleet_resume(c->env->fleet, c->segs[1]);
}

/*
 * A string member of a request, as the flavor's server reads it: -1 after
 * answering when it is there but not a string (nor null, when nullable) or,
 * when required, missing: serve's serde says so in a 422, the spec's
 * handler in a 400 with msg.
 */
static int string_field(struct call *c, const cJSON *body, const char *name, bool required,
			const char *msg, const cJSON **out, enum MHD_Result *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);

	*out = cJSON_IsString(v) ? v : NULL;
	if (cJSON_IsString(v) || (!required && (v == NULL || cJSON_IsNull(v))))
		return 0;
	return call_bad_field(c, name, v == NULL, "a string", msg, r);
}

static enum MHD_Result create_snapshot(struct call *c)
{
	cJSON *body = NULL;
	cJSON *doc = NULL;
	const cJSON *name;
	const char *problem;
	enum fleet_rc rc;
	enum MHD_Result r;
	bool paused = false;

	if (call_json_body(c, &body, &r) < 0)
		return r;
	if (string_field(c, body, "name", true, "snapshot name must be a string", &name, &r) < 0) {
		cJSON_Delete(body);
		return r;
	}
	problem = snapset_name_problem(name->valuestring, call_serve(c));
	if (problem != NULL) {
		r = call_runtime_error(c, CALL_INVALID_ARGUMENT, "%s", problem);
		cJSON_Delete(body);
		return r;
	}
	rc = pause_briefly(c, &paused);
	if (rc == FLEET_OK)
		rc = fleet_snapshot_create(c->env->fleet, c->segs[1], name->valuestring, &doc);
	resume(c, paused);
	if (rc == FLEET_EXISTS)
		r = call_runtime_error(c, CALL_ALREADY_EXISTS,
				       "snapshot '%s' already exists for box '%s'",
				       name->valuestring, c->segs[1]);
	else
		r = fleet_reply(c, rc, MHD_HTTP_CREATED, doc);
	cJSON_Delete(body);
	return r;
}

/* serve's CreateBoxRequest refuses fields it does not know (deny_unknown_fields). */
static int unknown_field(struct call *c, const cJSON *body, enum MHD_Result *r)
{
	const cJSON *it;
	char line[200];

	if (!call_serve(c))
		return 0;
	cJSON_ArrayForEach(it, body) {
		if (fleet_create_field_known(it->string))
			continue;
		snprintf(line, sizeof(line),
			 "Failed to deserialize the JSON body into the target type: unknown field "
			 "`%.64s`",
			 it->string);
		*r = call_text(c, MHD_HTTP_UNPROCESSABLE_CONTENT, line, NULL);
		return -1;
	}
	return 0;
}

static enum MHD_Result create_box(struct call *c)
{
	cJSON *body = NULL;
	cJSON *doc = NULL;
	char err[160] = "";
	enum fleet_rc rc;
	enum MHD_Result r;

	if (call_json_body(c, &body, &r) < 0)
		return r;
	if (unknown_field(c, body, &r) < 0) {
		cJSON_Delete(body);
		return r;
	}
	rc = fleet_create(c->env->fleet, body, &doc, err, sizeof(err));
	cJSON_Delete(body);
	if (rc == FLEET_BAD_NAME)
		return call_runtime_error(c, CALL_INVALID_ARGUMENT, "%s", err);
	return fleet_reply(c, rc, MHD_HTTP_CREATED, doc);
}

static enum MHD_Result clone_box(struct call *c)
{
	cJSON *body = NULL;
	cJSON *doc = NULL;
	const cJSON *name;
	enum fleet_rc rc;
	enum MHD_Result r;
	bool paused = false;

	if (call_json_body(c, &body, &r) < 0)
		return r;
	if (string_field(c, body, "name", false,
			 "name must be 1-128 of [a-zA-Z0-9._-], starting alphanumeric", &name,
			 &r) < 0) {
		cJSON_Delete(body);
		return r;
	}
	if (name != NULL && !fleet_name_valid(name->valuestring)) {
		cJSON_Delete(body);
		return call_runtime_error(c, CALL_INVALID_ARGUMENT,
					  "name must be 1-128 of [a-zA-Z0-9._-], starting "
					  "alphanumeric");
	}
	rc = pause_briefly(c, &paused);
	if (rc == FLEET_OK)
		rc = fleet_clone(c->env->fleet, c->segs[1], name != NULL ? name->valuestring : NULL,
				 &doc);
	resume(c, paused);
	cJSON_Delete(body);
	return fleet_reply(c, rc, MHD_HTTP_CREATED, doc);
}

static enum MHD_Result export_box(struct call *c)
{
	const struct sim_opts *o = c->env->opts;
	cJSON *body = NULL;
	char err[256] = "";
	char *path = NULL;
	uint64_t size = 0;
	enum fleet_rc rc;
	enum MHD_Result r;
	bool paused = false;

	/* serve's export_box reads no body; the spec's wants an object */
	if (!call_serve(c)) {
		if (call_body_object(c, &body) < 0)
			return call_error(c, CALL_INVALID_ARGUMENT,
					  "request body is not a JSON object");
		cJSON_Delete(body);
	}
	rc = pause_briefly(c, &paused);
	if (rc == FLEET_OK)
		rc = fleet_export(c->env->fleet, c->segs[1], &path, &size, err, sizeof(err));
	resume(c, paused);
	if (rc == FLEET_IO)
		return call_error(c, CALL_INTERNAL, "storage error: %s", err);
	if (rc != FLEET_OK && rc != FLEET_OK_UNLINK)
		return fleet_error(c, rc, NULL);
	/* mainline serve builds the whole archive before it sends a byte */
	if (call_serve(c) && !o->export_chunked)
		call_sleep(c->env, o->export_delay_ms);
	r = call_stream_file(c, path, size);
	/* The stream holds the file open: a name no longer wanted can go now. */
	if (rc == FLEET_OK_UNLINK)
		unlink(path);
	free(path);
	return r;
}

static enum MHD_Result import_box(struct call *c)
{
	bool bad = false;
	char *name = call_query(c, "name", &bad);
	char err[256] = "";
	cJSON *doc = NULL;
	enum fleet_rc rc;

	if (bad || c->upload_path == NULL) {
		free(name);
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid name");
	}
	if (c->upload_len == 0) {
		free(name);
		return call_runtime_error(c, CALL_INVALID_ARGUMENT,
					  "the request body must be a .boxlite archive");
	}
	rc = fleet_import(c->env->fleet, c->upload_path, name, &doc, err, sizeof(err));
	free(name);
	if (rc == FLEET_BAD_ARCHIVE || rc == FLEET_BAD_NAME)
		return call_runtime_error(c, CALL_INVALID_ARGUMENT, "invalid archive: %s", err);
	if (rc == FLEET_IO)
		return call_error(c, CALL_INTERNAL, "storage error: %s", err);
	return fleet_reply(c, rc, MHD_HTTP_CREATED, doc);
}

static enum MHD_Result list_snapshots(struct call *c)
{
	cJSON *doc = NULL;

	return act_reply(c, fleet_snapshot_list, &doc);
}

/*
 * serve validates the name of every snapshot call (validate_snapshot_name):
 * -1 after answering 400 when it is not one.
 */
static int snapshot_name_ok(struct call *c, enum MHD_Result *r)
{
	const char *problem = call_serve(c) ? snapset_name_problem(c->segs[3], true) : NULL;

	if (problem == NULL)
		return 0;
	*r = call_runtime_error(c, CALL_INVALID_ARGUMENT, "%s", problem);
	return -1;
}

static enum MHD_Result get_snapshot(struct call *c)
{
	cJSON *doc = NULL;
	enum MHD_Result r;
	enum fleet_rc rc;

	if (snapshot_name_ok(c, &r) < 0)
		return r;
	rc = fleet_snapshot_get(c->env->fleet, c->segs[1], c->segs[3], &doc);
	/* serve's get_snapshot says so in its own words */
	if (rc == FLEET_NO_SNAPSHOT && call_serve(c))
		return call_error(c, CALL_NOT_FOUND, "snapshot not found: %s", c->segs[3]);
	return fleet_reply(c, rc, MHD_HTTP_OK, doc);
}

static enum MHD_Result delete_snapshot(struct call *c)
{
	char other[160] = "";
	enum MHD_Result r;
	enum fleet_rc rc;

	if (snapshot_name_ok(c, &r) < 0)
		return r;
	rc = fleet_snapshot_delete(c->env->fleet, c->segs[1], c->segs[3], other, sizeof(other));
	if (rc != FLEET_OK)
		return fleet_error(c, rc, other);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}

static enum MHD_Result restore_snapshot(struct call *c)
{
	enum MHD_Result r;
	enum fleet_rc rc;

	if (snapshot_name_ok(c, &r) < 0)
		return r;
	rc = fleet_snapshot_restore(c->env->fleet, c->segs[1], c->segs[3]);
	return fleet_reply(c, rc, MHD_HTTP_NO_CONTENT, NULL);
}

static const struct call_route routes[] = {
	{{"metrics", NULL}, "GET", runtime_metrics},
	{{"images", NULL}, "GET", images_list},
	{{"images", "usage", NULL}, "GET", images_usage},
	{{"images", "+", NULL}, "GET", images_get},
	{{"images", "+", NULL}, "DELETE", images_delete},
	{{"boxes", "*", "metrics", NULL}, "GET", box_metrics},
	{{"boxes", "*", "snapshots", NULL}, "GET", list_snapshots},
	{{"boxes", "*", "snapshots", NULL}, "POST", create_snapshot},
	{{"boxes", "*", "snapshots", "*", NULL}, "GET", get_snapshot},
	{{"boxes", "*", "snapshots", "*", NULL}, "DELETE", delete_snapshot},
	{{"boxes", "*", "snapshots", "*", "restore", NULL}, "POST", restore_snapshot},
	{{"boxes", NULL}, "GET", list_boxes},
	{{"boxes", NULL}, "POST", create_box},
	{{"boxes", "import", NULL}, "POST", import_box},
	{{"boxes", "*", "clone", NULL}, "POST", clone_box},
	{{"boxes", "*", "export", NULL}, "POST", export_box},
	{{"boxes", "*", NULL}, "GET", get_box},
	{{"boxes", "*", NULL}, "HEAD", head_box},
	{{"boxes", "*", NULL}, "DELETE", delete_box},
	{{"boxes", "*", "start", NULL}, "POST", start_box},
	{{"boxes", "*", "stop", NULL}, "POST", stop_box},
	{{"boxes", "*", "exec", NULL}, "POST", exec_create},
	{{"boxes", "*", "attach", NULL}, "GET", exec_attach_box},
	{{"boxes", "*", "executions", "*", NULL}, "GET", exec_get},
	{{"boxes", "*", "executions", "*", NULL}, "DELETE", exec_kill},
	{{"boxes", "*", "executions", "*", "attach", NULL}, "GET", exec_attach},
	{{"boxes", "*", "executions", "*", "signal", NULL}, "POST", exec_signal},
	{{"boxes", "*", "executions", "*", "resize", NULL}, "POST", exec_resize},
	{{"boxes", "*", "files", NULL}, "PUT", files_upload},
	{{"boxes", "*", "files", NULL}, "GET", files_download},
};
enum MHD_Result routes_dispatch(struct call *c)
{
	return call_dispatch(c, routes, ARRAY_LEN(routes));
}
