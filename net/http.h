/*
 * http: one libcurl easy handle per thread, and every way a request to a
 * BoxLite server can fail turned into one typed error.
 *
 * A handle is made by and used on one thread only (keep-alive connections
 * are reused across its requests); http_global_init must run before any
 * thread exists. The bearer goes through CURLOPT_XOAUTH2_BEARER so libcurl
 * never sends it to another host on a redirect; TLS verification is on
 * unless the settings say --insecure.
 */
#ifndef BOXTOP_NET_HTTP_H
#define BOXTOP_NET_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/api_error.h"

#define HTTP_BODY_MAX (64u * 1024 * 1024) /* JSON answers larger than this are refused */

enum net_err_kind {
	NET_OK,
	NET_TRANSPORT, /* no answer: refused, DNS, TLS, reset, timeout */
	NET_STATUS,    /* an answer with an error status: see api */
	NET_DECODE,    /* an answer we cannot read: too big, not the JSON we expect */
	NET_CANCELLED, /* the caller's cancel flag was set */
	NET_LOCAL,     /* a local failure: a file we could not read or write */
	NET_REFUSED,   /* refused before sending: the server lacks the capability */
};

struct net_error {
	enum net_err_kind kind;
	struct api_error api;   /* NET_STATUS: the decoded error body */
	int64_t retry_after_ms; /* from Retry-After, -1 when none */
	bool unsent;            /* NET_TRANSPORT: it failed before the server had it
				   (name lookup, connect, TLS handshake) */
	char message[512];      /* one line for a person, request id included */
};

/* What a handle needs to know; strings are copied. */
struct http_conf {
	const char *bearer; /* NULL: no Authorization header */
	const char *ca_file;
	bool insecure;
	long connect_timeout_s; /* 0: 10 s */
	long timeout_s;         /* API calls; 0: 30 s. Transfers have none ... */
	long stall_s;           /* ... but fail under 1 KiB/s for this long; 0: HTTP_STALL_S */
};

#define HTTP_CONNECT_TIMEOUT_S 10L
#define HTTP_TIMEOUT_S         30L

/* A transfer's stall window. The silence before a download's first byte
 * and after an upload's last does not count (see net.md). */
#define HTTP_STALL_S 60L

struct http;

/* The answer to a JSON request. Caller frees body with http_resp_clear. */
struct http_resp {
	long status;
	char *body; /* NUL-terminated, len bytes; NULL when empty */
	size_t len;
	char request_id[128];
	char etag[128];
	char allow[64];         /* a 405's Allow header, "" when none */
	int64_t retry_after_ms; /* -1 when absent */
};

/* curl_global_init: once, before any thread. Returns -1 when libcurl cannot start. */
int http_global_init(void);
void http_global_cleanup(void);

struct http *http_new(const struct http_conf *conf);
void http_free(struct http **h);

void http_resp_clear(struct http_resp *r);

/* A request, as the api layer builds it. */
struct http_req {
	const char *method;
	const char *url;
	const char *json;          /* request body, or NULL */
	const char *idem_key;      /* Idempotency-Key, or NULL */
	const char *if_none_match; /* an ETag, or NULL */
	const atomic_bool *cancel; /* may be NULL */
	long timeout_s;            /* 0: the handle's */
};

/*
 * Sends req and reads the whole answer (at most HTTP_BODY_MAX bytes) into
 * out. Returns 0 when an answer came (any status: the caller decides), or
 * -1 with err filled (NET_TRANSPORT, NET_DECODE for an oversized body,
 * NET_CANCELLED).
 */
int http_do(struct http *h, const struct http_req *req, struct http_resp *out,
	    struct net_error *err);

/* Progress of a transfer: done and total bytes (total -1 when unknown). */
typedef void (*http_progress_fn)(void *arg, int64_t done, int64_t total);

/*
 * Streams the body of req's answer to fd, and a copy to tee_fd unless it is
 * -1 (nothing else is kept in memory), when the status is 2xx; otherwise
 * reads the (bounded) error body into out. Once the first byte came, aborts
 * when slower than 1 KiB/s for 60 s ("the transfer stalled"); never before
 * it (a server may build the whole answer first), never on total time.
 * Short writes are retried; a failing write (ENOSPC) ends it with NET_LOCAL.
 */
int http_download(struct http *h, const struct http_req *req, int fd, int tee_fd,
		  http_progress_fn progress, void *arg, struct http_resp *out,
		  struct net_error *err);

/*
 * Sends size bytes read from fd as req's body (application/octet-stream,
 * with Content-Length), then reads the JSON answer into out. The speed floor
 * holds while the body goes up, not while the server works on it after.
 */
int http_upload(struct http *h, const struct http_req *req, int fd, int64_t size,
		http_progress_fn progress, void *arg, struct http_resp *out, struct net_error *err);

/*
 * A batch runs many small GETs at once (at most `parallel` in flight) over
 * libcurl's multi interface, on the calling thread: how the poller fetches
 * the metrics of every visible box without one thread per box.
 */
struct http_batch;

struct http_batch *http_batch_new(const struct http_conf *conf, unsigned parallel);
void http_batch_free(struct http_batch **b);
/*
 * GETs the n urls; out[i] gets each answer (any status) or errs[i] says why
 * none came (kind NET_OK when one did). Returns 0 when every one was
 * answered, -1 when some were not. Caller clears every out[i].
 */
int http_batch_get(struct http_batch *b, const char *const *urls, size_t n, struct http_resp *out,
		   struct net_error *errs, const atomic_bool *cancel);

/*
 * For connections opened outside this file (ws.c's WebSocket): the options
 * every connection to the server has (no signals, User-Agent, connect
 * timeout, http and https only, TCP keepalive, the CA file, --insecure).
 * easy is a CURL *; errbuf (CURL_ERROR_SIZE bytes) gets libcurl's messages.
 */
void http_conn_options(void *easy, const struct http_conf *conf, char *errbuf);
/* h's settings, its strings borrowed from h: to open another connection like h's. */
struct http_conf http_conf_of(const struct http *h);
/*
 * Reads one header line of an answer (n bytes, "Name: value", CRLF or not)
 * into r: X-Request-Id, ETag, Allow and Retry-After; others are ignored.
 */
void http_resp_header(struct http_resp *r, const char *line, size_t n);

/* Fills err from an answer with an error status (NET_STATUS). */
void net_error_from_resp(const struct http_resp *r, struct net_error *err);
/* Sets err to kind with a printf-style message. */
void net_error_set(struct net_error *err, enum net_err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether a retry may help: transport failures, 429, 502, 503, 504. */
bool net_error_retryable(const struct net_error *err);

#endif
