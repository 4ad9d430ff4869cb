/*
 * net/ws against a scripted WebSocket server (tests/support/wspeer.c): a
 * frame split across reads, a UTF-8 sequence split across the fragments of
 * one text message (a ping between them), invalid UTF-8, a masked frame
 * and an oversized message from the server, pings both ways, a close with
 * a status and one without, our close, a hangup without a close, the
 * silence rule, refused upgrades (a JSON error body, chunked, a wrong
 * Sec-WebSocket-Accept, not HTTP), frames in the same read as the 101, a
 * 1 MiB message both ways, cancel during ws_open, the request's bearer and
 * headers. The client is driven as a caller would: poll ws_fd for
 * ws_timeout_ms, then ws_service.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <poll.h>
#include <wslay/wslay.h>

#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/http.h"
#include "net/ws.h"
#include "tests/support/port.h"
#include "tests/support/wspeer.h"

#define PUMP_MS  10000 /* the longest a test waits for the client */
#define MAX_MSGS 8
#define BIG      (1024u * 1024)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The messages the client got. */
struct got {
	size_t n;
	enum ws_type type[MAX_MSGS];
	uint8_t *data[MAX_MSGS];
	size_t len[MAX_MSGS];
};

static void on_message(void *arg, enum ws_type type, const uint8_t *data, size_t len)
{
	struct got *g = arg;

	assert_true(g->n < MAX_MSGS);
	g->type[g->n] = type;
	g->data[g->n] = xmalloc(len + 1);
	memcpy(g->data[g->n], data, len);
	g->data[g->n][len] = '\0';
	g->len[g->n++] = len;
}

static void got_clear(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->data[i]);
	memset(g, 0, sizeof(*g));
}

/*
 * Polls and services w as a caller would (the poll as long as
 * ws_timeout_ms says) until want messages came in all (0), the connection
 * ended (1 or -1, as ws_service), or PUMP_MS passed (2).
 */
static int pump(struct ws *w, struct got *g, size_t want, struct net_error *err)
{
	int64_t end = time_mono_ms() + PUMP_MS;

	for (;;) {
		short ev = (short)(POLLIN | (ws_wants_write(w) ? POLLOUT : 0));
		struct pollfd p = {.fd = ws_fd(w), .events = ev};
		int64_t left = end - time_mono_ms();
		int t = ws_timeout_ms(w);
		int rc;

		if (left <= 0)
			return 2;
		poll(&p, 1, t < left ? t : (int)left);
		rc = ws_service(w, on_message, g, err);
		if (rc != 0)
			return rc;
		if (g->n >= want)
			return 0;
	}
}

static struct ws *open_at(struct wspeer *p, const char *path, const struct http_conf *conf,
			  const struct ws_opts *o, struct net_error *err)
{
	static const struct http_conf none = {0};
	char *url = xasprintf("%s%s", wspeer_url(p), path);
	struct ws *w = ws_open(url, conf != NULL ? conf : &none, o, err);

	free(url);
	return w;
}

/* Ends the client, then checks the peer played its whole script. */
static void finish(struct ws **w, struct wspeer **p)
{
	ws_free(w);
	if (wspeer_join(*p) != 0)
		fail_msg("the peer: %s", wspeer_error(*p));
}

static void assert_msg(const struct wspeer *p, size_t i, uint8_t opcode, const void *data,
		       size_t len)
{
	const struct wspeer_msg *m = wspeer_msg(p, i);

	assert_non_null(m);
	assert_int_equal(m->opcode, opcode);
	assert_int_equal(m->len, len);
	assert_memory_equal(m->data, data, len);
}

static void assert_has(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not hold \"%s\"", s, part);
}

/* ---- frames in ---- */

static void test_split_frames(void **state)
{
	static uint8_t bin[300];
	static const char text[] = "hello, split world";
	static struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT, .chunk = 5, .pause_ms = 2},
		/* every byte of the frame in a read of its own, header included */
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_TEXT_FRAME,
		 .data = text,
		 .len = 18,
		 .chunk = 1,
		 .pause_ms = 5},
		/* a 16-bit length cut between its two bytes and in the payload */
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_BINARY_FRAME,
		 .data = bin,
		 .len = sizeof(bin),
		 .chunk = 3,
		 .pause_ms = 2},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p;
	struct ws *w;

	(void)state;
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)(i * 7 + 1);
	p = wspeer_start(script, N(script));
	w = open_at(p, "/ws", NULL, NULL, &err);
	assert_non_null(w);
	assert_int_equal(pump(w, &g, 2, &err), 0);
	assert_int_equal(g.type[0], WS_TEXT);
	assert_int_equal(g.len[0], strlen(text));
	assert_memory_equal(g.data[0], text, strlen(text));
	assert_int_equal(g.type[1], WS_BINARY);
	assert_int_equal(g.len[1], sizeof(bin));
	assert_memory_equal(g.data[1], bin, sizeof(bin));
	finish(&w, &p);
	got_clear(&g);
	wspeer_free(&p);
}

/* "h\u00e9llo \u20ac" cut inside both multi-byte sequences, a ping between the fragments. */
static void test_utf8_across_fragments(void **state)
{
	static const char whole[] = "h\xc3\xa9llo \xe2\x82\xac";
	static struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_TEXT_FRAME,
		 .data = "h\xc3",
		 .len = 2,
		 .more = true,
		 .pause_ms = 20},
		{.op = WSPEER_FRAME, .opcode = WSLAY_PING, .data = "mid", .len = 3, .pause_ms = 20},
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_CONTINUATION_FRAME,
		 .data = "\xa9llo \xe2\x82",
		 .len = 7,
		 .more = true,
		 .pause_ms = 20},
		{.op = WSPEER_FRAME, .opcode = WSLAY_CONTINUATION_FRAME, .data = "\xac", .len = 1},
		{.op = WSPEER_RECV, .opcode = WSLAY_PONG},
		/* a binary message in three fragments, one of them empty */
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_BINARY_FRAME,
		 .data = "\x00\x01",
		 .len = 2,
		 .more = true},
		{.op = WSPEER_FRAME, .opcode = WSLAY_CONTINUATION_FRAME, .more = true},
		{.op = WSPEER_FRAME, .opcode = WSLAY_CONTINUATION_FRAME, .data = "\xff", .len = 1},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);

	(void)state;
	assert_non_null(w);
	assert_int_equal(pump(w, &g, 2, &err), 0);
	assert_int_equal(g.type[0], WS_TEXT);
	assert_int_equal(g.len[0], strlen(whole));
	assert_memory_equal(g.data[0], whole, strlen(whole));
	assert_int_equal(g.type[1], WS_BINARY);
	assert_int_equal(g.len[1], 3);
	assert_memory_equal(g.data[1], "\x00\x01\xff", 3);
	finish(&w, &p);
	assert_msg(p, 0, WSLAY_PONG, "mid", 3);
	got_clear(&g);
	wspeer_free(&p);
}

/* A broken frame from the server: ws_service fails and our close carries status. */
static void broken_by(const struct wspeer_step *frame, uint16_t status)
{
	struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		*frame,
		{.op = WSPEER_RECV, .opcode = WSLAY_CONNECTION_CLOSE},
	};
	uint8_t want[2] = {(uint8_t)(status >> 8), (uint8_t)status};
	char words[64];
	struct net_error err, again;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);

	assert_non_null(w);
	assert_int_equal(pump(w, &g, 1, &err), -1);
	assert_int_equal(g.n, 0);
	assert_int_equal(err.kind, NET_TRANSPORT);
	snprintf(words, sizeof(words), "closed with status %u", (unsigned)status);
	assert_has(err.message, "broke the WebSocket protocol");
	assert_has(err.message, words);
	/* the same again, and nothing more can be sent */
	assert_int_equal(ws_service(w, on_message, &g, &again), -1);
	assert_string_equal(again.message, err.message);
	assert_int_equal(ws_send_text(w, "x", 1), -1);
	finish(&w, &p);
	assert_msg(p, 0, WSLAY_CONNECTION_CLOSE, want, 2);
	wspeer_free(&p);
}

static void test_invalid_utf8(void **state)
{
	static const struct wspeer_step bad = {
		.op = WSPEER_FRAME, .opcode = WSLAY_TEXT_FRAME, .data = "ok \xc3\x28", .len = 5};

	(void)state;
	broken_by(&bad, 1007);
}

static void test_masked_frame_from_server(void **state)
{
	/* "hello" masked with 01 02 03 04: a server must not mask */
	static const struct wspeer_step bad = {
		.op = WSPEER_SEND,
		.data = "\x81\x85\x01\x02\x03\x04\x69\x67\x6f\x68\x6e",
		.len = 11};

	(void)state;
	broken_by(&bad, 1002);
}

static void test_message_too_big(void **state)
{
	/* a length of WS_MESSAGE_MAX + 1 and the first bytes: the rest never comes */
	static const struct wspeer_step bad = {.op = WSPEER_SEND,
					       .data = "\x82\x7f\x00\x00\x00\x00\x01\x00\x00\x01"
						       "abcd",
					       .len = 14};

	(void)state;
	broken_by(&bad, 1009);
}

/* ---- pings ---- */

static void test_pings(void **state)
{
	static struct wspeer_step script[32] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_FRAME, .opcode = WSLAY_PING, .data = "hb-1", .len = 4},
		{.op = WSPEER_RECV, .opcode = WSLAY_PONG},
	};
	struct ws_opts o = {.ping_ms = 250, .silence_ms = 2000};
	struct net_error err;
	struct got g = {0};
	size_t n = 3, pings = 0;
	int64_t t0;
	struct wspeer *p;
	struct ws *w;

	(void)state;
	/* ten of our pings answered: 2.5 s and more, past the silence, kept alive by the pongs */
	for (int i = 0; i < 10; i++) {
		script[n++] = (struct wspeer_step){.op = WSPEER_RECV, .opcode = WSLAY_PING};
		script[n++] = (struct wspeer_step){.op = WSPEER_FRAME, .opcode = WSLAY_PONG};
	}
	script[n++] = (struct wspeer_step){
		.op = WSPEER_FRAME, .opcode = WSLAY_TEXT_FRAME, .data = "done", .len = 4};
	p = wspeer_start(script, n);
	t0 = time_mono_ms();
	w = open_at(p, "/ws", NULL, &o, &err);
	assert_non_null(w);
	assert_true(ws_timeout_ms(w) <= 250);
	assert_int_equal(pump(w, &g, 1, &err), 0);
	assert_string_equal((char *)g.data[0], "done");
	assert_true(time_mono_ms() - t0 >= 2500);
	finish(&w, &p);
	/* the server's ping answered with its payload, then our pings */
	for (size_t i = 0; i < wspeer_n_msgs(p); i++) {
		const struct wspeer_msg *m = wspeer_msg(p, i);

		if (m->opcode == WSLAY_PONG)
			assert_memory_equal(m->data, "hb-1", 4);
		else if (m->opcode == WSLAY_PING)
			pings++;
		else
			fail_msg("opcode %u from the client", m->opcode);
	}
	assert_true(pings >= 10);
	got_clear(&g);
	wspeer_free(&p);
}

/* The server accepts and then says nothing: ws_service gives up after silence_ms. */
static void test_silence(void **state)
{
	static const struct wspeer_step script[] = {{.op = WSPEER_ACCEPT}};
	struct ws_opts o = {.silence_ms = 1000};
	struct net_error err, again;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, &o, &err);
	int64_t t0 = time_mono_ms(), took;

	(void)state;
	assert_non_null(w);
	assert_int_equal(pump(w, &g, 1, &err), -1);
	took = time_mono_ms() - t0;
	assert_true(took >= 900 && took < 5000);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "no answer from the server for 1 s");
	assert_int_equal(ws_service(w, on_message, &g, &again), -1);
	assert_string_equal(again.message, err.message);
	assert_int_equal(ws_send_binary(w, "x", 1), -1);
	assert_int_equal(ws_close(w, 1000), -1);
	finish(&w, &p);
	wspeer_free(&p);
}

/* ---- closing ---- */

static void closed_by(const void *payload, size_t len, uint16_t status)
{
	const struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_FRAME, .opcode = WSLAY_TEXT_FRAME, .data = "before", .len = 6},
		{.op = WSPEER_FRAME, .opcode = WSLAY_CONNECTION_CLOSE, .data = payload, .len = len},
		{.op = WSPEER_RECV, .opcode = WSLAY_CONNECTION_CLOSE},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);

	assert_non_null(w);
	assert_int_equal(ws_close_status(w), 0);
	assert_int_equal(pump(w, &g, MAX_MSGS, &err), 1);
	assert_int_equal(g.n, 1);
	assert_string_equal((char *)g.data[0], "before");
	assert_int_equal(ws_close_status(w), status);
	assert_int_equal(ws_service(w, on_message, &g, &err), 1);
	assert_int_equal(ws_send_text(w, "late", 4), -1);
	finish(&w, &p);
	/* our answering close carries the server's status and reason (none for none) */
	assert_msg(p, 0, WSLAY_CONNECTION_CLOSE, payload, len);
	got_clear(&g);
	wspeer_free(&p);
}

static void test_close_with_status(void **state)
{
	(void)state;
	closed_by("\x0f\xa0"
		  "bye",
		  5, 4000);
}

static void test_close_without_status(void **state)
{
	(void)state;
	closed_by("", 0, WS_NO_STATUS);
}

/* A close and at once the end of the connection: a clean end all the same. */
static void test_close_then_hangup(void **state)
{
	static const struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_CONNECTION_CLOSE,
		 .data = "\x03\xe9",
		 .len = 2},
		{.op = WSPEER_HANGUP},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);

	(void)state;
	assert_non_null(w);
	assert_int_equal(pump(w, &g, MAX_MSGS, &err), 1);
	assert_int_equal(ws_close_status(w), 1001);
	finish(&w, &p);
	wspeer_free(&p);
}

/* A reader slower than the server writes (a terminal taking a shell's output): the socket is never
 * empty. */
static void count_bytes(void *arg, enum ws_type type, const uint8_t *data, size_t len)
{
	struct timespec ms = {.tv_nsec = 1000000};

	(void)type;
	(void)data;
	*(size_t *)arg += len;
	nanosleep(&ms, NULL);
}

/*
 * A server that never stops sending (yes in a shell): what the client
 * queued still goes out, as a Ctrl-C must. The peer floods until it has
 * the client's message; a client that only reads never sends it.
 */
static void test_flood_lets_ours_out(void **state)
{
	static const struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_FLOOD, .len = 64 * 1024, .opcode = WSLAY_TEXT_FRAME},
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_CONNECTION_CLOSE,
		 .data = "\x03\xe8",
		 .len = 2},
	};
	struct net_error err;
	size_t bytes = 0;
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);
	int64_t end = time_mono_ms() + PUMP_MS;
	int rc = 0;

	(void)state;
	assert_non_null(w);
	assert_int_equal(ws_send_text(w, "stop", 4), 0);
	while (rc == 0 && time_mono_ms() < end) {
		short ev = (short)(POLLIN | (ws_wants_write(w) ? POLLOUT : 0));
		struct pollfd pf = {.fd = ws_fd(w), .events = ev};

		poll(&pf, 1, ws_timeout_ms(w));
		rc = ws_service(w, count_bytes, &bytes, &err);
	}
	assert_int_equal(rc, 1);
	assert_true(bytes >= 64 * 1024);
	finish(&w, &p);
	assert_msg(p, 0, WSLAY_TEXT_FRAME, "stop", 4);
	wspeer_free(&p);
}

static void test_our_close(void **state)
{
	static const struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_RECV, .opcode = WSLAY_TEXT_FRAME},
		{.op = WSPEER_RECV, .opcode = WSLAY_CONNECTION_CLOSE},
		{.op = WSPEER_PAUSE, .pause_ms = 100},
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_CONNECTION_CLOSE,
		 .data = "\x03\xe8",
		 .len = 2},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);

	(void)state;
	assert_non_null(w);
	assert_int_equal(ws_send_text(w, "last", 4), 0);
	assert_int_equal(ws_close(w, 1000), 0);
	assert_int_equal(ws_send_text(w, "after", 5), -1);
	assert_int_equal(ws_close(w, 1000), -1);
	assert_int_equal(pump(w, &g, MAX_MSGS, &err), 1);
	assert_int_equal(ws_close_status(w), 1000);
	finish(&w, &p);
	assert_msg(p, 0, WSLAY_TEXT_FRAME, "last", 4);
	assert_msg(p, 1, WSLAY_CONNECTION_CLOSE, "\x03\xe8", 2);
	wspeer_free(&p);
}

static void test_hangup_without_close(void **state)
{
	static const struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_FRAME, .opcode = WSLAY_TEXT_FRAME, .data = "last words", .len = 10},
		{.op = WSPEER_PAUSE, .pause_ms = 100},
		{.op = WSPEER_HANGUP},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, &err);

	(void)state;
	assert_non_null(w);
	assert_int_equal(pump(w, &g, MAX_MSGS, &err), -1);
	assert_int_equal(g.n, 1);
	assert_string_equal((char *)g.data[0], "last words");
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "the server closed the connection without a WebSocket close");
	assert_int_equal(ws_close_status(w), 0);
	finish(&w, &p);
	got_clear(&g);
	wspeer_free(&p);
}

/* ---- the handshake ---- */

/*
 * ws_open against a server that answers head, in pieces of chunk bytes,
 * then tail at once (the client may stop reading before a tail written in
 * pieces ends), then hangs up: NULL with err.
 */
static void refused_by(const char *head, size_t chunk, const char *tail, struct net_error *err)
{
	const struct wspeer_step script[] = {
		{.op = WSPEER_SEND,
		 .data = head,
		 .len = strlen(head),
		 .chunk = chunk,
		 .pause_ms = 10},
		{.op = WSPEER_SEND, .data = tail, .len = strlen(tail)},
		{.op = WSPEER_HANGUP},
	};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, NULL, err);

	assert_null(w);
	if (wspeer_join(p) != 0)
		fail_msg("the peer: %s (the client: %s)", wspeer_error(p), err->message);
	wspeer_free(&p);
}

static void test_refused_with_json(void **state)
{
	static const char body[] = "{\"error\":{\"message\":\"another client is attached\","
				   "\"type\":\"InvalidStateError\",\"code\":\"invalid_state\"}}";
	char *head = xasprintf("HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"
			       "X-Request-Id: req-ws-1\r\nContent-Length: %zu\r\n\r\n%s",
			       strlen(body), body);
	struct net_error err;

	(void)state;
	refused_by(head, 16, "", &err); /* the head and the body cut anywhere */
	assert_int_equal(err.kind, NET_STATUS);
	assert_int_equal(err.api.kind, API_ERR_INVALID_STATE);
	assert_int_equal(err.api.http_status, 409);
	assert_has(err.message, "(409): another client is attached");
	assert_has(err.message, "req-ws-1");
	free(head);
}

static void test_refused_chunked(void **state)
{
	static const char a[] = "{\"error\":{\"message\":\"the ";
	static const char b[] =
		"box is busy\",\"type\":\"UnavailableError\",\"code\":\"unavailable\"}}";
	char *head =
		xasprintf("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
			  "Retry-After: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "%zx\r\n%s\r\n%zx;ext=1\r\n%s\r\n",
			  strlen(a), a, strlen(b), b);
	struct net_error err;

	(void)state;
	refused_by(head, 7, "0\r\n\r\n", &err);
	assert_int_equal(err.kind, NET_STATUS);
	assert_int_equal(err.api.http_status, 503);
	assert_int_equal(err.retry_after_ms, 3000);
	assert_has(err.message, "(503): the box is busy");
	free(head);
}

static void test_refused_not_websocket(void **state)
{
	struct net_error err;

	(void)state;
	/* a 101 with another key's accept (RFC 6455's example), and a line without a colon */
	refused_by("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nNo colon here\r\n"
		   "Connection: keep-alive, Upgrade\r\n"
		   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
		   0, "", &err);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "not a WebSocket: the answer has a wrong Sec-WebSocket-Accept");
	refused_by("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", 0, "", &err);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "no Upgrade: websocket");
	refused_by("SSH-2.0-OpenSSH_9.2\r\n\r\n", 0, "", &err);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "not an HTTP/1.1 answer");
	refused_by("HTTP/1.1 101 Swi", 0, "", &err);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "closed the connection without an answer");
}

static void test_nobody_listening(void **state)
{
	int port = port_reserve();
	struct http_conf conf = {.connect_timeout_s = 5};
	char *url;
	struct net_error err;

	(void)state;
	assert_true(port > 0);
	url = xasprintf("http://127.0.0.1:%d/ws", port);
	assert_null(ws_open(url, &conf, NULL, &err));
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_true(err.unsent);
	free(url);
}

/* Frames in the same read as the 101: delivered without waiting for more bytes. */
static void test_frames_with_head(void **state)
{
	static const char frames[] = "\x81\x05"
				     "early"
				     "\x82\x03\x01\x02\x03"
				     "\x81\x0a"
				     "split"; /* the first half of a third frame */
	static const struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT, .data = frames, .len = sizeof(frames) - 1},
		{.op = WSPEER_RECV, .opcode = WSLAY_TEXT_FRAME},
		{.op = WSPEER_SEND, .data = " here", .len = 5},
	};
	struct ws_opts o = {.ping_ms = 60000}; /* no ping wakes the poll meanwhile */
	struct net_error err;
	struct got g = {0};
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", NULL, &o, &err);
	int64_t t0 = time_mono_ms();

	(void)state;
	assert_non_null(w);
	/* the server waits for our "ack" before it sends the rest */
	assert_int_equal(pump(w, &g, 2, &err), 0);
	assert_true(time_mono_ms() - t0 < 5000);
	assert_string_equal((char *)g.data[0], "early");
	assert_int_equal(g.type[1], WS_BINARY);
	assert_memory_equal(g.data[1], "\x01\x02\x03", 3);
	assert_int_equal(ws_send_text(w, "ack", 3), 0);
	assert_int_equal(pump(w, &g, 3, &err), 0);
	assert_string_equal((char *)g.data[2], "split here");
	finish(&w, &p);
	got_clear(&g);
	wspeer_free(&p);
}

/* The server reads the request and says nothing: ws_open gives up after conf's timeout_s. */
static void test_no_answer_to_upgrade(void **state)
{
	struct http_conf conf = {.timeout_s = 1};
	struct net_error err;
	struct wspeer *p = wspeer_start(NULL, 0);
	int64_t t0 = time_mono_ms(), took;
	struct ws *w = open_at(p, "/ws", &conf, NULL, &err);

	(void)state;
	took = time_mono_ms() - t0;
	assert_null(w);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_has(err.message, "no answer to the WebSocket upgrade");
	assert_true(took >= 900 && took < 5000);
	finish(&w, &p);
	wspeer_free(&p);
}

static atomic_bool cancel_flag;

static void set_cancel(void *arg)
{
	(void)arg;
	atomic_store(&cancel_flag, true);
}

/* The server reads the request, then the caller cancels while ws_open waits for the answer. */
static void test_cancel_during_open(void **state)
{
	static const struct wspeer_step script[] = {{.op = WSPEER_CALL, .fn = set_cancel}};
	struct ws_opts o = {.cancel = &cancel_flag};
	struct net_error err;
	struct wspeer *p;
	struct ws *w;
	int64_t t0 = time_mono_ms();

	(void)state;
	atomic_store(&cancel_flag, false);
	p = wspeer_start(script, N(script));
	w = open_at(p, "/ws", NULL, &o, &err);
	assert_null(w);
	assert_int_equal(err.kind, NET_CANCELLED);
	assert_true(time_mono_ms() - t0 < 5000); /* not the 30 s of the answer's timeout */
	finish(&w, &p);
	assert_has(wspeer_request(p), "GET /ws HTTP/1.1\r\n");
	wspeer_free(&p);
}

static void test_request_headers(void **state)
{
	static const struct wspeer_step script[] = {{.op = WSPEER_ACCEPT}};
	static const char *const extra[] = {"X-Trace: t-1", NULL};
	struct http_conf conf = {.bearer = "s3cret-token"};
	struct ws_opts o = {.headers = extra};
	struct net_error err;
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/v1/boxes/b-1/exec?tty=true&cols=80", &conf, &o, &err);
	const char *line = "GET /v1/boxes/b-1/exec?tty=true&cols=80 HTTP/1.1\r\n";
	const char *req;
	char *host;

	(void)state;
	assert_non_null(w);
	assert_string_equal(ws_header(w, "upgrade"), "websocket");
	assert_null(ws_header(w, "X-Not-There"));
	finish(&w, &p);
	req = wspeer_request(p);
	host = xasprintf("\r\nHost: %s\r\n", wspeer_url(p) + strlen("http://"));
	assert_true(strncmp(req, line, strlen(line)) == 0);
	assert_has(req, host);
	assert_has(req, "\r\nAuthorization: Bearer s3cret-token\r\n");
	assert_has(req, "\r\nX-Trace: t-1\r\n");
	assert_has(req, "\r\nUpgrade: websocket\r\n");
	assert_has(req, "\r\nSec-WebSocket-Version: 13\r\n");
	free(host);
	wspeer_free(&p);
}

/* A bearer holding a line break is refused before anything is sent. */
static void test_header_injection(void **state)
{
	static const struct wspeer_step script[] = {{.op = WSPEER_ACCEPT}};
	struct http_conf conf = {.bearer = "tok\r\nX-Evil: 1"};
	struct net_error err;
	struct wspeer *p = wspeer_start(script, N(script));
	struct ws *w = open_at(p, "/ws", &conf, NULL, &err);

	(void)state;
	assert_null(w);
	assert_int_equal(err.kind, NET_LOCAL);
	/* the peer never got a request (it says so on stderr) */
	assert_int_equal(wspeer_join(p), -1);
	assert_string_equal(wspeer_request(p), "");
	wspeer_free(&p);
}

/* ---- a big message both ways ---- */

static void test_big_messages(void **state)
{
	static uint8_t big[BIG];
	static char text[BIG + 1];
	static struct wspeer_step script[] = {
		{.op = WSPEER_ACCEPT},
		{.op = WSPEER_RECV, .opcode = WSLAY_BINARY_FRAME},
		{.op = WSPEER_ECHO, .chunk = 100000, .pause_ms = 5},
		{.op = WSPEER_FRAME,
		 .opcode = WSLAY_TEXT_FRAME,
		 .data = text,
		 .len = BIG,
		 .chunk = 65536},
	};
	struct net_error err;
	struct got g = {0};
	struct wspeer *p;
	struct ws *w;

	(void)state;
	for (size_t i = 0; i < BIG; i++) {
		big[i] = (uint8_t)(i ^ (i >> 8) ^ (i >> 16));
		text[i] = (char)('a' + i % 26);
	}
	p = wspeer_start(script, N(script));
	w = open_at(p, "/ws", NULL, NULL, &err);
	assert_non_null(w);
	assert_int_equal(ws_send_binary(w, big, BIG), 0);
	assert_int_equal(ws_queued(w), BIG);
	assert_int_equal(pump(w, &g, 2, &err), 0);
	assert_int_equal(ws_queued(w), 0);
	assert_int_equal(g.type[0], WS_BINARY);
	assert_int_equal(g.len[0], BIG);
	assert_memory_equal(g.data[0], big, BIG);
	assert_int_equal(g.type[1], WS_TEXT);
	assert_int_equal(g.len[1], BIG);
	assert_memory_equal(g.data[1], text, BIG);
	finish(&w, &p);
	assert_msg(p, 0, WSLAY_BINARY_FRAME, big, BIG);
	got_clear(&g);
	wspeer_free(&p);
}

static void test_accept_key(void **state)
{
	char out[WS_ACCEPT_BYTES];

	(void)state;
	/* RFC 6455 section 1.3 */
	ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_key),
		cmocka_unit_test(test_split_frames),
		cmocka_unit_test(test_utf8_across_fragments),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_masked_frame_from_server),
		cmocka_unit_test(test_message_too_big),
		cmocka_unit_test(test_pings),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_close_with_status),
		cmocka_unit_test(test_close_without_status),
		cmocka_unit_test(test_close_then_hangup),
		cmocka_unit_test(test_our_close),
		cmocka_unit_test(test_flood_lets_ours_out),
		cmocka_unit_test(test_hangup_without_close),
		cmocka_unit_test(test_refused_with_json),
		cmocka_unit_test(test_refused_chunked),
		cmocka_unit_test(test_refused_not_websocket),
		cmocka_unit_test(test_nobody_listening),
		cmocka_unit_test(test_frames_with_head),
		cmocka_unit_test(test_no_answer_to_upgrade),
		cmocka_unit_test(test_cancel_during_open),
		cmocka_unit_test(test_request_headers),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_big_messages),
	};

	if (http_global_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
