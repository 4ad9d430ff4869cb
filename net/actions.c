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
#include "files.h"
#include "model/timeutil.h"
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
	const struct action_def *def;
	char *base_url;
	char *prefix;
	char *box_id;
	char *name;
	char *path;
	char *box_path;
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
	free(j->box_path);
	free(j);
}

/* A transfer's silence as the job's message: the Jobs view says what it waits for. */
static void say_waiting(void *ctx, const char *what)
{
	pool_ctx_message(ctx, "%s", what != NULL ? what : "");
}

static struct xfer_opts xfer_opts_for(const struct job_arg *j, struct pool_ctx *ctx)
{
	return (struct xfer_opts){.force = j->force,
				  .no_verify = j->no_verify,
				  .cancel = pool_ctx_cancel_flag(ctx),
				  .progress = pool_ctx_progress_cb,
				  .progress_arg = ctx,
				  .waiting = say_waiting};
}

/* A mutation whose answer was lost says what boxtop found when it looked. */
static void say_note(struct api *api, struct pool_ctx *ctx)
{
	if (api_note(api)[0] != '\0')
		pool_ctx_message(ctx, "%s", api_note(api));
}

/* What a job that made a box says: its name and id, and how boxtop knows. */
static void made_box(struct api *api, struct pool_ctx *ctx, const struct box *box)
{
	pool_ctx_message(ctx, "made %s (%s)%s%s", box_display_name(box), box->id,
			 api_note(api)[0] != '\0' ? "; " : "", api_note(api));
	pool_ctx_result(ctx, box->id);
}

static int run_snapshot_create(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
			       struct net_error *err)
{
	struct snapshot *snap = NULL;
	int rc =
		api_snapshot_create(api, j->box_id, j->name, pool_ctx_cancel_flag(ctx), &snap, err);

	if (rc == 0) {
		say_note(api, ctx);
		pool_ctx_result(ctx, j->name);
	}
	snapshot_free(&snap);
	return rc;
}

static int run_snapshot_delete(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
			       struct net_error *err)
{
	int rc = api_snapshot_delete(api, j->box_id, j->name, pool_ctx_cancel_flag(ctx), err);

	if (rc == 0)
		say_note(api, ctx);
	return rc;
}

static int run_snapshot_restore(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
				struct net_error *err)
{
	int rc = api_snapshot_restore(api, j->box_id, j->name, pool_ctx_cancel_flag(ctx), err);

	if (rc == 0)
		say_note(api, ctx);
	return rc;
}

static int run_clone(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		     struct net_error *err)
{
	struct box *box = NULL;
	int rc = api_box_clone(api, j->box_id, j->name, pool_ctx_cancel_flag(ctx), &box, err);

	if (rc == 0)
		made_box(api, ctx, box);
	box_free(&box);
	return rc;
}

static int run_export(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		      struct net_error *err)
{
	struct xfer_opts o = xfer_opts_for(j, ctx);
	int rc = xfer_export(api, j->box_id, j->path, &o, err);

	if (rc == 0) {
		pool_ctx_message(ctx, "saved %s", j->path);
		pool_ctx_result(ctx, j->path);
	}
	return rc;
}

static int run_import(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		      struct net_error *err)
{
	struct xfer_opts o = xfer_opts_for(j, ctx);
	struct box *box = NULL;
	int rc = xfer_import(api, j->path, j->name, &o, &box, err);

	if (rc == 0)
		made_box(api, ctx, box);
	box_free(&box);
	return rc;
}

static int run_start(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		     struct net_error *err)
{
	struct box *box = NULL;
	int rc = api_box_start(api, j->box_id, pool_ctx_cancel_flag(ctx), &box, err);

	if (rc == 0)
		say_note(api, ctx);
	box_free(&box);
	return rc;
}

static int run_stop(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		    struct net_error *err)
{
	struct box *box = NULL;
	int rc = api_box_stop(api, j->box_id, pool_ctx_cancel_flag(ctx), &box, err);

	if (rc == 0)
		say_note(api, ctx);
	box_free(&box);
	return rc;
}

static int run_delete_box(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
			  struct net_error *err)
{
	int rc = api_box_delete(api, j->box_id, j->force, pool_ctx_cancel_flag(ctx), err);

	if (rc == 0)
		say_note(api, ctx);
	return rc;
}

/*
 * A 409 on an image delete means boxes run it (api.md): the server's words
 * name one tag, so the job says what to do about it.
 */
static int run_image_delete(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
			    struct net_error *err)
{
	int rc = api_image_delete(api, j->name, pool_ctx_cancel_flag(ctx), err);
	size_t n = rc < 0 ? strlen(err->message) : 0;

	if (rc == 0)
		say_note(api, ctx);
	else if (err->kind == NET_STATUS && err->api.http_status == 409)
		snprintf(err->message + n, sizeof(err->message) - n, "%s",
			 "; a box runs this image: delete or change those boxes first");
	return rc;
}

static int run_cp_out(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		      struct net_error *err)
{
	struct xfer_opts o = xfer_opts_for(j, ctx);
	char *saved = NULL;
	int rc = files_copy_out(api, j->box_id, j->box_path, j->path, &o, &saved, err);

	if (rc == 0) {
		pool_ctx_message(ctx, "copied %s to %s", j->box_path, saved);
		pool_ctx_result(ctx, saved);
	}
	free(saved);
	return rc;
}

/* A PUT changes the box: without idempotency a lost answer is not sent again (api.h). */
static int run_cp_in(struct api *api, const struct job_arg *j, struct pool_ctx *ctx,
		     struct net_error *err)
{
	struct xfer_opts o = xfer_opts_for(j, ctx);
	char *where = NULL;
	int rc = files_copy_in(api, j->box_id, j->path, j->box_path, &o, &where, err);

	if (rc == 0) {
		pool_ctx_message(ctx, "copied %s to %s", j->path, where);
		pool_ctx_result(ctx, where);
	}
	free(where);
	return rc;
}

/* ---- the table ---- */

static const struct action_def defs[] = {
	{.kind = JOB_SNAPSHOT_CREATE,
	 .command = "snapshot",
	 .help = "snapshot the box",
	 .needs = ACT_BOX | ACT_NAME,
	 .cap = CAP_SNAPSHOTS,
	 .ask_name = "Snapshot %b: name",
	 .run = run_snapshot_create},
	{.kind = JOB_SNAPSHOT_RESTORE,
	 .command = "restore",
	 .help = "restore a snapshot",
	 .needs = ACT_BOX | ACT_SNAPSHOT,
	 .cap = CAP_SNAPSHOTS,
	 .confirm = CONFIRM_YES,
	 .ask_pick = "Restore which snapshot of %b?",
	 .ask_confirm = "Restore %b to %s?",
	 .warning = "Its disk is replaced by the snapshot's.",
	 .warning_running = "It is running: stop it first, then restore (its disk is replaced)",
	 .stop_first = true,
	 .run = run_snapshot_restore},
	{.kind = JOB_SNAPSHOT_DELETE,
	 .command = "delete-snapshot",
	 .help = "delete a snapshot",
	 .needs = ACT_BOX | ACT_SNAPSHOT,
	 .cap = CAP_SNAPSHOTS,
	 .confirm = CONFIRM_TYPE,
	 .ask_pick = "Delete which snapshot of %b?",
	 .ask_confirm = "Delete snapshot %s of %b?",
	 .warning = "It cannot be brought back.",
	 .run = run_snapshot_delete},
	{.kind = JOB_CLONE,
	 .command = "clone",
	 .help = "clone the box",
	 .needs = ACT_BOX | ACT_NAME,
	 .cap = CAP_CLONE,
	 .ask_name = "Clone %b: name of the new box (empty: the server picks)",
	 .name_optional = true,
	 .run = run_clone},
	{.kind = JOB_EXPORT,
	 .command = "export",
	 .help = "export to a .boxlite file",
	 .needs = ACT_BOX | ACT_DEST,
	 .cap = CAP_EXPORT,
	 .ask_path = "Export %b to",
	 .run = run_export},
	{.kind = JOB_IMPORT,
	 .command = "import",
	 .help = "import a .boxlite file",
	 .needs = ACT_FILE | ACT_NAME,
	 .cap = CAP_IMPORT,
	 .ask_path = "Import a .boxlite archive from",
	 .ask_name = "Import: name of the new box (empty: the archive's)",
	 .name_optional = true,
	 .run = run_import},
	{.kind = JOB_START,
	 .command = "start",
	 .help = "start the box",
	 .needs = ACT_BOX,
	 .cap = CAP_COUNT,
	 .run = run_start},
	{.kind = JOB_STOP,
	 .command = "stop",
	 .help = "stop the box",
	 .needs = ACT_BOX,
	 .cap = CAP_COUNT,
	 .confirm = CONFIRM_YES,
	 .ask_confirm = "Stop %b?",
	 .warning = "Its processes are ended.",
	 .run = run_stop},
	{.kind = JOB_DELETE_BOX,
	 .command = "delete",
	 .help = "delete the box",
	 .needs = ACT_BOX,
	 .cap = CAP_COUNT,
	 .confirm = CONFIRM_TYPE,
	 .ask_confirm = "Delete box %b?",
	 .warning = "Its disk and snapshots are deleted.",
	 .warning_running =
		 "It is running: it is stopped and deleted, with its disk and snapshots.",
	 .force = true,
	 .run = run_delete_box},
	{.kind = JOB_IMAGE_DELETE,
	 .command = "delete-image",
	 .help = "delete the image",
	 .needs = ACT_IMAGE,
	 .cap = CAP_COUNT,
	 .confirm = CONFIRM_TYPE,
	 .ask_confirm = "Delete image %i?",
	 .warning = "Every tag of it leaves the cache (refused while a box runs it).",
	 .run = run_image_delete},
	{.kind = JOB_CP_OUT,
	 .command = "copy-from",
	 .help = "copy a path out of the running box",
	 .needs = ACT_BOX | ACT_BOX_PATH | ACT_LOCAL,
	 .cap = CAP_COUNT,
	 .ask_box_path = "Copy from %b: path in the box (dir/. for its contents)",
	 .ask_path = "Copy it to (a directory gets it inside)",
	 .usage = ACTION_CP_COMMAND " BOX:PATH DEST",
	 .read_only = true,
	 .run = run_cp_out},
	{.kind = JOB_CP_IN,
	 .command = "copy-to",
	 .help = "copy a local file or directory into the running box",
	 .needs = ACT_BOX | ACT_BOX_PATH | ACT_LOCAL,
	 .cap = CAP_COUNT,
	 .ask_path = "Copy into %b: local file or directory (dir/. for its contents)",
	 .ask_box_path = "Copy it into %b at (a directory there gets it inside)",
	 .usage = ACTION_CP_COMMAND " SRC BOX:PATH",
	 .run = run_cp_in},
};

_Static_assert(ARRAY_LEN(defs) == JOB_KIND_COUNT, "every job kind is one action");

const struct action_def *action_defs(size_t *n)
{
	*n = ARRAY_LEN(defs);
	return defs;
}

const struct action_def *action_def(enum job_kind kind)
{
	for (size_t i = 0; i < ARRAY_LEN(defs); i++)
		if (defs[i].kind == kind)
			return &defs[i];
	return NULL;
}

const char *action_box_refusal(const struct action_def *d, const struct box *b)
{
	if (d->read_only && b != NULL && b->status != BOX_RUNNING)
		return "the box is not running (reading it would start it on boxlite serve: start "
		       "it first)";
	return NULL;
}

const struct action_def *action_by_command(const char *command)
{
	for (size_t i = 0; command != NULL && i < ARRAY_LEN(defs); i++)
		if (strcmp(defs[i].command, command) == 0)
			return &defs[i];
	if (command != NULL && strcmp(command, ACTION_CP_COMMAND) == 0)
		return action_def(JOB_CP_OUT);
	return NULL;
}

char *action_usage(const struct action_def *d, char *buf, size_t size)
{
	if (d->usage != NULL) {
		snprintf(buf, size, "%s", d->usage);
		return buf;
	}
	snprintf(buf, size, "%s%s%s%s%s%s%s%s", d->command, d->needs & ACT_BOX ? " BOX" : "",
		 d->needs & ACT_IMAGE ? " IMAGE" : "", d->needs & ACT_SNAPSHOT ? " SNAPSHOT" : "",
		 d->needs & ACT_FILE ? " FILE" : "",
		 d->needs & ACT_DEST ? " [-o PATH] [--force] [--no-verify]" : "",
		 d->needs & ACT_NAME ? " [--name NAME]" : "",
		 d->confirm != CONFIRM_NONE ? " [--yes]" : "");
	return buf;
}

char *action_text(const char *tmpl, const char *box, const char *snapshot, const char *image)
{
	size_t cap = 64, len = 0;
	char *out = xmalloc(cap);

	for (const char *p = tmpl != NULL ? tmpl : ""; *p != '\0'; p++) {
		const char *add = p;
		size_t n = 1;

		if (p[0] == '%' && (p[1] == 'b' || p[1] == 's' || p[1] == 'i')) {
			add = p[1] == 'b' ? box : p[1] == 's' ? snapshot : image;
			add = add != NULL ? add : "";
			n = strlen(add);
			p++;
		}
		while (len + n + 1 > cap)
			out = xrealloc(out, cap *= 2);
		memcpy(out + len, add, n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

char *action_default_name(const struct action_def *d, const char *box_name, int64_t now)
{
	char stamp[32];

	if (d->kind == JOB_CLONE)
		return xasprintf("%s-clone", box_name != NULL ? box_name : "box");
	if (d->kind != JOB_SNAPSHOT_CREATE)
		return NULL;
	return xasprintf("snap-%s", time_format_stamp(now, stamp, sizeof(stamp)));
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
	rc = j->def->run(api, j, ctx, &err);
	if (rc < 0)
		pool_ctx_message(ctx, "%s", err.message);
	else if (j->a->poller != NULL && j->def->cap == CAP_SNAPSHOTS)
		look_and_kick(j->a->poller, j->box_id);
	else if (j->a->poller != NULL)
		poller_kick(j->a->poller);
	api_free(&api);
	return rc;
}

/* What the action lacks, as "export needs a file", or NULL. */
static const char *lacks(const struct action_def *d, const struct action *act)
{
	if ((d->needs & ACT_BOX) && (act->box_id == NULL || act->box_id[0] == '\0'))
		return "a box";
	if ((d->needs & ACT_IMAGE) && (act->name == NULL || act->name[0] == '\0'))
		return "an image name";
	if ((d->needs & ACT_SNAPSHOT) && (act->name == NULL || act->name[0] == '\0'))
		return "a snapshot name";
	if ((d->needs & (ACT_FILE | ACT_DEST | ACT_LOCAL)) &&
	    (act->path == NULL || act->path[0] == '\0'))
		return "a file path";
	if ((d->needs & ACT_BOX_PATH) && (act->box_path == NULL || act->box_path[0] == '\0'))
		return "a path in the box";
	if ((d->needs & ACT_NAME) && !d->name_optional &&
	    (act->name == NULL || act->name[0] == '\0'))
		return "a name";
	return NULL;
}

static int check(const struct action_def *d, const struct action *act,
		 const struct server_config *cfg, struct net_error *err)
{
	const char *missing;

	if (d == NULL) {
		net_error_set(err, NET_LOCAL, "unknown action");
		return -1;
	}
	if (d->cap != CAP_COUNT && api_require(cfg, d->cap, err) < 0)
		return -1;
	missing = lacks(d, act);
	if (missing != NULL) {
		net_error_set(err, NET_LOCAL, "%s needs %s", job_kind_name(d->kind), missing);
		return -1;
	}
	return 0;
}

char *actions_clone_name(const char *box_name, int64_t now)
{
	char stamp[32];
	char *name;
	size_t n = 0;

	time_format_stamp(now, stamp, sizeof(stamp));
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
	const struct action_def *d = action_def(act->kind);
	struct job tmpl = {.kind = act->kind};
	struct job_arg *j;
	uint64_t id;

	if (check(d, act, cfg, err) < 0)
		return 0;
	j = xcalloc(1, sizeof(*j));
	j->a = a;
	j->def = d;
	pthread_mutex_lock(&a->lock);
	j->base_url = xstrdup(a->base_url);
	j->prefix = xstrdup(a->prefix);
	pthread_mutex_unlock(&a->lock);
	j->box_id = xstrdup(act->box_id);
	j->name = xstrdup(act->name);
	j->path = xstrdup(act->path);
	j->box_path = xstrdup(act->box_path);
	j->force = act->force || d->force;
	j->no_verify = act->no_verify;
	j->idempotent = server_config_idempotent(cfg);
	/* without idempotency a clone whose answer is lost is found by its name: give it one */
	if (d->kind == JOB_CLONE && j->name == NULL && !j->idempotent)
		j->name = actions_clone_name(act->box_name != NULL ? act->box_name : act->box_id,
					     (int64_t)time(NULL));
	tmpl.box_id = j->box_id;
	tmpl.box_name = xstrdup(act->box_name); /* pool_submit copies the template */
	tmpl.arg = d->needs & (ACT_FILE | ACT_DEST) ? j->path : j->name;
	if (d->needs & ACT_BOX_PATH) /* pool_submit copies it */
		tmpl.arg = d->kind == JOB_CP_IN ? xasprintf("%s -> %s", j->path, j->box_path)
						: xasprintf("%s -> %s", j->box_path, j->path);
	/* an image is no box: its jobs are ordered by its name */
	id = pool_submit(a->pool, &tmpl, d->needs & ACT_IMAGE ? act->name : act->box_id, job_fn, j,
			 job_arg_free);
	free(tmpl.box_name);
	if (d->needs & ACT_BOX_PATH)
		free(tmpl.arg);
	return id;
}
