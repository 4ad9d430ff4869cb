/*
 * ws: libcurl opens the connection, ws.c speaks the Upgrade, libwslay frames.
 *
 * Opening: curl_easy_perform with CURLOPT_CONNECT_ONLY connects (through a
 * proxy with a CONNECT tunnel, TLS with ALPN held to http/1.1) and stops.
 * The Upgrade request is written with curl_easy_send and its answer read
 * with curl_easy_recv up to the blank line; bytes read past it are frames
 * already and go to wslay first. A 101 must carry the Sec-WebSocket-Accept
 * of our random key; any other status is read whole (Content-Length,
 * chunked, or to the end, at most ERROR_BODY_MAX) and decoded as every
 * error answer is (net_error_from_resp).
 *
 * Then wslay's event API runs over the same calls, non-blocking: its recv
 * and send callbacks turn CURLE_AGAIN into WSLAY_ERR_WOULDBLOCK, so one
 * ws_service reads until the socket is empty (TLS records buffered inside
 * libcurl included) and writes until it is full. wslay joins fragments,
 * checks the UTF-8 of text messages across them, answers pings and echoes
 * the server's close. What it does not do, ws.c adds: the timers (a ping
 * every ping_ms, the connection dead after silence_ms without a byte), our
 * close held back until the messages queued before it went (wslay sends
 * control frames first), and the words of every failure. Frames read with
 * the 101's head wait in early, where no poll sees them: ws_timeout_ms is 0
 * until ws_service took them.
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include "ws.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <wslay/wslay.h>

#include "model/timeutil.h"
#include "model/xalloc.h"

#define HEAD_MAX       (64u * 1024) /* the answer's status line and headers */
#define ERROR_BODY_MAX (64u * 1024)
#define WS_GUID        "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WAIT_SLICE_MS  100 /* how often a wait in ws_open looks at the cancel flag */

struct ws_header {
	char *name;
	char *value;
};

struct ws {
	CURL *easy;
	curl_socket_t fd;
	char *url; /* for the messages */
	wslay_event_context_ptr ctx;
	struct ws_header *headers; /* the 101 answer's */
	size_t n_headers;
	uint8_t *early; /* frames read with the answer's head */
	size_t early_len, early_off;
	long ping_ms, silence_ms;
	int64_t last_rx_ms, last_ping_ms;
	const atomic_bool *cancel; /* ws_open's */
	ws_message_fn fn;          /* during ws_service */
	void *arg;
	size_t rx_round;          /* bytes read in this ws_service */
	bool more;                /* it stopped at WS_READ_ROUND: bytes may be left (TLS's too) */
	bool eof;                 /* the server closed the TCP connection */
	CURLcode io_rc;           /* a failed curl_easy_recv or curl_easy_send */
	int state;                /* 0 open, 1 closed, -1 failed */
	bool closing;             /* ws_close was called: its frame goes after the queue */
	bool close_queued;        /* ... and now it is wslay's */
	uint16_t close_code;      /* ws_close's status */
	uint16_t status;          /* the server's close status */
	struct net_error failure; /* state -1: what ws_service says again */
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- the handshake ---- */

/* The answer as it is read: head, then body. */
struct answer {
	char *buf;
	size_t len, cap;
	size_t head_len; /* through the blank line; 0 until it came */
	long status;
};

void ws_accept_key(const char *key, char out[WS_ACCEPT_BYTES])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *cat = xasprintf("%s%s", key, WS_GUID);

	if (EVP_Digest(cat, strlen(cat), md, &n, EVP_sha1(), NULL) != 1)
		fatal("ws: SHA-1 failed");
	free(cat);
	EVP_EncodeBlock((unsigned char *)out, md, (int)n);
}

static void new_key(char out[25])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		fatal("ws: no randomness for a Sec-WebSocket-Key");
	EVP_EncodeBlock((unsigned char *)out, b, sizeof(b));
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	const struct ws *w = arg;

	(void)a, (void)b, (void)c, (void)d;
	return w->cancel != NULL && atomic_load(w->cancel);
}

/* Connects (TLS and proxy included) without sending anything. */
static int connect_only(struct ws *w, const struct http_conf *conf, const atomic_bool *cancel,
			struct net_error *err)
{
	CURLcode rc;

	http_conn_options(w->easy, conf, w->errbuf);
	curl_easy_setopt(w->easy, CURLOPT_URL, w->url);
	curl_easy_setopt(w->easy, CURLOPT_CONNECT_ONLY, 1L);
	/* ALPN must not pick HTTP/2: the Upgrade is HTTP/1.1's */
	curl_easy_setopt(w->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* through an HTTP proxy the WebSocket needs a tunnel; without one this does nothing */
	curl_easy_setopt(w->easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
	curl_easy_setopt(w->easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(w->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
	w->cancel = cancel;
	curl_easy_setopt(w->easy, CURLOPT_XFERINFODATA, w);
	rc = curl_easy_perform(w->easy);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		net_error_set(err, NET_CANCELLED, "cancelled");
		return -1;
	}
	if (rc != CURLE_OK) {
		net_error_set(err, NET_TRANSPORT, "GET %s: %s", w->url,
			      w->errbuf[0] != '\0' ? w->errbuf : curl_easy_strerror(rc));
		err->unsent = true; /* nothing of ours went out before the connection was up */
		return -1;
	}
	curl_easy_getinfo(w->easy, CURLINFO_ACTIVESOCKET, &w->fd);
	return 0;
}

/* Waits until the socket is ready for events or deadline passes; cancel is looked at. */
static int wait_fd(struct ws *w, short events, int64_t deadline, const atomic_bool *cancel,
		   struct net_error *err)
{
	for (;;) {
		struct pollfd p = {.fd = w->fd, .events = events};
		int64_t left = deadline - time_mono_ms();
		int r;

		if (cancel != NULL && atomic_load(cancel)) {
			net_error_set(err, NET_CANCELLED, "cancelled");
			return -1;
		}
		if (left <= 0) {
			net_error_set(err, NET_TRANSPORT,
				      "GET %s: no answer to the WebSocket upgrade", w->url);
			return -1;
		}
		r = poll(&p, 1, left < WAIT_SLICE_MS ? (int)left : WAIT_SLICE_MS);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR) {
			net_error_set(err, NET_TRANSPORT, "GET %s: poll: %s", w->url,
				      strerror(errno));
			return -1;
		}
	}
}

/*
 * After a curl_easy_send or curl_easy_recv: 1 to try again once the
 * socket is ready for events, 0 when it went through, -1 with err.
 */
static int io_result(struct ws *w, CURLcode rc, short events, int64_t deadline,
		     const atomic_bool *cancel, struct net_error *err)
{
	if (rc == CURLE_AGAIN)
		return wait_fd(w, events, deadline, cancel, err) < 0 ? -1 : 1;
	if (rc != CURLE_OK) {
		net_error_set(err, NET_TRANSPORT, "GET %s: %s", w->url, curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

static int send_all(struct ws *w, const char *data, size_t n, int64_t deadline,
		    const atomic_bool *cancel, struct net_error *err)
{
	while (n > 0) {
		size_t sent = 0;
		int r = io_result(w, curl_easy_send(w->easy, data, n, &sent), POLLOUT, deadline,
				  cancel, err);

		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		data += sent;
		n -= sent;
	}
	return 0;
}

/* Reads what comes into a (growing it up to cap): bytes read, 0 at the end, -1 with err. */
static long recv_some(struct ws *w, struct answer *a, size_t cap, int64_t deadline,
		      const atomic_bool *cancel, struct net_error *err)
{
	for (;;) {
		size_t got = 0;
		int r;

		if (a->len == cap) {
			net_error_set(err, NET_DECODE,
				      "GET %s: the answer is larger than %zu bytes", w->url, cap);
			return -1;
		}
		if (a->cap - a->len < 4096 && a->cap < cap) {
			a->cap = a->cap == 0 ? 8192 : a->cap * 2;
			a->cap = a->cap > cap ? cap : a->cap;
			a->buf = xrealloc(a->buf, a->cap + 1);
		}
		r = io_result(w, curl_easy_recv(w->easy, a->buf + a->len, a->cap - a->len, &got),
			      POLLIN, deadline, cancel, err);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		a->len += got;
		a->buf[a->len] = '\0';
		return (long)got;
	}
}

/* The request line and headers of the Upgrade. Caller frees. */
static char *upgrade_request(struct ws *w, const struct http_conf *conf, const char *key,
			     const char *const *extra, struct net_error *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	char *req = NULL, *more = xstrdup("");

	if (u == NULL)
		fatal("ws: out of memory");
	if (curl_url_set(u, CURLUPART_URL, w->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		net_error_set(err, NET_LOCAL, "%s: not a URL boxtop can open", w->url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		char *next = xasprintf("%s%s\r\n", more, extra[i]);

		free(more);
		more = next;
	}
	if (conf->bearer != NULL) {
		char *next = xasprintf("%sAuthorization: Bearer %s\r\n", more, conf->bearer);

		explicit_bzero(more, strlen(more));
		free(more);
		more = next;
	}
	req = xasprintf("GET %s%s%s HTTP/1.1\r\nHost: %s%s%s\r\nUser-Agent: boxtop/" BOXTOP_VERSION
			"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
			"%s\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
			path, query != NULL ? "?" : "", query != NULL ? query : "", host,
			port != NULL ? ":" : "", port != NULL ? port : "", key, more);
out:
	explicit_bzero(more, strlen(more));
	free(more);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return req;
}

/* Whether a header line holds a CR or LF of its own: it would smuggle another header in. */
static bool bad_line(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

static int check_lines(const struct ws *w, const struct http_conf *conf, const char *const *extra,
		       struct net_error *err)
{
	bool bad = bad_line(conf->bearer);

	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		bad = bad || bad_line(extra[i]);
	if (bad)
		net_error_set(err, NET_LOCAL, "GET %s: a header holds a line break", w->url);
	return bad ? -1 : 0;
}

/* Reads up to the end of the head; parses the status. */
static int read_head(struct ws *w, struct answer *a, int64_t deadline, const atomic_bool *cancel,
		     struct net_error *err)
{
	char *end = NULL;

	while (end == NULL) {
		long got = recv_some(w, a, HEAD_MAX, deadline, cancel, err);

		if (got < 0)
			return -1;
		if (got == 0) {
			net_error_set(err, NET_TRANSPORT,
				      "GET %s: the server closed the connection without an answer",
				      w->url);
			return -1;
		}
		end = strstr(a->buf, "\r\n\r\n");
	}
	a->head_len = (size_t)(end - a->buf) + 4;
	if (sscanf(a->buf, "HTTP/1.%*[01] %3ld", &a->status) != 1) {
		net_error_set(err, NET_TRANSPORT, "GET %s: not an HTTP/1.1 answer", w->url);
		return -1;
	}
	return 0;
}

/* Splits the head's header lines (after the status line) into w->headers. */
static void keep_headers(struct ws *w, struct answer *a)
{
	char *line = strstr(a->buf, "\r\n") + 2;
	char *end = a->buf + a->head_len - 2;

	while (line < end) {
		char *eol = strstr(line, "\r\n");
		char *colon = memchr(line, ':', (size_t)(eol - line));

		if (colon != NULL) { /* a line without one is skipped */
			char *v = colon + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			w->headers =
				xreallocarray(w->headers, w->n_headers + 1, sizeof(*w->headers));
			w->headers[w->n_headers++] =
				(struct ws_header){xstrndup(line, (size_t)(colon - line)),
						   xstrndup(v, (size_t)(eol - v))};
		}
		line = eol + 2;
	}
}

const char *ws_header(const struct ws *w, const char *name)
{
	for (size_t i = 0; i < w->n_headers; i++)
		if (strcasecmp(w->headers[i].name, name) == 0)
			return w->headers[i].value;
	return NULL;
}

/*
 * A chunked body (n bytes of body) decoded into out (n bytes at least),
 * from its start on every call, so body is never changed: 1 when the last
 * chunk came, 0 while more is needed, -1 when it is not chunked. *len is
 * what was decoded so far.
 */
static int dechunk(const char *body, size_t n, char *out, size_t *len)
{
	size_t in = 0;

	*len = 0;
	for (;;) {
		const char *eol = memmem(body + in, n - in, "\r\n", 2);
		char *end;
		unsigned long size;

		if (eol == NULL)
			return 0;
		size = strtoul(body + in, &end, 16);
		if (end == body + in)
			return -1;
		in = (size_t)(eol - body) + 2;
		if (size == 0)
			return 1;
		if (size > n - in || n - in - size < 2) /* no overflow for a huge size */
			return 0;
		memcpy(out + *len, body + in, size);
		*len += size;
		in += size + 2;
	}
}

/* Reads the body of an answer that refused the upgrade, as far as its headers say it goes. */
static int read_body(struct ws *w, struct answer *a, struct http_resp *r, int64_t deadline,
		     const atomic_bool *cancel, struct net_error *err)
{
	const char *cl = ws_header(w, "Content-Length");
	const char *te = ws_header(w, "Transfer-Encoding");
	bool chunked = te != NULL && strcasestr(te, "chunked") != NULL;
	size_t want = cl != NULL ? strtoul(cl, NULL, 10) : SIZE_MAX;
	size_t cap = HEAD_MAX + ERROR_BODY_MAX;
	char *plain = NULL; /* the chunked body decoded */
	size_t len = 0;

	for (;;) {
		size_t have = a->len - a->head_len;
		int d = 0;
		long got;

		if (chunked) {
			plain = xrealloc(plain, have + 1);
			d = dechunk(a->buf + a->head_len, have, plain, &len);
			if (d < 0)
				chunked = false; /* read it as it comes, to the end */
		}
		if (d > 0)
			break;
		if (!chunked && have >= want) {
			len = want;
			break;
		}
		got = recv_some(w, a, cap, deadline, cancel, err);
		if (got < 0 && err->kind == NET_DECODE)
			got = 0; /* a long error body: its start is enough */
		if (got < 0) {
			free(plain);
			return -1;
		}
		if (got == 0) {
			len = chunked ? len : have;
			break;
		}
	}
	if (!chunked) {
		free(plain);
		plain = xmemdup(a->buf + a->head_len, len + 1);
	}
	plain[len] = '\0';
	r->body = plain;
	r->len = len;
	return 0;
}

/* A refusal (any status but 101) as the error every other answer gives. */
static int refused(struct ws *w, struct answer *a, int64_t deadline, const atomic_bool *cancel,
		   struct net_error *err)
{
	struct http_resp r = {.status = a->status, .retry_after_ms = -1};

	if (a->status >= 200 && a->status != 204 && a->status != 304 &&
	    read_body(w, a, &r, deadline, cancel, err) < 0)
		return -1;
	for (size_t i = 0; i < w->n_headers; i++) {
		char *line = xasprintf("%s: %s", w->headers[i].name, w->headers[i].value);

		http_resp_header(&r, line, strlen(line));
		free(line);
	}
	net_error_from_resp(&r, err);
	http_resp_clear(&r);
	return -1;
}

/* Whether the comma-separated header value list holds token (case-insensitive). */
bool ws_has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	while (list != NULL && *list != '\0') {
		list += strspn(list, " \t,");
		if (strncasecmp(list, token, n) == 0 && strchr(" \t,", list[n]) != NULL)
			return true;
		list += strcspn(list, ",");
	}
	return false;
}

/* A 101: is it the WebSocket we asked for? */
static int accepted(struct ws *w, const char *key, struct net_error *err)
{
	char want[WS_ACCEPT_BYTES];
	const char *got = ws_header(w, "Sec-WebSocket-Accept");
	const char *why = NULL;

	ws_accept_key(key, want);
	if (!ws_has_token(ws_header(w, "Upgrade"), "websocket"))
		why = "no Upgrade: websocket";
	else if (!ws_has_token(ws_header(w, "Connection"), "upgrade"))
		why = "no Connection: upgrade";
	else if (got == NULL || strcmp(got, want) != 0)
		why = "a wrong Sec-WebSocket-Accept";
	if (why != NULL)
		net_error_set(err, NET_TRANSPORT, "GET %s: not a WebSocket: the answer has %s",
			      w->url, why);
	return why != NULL ? -1 : 0;
}

/* The handshake on a connected socket: 0 with the 101's headers kept, or -1 with err. */
static int handshake(struct ws *w, const struct http_conf *conf, const struct ws_opts *o,
		     struct net_error *err)
{
	long timeout_s = conf->timeout_s > 0 ? conf->timeout_s : HTTP_TIMEOUT_S;
	int64_t deadline = time_mono_ms() + timeout_s * 1000;
	struct answer a = {0};
	char key[25];
	char *req = NULL;
	int rc = -1;

	new_key(key);
	if (check_lines(w, conf, o->headers, err) < 0)
		goto out;
	req = upgrade_request(w, conf, key, o->headers, err);
	if (req == NULL || send_all(w, req, strlen(req), deadline, o->cancel, err) < 0 ||
	    read_head(w, &a, deadline, o->cancel, err) < 0)
		goto out;
	keep_headers(w, &a);
	if (a.status != 101) {
		refused(w, &a, deadline, o->cancel, err);
		goto out;
	}
	if (accepted(w, key, err) < 0)
		goto out;
	if (a.len > a.head_len) {
		w->early_len = a.len - a.head_len;
		w->early = xmemdup(a.buf + a.head_len, w->early_len);
	}
	rc = 0;
out:
	if (req != NULL) {
		explicit_bzero(req, strlen(req));
		free(req);
	}
	free(a.buf);
	return rc;
}

/* ---- framing: wslay's callbacks over libcurl ---- */

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *arg)
{
	struct ws *w = arg;
	size_t got = 0;
	CURLcode rc;

	(void)flags;
	if (w->early_off < w->early_len) {
		got = w->early_len - w->early_off < len ? w->early_len - w->early_off : len;
		memcpy(buf, w->early + w->early_off, got);
		w->early_off += got;
		return (ssize_t)got;
	}
	/*
	 * A server that never stops sending would keep wslay reading forever
	 * and nothing of ours (stdin, a Ctrl-C, a pong) would go out: a round
	 * reads at most WS_READ_ROUND, then the caller's poll comes back at once.
	 */
	if (w->rx_round >= WS_READ_ROUND) {
		w->more = true;
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	rc = curl_easy_recv(w->easy, buf, len, &got);
	if (rc == CURLE_AGAIN) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (rc != CURLE_OK || got == 0) {
		w->io_rc = rc;
		w->eof = rc == CURLE_OK;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	w->last_rx_ms = time_mono_ms();
	w->rx_round += got;
	return (ssize_t)got;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
		       void *arg)
{
	struct ws *w = arg;
	size_t sent = 0;
	CURLcode rc = curl_easy_send(w->easy, data, len, &sent);

	(void)flags;
	if (rc == CURLE_AGAIN) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (rc != CURLE_OK) {
		w->io_rc = rc;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)sent;
}

static int on_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *arg)
{
	(void)ctx, (void)arg;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *m,
		   void *arg)
{
	struct ws *w = arg;

	(void)ctx;
	if (w->fn == NULL)
		return;
	if (m->opcode == WSLAY_TEXT_FRAME)
		w->fn(w->arg, WS_TEXT, m->msg, m->msg_length);
	else if (m->opcode == WSLAY_BINARY_FRAME)
		w->fn(w->arg, WS_BINARY, m->msg, m->msg_length);
}

static void framing(struct ws *w)
{
	static const struct wslay_event_callbacks cb = {
		.recv_callback = on_recv,
		.send_callback = on_send,
		.genmask_callback = on_genmask,
		.on_msg_recv_callback = on_msg,
	};

	if (wslay_event_context_client_init(&w->ctx, &cb, w) != 0)
		fatal("ws: out of memory");
	wslay_event_config_set_max_recv_msg_length(w->ctx, WS_MESSAGE_MAX);
	w->last_rx_ms = w->last_ping_ms = time_mono_ms();
}

struct ws *ws_open(const char *url, const struct http_conf *conf, const struct ws_opts *opts,
		   struct net_error *err)
{
	static const struct ws_opts none = {0};
	const struct ws_opts *o = opts != NULL ? opts : &none;
	struct ws *w = xcalloc(1, sizeof(*w));

	w->easy = curl_easy_init();
	if (w->easy == NULL)
		fatal("ws: curl_easy_init failed");
	w->url = xstrdup(url);
	w->fd = CURL_SOCKET_BAD;
	w->ping_ms = o->ping_ms > 0 ? o->ping_ms : WS_PING_MS;
	w->silence_ms = o->silence_ms > 0 ? o->silence_ms : WS_SILENCE_MS;
	if (connect_only(w, conf, o->cancel, err) < 0 || handshake(w, conf, o, err) < 0) {
		ws_free(&w);
		return NULL;
	}
	framing(w);
	return w;
}

void ws_free(struct ws **w)
{
	if (w == NULL || *w == NULL)
		return;
	if ((*w)->ctx != NULL)
		wslay_event_context_free((*w)->ctx);
	curl_easy_cleanup((*w)->easy);
	for (size_t i = 0; i < (*w)->n_headers; i++) {
		free((*w)->headers[i].name);
		free((*w)->headers[i].value);
	}
	free((*w)->headers);
	free((*w)->early);
	free((*w)->url);
	free(*w);
	*w = NULL;
}

int ws_fd(const struct ws *w)
{
	return (int)w->fd;
}

bool ws_wants_write(const struct ws *w)
{
	return w->state == 0 &&
	       (wslay_event_want_write(w->ctx) || (w->closing && !w->close_queued));
}

size_t ws_queued(const struct ws *w)
{
	return wslay_event_get_queued_msg_length(w->ctx);
}

int ws_timeout_ms(const struct ws *w)
{
	int64_t now = time_mono_ms();
	int64_t ping = w->last_ping_ms + w->ping_ms - now;
	int64_t dead = w->last_rx_ms + w->silence_ms - now;
	int64_t t = ping < dead ? ping : dead;

	/*
	 * Frames that came with the 101's head wait in early, and a round that
	 * stopped at its limit may have left bytes inside libcurl's TLS: the
	 * socket would not wake the poll for either.
	 */
	if (w->state != 0 || w->early_off < w->early_len || w->more)
		return 0;
	return t < 0 ? 0 : (int)t;
}

uint16_t ws_close_status(const struct ws *w)
{
	return w->status;
}

/* Ends the connection with err (kept for later calls). */
static int fail(struct ws *w, struct net_error *err)
{
	w->state = -1;
	w->failure = *err;
	return -1;
}

/* wslay gave up reading or writing: why, in words. */
static int broken(struct ws *w, struct net_error *err)
{
	if (w->eof)
		net_error_set(err, NET_TRANSPORT,
			      "%s: the server closed the connection without a WebSocket close",
			      w->url);
	else if (w->io_rc != CURLE_OK)
		net_error_set(err, NET_TRANSPORT, "%s: %s", w->url, curl_easy_strerror(w->io_rc));
	else
		net_error_set(err, NET_TRANSPORT,
			      "%s: the server broke the WebSocket protocol (boxtop closed with "
			      "status %u)",
			      w->url, (unsigned)wslay_event_get_status_code_sent(w->ctx));
	return fail(w, err);
}

/* The timers: a ping when one is due; the connection dead after the silence. */
static int keep_alive(struct ws *w, struct net_error *err)
{
	int64_t now = time_mono_ms();
	struct wslay_event_msg ping = {.opcode = WSLAY_PING};

	if (now - w->last_rx_ms >= w->silence_ms) {
		net_error_set(err, NET_TRANSPORT, "%s: no answer from the server for %.3g s",
			      w->url, (double)w->silence_ms / 1000);
		return fail(w, err);
	}
	if (now - w->last_ping_ms >= w->ping_ms) {
		w->last_ping_ms = now;
		wslay_event_queue_msg(w->ctx, &ping); /* refused only once closing: fine */
	}
	return 0;
}

/*
 * Sends what the socket takes; ws_close's frame once everything queued
 * before it went: wslay sends control frames first, so a close queued at
 * once would overtake the messages and end the connection without them.
 */
static int flush(struct ws *w)
{
	if (wslay_event_send(w->ctx) != 0)
		return -1;
	if (!w->closing || w->close_queued || wslay_event_get_queued_msg_count(w->ctx) > 0)
		return 0;
	w->close_queued = true;
	/* refused only when wslay queued a close of its own (a protocol error): that one goes */
	wslay_event_queue_close(w->ctx, w->close_code, NULL, 0);
	return wslay_event_send(w->ctx) != 0 ? -1 : 0;
}

int ws_service(struct ws *w, ws_message_fn fn, void *arg, struct net_error *err)
{
	int rc;

	if (w->state < 0)
		*err = w->failure;
	if (w->state != 0)
		return w->state;
	w->fn = fn;
	w->arg = arg;
	w->rx_round = 0;
	w->more = false;
	rc = wslay_event_want_read(w->ctx) ? wslay_event_recv(w->ctx) : 0;
	w->fn = NULL;
	if (rc != 0)
		return broken(w, err);
	if (wslay_event_get_close_received(w->ctx)) {
		/* wslay queued the answering close: send it if the socket takes it */
		wslay_event_send(w->ctx);
		w->status = wslay_event_get_status_code_received(w->ctx);
		w->state = 1;
		return 1;
	}
	if (keep_alive(w, err) < 0)
		return -1;
	if (flush(w) < 0 || w->io_rc != CURLE_OK)
		return broken(w, err);
	if (!wslay_event_want_read(w->ctx))
		return broken(w, err); /* wslay failed the connection: a protocol error */
	return 0;
}

static int queue(struct ws *w, uint8_t opcode, const void *data, size_t len)
{
	struct wslay_event_msg m = {.opcode = opcode, .msg = data, .msg_length = len};

	if (w->state != 0 || w->closing)
		return -1;
	return wslay_event_queue_msg(w->ctx, &m) == 0 ? 0 : -1;
}

int ws_send_binary(struct ws *w, const void *data, size_t len)
{
	return queue(w, WSLAY_BINARY_FRAME, data, len);
}

int ws_send_text(struct ws *w, const char *text, size_t len)
{
	return queue(w, WSLAY_TEXT_FRAME, text, len);
}

int ws_close(struct ws *w, uint16_t status)
{
	if (w->state != 0 || w->closing || !wslay_event_get_write_enabled(w->ctx))
		return -1;
	w->closing = true;
	w->close_code = status;
	flush(w); /* a failure is ws_service's to say (io_rc) */
	return 0;
}
