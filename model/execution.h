/*
 * execution: what exec and attach carry (api.md, "Exec and attach").
 *
 * The REST side: the exec request boxtop sends and the {execution_id} it
 * gets back. The WebSocket
 * side: the server's text messages on an attach ({"type":"exit",...} and
 * {"type":"error",...}) and the client's (resize, signal, stdin_eof). The
 * binary frames (a stream byte, then bytes) are net/exec.c's.
 */
#ifndef BOXTOP_MODEL_EXECUTION_H
#define BOXTOP_MODEL_EXECUTION_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/* What POST /boxes/{id}/exec asks. */
struct exec_spec {
	const char *command;
	const char *const *args; /* n_args of them */
	size_t n_args;
	const char *const *env; /* "K=V", n_env of them */
	size_t n_env;
	const char *working_dir; /* NULL: the box's */
	bool tty;
};

/* The exec request's JSON; NULL when spec is unusable (no command, an env entry without '='). */
char *exec_spec_encode(const struct exec_spec *spec);
/* {execution_id} of a 201: *id (caller frees). */
int execution_id_decode(const char *buf, size_t len, char **id, struct decode_error *err);

/* A text message from the server on an attach. */
enum attach_msg_type {
	ATTACH_MSG_EXIT,  /* the command ended: exit_code */
	ATTACH_MSG_ERROR, /* code and message; the connection stays */
	ATTACH_MSG_OTHER, /* a type boxtop does not know: ignored */
};

struct attach_msg {
	enum attach_msg_type type;
	int exit_code;
	char code[64];
	char message[512];
};

/* -1 when buf is not a JSON object with a string "type". */
int attach_msg_decode(const char *buf, size_t len, struct attach_msg *m);

/* The client's text messages: each returns malloc'd JSON. */
char *attach_resize_encode(unsigned cols, unsigned rows);
char *attach_signal_encode(int sig);
char *attach_eof_encode(void);

#endif
