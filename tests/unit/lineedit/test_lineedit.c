/*
 * Unit tests for tui/lineedit: degenerate lines first (empty, cursor at 0 and
 * at the end, max_bytes reached), then refused insertions, multibyte, wide
 * and combining characters, every edit, the horizontal scrolling, a random
 * walk that checks the invariants after every step, and path completion
 * against a tree built under a mkdtemp directory (which is also HOME for the
 * "~" tests).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/sanitize.h"
#include "model/xalloc.h"
#include "tui/lineedit.h"

#define HAN    "\xE4\xB8\xAD"     /* U+4E2D, two columns */
#define WEN    "\xE6\x96\x87"     /* U+6587, two columns */
#define GRIN   "\xF0\x9F\x98\x80" /* U+1F600, two columns */
#define ACUTE  "\xCC\x81"         /* U+0301 combining acute, zero columns */
#define ZWJ    "\xE2\x80\x8D"     /* U+200D, zero columns */
#define R      "\xEF\xBF\xBD"     /* U+FFFD */
#define NOBODY 65534

/* ---- helpers ---- */

static void init_ok(struct lineedit *le, const char *text, size_t max)
{
	assert_int_equal(lineedit_init(le, text, max), LINEEDIT_OK);
}

static void expect_line(const struct lineedit *le, const char *text, size_t cursor)
{
	assert_string_equal(lineedit_text(le), text);
	assert_int_equal(lineedit_len(le), strlen(text));
	assert_int_equal(lineedit_cursor(le), cursor);
}

static void expect_view(struct lineedit *le, size_t width, size_t start, size_t end, size_t cols,
			size_t cursor_col)
{
	struct lineedit_view v;

	lineedit_view(le, width, &v);
	assert_int_equal(v.start, start);
	assert_int_equal(v.end, end);
	assert_int_equal(v.cols, cols);
	assert_int_equal(v.cursor_col, cursor_col);
}

static void repeat(bool (*fn)(struct lineedit *), struct lineedit *le, int times)
{
	for (int i = 0; i < times; i++)
		assert_true(fn(le));
}

/* ---- degenerate cases ---- */

static void test_init_and_clear(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_clear(NULL);
	lineedit_matches_clear(NULL);
	init_ok(&le, NULL, 16);
	expect_line(&le, "", 0);
	lineedit_clear(&le);
	assert_null(le.buf);
	assert_string_equal(lineedit_text(&le), "");
	lineedit_clear(&le);

	init_ok(&le, "default", 16);
	expect_line(&le, "default", 7);
	lineedit_clear(&le);

	/* a refused default leaves a usable empty line */
	assert_int_equal(lineedit_init(&le, "too long", 4), LINEEDIT_FULL);
	expect_line(&le, "", 0);
	assert_int_equal(lineedit_insert_str(&le, "ok"), LINEEDIT_OK);
	expect_line(&le, "ok", 2);
	lineedit_clear(&le);
	assert_int_equal(lineedit_init(&le, "bad\x1b[2J", 64), LINEEDIT_INVALID);
	expect_line(&le, "", 0);
	lineedit_clear(&le);
}

static void test_empty_line(void **state)
{
	bool (*const ops[])(struct lineedit *) = {
		lineedit_backspace, lineedit_delete,    lineedit_left,       lineedit_right,
		lineedit_home,      lineedit_end,       lineedit_kill_start, lineedit_kill_end,
		lineedit_kill_word, lineedit_word_left, lineedit_word_right, lineedit_erase,
	};
	struct lineedit le;

	(void)state;
	init_ok(&le, "", 16);
	for (size_t i = 0; i < ARRAY_LEN(ops); i++) {
		assert_false(ops[i](&le));
		expect_line(&le, "", 0);
	}
	assert_int_equal(lineedit_insert(&le, NULL, 0), LINEEDIT_OK);
	assert_int_equal(lineedit_insert_str(&le, NULL), LINEEDIT_OK);
	assert_int_equal(lineedit_insert_str(&le, ""), LINEEDIT_OK);
	expect_line(&le, "", 0);
	lineedit_clear(&le);
}

static void test_cursor_at_ends(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "abc", 16);
	assert_false(lineedit_right(&le));
	assert_false(lineedit_delete(&le));
	assert_false(lineedit_end(&le));
	assert_false(lineedit_kill_end(&le));
	assert_false(lineedit_word_right(&le));
	expect_line(&le, "abc", 3);
	assert_true(lineedit_home(&le));
	assert_false(lineedit_left(&le));
	assert_false(lineedit_backspace(&le));
	assert_false(lineedit_home(&le));
	assert_false(lineedit_kill_start(&le));
	assert_false(lineedit_kill_word(&le));
	assert_false(lineedit_word_left(&le));
	expect_line(&le, "abc", 0);
	assert_true(lineedit_delete(&le));
	expect_line(&le, "bc", 0);
	assert_true(lineedit_end(&le));
	assert_true(lineedit_backspace(&le));
	expect_line(&le, "b", 1);
	lineedit_clear(&le);
}

static void test_max_bytes(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "abc", 3);
	assert_int_equal(lineedit_insert_str(&le, "d"), LINEEDIT_FULL);
	expect_line(&le, "abc", 3);
	assert_true(lineedit_backspace(&le));
	/* three bytes do not fit where one is left */
	assert_int_equal(lineedit_insert_str(&le, HAN), LINEEDIT_FULL);
	assert_int_equal(lineedit_insert_str(&le, "z"), LINEEDIT_OK);
	expect_line(&le, "abz", 3);
	lineedit_clear(&le);

	/* a multibyte character that fits exactly */
	init_ok(&le, "a", 4);
	assert_int_equal(lineedit_insert_str(&le, HAN), LINEEDIT_OK);
	expect_line(&le, "a" HAN, 4);
	lineedit_clear(&le);

	/* a paste is all or nothing */
	init_ok(&le, "", 10);
	assert_int_equal(lineedit_insert_str(&le, "0123456789X"), LINEEDIT_FULL);
	expect_line(&le, "", 0);
	assert_int_equal(lineedit_insert_str(&le, "0123456789"), LINEEDIT_OK);
	expect_line(&le, "0123456789", 10);
	lineedit_clear(&le);

	init_ok(&le, NULL, 0);
	assert_int_equal(lineedit_insert_str(&le, "a"), LINEEDIT_FULL);
	assert_int_equal(lineedit_insert(&le, "", 0), LINEEDIT_OK);
	expect_line(&le, "", 0);
	lineedit_clear(&le);
}

/* ---- insertion ---- */

/* Every one of these is refused whole wherever it goes. */
static const struct {
	const char *s;
	size_t n;
} bad_inserts[] = {
	{"\x1b[31m", 5},
	{"\x1b", 1},
	{"\t", 1},
	{"\n", 1},
	{"\r", 1},
	{"\x7f", 1},
	{"\0", 1},
	{"a\0b", 3},
	{"\xC2\x9B\x33\x31m", 5},
	{"\xff", 1},
	{"\xE4\xB8", 2},
	{"\xC0\xAF", 2},
	{"\xED\xA0\x80", 3},
	{"\xF4\x90\x80\x80", 4},
	{"\xE2\x80\xAE", 3},
	{"\xEF\xBF\xBE", 3},
	{"ok\x1b]0;title\x07", 12},
};

/* Tries every bad insertion on text with the cursor `lefts` clusters from the end. */
static void expect_refused(const char *text, int lefts, size_t cursor)
{
	struct lineedit le;

	init_ok(&le, text, 64);
	repeat(lineedit_left, &le, lefts);
	for (size_t i = 0; i < ARRAY_LEN(bad_inserts); i++) {
		assert_int_equal(lineedit_insert(&le, bad_inserts[i].s, bad_inserts[i].n),
				 LINEEDIT_INVALID);
		expect_line(&le, text, cursor);
	}
	lineedit_clear(&le);
}

static void test_insert_refused(void **state)
{
	(void)state;
	/* short lines: there a NUL sanitizes to nothing rather than to U+FFFD */
	expect_refused("", 0, 0);
	expect_refused("x", 0, 1);
	expect_refused("x", 1, 0);
	expect_refused("x" HAN "y", 1, 4);
}

static void test_insert_middle(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "ac", 64);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_insert_str(&le, "b"), LINEEDIT_OK);
	expect_line(&le, "abc", 2);
	assert_int_equal(lineedit_insert_str(&le, "h\xC3\xA9llo " HAN), LINEEDIT_OK);
	expect_line(&le, "abh\xC3\xA9llo " HAN "c", 12);
	/* U+FFFD itself is a printable character */
	assert_int_equal(lineedit_insert_str(&le, R), LINEEDIT_OK);
	expect_line(&le, "abh\xC3\xA9llo " HAN R "c", 15);
	lineedit_clear(&le);
}

static void test_multibyte_and_wide(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "a" HAN GRIN "b", 64);
	expect_line(&le, "a" HAN GRIN "b", 9);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 8);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 4);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 1);
	assert_true(lineedit_right(&le));
	assert_int_equal(lineedit_cursor(&le), 4);
	assert_true(lineedit_backspace(&le));
	expect_line(&le, "a" GRIN "b", 1);
	assert_true(lineedit_delete(&le));
	expect_line(&le, "ab", 1);
	lineedit_clear(&le);
}

static void test_combining(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "e" ACUTE "x", 64);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 3);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 0);
	assert_true(lineedit_right(&le));
	assert_int_equal(lineedit_cursor(&le), 3);
	assert_true(lineedit_home(&le));
	/* a mark cannot start the line, nor be left there by a deletion */
	assert_int_equal(lineedit_insert_str(&le, ACUTE), LINEEDIT_INVALID);
	assert_true(lineedit_delete(&le));
	expect_line(&le, "x", 0);
	assert_int_equal(lineedit_insert_str(&le, "o"), LINEEDIT_OK);
	/* typed on its own after a base, a mark joins it */
	assert_int_equal(lineedit_insert_str(&le, ACUTE), LINEEDIT_OK);
	expect_line(&le, "o" ACUTE "x", 3);
	assert_true(lineedit_backspace(&le));
	expect_line(&le, "x", 0);
	lineedit_clear(&le);

	/* SANITIZE_MAX_MARKS marks on one base, not one more */
	init_ok(&le, "a", 64);
	for (int i = 0; i < SANITIZE_MAX_MARKS; i++)
		assert_int_equal(lineedit_insert_str(&le, ACUTE), LINEEDIT_OK);
	assert_int_equal(lineedit_insert_str(&le, ACUTE), LINEEDIT_INVALID);
	assert_int_equal(lineedit_len(&le), 1 + 2 * SANITIZE_MAX_MARKS);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 0);
	lineedit_clear(&le);

	/* a joiner is zero-width too: it moves with the character before it */
	init_ok(&le, GRIN ZWJ GRIN, 64);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 7);
	assert_true(lineedit_left(&le));
	assert_int_equal(lineedit_cursor(&le), 0);
	lineedit_clear(&le);
}

/* ---- kills and words ---- */

static void test_kill_start_end(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "hello world", 64);
	assert_true(lineedit_home(&le));
	repeat(lineedit_right, &le, 5);
	assert_true(lineedit_kill_end(&le));
	expect_line(&le, "hello", 5);
	assert_false(lineedit_kill_end(&le));
	lineedit_clear(&le);

	init_ok(&le, "hello " HAN "orld", 64);
	repeat(lineedit_left, &le, 5);
	assert_true(lineedit_kill_start(&le));
	expect_line(&le, HAN "orld", 0);
	assert_false(lineedit_kill_start(&le));
	assert_true(lineedit_erase(&le));
	expect_line(&le, "", 0);
	lineedit_clear(&le);
}

static void test_kill_word(void **state)
{
	struct lineedit le;

	(void)state;
	/* '/' is a boundary: one path component at a time */
	init_ok(&le, "cp /tmp/dir/", 64);
	assert_true(lineedit_kill_word(&le));
	expect_line(&le, "cp /tmp/", 8);
	assert_true(lineedit_kill_word(&le));
	expect_line(&le, "cp /", 4);
	assert_true(lineedit_kill_word(&le));
	expect_line(&le, "", 0);
	lineedit_clear(&le);

	init_ok(&le, "one two three", 64);
	repeat(lineedit_left, &le, 6);
	assert_true(lineedit_kill_word(&le));
	expect_line(&le, "one  three", 4);
	lineedit_clear(&le);

	init_ok(&le, "word   ", 64);
	assert_true(lineedit_kill_word(&le));
	expect_line(&le, "", 0);
	lineedit_clear(&le);

	init_ok(&le, "x " HAN WEN "e" ACUTE, 64);
	assert_true(lineedit_kill_word(&le));
	expect_line(&le, "x ", 2);
	lineedit_clear(&le);
}

static void test_word_moves(void **state)
{
	struct lineedit le;
	static const size_t left[] = {6, 3, 0};
	static const size_t right[] = {2, 5, 8};

	(void)state;
	init_ok(&le, "ab cd/ef", 64);
	for (size_t i = 0; i < 3; i++) {
		assert_true(lineedit_word_left(&le));
		assert_int_equal(lineedit_cursor(&le), left[i]);
	}
	assert_false(lineedit_word_left(&le));
	for (size_t i = 0; i < 3; i++) {
		assert_true(lineedit_word_right(&le));
		assert_int_equal(lineedit_cursor(&le), right[i]);
	}
	assert_false(lineedit_word_right(&le));
	expect_line(&le, "ab cd/ef", 8);
	lineedit_clear(&le);
}

static void test_set_text(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "old", 8);
	assert_true(lineedit_home(&le));
	assert_int_equal(lineedit_set_text(&le, "newer"), LINEEDIT_OK);
	expect_line(&le, "newer", 5);
	assert_int_equal(lineedit_set_text(&le, "much too long"), LINEEDIT_FULL);
	expect_line(&le, "", 0);
	assert_int_equal(lineedit_set_text(&le, NULL), LINEEDIT_OK);
	expect_line(&le, "", 0);
	lineedit_clear(&le);
}

/* ---- the view ---- */

static void test_view_fits(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "", 64);
	expect_view(&le, 5, 0, 0, 0, 0);
	assert_int_equal(lineedit_set_text(&le, "abc"), LINEEDIT_OK);
	expect_view(&le, 10, 0, 3, 3, 3);
	/* the cursor at the end needs a column of its own */
	expect_view(&le, 4, 0, 3, 3, 3);
	expect_view(&le, 3, 1, 3, 2, 2);
	lineedit_clear(&le);
}

static void test_view_scroll(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "abcdefghij", 64);
	expect_view(&le, 5, 6, 10, 4, 4);
	assert_true(lineedit_home(&le));
	expect_view(&le, 5, 0, 5, 5, 0);
	assert_true(lineedit_end(&le));
	expect_view(&le, 5, 6, 10, 4, 4);
	/* inside the field the view does not move */
	assert_true(lineedit_left(&le));
	expect_view(&le, 5, 6, 10, 4, 3);
	/* past its left edge, only as far as the cursor */
	repeat(lineedit_left, &le, 4);
	expect_view(&le, 5, 5, 10, 5, 0);
	repeat(lineedit_right, &le, 2);
	expect_view(&le, 5, 5, 10, 5, 2);
	/* a shorter text scrolls back to fill the field */
	assert_true(lineedit_kill_end(&le));
	expect_line(&le, "abcdefg", 7);
	expect_view(&le, 5, 3, 7, 4, 4);
	assert_true(lineedit_kill_start(&le));
	expect_view(&le, 5, 0, 0, 0, 0);
	lineedit_clear(&le);
}

static void test_view_wide(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, HAN WEN HAN WEN, 64);
	expect_view(&le, 5, 6, 12, 4, 4);
	assert_true(lineedit_home(&le));
	/* the third wide character does not fit in the fifth column */
	expect_view(&le, 5, 0, 6, 4, 0);
	assert_true(lineedit_right(&le));
	expect_view(&le, 5, 0, 6, 4, 2);
	assert_true(lineedit_right(&le));
	expect_view(&le, 5, 3, 9, 4, 2);
	lineedit_clear(&le);

	/* combining marks take no column and stay with their base */
	init_ok(&le, "e" ACUTE "e" ACUTE "e" ACUTE "e" ACUTE "e" ACUTE "e" ACUTE, 64);
	expect_view(&le, 4, 9, 18, 3, 3);
	lineedit_clear(&le);
}

static void test_view_degenerate(void **state)
{
	struct lineedit le;

	(void)state;
	init_ok(&le, "abc", 64);
	expect_view(&le, 0, 3, 3, 0, 0);
	lineedit_clear(&le);

	/* a field narrower than the character under the cursor */
	init_ok(&le, HAN, 64);
	expect_view(&le, 1, 3, 3, 0, 0);
	assert_true(lineedit_home(&le));
	expect_view(&le, 1, 0, 0, 0, 0);
	expect_view(&le, 2, 0, 3, 2, 0);
	lineedit_clear(&le);

	/* a scroll position left inside a character by an edit snaps back */
	init_ok(&le, "aaaa" HAN HAN HAN HAN, 64);
	expect_view(&le, 5, 10, 16, 4, 4);
	assert_true(lineedit_home(&le));
	assert_true(lineedit_delete(&le));
	assert_true(lineedit_end(&le));
	expect_view(&le, 5, 9, 15, 4, 4);
	lineedit_clear(&le);
}

/* ---- a random walk over the editing functions ---- */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 16;
}

/* The columns of text[from, to), by sanitize's table. */
static size_t span_width(const char *text, size_t from, size_t to)
{
	char *part = xstrndup(text + from, to - from);
	size_t cols = sanitize_width(part);

	free(part);
	return cols;
}

/* True when off starts a cluster: a code point start that is not zero-width. */
static bool at_cluster(const char *text, size_t len, size_t off)
{
	size_t n = 1;

	if (off == 0 || off == len)
		return true;
	if (((unsigned char)text[off] & 0xC0) == 0x80)
		return false;
	while (((unsigned char)text[off + n] & 0xC0) == 0x80)
		n++;
	return span_width(text, off, off + n) > 0;
}

static void check_invariants(struct lineedit *le, size_t width)
{
	const char *text = lineedit_text(le);
	size_t len = lineedit_len(le), cursor = lineedit_cursor(le);
	char *clean = sanitize_dup(text, SANITIZE_NO_LIMIT);
	struct lineedit_view v;

	assert_string_equal(clean, text);
	free(clean);
	assert_int_equal(strlen(text), len);
	assert_true(len <= le->max);
	assert_true(cursor <= len);
	assert_true(at_cluster(text, len, cursor));
	lineedit_view(le, width, &v);
	assert_true(v.start <= cursor && v.start <= v.end && v.end <= len);
	assert_true(at_cluster(text, len, v.start) && at_cluster(text, len, v.end));
	assert_true(v.cols <= width);
	assert_int_equal(v.cols, span_width(text, v.start, v.end));
	assert_int_equal(v.cursor_col, span_width(text, v.start, cursor));
	if (width >= 2) {
		assert_true(cursor <= v.end);
		assert_true(v.cursor_col < width);
	}
}

static void test_random_walk(void **state)
{
	static const char *const pieces[] = {
		"a",    " ",   "/",  HAN, ACUTE, "e" ACUTE,  "\x1b",
		"\xff", "xyz", GRIN, ZWJ, "\t",  "\xE4\xB8",
	};
	bool (*const ops[])(struct lineedit *) = {
		lineedit_backspace, lineedit_delete,    lineedit_left,       lineedit_right,
		lineedit_home,      lineedit_end,       lineedit_kill_start, lineedit_kill_end,
		lineedit_kill_word, lineedit_word_left, lineedit_word_right,
	};
	const size_t n_pieces = ARRAY_LEN(pieces);
	const size_t n_ops = ARRAY_LEN(ops);
	struct lineedit le;

	(void)state;
	init_ok(&le, NULL, 40);
	for (int step = 0; step < 20000; step++) {
		uint32_t r = rng() % (n_pieces + n_ops);

		if (r < n_pieces)
			(void)lineedit_insert_str(&le, pieces[r]);
		else
			(void)ops[r - n_pieces](&le);
		check_invariants(&le, rng() % 12);
	}
	lineedit_clear(&le);
}

/* ---- completion: the tree ---- */

static char root[64];
static char *saved_home;

static char *at_root(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static int make_file(const char *rel)
{
	char *path = at_root(rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	free(path);
	return fd >= 0 ? close(fd) : -1;
}

static int make_dir(const char *rel, mode_t mode)
{
	char *path = at_root(rel);
	int rc = mkdir(path, mode) == 0 && chmod(path, mode) == 0 ? 0 : -1;

	free(path);
	return rc;
}

static int make_many(void)
{
	int rc = 0;

	for (int i = 2499; i >= 0 && rc == 0; i--) {
		char name[32];

		snprintf(name, sizeof(name), "many/f%04d", i);
		rc = make_file(name);
	}
	return rc;
}

static int build_tree(void)
{
	static const char *const dirs[] = {"apricot",  "cherry", "home", "home/docs",
					   ".hideout", "odd",    "many"};
	static const char *const files[] = {"apple.txt",   "banana",         "cherry/pit.txt",
					    ".hidden",     "home/notes.txt", "odd/esc\x1b[31mred",
					    "odd/bad\xff", "odd/plain"};
	char *link = at_root("link_to_cherry");
	int rc = symlink("cherry", link);

	free(link);
	for (size_t i = 0; i < ARRAY_LEN(dirs) && rc == 0; i++)
		rc = make_dir(dirs[i], 0755);
	for (size_t i = 0; i < ARRAY_LEN(files) && rc == 0; i++)
		rc = make_file(files[i]);
	if (rc == 0)
		rc = make_many();
	/* last: nothing can be made inside it */
	return rc == 0 ? make_dir("locked", 0) : rc;
}

static int group_setup(void **state)
{
	const char *home = getenv("HOME");

	(void)state;
	saved_home = home != NULL ? xstrdup(home) : NULL;
	snprintf(root, sizeof(root), "/tmp/lineedit-test.XXXXXX");
	/* 0755: the unreadable-directory test runs as nobody */
	if (mkdtemp(root) == NULL || chmod(root, 0755) != 0)
		return -1;
	return build_tree();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_teardown(void **state)
{
	char *locked = at_root("locked");

	(void)state;
	chmod(locked, 0700);
	free(locked);
	if (saved_home != NULL)
		setenv("HOME", saved_home, 1);
	free(saved_home);
	return nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- completion: the tests ---- */

/* Completes a line of root + "/" + rel and checks the result and the new line. */
static void expect_complete(const char *rel, size_t max, enum lineedit_complete want,
			    const char *want_rel, struct lineedit_matches *m)
{
	char *line = at_root(rel);
	char *want_line = at_root(want_rel);
	struct lineedit le;

	init_ok(&le, line, max);
	assert_int_equal(lineedit_complete_path(&le, m), want);
	expect_line(&le, want_line, strlen(want_line));
	lineedit_clear(&le);
	free(want_line);
	free(line);
}

static void expect_names(const struct lineedit_matches *m, const char *const *names, size_t n)
{
	assert_int_equal(m->n, n);
	assert_int_equal(m->total, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(m->names[i], names[i]);
}

static void test_complete_unique(void **state)
{
	struct lineedit_matches m = {0};

	(void)state;
	/* a file: no '/' and no space */
	expect_complete("ban", 4096, LINEEDIT_COMPLETE_UNIQUE, "banana", &m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.total, 1);
	assert_int_equal(m.error, 0);
	/* a directory gets '/', and the next Tab goes into it */
	expect_complete("che", 4096, LINEEDIT_COMPLETE_UNIQUE, "cherry/", &m);
	expect_complete("cherry/", 4096, LINEEDIT_COMPLETE_UNIQUE, "cherry/pit.txt", &m);
	/* a link to a directory is followed, as a shell does */
	expect_complete("li", 4096, LINEEDIT_COMPLETE_UNIQUE, "link_to_cherry/", &m);
	/* already complete: nothing to add */
	expect_complete("banana", 4096, LINEEDIT_COMPLETE_UNIQUE, "banana", &m);
	lineedit_matches_clear(&m);
}

static void test_complete_several(void **state)
{
	static const char *const ap[] = {"apple.txt", "apricot/"};
	static const char *const all[] = {"apple.txt", "apricot/", "banana",
					  "cherry/",   "home/",    "link_to_cherry/",
					  "locked/",   "many/",    "odd/"};
	struct lineedit_matches m = {0};

	(void)state;
	expect_complete("a", 4096, LINEEDIT_COMPLETE_LIST, "ap", &m);
	expect_names(&m, ap, 2);
	/* m is reused: the call clears it first */
	expect_complete("ap", 4096, LINEEDIT_COMPLETE_LIST, "ap", &m);
	expect_names(&m, ap, 2);
	expect_complete("", 4096, LINEEDIT_COMPLETE_LIST, "", &m);
	expect_names(&m, all, 9);
	lineedit_matches_clear(&m);
	assert_null(m.names);
	assert_int_equal(m.n, 0);
}

static void test_complete_none(void **state)
{
	struct lineedit_matches m = {0};

	(void)state;
	expect_complete("zzz", 4096, LINEEDIT_COMPLETE_NONE, "zzz", &m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.total, 0);
	assert_int_equal(m.error, 0);
	lineedit_matches_clear(&m);
}

static void test_complete_hidden(void **state)
{
	static const char *const hid[] = {".hidden", ".hideout/"};
	static const char *const dot[] = {"../", "./", ".hidden", ".hideout/"};
	struct lineedit_matches m = {0};

	(void)state;
	expect_complete(".h", 4096, LINEEDIT_COMPLETE_LIST, ".hid", &m);
	expect_names(&m, hid, 2);
	expect_complete(".", 4096, LINEEDIT_COMPLETE_LIST, ".", &m);
	expect_names(&m, dot, 4);
	expect_complete("..", 4096, LINEEDIT_COMPLETE_UNIQUE, "../", &m);
	lineedit_matches_clear(&m);
}

/* Completes line with HOME as given (NULL: unset); checks the result and the line. */
static void expect_home(const char *home, const char *line, enum lineedit_complete want,
			const char *want_line)
{
	struct lineedit_matches m = {0};
	struct lineedit le;

	if (home != NULL)
		assert_int_equal(setenv("HOME", home, 1), 0);
	else
		assert_int_equal(unsetenv("HOME"), 0);
	init_ok(&le, line, 4096);
	assert_int_equal(lineedit_complete_path(&le, &m), want);
	expect_line(&le, want_line, strlen(want_line));
	assert_int_equal(m.error, want == LINEEDIT_COMPLETE_ERROR ? ENOENT : 0);
	lineedit_matches_clear(&m);
	lineedit_clear(&le);
}

static void test_complete_tilde(void **state)
{
	static const char *const names[] = {"docs/", "notes.txt"};
	char *home = at_root("home");
	struct lineedit_matches m = {0};
	struct lineedit le;

	(void)state;
	expect_home(home, "~/d", LINEEDIT_COMPLETE_UNIQUE, "~/docs/");
	expect_home(home, "cp ~/no", LINEEDIT_COMPLETE_UNIQUE, "cp ~/notes.txt");
	expect_home(home, "~", LINEEDIT_COMPLETE_UNIQUE, "~/");
	init_ok(&le, "~/", 4096);
	assert_int_equal(lineedit_complete_path(&le, &m), LINEEDIT_COMPLETE_LIST);
	expect_line(&le, "~/", 2);
	expect_names(&m, names, 2);
	lineedit_matches_clear(&m);
	lineedit_clear(&le);
	/* "~user" is a name like any other, here one that is not there */
	expect_home(home, "~nobody/x", LINEEDIT_COMPLETE_ERROR, "~nobody/x");
	expect_home(NULL, "~/d", LINEEDIT_COMPLETE_ERROR, "~/d");
	expect_home(NULL, "~", LINEEDIT_COMPLETE_ERROR, "~");
	expect_home("", "~/d", LINEEDIT_COMPLETE_ERROR, "~/d");
	free(home);
}

static void test_complete_relative(void **state)
{
	struct lineedit_matches m = {0};
	char *cwd = getcwd(NULL, 0);
	struct lineedit le;

	(void)state;
	assert_non_null(cwd);
	assert_int_equal(chdir(root), 0);
	init_ok(&le, "ban", 4096);
	assert_int_equal(lineedit_complete_path(&le, &m), LINEEDIT_COMPLETE_UNIQUE);
	expect_line(&le, "banana", 6);
	/* only the word before the cursor, wherever the cursor is */
	assert_int_equal(lineedit_set_text(&le, "cp ./ch xyz"), LINEEDIT_OK);
	repeat(lineedit_left, &le, 4);
	assert_int_equal(lineedit_complete_path(&le, &m), LINEEDIT_COMPLETE_UNIQUE);
	expect_line(&le, "cp ./cherry/ xyz", 12);
	lineedit_clear(&le);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

static void test_complete_errors(void **state)
{
	struct lineedit_matches m = {0};

	(void)state;
	expect_complete("nope/x", 4096, LINEEDIT_COMPLETE_ERROR, "nope/x", &m);
	assert_int_equal(m.error, ENOENT);
	assert_int_equal(m.n, 0);
	expect_complete("banana/", 4096, LINEEDIT_COMPLETE_ERROR, "banana/", &m);
	assert_int_equal(m.error, ENOTDIR);
	/* the directory itself is offered; going into it is what fails */
	expect_complete("lock", 4096, LINEEDIT_COMPLETE_UNIQUE, "locked/", &m);
	assert_int_equal(m.error, 0);
	lineedit_matches_clear(&m);
}

/* 0 when completing line failed cleanly with EACCES, else which check failed. */
static int unreadable_checks(const char *line)
{
	struct lineedit_matches m = {0};
	struct lineedit le;
	int rc = 0;

	lineedit_init(&le, line, 4096);
	if (lineedit_complete_path(&le, &m) != LINEEDIT_COMPLETE_ERROR)
		rc = 1;
	else if (m.error != EACCES)
		rc = 2;
	else if (strcmp(lineedit_text(&le), line) != 0)
		rc = 3;
	else if (m.n != 0)
		rc = 4;
	lineedit_matches_clear(&m);
	lineedit_clear(&le);
	return rc;
}

/* The child's half: as nobody, since root reads any directory (77: cannot drop root). */
static int unreadable_child(void)
{
	char *line = at_root("locked/");
	int rc = 77;

	if (geteuid() != 0 || (setgid(NOBODY) == 0 && setuid(NOBODY) == 0))
		rc = unreadable_checks(line);
	free(line);
	return rc;
}

/* CI=true (but not false or 0): the machine has what every test needs. */
static bool on_ci(void)
{
	const char *ci = getenv("CI");

	return ci != NULL && *ci != '\0' && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0;
}

static void test_complete_unreadable(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unreadable_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		/* CI runs as root, which can become nobody: a skip there hides the test */
		if (on_ci())
			fail_msg("cannot drop root to nobody (uid %d) under CI=true", NOBODY);
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_complete_odd_names(void **state)
{
	struct lineedit_matches m = {0};
	char *shown;

	(void)state;
	/* the line takes the name up to the escape; the name is listed raw */
	expect_complete("odd/e", 4096, LINEEDIT_COMPLETE_LIST, "odd/esc", &m);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.total, 1);
	assert_string_equal(m.names[0], "esc\x1b[31mred");
	shown = sanitize_dup(m.names[0], SANITIZE_NO_LIMIT);
	assert_string_equal(shown, "esc" R "red");
	free(shown);
	expect_complete("odd/b", 4096, LINEEDIT_COMPLETE_LIST, "odd/bad", &m);
	assert_string_equal(m.names[0], "bad\xff");
	expect_complete("odd/p", 4096, LINEEDIT_COMPLETE_UNIQUE, "odd/plain", &m);
	lineedit_matches_clear(&m);
}

static void test_complete_line_full(void **state)
{
	struct lineedit_matches m = {0};
	size_t max = strlen(root) + strlen("/ban") + 2;

	(void)state;
	/* as much as fits, then the match is listed */
	expect_complete("ban", max, LINEEDIT_COMPLETE_LIST, "banan", &m);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.names[0], "banana");
	lineedit_matches_clear(&m);
}

static void test_complete_many(void **state)
{
	struct lineedit_matches m = {0};

	(void)state;
	expect_complete("many/", 4096, LINEEDIT_COMPLETE_LIST, "many/f", &m);
	assert_int_equal(m.total, 2500);
	assert_int_equal(m.n, LINEEDIT_MATCHES_MAX);
	for (size_t i = 1; i < m.n; i++)
		assert_true(strcmp(m.names[i - 1], m.names[i]) < 0);
	assert_string_equal(m.names[0], "f0000");
	assert_string_equal(m.names[LINEEDIT_MATCHES_MAX - 1], "f0999");
	expect_complete("many/f24", 4096, LINEEDIT_COMPLETE_LIST, "many/f24", &m);
	assert_int_equal(m.total, 100);
	assert_string_equal(m.names[99], "f2499");
	lineedit_matches_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_clear),
		cmocka_unit_test(test_empty_line),
		cmocka_unit_test(test_cursor_at_ends),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_insert_refused),
		cmocka_unit_test(test_insert_middle),
		cmocka_unit_test(test_multibyte_and_wide),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_kill_start_end),
		cmocka_unit_test(test_kill_word),
		cmocka_unit_test(test_word_moves),
		cmocka_unit_test(test_set_text),
		cmocka_unit_test(test_view_fits),
		cmocka_unit_test(test_view_scroll),
		cmocka_unit_test(test_view_wide),
		cmocka_unit_test(test_view_degenerate),
		cmocka_unit_test(test_random_walk),
		cmocka_unit_test(test_complete_unique),
		cmocka_unit_test(test_complete_several),
		cmocka_unit_test(test_complete_none),
		cmocka_unit_test(test_complete_hidden),
		cmocka_unit_test(test_complete_tilde),
		cmocka_unit_test(test_complete_relative),
		cmocka_unit_test(test_complete_errors),
		cmocka_unit_test(test_complete_unreadable),
		cmocka_unit_test(test_complete_odd_names),
		cmocka_unit_test(test_complete_line_full),
		cmocka_unit_test(test_complete_many),
	};

	return cmocka_run_group_tests_name("lineedit", tests, group_setup, group_teardown);
}
