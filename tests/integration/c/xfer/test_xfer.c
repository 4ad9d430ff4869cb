/*
 * net/xfer against a live boxlite-sim: export to a verified file (0600, no
 * .part left), refusal to replace a file, a dropped export, a corrupt one,
 * a full disk (a tiny RLIMIT_FSIZE stands in for it), cancel, and import of
 * what was exported, including refusal of a file that is not a .boxlite.
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
#include "net/archive.h"
#include "net/xfer.h"
#include "tests/support/simproc.h"

static char dir[] = "/tmp/boxtop-xfer-XXXXXX";

/* A simulator with args and a client whose stall window is stall_s (0: the default). */
static struct api *up_stall(struct simproc *s, const char *const *args, long stall_s)
{
	struct http_conf conf = {.stall_s = stall_s};
	struct api *a;

	assert_int_equal(simproc_start(s, args), 0);
	a = api_new(s->url, NULL, &conf);
	api_set_backoff_ms(a, 10, 100);
	return a;
}

static struct api *up(struct simproc *s, const char *const *args)
{
	return up_stall(s, args, 0);
}

static void down(struct simproc *s, struct api **a)
{
	api_free(a);
	assert_int_equal(simproc_stop(s), 0);
}

/* How many entries the test directory holds (.part files included). */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void test_default_name(void **state)
{
	char *n;

	(void)state;
	n = xfer_default_name("/x", "web-1", 1795912241);
	assert_string_equal(n, "/x/web-1-20261129-003041.boxlite");
	free(n);
	n = xfer_default_name("/x", "../../etc/\x1b[31mpasswd", 0);
	assert_string_equal(n, "/x/_._.._etc___31mpasswd-19700101-000000.boxlite");
	free(n);
	n = xfer_default_name("", "", 0);
	assert_string_equal(n, "./box-19700101-000000.boxlite");
	free(n);
}

static void test_export_import(void **state)
{
	const char *args[] = {"--disk-size", "3M", NULL};
	struct xfer_opts o = {0};
	struct archive_info info;
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	struct stat st;
	char why[256];
	char *dest = path_of("web-2.boxlite");
	char *bogus = path_of("bogus.boxlite");
	struct api *a = up(&s, args);

	(void)state;
	assert_int_equal(xfer_export(a, "web-2", dest, &o, &err), 0);
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(entries(), 1);
	assert_int_equal(archive_verify(dest, &info, why, sizeof(why)), ARCHIVE_RC_OK);
	assert_string_equal(info.box_name, "web-2");
	archive_info_clear(&info);
	/* An existing file is not replaced unless asked. */
	assert_int_equal(xfer_export(a, "web-2", dest, &o, &err), -1);
	assert_int_equal(err.kind, NET_LOCAL);
	assert_non_null(strstr(err.message, "--force"));
	assert_int_equal(entries(), 1);
	o.force = true;
	assert_int_equal(xfer_export(a, "web-2", dest, &o, &err), 0);
	o.force = false;
	/* The box is missing: the server's error, and no file. */
	free(bogus);
	bogus = path_of("missing.boxlite");
	assert_int_equal(xfer_export(a, "no-such-box", bogus, &o, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_NOT_FOUND);
	assert_int_equal(entries(), 1);
	/* Import what was exported, under a new name. */
	assert_int_equal(xfer_import(a, dest, "web-2-back", &o, &box, &err), 0);
	assert_string_equal(box->name, "web-2-back");
	assert_int_equal(box->status, BOX_STOPPED);
	box_free(&box);
	/* the name is taken: without idempotency boxtop sees it first (a lost answer is
	 * looked for by name, so the name must be new); with it, the server says so */
	assert_int_equal(xfer_import(a, dest, "web-2-back", &o, &box, &err), -1);
	assert_int_equal(err.kind, NET_REFUSED);
	assert_non_null(strstr(err.message, "a box named web-2-back exists already"));
	api_set_idempotency(a, true);
	assert_int_equal(xfer_import(a, dest, "web-2-back", &o, &box, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_ALREADY_EXISTS);
	api_set_idempotency(a, false);
	/* Not an archive: refused before anything is sent. */
	free(bogus);
	bogus = path_of("bogus.boxlite");
	{
		FILE *fp = fopen(bogus, "w");

		fputs("definitely not an archive", fp);
		fclose(fp);
	}
	assert_int_equal(xfer_import(a, bogus, NULL, &o, &box, &err), -1);
	assert_int_equal(err.kind, NET_DECODE);
	assert_non_null(strstr(err.message, "not a .boxlite"));
	unlink(bogus);
	unlink(dest);
	free(bogus);
	free(dest);
	down(&s, &a);
}

static void test_broken_exports(void **state)
{
	const char *args[] = {"--disk-size", "3M",
			      "--fault",     "POST /v1/boxes/web-1/export:drop_after=100000",
			      "--fault",     "POST /v1/boxes/web-2/export:corrupt_at=200000",
			      NULL};
	struct xfer_opts o = {0};
	struct net_error err;
	struct simproc s;
	char *dest = path_of("broken.boxlite");
	struct api *a = up(&s, args);

	(void)state;
	assert_int_equal(xfer_export(a, "web-1", dest, &o, &err), -1);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_int_equal(entries(), 0);
	assert_int_equal(xfer_export(a, "web-2", dest, &o, &err), -1);
	assert_int_equal(err.kind, NET_DECODE);
	assert_non_null(strstr(err.message, "does not verify"));
	assert_int_equal(entries(), 0);
	/* Without verification the corrupt file would have been kept: the check matters. */
	o.no_verify = true;
	assert_int_equal(xfer_export(a, "web-2", dest, &o, &err), 0);
	assert_int_equal(entries(), 1);
	unlink(dest);
	free(dest);
	down(&s, &a);
}

static void test_full_disk(void **state)
{
	const char *args[] = {"--disk-size", "3M", NULL};
	struct rlimit old;
	struct rlimit small = {.rlim_cur = 200000, .rlim_max = RLIM_INFINITY};
	struct xfer_opts o = {0};
	struct net_error err;
	struct simproc s;
	char *dest = path_of("full.boxlite");
	struct api *a = up(&s, args);

	(void)state;
	/* Writes past 200 kB fail with EFBIG, as a full disk fails with ENOSPC. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(xfer_export(a, "web-1", dest, &o, &err), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(err.kind, NET_LOCAL);
	assert_non_null(strstr(err.message, "cannot write"));
	assert_int_equal(entries(), 0);
	free(dest);
	down(&s, &a);
}

static void cancel_at_start(void *arg, int64_t done, int64_t total)
{
	(void)done;
	(void)total;
	atomic_store((atomic_bool *)arg, true);
}

static void test_cancel(void **state)
{
	const char *args[] = {"--disk-size", "8M", "--rate", "1M", NULL};
	atomic_bool cancel = false;
	struct xfer_opts o = {.cancel = &cancel, .progress = cancel_at_start};
	struct box_list *before = NULL;
	struct box_list *after = NULL;
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	char *dest = path_of("cancelled.boxlite");
	struct api *a = up(&s, args);

	(void)state;
	o.progress_arg = &cancel;
	assert_int_equal(xfer_export(a, "web-1", dest, &o, &err), -1);
	assert_int_equal(err.kind, NET_CANCELLED);
	assert_int_equal(entries(), 0);
	/* Export one whole, then cancel its import: the server makes no box. */
	atomic_store(&cancel, false);
	o.progress = NULL;
	assert_int_equal(xfer_export(a, "web-3", dest, &o, &err), 0);
	assert_int_equal(api_boxes(a, NULL, NULL, &before, &err), 0);
	o.progress = cancel_at_start;
	assert_int_equal(xfer_import(a, dest, "never", &o, &box, &err), -1);
	assert_int_equal(err.kind, NET_CANCELLED);
	usleep(300000);
	assert_int_equal(api_boxes(a, NULL, NULL, &after, &err), 0);
	assert_int_equal(after->n, before->n);
	box_list_free(&before);
	box_list_free(&after);
	unlink(dest);
	free(dest);
	down(&s, &a);
}

/* What a transfer's waiting callback said, in order. */
struct said {
	char what[4][80];
	int n;
};

static void note_waiting(void *arg, const char *what)
{
	struct said *said = arg;

	if (what != NULL && said->n < 4)
		snprintf(said->what[said->n++], sizeof(said->what[0]), "%s", what);
}

/*
 * boxlite serve builds the whole archive before its first byte: a silence
 * three times the stall window is a wait, said as one, and not a stall.
 */
static void test_silent_export(void **state)
{
	const char *args[] = {"--flavor",       "serve", "--disk-size", "1M",
			      "--export-delay", "3000",  NULL};
	struct said said = {0};
	struct xfer_opts o = {.waiting = note_waiting, .progress_arg = &said};
	struct archive_info info;
	struct net_error err;
	struct simproc s;
	char why[256];
	char *dest = path_of("silent.boxlite");
	struct api *a = up_stall(&s, args, 1);

	(void)state;
	if (xfer_export(a, "web-2", dest, &o, &err) < 0)
		fail_msg("export: %s", err.message);
	assert_int_equal(said.n, 1);
	assert_string_equal(said.what[0], XFER_WAIT_BUILD);
	assert_int_equal(archive_verify(dest, &info, why, sizeof(why)), ARCHIVE_RC_OK);
	archive_info_clear(&info);
	unlink(dest);
	free(dest);
	down(&s, &a);
}

/* Once bytes flow, a drip under the floor for the whole window is a stall: cut, no file. */
static void test_stalled_export(void **state)
{
	const char *args[] = {"--disk-size", "1M", "--rate", "300", NULL};
	struct xfer_opts o = {0};
	struct net_error err;
	struct simproc s;
	char *dest = path_of("stalled.boxlite");
	struct api *a = up_stall(&s, args, 2);

	(void)state;
	assert_int_equal(xfer_export(a, "web-1", dest, &o, &err), -1);
	assert_int_equal(err.kind, NET_TRANSPORT);
	if (strstr(err.message, "the transfer stalled: under 1024 bytes/s for 2 s") == NULL)
		fail_msg("not a stall: %s", err.message);
	assert_int_equal(entries(), 0);
	free(dest);
	down(&s, &a);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_name),   cmocka_unit_test(test_export_import),
		cmocka_unit_test(test_broken_exports), cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_cancel),         cmocka_unit_test(test_silent_export),
		cmocka_unit_test(test_stalled_export),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
