/*
 * Unit tests for the simulator's fleet as boxlite serve's code has it:
 * the snapshot backing-chain rule (every flavor), the AutoStop idle clock
 * and sweep, boot-on-scrape and its refusal, unique id prefixes, and the
 * effects log that records what a request did to a box.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sim/effects.h"
#include "sim/fleet.h"
#include "sim/fleet_control.h"
#include "sim/snapset.h"

static struct sim_opts opts_of(enum sim_flavor flavor)
{
	return (struct sim_opts){.flavor = flavor, .disk_size = 1 << 20, .tick_ms = 1000};
}

/* A fleet of n seeded boxes with the options o (which must outlive it) and an effects log. */
static struct fleet *fleet_with(size_t n, const struct sim_opts *o, struct effects *e)
{
	struct fleet *f = fleet_new(1, n);

	fleet_set_opts(f, o);
	fleet_set_effects(f, e);
	return f;
}

/* Adds a box named name in status, with auto_stop seconds; returns its id (caller frees). */
static char *add(struct fleet *f, const char *name, const char *status, int auto_stop)
{
	char text[256], err[256];
	struct box b;
	cJSON *spec, *doc = NULL;
	char *id;

	snprintf(text, sizeof(text), "{\"name\":\"%s\",\"status\":\"%s\",\"auto_stop\":%d}", name,
		 status, auto_stop);
	spec = cJSON_Parse(text);
	assert_int_equal(fleet_box_spec(spec, &b, err, sizeof(err)), 0);
	assert_int_equal(fleet_add_box(f, &b, &doc), FLEET_OK);
	id = strdup(cJSON_GetObjectItem(doc, "box_id")->valuestring);
	box_clear(&b);
	cJSON_Delete(spec);
	cJSON_Delete(doc);
	return id;
}

static const char *status_of(struct fleet *f, const char *id)
{
	static char buf[32];
	cJSON *doc = NULL;

	if (fleet_get(f, id, &doc) != FLEET_OK)
		return "gone";
	snprintf(buf, sizeof(buf), "%s", cJSON_GetObjectItem(doc, "status")->valuestring);
	cJSON_Delete(doc);
	return buf;
}

static double count_of(struct effects *e, const char *kind)
{
	cJSON *doc = effects_to_json(e);
	double n = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "counts"), kind)->valuedouble;

	cJSON_Delete(doc);
	return n;
}

static enum fleet_rc snap(struct fleet *f, const char *id, const char *name)
{
	cJSON *doc = NULL;
	enum fleet_rc rc = fleet_snapshot_create(f, id, name, &doc);

	cJSON_Delete(doc);
	return rc;
}

static enum fleet_rc snap_rm(struct fleet *f, const char *id, const char *name, char *other)
{
	return fleet_snapshot_delete(f, id, name, other, 64);
}

/* api.md's example, on a stopped box: create s1, remove s1 refused; create s2, restore s1, remove
 * s2. */
static void test_chain_stopped(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SPEC);
	struct fleet *f = fleet_with(0, &o, NULL);
	char *id = add(f, "a", "stopped", 0);
	char other[64] = "";

	(void)state;
	assert_int_equal(snap(f, id, "s1"), FLEET_OK);
	assert_int_equal(snap_rm(f, id, "s1", other), FLEET_IN_USE);
	assert_int_equal(snap(f, id, "s2"), FLEET_OK);
	/* s2 is built on s1 and the live disk on s2 */
	assert_int_equal(snap_rm(f, id, "s1", other), FLEET_IN_USE);
	assert_int_equal(snap_rm(f, id, "s2", other), FLEET_IN_USE);
	assert_int_equal(fleet_snapshot_restore(f, id, "s1"), FLEET_OK);
	/* the live disk is on s1 now; s2 is a leaf nothing uses */
	assert_int_equal(snap_rm(f, id, "s2", other), FLEET_OK);
	assert_int_equal(snap_rm(f, id, "s1", other), FLEET_IN_USE);
	assert_int_equal(snap_rm(f, id, "nope", other), FLEET_NO_SNAPSHOT);
	free(id);
	fleet_free(&f);
}

/* A snapshot of a running box copies the disk: nothing depends on it at once. */
static void test_chain_running(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SERVE);
	struct fleet *f = fleet_with(0, &o, NULL);
	char *id = add(f, "a", "stopped", 0);
	char other[64] = "";
	cJSON *doc = NULL;

	(void)state;
	assert_int_equal(snap(f, id, "base"), FLEET_OK); /* fork: live on base */
	assert_int_equal(fleet_start(f, id, &doc), FLEET_OK);
	cJSON_Delete(doc);
	assert_int_equal(snap(f, id, "live"), FLEET_OK); /* copy: live stays on base */
	/* "live" was copied from a disk backed by "base": it depends on base */
	assert_int_equal(snap_rm(f, id, "base", other), FLEET_IN_USE);
	assert_int_equal(snap_rm(f, id, "live", other), FLEET_OK);
	free(id);
	fleet_free(&f);
}

/* Another snapshot built on it, or a clone's base, keeps a snapshot. */
static void test_chain_dependents(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SPEC);
	struct fleet *f = fleet_with(0, &o, NULL);
	char *id = add(f, "a", "stopped", 0);
	char other[64] = "";
	cJSON *doc = NULL;

	(void)state;
	assert_int_equal(snap(f, id, "s1"), FLEET_OK);
	assert_int_equal(snap(f, id, "s2"), FLEET_OK);
	assert_int_equal(snap(f, id, "s3"), FLEET_OK);
	assert_int_equal(fleet_snapshot_restore(f, id, "s1"), FLEET_OK);
	/* s3 is built on s2 */
	assert_int_equal(snap_rm(f, id, "s2", other), FLEET_SNAP_DEPENDS);
	assert_string_equal(other, "s3");
	assert_int_equal(fleet_snapshot_restore(f, id, "s3"), FLEET_OK);
	assert_int_equal(fleet_clone(f, id, "c", &doc), FLEET_OK);
	cJSON_Delete(doc);
	assert_int_equal(fleet_snapshot_restore(f, id, "s1"), FLEET_OK);
	/* the clone's base holds s3, s2 and s1 */
	assert_int_equal(snap_rm(f, id, "s3", other), FLEET_CLONE_DEPENDS);
	assert_non_null(strstr(other, "base-"));
	assert_int_equal(fleet_delete(f, "c", true), FLEET_OK);
	assert_int_equal(snap_rm(f, id, "s3", other), FLEET_OK);
	assert_int_equal(snap_rm(f, id, "s2", other), FLEET_OK);
	free(id);
	fleet_free(&f);
}

static void test_snapshot_names(void **state)
{
	char longest[256];

	(void)state;
	memset(longest, 'a', 255);
	longest[255] = '\0';
	assert_null(snapset_name_problem("a.b-c_1", false));
	assert_non_null(snapset_name_problem("with space", false));
	assert_non_null(snapset_name_problem(".hidden", false));
	assert_null(snapset_name_problem("with space é", true));
	assert_null(snapset_name_problem(longest, true));
	assert_non_null(snapset_name_problem(longest, false));
	longest[0] = '.';
	assert_string_equal(snapset_name_problem(longest, true),
			    "Snapshot name cannot start with '.'");
	assert_non_null(snapset_name_problem("a/b", true));
	assert_non_null(snapset_name_problem("a\\b", true));
	assert_string_equal(snapset_name_problem("", true), "Snapshot name cannot be empty");
}

/* serve lists snapshots newest first; the spec oldest first. */
static void test_snapshot_order(void **state)
{
	for (int flavor = FLAVOR_SPEC; flavor <= FLAVOR_SERVE; flavor++) {
		struct sim_opts o = opts_of((enum sim_flavor)flavor);
		struct fleet *f = fleet_with(0, &o, NULL);
		char *id = add(f, "a", "stopped", 0);
		cJSON *doc = NULL, *list;

		(void)state;
		assert_int_equal(snap(f, id, "first"), FLEET_OK);
		assert_int_equal(snap(f, id, "second"), FLEET_OK);
		assert_int_equal(fleet_snapshot_list(f, id, &doc), FLEET_OK);
		list = cJSON_GetObjectItem(doc, "snapshots");
		assert_string_equal(
			cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "name")->valuestring,
			flavor == FLAVOR_SERVE ? "second" : "first");
		/* serve does not send guest_disk_bytes */
		assert_true((cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "guest_disk_bytes") ==
			     NULL) == (flavor == FLAVOR_SERVE));
		cJSON_Delete(doc);
		free(id);
		fleet_free(&f);
	}
}

/* Restore: serve refuses any active box, the spec only a running one. */
static void test_restore_active(void **state)
{
	for (int flavor = FLAVOR_SPEC; flavor <= FLAVOR_SERVE; flavor++) {
		struct sim_opts o = opts_of((enum sim_flavor)flavor);
		struct fleet *f = fleet_with(0, &o, NULL);
		char *id = add(f, "a", "paused", 0);

		(void)state;
		assert_int_equal(snap(f, id, "s"), FLEET_OK);
		assert_int_equal(fleet_snapshot_restore(f, id, "s"),
				 flavor == FLAVOR_SERVE ? FLEET_INVALID_STATE : FLEET_OK);
		free(id);
		fleet_free(&f);
	}
}

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

/* The sweep stops a running box idle for auto_stop, and only that one; use starts the clock again.
 */
static void test_sweep_stops_idle(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SERVE);
	struct effects *e = effects_new();
	struct fleet *f = fleet_with(0, &o, e);
	char *idle, *used, *none;

	(void)state;
	fake_now = 1000000;
	fleet_set_clock(f, fake_clock);
	idle = add(f, "idle", "running", 5);
	used = add(f, "used", "running", 5);
	none = add(f, "none", "running", 0);
	assert_int_equal(fleet_sweep(f, fake_now + 4000), 0);
	fake_now += 4000;
	fleet_touch(f, "used", NULL);
	assert_int_equal(count_of(e, "stamp"), 1);
	assert_int_equal(fleet_sweep(f, fake_now + 1000), 1);
	assert_string_equal(status_of(f, idle), "stopped");
	assert_string_equal(status_of(f, used), "running");
	assert_int_equal(fleet_sweep(f, fake_now + 4999), 0);
	assert_int_equal(fleet_sweep(f, fake_now + 5000), 1);
	assert_string_equal(status_of(f, used), "stopped");
	assert_string_equal(status_of(f, none), "running");
	assert_int_equal(fleet_sweep(f, fake_now + 3600000), 0);
	assert_int_equal(count_of(e, "autostop"), 2);
	free(idle);
	free(used);
	free(none);
	fleet_free(&f);
	effects_free(&e);
}

/* A box at rest is removed after auto_delete. */
static void test_sweep_deletes(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SERVE);
	struct effects *e = effects_new();
	struct fleet *f = fleet_with(0, &o, e);
	char *id = add(f, "old", "stopped", 0);
	cJSON *doc = NULL;

	(void)state;
	assert_int_equal(fleet_set_lifecycle(f, id, -1, 1, &doc), FLEET_OK);
	assert_true(cJSON_GetObjectItem(doc, "auto_delete")->valuedouble == 1);
	cJSON_Delete(doc);
	assert_int_equal(fleet_sweep(f, fleet_now(f)), 0);
	/* updated_at is whole seconds: two of them are surely past a one-second deadline */
	doc = NULL;
	assert_int_equal(fleet_set_status(f, id, BOX_STOPPED, 0, &doc), FLEET_OK);
	cJSON_Delete(doc);
	for (int i = 0; i < 30 && strcmp(status_of(f, id), "gone") != 0; i++) {
		struct timespec ts = {0, 100000000};

		nanosleep(&ts, NULL);
		fleet_sweep(f, fleet_now(f));
	}
	assert_string_equal(status_of(f, id), "gone");
	assert_int_equal(count_of(e, "autodelete"), 1);
	free(id);
	fleet_free(&f);
	effects_free(&e);
}

static enum fleet_rc scrape(struct fleet *f, const char *id, char *why)
{
	struct effect_cause cause = {.method = "GET", .path = "/v1/boxes/x/metrics"};
	cJSON *doc = NULL;
	enum fleet_rc rc = fleet_box_metrics(f, id, &cause, &doc, why, 256);

	cJSON_Delete(doc);
	return rc;
}

/* serve: a metrics read boots a stopped box without AutoStop and refuses one with it. */
static void test_scrape_serve(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SERVE);
	struct effects *e = effects_new();
	struct fleet *f = fleet_with(0, &o, e);
	char *off = add(f, "off", "stopped", 0);
	char *on = add(f, "on", "stopped", 60);
	char why[256] = "";
	cJSON *doc;

	(void)state;
	assert_int_equal(scrape(f, on, why), FLEET_CONFLICT);
	assert_non_null(strstr(why, "is Stopped and AutoStop is enabled"));
	assert_string_equal(status_of(f, on), "stopped");
	assert_int_equal(scrape(f, off, why), FLEET_OK);
	assert_string_equal(status_of(f, off), "running");
	assert_int_equal(count_of(e, "boot"), 1);
	doc = effects_to_json(e);
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "effects"), 0),
				    "path")
			->valuestring,
		"/v1/boxes/x/metrics");
	cJSON_Delete(doc);
	free(off);
	free(on);
	fleet_free(&f);
	effects_free(&e);
}

/* The spec flavor answers a stopped box's metrics with null gauges and changes nothing. */
static void test_scrape_spec(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SPEC);
	struct effects *e = effects_new();
	struct fleet *f = fleet_with(0, &o, e);
	char *off = add(f, "off", "stopped", 0);
	char why[256] = "";

	(void)state;
	assert_int_equal(scrape(f, off, why), FLEET_OK);
	assert_string_equal(status_of(f, off), "stopped");
	assert_int_equal(count_of(e, "boot"), 0);
	free(off);
	fleet_free(&f);
	effects_free(&e);
}

/* serve: a unique id prefix names a box; an ambiguous or empty one none; the spec: only whole ids.
 */
static void test_id_prefix(void **state)
{
	struct sim_opts serve = opts_of(FLAVOR_SERVE), spec = opts_of(FLAVOR_SPEC);
	struct fleet *f = fleet_with(0, &serve, NULL);
	char *a = add(f, "a", "stopped", 0);
	char *b = add(f, "b", "stopped", 0);
	size_t common = 0;
	char prefix[64];

	(void)state;
	while (a[common] == b[common])
		common++;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)common + 1, a);
	assert_int_equal(fleet_get(f, prefix, NULL), FLEET_OK);
	snprintf(prefix, sizeof(prefix), "%.*s", (int)common, a);
	assert_int_equal(fleet_get(f, prefix, NULL), common == 0 ? FLEET_OK : FLEET_NOT_FOUND);
	fleet_set_opts(f, &spec);
	snprintf(prefix, sizeof(prefix), "%.*s", (int)common + 1, a);
	assert_int_equal(fleet_get(f, prefix, NULL), FLEET_NOT_FOUND);
	free(a);
	free(b);
	fleet_free(&f);
}

/* Seeded boxes on serve: no deadline, no last_activity_at; --auto-stop gives one. */
static void test_seeded_serve(void **state)
{
	struct sim_opts o = opts_of(FLAVOR_SERVE);
	struct fleet *f = fleet_with(3, &o, NULL);
	cJSON *doc = NULL;
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(fleet_list(f, NULL, SIZE_MAX, false, BOX_UNKNOWN, &text, &len), FLEET_OK);
	doc = cJSON_Parse(text);
	for (int i = 0; i < 3; i++) {
		cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "boxes"), i);

		assert_true(cJSON_GetObjectItem(b, "auto_stop")->valuedouble == 0);
		assert_null(cJSON_GetObjectItem(b, "last_activity_at"));
	}
	cJSON_Delete(doc);
	free(text);
	fleet_free(&f);
	o.auto_stop_given = true;
	o.auto_stop = 7;
	f = fleet_with(2, &o, NULL);
	assert_int_equal(fleet_list(f, NULL, SIZE_MAX, false, BOX_UNKNOWN, &text, &len), FLEET_OK);
	assert_non_null(strstr(text, "\"auto_stop\":7"));
	free(text);
	fleet_free(&f);
}

static void test_effects_bounded(void **state)
{
	struct effects *e = effects_new();
	cJSON *doc;

	(void)state;
	for (int i = 0; i < EFFECTS_KEPT + 10; i++)
		effects_add(e, EFFECT_STAMP, "id", NULL, NULL);
	doc = effects_to_json(e);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "effects")), EFFECTS_KEPT);
	assert_true(cJSON_GetObjectItem(doc, "dropped")->valuedouble == 10);
	assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "counts"), "stamp")->valuedouble ==
		    EFFECTS_KEPT + 10);
	cJSON_Delete(doc);
	effects_clear(e);
	assert_int_equal(count_of(e, "stamp"), 0);
	effects_free(&e);
	effects_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_stopped),    cmocka_unit_test(test_chain_running),
		cmocka_unit_test(test_chain_dependents), cmocka_unit_test(test_snapshot_names),
		cmocka_unit_test(test_snapshot_order),   cmocka_unit_test(test_restore_active),
		cmocka_unit_test(test_sweep_stops_idle), cmocka_unit_test(test_sweep_deletes),
		cmocka_unit_test(test_scrape_serve),     cmocka_unit_test(test_scrape_spec),
		cmocka_unit_test(test_id_prefix),        cmocka_unit_test(test_seeded_serve),
		cmocka_unit_test(test_effects_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
