/*
 * keys: the key table's invariants, and what the generated help and the
 * refusals say, on a dashboard state with no terminal (nothing here draws).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/keys.h"
#include "tui/ui.h"

/* No key means two things in one view. */
static void test_no_key_twice(void **state)
{
	const struct binding *t;
	size_t n = keys_table(&t);

	(void)state;
	assert_true(n > 20);
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			for (int i = 0; i < 4 && t[a].keys[i] != 0; i++)
				for (int j = 0; j < 4 && t[b].keys[j] != 0; j++)
					if (t[a].keys[i] == t[b].keys[j] &&
					    (t[a].views & t[b].views))
						fail_msg("key %d is '%s' and '%s'", t[a].keys[i],
							 t[a].help, t[b].help);
}

/* A row the help shows says what it does; every row runs something and has a key. */
static void test_rows_are_complete(void **state)
{
	const struct binding *t;
	size_t n = keys_table(&t);
	size_t mutating = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].fn);
		assert_int_not_equal(t[i].keys[0], 0);
		assert_int_not_equal(t[i].views, 0);
		if (t[i].label[0] != '\0')
			assert_true(strlen(t[i].help) > 3);
		if ((t[i].flags & IN_HINTS) != 0)
			assert_true(t[i].label[0] != '\0');
		mutating += (t[i].flags & MUTATES) != 0;
	}
	/* S R d c e i s D x t and the Images view's D: the actions the issues list, only those */
	assert_int_equal(mutating, 11);
}

static struct opts o;
static struct settings s;
static struct ui ui;

static int setup(void **state)
{
	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	memset(&ui, 0, sizeof(ui));
	ui.opts = &o;
	ui.settings = &s;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ui.flash);
	modal_close(&ui);
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

/* The help is generated from the table: one line per labelled row, the off ones say why. */
static void test_help_says_why(void **state)
{
	const struct binding *t;
	size_t n = keys_table(&t), labelled = 0, mut_labelled = 0, total;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		labelled += t[i].label[0] != '\0';
		mut_labelled += t[i].label[0] != '\0' && (t[i].flags & MUTATES);
	}
	o.readonly = true;
	assert_int_equal(help_lines_with("[off: read-only mode (--readonly)]", &total),
			 mut_labelled);
	assert_int_equal(total, labelled);
	o.readonly = false;
	/* no config known yet: what needs a capability is off and says so */
	assert_true(help_lines_with("does not support", &total) >= 1);
	assert_int_equal(help_lines_with("[off:", &total),
			 help_lines_with("[off: no box selected]", &total) +
				 help_lines_with("does not support", &total));
}

/* A refused key explains itself on the message line and opens nothing. */
static void test_refusals(void **state)
{
	(void)state;
	o.readonly = true;
	keys_handle(&ui, 'S');
	assert_non_null(ui.flash);
	assert_non_null(strstr(ui.flash, "read-only"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	o.readonly = false;
	keys_handle(&ui, 'D'); /* no box selected */
	assert_non_null(strstr(ui.flash, "no box selected"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	keys_handle(&ui, 'i'); /* import needs no box, but a capability */
	assert_non_null(strstr(ui.flash, "does not support"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	ui.current = VIEW_IMAGES; /* D there deletes an image: none is listed */
	keys_handle(&ui, 'D');
	assert_non_null(strstr(ui.flash, "no image selected"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	o.readonly = true;
	keys_handle(&ui, 'D');
	assert_non_null(strstr(ui.flash, "delete the image: read-only"));
	assert_int_equal(ui.modal.kind, MODAL_NONE);
}

/* Views by number and Tab, help and quit, without a terminal. */
static void test_views_and_quit(void **state)
{
	(void)state;
	keys_handle(&ui, '4');
	assert_int_equal(ui.current, VIEW_JOBS);
	keys_handle(&ui, '\t');
	assert_int_equal(ui.current, VIEW_EVENTS);
	keys_handle(&ui, '\t');
	assert_int_equal(ui.current, VIEW_BOXES);
	keys_handle(&ui, KEYCODE(KEY_BTAB));
	assert_int_equal(ui.current, VIEW_EVENTS);
	keys_handle(&ui, KEY_ESC);
	assert_int_equal(ui.current, VIEW_BOXES);
	keys_handle(&ui, '?');
	assert_int_equal(ui.modal.kind, MODAL_HELP);
	modal_key(&ui, 'x'); /* any key closes it */
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	assert_false(ui.quit);
	keys_handle(&ui, 'q'); /* no jobs: quits at once */
	assert_true(ui.quit);
}

/* The filter line: typing filters, Esc clears, Enter keeps. */
static void test_filter_line(void **state)
{
	(void)state;
	keys_handle(&ui, '/');
	assert_true(ui.filtering);
	keys_handle(&ui, 'w');
	keys_handle(&ui, 'e');
	assert_string_equal(ui.filter_text, "we");
	assert_non_null(ui.query);
	keys_handle(&ui, 127); /* Backspace */
	assert_string_equal(ui.filter_text, "w");
	keys_handle(&ui, '\r');
	assert_false(ui.filtering);
	assert_string_equal(ui.filter_text, "w");
	keys_handle(&ui, KEY_ESC); /* in the boxes view: clears the filter */
	assert_null(ui.filter_text);
	assert_null(ui.query);
	keys_handle(&ui, '/');
	keys_handle(&ui, 'x');
	keys_handle(&ui, KEY_ESC); /* in the line: clears it too */
	assert_false(ui.filtering);
	assert_null(ui.filter_text);
	lineedit_clear(&ui.filter_edit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_key_twice),
		cmocka_unit_test(test_rows_are_complete),
		cmocka_unit_test_setup_teardown(test_help_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_and_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
