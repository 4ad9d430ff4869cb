/*
 * api_error: one reader for every error body. The order of trust is: a
 * string `code` from the body, then the envelope's `type`, then the HTTP
 * status. An integer `code` (old servers put the status there) is never a
 * code. The message is the server's own words, kept raw here and sanitized
 * where it is shown; without one, the HTTP reason phrase stands in.
 */
#include "api_error.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "xalloc.h"

struct name_kind {
	const char *name;
	enum api_error_kind kind;
};

static const struct name_kind codes[] = {
	{"invalid_argument", API_ERR_INVALID_ARGUMENT},
	{"unsupported", API_ERR_UNSUPPORTED},
	{"unauthenticated", API_ERR_UNAUTHENTICATED},
	{"permission_denied", API_ERR_PERMISSION_DENIED},
	{"not_found", API_ERR_NOT_FOUND},
	{"already_exists", API_ERR_ALREADY_EXISTS},
	{"invalid_state", API_ERR_INVALID_STATE},
	{"stopped", API_ERR_STOPPED},
	{"conflict", API_ERR_CONFLICT},
	{"session_reaped", API_ERR_SESSION_REAPED},
	{"payload_too_large", API_ERR_PAYLOAD_TOO_LARGE},
	{"image_pull_failed", API_ERR_IMAGE_PULL_FAILED},
	{"execution_failed", API_ERR_EXECUTION_FAILED},
	{"resource_exhausted", API_ERR_RESOURCE_EXHAUSTED},
	{"internal", API_ERR_INTERNAL},
	{"storage_error", API_ERR_INTERNAL},
	{"database_error", API_ERR_INTERNAL},
	{"metadata_error", API_ERR_INTERNAL},
	{"config_error", API_ERR_INTERNAL},
	{"network_unavailable", API_ERR_UNAVAILABLE},
	{"upstream_unavailable", API_ERR_UNAVAILABLE},
	{"engine_unavailable", API_ERR_UNAVAILABLE},
	{"timeout", API_ERR_TIMEOUT},
};

/* AuthError is missing: it means 401 or 403, which the status tells apart. */
static const struct name_kind types[] = {
	{"InvalidArgumentError", API_ERR_INVALID_ARGUMENT},
	{"UnsupportedError", API_ERR_UNSUPPORTED},
	{"NotFoundError", API_ERR_NOT_FOUND},
	{"AlreadyExistsError", API_ERR_ALREADY_EXISTS},
	{"InvalidStateError", API_ERR_INVALID_STATE},
	{"StoppedError", API_ERR_STOPPED},
	{"ConflictError", API_ERR_CONFLICT},
	{"ResourceExhaustedError", API_ERR_RESOURCE_EXHAUSTED},
};

struct status_kind {
	int status;
	enum api_error_kind kind;
	const char *reason;
};

static const struct status_kind statuses[] = {
	{400, API_ERR_INVALID_ARGUMENT, "Bad Request"},
	{401, API_ERR_UNAUTHENTICATED, "Unauthorized"},
	{403, API_ERR_PERMISSION_DENIED, "Forbidden"},
	{404, API_ERR_NOT_FOUND, "Not Found"},
	{405, API_ERR_UNSUPPORTED, "Method Not Allowed"},
	{409, API_ERR_CONFLICT, "Conflict"},
	{410, API_ERR_SESSION_REAPED, "Gone"},
	{413, API_ERR_PAYLOAD_TOO_LARGE, "Payload Too Large"},
	/* a framework's rejection of the request (boxlite serve's axum): its text says why */
	{415, API_ERR_INVALID_ARGUMENT, "Unsupported Media Type"},
	{422, API_ERR_INVALID_ARGUMENT, "Unprocessable Entity"},
	{429, API_ERR_RESOURCE_EXHAUSTED, "Too Many Requests"},
	{500, API_ERR_INTERNAL, "Internal Server Error"},
	{501, API_ERR_UNSUPPORTED, "Not Implemented"},
	{502, API_ERR_UNAVAILABLE, "Bad Gateway"},
	{503, API_ERR_UNAVAILABLE, "Service Unavailable"},
	{504, API_ERR_TIMEOUT, "Gateway Timeout"},
};

static enum api_error_kind lookup(const struct name_kind *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].kind;
	return API_ERR_UNKNOWN;
}

static const struct status_kind *status_entry(int status)
{
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
		if (statuses[i].status == status)
			return &statuses[i];
	return NULL;
}

const char *api_error_kind_name(enum api_error_kind k)
{
	static const char *const names[API_ERR_KIND_COUNT] = {
		[API_ERR_UNKNOWN] = "unknown",
		[API_ERR_INVALID_ARGUMENT] = "invalid_argument",
		[API_ERR_UNSUPPORTED] = "unsupported",
		[API_ERR_UNAUTHENTICATED] = "unauthenticated",
		[API_ERR_PERMISSION_DENIED] = "permission_denied",
		[API_ERR_NOT_FOUND] = "not_found",
		[API_ERR_ALREADY_EXISTS] = "already_exists",
		[API_ERR_INVALID_STATE] = "invalid_state",
		[API_ERR_STOPPED] = "stopped",
		[API_ERR_CONFLICT] = "conflict",
		[API_ERR_SESSION_REAPED] = "session_reaped",
		[API_ERR_PAYLOAD_TOO_LARGE] = "payload_too_large",
		[API_ERR_IMAGE_PULL_FAILED] = "image_pull_failed",
		[API_ERR_EXECUTION_FAILED] = "execution_failed",
		[API_ERR_RESOURCE_EXHAUSTED] = "resource_exhausted",
		[API_ERR_INTERNAL] = "internal",
		[API_ERR_UNAVAILABLE] = "unavailable",
		[API_ERR_TIMEOUT] = "timeout",
	};

	return (unsigned)k < API_ERR_KIND_COUNT ? names[k] : "unknown";
}

bool api_error_retryable(const struct api_error *e)
{
	return e->http_status == 429 || e->http_status == 502 || e->http_status == 503 ||
	       e->http_status == 504;
}

static void copy_field(char *dst, size_t size, const cJSON *node)
{
	if (cJSON_IsString(node) && node->valuestring != NULL && dst[0] == '\0')
		snprintf(dst, size, "%s", node->valuestring);
}

static const cJSON *get(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* Reads whichever of the three shapes root has; fields already set win. */
static void read_body(const cJSON *root, struct api_error *out)
{
	const cJSON *error = get(root, "error");

	if (cJSON_IsObject(error)) {
		copy_field(out->message, sizeof(out->message), get(error, "message"));
		copy_field(out->type, sizeof(out->type), get(error, "type"));
		copy_field(out->code, sizeof(out->code), get(error, "code"));
		copy_field(out->request_id, sizeof(out->request_id), get(error, "request_id"));
	}
	/* flat: "error" is the reason phrase and "message" the detail */
	copy_field(out->message, sizeof(out->message), get(root, "message"));
	copy_field(out->code, sizeof(out->code), get(root, "code"));
	copy_field(out->request_id, sizeof(out->request_id), get(root, "request_id"));
	/* bare: {"error": "snapshot restore failed: ..."} */
	copy_field(out->message, sizeof(out->message), error);
}

/* Plain text: the first non-blank line, trimmed, as the message. */
static void read_text(const char *body, size_t len, struct api_error *out)
{
	size_t start = 0, end;

	while (start < len && (body[start] == ' ' || body[start] == '\t' || body[start] == '\r' ||
			       body[start] == '\n'))
		start++;
	end = start;
	while (end < len && body[end] != '\n' && body[end] != '\r')
		end++;
	while (end > start && (body[end - 1] == ' ' || body[end - 1] == '\t'))
		end--;
	if (end > start)
		snprintf(out->message, sizeof(out->message), "%.*s", (int)(end - start),
			 body + start);
}

static enum api_error_kind classify(const struct api_error *e)
{
	const struct status_kind *s = status_entry(e->http_status);
	enum api_error_kind k = API_ERR_UNKNOWN;

	if (e->code[0] != '\0')
		k = lookup(codes, ARRAY_LEN(codes), e->code);
	if (k == API_ERR_UNKNOWN && e->type[0] != '\0')
		k = lookup(types, ARRAY_LEN(types), e->type);
	if (k == API_ERR_UNKNOWN && s != NULL)
		k = s->kind;
	return k;
}

void api_error_decode(int http_status, const char *body, size_t len, const char *header_request_id,
		      struct api_error *out)
{
	const struct status_kind *s = status_entry(http_status);
	cJSON *root = NULL;

	memset(out, 0, sizeof(*out));
	out->http_status = http_status;
	if (body != NULL && len > 0)
		root = json_parse(body, len, NULL);
	if (cJSON_IsObject(root))
		read_body(root, out);
	else if (body != NULL && root == NULL)
		read_text(body, len, out);
	cJSON_Delete(root);
	if (out->request_id[0] == '\0' && header_request_id != NULL)
		snprintf(out->request_id, sizeof(out->request_id), "%s", header_request_id);
	if (out->message[0] == '\0')
		snprintf(out->message, sizeof(out->message), "%s",
			 s != NULL ? s->reason : "HTTP error");
	out->kind = classify(out);
}

/*
 * The message without a leading kind that says what the kind says already:
 * boxlite serve writes "already exists: snapshot 'x' already exists ...",
 * shown after "already_exists (409): ". Only the kind's own words go ("box
 * not found: " is more than "not found: " and stays).
 */
static const char *without_kind(const struct api_error *e)
{
	const char *name = api_error_kind_name(e->kind);
	size_t n = strlen(name);

	if (e->kind == API_ERR_UNKNOWN || strlen(e->message) < n + 2)
		return e->message;
	for (size_t i = 0; i < n; i++) {
		char want = name[i] == '_' ? ' ' : name[i];

		if (e->message[i] != want)
			return e->message;
	}
	return e->message[n] == ':' && e->message[n + 1] == ' ' ? e->message + n + 2 : e->message;
}

const char *api_error_str(const struct api_error *e, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s (%d): %s", api_error_kind_name(e->kind), e->http_status,
			 without_kind(e));

	if (e->request_id[0] != '\0' && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " [request %s]", e->request_id);
	return buf;
}
