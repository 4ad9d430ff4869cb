/* opts: the command line, every mode and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tui/opts.h"

static struct opts o;
static char err[256];
/* getopt wants char *argv[]: the words are copied here, and opts borrows them. */
static char words[32][128];

/* Parses the NULL-terminated words after "boxtop". */
static int parse(const char *first, ...)
{
	char *argv[32] = {words[0]};
	int argc = 1;
	va_list ap;

	strcpy(words[0], "boxtop");
	va_start(ap, first);
	for (const char *w = first; w != NULL && argc < 31; w = va_arg(ap, const char *)) {
		snprintf(words[argc], sizeof(words[argc]), "%s", w);
		argv[argc] = words[argc];
		argc++;
	}
	va_end(ap);
	err[0] = '\0';
	return opts_parse(argc, argv, &o, err, sizeof(err));
}

static void refused(int rc, const char *needle)
{
	assert_int_equal(rc, -1);
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' does not say '%s'", err, needle);
}

static void test_nothing_is_the_dashboard(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL), 0);
	assert_int_equal(o.mode, MODE_DASHBOARD);
	assert_null(o.conn.url);
	assert_int_equal(o.interval_ms, 0);
	assert_int_equal(o.workers, 0);
}

static void test_help_and_version(void **state)
{
	(void)state;
	assert_int_equal(parse("--help", NULL), 0);
	assert_int_equal(o.mode, MODE_HELP);
	assert_int_equal(parse("-V", NULL), 0);
	assert_int_equal(o.mode, MODE_VERSION);
	/* help wins over a command that would be refused */
	assert_int_equal(parse("bogus", "-h", NULL), 0);
	assert_int_equal(o.mode, MODE_HELP);
}

static void test_connection_flags(void **state)
{
	(void)state;
	assert_int_equal(parse("--url", "http://h:1", "--profile", "work", "--path-prefix", "",
			       "--api-key-file", "-", "--ca-file", "/ca", "--insecure", NULL),
			 0);
	assert_string_equal(o.conn.url, "http://h:1");
	assert_string_equal(o.conn.profile, "work");
	assert_string_equal(o.conn.path_prefix, "");
	assert_string_equal(o.conn.api_key_file, "-");
	assert_string_equal(o.conn.ca_file, "/ca");
	assert_true(o.conn.insecure);
	assert_int_equal(parse("--url=http://x", NULL), 0);
	assert_string_equal(o.conn.url, "http://x");
}

static void test_no_key_on_the_command_line(void **state)
{
	(void)state;
	/* an abbreviation of --api-key-file must not swallow a secret */
	refused(parse("--api-key", "s3cret", NULL), "unknown option '--api-key'");
	assert_null(strstr(err, "s3cret"));
	refused(parse("--api-key=s3cret", NULL), "unknown option '--api-key'");
	assert_null(strstr(err, "s3cret"));
	refused(parse("--api", "x", NULL), "unknown option");
	refused(parse("--hel", NULL), "unknown option '--hel'");
	/* a value that looks like an option is still a value */
	assert_int_equal(parse("--profile", "--weird", NULL), 0);
	assert_string_equal(o.conn.profile, "--weird");
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(parse("-d", "0.5", "--workers", "8", NULL), 0);
	assert_int_equal(o.interval_ms, 500);
	assert_int_equal(o.workers, 8);
	assert_int_equal(parse("-d", "3600", NULL), 0);
	assert_int_equal(o.interval_ms, 3600000);
	refused(parse("-d", "0", NULL), "-d '0'");
	refused(parse("-d", "0.09", NULL), "-d");
	refused(parse("-d", "2s", NULL), "-d '2s'");
	refused(parse("-d", "nan", NULL), "-d");
	refused(parse("-d", "3601", NULL), "-d");
	refused(parse("--workers", "0", NULL), "--workers '0'");
	refused(parse("--workers", "65", NULL), "from 1 to 64");
	refused(parse("--workers", "4x", NULL), "--workers");
	refused(parse("-b", "-n", "0", NULL), "-n '0'");
	refused(parse("-b", "-n", "-3", NULL), "-n");
	refused(parse("--workers", NULL), "needs a value");
}

static void test_batch(void **state)
{
	(void)state;
	assert_int_equal(parse("-b", "-n", "3", "--filter", "status:running", NULL), 0);
	assert_int_equal(o.mode, MODE_BATCH);
	assert_true(o.batch);
	assert_int_equal(o.iterations, 3);
	assert_string_equal(o.filter, "status:running");
	assert_int_equal(parse("--json", NULL), 0);
	assert_int_equal(o.mode, MODE_BATCH);
	assert_true(o.json);
	refused(parse("-n", "2", NULL), "goes with -b or --json");
	/* --filter also starts the dashboard filtered; not with export or import. */
	assert_int_equal(parse("--filter", "status:running", NULL), 0);
	assert_int_equal(o.mode, MODE_DASHBOARD);
	assert_string_equal(o.filter, "status:running");
	refused(parse("export", "web-1", "--filter", "x", NULL),
		"--filter goes with the dashboard");
}

static void test_export_and_import(void **state)
{
	(void)state;
	assert_int_equal(
		parse("export", "web-1", "-o", "/tmp/w.boxlite", "--force", "--no-verify", NULL),
		0);
	assert_int_equal(o.mode, MODE_ACTION);
	assert_int_equal(o.action->kind, JOB_EXPORT);
	assert_string_equal(o.target, "web-1");
	assert_string_equal(o.output, "/tmp/w.boxlite");
	assert_true(o.force);
	assert_true(o.no_verify);
	/* options before the command mean the same */
	assert_int_equal(parse("-o", "x.boxlite", "export", "web-1", NULL), 0);
	assert_int_equal(o.action->kind, JOB_EXPORT);
	assert_string_equal(o.output, "x.boxlite");
	assert_int_equal(parse("import", "w.boxlite", "--name", "copy", NULL), 0);
	assert_int_equal(o.action->kind, JOB_IMPORT);
	assert_string_equal(o.target, "w.boxlite");
	assert_string_equal(o.name, "copy");
	/* "--" ends the options: a file that starts with '-' */
	assert_int_equal(parse("import", "--", "-odd.boxlite", NULL), 0);
	assert_string_equal(o.target, "-odd.boxlite");
}

/* Every action of the table is a command, with the arguments its needs say. */
static void test_every_action_is_a_command(void **state)
{
	size_t n;
	const struct action_def *defs = action_defs(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const char *argv2[] = {defs[i].command, "a", "b", NULL};
		int args = ((defs[i].needs & (ACT_BOX | ACT_IMAGE | ACT_FILE)) != 0) +
			   ((defs[i].needs & (ACT_SNAPSHOT | ACT_LOCAL)) != 0);

		argv2[1 + args] = NULL;
		assert_int_equal(parse(argv2[0], argv2[1], argv2[2], NULL), 0);
		assert_int_equal(o.mode, MODE_ACTION);
		assert_ptr_equal(o.action, &defs[i]);
		if (args > 0)
			assert_string_equal(o.target, "a");
		if (args > 1)
			assert_string_equal(o.second, "b");
		/* one argument too many says the usage */
		refused(parse(defs[i].command, "a", "b", "c", NULL), "usage: boxtop ");
	}
}

static void test_action_options(void **state)
{
	(void)state;
	assert_int_equal(parse("snapshot", "web-1", "--name", "s1", "--json", NULL), 0);
	assert_int_equal(o.action->kind, JOB_SNAPSHOT_CREATE);
	assert_string_equal(o.name, "s1");
	assert_true(o.json);
	assert_int_equal(parse("delete", "web-1", "--yes", NULL), 0);
	assert_true(o.yes);
	assert_int_equal(parse("-y", "restore", "web-1", "s1", NULL), 0);
	assert_true(o.yes);
	assert_string_equal(o.second, "s1");
	refused(parse("start", "web-1", "--yes", NULL),
		"--yes goes with what asks first: restore, delete-snapshot, stop, delete, "
		"delete-image");
	refused(parse("stop", "web-1", "--name", "x", NULL),
		"--name goes with snapshot, clone, import");
	refused(parse("clone", "web-1", "-o", "x", NULL),
		"-o, --force and --no-verify go with export");
	refused(parse("delete", "web-1", "-b", NULL),
		"-b and -n do not go with delete (--json does)");
}

static void test_images_and_keys(void **state)
{
	(void)state;
	assert_int_equal(parse("images", NULL), 0);
	assert_int_equal(o.mode, MODE_IMAGES);
	assert_false(o.json);
	assert_null(o.target);
	assert_int_equal(parse("--json", "images", NULL), 0);
	assert_int_equal(o.mode, MODE_IMAGES);
	assert_true(o.json);
	refused(parse("images", "alpine", NULL), "usage: boxtop images [--json]");
	refused(parse("images", "-b", NULL), "-b and -n do not go with images");
	refused(parse("images", "--json", "-n", "2", NULL), "-b and -n do not go with images");
	refused(parse("images", "--filter", "x", NULL), "--filter goes with");
	refused(parse("images", "-o", "x", NULL), "-o, --force and --no-verify");
	refused(parse("images", "--name", "x", NULL), "--name");
	refused(parse("images", "--force", NULL), "--force");
	assert_int_equal(parse("keys", NULL), 0);
	assert_int_equal(o.mode, MODE_KEYS);
	refused(parse("keys", "x", NULL), "usage: boxtop keys");
	refused(parse("keys", "--json", NULL), "keys takes no option");
}

static void test_mode_refusals(void **state)
{
	(void)state;
	refused(parse("export", NULL), "usage: boxtop export BOX [-o PATH]");
	refused(parse("export", "a", "b", NULL), "usage: boxtop export");
	refused(parse("import", NULL), "usage: boxtop import FILE [--name NAME]");
	refused(parse("restore", "web-1", NULL), "usage: boxtop restore BOX SNAPSHOT [--yes]");
	refused(parse("frobnicate", NULL), "unknown command 'frobnicate'");
	refused(parse("frobnicate", NULL), "commands: snapshot, restore, delete-snapshot, clone, "
					   "export, import, start, stop, delete, delete-image, "
					   "copy-from, copy-to, images, keys");
	refused(parse("-o", "x", NULL), "-o, --force and --no-verify");
	refused(parse("import", "f", "-o", "x", NULL), "-o, --force and --no-verify");
	refused(parse("import", "f", "--force", NULL), "--force");
	refused(parse("export", "b", "--name", "n", NULL), "--name");
	refused(parse("export", "b", "-b", NULL), "do not go with export");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_is_the_dashboard),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_connection_flags),
		cmocka_unit_test(test_no_key_on_the_command_line),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_export_and_import),
		cmocka_unit_test(test_every_action_is_a_command),
		cmocka_unit_test(test_action_options),
		cmocka_unit_test(test_images_and_keys),
		cmocka_unit_test(test_mode_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
