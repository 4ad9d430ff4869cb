/*
 * Unit tests for net/actions' pure parts: the table every key, command and
 * job reads (one row per job kind, the usage lines it makes, the texts it
 * fills in, the names it offers), and the name boxtop gives a clone on a
 * server without idempotency, so a clone whose answer was lost can be
 * found by it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/actions.h"
#include "sim/fleet.h"

/* 2026-12-07T13:40:45Z */
#define NOW 1796650845LL

static void name_is(const char *box, const char *want)
{
	char *got = actions_clone_name(box, NOW);

	assert_string_equal(got, want);
	/* whatever the box is called, a name the server takes */
	assert_true(fleet_name_valid(got));
	free(got);
}

static void test_clone_name(void **state)
{
	char long_name[300];

	(void)state;
	name_is("web-1", "web-1-clone-20261207-134045");
	name_is(NULL, "box-clone-20261207-134045");
	name_is("team 42/db", "team-42-db-clone-20261207-134045");
	name_is(".hidden", "bhidden-clone-20261207-134045");
	name_is("é", "b--clone-20261207-134045");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	{
		char *got = actions_clone_name(long_name, NOW);

		assert_true(strlen(got) <= 128);
		assert_true(fleet_name_valid(got));
		free(got);
	}
}

/* One row per job kind, found by kind and by command; commands are unique words. */
static void test_table(void **state)
{
	size_t n;
	const struct action_def *d = action_defs(&n);

	(void)state;
	assert_int_equal(n, JOB_KIND_COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(action_def(d[i].kind), &d[i]);
		assert_ptr_equal(action_by_command(d[i].command), &d[i]);
		assert_non_null(d[i].run);
		assert_true(strlen(d[i].help) > 5);
		assert_null(strchr(d[i].command, ' '));
		/* what it asks for, it has the words for */
		if (d[i].needs & ACT_SNAPSHOT)
			assert_non_null(d[i].ask_pick);
		if (d[i].needs & (ACT_FILE | ACT_DEST))
			assert_non_null(d[i].ask_path);
		if (d[i].needs & ACT_NAME)
			assert_non_null(d[i].ask_name);
		if (d[i].confirm != CONFIRM_NONE)
			assert_true(d[i].ask_confirm != NULL && d[i].warning != NULL);
		for (size_t k = i + 1; k < n; k++)
			assert_string_not_equal(d[i].command, d[k].command);
	}
	/* cp is both copy rows' word: the first, and the arguments pick (tui/cli.c) */
	assert_ptr_equal(action_by_command(ACTION_CP_COMMAND), action_def(JOB_CP_OUT));
	assert_true(action_def(JOB_CP_OUT)->read_only);
	assert_false(action_def(JOB_CP_IN)->read_only);
	assert_null(action_by_command("frobnicate"));
	assert_null(action_by_command(NULL));
	assert_null(action_def(JOB_KIND_COUNT));
}

static void usage_is(enum job_kind k, const char *want)
{
	char buf[160];

	assert_string_equal(action_usage(action_def(k), buf, sizeof(buf)), want);
}

static void test_usage(void **state)
{
	(void)state;
	usage_is(JOB_SNAPSHOT_CREATE, "snapshot BOX [--name NAME]");
	usage_is(JOB_SNAPSHOT_RESTORE, "restore BOX SNAPSHOT [--yes]");
	usage_is(JOB_EXPORT, "export BOX [-o PATH] [--force] [--no-verify]");
	usage_is(JOB_IMPORT, "import FILE [--name NAME]");
	usage_is(JOB_START, "start BOX");
	usage_is(JOB_IMAGE_DELETE, "delete-image IMAGE [--yes]");
	usage_is(JOB_CP_OUT, "cp BOX:PATH DEST");
	usage_is(JOB_CP_IN, "cp SRC BOX:PATH");
}

static void text_is(const char *tmpl, const char *want)
{
	char *got = action_text(tmpl, "web-1", "s1", "alpine");

	assert_string_equal(got, want);
	free(got);
}

static void test_text(void **state)
{
	char *t;

	(void)state;
	text_is("Restore %b to %s?", "Restore web-1 to s1?");
	text_is("Delete image %i?", "Delete image alpine?");
	text_is("100% sure, %x %", "100% sure, %x %"); /* anything else stays as it is */
	text_is("", "");
	text_is(NULL, "");
	t = action_text("%b/%s/%i", NULL, NULL, NULL);
	assert_string_equal(t, "//");
	free(t);
	/* longer than any first guess of the buffer */
	t = action_text("%b%b%b%b%b%b%b%b%b%b%b%b%b%b%b%b", "0123456789", NULL, NULL);
	assert_int_equal(strlen(t), 160);
	free(t);
}

static void test_default_names(void **state)
{
	char *n;

	(void)state;
	n = action_default_name(action_def(JOB_SNAPSHOT_CREATE), "web-1", NOW);
	assert_string_equal(n, "snap-20261207-134045");
	free(n);
	n = action_default_name(action_def(JOB_CLONE), "web-1", NOW);
	assert_string_equal(n, "web-1-clone");
	free(n);
	assert_null(action_default_name(action_def(JOB_IMPORT), NULL, NOW));
	assert_null(action_default_name(action_def(JOB_STOP), "web-1", NOW));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_name),    cmocka_unit_test(test_table),
		cmocka_unit_test(test_usage),         cmocka_unit_test(test_text),
		cmocka_unit_test(test_default_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
