/*
 * server: the glue between libmicrohttpd and the routes.
 *
 * MHD runs a thread per connection, so a handler or a body reader may block
 * (fault latency, a dripped body, a throttled multi-GB export) without
 * holding up other clients. The access handler is called once when headers
 * arrive (a per-request struct is made, the fault plan drawn and its
 * latency slept), then once per body chunk, then a last time to answer.
 * Bodies are kept in memory up to SERVER_MAX_BODY (more is answered 413),
 * except an import's, which is streamed to a file in the state directory
 * and hashed on the way for Idempotency-Key fingerprints; it is removed
 * when the request ends, whatever happened.
 *
 * URL unescaping is turned off in MHD so the path can be split on '/'
 * before segments are percent-decoded. Authentication comes before routing
 * so an unauthenticated caller learns nothing about which routes exist.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "call.h"
#include "control.h"
#include "effects.h"
#include "exec.h"
#include "routes.h"
#include "tally.h"
#include "wss.h"
#include "model/xalloc.h"

#define SERVER_MAX_BODY (1024u * 1024)
#define IDEM_KEYS       4096
#define IDEM_LIFETIME   (24 * 3600)

struct server {
	struct MHD_Daemon *daemon;
	struct call_env env;
	char *api_key;
	char *prefix;    /* env.prefix points here */
	char *base_path; /* "" or "/api" */
	struct idem_store *idem;
	atomic_ulong next_request;
	uint64_t id_salt; /* serve: minted request ids differ from run to run */
	atomic_ulong next_upload;
	atomic_bool stopping;
};

struct pending {
	struct fault_plan plan;
	char *body;
	size_t len;
	bool too_big;
	bool upload; /* the body goes to a file */
	bool upload_failed;
	int fd;
	char *upload_path;
	uint64_t upload_len;
	EVP_MD_CTX *hash; /* of the upload, for Idempotency-Key fingerprints */
	struct timespec start;
};

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
		seg = call_pct_decode(path, n, false);
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

/* file_transfer_max_bytes, as /v1/config says. */
static uint64_t upload_max(const struct server *s)
{
	if (s->env.opts != NULL && s->env.opts->transfer_max != 0)
		return s->env.opts->transfer_max;
	return SIM_TRANSFER_MAX;
}

static bool key_given(const struct server *s, struct call *c)
{
	const char *h;

	if (s->api_key == NULL)
		return true;
	h = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	/* boxlite serve's require_api_key also takes a lower-case "bearer " */
	return h != NULL &&
	       (strncmp(h, "Bearer ", 7) == 0 ||
		(call_serve(c) && strncmp(h, "bearer ", 7) == 0)) &&
	       key_equal(h + 7, s->api_key);
}

/* The key was given and has not been expired through the control API. */
static bool authorized(const struct server *s, struct call *c)
{
	if (s->env.faults != NULL && faults_key_expired(s->env.faults))
		return false;
	return key_given(s, c);
}

/*
 * The path after the prefix (and its '/'), or NULL when it does not start
 * with it. The prefix is a path, so it is matched segment by segment against
 * the decoded segments of the URL, as a real server routes: "team%2042" and
 * "team 42" name the same segment, and an encoded '/' ("%2F") never matches
 * a separator.
 */
static const char *strip_prefix(const struct server *s, const char *rest)
{
	const char *p = s->env.prefix;

	if (p == NULL)
		return rest;
	for (;;) {
		size_t pn = strcspn(p, "/"), rn = strcspn(rest, "/");
		char *seg = call_pct_decode(rest, rn, false);
		bool same = seg != NULL && strlen(seg) == pn && strncmp(seg, p, pn) == 0;

		free(seg);
		if (!same || rest[rn] != '/')
			return NULL;
		rest += rn + 1;
		if (p[pn] == '\0')
			return rest;
		p += pn + 1;
	}
}

/* The URL without the base path, or NULL when it is not under it. */
static const char *strip_base(const struct server *s, const char *url)
{
	size_t n = strlen(s->base_path);

	if (strncmp(url, s->base_path, n) != 0 || url[n] != '/')
		return NULL;
	return url + n;
}

static bool is_mutation(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "DELETE") == 0 ||
	       strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
}

/* sha256 over method, path and body: what makes two keyed requests "the same". */
static void fingerprint(struct call *c, const char *url, struct pending *p,
			unsigned char fp[IDEM_FP_LEN])
{
	EVP_MD_CTX *ctx = p->hash != NULL ? p->hash : EVP_MD_CTX_new();
	unsigned int n = IDEM_FP_LEN;

	if (ctx == NULL)
		fatal("server: out of memory");
	if (p->hash == NULL) {
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		if (p->len != 0)
			EVP_DigestUpdate(ctx, p->body, p->len);
	}
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, c->method, strlen(c->method));
	EVP_DigestUpdate(ctx, url, strlen(url));
	EVP_DigestFinal_ex(ctx, fp, &n);
	if (p->hash == NULL)
		EVP_MD_CTX_free(ctx);
	else
		EVP_MD_CTX_reset(ctx);
}

/*
 * Mutations with an Idempotency-Key: a repeat is answered from the kept
 * answer and never reaches the routes. Returns true when it answered.
 */
static bool idempotent_replay(struct server *s, struct call *c, const char *url, struct pending *p,
			      enum MHD_Result *r)
{
	const char *key = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Idempotency-Key");
	unsigned char fp[IDEM_FP_LEN];
	unsigned status = 0;
	char *body = NULL;
	size_t len = 0;

	/* boxlite serve has no Idempotency-Key layer: a repeat runs again */
	if (key == NULL || key[0] == '\0' || !is_mutation(c->method) || call_serve(c))
		return false;
	fingerprint(c, url, p, fp);
	switch (idem_begin(s->idem, key, fp, &status, &body, &len)) {
	case IDEM_NEW:
		c->idem = s->idem;
		c->idem_key = key;
		return false;
	case IDEM_REPLAY:
		*r = call_reply_text(c, status, body, len);
		free(body);
		return true;
	case IDEM_MISMATCH:
		break;
	}
	*r = call_error(c, CALL_IDEMPOTENCY_MISMATCH,
			"Idempotency-Key %s was already used for a different request", key);
	return true;
}

/*
 * boxlite serve's activity_box_id: a request under boxes/{id}/ uses the box
 * (its AutoStop idle clock starts again), except /metrics and /stop, which
 * a poller sends on a timer or which cannot matter, and a bare GET, HEAD or
 * DELETE of the box, which read or remove it. rest is the path after
 * /v1[/prefix]/, as sent; the box's segment is decoded before it is used,
 * as serve decodes it.
 */
static void note_activity(struct call *c, const char *url, const char *rest)
{
	const char *tail;
	struct effect_cause cause = {.method = c->method, .path = url, .request_id = c->request_id};
	char *spelling;

	if (strncmp(rest, "boxes/", 6) != 0)
		return;
	rest += 6;
	tail = rest + strcspn(rest, "/");
	if (tail == rest)
		return;
	if (*tail == '/')
		tail++;
	if (strcmp(tail, "metrics") == 0 || strcmp(tail, "stop") == 0)
		return;
	if (*tail == '\0' && (strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0 ||
			      strcmp(c->method, "DELETE") == 0))
		return;
	spelling = call_pct_decode(rest, strcspn(rest, "/"), false);
	if (spelling == NULL)
		return;
	cause.user_agent =
		MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
	fleet_touch(c->env->fleet, spelling, &cause);
	free(spelling);
}

static enum MHD_Result route_api(struct server *s, struct call *c, const char *url,
				 struct pending *p)
{
	const char *rest = strncmp(url, "/v1/", 4) == 0 ? url + 4 : NULL;
	enum MHD_Result r;

	if (rest != NULL && strcmp(rest, "config") == 0) {
		snprintf(c->route, sizeof(c->route), "/v1/config");
		return routes_config(c);
	}
	if (!authorized(s, c))
		return call_error(c, CALL_UNAUTHENTICATED,
				  call_serve(c) ? "invalid or missing API key"
						: "missing or invalid bearer token");
	if (rest != NULL && strcmp(rest, "me") == 0) {
		snprintf(c->route, sizeof(c->route), "/v1/me");
		return routes_me(c);
	}
	rest = rest != NULL ? strip_prefix(s, rest) : NULL;
	if (rest == NULL)
		return call_no_route(c);
	/* after the key, before the route, as serve's layers run: unknown routes stamp too */
	note_activity(c, url, rest);
	if (split_path(c, rest) < 0)
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid path segment");
	if (idempotent_replay(s, c, url, p, &r))
		return r;
	return routes_dispatch(c);
}

static enum MHD_Result route(struct server *s, struct call *c, const char *url, struct pending *p)
{
	url = strip_base(s, url);
	if (url == NULL)
		return call_no_route(c);
	if (strncmp(url, "/_sim/", 6) == 0) {
		c->control = true;
		if (s->env.opts == NULL || !s->env.opts->control)
			return call_error(c, CALL_NOT_FOUND, "no such route");
		if (!key_given(s, c))
			return call_error(c, CALL_UNAUTHENTICATED,
					  "missing or invalid bearer token");
		if (split_path(c, url + 6) < 0)
			return call_error(c, CALL_INVALID_ARGUMENT, "invalid path segment");
		return control_dispatch(c);
	}
	if (c->plan.status != 0)
		return call_error_status(c, c->plan.status, c->plan.retry_after,
					 "simulated failure");
	return route_api(s, c, url, p);
}

/*
 * The request's id: boxlite serve echoes the client's X-Request-Id or mints
 * a UUID (tower-http's SetRequestIdLayer); the other flavors mint sim-N.
 */
static void request_id(struct server *s, struct call *c)
{
	const char *given = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-Request-Id");
	unsigned long n = (unsigned long)atomic_fetch_add(&s->next_request, 1);

	if (!call_serve(c)) {
		snprintf(c->request_id, sizeof(c->request_id), "sim-%012lx", n);
		return;
	}
	if (given != NULL && given[0] != '\0' && strlen(given) < sizeof(c->request_id)) {
		snprintf(c->request_id, sizeof(c->request_id), "%s", given);
		return;
	}
	snprintf(c->request_id, sizeof(c->request_id), "%08lx-%04lx-4%03lx-8%03lx-%012lx",
		 (unsigned long)s->id_salt & 0xffffffffUL, n >> 16 & 0xffff, n >> 4 & 0xfff,
		 (unsigned long)(s->id_salt >> 32) & 0xfff, n & 0xffffffffffffUL);
}

static enum MHD_Result answer(struct server *s, struct MHD_Connection *conn, const char *url,
			      const char *method, struct pending *p)
{
	struct call c = {
		.conn = conn, .method = method, .url = url, .env = &s->env, .plan = p->plan};
	enum MHD_Result r;

	c.body = p->body;
	c.body_len = p->len;
	c.upload_path = p->upload ? p->upload_path : NULL;
	c.upload_len = p->upload_len;
	request_id(s, &c);
	if (p->plan.cut)
		return MHD_NO; /* the connection goes before anything is done */
	if (p->too_big && c.env->opts != NULL && c.env->opts->flavor == FLAVOR_SERVE)
		r = call_text(&c, MHD_HTTP_CONTENT_TOO_LARGE,
			      "Failed to buffer the request body: length limit exceeded", NULL);
	else if (p->too_big)
		r = call_error(&c, CALL_PAYLOAD_TOO_LARGE, "request body over %llu bytes",
			       (unsigned long long)(p->upload ? upload_max(s) : SERVER_MAX_BODY));
	else if (p->upload_failed)
		r = call_error(&c, CALL_INTERNAL, "storage error: cannot store the upload");
	else
		r = route(s, &c, url, p);
	if (!c.control)
		tally_add(s->env.tally, method, c.route[0] != '\0' ? c.route : NULL,
			  c.not_modified);
	/* A keyed request that gave no answer worth keeping is forgotten. */
	if (c.idem_key != NULL)
		idem_abort(c.idem, c.idem_key);
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

/* Keeps an upload to the --rate: sleeps until `done` bytes are due. */
static void upload_pace(const struct server *s, const struct pending *p)
{
	struct timespec now;
	double elapsed;

	if (s->env.opts == NULL || s->env.opts->rate == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - p->start.tv_sec) * 1000 +
		  (double)(now.tv_nsec - p->start.tv_nsec) / 1e6;
	call_sleep(&s->env, (double)p->upload_len * 1000 / (double)s->env.opts->rate - elapsed);
}

/* Appends an import's chunk to its file; false cuts the connection (a drop fault). */
static bool take_upload(struct server *s, struct pending *p, const char *data, size_t n)
{
	if (p->plan.drop_after >= 0 && p->upload_len + n > (uint64_t)p->plan.drop_after)
		return false;
	if (p->too_big || p->upload_failed || n > upload_max(s) - p->upload_len) {
		p->too_big = p->too_big || !p->upload_failed;
		return true;
	}
	EVP_DigestUpdate(p->hash, data, n);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(p->fd, data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			p->upload_failed = true;
			return true;
		}
		off += (size_t)w;
	}
	p->upload_len += n;
	upload_pace(s, p);
	return true;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s);

	return n >= strlen(tail) && strcmp(s + n - strlen(tail), tail) == 0;
}

/* An import's body, or a files upload's tar (files.c reads it from the file). */
static bool is_upload(const char *url, const char *method)
{
	return (strcmp(method, "POST") == 0 && ends_with(url, "/boxes/import")) ||
	       (strcmp(method, "PUT") == 0 && ends_with(url, "/files"));
}

static void start_upload(struct server *s, struct pending *p)
{
	const char *dir = s->env.opts != NULL && s->env.opts->state_dir != NULL
				  ? s->env.opts->state_dir
				  : "/tmp";

	p->upload = true;
	p->upload_path = xasprintf("%s/upload-%lu.part", dir,
				   (unsigned long)atomic_fetch_add(&s->next_upload, 1));
	p->fd = open(p->upload_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	p->hash = EVP_MD_CTX_new();
	if (p->hash == NULL)
		fatal("server: out of memory");
	EVP_DigestInit_ex(p->hash, EVP_sha256(), NULL);
	p->upload_failed = p->fd < 0;
}

static struct pending *begin(struct server *s, const char *url, const char *method)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	const char *path = strip_base(s, url);

	p->fd = -1;
	p->plan.drop_after = -1;
	p->plan.corrupt_at = -1;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	if (s->env.faults != NULL && (path == NULL || strncmp(path, "/_sim/", 6) != 0))
		faults_plan(s->env.faults, method, url, &p->plan);
	call_sleep(&s->env, p->plan.latency_ms);
	if (is_upload(url, method))
		start_upload(s, p);
	return p;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct pending *p = *con_cls;
	size_t n = *data_size;

	(void)version;
	if (p == NULL) {
		*con_cls = begin(cls, url, method);
		return MHD_YES;
	}
	if (n != 0) {
		*data_size = 0;
		if (!p->upload) {
			take_chunk(p, data, n);
			return MHD_YES;
		}
		return take_upload(cls, p, data, n) ? MHD_YES : MHD_NO;
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
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	if (p->upload_path != NULL)
		unlink(p->upload_path);
	free(p->upload_path);
	EVP_MD_CTX_free(p->hash);
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
	idem_free(&s->idem);
	tally_free(&s->env.tally);
	free(s->api_key);
	free(s->prefix);
	free(s->base_path);
	free(s);
}

/*
 * libmicrohttpd's complaints, on stderr, less the one a fault's cut
 * connection makes on purpose (a handler returning MHD_NO).
 */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (strncmp(line, "Application reported internal error", 35) != 0)
		fprintf(stderr, "boxlite-sim: %s", line);
}

static struct MHD_Daemon *start_daemon(struct server *s, const struct sockaddr_in *sa)
{
	/* MHD_ALLOW_UPGRADE: the attach routes' WebSockets (wss.c) */
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;

	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
				mhd_log, NULL, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, s,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_END);
}

/* "" or "/x/y" without a trailing '/'. */
static char *normal_base(const char *base)
{
	size_t n;

	if (base == NULL || base[0] == '\0')
		return xstrdup("");
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return base[0] == '/' ? xstrndup(base, n) : xasprintf("/%.*s", (int)n, base);
}

struct server *server_start(const struct server_opts *opts, struct fleet *fleet, uint16_t *port)
{
	struct server *s = xcalloc(1, sizeof(*s));
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa;

	s->env.stopping = &s->stopping;
	s->env.fleet = fleet;
	s->env.images = opts->images;
	s->env.faults = opts->faults;
	s->env.opts = opts->sim;
	if (opts->prefix != NULL && opts->prefix[0] != '\0')
		s->prefix = xstrdup(opts->prefix);
	s->env.prefix = s->prefix;
	s->env.tally = tally_new();
	s->env.effects = opts->effects;
	s->id_salt = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
	if (opts->api_key != NULL && opts->api_key[0] != '\0')
		s->api_key = xstrdup(opts->api_key);
	s->base_path = normal_base(opts->sim != NULL ? opts->sim->base_path : NULL);
	s->idem = idem_new(IDEM_KEYS, IDEM_LIFETIME);
	if (parse_host(opts->host, opts->port, &sa) < 0) {
		fprintf(stderr, "boxlite-sim: --host %s: not an IPv4 address\n", opts->host);
		goto fail;
	}
	exec_start(fleet, opts->sim);
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
	atomic_store(&(*s)->stopping, true);
	wss_stop_all(); /* MHD would wait for upgraded sockets forever */
	if ((*s)->daemon != NULL)
		MHD_stop_daemon((*s)->daemon);
	exec_stop();
	server_free(*s);
	*s = NULL;
}
