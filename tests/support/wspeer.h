/*
 * wspeer: a scripted WebSocket server for tests of net/ws, in-process.
 *
 * wspeer_start listens on 127.0.0.1 port 0 and starts a thread that
 * accepts one connection, reads the Upgrade request and plays the script
 * step by step: the 101 (or any raw bytes, for a refusal or a wrong
 * answer), frames built with wslay's frame API, written whole or in pieces
 * with pauses between them (so one frame is split across the client's
 * reads), and reads of the client's frames. After the last step it waits
 * for the client to hang up (ws_free), then closes. Every wait is bounded
 * (WSPEER_WAIT_MS), so a client that never does what the script expects
 * ends the script with an error instead of hanging the test.
 *
 * The request and the messages read are the thread's until wspeer_join;
 * read them after it.
 */
#ifndef BOXTOP_TESTS_WSPEER_H
#define BOXTOP_TESTS_WSPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WSPEER_WAIT_MS 10000L

enum wspeer_op {
	WSPEER_ACCEPT, /* the 101 with the right Sec-WebSocket-Accept, then data in the same write
			*/
	WSPEER_SEND,   /* data as it is (a refusal, a wrong 101, a malformed frame) */
	WSPEER_FRAME,  /* one unmasked frame of opcode with data as payload; fin unless more */
	WSPEER_RECV,   /* reads the client's frames until a whole message of opcode came */
	WSPEER_ECHO,   /* sends the last text or binary message read back as one frame */
	WSPEER_PAUSE,  /* sleeps pause_ms */
	WSPEER_CALL,   /* fn(arg) on the peer's thread */
	WSPEER_HANGUP, /* closes the connection at once (no close frame) */
	WSPEER_FLOOD,  /* binary frames of len bytes back to back, never pausing, until a
			  whole message of opcode comes from the client (a server that never
			  stops talking: does the client still get a word in?) */
};

struct wspeer_step {
	enum wspeer_op op;
	const void *data; /* ACCEPT, SEND, FRAME */
	size_t len;
	uint8_t opcode; /* FRAME, RECV: a WSLAY_* opcode */
	bool more;      /* FRAME: a fragment that is not the last (fin 0) */
	size_t chunk;   /* ACCEPT, SEND, FRAME, ECHO: written in pieces this long; 0: at once */
	long pause_ms;  /* the pause after each piece; PAUSE: how long */
	void (*fn)(void *arg);
	void *arg;
};

/* A message read from the client: fragments joined, unmasked. */
struct wspeer_msg {
	uint8_t opcode;
	uint8_t *data; /* NUL-terminated, len bytes */
	size_t len;
};

struct wspeer;

/* Listens and starts playing script (n steps, not copied: keep it alive until wspeer_join). */
struct wspeer *wspeer_start(const struct wspeer_step *script, size_t n);
/* "http://127.0.0.1:PORT": the URL to open, a path appended. */
const char *wspeer_url(const struct wspeer *p);
/* Waits for the script's end and the client's hangup: 0 when every step did what it says. */
int wspeer_join(struct wspeer *p);
/* After wspeer_join: why it failed ("" when it did not). */
const char *wspeer_error(const struct wspeer *p);
/* After wspeer_join: the Upgrade request's head, "" when none came. */
const char *wspeer_request(const struct wspeer *p);
/* After wspeer_join: the messages read (RECV), control frames included, in order. */
size_t wspeer_n_msgs(const struct wspeer *p);
const struct wspeer_msg *wspeer_msg(const struct wspeer *p, size_t i);
/* Joins if not yet joined, and frees *p; NULL is fine. */
void wspeer_free(struct wspeer **p);

#endif
