/*
 * net/poller against a live boxlite-sim: the prefix discovered through
 * /v1/me, the box list, runtime and per-box metrics for what the screen
 * shows, snapshots asked only when looked at, a 304 that leaves the box
 * list alone, the server killed (down, last data kept, a retry time) and
 * restarted on the same port (connected again by itself), the selected
 * image's detail while the images view is open, a refused key, a
 * login renewed (or expired) in the credentials file while it runs, and
 * watching a boxlite serve without touching it: no boot, no stamp, no
 * metrics of a box being stopped. Every wait is bounded and none asserts on
 * timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "model/xalloc.h"
#include "net/api.h"
#include "net/poller.h"
#include "net/settings.h"
#include "tests/support/port.h"
#include "tests/support/simproc.h"

typedef bool (*ready_fn)(const struct store_view *v, void *arg);

/* The store has_metrics reads: per-box metrics are not in the view. */
static struct store *metrics_store;

/* Refreshes v until ready says so, for at most 15 s; the changed bits seen meanwhile. */
static unsigned wait_for(struct store *s, struct store_view *v, ready_fn ready, void *arg)
{
	unsigned seen = 0;

	for (int i = 0; i < 1500; i++) {
		seen |= store_read(s, v);
		if (ready(v, arg))
			return seen;
		usleep(10000);
	}
	fail_msg("timed out waiting; connection is %s: %s",
		 conn_status_name(store_view_conn(v)->status), store_view_conn(v)->message);
	return seen;
}

static bool has_status(const struct store_view *v, void *arg)
{
	return store_view_conn(v)->status == *(enum conn_status *)arg &&
	       store_view_boxes(v) != NULL;
}

static bool status_is(const struct store_view *v, void *arg)
{
	return store_view_conn(v)->status == *(enum conn_status *)arg;
}

static bool has_snapshots(const struct store_view *v, void *arg)
{
	return store_view_snapshots(v, arg) != NULL;
}

static bool has_metrics(const struct store_view *v, void *arg)
{
	struct box_metrics m;

	(void)v;
	return store_box_metrics(metrics_store, arg, &m, NULL);
}

static bool has_images(const struct store_view *v, void *arg)
{
	(void)arg;
	return store_view_images(v) != NULL;
}

static bool runtime_newer(const struct store_view *v, void *arg)
{
	return store_view_generation(v, STORE_RUNTIME) > *(uint64_t *)arg;
}

static const char *box_id(const struct store_view *v, const char *name)
{
	const struct box_list *l = store_view_boxes(v);

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].name != NULL && strcmp(l->items[i].name, name) == 0)
			return l->items[i].id;
	fail_msg("no box %s", name);
	return NULL;
}

static void test_poll_and_recover(void **state)
{
	char port[16];
	const char *args[] = {"--port", port, "--prefix", "us-east/team-42", "--seed", "1", NULL};
	struct poller_opts o = {.interval_ms = 200, .retry_max_ms = 400};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_CONNECTED;
	struct box_metrics m;
	struct simproc s;
	char url[64];
	const char *ids[2];
	char *web1;
	char *web3;
	uint64_t gen;
	unsigned seen;
	struct poller *p;
	int reserved;

	(void)state;
	metrics_store = store;
	/* restarted on this port later: one no other suite's simulator can get */
	reserved = port_reserve();
	assert_true(reserved > 0);
	snprintf(port, sizeof(port), "%d", reserved);
	snprintf(url, sizeof(url), "http://127.0.0.1:%s", port);
	assert_int_equal(simproc_start(&s, args), 0);
	o.base_url = url;
	p = poller_start(&o, store);
	assert_non_null(p);
	wait_for(store, &v, has_status, &want);
	assert_int_equal(store_view_boxes(&v)->n, 24);
	assert_string_equal(store_view_principal(&v)->path_prefix, "us-east/team-42");
	assert_non_null(store_view_config(&v));
	assert_non_null(store_view_runtime(&v));
	/* Images at start, with the cache's usage (GET /images/usage) attached. */
	wait_for(store, &v, has_images, NULL);
	assert_true(store_view_images(&v)->has_usage);
	assert_int_equal(store_view_images(&v)->usage.count, (int64_t)store_view_images(&v)->n);
	assert_true(store_view_images(&v)->usage.limit > 0);
	assert_true(store_view_images(&v)->usage.known_bytes > 0);
	/* The screen shows web-1 (running) and web-3 (stopped), web-1 selected. */
	web1 = xstrdup(box_id(&v, "web-1"));
	web3 = xstrdup(box_id(&v, "web-3"));
	ids[0] = web1;
	ids[1] = web3;
	poller_set_interest(p, ids, 2, web3, false, NULL);
	poller_kick(p);
	wait_for(store, &v, has_metrics, web1);
	assert_true(store_box_metrics(store, web1, &m, NULL));
	assert_true(m.cpu_percent.state == OPT_SET);
	/* web-3 is selected but stopped: never asked */
	assert_false(store_box_metrics(store, web3, &m, NULL));
	/* snapshots only when looked at */
	assert_null(store_view_snapshots(&v, web1));
	poller_look_snapshots(p, web1);
	wait_for(store, &v, has_snapshots, web1);
	assert_null(store_view_snapshots(&v, web1)->error);
	assert_true(store_view_snapshots(&v, web1)->asked_at > 0);
	/* the look used web-1 (its last_activity_at moved): one changed list, then 304s */
	store_read(store, &v);
	gen = store_view_generation(&v, STORE_RUNTIME) + 1;
	poller_kick(p);
	wait_for(store, &v, runtime_newer, &gen);
	/* Nothing changed on the server: the next rounds get 304 for the list. */
	store_read(store, &v);
	gen = store_view_generation(&v, STORE_RUNTIME) + 1;
	poller_kick(p);
	seen = wait_for(store, &v, runtime_newer, &gen);
	assert_false(seen & STORE_BOXES);
	/* The server dies: down, a retry time, the last list still there. */
	assert_int_equal(simproc_stop(&s), 0);
	want = CONN_DOWN;
	wait_for(store, &v, status_is, &want);
	assert_true(store_view_conn(&v)->next_retry_ms > 0);
	assert_non_null(strstr(store_view_conn(&v)->message, "127.0.0.1"));
	assert_int_equal(store_view_boxes(&v)->n, 24);
	/* It comes back on the same port: connected again, nobody asked. */
	assert_int_equal(simproc_start(&s, args), 0);
	want = CONN_CONNECTED;
	wait_for(store, &v, status_is, &want);
	assert_int_equal(store_view_boxes(&v)->n, 24);
	poller_stop(&p);
	assert_null(p);
	assert_int_equal(simproc_stop(&s), 0);
	free(web1);
	free(web3);
	store_view_release(&v);
	store_free(&store);
}

static void test_auth_refused(void **state)
{
	char key_file[] = "/tmp/boxtop-poller-key-XXXXXX";
	const char *args[] = {"--api-key-file", key_file, NULL};
	struct poller_opts o = {.interval_ms = 200};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_AUTH_FAILED;
	struct simproc s;
	struct poller *p;
	int fd = mkstemp(key_file);

	(void)state;
	assert_int_equal(write(fd, "poller-test-key\n", 16), 16);
	close(fd);
	assert_int_equal(simproc_start(&s, args), 0);
	o.base_url = s.url;
	o.http.bearer = "not-the-key";
	p = poller_start(&o, store);
	wait_for(store, &v, status_is, &want);
	assert_null(store_view_boxes(&v));
	poller_stop(&p);
	/* The right key: connected. */
	o.http.bearer = "poller-test-key";
	p = poller_start(&o, store);
	want = CONN_CONNECTED;
	wait_for(store, &v, has_status, &want);
	poller_stop(&p);
	assert_int_equal(simproc_stop(&s), 0);
	unlink(key_file);
	store_view_release(&v);
	store_free(&store);
}

/* ---- a login renewed, or expired, while the poller runs ---- */

static char login_home[64];

static const char *login_getenv(const char *name)
{
	return strcmp(name, "BOXLITE_HOME") == 0 ? login_home : NULL;
}

/* Writes $BOXLITE_HOME/credentials.toml the way a CLI does: a new file renamed over. */
static void write_credentials(const char *fmt, ...)
{
	char *tmp = xasprintf("%s/credentials.toml.tmp", login_home);
	char *path = xasprintf("%s/credentials.toml", login_home);
	FILE *f = fopen(tmp, "w");
	va_list ap;

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(tmp, 0600), 0);
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
	free(path);
}

static void remove_home(void)
{
	char *path = xasprintf("%s/credentials.toml", login_home);

	unlink(path);
	free(path);
	rmdir(login_home);
}

/* A call to the simulator's control API (it wants the API's key too); the answer's status. */
static long sim_control_call(const struct simproc *s, const char *key, const char *method,
			     const char *path, struct http_resp *resp)
{
	struct http *h = http_new(&(struct http_conf){.bearer = key});
	char *url = xasprintf("%s%s", s->url, path);
	struct http_req req = {.method = method, .url = url};
	struct net_error err;

	assert_int_equal(http_do(h, &req, resp, &err), 0);
	free(url);
	http_free(&h);
	return resp->status;
}

static void sim_control(const struct simproc *s, const char *key, const char *path)
{
	struct http_resp resp = {0};

	assert_int_equal(sim_control_call(s, key, "POST", path, &resp), 204);
	http_resp_clear(&resp);
}

/* How many GET /v1/me the simulator answered since its tally was reset. */
static int me_requests(const struct simproc *s)
{
	struct http_resp resp = {0};
	const cJSON *r;
	cJSON *doc;
	int n = 0;

	assert_int_equal(sim_control_call(s, NULL, "GET", "/_sim/requests", &resp), 200);
	doc = cJSON_ParseWithLength(resp.body, resp.len);
	assert_non_null(doc);
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "routes")) {
		const cJSON *route = cJSON_GetObjectItemCaseSensitive(r, "route");

		if (cJSON_IsString(route) && strcmp(route->valuestring, "/v1/me") == 0)
			n += cJSON_GetObjectItemCaseSensitive(r, "count")->valueint;
	}
	cJSON_Delete(doc);
	http_resp_clear(&resp);
	return n;
}

static bool auth_failed_with(const struct store_view *v, void *arg)
{
	return store_view_conn(v)->status == CONN_AUTH_FAILED &&
	       strstr(store_view_conn(v)->message, arg) != NULL;
}

/* An RFC 3339 time delta seconds from now. */
static void rfc3339(char *buf, size_t len, long delta)
{
	time_t t = time(NULL) + delta;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * The key is wrong, then renewed in the credentials file: connected with no
 * restart. The token expires and the server refuses it: "login expired".
 * A new login: connected again. retry_max_ms is a minute and every wait at
 * most 15 s, so each recovery is the login being looked at, not the retry.
 */
static void test_login_renewed(void **state)
{
	char key_file[] = "/tmp/boxtop-poller-key-XXXXXX";
	const char *args[] = {"--api-key-file", key_file, "--control", NULL};
	struct poller_opts o = {.interval_ms = 200, .retry_max_ms = 60000};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_CONNECTED;
	struct settings set;
	struct login *login;
	struct simproc s;
	struct poller *p;
	time_t expiry;
	char err[256], when[32], any[] = "", expired[] = "login expired: run boxlite auth login";
	int fd = mkstemp(key_file);

	(void)state;
	assert_int_equal(write(fd, "test-renewed-key\n", 17), 17);
	close(fd);
	snprintf(login_home, sizeof(login_home), "/tmp/boxtop-poller-home-XXXXXX");
	assert_non_null(mkdtemp(login_home));
	write_credentials("[profiles.default]\napi_key = 'test-stale-key'\n");
	assert_int_equal(simproc_start(&s, args), 0);
	assert_int_equal(settings_resolve(&(struct settings_flags){.url = s.url, .path_prefix = ""},
					  login_getenv, time(NULL), &set, err, sizeof(err)),
			 0);
	login = login_new(&set);
	o.base_url = s.url;
	o.prefix = "";
	o.http = settings_http_conf(&set);
	o.login = login;
	p = poller_start(&o, store);
	wait_for(store, &v, auth_failed_with, any);
	assert_null(store_view_boxes(&v));
	/*
	 * `boxlite auth login` in another terminal, and a job (this thread)
	 * looks before the poller does: the poller must still take it.
	 */
	write_credentials("[profiles.default]\napi_key = 'test-renewed-key'\n");
	login_check(login, time(NULL), err, sizeof(err));
	wait_for(store, &v, has_status, &want);
	/*
	 * Now an OIDC token (the same string, as far as the server knows) that
	 * expires in 2 s, in place: the file does not change when it does, so
	 * only the look after the server's 401 can tell.
	 */
	expiry = time(NULL) + 2;
	rfc3339(when, sizeof(when), 2);
	write_credentials("[profiles.default]\naccess_token = 'test-renewed-key'\n"
			  "expires_at = '%s'\n",
			  when);
	while (time(NULL) <= expiry + 1)
		usleep(100000);
	sim_control(&s, "test-renewed-key", "/_sim/key/expire");
	wait_for(store, &v, auth_failed_with, expired);
	assert_non_null(store_view_boxes(&v)); /* the last list stays */
	/* logged in again: the same token string, valid for an hour */
	sim_control(&s, "test-renewed-key", "/_sim/key/restore");
	rfc3339(when, sizeof(when), 3600);
	write_credentials("[profiles.default]\naccess_token = 'test-renewed-key'\n"
			  "expires_at = '%s'\n",
			  when);
	wait_for(store, &v, status_is, &want);
	poller_stop(&p);
	login_free(&login);
	settings_clear(&set);
	assert_int_equal(simproc_stop(&s), 0);
	unlink(key_file);
	remove_home();
	store_view_release(&v);
	store_free(&store);
}

/*
 * Another key may be another account, with another prefix: after the key
 * changes (no refusal needed) the poller asks GET /v1/me again.
 */
static void test_login_other_account(void **state)
{
	const char *args[] = {"--control", "--prefix", "team-1", NULL};
	struct poller_opts o = {.interval_ms = 200};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_CONNECTED;
	struct http_resp resp = {0};
	struct settings set;
	struct login *login;
	struct simproc s;
	struct poller *p;
	char err[256];
	int i;

	(void)state;
	snprintf(login_home, sizeof(login_home), "/tmp/boxtop-poller-home-XXXXXX");
	assert_non_null(mkdtemp(login_home));
	write_credentials("[profiles.default]\napi_key = 'test-account-a'\n");
	assert_int_equal(simproc_start(&s, args), 0);
	assert_int_equal(settings_resolve(&(struct settings_flags){.url = s.url}, login_getenv,
					  time(NULL), &set, err, sizeof(err)),
			 0);
	assert_null(settings_prefix(&set)); /* discovered through /v1/me */
	login = login_new(&set);
	o.base_url = s.url;
	o.http = settings_http_conf(&set);
	o.login = login;
	p = poller_start(&o, store);
	wait_for(store, &v, has_status, &want);
	assert_int_equal(sim_control_call(&s, NULL, "DELETE", "/_sim/requests", &resp), 204);
	http_resp_clear(&resp);
	write_credentials("[profiles.default]\napi_key = 'test-account-b'\n");
	for (i = 0; i < 150 && me_requests(&s) == 0; i++)
		usleep(100000);
	assert_true(me_requests(&s) > 0);
	wait_for(store, &v, has_status, &want);
	poller_stop(&p);
	login_free(&login);
	settings_clear(&set);
	assert_int_equal(simproc_stop(&s), 0);
	remove_home();
	store_view_release(&v);
	store_free(&store);
}

/* A server without GET /images/usage (older ones answer 404): images all the same, no usage. */
static void test_no_image_usage(void **state)
{
	const char *args[] = {"--fault", "GET */images/usage:status=404", NULL};
	struct poller_opts o = {.interval_ms = 200};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_CONNECTED;
	struct simproc s;
	struct poller *p;

	(void)state;
	assert_int_equal(simproc_start(&s, args), 0);
	o.base_url = s.url;
	p = poller_start(&o, store);
	wait_for(store, &v, has_images, NULL);
	assert_false(store_view_images(&v)->has_usage);
	assert_true(store_view_images(&v)->n > 0);
	/* and the 404 is not a failing request: the connection stays healthy */
	wait_for(store, &v, status_is, &want);
	poller_stop(&p);
	assert_int_equal(simproc_stop(&s), 0);
	store_view_release(&v);
	store_free(&store);
}

static bool has_detail_of(const struct store_view *v, void *arg)
{
	const struct image_detail *d = store_view_image_detail(v);

	return d != NULL && xstreq(d->asked, arg);
}

/*
 * The selected image's detail while the images view is open, each round;
 * one that cannot be read is stored with why (and the connection stays
 * healthy); with the view closed, none is asked.
 */
static void test_image_detail(void **state)
{
	struct poller_opts o = {.interval_ms = 200};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_CONNECTED;
	static char long_name[] = "docker.io/library/alpine", missing[] = "no-such-image";
	const struct image_detail *d;
	struct simproc s;
	struct poller *p;
	uint64_t gen;

	(void)state;
	assert_int_equal(simproc_start(&s, NULL), 0);
	o.base_url = s.url;
	p = poller_start(&o, store);
	poller_set_interest(p, NULL, 0, NULL, true, long_name);
	wait_for(store, &v, has_detail_of, long_name);
	d = store_view_image_detail(&v);
	assert_null(d->error);
	assert_string_equal(d->name, "alpine");
	assert_true(d->n_versions >= 1);
	poller_set_interest(p, NULL, 0, NULL, true, missing);
	wait_for(store, &v, has_detail_of, missing);
	d = store_view_image_detail(&v);
	assert_non_null(d->error);
	assert_non_null(strstr(d->error, "image not found: no-such-image"));
	wait_for(store, &v, status_is, &want);
	/* the view closed: rounds go on, no detail is asked */
	poller_set_interest(p, NULL, 0, NULL, false, "alpine");
	store_read(store, &v);
	gen = store_view_generation(&v, STORE_RUNTIME) + 2;
	wait_for(store, &v, runtime_newer, &gen);
	assert_string_equal(store_view_image_detail(&v)->asked, "no-such-image");
	poller_stop(&p);
	assert_int_equal(simproc_stop(&s), 0);
	store_view_release(&v);
	store_free(&store);
}

/* A control-API call's answer, parsed (NULL for an empty body). Caller frees. */
static cJSON *sim_json(const struct simproc *s, const char *method, const char *path,
		       const char *json)
{
	struct http_conf conf = {0};
	struct http *h = http_new(&conf);
	char *url = xasprintf("%s%s", s->url, path);
	struct http_req req = {.method = method, .url = url, .json = json};
	struct http_resp resp;
	struct net_error err;
	cJSON *doc = NULL;

	assert_int_equal(http_do(h, &req, &resp, &err), 0);
	assert_true(resp.status >= 200 && resp.status < 300);
	if (resp.len != 0)
		doc = cJSON_ParseWithLength(resp.body, resp.len);
	http_resp_clear(&resp);
	http_free(&h);
	free(url);
	return doc;
}

/* GET /_sim/effects: the count of one kind. */
static int effects_of(const struct simproc *s, const char *kind)
{
	cJSON *doc = sim_json(s, "GET", "/_sim/effects", NULL);
	int n = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "counts"), kind)->valueint;

	cJSON_Delete(doc);
	return n;
}

/* How often the first fault rule fired: how many requests matched it. */
static int fault_fired(const struct simproc *s)
{
	cJSON *doc = sim_json(s, "GET", "/_sim/faults", NULL);
	int n = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "faults"), 0),
				    "fired")
			->valueint;

	cJSON_Delete(doc);
	return n;
}

/* Waits for `rounds` more rounds (runtime metrics replaced each round). */
static void rounds(struct poller *p, struct store *store, struct store_view *v, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t gen;

		store_read(store, v);
		gen = store_view_generation(v, STORE_RUNTIME) + 1;
		poller_kick(p);
		wait_for(store, v, runtime_newer, &gen);
	}
}

static bool box_status_is(const struct store_view *v, void *arg)
{
	const char *const *want = arg; /* {name, status} */
	const struct box_list *l = store_view_boxes(v);

	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (xstreq(l->items[i].name, want[0]))
			return strcmp(box_status_name(l->items[i].status), want[1]) == 0;
	return false;
}

/*
 * boxlite serve, watched: a stopped box on screen and selected is never
 * asked its metrics (serve would boot it), nothing stamps an idle clock on
 * a timer, a box nobody uses stops on schedule while watched, a look stamps
 * once, and a box being stopped by boxtop is not scraped.
 */
static void test_watch_without_touching(void **state)
{
	const char *args[] = {"--flavor", "serve", "--control", "--tick", "200", NULL};
	struct poller_opts o = {.interval_ms = 200};
	struct store *store = store_new();
	struct store_view v = {0};
	enum conn_status want = CONN_CONNECTED;
	const char *stopped[] = {"idle", "stopped"};
	struct job tmpl = {.kind = JOB_STOP};
	struct job_update done = {.fields = JOB_FIELD_STATE, .state = JOB_SUCCEEDED};
	const char *ids[3];
	struct simproc s;
	struct poller *p;
	char *web1, *web3, *idle, *rule;
	char missing[] = "no-such-box";
	uint64_t job;
	cJSON *doc;

	(void)state;
	metrics_store = store;
	assert_int_equal(simproc_start(&s, args), 0);
	cJSON_Delete(sim_json(&s, "POST", "/_sim/boxes",
			      "{\"name\":\"idle\",\"status\":\"running\",\"auto_stop\":2}"));
	o.base_url = s.url;
	p = poller_start(&o, store);
	wait_for(store, &v, has_status, &want);
	web1 = xstrdup(box_id(&v, "web-1"));
	web3 = xstrdup(box_id(&v, "web-3"));
	idle = xstrdup(box_id(&v, "idle"));
	ids[0] = web1;
	ids[1] = web3;
	ids[2] = idle;
	poller_set_interest(p, ids, 3, web3, false, NULL);
	rounds(p, store, &v, 5);
	assert_int_equal(effects_of(&s, "boot"), 0);
	assert_int_equal(effects_of(&s, "stamp"), 0);
	assert_true(store_box_metrics(store, web1, &(struct box_metrics){0}, NULL));
	assert_false(store_box_metrics(store, web3, &(struct box_metrics){0}, NULL));
	/* watched every 200 ms, used by nobody: AutoStop stops it */
	wait_for(store, &v, box_status_is, stopped);
	assert_int_equal(effects_of(&s, "stamp"), 0);
	assert_int_equal(effects_of(&s, "autostop"), 1);
	/* a look is one use */
	poller_look_snapshots(p, web3);
	wait_for(store, &v, has_snapshots, web3);
	assert_int_equal(effects_of(&s, "stamp"), 1);
	rounds(p, store, &v, 3);
	assert_int_equal(effects_of(&s, "stamp"), 1);
	doc = sim_json(&s, "GET", "/_sim/effects", NULL);
	assert_non_null(strstr(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "effects"), 1),
				    "user_agent")
			->valuestring,
		"boxtop/"));
	cJSON_Delete(doc);
	/* a look at a box that is not there says why */
	poller_look_snapshots(p, missing);
	wait_for(store, &v, has_snapshots, missing);
	assert_non_null(strstr(store_view_snapshots(&v, missing)->error, "not found"));
	/* a stop of boxtop's under way: web-1 is not scraped until it ends */
	tmpl.box_id = web1;
	job = store_job_add(store, &tmpl);
	rule = xasprintf("{\"spec\":\"GET /v1/boxes/%s/metrics:latency_ms=1\"}", web1);
	cJSON_Delete(sim_json(&s, "POST", "/_sim/faults", rule));
	rounds(p, store, &v, 3);
	assert_int_equal(fault_fired(&s), 0);
	assert_int_equal(store_job_update(store, job, &done), 0);
	rounds(p, store, &v, 3);
	assert_true(fault_fired(&s) > 0);
	assert_int_equal(effects_of(&s, "boot"), 0);
	poller_stop(&p);
	assert_int_equal(simproc_stop(&s), 0);
	free(rule);
	free(web1);
	free(web3);
	free(idle);
	store_view_release(&v);
	store_free(&store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_and_recover),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_login_renewed),
		cmocka_unit_test(test_login_other_account),
		cmocka_unit_test(test_no_image_usage),
		cmocka_unit_test(test_image_detail),
		cmocka_unit_test(test_watch_without_touching),
	};

	if (http_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
