/*
 * Unit tests for sim/ftree: paths refused, mkdir/put/stat/list, blobs
 * shared and charged once, the budget refusing without a change, links
 * followed inside the tree only, snapshots in tar order, and grafts (into
 * a directory, a lone file renamed, overwrite off, all or nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/ftree.h"

static struct ftree_blob *text(const char *s)
{
	return ftree_blob_new(s, strlen(s));
}

static enum ftree_rc put_text(struct ftree *t, const char *path, const char *s)
{
	return ftree_put(t, path, FTREE_FILE, 0644, 1, text(s), NULL);
}

/* The content at path as a string (caller frees), or NULL. */
static char *read_text(struct ftree *t, const char *path)
{
	struct ftree_blob *b = NULL;
	char *s;

	if (ftree_blob_at(t, path, &b) != FTREE_OK)
		return NULL;
	s = calloc(1, ftree_blob_len(b) + 1);
	memcpy(s, ftree_blob_data(b), ftree_blob_len(b));
	ftree_blob_unref(b);
	return s;
}

static void assert_text(struct ftree *t, const char *path, const char *want)
{
	char *got = read_text(t, path);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_null_and_empty(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree_entry *e = NULL;
	size_t n = 1;

	(void)state;
	ftree_free(NULL);
	ftree_blob_unref(NULL);
	ftree_entries_free(NULL, 0);
	assert_int_equal(ftree_used(t), FTREE_NODE_COST);
	assert_int_equal(ftree_list(t, "/", &e, &n), FTREE_OK);
	assert_int_equal(n, 0);
	ftree_entries_free(e, n);
	assert_int_equal(ftree_stat(t, "/nope", &(struct ftree_stat){0}), FTREE_NOT_FOUND);
	ftree_free(&t);
	assert_null(t);
}

static void test_bad_paths(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	char longname[300];

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(put_text(t, "/etc/../x", "x"), FTREE_BAD_PATH);
	assert_int_equal(ftree_mkdir(t, "..", 0755), FTREE_BAD_PATH);
	assert_int_equal(put_text(t, longname, "x"), FTREE_BAD_PATH);
	assert_int_equal(ftree_used(t), FTREE_NODE_COST);
	/* "." and empty components are dropped; relative means from "/" */
	assert_int_equal(put_text(t, "a//./b", "bee"), FTREE_OK);
	assert_text(t, "/a/b", "bee");
	ftree_free(&t);
}

static void test_mkdir_put_stat_list(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree_stat st;
	struct ftree_entry *e = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(ftree_mkdir(t, "/var/log", 0750), FTREE_OK);
	assert_int_equal(ftree_mkdir(t, "/var/log", 0750), FTREE_OK);
	assert_int_equal(put_text(t, "/var/log/b.log", "bb"), FTREE_OK);
	assert_int_equal(put_text(t, "/var/log/a.log", "a"), FTREE_OK);
	assert_int_equal(ftree_stat(t, "/var/log", &st), FTREE_OK);
	assert_int_equal(st.type, FTREE_DIR);
	assert_int_equal(st.mode, 0750);
	assert_int_equal(ftree_stat(t, "/var/log/b.log", &st), FTREE_OK);
	assert_int_equal(st.type, FTREE_FILE);
	assert_int_equal(st.size, 2);
	/* a file is not a directory, and a directory is never replaced */
	assert_int_equal(put_text(t, "/var/log/a.log/x", "x"), FTREE_NOT_DIR);
	assert_int_equal(ftree_mkdir(t, "/var/log/a.log", 0755), FTREE_NOT_DIR);
	assert_int_equal(put_text(t, "/var/log", "x"), FTREE_IS_DIR);
	assert_int_equal(put_text(t, "/", "x"), FTREE_IS_DIR);
	/* a file is replaced */
	assert_int_equal(put_text(t, "/var/log/a.log", "again"), FTREE_OK);
	assert_text(t, "/var/log/a.log", "again");
	assert_int_equal(ftree_list(t, "/var/log", &e, &n), FTREE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].path, "a.log");
	assert_string_equal(e[1].path, "b.log");
	assert_int_equal(ftree_blob_len(e[1].blob), 2);
	ftree_entries_free(e, n);
	assert_int_equal(ftree_list(t, "/var/log/a.log", &e, &n), FTREE_NOT_DIR);
	ftree_entries_free(e, n);
	ftree_free(&t);
}

static void test_blob_sharing(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree_blob *b = ftree_blob_new("0123456789", 10);
	uint64_t one;

	(void)state;
	assert_int_equal(ftree_put(t, "/a", FTREE_FILE, 0644, 0, ftree_blob_ref(b), NULL),
			 FTREE_OK);
	one = ftree_used(t);
	assert_int_equal(one, 2 * FTREE_NODE_COST + 10);
	/* a second file of the same blob costs its node, not its content */
	assert_int_equal(ftree_put(t, "/b", FTREE_FILE, 0644, 0, ftree_blob_ref(b), NULL),
			 FTREE_OK);
	assert_int_equal(ftree_used(t), one + FTREE_NODE_COST);
	/* replacing one keeps the content charged; replacing both refunds it */
	assert_int_equal(put_text(t, "/a", "x"), FTREE_OK);
	assert_int_equal(ftree_used(t), 3 * FTREE_NODE_COST + 10 + 1);
	assert_int_equal(put_text(t, "/b", "y"), FTREE_OK);
	assert_int_equal(ftree_used(t), 3 * FTREE_NODE_COST + 2);
	ftree_blob_unref(b);
	ftree_free(&t);
}

static void test_budget_refuses_unchanged(void **state)
{
	struct ftree *t = ftree_new(4 * FTREE_NODE_COST + 100);
	char big[200];
	uint64_t before;

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(put_text(t, "/a", "small"), FTREE_OK);
	before = ftree_used(t);
	assert_int_equal(ftree_put(t, "/d1/d2/big", FTREE_FILE, 0644, 0,
				   ftree_blob_new(big, sizeof(big)), NULL),
			 FTREE_FULL);
	assert_int_equal(ftree_used(t), before);
	/* the parents it would have made are not left behind */
	assert_int_equal(ftree_stat(t, "/d1", &(struct ftree_stat){0}), FTREE_NOT_FOUND);
	assert_int_equal(ftree_mkdir(t, "/m1/m2/m3/m4", 0755), FTREE_FULL);
	assert_int_equal(ftree_used(t), before);
	assert_int_equal(ftree_stat(t, "/m1", &(struct ftree_stat){0}), FTREE_NOT_FOUND);
	/* replacing a file frees its content first: this fits */
	assert_int_equal(ftree_put(t, "/a", FTREE_FILE, 0644, 0, ftree_blob_new(big, 90), NULL),
			 FTREE_OK);
	ftree_free(&t);
}

static void test_links(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree_stat st;
	struct ftree_entry *e = NULL;
	size_t n = 0;
	char *real = NULL;

	(void)state;
	assert_int_equal(put_text(t, "/etc/hostname", "box\n"), FTREE_OK);
	assert_int_equal(ftree_put(t, "/l/host", FTREE_LINK, 0777, 0, NULL, "../etc/hostname"),
			 FTREE_OK);
	assert_int_equal(ftree_put(t, "/l/etc", FTREE_LINK, 0777, 0, NULL, "/etc"), FTREE_OK);
	/* a link out of the tree stays in it: ".." stops at "/" */
	assert_int_equal(
		ftree_put(t, "/l/out", FTREE_LINK, 0777, 0, NULL, "../../../../../etc/hostname"),
		FTREE_OK);
	assert_int_equal(ftree_put(t, "/l/loop", FTREE_LINK, 0777, 0, NULL, "loop"), FTREE_OK);
	assert_text(t, "/l/host", "box\n");
	assert_text(t, "/l/out", "box\n");
	assert_text(t, "/l/etc/hostname", "box\n");
	assert_int_equal(ftree_blob_at(t, "/l/loop", &(struct ftree_blob *){NULL}),
			 FTREE_NOT_FOUND);
	assert_int_equal(ftree_stat(t, "/l/host", &st), FTREE_OK);
	assert_int_equal(st.type, FTREE_LINK);
	assert_int_equal(ftree_list(t, "/l/etc", &e, &n), FTREE_OK);
	assert_int_equal(n, 1);
	ftree_entries_free(e, n);
	assert_int_equal(ftree_realpath(t, "/l/etc/hostname", &real), FTREE_OK);
	assert_string_equal(real, "/etc/hostname");
	free(real);
	/* writing through a link to a directory lands in the directory */
	assert_int_equal(put_text(t, "/l/etc/motd", "hi"), FTREE_OK);
	assert_text(t, "/etc/motd", "hi");
	ftree_free(&t);
}

static void test_snapshot(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree_entry *e = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(put_text(t, "/root/.profile", "p"), FTREE_OK);
	assert_int_equal(put_text(t, "/root/sub/z", "z"), FTREE_OK);
	assert_int_equal(put_text(t, "/root/a", "a"), FTREE_OK);
	assert_int_equal(ftree_snapshot(t, "/root", false, &e, &n), FTREE_OK);
	assert_int_equal(n, 5);
	assert_string_equal(e[0].path, "root/");
	assert_string_equal(e[1].path, "root/.profile");
	assert_string_equal(e[2].path, "root/a");
	assert_string_equal(e[3].path, "root/sub/");
	assert_string_equal(e[4].path, "root/sub/z");
	ftree_entries_free(e, n);
	assert_int_equal(ftree_snapshot(t, "/root", true, &e, &n), FTREE_OK);
	assert_int_equal(n, 4);
	assert_string_equal(e[0].path, ".profile");
	ftree_entries_free(e, n);
	assert_int_equal(ftree_snapshot(t, "/root/sub/z", false, &e, &n), FTREE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].path, "z");
	assert_int_equal(e[0].type, FTREE_FILE);
	ftree_entries_free(e, n);
	assert_int_equal(ftree_snapshot(t, "/missing", false, &e, &n), FTREE_NOT_FOUND);
	assert_int_equal(n, 0);
	/* a snapshot keeps its content while the tree changes */
	assert_int_equal(ftree_snapshot(t, "/root/a", false, &e, &n), FTREE_OK);
	assert_int_equal(put_text(t, "/root/a", "changed"), FTREE_OK);
	assert_memory_equal(ftree_blob_data(e[0].blob), "a", 1);
	ftree_entries_free(e, n);
	ftree_free(&t);
}

static void test_graft_into_dir(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree *src = ftree_new(1 << 20);

	(void)state;
	assert_int_equal(put_text(t, "/app/keep", "k"), FTREE_OK);
	assert_int_equal(put_text(src, "/app/new", "n"), FTREE_OK);
	assert_int_equal(put_text(src, "/top", "t"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/", src, false, true), FTREE_OK);
	assert_text(t, "/app/keep", "k");
	assert_text(t, "/app/new", "n");
	assert_text(t, "/top", "t");
	/* src is left empty */
	assert_int_equal(ftree_used(src), FTREE_NODE_COST);
	/* a missing destination is made as a directory when src holds more than one file */
	assert_int_equal(put_text(src, "/x", "x"), FTREE_OK);
	assert_int_equal(put_text(src, "/y", "y"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/made/here", src, false, true), FTREE_OK);
	assert_text(t, "/made/here/x", "x");
	ftree_free(&src);
	ftree_free(&t);
}

static void test_graft_lone_file(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree *src = ftree_new(1 << 20);

	(void)state;
	assert_int_equal(ftree_mkdir(t, "/root", 0700), FTREE_OK);
	assert_int_equal(put_text(src, "/one.txt", "1"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/root/renamed.txt", src, false, true), FTREE_OK);
	assert_text(t, "/root/renamed.txt", "1");
	/* into an existing directory it keeps its name */
	assert_int_equal(put_text(src, "/one.txt", "1"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/root", src, false, true), FTREE_OK);
	assert_text(t, "/root/one.txt", "1");
	/* into_dir makes the directory */
	assert_int_equal(put_text(src, "/one.txt", "2"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/new/", src, true, true), FTREE_OK);
	assert_text(t, "/new/one.txt", "2");
	ftree_free(&src);
	ftree_free(&t);
}

static void test_graft_refusals_change_nothing(void **state)
{
	struct ftree *t = ftree_new(8 * FTREE_NODE_COST);
	struct ftree *src = ftree_new(1 << 20);
	uint64_t before;

	(void)state;
	assert_int_equal(put_text(t, "/d/f", "old"), FTREE_OK);
	before = ftree_used(t);
	/* overwrite off: a file in the way, and the other entry is not added either */
	assert_int_equal(put_text(src, "/d/a", "a"), FTREE_OK);
	assert_int_equal(put_text(src, "/d/f", "new"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/", src, false, false), FTREE_EXISTS);
	assert_text(t, "/d/f", "old");
	assert_null(read_text(t, "/d/a"));
	assert_int_equal(ftree_used(t), before);
	/* a directory against a file, and a file against a directory */
	assert_int_equal(put_text(src, "/d/f/x", "x"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/", src, false, true), FTREE_NOT_DIR);
	assert_int_equal(put_text(src, "/d", "x"), FTREE_OK);
	assert_int_equal(put_text(src, "/e", "x"), FTREE_OK);
	assert_int_equal(ftree_graft(t, "/", src, false, true), FTREE_IS_DIR);
	/* over the budget: nothing of it lands */
	for (int i = 0; i < 8; i++) {
		char p[16];

		snprintf(p, sizeof(p), "/f%d", i);
		assert_int_equal(put_text(src, p, "x"), FTREE_OK);
	}
	assert_int_equal(ftree_graft(t, "/", src, false, true), FTREE_FULL);
	assert_null(read_text(t, "/f0"));
	assert_int_equal(ftree_used(t), before);
	assert_int_equal(ftree_graft(t, "/../x", src, false, true), FTREE_BAD_PATH);
	ftree_free(&src);
	ftree_free(&t);
}

static void test_ref_and_copy(void **state)
{
	struct ftree *t = ftree_new(1 << 20);
	struct ftree *held;
	struct ftree *copy;

	(void)state;
	assert_int_equal(put_text(t, "/a", "a"), FTREE_OK);
	held = ftree_ref(t);
	copy = ftree_copy(t);
	ftree_free(&t);
	assert_text(held, "/a", "a");
	assert_int_equal(put_text(copy, "/a", "b"), FTREE_OK);
	assert_text(held, "/a", "a");
	assert_text(copy, "/a", "b");
	assert_int_equal(ftree_max(copy), 1 << 20);
	ftree_free(&held);
	ftree_free(&copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_mkdir_put_stat_list),
		cmocka_unit_test(test_blob_sharing),
		cmocka_unit_test(test_budget_refuses_unchanged),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_graft_into_dir),
		cmocka_unit_test(test_graft_lone_file),
		cmocka_unit_test(test_graft_refusals_change_nothing),
		cmocka_unit_test(test_ref_and_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
