/*
 * Unit tests for model/logbuf: lines from LF, CR LF and CR, two streams kept
 * apart, SGR colours as runs (carried from line to line), hostile sequences
 * made harmless, the bounds in lines and bytes with stable line numbers, a
 * line too long, search with smart case, and writing the log out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/logbuf.h"
#include "model/xalloc.h"

static struct logbuf lb;

static int setup(void **state)
{
	(void)state;
	logbuf_init(&lb, 100, 1 << 20);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	logbuf_clear(&lb);
	return 0;
}

static void feed(int stream, const char *s)
{
	logbuf_feed(&lb, stream, s, strlen(s));
}

static const char *text(size_t i)
{
	const struct log_line *l = logbuf_at(&lb, i);

	if (l == NULL)
		fail_msg("no line %zu (of %zu)", i, logbuf_count(&lb));
	return l->text;
}

static void test_lines(void **state)
{
	(void)state;
	feed(1, "one\ntwo\r\nthr");
	assert_int_equal(logbuf_count(&lb), 2);
	feed(1, "ee\n");
	assert_string_equal(text(0), "one");
	assert_string_equal(text(1), "two");
	assert_string_equal(text(2), "three");
	/* a CR alone: a progress line overwrites itself, its last state is kept */
	feed(1, "10%\r50%\r100%\n");
	assert_string_equal(text(3), "100%");
	/* a CR and the LF in two feeds are still one line end */
	feed(1, "split\r");
	feed(1, "\nnext\n");
	assert_string_equal(text(4), "split");
	assert_string_equal(text(5), "next");
	/* the two streams keep their own unfinished lines */
	feed(1, "out-");
	feed(2, "err line\n");
	feed(1, "line\n");
	assert_string_equal(text(6), "err line");
	assert_int_equal(logbuf_at(&lb, 6)->stream, 2);
	assert_string_equal(text(7), "out-line");
	assert_int_equal(logbuf_at(&lb, 7)->stream, 1);
	/* what is not ended shows once the stream ends */
	feed(1, "last words");
	assert_int_equal(logbuf_count(&lb), 8);
	logbuf_flush(&lb);
	assert_string_equal(text(8), "last words");
	/* TAB and NUL are made safe too */
	logbuf_feed(&lb, 1, "a\tb\0c\n", 6);
	assert_string_equal(text(9), "a b\xef\xbf\xbd"
				     "c");
}

static void run_is(const struct log_line *l, size_t r, const char *want, uint8_t attr, uint8_t fg,
		   uint8_t bg)
{
	char buf[256];

	assert_true(r < l->n_runs);
	snprintf(buf, sizeof(buf), "%.*s", (int)l->runs[r].len, l->text + l->runs[r].off);
	assert_string_equal(buf, want);
	assert_int_equal(l->runs[r].attr, attr);
	assert_int_equal(l->runs[r].fg, fg);
	assert_int_equal(l->runs[r].bg, bg);
}

static void test_colours(void **state)
{
	const struct log_line *l;

	(void)state;
	feed(1, "\x1b[31mred\x1b[0m plain \x1b[1;92;44mbright\x1b[m\n");
	l = logbuf_at(&lb, 0);
	assert_string_equal(l->text, "red plain bright");
	assert_int_equal(l->n_runs, 3);
	run_is(l, 0, "red", 0, 2, 0);
	run_is(l, 1, " plain ", 0, 0, 0);
	run_is(l, 2, "bright", LOG_BOLD, 11, 5);
	/* the style carries over to the next line of the stream, not to the other stream */
	feed(1, "\x1b[4;33mwarn\n");
	feed(1, "still\n");
	feed(2, "other\n");
	run_is(logbuf_at(&lb, 2), 0, "still", LOG_UNDERLINE, 4, 0);
	run_is(logbuf_at(&lb, 3), 0, "other", 0, 0, 0);
	/* 256 colours: the 16 basic ones kept, the rest and true colour the default;
	 * their arguments are not read as more codes */
	feed(1, "\x1b[0;38;5;9mx\x1b[38;5;200;1my\x1b[38;2;1;2;3mz\n");
	l = logbuf_at(&lb, 4);
	run_is(l, 0, "x", 0, 10, 0);
	run_is(l, 1, "yz", LOG_BOLD, 0, 0);
	assert_int_equal(l->n_runs, 2); /* y and z: one style, one run */
	/* off codes */
	feed(1, "\x1b[0;1;2;3;7ma\x1b[22;23;27mb\x1b[39;49m\n");
	l = logbuf_at(&lb, 5);
	run_is(l, 0, "a", LOG_BOLD | LOG_DIM | LOG_ITALIC | LOG_REVERSE, 0, 0);
	run_is(l, 1, "b", 0, 0, 0);
}

/* Nothing but SGR reaches the screen as an escape: no title, no cursor moves, no clearing. */
static void test_hostile(void **state)
{
	static const char *const hostile[] = {
		"\x1b]0;pwned\x07title",
		"\x1b]2;pwned\x1b\\title",
		"\x1b[2J\x1b[Hclear",
		"\x1b[10;10Hmove",
		"\x1b[?1049lalt",
		"\x9b"
		"31mc1",
		"\x1bPdcs\x1b\\x",
		"bell\x07",
		"\x1b[31", /* a sequence cut short */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
		const struct log_line *l;

		feed(1, hostile[i]);
		feed(1, "\n");
		l = logbuf_at(&lb, i);
		for (size_t k = 0; k < l->len; k++)
			if ((unsigned char)l->text[k] < 0x20 || l->text[k] == 0x7f)
				fail_msg("line %zu keeps control 0x%02x: %s", i,
					 (unsigned char)l->text[k], l->text);
		assert_null(strstr(l->text, "\xc2\x9b")); /* no C1 CSI either */
		assert_non_null(strstr(l->text, "\xef\xbf\xbd"));
	}
}

static void test_bounds(void **state)
{
	char line[64];

	(void)state;
	logbuf_clear(&lb);
	logbuf_init(&lb, 10, 1 << 20);
	for (int i = 0; i < 25; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		feed(1, line);
	}
	assert_int_equal(logbuf_count(&lb), 10);
	assert_string_equal(text(0), "line 15");
	assert_int_equal(logbuf_number(&lb, 0), 15);
	assert_int_equal(logbuf_index(&lb, 20), 5);
	assert_int_equal(logbuf_index(&lb, 3), 0); /* dropped: the oldest kept */
	assert_int_equal(logbuf_index(&lb, 99), 9);
	/* the byte bound: a few hundred bytes keep only the newest lines */
	logbuf_clear(&lb);
	logbuf_init(&lb, 1000, 400);
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "a somewhat longer line number %d\n", i);
		feed(1, line);
	}
	assert_true(lb.bytes <= 400);
	assert_true(logbuf_count(&lb) > 1 && logbuf_count(&lb) < 10);
	assert_string_equal(text(logbuf_count(&lb) - 1), "a somewhat longer line number 99");
	/* one line larger than the bound is still kept, alone */
	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	logbuf_clear(&lb);
	logbuf_init(&lb, 10, 10);
	feed(1, line);
	assert_int_equal(logbuf_count(&lb), 1);
}

/* A line longer than LOGBUF_LINE_MAX is cut; memory stays bounded. */
static void test_long_line(void **state)
{
	size_t n = LOGBUF_LINE_MAX * 2 + 10;
	char *big = xmalloc(n);

	(void)state;
	memset(big, 'y', n);
	logbuf_feed(&lb, 1, big, n);
	feed(1, "\n");
	assert_int_equal(logbuf_count(&lb), 3);
	assert_int_equal(logbuf_at(&lb, 0)->len, LOGBUF_LINE_MAX);
	assert_int_equal(logbuf_at(&lb, 2)->len, 10);
	free(big);
}

static void test_find_and_write(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	feed(1, "GET /health 200\nPOST /login 500\nget /health 200\n\x1b[31mERROR\x1b[0m disk\n");
	assert_int_equal(logbuf_find(&lb, "get", 0, 1), 0); /* no capital: any case */
	assert_int_equal(logbuf_find(&lb, "get", 1, 1), 2);
	assert_int_equal(logbuf_find(&lb, "GET", 1, 1), 0);        /* a capital: exact, wrapping */
	assert_int_equal(logbuf_find(&lb, "health", 1, -1), 0);    /* backwards */
	assert_int_equal(logbuf_find(&lb, "error disk", 0, 1), 3); /* colours are not text */
	assert_int_equal(logbuf_find(&lb, "nowhere", 0, 1), -1);
	assert_int_equal(logbuf_find(&lb, "", 0, 1), -1);
	f = open_memstream(&buf, &len);
	assert_int_equal(logbuf_write(&lb, f), 0);
	fclose(f);
	assert_string_equal(buf, "GET /health 200\nPOST /login 500\nget /health 200\nERROR disk\n");
	free(buf);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lines),  T(test_colours),   T(test_hostile),
		T(test_bounds), T(test_long_line), T(test_find_and_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
