/*
 * reply: every way a call is answered, in one place, so the cross-cutting
 * rules hold for all of them:
 *
 * - every answer carries X-Request-Id;
 * - errors take the flavor's body shape: the spec's envelope, or in the
 *   cloud flavor the gateway's flat body for 429, 502, 503 and 504; serve's
 *   envelope has no request_id, and its framework's own rejections are
 *   plain text or empty (call_text);
 * - a GET answered 200 with JSON gets an ETag, and a matching If-None-Match
 *   gets 304 with no body (not in the serve flavor, which sends none);
 * - a fault plan's `lost` runs the request and then cuts the connection
 *   instead of answering;
 * - an answer to a keyed mutation is kept for Idempotency-Key replays
 *   before any fault touches it;
 * - the fault plan mangles what is sent: truncated, not JSON, padded, or
 *   dripped a byte at a time; streamed files honour --rate and can be cut
 *   after N bytes.
 *
 * Bodies that are sent slowly are produced by a content-reader callback,
 * which may sleep: the daemon runs a thread per connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "model/xalloc.h"

#define STREAM_CHUNK (256u * 1024)

static const struct {
	unsigned int status;
	const char *type;
	const char *code;
} errors[] = {
	[CALL_INVALID_ARGUMENT] = {400, "InvalidArgumentError", "invalid_argument"},
	[CALL_UNAUTHENTICATED] = {401, "AuthError", "unauthenticated"},
	[CALL_NOT_FOUND] = {404, "NotFoundError", "not_found"},
	[CALL_METHOD_NOT_ALLOWED] = {405, "UnsupportedError", "unsupported"},
	[CALL_ALREADY_EXISTS] = {409, "AlreadyExistsError", "already_exists"},
	[CALL_INVALID_STATE] = {409, "InvalidStateError", "invalid_state"},
	[CALL_PAYLOAD_TOO_LARGE] = {413, "PayloadTooLargeError", "payload_too_large"},
	[CALL_IDEMPOTENCY_MISMATCH] = {422, "InvalidArgumentError", "invalid_argument"},
	[CALL_INTERNAL] = {500, "InternalError", "internal"},
	[CALL_CONFLICT] = {409, "ConflictError", "conflict"},
	[CALL_UNSUPPORTED] = {400, "UnsupportedError", "unsupported"},
};

/* What boxlite's BoxliteError writes before a runtime error's message. */
static const char *const runtime_prefix[] = {
	[CALL_INVALID_ARGUMENT] = "invalid argument: ", [CALL_NOT_FOUND] = "box not found: ",
	[CALL_ALREADY_EXISTS] = "already exists: ",     [CALL_INVALID_STATE] = "invalid state: ",
	[CALL_UNSUPPORTED] = "unsupported: ",
};

/* Type and code of any status a fault may ask for (api.md's table). */
static const struct {
	unsigned int status;
	const char *type;
	const char *code;
	const char *reason;
} by_status[] = {
	{400, "InvalidArgumentError", "invalid_argument", "Bad Request"},
	{401, "AuthError", "unauthenticated", "Unauthorized"},
	{403, "AuthError", "permission_denied", "Forbidden"},
	{404, "NotFoundError", "not_found", "Not Found"},
	{409, "InvalidStateError", "invalid_state", "Conflict"},
	{410, "SessionReapedError", "session_reaped", "Gone"},
	{413, "PayloadTooLargeError", "payload_too_large", "Payload Too Large"},
	{422, "ExecutionError", "execution_failed", "Unprocessable Entity"},
	{429, "ResourceExhaustedError", "resource_exhausted", "Too Many Requests"},
	{500, "InternalError", "internal", "Internal Server Error"},
	{501, "UnsupportedError", "unsupported", "Not Implemented"},
	{502, "UpstreamUnavailableError", "upstream_unavailable", "Bad Gateway"},
	{503, "EngineError", "engine_unavailable", "Service Unavailable"},
	{504, "TimeoutError", "timeout", "Gateway Timeout"},
};
/* A body sent by a content reader: from memory, from a file or from a producer. */
struct stream {
	const struct call_env *env;
	char *mem; /* owned; NULL when reading fd or src */
	int fd;
	MHD_ContentReaderCallback src; /* a producer of a body of unknown size */
	void *src_cls;                 /* owned: freed with src_free */
	MHD_ContentReaderFreeCallback src_free;
	uint64_t size;
	uint64_t rate; /* bytes per second, 0 = unlimited */
	unsigned drip_ms;
	int64_t drop_after;
	int64_t corrupt_at;
	struct timespec start;
};

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

void call_sleep(const struct call_env *env, double ms)
{
	struct timespec ts;

	/* In slices, so a server asked to stop is not kept waiting by a long fault. */
	while (ms > 0 && (env->stopping == NULL || !atomic_load(env->stopping))) {
		double slice = ms < 50 ? ms : 50;

		ts.tv_sec = 0;
		ts.tv_nsec = (long)(slice * 1e6);
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		ms -= slice;
	}
}

/* How much of the next read a stream allows, sleeping to keep its pace. */
static size_t pace(struct stream *st, uint64_t pos, size_t max)
{
	if (st->drip_ms != 0) {
		call_sleep(st->env, st->drip_ms);
		return 1;
	}
	if (st->rate != 0) {
		uint64_t chunk = st->rate / 20 != 0 ? st->rate / 20 : 1;

		if (max > chunk)
			max = (size_t)chunk;
		call_sleep(st->env, ((double)pos / (double)st->rate - since(&st->start)) * 1000);
	}
	return max;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	ssize_t n;

	if (st->drop_after >= 0 && pos >= (uint64_t)st->drop_after)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (st->env->stopping != NULL && atomic_load(st->env->stopping))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (pos >= st->size)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max > st->size - pos)
		max = (size_t)(st->size - pos);
	if (st->drop_after >= 0 && max > (uint64_t)st->drop_after - pos)
		max = (size_t)((uint64_t)st->drop_after - pos);
	max = pace(st, pos, max);
	if (st->mem != NULL) {
		memcpy(buf, st->mem + pos, max);
		return (ssize_t)max;
	}
	if (st->src != NULL) {
		n = st->src(st->src_cls, pos, buf, max);
		if (n < 0)
			return n; /* the producer's end of stream, or its error */
	} else {
		n = pread(st->fd, buf, max, (off_t)pos);
		if (n <= 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (st->corrupt_at >= 0 && (uint64_t)st->corrupt_at >= pos &&
	    (uint64_t)st->corrupt_at < pos + (uint64_t)n)
		buf[st->corrupt_at - (int64_t)pos] ^= 0x5a;
	return n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;

	if (st->mem == NULL && st->fd >= 0)
		close(st->fd);
	if (st->src_free != NULL)
		st->src_free(st->src_cls);
	free(st->mem);
	free(st);
}

static struct stream *stream_new(const struct call *c, uint64_t size)
{
	struct stream *st = xcalloc(1, sizeof(*st));

	st->env = c->env;
	st->fd = -1;
	st->size = size;
	st->drip_ms = c->plan.drip_ms;
	st->drop_after = c->plan.drop_after;
	st->corrupt_at = c->plan.corrupt_at;
	clock_gettime(CLOCK_MONOTONIC, &st->start);
	return st;
}

/* Where the plan wants it, the text is mangled; returns the new length. */
static size_t mangle(const struct call *c, char **text, size_t len)
{
	static const char page[] = "<html><body><h1>502 Bad Gateway</h1></body></html>\n";

	if (c->plan.not_json) {
		free(*text);
		*text = xstrdup(page);
		return sizeof(page) - 1;
	}
	if (c->plan.pad_bytes != 0 && c->plan.pad_bytes < SIZE_MAX - len - 1) {
		*text = xrealloc(*text, len + c->plan.pad_bytes + 1);
		memset(*text + len, ' ', c->plan.pad_bytes);
		len += c->plan.pad_bytes;
	}
	if (c->plan.truncate)
		len /= 2;
	return len;
}

/* FNV-1a 64 of the body as a quoted ETag: cheap enough for a 10k-box list. */
static void etag_of(const char *text, size_t len, char *out, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ULL;
	snprintf(out, size, "\"%016llx\"", (unsigned long long)h);
}

static bool etag_matches(struct call *c, const char *etag)
{
	const char *inm = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_IF_NONE_MATCH);

	return inm != NULL && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

bool call_serve(const struct call *c)
{
	return c->env->opts != NULL && c->env->opts->flavor == FLAVOR_SERVE;
}

static void common_headers(struct call *c, struct MHD_Response *resp, unsigned int status)
{
	MHD_add_response_header(resp, "X-Request-Id", c->request_id);
	if (status == MHD_HTTP_UNAUTHORIZED && !call_serve(c))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
}

/* Queues resp; a `lost` fault cuts the connection instead, the request already done. */
static enum MHD_Result queue(struct call *c, unsigned int status, struct MHD_Response *resp)
{
	enum MHD_Result r = MHD_NO;

	if (resp == NULL)
		fatal("server: out of memory");
	if (!c->plan.lost)
		r = MHD_queue_response(c->conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Sends len bytes of text (taken), dripped when the plan says so. */
static struct MHD_Response *text_response(struct call *c, char *text, size_t len)
{
	struct stream *st;

	if (c->plan.drip_ms == 0)
		return MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	st = stream_new(c, len);
	st->mem = text;
	st->drop_after = -1;
	return MHD_create_response_from_callback(len, 1, stream_read, st, stream_free);
}

static void keep_for_key(struct call *c, unsigned int status, const char *text, size_t len)
{
	if (c->idem_key == NULL)
		return;
	idem_finish(c->idem, c->idem_key, status, text, len);
	c->idem_key = NULL;
}

static enum MHD_Result send_text(struct call *c, unsigned int status, char *text, size_t len,
				 const char *allow, unsigned retry_after)
{
	struct MHD_Response *resp;
	char etag[24] = "";
	char ra[16];

	keep_for_key(c, status, text, len);
	if (status == MHD_HTTP_OK && strcmp(c->method, "GET") == 0 && text != NULL &&
	    (c->env->opts == NULL || !c->env->opts->no_etag) && !call_serve(c)) {
		etag_of(text, len, etag, sizeof(etag));
		if (etag_matches(c, etag)) {
			free(text);
			text = NULL;
			status = MHD_HTTP_NOT_MODIFIED;
			c->not_modified = true;
		}
	}
	if (text != NULL)
		len = mangle(c, &text, len);
	if (text != NULL)
		resp = text_response(c, text, len);
	else
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		fatal("server: out of memory");
	common_headers(c, resp, status);
	if (text != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (etag[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (retry_after != 0) {
		snprintf(ra, sizeof(ra), "%u", retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	return queue(c, status, resp);
}

enum MHD_Result call_reply(struct call *c, unsigned int status, cJSON *doc)
{
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	if (doc != NULL && text == NULL)
		fatal("server: out of memory");
	return send_text(c, status, text, text != NULL ? strlen(text) : 0, NULL, 0);
}

enum MHD_Result call_reply_text(struct call *c, unsigned int status, const char *text, size_t len)
{
	return send_text(c, status, text != NULL ? xmemdup(text, len) : NULL, len, NULL, 0);
}

static char *envelope(const struct call *c, const char *type, const char *code, const char *message)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(doc, "error");
	char *text;

	cJSON_AddStringToObject(err, "message", message);
	cJSON_AddStringToObject(err, "type", type);
	cJSON_AddStringToObject(err, "code", code);
	if (!call_serve(c))
		cJSON_AddStringToObject(err, "request_id", c->request_id);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

/* The cloud gateway's body: {"statusCode","error","message","code"}. */
static char *flat(unsigned int status, const char *reason, const char *code, const char *message)
{
	cJSON *doc = cJSON_CreateObject();
	char *text;

	cJSON_AddNumberToObject(doc, "statusCode", status);
	cJSON_AddStringToObject(doc, "error", reason);
	cJSON_AddStringToObject(doc, "message", message);
	cJSON_AddStringToObject(doc, "code", code);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

static bool gateway_status(unsigned int status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

static enum MHD_Result send_error(struct call *c, unsigned int status, const char *type,
				  const char *code, const char *reason, const char *message,
				  const char *allow, unsigned retry_after)
{
	bool cloud = c->env->opts != NULL && c->env->opts->flavor == FLAVOR_CLOUD;
	char *text = cloud && gateway_status(status) ? flat(status, reason, code, message)
						     : envelope(c, type, code, message);

	if (text == NULL)
		fatal("server: out of memory");
	return send_text(c, status, text, strlen(text), allow, retry_after);
}

enum MHD_Result call_error(struct call *c, enum call_err e, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return send_error(c, errors[e].status, errors[e].type, errors[e].code, "", message, NULL,
			  0);
}

enum MHD_Result call_runtime_error(struct call *c, enum call_err e, const char *fmt, ...)
{
	const char *prefix =
		(size_t)e < ARRAY_LEN(runtime_prefix) && call_serve(c) ? runtime_prefix[e] : NULL;
	char message[512];
	va_list ap;
	int n;

	n = snprintf(message, sizeof(message), "%s", prefix != NULL ? prefix : "");
	va_start(ap, fmt);
	vsnprintf(message + n, sizeof(message) - (size_t)n, fmt, ap);
	va_end(ap);
	return send_error(c, errors[e].status, errors[e].type, errors[e].code, "", message, NULL,
			  0);
}

enum MHD_Result call_text(struct call *c, unsigned int status, const char *text, const char *allow)
{
	struct MHD_Response *resp;

	keep_for_key(c, status, NULL, 0);
	resp = MHD_create_response_from_buffer(
		text != NULL ? strlen(text) : 0, text != NULL ? xstrdup(text) : NULL,
		text != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		fatal("server: out of memory");
	common_headers(c, resp, status);
	if (text != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; charset=utf-8");
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	return queue(c, status, resp);
}

enum MHD_Result call_no_route(struct call *c)
{
	if (call_serve(c))
		return call_text(c, MHD_HTTP_NOT_FOUND, NULL, NULL);
	return call_error(c, CALL_NOT_FOUND, "no such route");
}

enum MHD_Result call_not_allowed(struct call *c, const char *allow)
{
	char message[128];

	if (call_serve(c))
		return call_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, allow);
	snprintf(message, sizeof(message), "method %s not allowed here (allowed: %s)", c->method,
		 allow);
	return send_error(c, 405, errors[CALL_METHOD_NOT_ALLOWED].type,
			  errors[CALL_METHOD_NOT_ALLOWED].code, "Method Not Allowed", message,
			  allow, 0);
}

enum MHD_Result call_error_status(struct call *c, unsigned int status, unsigned retry_after,
				  const char *message)
{
	size_t i = 0;

	while (i < ARRAY_LEN(by_status) - 1 && by_status[i].status != status)
		i++;
	if (by_status[i].status != status)
		i = status < 500 ? 0 : 9; /* unknown 4xx: invalid_argument; 5xx: internal */
	return send_error(c, status, by_status[i].type, by_status[i].code, by_status[i].reason,
			  message, NULL, retry_after);
}

/* Answers 200 with st's body (taken), announcing size unless it is MHD_SIZE_UNKNOWN. */
static enum MHD_Result send_stream(struct call *c, struct stream *st, uint64_t size,
				   const char *type)
{
	struct MHD_Response *resp;

	/* A stream is not kept for replays: a repeated export just runs again. */
	if (c->idem_key != NULL)
		idem_abort(c->idem, c->idem_key);
	c->idem_key = NULL;
	resp = MHD_create_response_from_callback(size, STREAM_CHUNK, stream_read, st, stream_free);
	if (resp == NULL)
		fatal("server: out of memory");
	common_headers(c, resp, MHD_HTTP_OK);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	return queue(c, MHD_HTTP_OK, resp);
}

enum MHD_Result call_stream_file(struct call *c, const char *path, uint64_t size)
{
	bool chunked = call_serve(c) && c->env->opts->export_chunked;
	struct stream *st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return call_error(c, CALL_INTERNAL, "storage error: cannot read the archive");
	st = stream_new(c, size);
	st->fd = fd;
	st->rate = c->env->opts != NULL ? c->env->opts->rate : 0;
	return send_stream(c, st, chunked ? MHD_SIZE_UNKNOWN : size, "application/octet-stream");
}

enum MHD_Result call_stream_producer(struct call *c, const char *type,
				     MHD_ContentReaderCallback produce, void *cls,
				     MHD_ContentReaderFreeCallback free_cls)
{
	struct stream *st = stream_new(c, MHD_SIZE_UNKNOWN);

	st->src = produce;
	st->src_cls = cls;
	st->src_free = free_cls;
	return send_stream(c, st, MHD_SIZE_UNKNOWN, type);
}
