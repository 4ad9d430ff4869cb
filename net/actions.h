/*
 * actions: the operator's actions (snapshot create/delete/restore, clone,
 * export, import, start, stop, delete box, delete image) as worker-pool
 * jobs.
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

/*
 * base_url, prefix (NULL: none) and conf's strings are copied. pool and
 * store must outlive the actions; poller may be NULL (nothing to kick).
 * login NULL: conf's bearer; else each job, when it starts, takes login's
 * bearer as it is then (a login renewed since is picked up) and conf's is
 * ignored; login must outlive the actions.
 */
struct actions *actions_new(const char *base_url, const char *prefix, const struct http_conf *conf,
			    struct login *login, struct pool *pool, struct poller *poller);
void actions_free(struct actions **a);
/* The prefix jobs submitted from now on use (after discovery). */
void actions_set_prefix(struct actions *a, const char *prefix);

/* What to do; only the fields the kind needs are read. */
struct action {
	enum job_kind kind;
	const char *box_id;   /* every kind but import and image delete */
	const char *box_name; /* for the jobs table; may be NULL */
	const char *name;     /* snapshot, clone, import (may be NULL) or image name */
	const char *path;     /* export destination, import source */
	bool force;           /* delete: force; export: replace an existing file */
	bool no_verify;       /* export: skip the archive check after download */
};

/*
 * Queues the action. cfg is the server's config as last polled (NULL:
 * unknown, and actions that need a capability are refused); whether it
 * announces idempotency decides how a job whose answer was lost goes on
 * (api.h), and without it an unnamed clone gets a name from
 * actions_clone_name so it can be found. Returns the job id, or 0 with err
 * set (NET_REFUSED, or NET_LOCAL for a bad request such as a missing path).
 */
/*
 * "<box_name>-clone-<yyyymmdd-HHMMSS>" (UTC), made a valid box name.
 * Caller frees.
 */
char *actions_clone_name(const char *box_name, int64_t now);

uint64_t actions_submit(struct actions *a, const struct action *act,
			const struct server_config *cfg, struct net_error *err);

#endif
