/*
 * exec: the REST calls through api.c's retry rules, the attach as a ws.c
 * connection with the protocol's frames read and written here.
 *
 * An attach ends one of three ways: the exit message and then the
 * server's close (1: the status), a close or a lost connection before the
 * exit message (-1: the command's fate unknown, err says how it ended),
 * or the caller's detach. An exit message followed by a lost connection
 * still counts as ended: the status came.
 */
#include "exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"
#include "model/xalloc.h"

struct attach {
	struct ws *ws;
	bool exited;
	int exit_code;
	const struct attach_cb *cb; /* during attach_service */
};

static char *exec_url(struct api *a, const char *box_id, const char *eid, const char *tail)
{
	char *e = eid != NULL ? api_escape(eid) : NULL;
	char *path = e != NULL ? xasprintf("/executions/%s%s", e, tail) : xstrdup(tail);
	char *url = api_item_url(a, "boxes", box_id, path);

	free(e);
	free(path);
	return url;
}

static int dec_eid(const char *buf, size_t len, void *out, struct decode_error *err)
{
	return execution_id_decode(buf, len, out, err);
}

int api_exec(struct api *a, const char *box_id, const struct exec_spec *spec,
	     const atomic_bool *cancel, char **eid, struct net_error *err)
{
	char *json = exec_spec_encode(spec);
	int rc;

	*eid = NULL;
	if (json == NULL) {
		net_error_set(err, NET_LOCAL, "exec: a command is needed, and -e takes NAME=VALUE");
		return -1;
	}
	rc = api_call(a, "POST", exec_url(a, box_id, NULL, "/exec"), json, cancel, dec_eid, eid,
		      err);
	free(json);
	return rc;
}

int api_exec_kill(struct api *a, const char *box_id, const char *eid, const atomic_bool *cancel,
		  struct net_error *err)
{
	return api_call(a, "DELETE", exec_url(a, box_id, eid, ""), NULL, cancel, NULL, NULL, err);
}

/* ---- the attach ---- */

struct attach *attach_open(struct api *a, const char *box_id, const char *eid, bool with_stdin,
			   const atomic_bool *cancel, struct net_error *err)
{
	struct http_conf conf = http_conf_of(api_http(a));
	struct ws_opts o = {.cancel = cancel};
	char *url = exec_url(a, box_id, eid, with_stdin ? "/attach" : "/attach?stdin=0");
	struct ws *ws = ws_open(url, &conf, &o, err);
	struct attach *t;

	free(url);
	if (ws == NULL)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->ws = ws;
	return t;
}

void attach_free(struct attach **t)
{
	if (*t == NULL)
		return;
	ws_free(&(*t)->ws);
	free(*t);
	*t = NULL;
}

int attach_fd(const struct attach *t)
{
	return ws_fd(t->ws);
}

bool attach_wants_write(const struct attach *t)
{
	return ws_wants_write(t->ws);
}

int attach_timeout_ms(const struct attach *t)
{
	return ws_timeout_ms(t->ws);
}

size_t attach_queued(const struct attach *t)
{
	return ws_queued(t->ws);
}

static void on_message(void *arg, enum ws_type type, const uint8_t *data, size_t len)
{
	struct attach *t = arg;
	struct attach_msg m;

	if (type == WS_BINARY) {
		/* [stream][bytes]; a stream boxtop does not know is dropped */
		if (len > 1 && (data[0] == ATTACH_STDOUT || data[0] == ATTACH_STDERR) &&
		    t->cb->output != NULL)
			t->cb->output(t->cb->arg, data[0], data + 1, len - 1);
		return;
	}
	if (attach_msg_decode((const char *)data, len, &m) < 0)
		return;
	if (m.type == ATTACH_MSG_EXIT) {
		t->exited = true;
		t->exit_code = m.exit_code;
	} else if (m.type == ATTACH_MSG_ERROR && t->cb->error != NULL) {
		t->cb->error(t->cb->arg, m.code, m.message);
	}
}

int attach_service(struct attach *t, const struct attach_cb *cb, int *exit_code,
		   struct net_error *err)
{
	int rc;
	uint16_t status;

	t->cb = cb;
	rc = ws_service(t->ws, on_message, t, err);
	t->cb = NULL;
	if (rc == 0)
		return 0;
	if (t->exited) {
		*exit_code = t->exit_code;
		return 1;
	}
	if (rc < 0)
		return -1;
	status = ws_close_status(t->ws);
	if (status == WS_NO_STATUS || status == 1000)
		net_error_set(err, NET_TRANSPORT,
			      "the server ended the session without an exit status");
	else
		net_error_set(err, NET_TRANSPORT,
			      "the server ended the session without an exit status (close %u%s)",
			      (unsigned)status,
			      status == 1008 ? ": policy, e.g. input on a read-only attach" : "");
	return -1;
}

int attach_stdin(struct attach *t, const void *data, size_t len)
{
	/* api.md: the client's binary frames are stdin bytes, nothing before them */
	return len == 0 ? 0 : ws_send_binary(t->ws, data, len);
}

static int send_json(struct attach *t, char *json)
{
	int rc = ws_send_text(t->ws, json, strlen(json));

	free(json);
	return rc;
}

int attach_stdin_eof(struct attach *t)
{
	return send_json(t, attach_eof_encode());
}

int attach_resize(struct attach *t, unsigned cols, unsigned rows)
{
	return send_json(t, attach_resize_encode(cols, rows));
}

int attach_signal(struct attach *t, int sig)
{
	return send_json(t, attach_signal_encode(sig));
}

int attach_detach(struct attach *t)
{
	return ws_close(t->ws, 1000);
}
