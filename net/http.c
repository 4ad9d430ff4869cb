/*
 * http: libcurl by the book (see STYLE.md point 9). Each request resets
 * the handle's per-request options and keeps its connection cache, so
 * polls reuse one keep-alive connection. Bodies land in a buffer capped at
 * HTTP_BODY_MAX, or, for a download with a 2xx status, straight in a file
 * descriptor; the header callback picks out X-Request-Id, ETag and
 * Retry-After. The progress callback is where cancel is noticed, so a
 * cancelled transfer stops within one callback (libcurl calls it at least
 * once a second even when stalled).
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "model/xalloc.h"
#include "model/timeutil.h"

#define RECV_BUFFER    (512L * 1024)
#define SEND_BUFFER    (2L * 1024 * 1024)
#define SLOW_LIMIT     1024L /* bytes/s for http_conf.stall_s aborts a transfer */
#define ERROR_BODY_MAX (64u * 1024)

struct http {
	CURL *easy;
	char *bearer;
	char *ca_file;
	bool insecure;
	long connect_timeout_s;
	long timeout_s;
	long stall_s;
	char errbuf[CURL_ERROR_SIZE];
};

/* One request's state, seen by the callbacks. */
struct xfer {
	struct http *h;
	struct http_resp *resp;
	size_t cap;   /* body bytes allowed in memory */
	size_t alloc; /* bytes allocated for resp->body (grows by doubling) */
	bool too_big;
	int fd;     /* download: 2xx bodies go here; -1 otherwise */
	int tee_fd; /* and a copy here (a verifier's pipe); -1: none */
	bool write_failed;
	int write_errno;
	int upload_fd; /* upload: the body comes from here; -1 otherwise */
	bool read_failed;
	http_progress_fn progress;
	void *progress_arg;
	const atomic_bool *cancel;
	bool transfer;          /* the speed floor applies while bytes should flow */
	bool stalled;           /* it was cut for being slower than the floor */
	int64_t window_ms;      /* the floor's window: since when ... */
	curl_off_t window_from; /* ... and how many bytes had moved then */
};

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

struct http *http_new(const struct http_conf *conf)
{
	struct http *h = xcalloc(1, sizeof(*h));

	h->easy = curl_easy_init();
	if (h->easy == NULL)
		fatal("http: curl_easy_init failed");
	h->bearer = xstrdup(conf->bearer);
	h->ca_file = xstrdup(conf->ca_file);
	h->insecure = conf->insecure;
	h->connect_timeout_s =
		conf->connect_timeout_s > 0 ? conf->connect_timeout_s : HTTP_CONNECT_TIMEOUT_S;
	h->timeout_s = conf->timeout_s > 0 ? conf->timeout_s : HTTP_TIMEOUT_S;
	h->stall_s = conf->stall_s > 0 ? conf->stall_s : HTTP_STALL_S;
	return h;
}

void http_free(struct http **h)
{
	if (h == NULL || *h == NULL)
		return;
	curl_easy_cleanup((*h)->easy);
	if ((*h)->bearer != NULL)
		explicit_bzero((*h)->bearer, strlen((*h)->bearer));
	free((*h)->bearer);
	free((*h)->ca_file);
	free(*h);
	*h = NULL;
}

void http_resp_clear(struct http_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
	r->retry_after_ms = -1;
}

void net_error_set(struct net_error *err, enum net_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->kind = kind;
	err->retry_after_ms = -1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void net_error_from_resp(const struct http_resp *r, struct net_error *err)
{
	char line[sizeof(err->message)];

	memset(err, 0, sizeof(*err));
	err->kind = NET_STATUS;
	api_error_decode((int)r->status, r->body, r->len,
			 r->request_id[0] != '\0' ? r->request_id : NULL, &err->api);
	err->retry_after_ms = r->retry_after_ms;
	/* a 405 says what the route takes: a client older or newer than the server */
	if (r->allow[0] != '\0') {
		size_t n = strlen(err->api.message);

		snprintf(err->api.message + n, sizeof(err->api.message) - n, " (it takes %s)",
			 r->allow);
	}
	snprintf(err->message, sizeof(err->message), "%s",
		 api_error_str(&err->api, line, sizeof(line)));
}

bool net_error_retryable(const struct net_error *err)
{
	if (err->kind == NET_TRANSPORT)
		return true;
	if (err->kind != NET_STATUS)
		return false;
	return api_error_retryable(&err->api);
}

/*
 * The first allocation of a body whose first n bytes came: its
 * Content-Length when the server sent one, so a batch of thousands of small
 * answers, all held until the batch ends, costs what they weigh.
 */
static size_t first_alloc(const struct xfer *x, size_t n)
{
	curl_off_t total = -1;

	curl_easy_getinfo(x->h->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
	if (total > 0 && (uint64_t)total < x->cap)
		return (size_t)total + 1;
	return n < 1024 ? 1024 : n + 1;
}

/* Appends to the in-memory body, up to cap. */
static size_t keep(struct xfer *x, const char *data, size_t n)
{
	struct http_resp *r = x->resp;

	if (n > x->cap - r->len) {
		x->too_big = true;
		return 0;
	}
	if (r->len + n + 1 > x->alloc) {
		x->alloc = x->alloc != 0 ? x->alloc : first_alloc(x, n);
		while (x->alloc < r->len + n + 1)
			x->alloc *= 2;
		r->body = xrealloc(r->body, x->alloc);
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* Writes all n bytes to fd; false with x's write error set when it cannot. */
static bool write_all(struct xfer *x, int fd, const char *data, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->write_failed = true;
			x->write_errno = w < 0 ? errno : ENOSPC;
			return false;
		}
		off += (size_t)w;
	}
	return true;
}

static size_t write_fd(struct xfer *x, const char *data, size_t n)
{
	if (!write_all(x, x->fd, data, n))
		return 0;
	if (x->tee_fd >= 0 && !write_all(x, x->tee_fd, data, n))
		return 0;
	return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	long status = 0;

	if (x->fd < 0)
		return keep(x, data, n);
	curl_easy_getinfo(x->h->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return write_fd(x, data, n);
	return keep(x, data, n);
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	ssize_t n;

	do
		n = read(x->upload_fd, buf, size * nmemb);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		x->read_failed = true;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

/* Copies a header's value (trimmed) into out. */
static void header_value(const char *v, size_t n, char *out, size_t size)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

/* Retry-After: delay-seconds or an HTTP date. */
static int64_t retry_after_ms(const char *v)
{
	char *end = NULL;
	long long s = strtoll(v, &end, 10);
	time_t when;

	if (end != v && *end == '\0')
		return s < 0 ? 0 : s > 86400 ? 86400000 : s * 1000;
	when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	return when <= time(NULL) ? 0 : (int64_t)(when - time(NULL)) * 1000;
}

void http_resp_header(struct http_resp *r, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	size_t name_len = colon != NULL ? (size_t)(colon - line) : 0;
	const char *v = colon + 1;
	size_t vn = colon != NULL ? n - name_len - 1 : 0;
	char buf[160];

	if (colon == NULL)
		return;
	if (name_len == 12 && strncasecmp(line, "X-Request-Id", 12) == 0)
		header_value(v, vn, r->request_id, sizeof(r->request_id));
	else if (name_len == 4 && strncasecmp(line, "ETag", 4) == 0)
		header_value(v, vn, r->etag, sizeof(r->etag));
	else if (name_len == 5 && strncasecmp(line, "Allow", 5) == 0)
		header_value(v, vn, r->allow, sizeof(r->allow));
	else if (name_len == 11 && strncasecmp(line, "Retry-After", 11) == 0) {
		header_value(v, vn, buf, sizeof(buf));
		r->retry_after_ms = retry_after_ms(buf);
	}
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;

	http_resp_header(x->resp, data, size * nmemb);
	return size * nmemb;
}

/*
 * The speed floor of a transfer (SLOW_LIMIT bytes/s over stall_s), kept
 * only while bytes should flow: a download from its first byte (boxlite
 * serve builds a whole archive before it sends one, for minutes), an upload
 * until its last (then the server checks it, silent too). Returns true when
 * the transfer is too slow. libcurl's own floor cannot tell those waits
 * from a stall.
 */
static bool too_slow(struct xfer *x, curl_off_t moved, bool flowing)
{
	int64_t now = time_mono_ms();

	if (!flowing || x->window_ms == 0) {
		x->window_ms = now;
		x->window_from = moved;
		return false;
	}
	if (now - x->window_ms < x->h->stall_s * 1000)
		return false;
	if (moved - x->window_from < SLOW_LIMIT * x->h->stall_s)
		return x->stalled = true;
	x->window_ms = now;
	x->window_from = moved;
	return false;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = arg;
	bool up = x->upload_fd >= 0;

	if (x->cancel != NULL && atomic_load(x->cancel))
		return 1;
	if (x->transfer && too_slow(x, up ? ulnow : dlnow, up ? ulnow < ultotal : dlnow > 0))
		return 1;
	if (x->progress == NULL)
		return 0;
	if (x->upload_fd >= 0)
		x->progress(x->progress_arg, ulnow, ultotal > 0 ? ultotal : -1);
	else
		x->progress(x->progress_arg, dlnow, dltotal > 0 ? dltotal : -1);
	return 0;
}

static struct curl_slist *headers(const struct http *h, const struct http_req *req,
				  const char *content_type)
{
	struct curl_slist *l = NULL;
	char line[256];

	(void)h;
	l = curl_slist_append(l, "Accept: application/json");
	if (content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		l = curl_slist_append(l, line);
	}
	if (req->idem_key != NULL) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", req->idem_key);
		l = curl_slist_append(l, line);
	}
	if (req->if_none_match != NULL && req->if_none_match[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", req->if_none_match);
		l = curl_slist_append(l, line);
	}
	if (l == NULL)
		fatal("http: out of memory");
	return l;
}

void http_conn_options(void *easy, const struct http_conf *conf, char *errbuf)
{
	CURL *e = easy;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "boxtop/" BOXTOP_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
			 conf->connect_timeout_s > 0 ? conf->connect_timeout_s
						     : HTTP_CONNECT_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (conf->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, conf->ca_file);
	if (conf->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

struct http_conf http_conf_of(const struct http *h)
{
	return (struct http_conf){.bearer = h->bearer,
				  .ca_file = h->ca_file,
				  .insecure = h->insecure,
				  .connect_timeout_s = h->connect_timeout_s,
				  .timeout_s = h->timeout_s,
				  .stall_s = h->stall_s};
}

static void common_options(struct http *h, const struct http_req *req, struct xfer *x)
{
	CURL *e = h->easy;
	struct http_conf conf = http_conf_of(h);

	curl_easy_reset(e);
	http_conn_options(e, &conf, h->errbuf);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	if (h->bearer != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, h->bearer);
	}
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	/*
	 * A mutation goes on a new connection: on a reused one that dies before
	 * an answer, libcurl sends the request again by itself, and a mutation
	 * must never be re-sent blindly (api.md, Idempotency).
	 */
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	h->errbuf[0] = '\0';
}

/*
 * Failures that come before the server could have seen the request: the
 * name, the connection, the TLS handshake. Anything later (a reset, a
 * timeout, an empty reply) may come after the server acted on it.
 */
static bool never_sent(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return true;
	default:
		return false;
	}
}

/* Runs the prepared request and turns libcurl's result into err. */
/* Turns libcurl's result for a finished request into 0 or err. */
static int finish(struct http *h, const struct http_req *req, struct xfer *x, CURLcode rc,
		  struct net_error *err)
{
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &x->resp->status);
	if (rc == CURLE_OK)
		return 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK && x->stalled) {
		net_error_set(err, NET_TRANSPORT,
			      "%s %s: the transfer stalled: under %ld bytes/s for %ld s",
			      req->method, req->url, SLOW_LIMIT, h->stall_s);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		net_error_set(err, NET_CANCELLED, "cancelled");
	} else if (x->too_big) {
		net_error_set(err, NET_DECODE, "%s %s: answer larger than %u bytes", req->method,
			      req->url, (unsigned)x->cap);
	} else if (x->write_failed) {
		net_error_set(err, NET_LOCAL, "cannot write the download: %s",
			      strerror(x->write_errno));
	} else if (x->read_failed) {
		net_error_set(err, NET_LOCAL, "cannot read the upload: %s", strerror(errno));
	} else {
		net_error_set(err, NET_TRANSPORT, "%s %s: %s", req->method, req->url,
			      h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(rc));
		err->unsent = never_sent(rc);
	}
	return -1;
}

static int perform(struct http *h, const struct http_req *req, struct xfer *x,
		   struct net_error *err)
{
	return finish(h, req, x, curl_easy_perform(h->easy), err);
}

static void xfer_init(struct xfer *x, struct http *h, const struct http_req *req,
		      struct http_resp *out)
{
	memset(x, 0, sizeof(*x));
	memset(out, 0, sizeof(*out));
	out->retry_after_ms = -1;
	x->h = h;
	x->resp = out;
	x->cap = HTTP_BODY_MAX;
	x->fd = -1;
	x->tee_fd = -1;
	x->upload_fd = -1;
	x->cancel = req->cancel;
}

/* Transfers: no total timeout, but a floor on speed. */
static void transfer_options(struct http *h)
{
	curl_easy_setopt(h->easy, CURLOPT_BUFFERSIZE, RECV_BUFFER);
	curl_easy_setopt(h->easy, CURLOPT_UPLOAD_BUFFERSIZE, SEND_BUFFER);
}

/*
 * Sets up and runs one request: the body is req->json, or for an upload
 * upload_size bytes read from x->upload_fd; transfers have a speed floor
 * instead of a total timeout.
 */
static int run(struct http *h, const struct http_req *req, struct xfer *x, bool transfer,
	       int64_t upload_size, struct net_error *err)
{
	const char *ctype = x->upload_fd >= 0   ? "application/octet-stream"
			    : req->json != NULL ? "application/json"
						: NULL;
	struct curl_slist *hdrs = headers(h, req, ctype);
	int rc;

	common_options(h, req, x);
	x->transfer = transfer;
	if (transfer)
		transfer_options(h);
	else
		curl_easy_setopt(h->easy, CURLOPT_TIMEOUT,
				 req->timeout_s > 0 ? req->timeout_s : h->timeout_s);
	curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, hdrs);
	if (x->upload_fd >= 0) {
		curl_easy_setopt(h->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(h->easy, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h->easy, CURLOPT_READDATA, x);
		curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)upload_size);
	} else if (req->json != NULL) {
		curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, req->json);
		curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(req->json));
	}
	rc = perform(h, req, x, err);
	curl_slist_free_all(hdrs);
	if (rc < 0)
		http_resp_clear(x->resp);
	return rc;
}

int http_do(struct http *h, const struct http_req *req, struct http_resp *out,
	    struct net_error *err)
{
	struct xfer x;

	xfer_init(&x, h, req, out);
	return run(h, req, &x, false, 0, err);
}

int http_download(struct http *h, const struct http_req *req, int fd, int tee_fd,
		  http_progress_fn progress, void *arg, struct http_resp *out,
		  struct net_error *err)
{
	struct xfer x;

	xfer_init(&x, h, req, out);
	x.fd = fd;
	x.tee_fd = tee_fd;
	x.cap = ERROR_BODY_MAX;
	x.progress = progress;
	x.progress_arg = arg;
	return run(h, req, &x, true, 0, err);
}

int http_upload(struct http *h, const struct http_req *req, int fd, int64_t size,
		http_progress_fn progress, void *arg, struct http_resp *out, struct net_error *err)
{
	struct xfer x;

	xfer_init(&x, h, req, out);
	x.upload_fd = fd;
	x.progress = progress;
	x.progress_arg = arg;
	return run(h, req, &x, true, size, err);
}

/* ---- batches: many small GETs at once over curl's multi interface ---- */

struct http_batch {
	CURLM *multi;
	struct http **slots; /* one easy handle each, reused: keep-alive across batches */
	unsigned n_slots;
};

struct http_batch *http_batch_new(const struct http_conf *conf, unsigned parallel)
{
	struct http_batch *b = xcalloc(1, sizeof(*b));

	b->multi = curl_multi_init();
	if (b->multi == NULL)
		fatal("http: curl_multi_init failed");
	b->n_slots = parallel != 0 ? parallel : 1;
	b->slots = xcalloc(b->n_slots, sizeof(*b->slots));
	for (unsigned i = 0; i < b->n_slots; i++)
		b->slots[i] = http_new(conf);
	return b;
}

void http_batch_free(struct http_batch **b)
{
	if (b == NULL || *b == NULL)
		return;
	for (unsigned i = 0; i < (*b)->n_slots; i++)
		http_free(&(*b)->slots[i]);
	free((*b)->slots);
	curl_multi_cleanup((*b)->multi);
	free(*b);
	*b = NULL;
}

/* A request in flight in a slot. */
struct flight {
	size_t index; /* into the caller's arrays */
	struct http_req req;
	struct xfer x;
	bool busy;
};

/* Starts url in slot; -1 with err set when the multi handle refuses it. */
static int launch(struct http_batch *b, unsigned slot, struct flight *f, size_t index,
		  const char *url, struct http_resp *out, const atomic_bool *cancel,
		  struct net_error *err)
{
	struct http *h = b->slots[slot];

	f->index = index;
	f->req = (struct http_req){.method = "GET", .url = url, .cancel = cancel};
	xfer_init(&f->x, h, &f->req, out);
	common_options(h, &f->req, &f->x);
	curl_easy_setopt(h->easy, CURLOPT_TIMEOUT, h->timeout_s);
	curl_easy_setopt(h->easy, CURLOPT_PRIVATE, f);
	if (curl_multi_add_handle(b->multi, h->easy) != CURLM_OK) {
		net_error_set(err, NET_TRANSPORT, "GET %s: cannot start the request", url);
		return -1;
	}
	f->busy = true;
	return 0;
}

/* Collects finished requests; returns how many slots came free. */
static unsigned collect_done(struct http_batch *b, struct net_error *errs, int *failed)
{
	unsigned freed = 0;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(b->multi, &left)) != NULL) {
		struct flight *f = NULL;
		unsigned slot = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&f);
		while (slot < b->n_slots && b->slots[slot]->easy != m->easy_handle)
			slot++;
		curl_multi_remove_handle(b->multi, m->easy_handle);
		if (finish(b->slots[slot], &f->req, &f->x, m->data.result, &errs[f->index]) < 0) {
			http_resp_clear(f->x.resp);
			(*failed)++;
		}
		f->busy = false;
		freed++;
	}
	return freed;
}

int http_batch_get(struct http_batch *b, const char *const *urls, size_t n, struct http_resp *out,
		   struct net_error *errs, const atomic_bool *cancel)
{
	struct flight *flights = xcalloc(b->n_slots, sizeof(*flights));
	size_t next = 0;
	int failed = 0;
	int running = 1;

	for (size_t i = 0; i < n; i++)
		errs[i] = (struct net_error){.kind = NET_OK, .retry_after_ms = -1};
	while (next < n || running > 0) {
		for (unsigned s = 0; s < b->n_slots && next < n; s++) {
			if (flights[s].busy)
				continue;
			if (launch(b, s, &flights[s], next, urls[next], &out[next], cancel,
				   &errs[next]) < 0)
				failed++;
			next++;
		}
		curl_multi_perform(b->multi, &running);
		/*
		 * Slots freed here are filled before any wait: with nothing in
		 * flight, nothing would wake the poll before its timeout.
		 */
		if (collect_done(b, errs, &failed) > 0 && next < n)
			continue;
		if (running > 0)
			curl_multi_poll(b->multi, NULL, 0, 100, NULL);
	}
	free(flights);
	return failed == 0 ? 0 : -1;
}
