/*
 * net/actions on the worker pool against a live boxlite-sim: each action
 * ends in the store's jobs table with the right state and message; an
 * export reports progress and leaves a verified file; a cancelled export
 * leaves nothing; capabilities refuse before anything is queued; actions on
 * one box run in order; a failed action can be retried.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_failure_and_retry),
		cmocka_unit_test(test_cancel_export),
		cmocka_unit_test(test_refused),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
