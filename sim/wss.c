/*
 * wss: one WebSocket session per upgraded connection, each on a thread of
 * its own that polls two descriptors: the socket (MHD hands it over after
 * the 101; it is made non-blocking here) and an eventfd that wss_wake
 * writes when the owner has output. libwslay does the framing through the
 * recv and send callbacks below; bytes MHD read past the handshake
 * (extra_in) are fed to wslay before the socket's.
 *
 * A session ends when the close handshake is done, the peer goes away or
 * errs, is silent for WSS_SILENT_MS, does not answer our close within
 * WSS_CLOSE_WAIT, or wss_stop_all says so. Then the owner's on_end runs and
 * MHD is told to close the socket.
 */
#define _GNU_SOURCE
#include "wss.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wslay/wslay.h>

#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/ws.h"

struct wss {
	int fd;
	int wake;
	wslay_event_context_ptr ctx;
	struct MHD_UpgradeResponseHandle *urh;
	char *extra; /* bytes read with the handshake, fed first */
	size_t extra_len, extra_off;
	const struct wss_ops *ops;
	void *arg;
	int64_t last_rx, next_ping, close_by;
	bool close_wanted; /* wss_close: the close goes once the messages before it are out */
	uint16_t close_code;
	char close_reason[124];
	struct wss *next; /* the list of live sessions */
};

/* What wss_upgrade hands to MHD's upgrade callback. */
struct pending_upgrade {
	const struct wss_ops *ops;
	void *arg;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t gone;
	struct wss *live;
	size_t n;
	atomic_bool stopping;
} all = {.lock = PTHREAD_MUTEX_INITIALIZER, .gone = PTHREAD_COND_INITIALIZER};

bool wss_handshake_ok(struct MHD_Connection *conn, const char *method, const char **why)
{
	const char *up = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Upgrade");
	const char *co = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Connection");
	const char *ver =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Version");
	const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");

	*why = NULL;
	if (strcmp(method, "GET") != 0)
		*why = "Request method must be `GET`";
	else if (!ws_has_token(co, "upgrade"))
		*why = "Connection header did not include 'upgrade'";
	else if (up == NULL || strcasecmp(up, "websocket") != 0)
		*why = "`Upgrade` header did not include 'websocket'";
	else if (ver == NULL || strcmp(ver, "13") != 0)
		*why = "`Sec-WebSocket-Version` header did not include '13'";
	else if (key == NULL || key[0] == '\0' || strlen(key) > 64)
		*why = "`Sec-WebSocket-Key` header missing";
	return *why == NULL;
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
	struct wss *ws = user;
	ssize_t r;

	(void)flags;
	if (ws->extra_off < ws->extra_len) {
		size_t n = ws->extra_len - ws->extra_off;

		n = n < len ? n : len;
		memcpy(buf, ws->extra + ws->extra_off, n);
		ws->extra_off += n;
		return (ssize_t)n;
	}
	/* wslay reads until told to stop: a full owner stops it between frames, not after many */
	if (ws->ops->rx_full != NULL && ws->ops->rx_full(ws->arg)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	do
		r = recv(ws->fd, buf, len, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (r <= 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	ws->last_rx = time_mono_ms();
	return r;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
		       void *user)
{
	struct wss *ws = user;
	int f = MSG_NOSIGNAL | ((flags & WSLAY_MSG_MORE) != 0 ? MSG_MORE : 0);
	ssize_t r;

	do
		r = send(ws->fd, data, len, f);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (r < 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return r;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a,
		   void *user)
{
	struct wss *ws = user;

	(void)ctx;
	if (a->opcode == WSLAY_TEXT_FRAME || a->opcode == WSLAY_BINARY_FRAME)
		ws->ops->on_msg(ws->arg, ws, a->opcode == WSLAY_BINARY_FRAME, a->msg,
				a->msg_length);
}

int wss_send(struct wss *ws, bool binary, const void *data, size_t len)
{
	struct wslay_event_msg m = {
		.opcode = binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME,
		.msg = data,
		.msg_length = len,
	};

	if (ws->close_wanted)
		return -1;
	return wslay_event_queue_msg(ws->ctx, &m) == 0 ? 0 : -1;
}

void wss_close(struct wss *ws, uint16_t code, const char *reason)
{
	ws->close_wanted = true;
	ws->close_code = code;
	snprintf(ws->close_reason, sizeof(ws->close_reason), "%s", reason != NULL ? reason : "");
}

/*
 * wslay sends control frames ahead of queued messages, so a close is only
 * queued once those are out; a reason needs a code, and code 0 sends none.
 */
static void close_when_drained(struct wss *ws)
{
	size_t n = ws->close_code != 0 ? strlen(ws->close_reason) : 0;

	if (!ws->close_wanted || wslay_event_want_write(ws->ctx))
		return;
	ws->close_wanted = false;
	wslay_event_queue_close(ws->ctx, ws->close_code,
				n != 0 ? (const uint8_t *)ws->close_reason : NULL, n);
}

size_t wss_queued(struct wss *ws)
{
	return wslay_event_get_queued_msg_count(ws->ctx);
}

void wss_wake(struct wss *ws)
{
	uint64_t one = 1;
	ssize_t r = write(ws->wake, &one, sizeof(one));

	(void)r; /* a full counter is already a wake-up */
}

static void drain_wake(struct wss *ws)
{
	uint64_t v;
	ssize_t r = read(ws->wake, &v, sizeof(v));

	(void)r;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* One round of the session: false when it is over. */
static bool step(struct wss *ws)
{
	wslay_event_context_ptr ctx = ws->ctx;
	int64_t now = time_mono_ms();
	int64_t until;
	bool full;
	struct pollfd p[2];
	size_t queued;
	bool room;

	if (!ws->close_wanted && !wslay_event_get_close_sent(ctx))
		ws->ops->pump(ws->arg, ws);
	queued = wslay_event_get_queued_msg_count(ctx);
	if (wslay_event_want_write(ctx) && wslay_event_send(ctx) != 0)
		return false;
	/* frames went out: the pump (which stopped at a full queue) must run again before a sleep
	 */
	room = wslay_event_get_queued_msg_count(ctx) < queued;
	close_when_drained(ws);
	if (wslay_event_want_write(ctx) && wslay_event_send(ctx) != 0)
		return false;
	if (!wslay_event_want_read(ctx) && !wslay_event_want_write(ctx))
		return false;
	if (wslay_event_get_close_sent(ctx) && ws->close_by == 0)
		ws->close_by = now + WSS_CLOSE_WAIT;
	if ((ws->close_by != 0 && now >= ws->close_by) || now - ws->last_rx >= WSS_SILENT_MS)
		return false;
	if (now >= ws->next_ping && !wslay_event_get_close_sent(ctx)) {
		struct wslay_event_msg ping = {.opcode = WSLAY_PING, .msg = NULL, .msg_length = 0};

		wslay_event_queue_msg(ctx, &ping);
		ws->next_ping = now + WSS_PING_MS;
		return true;
	}
	full = ws->ops->rx_full(ws->arg);
	if (full)
		ws->last_rx = now; /* the peer is not silent: we are not listening */
	p[0] = (struct pollfd){.fd = ws->fd};
	if (wslay_event_want_read(ctx) && !full)
		p[0].events |= POLLIN;
	if (wslay_event_want_write(ctx))
		p[0].events |= POLLOUT;
	p[1] = (struct pollfd){.fd = ws->wake, .events = POLLIN};
	until = earliest(ws->next_ping, ws->last_rx + WSS_SILENT_MS);
	if (ws->close_by != 0)
		until = earliest(until, ws->close_by);
	if (full)
		until = earliest(until, now + 50);
	if (room)
		until = now;
	if (poll(p, 2, (int)(until > now ? until - now : 0)) < 0 && errno != EINTR)
		return false;
	if ((p[1].revents & POLLIN) != 0)
		drain_wake(ws);
	if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && wslay_event_want_read(ctx))
		return wslay_event_recv(ctx) == 0;
	return true;
}

static void list_remove(struct wss *ws)
{
	pthread_mutex_lock(&all.lock);
	for (struct wss **p = &all.live; *p != NULL; p = &(*p)->next) {
		if (*p == ws) {
			*p = ws->next;
			break;
		}
	}
	all.n--;
	pthread_cond_broadcast(&all.gone);
	pthread_mutex_unlock(&all.lock);
}

static void *session_main(void *p)
{
	struct wss *ws = p;

	while (!atomic_load(&all.stopping) && step(ws))
		;
	ws->ops->on_end(ws->arg, ws);
	wslay_event_context_free(ws->ctx);
	close(ws->wake);
	MHD_upgrade_action(ws->urh, MHD_UPGRADE_ACTION_CLOSE);
	free(ws->extra);
	list_remove(ws);
	free(ws);
	return NULL;
}

static struct wss *session_new(const struct pending_upgrade *pu, const char *extra, size_t n,
			       MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	static const struct wslay_event_callbacks cb = {
		.recv_callback = on_recv, .send_callback = on_send, .on_msg_recv_callback = on_msg};
	struct wss *ws = xcalloc(1, sizeof(*ws));
	int64_t now = time_mono_ms();

	ws->fd = sock;
	ws->urh = urh;
	ws->ops = pu->ops;
	ws->arg = pu->arg;
	ws->last_rx = now;
	ws->next_ping = now + WSS_PING_MS;
	if (n != 0) {
		ws->extra = xmalloc(n);
		memcpy(ws->extra, extra, n);
		ws->extra_len = n;
	}
	ws->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ws->wake < 0 || wslay_event_context_server_init(&ws->ctx, &cb, ws) != 0)
		fatal("wss: out of resources");
	wslay_event_config_set_max_recv_msg_length(ws->ctx, WSS_MAX_MSG);
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
	return ws;
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra,
		       size_t n, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	struct pending_upgrade *pu = cls;
	struct wss *ws = session_new(pu, extra, n, sock, urh);
	pthread_attr_t attr;
	pthread_t t;

	(void)conn;
	(void)con_cls;
	free(pu);
	pthread_mutex_lock(&all.lock);
	ws->next = all.live;
	all.live = ws;
	all.n++;
	pthread_mutex_unlock(&all.lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, session_main, ws) != 0)
		session_main(ws);
	pthread_attr_destroy(&attr);
}

enum MHD_Result wss_upgrade(struct MHD_Connection *conn, const char *request_id, const char *hname,
			    const char *hval, const struct wss_ops *ops, void *arg)
{
	const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");
	struct pending_upgrade *pu = xcalloc(1, sizeof(*pu));
	struct MHD_Response *r;
	enum MHD_Result ret = MHD_NO;
	char acc[WS_ACCEPT_BYTES] = "";

	pu->ops = ops;
	pu->arg = arg;
	if (key != NULL)
		ws_accept_key(key, acc);
	r = atomic_load(&all.stopping) ? NULL : MHD_create_response_for_upgrade(on_upgrade, pu);
	if (r != NULL) {
		MHD_add_response_header(r, "Upgrade", "websocket");
		MHD_add_response_header(r, "Sec-WebSocket-Accept", acc);
		MHD_add_response_header(r, "X-Request-Id", request_id);
		if (hname != NULL)
			MHD_add_response_header(r, hname, hval);
		ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
		MHD_destroy_response(r);
	}
	if (ret != MHD_YES) {
		free(pu);
		ops->on_end(arg, NULL);
	}
	return ret;
}

void wss_stop_all(void)
{
	pthread_mutex_lock(&all.lock);
	atomic_store(&all.stopping, true);
	for (struct wss *ws = all.live; ws != NULL; ws = ws->next)
		wss_wake(ws);
	while (all.n != 0)
		pthread_cond_wait(&all.gone, &all.lock);
	pthread_mutex_unlock(&all.lock);
}
