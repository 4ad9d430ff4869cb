/*
 * wspeer: one accepted connection on a thread of its own, blocking I/O
 * bounded by poll and SO_SNDTIMEO. Frames out are built by
 * wslay_frame_send into memory and written as bytes (so they can be cut
 * anywhere); frames in are read by wslay_frame_recv over the socket.
 */
#define _GNU_SOURCE /* strcasestr, memmem */
#include "wspeer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <wslay/wslay.h>

#include "model/xalloc.h"
#include "net/ws.h"

#define REQUEST_MAX (16u * 1024)

struct wspeer {
	const struct wspeer_step *script;
	size_t n_steps;
	int listen_fd, fd;
	char url[64];
	pthread_t thread;
	bool joined;
	char request[REQUEST_MAX + 1];
	uint8_t *in; /* bytes read past the request's head */
	size_t in_len, in_off;
	struct wspeer_msg *msgs;
	size_t n_msgs;
	bool open_msg;   /* a text or binary message waits for more fragments */
	size_t open_idx; /* which */
	bool io_end;     /* the last read got nothing: a hangup or a timeout */
	char error[256];
};

static int failf(struct wspeer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct wspeer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(p->error, sizeof(p->error), fmt, ap);
		va_end(ap);
		fprintf(stderr, "wspeer: %s\n",
			p->error); /* now: the test may fail before joining */
	}
	return -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Waits (bounded) until fd is readable: 0, or -1 on a timeout. */
static int wait_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;

	do
		r = poll(&pfd, 1, (int)WSPEER_WAIT_MS);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

/* Reads what comes, at most n: bytes read, 0 at the client's hangup, -1 on a timeout or error. */
static ssize_t read_some(struct wspeer *p, void *buf, size_t n)
{
	ssize_t r;

	if (p->in_off < p->in_len) {
		size_t k = p->in_len - p->in_off < n ? p->in_len - p->in_off : n;

		memcpy(buf, p->in + p->in_off, k);
		p->in_off += k;
		return (ssize_t)k;
	}
	if (wait_readable(p->fd) < 0)
		return -1;
	do
		r = recv(p->fd, buf, n, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

static int write_all(struct wspeer *p, const uint8_t *data, size_t n)
{
	while (n > 0) {
		ssize_t r = send(p->fd, data, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return failf(p, "send: %s", r < 0 ? strerror(errno) : "nothing sent");
		data += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Writes data in pieces of chunk bytes (0: at once), pausing pause_ms after each. */
static int put(struct wspeer *p, const uint8_t *data, size_t n, size_t chunk, long pause_ms)
{
	size_t step = chunk > 0 ? chunk : n;

	for (size_t off = 0; off < n; off += step) {
		if (write_all(p, data + off, n - off < step ? n - off : step) < 0)
			return -1;
		if (pause_ms > 0)
			sleep_ms(pause_ms);
	}
	return 0;
}

/* ---- the request ---- */

static int read_request(struct wspeer *p)
{
	size_t len = 0;
	char *end = NULL;

	while (end == NULL) {
		ssize_t r;

		if (len == REQUEST_MAX)
			return failf(p, "the request head is longer than %u bytes", REQUEST_MAX);
		if (wait_readable(p->fd) < 0)
			return failf(p, "no request within %ld ms", WSPEER_WAIT_MS);
		r = recv(p->fd, p->request + len, REQUEST_MAX - len, 0);
		if (r <= 0)
			return failf(p, "the client hung up before its request's end");
		len += (size_t)r;
		p->request[len] = '\0';
		end = strstr(p->request, "\r\n\r\n");
	}
	end += 4;
	p->in_len = len - (size_t)(end - p->request);
	if (p->in_len > 0)
		p->in = xmemdup(end, p->in_len);
	*end = '\0';
	return 0;
}

/* The request's Sec-WebSocket-Key, into key (25 bytes). */
static int request_key(struct wspeer *p, char key[25])
{
	const char *k = strcasestr(p->request, "\r\nSec-WebSocket-Key:");

	if (k == NULL || sscanf(k + 20, " %24s", key) != 1)
		return failf(p, "no Sec-WebSocket-Key in the request");
	return 0;
}

/* ---- frames out ---- */

struct outbuf {
	uint8_t *data;
	size_t len, cap;
};

static ssize_t to_memory(const uint8_t *data, size_t len, int flags, void *arg)
{
	struct outbuf *o = arg;

	(void)flags;
	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		o->data = xrealloc(o->data, o->cap);
	}
	memcpy(o->data + o->len, data, len);
	o->len += len;
	return (ssize_t)len;
}

/* One unmasked frame, header and payload, as bytes. Caller frees o->data. */
static int frame_bytes(struct wspeer *p, uint8_t opcode, bool fin, const void *data, size_t len,
		       struct outbuf *o)
{
	static const struct wslay_frame_callbacks cb = {.send_callback = to_memory};
	wslay_frame_context_ptr ctx;
	struct wslay_frame_iocb io = {.fin = fin, .opcode = opcode, .payload_length = len};
	size_t sent = 0;
	int rc = 0;

	if (wslay_frame_context_init(&ctx, &cb, o) != 0)
		fatal("wspeer: out of memory");
	do {
		ssize_t r;

		io.data = (const uint8_t *)data + sent;
		io.data_length = len - sent;
		r = wslay_frame_send(ctx, &io);
		if (r < 0) {
			rc = failf(p, "wslay_frame_send: %zd", r);
			break;
		}
		sent += (size_t)r;
	} while (sent < len);
	wslay_frame_context_free(ctx);
	return rc;
}

static int send_frame(struct wspeer *p, uint8_t opcode, bool fin, const void *data, size_t len,
		      size_t chunk, long pause_ms)
{
	struct outbuf o = {0};
	int rc = frame_bytes(p, opcode, fin, data, len, &o);

	if (rc == 0)
		rc = put(p, o.data, o.len, chunk, pause_ms);
	free(o.data);
	return rc;
}

/* ---- frames in ---- */

static ssize_t from_socket(uint8_t *buf, size_t len, int flags, void *arg)
{
	struct wspeer *p = arg;
	ssize_t r = read_some(p, buf, len);

	(void)flags;
	p->io_end = r <= 0;
	return r;
}

/* Adds a frame's payload to the messages: a continuation to the open one. */
static void record(struct wspeer *p, uint8_t opcode, bool fin, const uint8_t *data, size_t len)
{
	struct wspeer_msg *m;

	if (opcode == WSLAY_CONTINUATION_FRAME && p->open_msg) {
		m = &p->msgs[p->open_idx];
	} else {
		p->msgs = xreallocarray(p->msgs, p->n_msgs + 1, sizeof(*p->msgs));
		p->msgs[p->n_msgs++] = (struct wspeer_msg){.opcode = opcode};
		m = &p->msgs[p->n_msgs - 1];
		if (!wslay_is_ctrl_frame(opcode))
			p->open_idx = p->n_msgs - 1;
	}
	m->data = xrealloc(m->data, m->len + len + 1);
	memcpy(m->data + m->len, data, len);
	m->len += len;
	m->data[m->len] = '\0';
	if (!wslay_is_ctrl_frame(opcode))
		p->open_msg = !fin;
}

/* Reads one whole frame into the messages: its opcode (the message's for a continuation). */
static int read_frame(struct wspeer *p, wslay_frame_context_ptr ctx, uint8_t *opcode, bool *fin)
{
	uint8_t *buf = NULL;
	size_t got = 0;
	uint64_t want = 0;
	bool started = false;
	int rc = 0;

	while (!started || got < want) {
		struct wslay_frame_iocb io = {0};
		ssize_t r = wslay_frame_recv(ctx, &io);

		if (r == WSLAY_ERR_WANT_READ && !p->io_end)
			continue; /* a piece of a header: read on */
		if (r < 0) {
			rc = failf(p, "no whole frame from the client (wslay_frame_recv %zd)", r);
			break;
		}
		if (!started) {
			started = true;
			want = io.payload_length;
			*opcode = io.opcode;
			*fin = io.fin;
			if (!io.mask)
				rc = failf(p, "an unmasked frame from the client");
			buf = xmalloc(want + 1);
		}
		if (io.data_length > 0)
			memcpy(buf + got, io.data, io.data_length);
		got += io.data_length;
	}
	if (started && rc == 0)
		record(p, *opcode, *fin, buf, got);
	if (rc == 0 && *opcode == WSLAY_CONTINUATION_FRAME && p->n_msgs > 0)
		*opcode = p->msgs[p->open_idx].opcode;
	free(buf);
	return rc;
}

static int recv_until(struct wspeer *p, wslay_frame_context_ptr ctx, uint8_t opcode)
{
	for (;;) {
		uint8_t got = 0;
		bool fin = false;

		if (read_frame(p, ctx, &got, &fin) < 0)
			return failf(p, "waiting for opcode %u", opcode);
		if (got == opcode && fin)
			return 0;
	}
}

static int echo(struct wspeer *p, const struct wspeer_step *s)
{
	for (size_t i = p->n_msgs; i-- > 0;) {
		const struct wspeer_msg *m = &p->msgs[i];

		if (m->opcode == WSLAY_TEXT_FRAME || m->opcode == WSLAY_BINARY_FRAME)
			return send_frame(p, m->opcode, true, m->data, m->len, s->chunk,
					  s->pause_ms);
	}
	return failf(p, "nothing to echo");
}

/* ---- the script ---- */

static int accept_upgrade(struct wspeer *p, const struct wspeer_step *s)
{
	char key[25], accept[WS_ACCEPT_BYTES];
	char *head;
	size_t n;
	uint8_t *all;
	int rc;

	if (request_key(p, key) < 0)
		return -1;
	ws_accept_key(key, accept);
	head = xasprintf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			 accept);
	n = strlen(head);
	all = xmalloc(n + s->len + 1);
	memcpy(all, head, n);
	if (s->len > 0)
		memcpy(all + n, s->data, s->len);
	rc = put(p, all, n + s->len, s->chunk, s->pause_ms);
	free(all);
	free(head);
	return rc;
}

static int flood(struct wspeer *p, wslay_frame_context_ptr ctx, const struct wspeer_step *s)
{
	uint8_t *chunk = xmalloc(s->len);
	struct timespec t0, t;
	int rc = 1;

	memset(chunk, 'y', s->len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rc > 0) {
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		uint8_t got = 0;
		bool fin = false;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >
		    WSPEER_WAIT_MS)
			rc = failf(p, "the client said nothing while the flood ran");
		else if (send_frame(p, WSLAY_BINARY_FRAME, true, chunk, s->len, 0, 0) < 0)
			rc = -1;
		else if (poll(&pfd, 1, 0) == 1 && read_frame(p, ctx, &got, &fin) < 0)
			rc = -1;
		else if (got == s->opcode && fin)
			rc = 0;
	}
	free(chunk);
	return rc;
}

static int play(struct wspeer *p, wslay_frame_context_ptr ctx, const struct wspeer_step *s)
{
	switch (s->op) {
	case WSPEER_ACCEPT:
		return accept_upgrade(p, s);
	case WSPEER_SEND:
		return put(p, s->data, s->len, s->chunk, s->pause_ms);
	case WSPEER_FRAME:
		return send_frame(p, s->opcode, !s->more, s->data, s->len, s->chunk, s->pause_ms);
	case WSPEER_RECV:
		return recv_until(p, ctx, s->opcode);
	case WSPEER_ECHO:
		return echo(p, s);
	case WSPEER_PAUSE:
		sleep_ms(s->pause_ms);
		return 0;
	case WSPEER_CALL:
		s->fn(s->arg);
		return 0;
	case WSPEER_FLOOD:
		return flood(p, ctx, s);
	case WSPEER_HANGUP:
		close(p->fd);
		p->fd = -1;
		return 0;
	}
	return failf(p, "an unknown step %d", (int)s->op);
}

/* After the script: reads (and drops) what comes until the client hangs up. */
static void wait_hangup(struct wspeer *p)
{
	uint8_t buf[4096];
	ssize_t r;

	do
		r = read_some(p, buf, sizeof(buf));
	while (r > 0);
	if (r < 0)
		failf(p, "the client did not hang up within %ld ms", WSPEER_WAIT_MS);
}

static int accept_client(struct wspeer *p)
{
	struct timeval tv = {.tv_sec = WSPEER_WAIT_MS / 1000};

	if (wait_readable(p->listen_fd) < 0)
		return failf(p, "no connection within %ld ms", WSPEER_WAIT_MS);
	p->fd = accept(p->listen_fd, NULL, NULL);
	if (p->fd < 0)
		return failf(p, "accept: %s", strerror(errno));
	setsockopt(p->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

static void *run(void *arg)
{
	static const struct wslay_frame_callbacks cb = {.recv_callback = from_socket};
	struct wspeer *p = arg;
	wslay_frame_context_ptr ctx;

	if (wslay_frame_context_init(&ctx, &cb, p) != 0)
		fatal("wspeer: out of memory");
	if (accept_client(p) == 0 && read_request(p) == 0) {
		for (size_t i = 0; i < p->n_steps && p->fd >= 0; i++)
			if (play(p, ctx, &p->script[i]) < 0) {
				char step[32];

				snprintf(step, sizeof(step), " (step %zu)", i);
				strncat(p->error, step, sizeof(p->error) - strlen(p->error) - 1);
				break;
			}
		if (p->fd >= 0 && p->error[0] == '\0')
			wait_hangup(p);
	}
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	wslay_frame_context_free(ctx);
	return NULL;
}

struct wspeer *wspeer_start(const struct wspeer_step *script, size_t n)
{
	struct wspeer *p = xcalloc(1, sizeof(*p));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);

	p->script = script;
	p->n_steps = n;
	p->fd = -1;
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(p->listen_fd, 4) != 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&a, &alen) != 0)
		fatal("wspeer: cannot listen on 127.0.0.1: %s", strerror(errno));
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
	if (pthread_create(&p->thread, NULL, run, p) != 0)
		fatal("wspeer: cannot start a thread");
	return p;
}

const char *wspeer_url(const struct wspeer *p)
{
	return p->url;
}

int wspeer_join(struct wspeer *p)
{
	if (!p->joined) {
		pthread_join(p->thread, NULL);
		p->joined = true;
	}
	return p->error[0] == '\0' ? 0 : -1;
}

const char *wspeer_error(const struct wspeer *p)
{
	return p->error;
}

const char *wspeer_request(const struct wspeer *p)
{
	return p->request;
}

size_t wspeer_n_msgs(const struct wspeer *p)
{
	return p->n_msgs;
}

const struct wspeer_msg *wspeer_msg(const struct wspeer *p, size_t i)
{
	return i < p->n_msgs ? &p->msgs[i] : NULL;
}

void wspeer_free(struct wspeer **p)
{
	if (p == NULL || *p == NULL)
		return;
	wspeer_join(*p);
	close((*p)->listen_fd);
	for (size_t i = 0; i < (*p)->n_msgs; i++)
		free((*p)->msgs[i].data);
	free((*p)->msgs);
	free((*p)->in);
	free(*p);
	*p = NULL;
}
