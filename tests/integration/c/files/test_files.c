/*
 * net/files against a live boxlite-sim: BOX:PATH parsing, a file and a tree
 * copied in and out again byte for byte (into a directory, as a new name,
 * a directory's "/." contents), a stopped box's 409, a missing path, a full
 * disk (a tiny RLIMIT_FSIZE stands in for it) and cancel: whatever fails,
 * nothing is left under the final name and no temporary directory stays.
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/xalloc.h"
#include "net/files.h"
#include "tests/support/simproc.h"

static char dir[] = "/tmp/boxtop-files-XXXXXX";

static struct api *up(struct simproc *s)
{
	static const char *const args[] = {NULL};
	struct http_conf conf = {0};
	struct api *a;

	assert_int_equal(simproc_start(s, args), 0);
	a = api_new(s->url, NULL, &conf);
	api_set_backoff_ms(a, 10, 100);
	return a;
}

static void down(struct simproc *s, struct api **a)
{
	api_free(a);
	assert_int_equal(simproc_stop(s), 0);
}

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Writes n pseudo-random bytes (from seed) to path. */
static void make_file(const char *path, size_t n, unsigned seed)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		fputc((int)(seed >> 16) & 0xff, f);
	}
	fclose(f);
}

/* Whether files a and b hold the same bytes. */
static bool same(const char *a, const char *b)
{
	char *cmd = xasprintf("cmp -s '%s' '%s'", a, b);
	bool eq = system(cmd) == 0;

	free(cmd);
	return eq;
}

static bool same_tree(const char *a, const char *b)
{
	char *cmd = xasprintf("diff -r '%s' '%s' >/dev/null", a, b);
	bool eq = system(cmd) == 0;

	free(cmd);
	return eq;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* How many ".boxtop-cp-*" directories are left in d. */
static int temps_in(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	int n = 0;

	assert_non_null(dd);
	while ((e = readdir(dd)) != NULL)
		n += strncmp(e->d_name, FILES_TMP_PREFIX, strlen(FILES_TMP_PREFIX)) == 0;
	closedir(dd);
	return n;
}

static void test_split_arg(void **state)
{
	char *box = NULL, *path = NULL;

	(void)state;
	assert_true(files_split_arg("web-1:/etc/hosts", &box, &path));
	assert_string_equal(box, "web-1");
	assert_string_equal(path, "/etc/hosts");
	free(box);
	free(path);
	assert_true(files_split_arg("01ABC:", &box, &path));
	assert_string_equal(path, "");
	free(box);
	free(path);
	assert_false(files_split_arg("./a:b", &box, &path));
	assert_false(files_split_arg("/tmp/a:b", &box, &path));
	assert_false(files_split_arg("dir/a:b", &box, &path));
	assert_false(files_split_arg(":x", &box, &path));
	assert_false(files_split_arg("plain", &box, &path));
	assert_false(files_split_arg(NULL, &box, &path));
}

static void test_file_round_trip(void **state)
{
	struct simproc s;
	struct api *a = up(&s);
	struct xfer_opts o = {0};
	struct net_error err;
	char *src = path_of("f.bin"), *back = path_of("back.bin"), *outdir = path_of("out");
	char *got = NULL, *where = NULL, *inside;

	(void)state;
	make_file(src, 700000, 7);
	assert_int_equal(files_copy_in(a, "web-1", src, "/tmp/f.bin", &o, &where, &err), 0);
	assert_string_equal(where, "/tmp/f.bin");
	free(where);
	/* as a new name */
	assert_int_equal(files_copy_out(a, "web-1", "/tmp/f.bin", back, &o, &got, &err), 0);
	assert_string_equal(got, back);
	assert_true(same(src, back));
	free(got);
	/* into a directory */
	assert_int_equal(mkdir(outdir, 0755), 0);
	assert_int_equal(files_copy_out(a, "web-1", "/tmp/f.bin", outdir, &o, &got, &err), 0);
	inside = path_of("out/f.bin");
	assert_string_equal(got, inside);
	assert_true(same(src, inside));
	assert_int_equal(temps_in(outdir), 0);
	assert_int_equal(temps_in(dir), 0);
	free(got);
	free(inside);
	free(outdir);
	free(back);
	free(src);
	down(&s, &a);
}

static void make_tree(const char *root)
{
	char *p;

	assert_int_equal(mkdir(root, 0755), 0);
	p = xasprintf("%s/sub", root);
	assert_int_equal(mkdir(p, 0750), 0);
	free(p);
	p = xasprintf("%s/sub/a.txt", root);
	make_file(p, 10, 1);
	free(p);
	p = xasprintf("%s/big", root);
	make_file(p, 300000, 2);
	free(p);
	p = xasprintf("%s/empty", root);
	make_file(p, 0, 3);
	free(p);
	p = xasprintf("%s/link", root);
	assert_int_equal(symlink("big", p), 0);
	free(p);
}

static void test_tree_round_trip(void **state)
{
	struct simproc s;
	struct api *a = up(&s);
	struct xfer_opts o = {0};
	struct net_error err;
	char *tree = path_of("tree"), *copy = path_of("copy"), *into = path_of("into");
	char *contents = path_of("contents"), *dot = xasprintf("%s/.", tree);
	char *got = NULL, *where = NULL, *p;

	(void)state;
	make_tree(tree);
	/* /data is missing: it becomes the copy */
	assert_int_equal(files_copy_in(a, "web-2", tree, "/data", &o, &where, &err), 0);
	assert_string_equal(where, "/data");
	free(where);
	/* /data is a directory now: the tree goes inside it */
	assert_int_equal(files_copy_in(a, "web-2", tree, "/data", &o, &where, &err), 0);
	assert_string_equal(where, "/data/tree");
	free(where);
	/* a missing DEST becomes the copy */
	assert_int_equal(files_copy_out(a, "web-2", "/data/tree", copy, &o, &got, &err), 0);
	assert_true(same_tree(tree, copy));
	free(got);
	/* a directory DEST gets it inside */
	assert_int_equal(mkdir(into, 0755), 0);
	assert_int_equal(files_copy_out(a, "web-2", "/data/tree/", into, &o, &got, &err), 0);
	p = path_of("into/tree");
	assert_string_equal(got, p);
	assert_true(same_tree(tree, p));
	free(p);
	free(got);
	/* "/." is the contents, into a DEST made for them */
	assert_int_equal(files_copy_out(a, "web-2", "/data/tree/.", contents, &o, &got, &err), 0);
	assert_true(same_tree(tree, contents));
	free(got);
	/* and the same way in */
	assert_int_equal(files_copy_in(a, "web-2", dot, "/flat", &o, &where, &err), 0);
	free(where);
	free(contents);
	contents = path_of("flat");
	assert_int_equal(files_copy_out(a, "web-2", "/flat", contents, &o, &got, &err), 0);
	assert_true(same_tree(tree, contents));
	free(got);
	/* a directory onto a file is refused, before anything is sent */
	assert_int_equal(files_copy_in(a, "web-2", tree, "/data/tree/big", &o, &where, &err), -1);
	assert_non_null(strstr(err.message, "onto the file"));
	assert_int_equal(temps_in(dir), 0);
	free(dot);
	free(contents);
	free(into);
	free(copy);
	free(tree);
	down(&s, &a);
}

static void test_refusals(void **state)
{
	struct simproc s;
	struct api *a = up(&s);
	struct xfer_opts o = {0};
	struct net_error err;
	char *dest = path_of("nothing"), *src = path_of("small");
	char *got = NULL, *where = NULL, *under;

	(void)state;
	make_file(src, 100, 5);
	/* web-3 is stopped */
	assert_int_equal(files_copy_in(a, "web-3", src, "/x", &o, &where, &err), -1);
	assert_int_equal(err.kind, NET_STATUS);
	assert_int_equal(err.api.http_status, 409);
	assert_non_null(strstr(err.message, "must be running"));
	assert_int_equal(files_copy_out(a, "web-3", "/etc", dest, &o, &got, &err), -1);
	assert_int_equal(err.api.http_status, 409);
	/* a path that is not there */
	assert_int_equal(files_copy_out(a, "web-1", "/no/such/path", dest, &o, &got, &err), -1);
	assert_int_equal(err.kind, NET_STATUS);
	assert_int_equal(err.api.http_status, 404);
	assert_null(got);
	assert_false(exists(dest));
	/* a local side that is not there, or cannot be written */
	assert_int_equal(files_copy_in(a, "web-1", dest, "/x", &o, &where, &err), -1);
	assert_int_equal(err.kind, NET_LOCAL);
	under = xasprintf("%s/x", src); /* a file is no directory */
	assert_int_equal(files_copy_out(a, "web-1", "/tmp", under, &o, &got, &err), -1);
	assert_int_equal(err.kind, NET_LOCAL);
	assert_int_equal(temps_in(dir), 0);
	free(under);
	free(src);
	free(dest);
	down(&s, &a);
}

static void test_full_disk_and_cancel(void **state)
{
	struct simproc s;
	struct api *a = up(&s);
	struct xfer_opts o = {0};
	struct net_error err;
	char *src = path_of("large"), *dest = path_of("large-back");
	char *got = NULL, *where = NULL;
	struct rlimit old, small = {.rlim_cur = 200000, .rlim_max = RLIM_INFINITY};
	atomic_bool cancel = true;

	(void)state;
	make_file(src, 1500000, 9);
	assert_int_equal(files_copy_in(a, "web-1", src, "/tmp/large", &o, &where, &err), 0);
	free(where);
	/* the disk fills half way: nothing under the final name, no temporary left */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(files_copy_out(a, "web-1", "/tmp/large", dest, &o, &got, &err), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(err.kind, NET_LOCAL);
	assert_false(exists(dest));
	assert_int_equal(temps_in(dir), 0);
	/* cancelled */
	o.cancel = &cancel;
	assert_int_equal(files_copy_out(a, "web-1", "/tmp/large", dest, &o, &got, &err), -1);
	assert_int_equal(err.kind, NET_CANCELLED);
	assert_false(exists(dest));
	assert_int_equal(temps_in(dir), 0);
	assert_int_equal(files_copy_in(a, "web-1", src, "/tmp/large2", &o, &where, &err), -1);
	assert_int_equal(err.kind, NET_CANCELLED);
	free(dest);
	free(src);
	down(&s, &a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_arg),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_tree_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_full_disk_and_cancel),
	};
	char *cmd;
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	if (http_global_init() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	http_global_cleanup();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc != 0 ? rc : 1;
	free(cmd);
	return rc;
}
