/*
 * keys: the key tables' invariants, what the generated help and the
 * refusals say, the reactions keys return, and actions asked for from
 * their table row alone (flow.c) down to the job queued, on a dashboard
 * with no terminal (nothing here draws). The poller runs against a port
 * nobody listens on: it only records the looks asked of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/timeutil.h"
#include "model/xalloc.h"
#include "tui/keys.h"
#include "tui/ui.h"

static const struct binding *global(size_t *n)
{
	const struct binding *t;

	*n = keys_table(&t);
	return t;
}

static bool row_binds(const struct binding *b, int key)
{
	for (int i = 0; i < BINDING_KEYS && b->keys[i] != 0; i++)
		if (b->keys[i] == key)
			return true;
	return false;
}

/* Within one table no key means two things (a view's row may override a global one). */
static void no_key_twice_in(const struct binding *t, size_t n, const char *table)
{
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			for (int i = 0; i < BINDING_KEYS && t[a].keys[i] != 0; i++)
				if (row_binds(&t[b], t[a].keys[i]))
					fail_msg("%s: key %d is '%s' and '%s'", table, t[a].keys[i],
						 binding_help(&t[a]), binding_help(&t[b]));
}

static void test_no_key_twice(void **state)
{
	size_t n;
	const struct binding *t = global(&n);

	(void)state;
	assert_true(n > 20);
	no_key_twice_in(t, n, "global");
	for (size_t v = 0; v < view_count(); v++)
		no_key_twice_in(view_class_at(v)->keys, view_class_at(v)->n_keys,
				view_class_at(v)->name);
}

static void row_is_complete(const struct binding *b)
{
	assert_int_not_equal(b->keys[0], 0);
	assert_true((b->fn != NULL) != (b->action != NO_ACTION));
	if (b->action != NO_ACTION)
		assert_non_null(action_def((enum job_kind)b->action));
	if (binding_label(b)[0] != '\0')
		assert_true(strlen(binding_help(b)) > 3);
	if (b->flags & IN_HINTS)
		assert_true(binding_label(b)[0] != '\0');
}

/* Every row runs something, has a key and, when labelled, says what it does. */
static void test_rows_are_complete(void **state)
{
	size_t n;
	const struct binding *t = global(&n);

	(void)state;
	for (size_t i = 0; i < n; i++)
		row_is_complete(&t[i]);
	for (size_t v = 0; v < view_count(); v++)
		for (size_t i = 0; i < view_class_at(v)->n_keys; i++)
			row_is_complete(&view_class_at(v)->keys[i]);
}

/* Each action of net/actions' table is reachable from a key (start and stop through s). */
static void test_every_action_has_a_key(void **state)
{
	size_t n_defs, n;
	const struct action_def *defs = action_defs(&n_defs);
	const struct binding *t = global(&n);

	(void)state;
	for (size_t d = 0; d < n_defs; d++) {
		bool found = defs[d].kind == JOB_START || defs[d].kind == JOB_STOP;

		for (size_t i = 0; i < n && !found; i++)
			found = t[i].action == (int)defs[d].kind;
		for (size_t v = 0; v < view_count() && !found; v++)
			for (size_t i = 0; i < view_class_at(v)->n_keys && !found; i++)
				found = view_class_at(v)->keys[i].action == (int)defs[d].kind;
		if (!found)
			fail_msg("action %s has no key", defs[d].command);
	}
}

/* ---- a dashboard without a terminal ---- */

static struct opts o;
static struct settings s;
static struct ui ui;

static struct box_list *boxes(void)
{
	static const char *const names[] = {"web-1", "web-2", "db-1"};
	struct box_list *l = xcalloc(1, sizeof(*l));

	l->n = ARRAY_LEN(names);
	l->items = xcalloc(l->n, sizeof(struct box));
	for (size_t i = 0; i < l->n; i++) {
		l->items[i].id = xasprintf("ID-%s", names[i]);
		l->items[i].name = xstrdup(names[i]);
		l->items[i].image = xstrdup("alpine");
		l->items[i].status = i == 1 ? BOX_RUNNING : BOX_STOPPED;
	}
	return l;
}

/* The server's config, with every capability on (or none). */
static void set_caps(bool on)
{
	struct server_config *c = xcalloc(1, sizeof(*c));

	for (int i = 0; i < CAP_COUNT; i++)
		c->caps[i] = c->caps_said[i] = on;
	store_set_config(ui.store, &c);
}

static void absorb(void)
{
	unsigned changed = store_read(ui.store, &ui.view);

	views_update(&ui, changed);
}

static int setup(void **state)
{
	struct poller_opts po = {.base_url = "http://127.0.0.1:1", .interval_ms = 3600000};
	struct http_conf conf = {0};
	struct box_list *l = boxes();
	char err[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	memset(&ui, 0, sizeof(ui));
	o.export_dir = "/tmp/exports";
	ui.opts = &o;
	ui.settings = &s;
	ui.store = store_new();
	ui.pool = pool_new(1, ui.store);
	ui.poller = poller_start(&po, ui.store);
	ui.actions = actions_new(po.base_url, NULL, &conf, NULL, ui.pool, NULL);
	assert_int_equal(views_create(&ui, err, sizeof(err)), 0);
	store_set_boxes(ui.store, &l);
	set_caps(true);
	absorb();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pool_free(&ui.pool);
	actions_free(&ui.actions);
	poller_stop(&ui.poller);
	views_destroy(&ui);
	modal_close(&ui);
	flow_forget(&ui);
	store_view_release(&ui.view);
	store_free(&ui.store);
	eventlog_clear(&ui.events);
	free(ui.flash);
	return 0;
}

static size_t help_lines_with(const char *needle, size_t *total)
{
	char **lines = NULL;
	size_t n = keys_help_lines(&ui, &lines), hits = 0;

	for (size_t i = 0; i < n; i++) {
		hits += strstr(lines[i], needle) != NULL;
		free(lines[i]);
	}
	free(lines);
	*total = n;
	return hits;
}

/* The help is generated from the tables: the off ones say why. */
static void test_help_says_why(void **state)
{
	size_t total, mutating;

	(void)state;
	o.readonly = true;
	mutating = help_lines_with("[off: read-only mode (--readonly)]", &total);
	/* S R d c e i s D ! in the Boxes view */
	assert_int_equal(mutating, 9);
	assert_true(total > 20);
	o.readonly = false;
	assert_int_equal(help_lines_with("[off:", &total), 0);
	set_caps(false);
	absorb();
	/* without the flags the official client gates: snapshot, restore, delete, clone, export,
	 * import */
	assert_int_equal(help_lines_with("does not support", &total), 6);
}

/* A refused key explains itself on the message line and opens nothing. */
static void test_refusals(void **state)
{
	(void)state;
	o.readonly = true;
	assert_int_equal(keys_handle(&ui, 'S'), REDRAW_FOOT);
	assert_non_null(strstr(ui.flash, "snapshot the box: read-only"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	o.readonly = false;
	set_caps(false);
	absorb();
	keys_handle(&ui, 'i'); /* import needs no box, but a capability */
	assert_non_null(strstr(ui.flash, "does not support"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	keys_handle(&ui, '3'); /* D there deletes an image: none is listed */
	keys_handle(&ui, 'D');
	assert_non_null(strstr(ui.flash, "delete the image: no image selected"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	/* the Images view has no box: S is not a key there */
	free(ui.flash);
	ui.flash = NULL;
	assert_int_equal(keys_handle(&ui, 'S'), 0);
	assert_null(ui.flash);
}

/* Keys return what they changed; a key that changes nothing redraws nothing. */
static void test_reactions(void **state)
{
	(void)state;
	assert_int_equal(keys_handle(&ui, 'Z'), 0); /* unbound */
	assert_int_equal(keys_handle(&ui, 'k'), 0); /* already on the first row */
	assert_int_equal(keys_handle(&ui, '1'), 0); /* already shown */
	assert_int_equal(keys_handle(&ui, 'j'), REDRAW_BODY | REDRAW_FOOT);
	assert_string_equal(boxes_selected(&ui)->name, "web-1"); /* name order: db-1, web-1 */
	assert_int_equal(keys_handle(&ui, 'p'), REDRAW_HEAD | REDRAW_FOOT);
	assert_true(ui.paused);
	keys_handle(&ui, 'p');
	assert_int_equal(keys_handle(&ui, KEY_ESC) & REDRAW_ALL, 0); /* nothing to undo */
	assert_int_equal(keys_handle(&ui, '?'), REDRAW_ALL);
	assert_int_equal(ui.modal.kind, MODAL_HELP);
	assert_int_equal(modal_key(&ui, 'x'), REDRAW_ALL);
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	assert_int_equal(keys_handle(&ui, CTRL_KEY('l')), REDRAW_ALL | REDRAW_SCREEN);
}

/* Views by number and Tab, in the table's order; Enter and Esc; quit. */
static void test_views_and_quit(void **state)
{
	(void)state;
	keys_handle(&ui, '4');
	assert_true(ui_showing(&ui, &view_jobs));
	keys_handle(&ui, '\t');
	assert_true(ui_showing(&ui, &view_events));
	keys_handle(&ui, '\t');
	assert_true(ui_showing(&ui, &view_logs));
	keys_handle(&ui, '\t');
	assert_true(ui_showing(&ui, &view_boxes));
	keys_handle(&ui, KEYCODE(KEY_BTAB));
	assert_true(ui_showing(&ui, &view_logs));
	keys_handle(&ui, KEY_ESC);
	assert_true(ui_showing(&ui, &view_boxes));
	assert_int_equal(keys_handle(&ui, '9'), 0); /* no ninth view */
	keys_handle(&ui, '\r');
	assert_true(ui_showing(&ui, &view_detail));
	assert_false(ui.quit);
	keys_handle(&ui, 'q'); /* no jobs: quits at once */
	assert_true(ui.quit);
}

/* The filter line: typing filters, Esc clears, Enter keeps. */
static void test_filter_line(void **state)
{
	(void)state;
	keys_handle(&ui, '/');
	keys_handle(&ui, 'w');
	keys_handle(&ui, 'e');
	assert_int_equal(boxes_shown(&ui), 2);
	keys_handle(&ui, 'b');
	keys_handle(&ui, '-');
	keys_handle(&ui, '2');
	assert_int_equal(boxes_shown(&ui), 1);
	keys_handle(&ui, 127); /* Backspace */
	assert_int_equal(boxes_shown(&ui), 2);
	keys_handle(&ui, '\r');
	assert_int_equal(boxes_shown(&ui), 2);
	assert_true(ui_showing(&ui, &view_boxes)); /* '2' went to the line, not the Detail view */
	keys_handle(&ui, KEY_ESC);                 /* in the boxes view: clears the filter */
	assert_int_equal(boxes_shown(&ui), 3);
	assert_non_null(strstr(ui.flash, "filter cleared"));
	keys_handle(&ui, '/');
	keys_handle(&ui, 'x');
	assert_int_equal(boxes_shown(&ui), 0);
	keys_handle(&ui, KEY_ESC); /* in the line: clears it too */
	assert_int_equal(boxes_shown(&ui), 3);
}

/* ---- actions from their rows ---- */

static size_t job_count(void)
{
	store_read(ui.store, &ui.view);
	return store_view_job_count(&ui.view);
}

/* The newest job in the store, after it was queued (a failure when there is none). */
static const struct job *last_job(void)
{
	size_t n = job_count();
	const struct job *j = n > 0 ? store_view_job_at(&ui.view, n - 1) : NULL;

	if (j == NULL)
		fail_msg("no job was queued");
	return j;
}

static void type(const char *text)
{
	for (const char *p = text; *p != '\0'; p++)
		modal_key(&ui, *p);
}

/* S: a name prompt with the default, Enter queues the snapshot of the selected box. */
static void test_snapshot_flow(void **state)
{
	const struct job *j;

	(void)state;
	keys_handle(&ui, 'j'); /* web-1 */
	assert_int_equal(keys_handle(&ui, 'S'), REDRAW_ALL);
	assert_int_equal(ui.modal.kind, MODAL_PROMPT);
	assert_string_equal(ui.modal.title, "Snapshot web-1: name");
	assert_int_equal(strncmp(lineedit_text(&ui.modal.edit), "snap-", 5), 0);
	modal_key(&ui, CTRL_KEY('u'));
	type("before-upgrade");
	modal_key(&ui, '\r');
	assert_null(ui.flow);
	j = last_job();
	assert_int_equal(j->kind, JOB_SNAPSHOT_CREATE);
	assert_string_equal(j->box_id, "ID-web-1");
	assert_string_equal(j->arg, "before-upgrade");
	assert_non_null(strstr(ui.flash, "snapshot web-1 queued (4 shows the jobs)"));
	/* an empty name is refused, nothing queued */
	keys_handle(&ui, 'S');
	modal_key(&ui, CTRL_KEY('u'));
	modal_key(&ui, '\r');
	assert_non_null(strstr(ui.flash, "snapshot needs a name"));
	assert_null(ui.flow);
	assert_int_equal(job_count(), 1);
}

/* D: the box's name typed out; a wrong one is refused, the right one queues the delete. */
static void test_delete_flow(void **state)
{
	const struct job *j;

	(void)state;
	keys_handle(&ui, 'j');
	keys_handle(&ui, 'j'); /* web-2, running */
	keys_handle(&ui, 'D');
	assert_int_equal(ui.modal.kind, MODAL_CONFIRM);
	assert_string_equal(ui.modal.title, "Delete box web-2?");
	assert_non_null(strstr(ui.modal.message, "It is running"));
	assert_string_equal(ui.modal.must_type, "web-2");
	type("web-1");
	modal_key(&ui, '\r');
	assert_int_equal(ui.modal.kind, MODAL_CONFIRM);
	assert_non_null(strstr(ui.modal.hint, "that is not web-2"));
	assert_int_equal(job_count(), 0);
	modal_key(&ui, CTRL_KEY('u'));
	type("web-2");
	modal_key(&ui, '\r');
	j = last_job();
	assert_int_equal(j->kind, JOB_DELETE_BOX);
	assert_string_equal(j->box_name, "web-2");
}

/* Esc anywhere in a flow drops it: nothing is queued. */
static void test_flow_dismissed(void **state)
{
	(void)state;
	keys_handle(&ui, 'c');
	assert_string_equal(ui.modal.title,
			    "Clone db-1: name of the new box (empty: the server picks)");
	assert_string_equal(lineedit_text(&ui.modal.edit), "db-1-clone");
	assert_non_null(ui.flow);
	modal_key(&ui, KEY_ESC);
	assert_null(ui.flow);
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	keys_handle(&ui, 's'); /* db-1 is stopped: s starts it, no question */
	assert_int_equal(last_job()->kind, JOB_START);
	keys_handle(&ui, 'j');
	keys_handle(&ui, 'j'); /* web-2 runs: s asks first */
	keys_handle(&ui, 's');
	assert_string_equal(ui.modal.title, "Stop web-2?");
	modal_key(&ui, 'n');
	assert_null(ui.flow);
	assert_int_equal(last_job()->kind, JOB_START);
}

/* e: the path prompt starts at --export-dir; i: a file, then the name (empty: the archive's). */
static void test_transfer_flows(void **state)
{
	const struct job *j;

	(void)state;
	keys_handle(&ui, 'e');
	assert_true(ui.modal.completes_paths);
	assert_int_equal(strncmp(lineedit_text(&ui.modal.edit), "/tmp/exports/db-1-", 18), 0);
	modal_key(&ui, '\r');
	j = last_job();
	assert_int_equal(j->kind, JOB_EXPORT);
	assert_int_equal(strncmp(j->arg, "/tmp/exports/db-1-", 18), 0);
	keys_handle(&ui, '4'); /* import works from any view */
	keys_handle(&ui, 'i');
	assert_string_equal(ui.modal.title, "Import a .boxlite archive from");
	modal_key(&ui, '\r');
	assert_non_null(strstr(ui.flash, "import needs a .boxlite file"));
	keys_handle(&ui, 'i');
	type("/tmp/w.boxlite");
	modal_key(&ui, '\r');
	assert_string_equal(ui.modal.title, "Import: name of the new box (empty: the archive's)");
	modal_key(&ui, '\r');
	j = last_job();
	assert_int_equal(j->kind, JOB_IMPORT);
	assert_string_equal(j->arg, "/tmp/w.boxlite");
}

/* A snapshot pick waits for a list asked after the key; it then opens, and a pick confirms. */
static void test_restore_flow(void **state)
{
	struct snapshot_list *sl = xcalloc(1, sizeof(*sl));
	const struct job *j;

	(void)state;
	keys_handle(&ui, 'R'); /* db-1, stopped */
	assert_true(flow_waits_for_pick(&ui));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	assert_non_null(strstr(ui.flash, "asking the server for db-1's snapshots"));
	/* a list asked before the key does not open it */
	sl->asked_ms = time_mono_ms() - 60000;
	store_set_snapshots(ui.store, "ID-db-1", &sl);
	absorb();
	assert_int_equal(flow_poll(&ui), 0);
	sl = xcalloc(1, sizeof(*sl));
	sl->n = 2;
	sl->items = xcalloc(2, sizeof(struct snapshot));
	sl->items[0].name = xstrdup("s-new");
	sl->items[1].name = xstrdup("s-old");
	sl->asked_ms = time_mono_ms() + 1;
	store_set_snapshots(ui.store, "ID-db-1", &sl);
	absorb();
	assert_int_equal(flow_poll(&ui), REDRAW_ALL);
	assert_int_equal(ui.modal.kind, MODAL_PICK);
	assert_string_equal(ui.modal.title, "Restore which snapshot of db-1?");
	modal_key(&ui, 'j');
	modal_key(&ui, '\r');
	assert_string_equal(ui.modal.title, "Restore db-1 to s-old?");
	assert_string_equal(ui.modal.message, "Its disk is replaced by the snapshot's.");
	modal_key(&ui, 'y');
	j = last_job();
	assert_int_equal(j->kind, JOB_SNAPSHOT_RESTORE);
	assert_string_equal(j->arg, "s-old");
	/* Esc while a pick waits abandons it */
	keys_handle(&ui, 'R');
	assert_true(flow_waits_for_pick(&ui));
	keys_handle(&ui, KEY_ESC);
	assert_false(flow_waits_for_pick(&ui));
	assert_non_null(strstr(ui.flash, "snapshot pick abandoned"));
}

/* R on a running box: stop first, then restore, queued in that order. */
static void test_restore_running(void **state)
{
	struct snapshot_list *sl = xcalloc(1, sizeof(*sl));
	size_t before;

	(void)state;
	keys_handle(&ui, 'G'); /* web-2 runs */
	keys_handle(&ui, 'R');
	sl->n = 1;
	sl->items = xcalloc(1, sizeof(struct snapshot));
	sl->items[0].name = xstrdup("s1");
	sl->asked_ms = time_mono_ms() + 1;
	store_set_snapshots(ui.store, "ID-web-2", &sl);
	absorb();
	flow_poll(&ui);
	modal_key(&ui, '\r');
	assert_non_null(strstr(ui.modal.message, "It is running: stop it first"));
	store_read(ui.store, &ui.view);
	before = store_view_job_count(&ui.view);
	modal_key(&ui, 'y');
	store_read(ui.store, &ui.view);
	assert_int_equal(store_view_job_count(&ui.view), before + 2);
	assert_int_equal(store_view_job_at(&ui.view, before)->kind, JOB_STOP);
	assert_int_equal(store_view_job_at(&ui.view, before + 1)->kind, JOB_SNAPSHOT_RESTORE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_key_twice),
		cmocka_unit_test(test_rows_are_complete),
		cmocka_unit_test(test_every_action_has_a_key),
		T(test_help_says_why),
		T(test_refusals),
		T(test_reactions),
		T(test_views_and_quit),
		T(test_filter_line),
		T(test_snapshot_flow),
		T(test_delete_flow),
		T(test_flow_dismissed),
		T(test_transfer_flows),
		T(test_restore_flow),
		T(test_restore_running),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
