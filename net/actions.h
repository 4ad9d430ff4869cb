/*
 * actions: the operator's actions (snapshot create/delete/restore, clone,
 * export, import, start, stop, delete box, delete image, copy a path out of
 * or into a box), each defined once
 * in a table, and run as worker-pool jobs.
 *
 * Each action is checked against the server's capabilities before anything
 * is queued (a disabled or missing snapshots/clone/export/import flag
 * refuses it with "this server does not support ..."), then submitted with
 * the box id (an image's name) as its order key, so actions on one box run
 * one at a time and in order. A job opens its own API handle on its worker thread, reports
 * transfer progress and honours cancel, and when it succeeds asks the
 * poller for a fresh round (after a snapshot job, a look at the box's
 * snapshots) so the screen shows the result at once. A job whose answer was
 * lost on a server without idempotency says what boxtop found when it
 * looked.
 */
#ifndef BOXTOP_NET_ACTIONS_H
#define BOXTOP_NET_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "model/box.h"
#include "model/server_config.h"
#include "pool.h"
#include "poller.h"

struct actions;
struct api;
struct job_arg;

/*
 * What an action needs, in the order the dashboard asks for it (the
 * command line takes them as arguments and options).
 */
enum {
	ACT_BOX = 1u << 0,      /* a box: the selected one; BOX */
	ACT_IMAGE = 1u << 1,    /* an image: the selected one; IMAGE */
	ACT_SNAPSHOT = 1u << 2, /* one of the box's snapshots: picked; SNAPSHOT */
	ACT_FILE = 1u << 3,     /* an archive to read: FILE */
	ACT_DEST = 1u << 4,     /* where to write, with a default: -o PATH */
	ACT_NAME = 1u << 5,     /* a name for what it makes, with a default: --name NAME */
	ACT_BOX_PATH = 1u << 6, /* a path inside the box; with ACT_BOX one argument BOX:PATH */
	ACT_LOCAL = 1u << 7,    /* a local file or directory to copy from or to: SRC, DEST */
};

/* `boxtop cp`: both copy rows answer to it, the arguments say which (tui/cli.c). */
#define ACTION_CP_COMMAND "cp"

enum action_confirm {
	CONFIRM_NONE,
	CONFIRM_YES,  /* y, and anything else cancels */
	CONFIRM_TYPE, /* the name of what it acts on, typed out */
};

/*
 * One action, defined once (tmux's cmd_entry): what the key table, the
 * `?` help, `boxtop COMMAND` and its --help, the man page's list and the
 * jobs read. The texts may hold %b (the box), %s (the snapshot) and %i
 * (the image), filled in when they are shown.
 */
struct action_def {
	enum job_kind kind;  /* the job; its name is job_kind_name(kind) */
	const char *command; /* boxtop COMMAND: "snapshot", "delete-snapshot" */
	const char *help;    /* "snapshot the box" */
	unsigned needs;      /* ACT_* */
	enum capability cap; /* what /v1/config must enable; CAP_COUNT: nothing */
	enum action_confirm confirm;
	const char *ask_pick;        /* ACT_SNAPSHOT: "Restore which snapshot of %b?" */
	const char *ask_path;        /* ACT_FILE, ACT_DEST, ACT_LOCAL: "Export %b to" */
	const char *ask_box_path;    /* ACT_BOX_PATH: "Copy from %b: path in the box" */
	const char *usage;           /* its usage after "boxtop ", or NULL: made from needs */
	bool read_only;              /* changes nothing on the server (allowed with --readonly) */
	const char *ask_name;        /* ACT_NAME: "Snapshot %b: name" */
	bool name_optional;          /* an empty name lets the server (or the archive) pick */
	const char *ask_confirm;     /* "Stop %b?" */
	const char *warning;         /* under the question: "Its processes are ended." */
	const char *warning_running; /* instead, when the box runs; NULL: the same */
	bool stop_first;             /* a running box is stopped first (restore) */
	bool force;                  /* sent with force (delete: stop a running box) */
	/* Runs it on a worker thread; sets the job's result and message. */
	int (*run)(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		   struct net_error *err);
};

/* Every action, in the order help lists them. Static storage. */
const struct action_def *action_defs(size_t *n);
/*
 * Why d cannot act on box b now, or NULL when it can: a row that only
 * reads (read_only) refuses a box that is not running, because reading it
 * (its files) would start it on boxlite serve.
 */
const char *action_box_refusal(const struct action_def *d, const struct box *b);
/* The action of a job kind, or NULL. */
const struct action_def *action_def(enum job_kind kind);
/*
 * The action `boxtop COMMAND` runs, or NULL. ACTION_CP_COMMAND gives the
 * copy-from row; the command line's arguments pick between the copy rows.
 */
const struct action_def *action_by_command(const char *command);
/*
 * Its command line after "boxtop ": "snapshot BOX [--name NAME]". Writes
 * at most size bytes to buf; returns buf.
 */
char *action_usage(const struct action_def *d, char *buf, size_t size);
/*
 * A row's text (ask_*, warning) with %b, %s and %i filled in: the box, the
 * snapshot, the image (NULL ones as ""). Caller frees.
 */
char *action_text(const char *tmpl, const char *box, const char *snapshot, const char *image);
/*
 * The name offered for what it makes (ACT_NAME): "snap-<yyyymmdd-HHMMSS>"
 * for a snapshot, "<box>-clone" for a clone; NULL when none is offered.
 * Caller frees.
 */
char *action_default_name(const struct action_def *d, const char *box_name, int64_t now);

/*
 * base_url, prefix (NULL: none) and conf's strings are copied. The pool
 * must outlive the actions, and the actions its jobs: free the pool (which
 * ends them) first. poller may be NULL (nothing to kick).
 * login NULL: conf's bearer; else each job, when it starts, takes login's
 * bearer as it is then (a login renewed since is picked up) and conf's is
 * ignored; login must outlive the actions.
 */
struct actions *actions_new(const char *base_url, const char *prefix, const struct http_conf *conf,
			    struct login *login, struct pool *pool, struct poller *poller);
void actions_free(struct actions **a);
/* The prefix jobs submitted from now on use (after discovery). */
void actions_set_prefix(struct actions *a, const char *prefix);

/* What to do; only the fields the kind's needs name are read. */
struct action {
	enum job_kind kind;
	const char *box_id;   /* ACT_BOX */
	const char *box_name; /* for the jobs table; may be NULL */
	const char *name;     /* the snapshot (ACT_SNAPSHOT, or the one a snapshot makes), the
				 image (ACT_IMAGE), the new box's name (clone, import; may be NULL) */
	const char *path;     /* ACT_DEST, ACT_FILE, ACT_LOCAL */
	const char *box_path; /* ACT_BOX_PATH */
	bool force;           /* export: replace an existing file (delete: always) */
	bool no_verify;       /* export: skip the archive check after download */
};

/*
 * "<box_name>-clone-<yyyymmdd-HHMMSS>" (UTC), made a valid box name.
 * Caller frees.
 */
char *actions_clone_name(const char *box_name, int64_t now);

/*
 * Queues the action. cfg is the server's config as last polled (NULL:
 * unknown, and actions that need a capability are refused); whether it
 * announces idempotency decides how a job whose answer was lost goes on
 * (api.h), and without it an unnamed clone gets a name from
 * actions_clone_name so it can be found. Returns the job id, or 0 with err
 * set (NET_REFUSED, or NET_LOCAL for a request missing what it needs, such
 * as a path: "export needs a file").
 */
uint64_t actions_submit(struct actions *a, const struct action *act,
			const struct server_config *cfg, struct net_error *err);

#endif
