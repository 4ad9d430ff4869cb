/*
 * net/actions on the worker pool against a live boxlite-sim: each action
 * ends in the store's jobs table with the right state and message; an
 * export reports progress and leaves a verified file; a cancelled export
 * leaves nothing; capabilities refuse before anything is queued; actions on
 * one box run in order; a failed action can be retried; and on a server
 * without idempotency (boxlite serve) an action whose answer was lost is
 * looked for, not sent again blindly: exactly one snapshot, clone or
 * imported box afterwards, and the job says what it found.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/xalloc.h"
#include "net/actions.h"
#include "net/api.h"
#include "tests/support/simproc.h"

struct rig {
	struct simproc sim;
	struct store *store;
	struct pool *pool;
	struct actions *actions;
	struct store_view view;
	struct server_config cfg;
	char dir[64];
};

static void rig_up(struct rig *r, const char *const *args)
{
	struct http_conf conf = {0};

	memset(r, 0, sizeof(*r));
	assert_int_equal(simproc_start(&r->sim, args), 0);
	r->store = store_new();
	r->pool = pool_new(4, r->store);
	r->actions = actions_new(r->sim.url, NULL, &conf, NULL, r->pool, NULL);
	for (int c = 0; c < CAP_COUNT; c++)
		r->cfg.caps[c] = true;
	snprintf(r->dir, sizeof(r->dir), "/tmp/boxtop-actions-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
}

static void rig_down(struct rig *r)
{
	pool_free(&r->pool);
	actions_free(&r->actions);
	store_view_release(&r->view);
	store_free(&r->store);
	assert_int_equal(simproc_stop(&r->sim), 0);
	rmdir(r->dir);
}

/* Waits (at most 30 s) for job id to finish; its final copy in *out. */
static enum job_state wait_job(struct rig *r, uint64_t id, struct job *out)
{
	for (int i = 0; i < 3000; i++) {
		const struct job *j;

		store_read(r->store, &r->view);
		j = store_view_job(&r->view, id);
		if (j != NULL && job_is_finished(j)) {
			if (out != NULL)
				job_copy(out, j);
			return j->state;
		}
		usleep(10000);
	}
	fail_msg("job %llu did not finish", (unsigned long long)id);
	return JOB_QUEUED;
}

static uint64_t submit(struct rig *r, enum job_kind kind, const char *box, const char *name,
		       const char *path)
{
	struct action act = {
		.kind = kind, .box_id = box, .box_name = box, .name = name, .path = path};
	struct net_error err;
	uint64_t id = actions_submit(r->actions, &act, &r->cfg, &err);

	if (id == 0)
		fail_msg("refused: %s", err.message);
	return id;
}

static void test_actions(void **state)
{
	struct rig r;
	struct job j = {0};
	char *path;
	uint64_t id;

	(void)state;
	rig_up(&r, (const char *const[]){"--disk-size", "4M", NULL});
	id = submit(&r, JOB_SNAPSHOT_CREATE, "web-3", "s1", NULL);
	assert_int_equal(wait_job(&r, id, NULL), JOB_SUCCEEDED);
	/* Start then stop on one box: in order, the box ends stopped. */
	submit(&r, JOB_START, "web-3", NULL, NULL);
	id = submit(&r, JOB_STOP, "web-3", NULL, NULL);
	assert_int_equal(wait_job(&r, id, NULL), JOB_SUCCEEDED);
	id = submit(&r, JOB_CLONE, "web-3", "web-3-copy", NULL);
	assert_int_equal(wait_job(&r, id, &j), JOB_SUCCEEDED);
	assert_non_null(strstr(j.message, "web-3-copy"));
	job_clear(&j);
	path = xasprintf("%s/web-3.boxlite", r.dir);
	id = submit(&r, JOB_EXPORT, "web-3", NULL, path);
	assert_int_equal(wait_job(&r, id, &j), JOB_SUCCEEDED);
	assert_true(j.bytes_done > 0);
	assert_int_equal(j.bytes_done, j.bytes_total);
	assert_int_equal(access(path, R_OK), 0);
	job_clear(&j);
	id = submit(&r, JOB_IMPORT, NULL, "web-3-back", path);
	assert_int_equal(wait_job(&r, id, &j), JOB_SUCCEEDED);
	assert_non_null(strstr(j.message, "web-3-back"));
	job_clear(&j);
	id = submit(&r, JOB_DELETE_BOX, "web-3-back", NULL, NULL);
	assert_int_equal(wait_job(&r, id, NULL), JOB_SUCCEEDED);
	unlink(path);
	free(path);
	rig_down(&r);
}

static void test_failure_and_retry(void **state)
{
	struct rig r;
	struct job j = {0};
	uint64_t id;
	uint64_t restore;
	uint64_t again;

	(void)state;
	rig_up(&r, NULL);
	id = submit(&r, JOB_SNAPSHOT_CREATE, "web-1", "s1", NULL);
	assert_int_equal(wait_job(&r, id, NULL), JOB_SUCCEEDED);
	/* web-1 runs: restore fails with the server's words. */
	restore = submit(&r, JOB_SNAPSHOT_RESTORE, "web-1", "s1", NULL);
	assert_int_equal(wait_job(&r, restore, &j), JOB_FAILED);
	assert_non_null(strstr(j.message, "Cannot restore snapshot while box is running"));
	job_clear(&j);
	id = submit(&r, JOB_STOP, "web-1", NULL, NULL);
	assert_int_equal(wait_job(&r, id, NULL), JOB_SUCCEEDED);
	again = pool_retry(r.pool, restore);
	assert_true(again != 0);
	assert_int_equal(wait_job(&r, again, NULL), JOB_SUCCEEDED);
	rig_down(&r);
}

static void test_cancel_export(void **state)
{
	struct rig r;
	char *path;
	char *part;
	uint64_t id;
	struct job j = {0};

	(void)state;
	rig_up(&r, (const char *const[]){"--disk-size", "16M", "--rate", "1M", NULL});
	path = xasprintf("%s/slow.boxlite", r.dir);
	part = xasprintf("%s.part", path);
	id = submit(&r, JOB_EXPORT, "web-2", NULL, path);
	/* Wait for bytes to flow, then cancel. */
	for (int i = 0; i < 3000; i++) {
		const struct job *cur;

		store_read(r.store, &r.view);
		cur = store_view_job(&r.view, id);
		if (cur != NULL && cur->bytes_done > 0)
			break;
		usleep(10000);
	}
	assert_int_equal(pool_cancel(r.pool, id), 0);
	assert_int_equal(wait_job(&r, id, &j), JOB_CANCELLED);
	job_clear(&j);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(part, F_OK), -1);
	free(path);
	free(part);
	rig_down(&r);
}

static void test_refused(void **state)
{
	struct rig r;
	struct action act = {.kind = JOB_EXPORT, .box_id = "web-1", .path = "/tmp/x.boxlite"};
	struct net_error err;

	(void)state;
	rig_up(&r, NULL);
	r.cfg.caps[CAP_EXPORT] = false;
	assert_int_equal(actions_submit(r.actions, &act, &r.cfg, &err), 0);
	assert_int_equal(err.kind, NET_REFUSED);
	assert_non_null(strstr(err.message, "does not support"));
	assert_int_equal(actions_submit(r.actions, &act, NULL, &err), 0);
	act.kind = JOB_SNAPSHOT_CREATE;
	act.name = NULL;
	assert_int_equal(actions_submit(r.actions, &act, &r.cfg, &err), 0);
	assert_int_equal(err.kind, NET_LOCAL);
	/* Nothing reached the jobs table. */
	store_read(r.store, &r.view);
	assert_int_equal(store_view_job_count(&r.view), 0);
	rig_down(&r);
}

/* How many boxes the server has whose name starts with prefix. */
static size_t boxes_named(struct rig *r, const char *prefix)
{
	struct http_conf conf = {0};
	struct api *a = api_new(r->sim.url, NULL, &conf);
	struct box_list *l = NULL;
	struct net_error err;
	size_t n = 0;

	assert_int_equal(api_boxes(a, NULL, NULL, &l, &err), 0);
	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].name != NULL &&
		     strncmp(l->items[i].name, prefix, strlen(prefix)) == 0;
	box_list_free(&l);
	api_free(&a);
	return n;
}

static size_t snapshots_of(struct rig *r, const char *box)
{
	struct http_conf conf = {0};
	struct api *a = api_new(r->sim.url, NULL, &conf);
	struct snapshot_list *l = NULL;
	struct net_error err;
	size_t n;

	assert_int_equal(api_snapshots(a, box, NULL, &l, &err), 0);
	n = l->n;
	snapshot_list_free(&l);
	api_free(&a);
	return n;
}

/* Runs a job to success; its message must hold want (NULL: anything). */
static void succeeds(struct rig *r, uint64_t id, const char *want)
{
	struct job j = {0};

	if (wait_job(r, id, &j) != JOB_SUCCEEDED)
		fail_msg("job %s failed: %s", job_kind_name(j.kind), j.message);
	if (want != NULL && (j.message == NULL || strstr(j.message, want) == NULL))
		fail_msg("job %s says '%s', want '%s'", job_kind_name(j.kind), j.message, want);
	job_clear(&j);
}

static void test_lost_answers_serve(void **state)
{
	const char *args[] = {
		"--flavor",    "serve",
		"--disk-size", "1M",
		"--fault",     "POST /v1/boxes/web-3/snapshots:lost=1,count=1",
		"--fault",     "POST /v1/boxes/web-3/clone:lost=1,count=1",
		"--fault",     "POST /v1/boxes/web-2/clone:cut=1,count=1",
		"--fault",     "POST /v1/boxes/import:lost=1,count=1",
		"--fault",     "POST /v1/boxes/web-1/stop:lost=1,count=1",
		"--fault",     "DELETE /v1/boxes/web-1/snapshots/*:lost=1,count=1",
		"--fault",     "DELETE /v1/boxes/auth-svc:lost=1,count=1",
		NULL,
	};
	struct rig r;
	char *path;
	uint64_t id;

	(void)state;
	rig_up(&r, args);
	/* serve announces no idempotency_key_lifetime */
	id = submit(&r, JOB_SNAPSHOT_CREATE, "web-3", "s1", NULL);
	succeeds(&r, id, "boxtop looked and found the snapshot s1");
	assert_int_equal(snapshots_of(&r, "web-3"), 1);
	/* an unnamed clone gets a name from boxtop, so it can be found */
	id = submit(&r, JOB_CLONE, "web-3", NULL, NULL);
	succeeds(&r, id, "boxtop looked and found the clone by its name");
	assert_int_equal(boxes_named(&r, "web-3-clone-"), 1);
	/* the connection cut before anything was done: looked, nothing there, sent again */
	id = submit(&r, JOB_CLONE, "web-2", "web-2-copy", NULL);
	succeeds(&r, id, "made web-2-copy");
	assert_int_equal(boxes_named(&r, "web-2-copy"), 1);
	/* an import whose answer was lost */
	path = xasprintf("%s/web-2.boxlite", r.dir);
	succeeds(&r, submit(&r, JOB_EXPORT, "web-2", NULL, path), NULL);
	id = submit(&r, JOB_IMPORT, NULL, "web-2-back", path);
	succeeds(&r, id, "found a box named web-2-back");
	assert_int_equal(boxes_named(&r, "web-2-back"), 1);
	/* without a name, the archive's, made free: web-2 is taken, so web-2-2 */
	succeeds(&r, submit(&r, JOB_IMPORT, NULL, NULL, path), "made web-2-2");
	/* a stop, a snapshot delete, a box delete whose answers were lost */
	succeeds(&r, submit(&r, JOB_STOP, "web-1", NULL, NULL), "found the box stopped");
	succeeds(&r, submit(&r, JOB_SNAPSHOT_CREATE, "web-1", "tmp", NULL), NULL);
	succeeds(&r, submit(&r, JOB_SNAPSHOT_CREATE, "web-1", "tmp2", NULL), NULL);
	succeeds(&r, submit(&r, JOB_SNAPSHOT_RESTORE, "web-1", "tmp", NULL), NULL);
	succeeds(&r, submit(&r, JOB_SNAPSHOT_DELETE, "web-1", "tmp2", NULL),
		 "found the snapshot gone");
	assert_int_equal(snapshots_of(&r, "web-1"), 1);
	succeeds(&r, submit(&r, JOB_DELETE_BOX, "auth-svc", NULL, NULL), "found the box gone");
	assert_int_equal(boxes_named(&r, "auth-svc"), 0);
	/* a named clone onto a taken name is refused before anything is sent */
	id = submit(&r, JOB_CLONE, "web-3", "web-2-copy", NULL);
	{
		struct job j = {0};

		assert_int_equal(wait_job(&r, id, &j), JOB_FAILED);
		assert_non_null(strstr(j.message, "a box named web-2-copy exists already"));
		job_clear(&j);
	}
	unlink(path);
	free(path);
	rig_down(&r);
}

/* An image's repository some box runs ("postgres:16" -> "postgres"). Caller frees. */
static char *image_in_use(struct rig *r)
{
	struct http_conf conf = {0};
	struct api *a = api_new(r->sim.url, NULL, &conf);
	struct box_list *l = NULL;
	struct net_error err;
	char *name;

	assert_int_equal(api_boxes(a, NULL, NULL, &l, &err), 0);
	name = xstrndup(l->items[0].image, strcspn(l->items[0].image, ":"));
	box_list_free(&l);
	api_free(&a);
	return name;
}

/*
 * Deleting an image (serve: no idempotency): a lost answer is looked for
 * (the image gone); one a box runs fails with the server's words and what
 * to do about it, and stays.
 */
static void test_image_delete(void **state)
{
	const char *args[] = {"--flavor", "serve", "--fault",
			      "DELETE /v1/images/busybox:lost=1,count=1", NULL};
	struct action act = {.kind = JOB_IMAGE_DELETE, .name = "busybox"};
	struct net_error err;
	struct job j = {0};
	struct rig r;
	char *used;

	(void)state;
	rig_up(&r, args);
	succeeds(&r, actions_submit(r.actions, &act, &r.cfg, &err), "found the image gone");
	used = image_in_use(&r);
	act.name = used;
	assert_int_equal(wait_job(&r, actions_submit(r.actions, &act, &r.cfg, &err), &j),
			 JOB_FAILED);
	if (strstr(j.message, "invalid_state (409): image ") == NULL ||
	    strstr(j.message, "a box runs this image: delete or change those boxes first") == NULL)
		fail_msg("the refused delete says '%s'", j.message);
	assert_null(j.box_id);
	assert_string_equal(j.arg, used);
	job_clear(&j);
	act.name = NULL; /* no name: refused before anything is queued */
	assert_int_equal(actions_submit(r.actions, &act, &r.cfg, &err), 0);
	assert_non_null(strstr(err.message, "needs an image name"));
	free(used);
	rig_down(&r);
}

/* A mutation with nothing to look at: not sent again, and the error says why. */
static void test_lost_unlooked(void **state)
{
	const char *args[] = {"--flavor", "serve", "--fault", "POST /v1/boxes:lost=1", NULL};
	struct http_conf conf = {0};
	struct simproc s;
	struct api *a;
	char *url;
	struct http_req req = {.method = "POST", .json = "{\"name\":\"made-once\"}"};
	struct http_resp resp;
	struct net_error err;
	struct box *b = NULL;

	(void)state;
	assert_int_equal(simproc_start(&s, args), 0);
	a = api_new(s.url, NULL, &conf);
	url = api_url(a, true, "/boxes");
	req.url = url;
	assert_int_equal(api_send(a, &req, true, &resp, &err), -1);
	assert_non_null(strstr(err.message, "the answer was lost"));
	assert_non_null(strstr(err.message, "not sent again blindly"));
	/* it was made once, not four times */
	assert_int_equal(api_box(a, "made-once", NULL, &b, &err), 0);
	box_free(&b);
	assert_int_equal(api_box(a, "made-once-2", NULL, &b, &err), -1);
	free(url);
	api_free(&a);
	assert_int_equal(simproc_stop(&s), 0);
}

/* Where idempotency is announced, the lost answer is asked for again with the key. */
static void test_lost_idempotent(void **state)
{
	const char *args[] = {"--fault", "POST /v1/boxes/web-3/clone:lost=1,count=1", NULL};
	struct rig r;
	uint64_t id;

	(void)state;
	rig_up(&r, args);
	r.cfg.idempotency_key_lifetime = (char[]){"PT24H"};
	id = submit(&r, JOB_CLONE, "web-3", "web-3-once", NULL);
	succeeds(&r, id, "made web-3-once");
	assert_int_equal(boxes_named(&r, "web-3-once"), 1);
	r.cfg.idempotency_key_lifetime = NULL;
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_failure_and_retry),
		cmocka_unit_test(test_cancel_export),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_lost_answers_serve),
		cmocka_unit_test(test_lost_unlooked),
		cmocka_unit_test(test_image_delete),
		cmocka_unit_test(test_lost_idempotent),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
