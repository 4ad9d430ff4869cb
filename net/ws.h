/*
 * ws: one WebSocket client connection (RFC 6455), for exec and attach.
 *
 * Debian 12's libcurl (7.88) has no WebSocket support, so libcurl only
 * opens the connection (CURLOPT_CONNECT_ONLY on the http(s) URL: TLS, the
 * CA file, --insecure and proxies work as for every other request), ws.c
 * writes the HTTP/1.1 Upgrade itself and checks the answer, and libwslay
 * does the framing. A struct ws belongs to one thread and starts no thread
 * of its own: the caller polls ws_fd (for writing too while
 * ws_wants_write), at most ws_timeout_ms, and calls ws_service after every
 * wake-up. That suits a thread that does nothing else and a command's
 * main loop that also polls its stdin alike.
 *
 * Liveness: a ping goes out every WS_PING_MS; when nothing at all came
 * from the server for WS_SILENCE_MS (its pongs and pings count) the
 * connection is taken for dead and ws_service fails. Both times are
 * settable (ws_opts) for tests.
 */
#ifndef BOXTOP_NET_WS_H
#define BOXTOP_NET_WS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define WS_PING_MS    15000L
#define WS_SILENCE_MS 45000L
#define WS_MESSAGE_MAX                                                                             \
	(16u * 1024 * 1024)           /* a longer message from the server fails the connection */
#define WS_NO_STATUS    1005          /* a close frame that carried no status */
#define WS_READ_ROUND   (256u * 1024) /* one ws_service reads at most this: ours go out too */
#define WS_ACCEPT_BYTES 29            /* a Sec-WebSocket-Accept value and its NUL */

struct ws;

enum ws_type {
	WS_TEXT,
	WS_BINARY,
};

/* One whole message from the server (fragments joined); data is valid during the call. */
typedef void (*ws_message_fn)(void *arg, enum ws_type type, const uint8_t *data, size_t len);

struct ws_opts {
	const char *const
		*headers;          /* extra request lines "Name: value", NULL-terminated; or NULL */
	const atomic_bool *cancel; /* ends ws_open early (NET_CANCELLED); may be NULL */
	long ping_ms;              /* 0: WS_PING_MS */
	long silence_ms;           /* 0: WS_SILENCE_MS */
};

/*
 * Connects to url (http:// or https://, the path and query of the
 * WebSocket) with conf's TLS settings and bearer, sends the Upgrade and
 * waits for the answer (conf's timeout_s, default 30 s). Returns the open
 * connection (free with ws_free), or NULL with err: NET_TRANSPORT (no
 * answer, or not a WebSocket: a 101 with a wrong Sec-WebSocket-Accept),
 * NET_STATUS when the server answered anything but 101 (its error body
 * decoded as every other answer's: "invalid state (409): another client is
 * attached"), NET_CANCELLED. opts may be NULL.
 */
struct ws *ws_open(const char *url, const struct http_conf *conf, const struct ws_opts *opts,
		   struct net_error *err);
/* Closes the connection at once (no closing handshake) and frees *w; NULL is fine. */
void ws_free(struct ws **w);

/* A header of the 101 answer (name case-insensitive), or NULL: valid until ws_free. */
const char *ws_header(const struct ws *w, const char *name);

/* The socket to poll for reading, always. */
int ws_fd(const struct ws *w);
/* Whether to poll it for writing too: frames are waiting for room in the socket. */
bool ws_wants_write(const struct ws *w);
/* The longest a poll may wait before ws_service must run (a ping, the silence), in ms. */
int ws_timeout_ms(const struct ws *w);
/* Bytes queued and not yet sent: a caller feeding a fast source stops reading above a bound. */
size_t ws_queued(const struct ws *w);

/*
 * Reads what the socket has (each whole message goes to fn with arg, in
 * order), writes what it takes, and keeps the timers. Never blocks.
 * Returns 0 while the connection is open, 1 once it closed with a close
 * frame from the server (ws_close_status says its status), -1 with err
 * when it failed: NET_TRANSPORT for a connection lost without a close
 * frame, a silent server ("no answer from the server for 45 s") and a
 * server that broke the protocol. After 1 or -1 it returns the same again.
 */
int ws_service(struct ws *w, ws_message_fn fn, void *arg, struct net_error *err);

/*
 * Queue a message (copied) for ws_service to send. -1 once ws_close was
 * called, a close was sent or received, or the connection failed.
 */
int ws_send_binary(struct ws *w, const void *data, size_t len);
int ws_send_text(struct ws *w, const char *text, size_t len);
/*
 * Queues a close frame with status (0: none), to go after the messages
 * queued before it, and sends what it can; -1 when called twice or once
 * the connection ended. Keep
 * calling ws_service until it returns 1 (the server's answering close) or
 * -1 (the server let the silence run out) for a clean end, or ws_free now.
 */
int ws_close(struct ws *w, uint16_t status);
/* The status of the server's close frame: WS_NO_STATUS when it had none; 0 before one came. */
uint16_t ws_close_status(const struct ws *w);

/* Whether the comma-separated header value list holds token (case-insensitive); NULL holds none. */
bool ws_has_token(const char *list, const char *token);
/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (for servers: the simulator, tests). */
void ws_accept_key(const char *key, char out[WS_ACCEPT_BYTES]);

#endif
