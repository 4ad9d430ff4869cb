/*
 * wss: the server side of a WebSocket, for the attach routes. A route
 * handler checks the handshake (wss_handshake_ok), then answers with
 * wss_upgrade: MHD sends 101 and hands over the socket, which a thread of
 * the session's own then drives with libwslay (framing, masking, ping
 * answers and the close handshake are wslay's).
 *
 * The session calls back into its owner (struct wss_ops) from that thread
 * only: on_msg for each text or binary message, pump whenever the session
 * is woken (wss_wake, from any thread) or a poll times out, so the owner
 * can queue output, and on_end once when it is over. The session pings
 * every WSS_PING_MS and drops a peer silent for WSS_SILENT_MS.
 *
 * Sessions are counted process-wide: wss_stop_all ends every one and waits
 * for them (the server calls it before it stops MHD, which would otherwise
 * wait for upgraded sockets forever). One server per process.
 */
#ifndef BOXTOP_SIM_WSS_H
#define BOXTOP_SIM_WSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#define WSS_PING_MS    15000
#define WSS_SILENT_MS  45000
#define WSS_MAX_MSG    (64u * 1024) /* a larger client message closes with 1009 */
#define WSS_CLOSE_WAIT 5000         /* after our close, how long the peer's is awaited */

struct wss;

struct wss_ops {
	/* A text (binary false) or binary message from the peer. */
	void (*on_msg)(void *arg, struct wss *ws, bool binary, const uint8_t *data, size_t len);
	/* Queue what there is to send (wss_send, wss_close). */
	void (*pump)(void *arg, struct wss *ws);
	/* Whether reading from the peer should wait (its input has nowhere to go yet). */
	bool (*rx_full)(void *arg);
	/* The session is over: ws is gone once this returns. */
	void (*on_end)(void *arg, struct wss *ws);
};

/*
 * Whether the request is a WebSocket handshake this server accepts (GET,
 * Upgrade: websocket, Connection: upgrade, version 13, a key). When not,
 * why says what is wrong.
 */
bool wss_handshake_ok(struct MHD_Connection *conn, const char *method, const char **why);
/*
 * Answers 101 Switching Protocols with X-Request-Id request_id and, when
 * hname is not NULL, the header hname: hval; then runs the session on a
 * thread of its own, calling ops with arg. When the upgrade fails before
 * the session starts, on_end is called (with a NULL ws) from this thread.
 */
enum MHD_Result wss_upgrade(struct MHD_Connection *conn, const char *request_id, const char *hname,
			    const char *hval, const struct wss_ops *ops, void *arg);

/* Queues a message (from the session thread: on_msg or pump). -1 once closing. */
int wss_send(struct wss *ws, bool binary, const void *data, size_t len);
/*
 * Closes once every message queued before is sent (the pump is not called
 * again): code 0 sends no status (the peer sees 1005).
 */
void wss_close(struct wss *ws, uint16_t code, const char *reason);
/* How many messages wait to be sent: the owner queues more only below a bound. */
size_t wss_queued(struct wss *ws);
/* Wakes the session so it pumps soon; any thread, while the session lives. */
void wss_wake(struct wss *ws);

/* Ends every session and waits until they are gone. */
void wss_stop_all(void);

#endif
