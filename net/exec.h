/*
 * exec: running a command in a box and attaching to it (api.md, "Exec
 * and attach").
 *
 * The REST calls start an execution and kill it (signals and window sizes
 * go on the attach);
 * an attach is a WebSocket (ws.c) to an execution or to the box's main
 * session, with stdout and stderr apart and the exit status at the end.
 * An attach is a struct ws underneath and keeps its rules: it belongs to
 * one thread, starts none, and is driven by polling attach_fd and calling
 * attach_service, so one loop can also read the terminal.
 *
 * Looking and using: on boxlite serve, exec and every frame of an attach
 * count as use of the box (they stamp its AutoStop idle clock). boxtop
 * only attaches when the operator asks (a shell, a command, the Logs
 * view), never on a timer.
 */
#ifndef BOXTOP_NET_EXEC_H
#define BOXTOP_NET_EXEC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "model/execution.h"

/*
 * POST /boxes/{id}/exec: *eid gets the execution's id (caller frees). A
 * mutation: without announced idempotency a lost answer is not sent again
 * (the command might run twice); err then says the outcome is unknown.
 */
int api_exec(struct api *a, const char *box_id, const struct exec_spec *spec,
	     const atomic_bool *cancel, char **eid, struct net_error *err);
int api_exec_kill(struct api *a, const char *box_id, const char *eid, const atomic_bool *cancel,
		  struct net_error *err);

struct attach;

enum attach_stream {
	ATTACH_STDOUT = 1,
	ATTACH_STDERR = 2,
};

struct attach_cb {
	/* Output as it comes, stream apart; data valid during the call. */
	void (*output)(void *arg, enum attach_stream s, const uint8_t *data, size_t len);
	/* The server's {"type":"error"} message (the connection stays); may be NULL. */
	void (*error)(void *arg, const char *code, const char *message);
	void *arg;
};

/*
 * Attaches to execution eid of the box, or with eid NULL to its main
 * session. with_stdin false is a read-only attach (?stdin=0): what it
 * would write the server refuses. Fails like ws_open: a second client
 * is NET_STATUS 409 ("another client is attached" as the server says it).
 */
struct attach *attach_open(struct api *a, const char *box_id, const char *eid, bool with_stdin,
			   const atomic_bool *cancel, struct net_error *err);
void attach_free(struct attach **t);

int attach_fd(const struct attach *t);
bool attach_wants_write(const struct attach *t);
int attach_timeout_ms(const struct attach *t);
/* Bytes queued for the server: a caller reading a fast stdin pauses above a bound. */
size_t attach_queued(const struct attach *t);

/*
 * Reads and writes what it can (see ws_service). Returns 0 while attached;
 * 1 once the command ended: *exit_code its status; -1 with err when the
 * attach failed or ended without an exit status (the server closed it,
 * the connection was lost, a silent server): err says which.
 */
int attach_service(struct attach *t, const struct attach_cb *cb, int *exit_code,
		   struct net_error *err);

/* Queue stdin bytes, the end of stdin, a window size, a signal. -1 when closed. */
int attach_stdin(struct attach *t, const void *data, size_t len);
int attach_stdin_eof(struct attach *t);
int attach_resize(struct attach *t, unsigned cols, unsigned rows);
int attach_signal(struct attach *t, int sig);
/* Leaves without ending the command (a close frame, status 1000). */
int attach_detach(struct attach *t);

#endif
