/*
 * server: the glue between libmicrohttpd and the routes.
 *
 * MHD runs one internal polling thread. The access handler is called once
 * when headers arrive (a per-request struct is made to hold the body), then
 * once per body chunk (appended up to SERVER_MAX_BODY; more is remembered
 * and answered 413), then a last time to answer. URL unescaping is turned
 * off in MHD so the path can be split on '/' before segments are
 * percent-decoded: a box id holding an encoded '/' is refused, not routed.
 * Authentication comes before routing so an unauthenticated caller learns
 * nothing about which routes exist.
 */
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "images.h"
#include "model/xalloc.h"

#define SERVER_MAX_BODY (1024u * 1024)

struct server {
	struct MHD_Daemon *daemon;
	struct call_env env;
	char *api_key;
	char *prefix; /* env.prefix points here */
	atomic_ulong next_request;
};

struct pending {
	char *body;
	size_t len;
	bool too_big;
};

static const struct {
	unsigned int status;
	const char *type;
	const char *code;
} errors[] = {
	[CALL_INVALID_ARGUMENT] = {400, "InvalidArgumentError", "invalid_argument"},
	[CALL_UNAUTHENTICATED] = {401, "AuthError", "unauthenticated"},
	[CALL_NOT_FOUND] = {404, "NotFoundError", "not_found"},
	[CALL_METHOD_NOT_ALLOWED] = {405, "InvalidArgumentError", "method_not_allowed"},
	[CALL_ALREADY_EXISTS] = {409, "AlreadyExistsError", "already_exists"},
	[CALL_INVALID_STATE] = {409, "InvalidStateError", "invalid_state"},
	[CALL_PAYLOAD_TOO_LARGE] = {413, "PayloadTooLargeError", "payload_too_large"},
	[CALL_INTERNAL] = {500, "InternalError", "internal"},
};

static enum MHD_Result reply_with(struct call *c, unsigned int status, cJSON *doc,
				  const char *allow)
{
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
	struct MHD_Response *resp;
	enum MHD_Result r;

	cJSON_Delete(doc);
	if (text != NULL)
		resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		fatal("server: out of memory");
	MHD_add_response_header(resp, "X-Request-Id", c->request_id);
	if (text != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	r = MHD_queue_response(c->conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result call_reply(struct call *c, unsigned int status, cJSON *doc)
{
	return reply_with(c, status, doc, NULL);
}

static cJSON *error_doc(const struct call *c, enum call_err e, const char *message)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(doc, "error");

	cJSON_AddStringToObject(err, "message", message);
	cJSON_AddStringToObject(err, "type", errors[e].type);
	cJSON_AddStringToObject(err, "code", errors[e].code);
	cJSON_AddStringToObject(err, "request_id", c->request_id);
	return doc;
}

enum MHD_Result call_error(struct call *c, enum call_err e, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return reply_with(c, errors[e].status, error_doc(c, e, message), NULL);
}

enum MHD_Result call_not_allowed(struct call *c, const char *allow)
{
	char message[128];

	snprintf(message, sizeof(message), "method %s not allowed here (allowed: %s)", c->method,
		 allow);
	return reply_with(c, 405, error_doc(c, CALL_METHOD_NOT_ALLOWED, message), allow);
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decodes n bytes of s; NULL when an escape is malformed or gives NUL. */
static char *pct_decode(const char *s, size_t n, bool plus_is_space)
{
	char *out = xmalloc(n + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		int hi;
		int lo;

		if (s[i] != '%') {
			out[j++] = plus_is_space && s[i] == '+' ? ' ' : s[i];
			continue;
		}
		hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
		lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
		if (lo < 0 || hi + lo == 0) {
			free(out);
			return NULL;
		}
		out[j++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[j] = '\0';
	return out;
}

char *call_query(struct call *c, const char *name, bool *bad)
{
	const char *raw = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
	char *v;

	if (raw == NULL)
		return NULL;
	v = pct_decode(raw, strlen(raw), true);
	if (v == NULL)
		*bad = true;
	return v;
}

int call_body_object(const struct call *c, cJSON **out)
{
	*out = c->body_len == 0 ? cJSON_CreateObject()
				: cJSON_ParseWithLength(c->body, c->body_len);
	if (*out != NULL && cJSON_IsObject(*out))
		return 0;
	cJSON_Delete(*out);
	*out = NULL;
	return -1;
}

/*
 * Splits path into decoded segments; -1 when one is empty, "." or ".." or
 * badly escaped. A segment holding an encoded '/' is kept and marked: only
 * routes that name an image accept one.
 */
static int split_path(struct call *c, const char *path)
{
	while (*path != '\0') {
		size_t n = strcspn(path, "/");
		char *seg;

		if (c->n_segs == CALL_MAX_SEGS || n == 0)
			return -1;
		seg = pct_decode(path, n, false);
		if (seg == NULL)
			return -1;
		if (strchr(seg, '/') != NULL)
			c->slashed |= 1u << c->n_segs;
		c->segs[c->n_segs++] = seg;
		if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
			return -1;
		path += n;
		if (*path == '/' && *++path == '\0')
			return -1;
	}
	return 0;
}

/* Compares in time that depends only on the key's length. */
static bool key_equal(const char *given, const char *key)
{
	size_t lg = strlen(given);
	size_t lk = strlen(key);
	unsigned char diff = lg != lk;

	for (size_t i = 0; i < lk; i++)
		diff |= (unsigned char)((i < lg ? given[i] : 0) ^ key[i]);
	return diff == 0;
}

static bool authorized(const struct server *s, struct call *c)
{
	const char *h;

	if (s->api_key == NULL)
		return true;
	h = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	return h != NULL && strncmp(h, "Bearer ", 7) == 0 && key_equal(h + 7, s->api_key);
}

/* The path after the prefix (and its '/'), or NULL when it does not start with it. */
static const char *strip_prefix(const struct server *s, const char *rest)
{
	size_t n;

	if (s->env.prefix == NULL)
		return rest;
	n = strlen(s->env.prefix);
	if (strncmp(rest, s->env.prefix, n) != 0 || rest[n] != '/')
		return NULL;
	return rest + n + 1;
}

static enum MHD_Result route(struct server *s, struct call *c, const char *url)
{
	const char *rest = strncmp(url, "/v1/", 4) == 0 ? url + 4 : NULL;

	if (rest != NULL && strcmp(rest, "config") == 0)
		return routes_config(c);
	if (!authorized(s, c))
		return call_error(c, CALL_UNAUTHENTICATED, "missing or invalid bearer token");
	if (rest != NULL && strcmp(rest, "me") == 0)
		return routes_me(c);
	rest = rest != NULL ? strip_prefix(s, rest) : NULL;
	if (rest == NULL)
		return call_error(c, CALL_NOT_FOUND, "no such route");
	if (split_path(c, rest) < 0)
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid path segment");
	return routes_dispatch(c);
}

static enum MHD_Result answer(struct server *s, struct MHD_Connection *conn, const char *url,
			      const char *method, struct pending *p)
{
	struct call c = {.conn = conn, .method = method, .env = &s->env};
	enum MHD_Result r;

	c.body = p->body;
	c.body_len = p->len;
	snprintf(c.request_id, sizeof(c.request_id), "sim-%012lx",
		 (unsigned long)atomic_fetch_add(&s->next_request, 1));
	if (p->too_big)
		r = call_error(&c, CALL_PAYLOAD_TOO_LARGE, "request body over %u bytes",
			       SERVER_MAX_BODY);
	else
		r = route(s, &c, url);
	for (size_t i = 0; i < c.n_segs; i++)
		free(c.segs[i]);
	return r;
}

static void take_chunk(struct pending *p, const char *data, size_t n)
{
	if (p->too_big || n > SERVER_MAX_BODY - p->len) {
		p->too_big = true;
		return;
	}
	p->body = xrealloc(p->body, p->len + n);
	memcpy(p->body + p->len, data, n);
	p->len += n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct pending *p = *con_cls;

	(void)version;
	if (p == NULL) {
		*con_cls = xcalloc(1, sizeof(struct pending));
		return MHD_YES;
	}
	if (*data_size != 0) {
		take_chunk(p, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}
	return answer(cls, conn, url, method, p);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (p != NULL)
		free(p->body);
	free(p);
	*con_cls = NULL;
}

/* Leaves the URL as sent: segments are decoded after splitting. */
static size_t no_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static int parse_host(const char *host, uint16_t port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void server_free(struct server *s)
{
	free(s->api_key);
	free(s->prefix);
	free(s);
}

static struct MHD_Daemon *start_daemon(struct server *s, const struct sockaddr_in *sa)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				on_request, s, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
}

struct server *server_start(const struct server_opts *opts, struct fleet *fleet, uint16_t *port)
{
	struct server *s = xcalloc(1, sizeof(*s));
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa;

	s->env.fleet = fleet;
	s->env.images = opts->images;
	s->env.opts = opts->sim;
	if (opts->prefix != NULL && opts->prefix[0] != '\0')
		s->prefix = xstrdup(opts->prefix);
	s->env.prefix = s->prefix;
	if (opts->api_key != NULL && opts->api_key[0] != '\0')
		s->api_key = xstrdup(opts->api_key);
	if (parse_host(opts->host, opts->port, &sa) < 0) {
		fprintf(stderr, "boxlite-sim: --host %s: not an IPv4 address\n", opts->host);
		goto fail;
	}
	s->daemon = start_daemon(s, &sa);
	info = s->daemon != NULL ? MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (info == NULL) {
		fprintf(stderr, "boxlite-sim: cannot listen on %s:%u\n", opts->host, opts->port);
		goto fail;
	}
	*port = info->port;
	return s;
fail:
	server_stop(&s);
	return NULL;
}

void server_stop(struct server **s)
{
	if (s == NULL || *s == NULL)
		return;
	if ((*s)->daemon != NULL)
		MHD_stop_daemon((*s)->daemon);
	server_free(*s);
	*s = NULL;
}
