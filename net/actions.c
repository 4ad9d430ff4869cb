/*
 * actions: a job's argument is a self-contained copy of the action and of
 * the connection (URL, prefix, HTTP settings), so a retry runs exactly the
 * same request and nothing is shared between worker threads but the pool
 * and the poller, which are thread-safe.
 */
#include "actions.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "model/xalloc.h"
#include "xfer.h"

struct actions {
	pthread_mutex_t lock; /* prefix may change while jobs are submitted */
	char *base_url;
	char *prefix;
	char *bearer;
	char *ca_file;
	struct http_conf conf;
	struct login *login;
	struct pool *pool;
	struct poller *poller;
};

/* One job's argument: everything it needs, owned. */
struct job_arg {
	struct actions *a;
	enum job_kind kind;
	char *base_url;
	char *prefix;
	char *box_id;
	char *name;
	char *path;
	bool force;
	bool no_verify;
	bool idempotent; /* the server announced idempotency when it was queued */
};

struct actions *actions_new(const char *base_url, const char *prefix, const struct http_conf *conf,
			    struct login *login, struct pool *pool, struct poller *poller)
{
	struct actions *a = xcalloc(1, sizeof(*a));

	pthread_mutex_init(&a->lock, NULL);
	a->base_url = xstrdup(base_url);
	a->prefix = xstrdup(prefix);
	a->bearer = xstrdup(conf->bearer);
	a->ca_file = xstrdup(conf->ca_file);
	a->conf = *conf;
	a->conf.bearer = a->bearer;
	a->conf.ca_file = a->ca_file;
	a->login = login;
	a->pool = pool;
	a->poller = poller;
	return a;
}

void actions_free(struct actions **a)
{
	if (a == NULL || *a == NULL)
		return;
	free((*a)->base_url);
	free((*a)->prefix);
	if ((*a)->bearer != NULL)
		explicit_bzero((*a)->bearer, strlen((*a)->bearer));
	free((*a)->bearer);
	free((*a)->ca_file);
	pthread_mutex_destroy(&(*a)->lock);
	free(*a);
	*a = NULL;
}

void actions_set_prefix(struct actions *a, const char *prefix)
{
	pthread_mutex_lock(&a->lock);
	free(a->prefix);
	a->prefix = xstrdup(prefix);
	pthread_mutex_unlock(&a->lock);
}

static void job_arg_free(void *p)
{
	struct job_arg *j = p;

	free(j->base_url);
	free(j->prefix);
	free(j->box_id);
	free(j->name);
	free(j->path);
	free(j);
}

/* The capability a kind needs, or CAP_COUNT for none. */
static enum capability needed(enum job_kind k)
{
	switch (k) {
	case JOB_SNAPSHOT_CREATE:
	case JOB_SNAPSHOT_DELETE:
	case JOB_SNAPSHOT_RESTORE:
		return CAP_SNAPSHOTS;
	case JOB_CLONE:
		return CAP_CLONE;
	case JOB_EXPORT:
		return CAP_EXPORT;
	case JOB_IMPORT:
		return CAP_IMPORT;
	default:
		return CAP_COUNT;
	}
}

/* A transfer's silence as the job's message: the Jobs view says what it waits for. */
static void say_waiting(void *ctx, const char *what)
{
	pool_ctx_message(ctx, "%s", what != NULL ? what : "");
}

/*
 * A 409 on an image delete means boxes run it (api.md): the server's words
 * name one tag, so the job says what to do about it.
 */
static void explain_image_in_use(struct net_error *err)
{
	size_t n = strlen(err->message);

	if (err->kind == NET_STATUS && err->api.http_status == 409)
		snprintf(err->message + n, sizeof(err->message) - n, "%s",
			 "; a box runs this image: delete or change those boxes first");
}

/* Runs the action on this worker thread with its own API handle. */
static int run_action(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		      struct net_error *err)
{
	const atomic_bool *cancel = pool_ctx_cancel_flag(ctx);
	struct xfer_opts o = {.force = j->force,
			      .no_verify = j->no_verify,
			      .cancel = cancel,
			      .progress = pool_ctx_progress_cb,
			      .progress_arg = ctx,
			      .waiting = say_waiting};
	struct snapshot *snap = NULL;
	struct box *box = NULL;
	int rc = -1;

	switch (j->kind) {
	case JOB_SNAPSHOT_CREATE:
		rc = api_snapshot_create(api, j->box_id, j->name, cancel, &snap, err);
		break;
	case JOB_SNAPSHOT_DELETE:
		rc = api_snapshot_delete(api, j->box_id, j->name, cancel, err);
		break;
	case JOB_SNAPSHOT_RESTORE:
		rc = api_snapshot_restore(api, j->box_id, j->name, cancel, err);
		break;
	case JOB_CLONE:
		rc = api_box_clone(api, j->box_id, j->name, cancel, &box, err);
		break;
	case JOB_EXPORT:
		rc = xfer_export(api, j->box_id, j->path, &o, err);
		break;
	case JOB_IMPORT:
		rc = xfer_import(api, j->path, j->name, &o, &box, err);
		break;
	case JOB_START:
		rc = api_box_start(api, j->box_id, cancel, &box, err);
		break;
	case JOB_STOP:
		rc = api_box_stop(api, j->box_id, cancel, &box, err);
		break;
	case JOB_DELETE_BOX:
		rc = api_box_delete(api, j->box_id, j->force, cancel, err);
		break;
	case JOB_IMAGE_DELETE:
		rc = api_image_delete(api, j->name, cancel, err);
		if (rc < 0)
			explain_image_in_use(err);
		break;
	default:
		net_error_set(err, NET_LOCAL, "unknown action");
		break;
	}
	if (rc == 0 && box != NULL && (j->kind == JOB_CLONE || j->kind == JOB_IMPORT)) {
		pool_ctx_message(ctx, "made %s (%s)%s%s", box_display_name(box), box->id,
				 api_note(api)[0] != '\0' ? "; " : "", api_note(api));
		pool_ctx_result(ctx, box->id);
	} else if (rc == 0 && j->kind == JOB_EXPORT) {
		pool_ctx_message(ctx, "saved %s", j->path);
		pool_ctx_result(ctx, j->path);
	} else if (rc == 0 && api_note(api)[0] != '\0') {
		pool_ctx_message(ctx, "%s", api_note(api));
	}
	snapshot_free(&snap);
	box_free(&box);
	return rc;
}

/*
 * After a snapshot job: its box's snapshots once (a look), and the list
 * again (a snapshot of a running box paused it a moment).
 */
static void look_and_kick(struct poller *p, const char *box_id)
{
	poller_look_snapshots(p, box_id);
	poller_kick(p);
}

static int job_fn(struct pool_ctx *ctx, void *arg)
{
	const struct job_arg *j = arg;
	struct http_conf conf = j->a->conf;
	char *bearer = NULL;
	struct api *api;
	struct net_error err;
	int rc;

	if (j->a->login != NULL) {
		char why[256]; /* a login that cannot be read keeps the bearer in use */

		login_check(j->a->login, (int64_t)time(NULL), why, sizeof(why));
		bearer = login_bearer(j->a->login, NULL);
		conf.bearer = bearer;
	}
	api = api_new(j->base_url, j->prefix, &conf);
	api_set_idempotency(api, j->idempotent);
	login_bearer_free(bearer);
	rc = run_action(api, j, ctx, &err);
	if (rc < 0)
		pool_ctx_message(ctx, "%s", err.message);
	else if (j->a->poller != NULL && needed(j->kind) == CAP_SNAPSHOTS)
		look_and_kick(j->a->poller, j->box_id);
	else if (j->a->poller != NULL)
		poller_kick(j->a->poller);
	api_free(&api);
	return rc;
}

static int check(const struct action *act, const struct server_config *cfg, struct net_error *err)
{
	enum capability cap = needed(act->kind);

	if (cap != CAP_COUNT && api_require(cfg, cap, err) < 0)
		return -1;
	if ((act->kind == JOB_EXPORT || act->kind == JOB_IMPORT) &&
	    (act->path == NULL || act->path[0] == '\0')) {
		net_error_set(err, NET_LOCAL, "%s needs a file path", job_kind_name(act->kind));
		return -1;
	}
	if (act->kind == JOB_IMAGE_DELETE) {
		if (act->name != NULL && act->name[0] != '\0')
			return 0;
		net_error_set(err, NET_LOCAL, "%s needs an image name", job_kind_name(act->kind));
		return -1;
	}
	if (act->kind != JOB_IMPORT && (act->box_id == NULL || act->box_id[0] == '\0')) {
		net_error_set(err, NET_LOCAL, "%s needs a box", job_kind_name(act->kind));
		return -1;
	}
	if ((act->kind == JOB_SNAPSHOT_CREATE || act->kind == JOB_SNAPSHOT_DELETE ||
	     act->kind == JOB_SNAPSHOT_RESTORE) &&
	    (act->name == NULL || act->name[0] == '\0')) {
		net_error_set(err, NET_LOCAL, "%s needs a snapshot name", job_kind_name(act->kind));
		return -1;
	}
	return 0;
}

char *actions_clone_name(const char *box_name, int64_t now)
{
	char stamp[32];
	char *name;
	time_t t = (time_t)now;
	struct tm tm;
	size_t n = 0;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	name = xasprintf("%.100s-clone-%s", box_name != NULL ? box_name : "box", stamp);
	/* a box name is [A-Za-z0-9._-], starting alphanumeric */
	for (char *p = name; *p != '\0'; p++, n++)
		if (!isalnum((unsigned char)*p) && (n == 0 || strchr("._-", *p) == NULL))
			*p = n == 0 ? 'b' : '-';
	return name;
}

uint64_t actions_submit(struct actions *a, const struct action *act,
			const struct server_config *cfg, struct net_error *err)
{
	struct job tmpl = {.kind = act->kind};
	struct job_arg *j;
	uint64_t id;

	if (check(act, cfg, err) < 0)
		return 0;
	j = xcalloc(1, sizeof(*j));
	j->a = a;
	j->kind = act->kind;
	pthread_mutex_lock(&a->lock);
	j->base_url = xstrdup(a->base_url);
	j->prefix = xstrdup(a->prefix);
	pthread_mutex_unlock(&a->lock);
	j->box_id = xstrdup(act->box_id);
	j->name = xstrdup(act->name);
	j->path = xstrdup(act->path);
	j->force = act->force;
	j->no_verify = act->no_verify;
	j->idempotent = server_config_idempotent(cfg);
	/* without idempotency a clone whose answer is lost is found by its name: give it one */
	if (j->kind == JOB_CLONE && j->name == NULL && !j->idempotent)
		j->name = actions_clone_name(act->box_name != NULL ? act->box_name : act->box_id,
					     (int64_t)time(NULL));
	tmpl.box_id = j->box_id;
	tmpl.box_name = xstrdup(act->box_name); /* pool_submit copies the template */
	tmpl.arg = act->kind == JOB_EXPORT || act->kind == JOB_IMPORT ? j->path : j->name;
	/* an image is no box: its jobs are ordered by its name */
	id = pool_submit(a->pool, &tmpl, act->kind == JOB_IMAGE_DELETE ? act->name : act->box_id,
			 job_fn, j, job_arg_free);
	free(tmpl.box_name);
	return id;
}
