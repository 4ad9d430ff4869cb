/*
 * net/api against a live boxlite-sim: every typed call (images: a name
 * holding a '/', Docker Hub's short and long names, a delete refused
 * while a box runs the image), a prefix holding a '/', the bearer, paging
 * across pages, each error kind (status, transport, decode, oversized
 * body), retries that honour Retry-After, a mutation retried with the same
 * Idempotency-Key, and capability refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/xalloc.h"
#include "model/timeutil.h"
#include "net/api.h"
#include "tests/support/simproc.h"

static const char *const key_args[] = {"--api-key-file", NULL, NULL};

static char key_file[] = "/tmp/boxtop-api-key-XXXXXX";

static struct api *connect_to(const struct simproc *s, const char *prefix, const char *bearer)
{
	struct http_conf conf = {.bearer = bearer};
	struct api *a = api_new(s->url, prefix, &conf);

	api_set_backoff_ms(a, 10, 100);
	return a;
}

/* A simulator with args and a client of it; down() ends both. */
static struct api *up(struct simproc *s, const char *const *args)
{
	assert_int_equal(simproc_start(s, args), 0);
	return connect_to(s, NULL, NULL);
}

static void down(struct simproc *s, struct api **a)
{
	api_free(a);
	assert_int_equal(simproc_stop(s), 0);
}

static void test_reads(void **state)
{
	const char *args[] = {"--prefix", "us-east/team-42", NULL};
	struct server_config *cfg = NULL;
	struct principal *me = NULL;
	struct box_list *boxes = NULL;
	struct box *box = NULL;
	struct runtime_metrics rm = {0};
	struct box_metrics bm = {0};
	struct image_list *images = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	a = up(&s, args);
	assert_int_equal(api_config(a, NULL, &cfg, &err), 0);
	assert_true(cfg->caps[CAP_EXPORT]);
	assert_int_equal(api_me(a, NULL, &me, &err), 0);
	assert_string_equal(me->path_prefix, "us-east/team-42");
	/* Without the prefix the box routes are not there. */
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), -1);
	assert_int_equal(err.kind, NET_STATUS);
	assert_int_equal(err.api.kind, API_ERR_NOT_FOUND);
	api_set_prefix(a, me->path_prefix);
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), 0);
	assert_int_equal(boxes->n, 24);
	assert_null(boxes->next_page_token);
	assert_int_equal(api_box(a, "web-1", NULL, &box, &err), 0);
	assert_string_equal(box->name, "web-1");
	assert_int_equal(api_runtime_metrics(a, NULL, &rm, &err), 0);
	assert_int_equal(rm.boxes_created_total.v, 24);
	assert_int_equal(api_box_metrics(a, box->id, NULL, &bm, &err), 0);
	assert_int_equal(api_images(a, NULL, &images, &err), 0);
	assert_true(images->n >= 12);
	box_free(&box);
	assert_int_equal(api_box(a, "no-such-box", NULL, &box, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "box not found: no-such-box"));
	assert_non_null(strstr(err.message, "sim-"));
	image_list_free(&images);
	box_list_free(&boxes);
	principal_free(&me);
	server_config_free(&cfg);
	down(&s, &a);
}

/* Prefix discovery the way boxtop does it, in all three flavors. */
static void discover(const char *const *args, const char *base, const char *want_prefix,
		     size_t want_boxes)
{
	struct principal *me = NULL;
	struct box_list *boxes = NULL;
	struct net_error err;
	struct simproc s;
	struct http_conf conf = {0};
	struct api *a;
	char *url;

	assert_int_equal(simproc_start(&s, args), 0);
	url = xasprintf("%s%s", s.url, base);
	a = api_new(url, NULL, &conf);
	assert_int_equal(api_me(a, NULL, &me, &err), 0);
	if (want_prefix == NULL)
		assert_true(me->path_prefix == NULL || me->path_prefix[0] == '\0');
	else
		assert_string_equal(me->path_prefix, want_prefix);
	api_set_prefix(a, me->path_prefix);
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), 0);
	assert_int_equal(boxes->n, want_boxes);
	box_list_free(&boxes);
	principal_free(&me);
	api_free(&a);
	free(url);
	assert_int_equal(simproc_stop(&s), 0);
}

static void test_discovery_flavors(void **state)
{
	(void)state;
	/* spec, no prefix: path_prefix null. */
	discover((const char *const[]){"--boxes", "5", NULL}, "", NULL, 5);
	/* serve: prefix "default" is not a routing prefix and must be ignored. */
	discover((const char *const[]){"--flavor", "serve", "--boxes", "6", NULL}, "", NULL, 6);
	/* cloud: a base path and a prefix with a '/'. */
	discover((const char *const[]){"--flavor", "cloud", "--base-path", "/api", "--prefix",
				       "org/team", "--boxes", "1500", NULL},
		 "/api", "org/team", 1500);
}

static void test_paging(void **state)
{
	const char *args[] = {"--boxes", "2500", NULL};
	struct box_list *boxes = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	a = up(&s, args);
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), 0);
	assert_int_equal(boxes->n, 2500);
	/* Three pages joined in order, none twice. */
	for (size_t i = 1; i < boxes->n; i++)
		assert_string_not_equal(boxes->items[i].id, boxes->items[i - 1].id);
	box_list_free(&boxes);
	assert_int_equal(api_boxes(a, "paused", NULL, &boxes, &err), 0);
	for (size_t i = 0; i < boxes->n; i++)
		assert_int_equal(boxes->items[i].status, BOX_PAUSED);
	box_list_free(&boxes);
	down(&s, &a);
}

/* boxlite serve ignores ?status= and answers every box; the filter still holds. */
static void test_status_filter_on_serve(void **state)
{
	const char *args[] = {"--flavor", "serve", "--boxes", "40", NULL};
	struct box_list *boxes = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;
	size_t all, paused = 0;

	(void)state;
	a = up(&s, args);
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), 0);
	all = boxes->n;
	for (size_t i = 0; i < boxes->n; i++)
		paused += boxes->items[i].status == BOX_PAUSED;
	box_list_free(&boxes);
	/* the fleet mixes states, so a filter that did nothing would be seen */
	assert_true(paused > 0 && paused < all);
	assert_int_equal(api_boxes(a, "paused", NULL, &boxes, &err), 0);
	assert_int_equal(boxes->n, paused);
	for (size_t i = 0; i < boxes->n; i++)
		assert_int_equal(boxes->items[i].status, BOX_PAUSED);
	box_list_free(&boxes);
	down(&s, &a);
}

static void test_mutations(void **state)
{
	struct snapshot *snap = NULL;
	struct snapshot_list *snaps = NULL;
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	a = up(&s, NULL);
	assert_int_equal(api_box_start(a, "web-3", NULL, &box, &err), 0);
	assert_int_equal(box->status, BOX_RUNNING);
	box_free(&box);
	assert_int_equal(api_snapshot_create(a, "web-3", "first", NULL, &snap, &err), 0);
	assert_string_equal(snap->name, "first");
	snapshot_free(&snap);
	assert_int_equal(api_snapshot_create(a, "web-3", "first", NULL, &snap, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_ALREADY_EXISTS);
	assert_int_equal(api_snapshot_restore(a, "web-3", "first", NULL, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_INVALID_STATE);
	assert_int_equal(api_box_stop(a, "web-3", NULL, &box, &err), 0);
	assert_int_equal(box->status, BOX_STOPPED);
	box_free(&box);
	assert_int_equal(api_snapshot_restore(a, "web-3", "first", NULL, &err), 0);
	assert_int_equal(api_snapshots(a, "web-3", NULL, &snaps, &err), 0);
	assert_int_equal(snaps->n, 1);
	snapshot_list_free(&snaps);
	assert_int_equal(api_box_clone(a, "web-3", "web-3 copy?", NULL, &box, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_INVALID_ARGUMENT);
	assert_int_equal(api_box_clone(a, "web-3", "web-3-copy", NULL, &box, &err), 0);
	assert_string_equal(box->name, "web-3-copy");
	assert_int_equal(box->status, BOX_STOPPED);
	box_free(&box);
	assert_int_equal(api_box_clone(a, "web-3", NULL, NULL, &box, &err), 0);
	assert_non_null(box->name);
	box_free(&box);
	assert_int_equal(api_box_delete(a, "web-1", false, NULL, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_INVALID_STATE);
	assert_int_equal(api_box_delete(a, "web-1", true, NULL, &err), 0);
	assert_int_equal(api_box(a, "web-1", NULL, &box, &err), -1);
	assert_int_equal(api_snapshot_delete(a, "web-3", "nope", NULL, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_NOT_FOUND);
	down(&s, &a);
}

/* The repository of the first box's image ("ghcr.io/acme/worker:1.4.2" gives its name). */
static char *image_in_use(struct api *a)
{
	struct box_list *boxes = NULL;
	struct net_error err;
	char *name;

	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), 0);
	assert_true(boxes->n > 0);
	name = xstrndup(boxes->items[0].image, strcspn(boxes->items[0].image, ":"));
	box_list_free(&boxes);
	return name;
}

static size_t images_cached(struct api *a)
{
	struct image_list *l = NULL;
	struct net_error err;
	size_t n;

	assert_int_equal(api_images(a, NULL, &l, &err), 0);
	n = l->n;
	image_list_free(&l);
	return n;
}

/*
 * Deleting an image a box runs: 409 invalid_state in the server's words
 * (serve's kind prefix dropped as for every error), and nothing removed.
 */
static void refused_in_use(struct api *a)
{
	char *used = image_in_use(a);
	size_t before = images_cached(a);
	struct image_detail *d = NULL;
	struct net_error err;

	assert_int_equal(api_image_delete(a, used, NULL, &err), -1);
	assert_int_equal(err.kind, NET_STATUS);
	assert_int_equal(err.api.http_status, 409);
	assert_int_equal(err.api.kind, API_ERR_INVALID_STATE);
	if (strncmp(err.message, "invalid_state (409): image ", 27) != 0 ||
	    strstr(err.message, " is in use by a box") == NULL)
		fail_msg("deleting %s: %s", used, err.message);
	assert_int_equal(images_cached(a), before);
	assert_int_equal(api_image(a, used, NULL, &d, &err), 0);
	image_detail_free(&d);
	free(used);
}

static void test_images(void **state)
{
	const char *args[] = {"--prefix", "team", NULL};
	struct image_detail *d = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	a = up(&s, args);
	api_set_prefix(a, "team");
	/* a name with a '/': one segment, its '/' encoded */
	assert_int_equal(api_image(a, "ghcr.io/acme/worker", NULL, &d, &err), 0);
	assert_string_equal(d->name, "ghcr.io/acme/worker");
	assert_int_equal(d->n_tags, 2);
	assert_false(d->curated);
	assert_int_equal(d->n_versions, 2);
	assert_non_null(strstr(d->versions[0].source_ref, "ghcr.io/acme/worker:"));
	image_detail_free(&d);
	/* Docker Hub: the short name and the long one are one image */
	assert_int_equal(api_image(a, "alpine", NULL, &d, &err), 0);
	assert_true(d->curated);
	image_detail_free(&d);
	assert_int_equal(api_image(a, "docker.io/library/alpine", NULL, &d, &err), 0);
	assert_string_equal(d->name, "alpine");
	image_detail_free(&d);
	/* an unused image goes, for good */
	assert_int_equal(api_image_delete(a, "busybox", NULL, &err), 0);
	assert_string_equal(api_note(a), "");
	assert_int_equal(api_image(a, "busybox", NULL, &d, &err), -1);
	assert_int_equal(err.api.http_status, 404);
	assert_int_equal(api_image_delete(a, "busybox", NULL, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_NOT_FOUND);
	refused_in_use(a);
	down(&s, &a);
	/* serve writes its kind in front of the message ("invalid state: image ...") */
	a = up(&s, (const char *const[]){"--flavor", "serve", NULL});
	refused_in_use(a);
	down(&s, &a);
}

static void test_bearer(void **state)
{
	const char *args[] = {key_args[0], key_file, NULL};
	struct box_list *boxes = NULL;
	struct server_config *cfg = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;
	FILE *fp;
	int fd = mkstemp(key_file);

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("api-test-key-not-secret\n", fp);
	fclose(fp);
	assert_int_equal(simproc_start(&s, args), 0);
	a = connect_to(&s, NULL, "wrong-key");
	assert_int_equal(api_config(a, NULL, &cfg, &err), 0);
	server_config_free(&cfg);
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_UNAUTHENTICATED);
	api_free(&a);
	a = connect_to(&s, NULL, "api-test-key-not-secret");
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), 0);
	box_list_free(&boxes);
	down(&s, &a);
	unlink(key_file);
}

static void test_retries(void **state)
{
	const char *args[] = {"--fault", "GET /v1/metrics:status=503,retry_after=1,count=2",
			      "--fault", "GET /v1/boxes/web-2:status=500,count=1",
			      "--fault", "GET /v1/boxes/web-4:status=503,count=9",
			      NULL};
	struct runtime_metrics rm = {0};
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;
	int64_t t0;

	(void)state;
	a = up(&s, args);
	/* Two 503s with Retry-After: 1, then the answer: at least 2 s of waiting. */
	t0 = time_mono_ms();
	assert_int_equal(api_runtime_metrics(a, NULL, &rm, &err), 0);
	assert_true(time_mono_ms() - t0 >= 1900);
	/* 500 is not worth retrying. */
	assert_int_equal(api_box(a, "web-2", NULL, &box, &err), -1);
	assert_int_equal(err.api.http_status, 500);
	/* 503 every time: given up after API_READ_TRIES. */
	assert_int_equal(api_box(a, "web-4", NULL, &box, &err), -1);
	assert_int_equal(err.api.http_status, 503);
	assert_true(net_error_retryable(&err));
	down(&s, &a);
}

/* The cloud gateway's flat body: a 429 is understood, retried, and when it persists, typed. */
static void test_flat_errors(void **state)
{
	const char *args[] = {"--flavor", "cloud",
			      "--fault",  "GET /v1/metrics:status=429,retry_after=0,count=1",
			      "--fault",  "GET /v1/boxes/web-2:status=429",
			      NULL};
	struct runtime_metrics rm = {0};
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	a = up(&s, args);
	assert_int_equal(api_runtime_metrics(a, NULL, &rm, &err), 0);
	assert_int_equal(api_box(a, "web-2", NULL, &box, &err), -1);
	assert_int_equal(err.api.http_status, 429);
	assert_int_equal(err.api.kind, API_ERR_RESOURCE_EXHAUSTED);
	assert_string_equal(err.api.code, "resource_exhausted");
	down(&s, &a);
}

static void test_mutation_retry_same_key(void **state)
{
	/*
	 * The first try runs, but its answer drips out a byte every 100 ms, too
	 * slowly for the client's 3 s timeout: only a retry with the same key
	 * gets that answer; a fresh key would get 409 already_exists. (3 s: a
	 * retry under TSan must not time out too.)
	 */
	const char *args[] = {"--fault", "POST /v1/boxes/web-3/snapshots:drip_ms=100,count=1",
			      NULL};
	struct http_conf conf = {.timeout_s = 3};
	struct snapshot_list *snaps = NULL;
	struct snapshot *snap = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	assert_int_equal(simproc_start(&s, args), 0);
	a = api_new(s.url, NULL, &conf);
	api_set_backoff_ms(a, 10, 100);
	assert_int_equal(api_snapshot_create(a, "web-3", "once", NULL, &snap, &err), 0);
	assert_string_equal(snap->name, "once");
	snapshot_free(&snap);
	assert_int_equal(api_snapshots(a, "web-3", NULL, &snaps, &err), 0);
	assert_int_equal(snaps->n, 1);
	snapshot_list_free(&snaps);
	down(&s, &a);
}

static void test_bad_answers(void **state)
{
	const char *args[] = {"--fault", "GET /v1/boxes/web-1:not_json=1",
			      "--fault", "GET /v1/boxes/web-2:pad_bytes=70000000",
			      "--fault", "GET /v1/boxes/web-3:truncate=1",
			      NULL};
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;

	(void)state;
	a = up(&s, args);
	assert_int_equal(api_box(a, "web-1", NULL, &box, &err), -1);
	assert_int_equal(err.kind, NET_DECODE);
	assert_int_equal(api_box(a, "web-2", NULL, &box, &err), -1);
	assert_int_equal(err.kind, NET_DECODE);
	assert_non_null(strstr(err.message, "larger than"));
	assert_int_equal(api_box(a, "web-3", NULL, &box, &err), -1);
	assert_int_equal(err.kind, NET_DECODE);
	down(&s, &a);
	/* Nobody listens there any more: a transport error after every try. */
	a = connect_to(&s, NULL, NULL);
	assert_int_equal(api_box(a, "web-1", NULL, &box, &err), -1);
	assert_int_equal(err.kind, NET_TRANSPORT);
	assert_true(net_error_retryable(&err));
	api_free(&a);
}

static void test_capabilities(void **state)
{
	struct server_config cfg = {0};
	struct net_error err;

	(void)state;
	assert_int_equal(api_require(NULL, CAP_EXPORT, &err), -1);
	assert_int_equal(err.kind, NET_REFUSED);
	assert_int_equal(api_require(&cfg, CAP_CLONE, &err), -1);
	assert_non_null(strstr(err.message, "this server does not support"));
	cfg.caps[CAP_CLONE] = true;
	assert_int_equal(api_require(&cfg, CAP_CLONE, &err), 0);
}

static void test_urls(void **state)
{
	struct http_conf conf = {0};
	struct api *a = api_new("https://h.example/api/", "us-east/team-42", &conf);
	char *u = api_url(a, true, "/boxes");
	char *e = api_escape("a b/c%d~e.f-g_h");
	char key[37];

	(void)state;
	assert_string_equal(u, "https://h.example/api/v1/us-east/team-42/boxes");
	free(u);
	u = api_url(a, false, "/me");
	assert_string_equal(u, "https://h.example/api/v1/me");
	free(u);
	assert_string_equal(e, "a%20b%2Fc%25d~e.f-g_h");
	free(e);
	u = api_item_url(a, "images", "ghcr.io/acme/worker", "");
	assert_string_equal(
		u, "https://h.example/api/v1/us-east/team-42/images/ghcr.io%2Facme%2Fworker");
	free(u);
	u = api_item_url(a, "boxes", "web 1", "/metrics");
	assert_string_equal(u, "https://h.example/api/v1/us-east/team-42/boxes/web%201/metrics");
	free(u);
	api_new_idem_key(key);
	assert_int_equal(strlen(key), 36);
	assert_int_equal(key[14], '4');
	assert_non_null(strchr("89ab", key[19]));
	api_free(&a);
}

/*
 * A prefix holding a space, learnt from /v1/me as boxtop learns it: the box
 * routes are reached through it percent-encoded, and an already encoded
 * prefix is taken verbatim (so it names another tenant).
 */
static void test_prefix_with_space(void **state)
{
	const char *args[] = {"--prefix", "us-east/team 42", NULL};
	struct principal *me = NULL;
	struct box_list *boxes = NULL;
	struct box *box = NULL;
	struct net_error err;
	struct simproc s;
	struct api *a;
	char *u;

	(void)state;
	a = up(&s, args);
	assert_int_equal(api_me(a, NULL, &me, &err), 0);
	assert_string_equal(me->path_prefix, "us-east/team 42");
	api_set_prefix(a, me->path_prefix);
	assert_string_equal(api_prefix(a), "us-east/team 42");
	u = api_url(a, true, "/boxes");
	assert_non_null(strstr(u, "/v1/us-east/team%2042/boxes"));
	free(u);
	if (api_boxes(a, NULL, NULL, &boxes, &err) != 0)
		fail_msg("listing through 'us-east/team 42': %s", err.message);
	assert_int_equal(boxes->n, 24);
	assert_int_equal(api_box(a, "web-1", NULL, &box, &err), 0);
	assert_string_equal(box->name, "web-1");
	box_free(&box);
	box_list_free(&boxes);
	api_set_prefix(a, "us-east/team%2042");
	assert_int_equal(api_boxes(a, NULL, NULL, &boxes, &err), -1);
	assert_int_equal(err.api.kind, API_ERR_NOT_FOUND);
	principal_free(&me);
	down(&s, &a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_status_filter_on_serve),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_mutation_retry_same_key),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_discovery_flavors),
		cmocka_unit_test(test_flat_errors),
		cmocka_unit_test(test_prefix_with_space),
		cmocka_unit_test(test_images),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
