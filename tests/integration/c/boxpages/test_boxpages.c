/*
 * net/boxpages against a live boxlite-sim of 2,500 boxes (three pages):
 * the list whole and in order; asked again unchanged, no list, every page
 * answered 304 (or, from a server without ETags, downloaded and not
 * decoded); one box changed, the list rebuilt equal to a fresh api_boxes
 * with only its page decoded; pages added and removed; a prev that does not
 * match; failures in the middle that leave the memory usable; a list whose
 * tokens loop and one that never ends, refused by every paging loop (a few
 * lines of libmicrohttpd, which the simulator is not). The
 * simulator's request tally (GET /_sim/requests) counts the requests and
 * the 304s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "model/xalloc.h"
#include "net/api.h"
#include "net/boxpages.h"
#include "tests/support/simproc.h"

struct tally {
	int lists;        /* GET /v1/boxes answered */
	int not_modified; /* of them with 304 */
};

/* method url on the simulator, with an optional JSON body; the answer's status. */
static long sim_call(struct api *a, char *url, const char *method, const char *json)
{
	struct http_req req = {.method = method, .url = url, .json = json};
	struct http_resp resp;
	struct net_error err;
	long status;

	assert_int_equal(api_send(a, &req, false, &resp, &err), 0);
	status = resp.status;
	http_resp_clear(&resp);
	free(url);
	return status;
}

static void tally_reset(struct api *a, const struct simproc *s)
{
	assert_int_equal(sim_call(a, xasprintf("%s/_sim/requests", s->url), "DELETE", NULL), 204);
}

static struct tally tally_get(const struct simproc *s, struct api *a)
{
	char *url = xasprintf("%s/_sim/requests", s->url);
	struct http_req req = {.method = "GET", .url = url};
	struct http_resp resp;
	struct net_error err;
	struct tally t = {0};
	const cJSON *r;
	cJSON *doc;

	assert_int_equal(api_send(a, &req, false, &resp, &err), 0);
	doc = cJSON_ParseWithLength(resp.body, resp.len);
	assert_non_null(doc);
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "routes")) {
		const cJSON *route = cJSON_GetObjectItemCaseSensitive(r, "route");

		if (cJSON_IsString(route) && strcmp(route->valuestring, "/v1/boxes") == 0) {
			t.lists += cJSON_GetObjectItemCaseSensitive(r, "count")->valueint;
			t.not_modified +=
				cJSON_GetObjectItemCaseSensitive(r, "not_modified")->valueint;
		}
	}
	cJSON_Delete(doc);
	http_resp_clear(&resp);
	free(url);
	return t;
}

static void tally_is(const struct simproc *s, struct api *a, int lists, int not_modified)
{
	struct tally t = tally_get(s, a);

	assert_int_equal(t.lists, lists);
	assert_int_equal(t.not_modified, not_modified);
}

/* l is what api_boxes says now: the same boxes, in order, field by field. */
static void same_as_server(struct api *a, const struct box_list *l)
{
	struct box_list *all = NULL;
	struct net_error err;

	assert_int_equal(api_boxes(a, NULL, NULL, &all, &err), 0);
	assert_int_equal(l->n, all->n);
	assert_null(l->next_page_token);
	for (size_t i = 0; i < l->n; i++) {
		assert_string_equal(l->items[i].id, all->items[i].id);
		assert_string_equal(box_display_name(&l->items[i]),
				    box_display_name(&all->items[i]));
		assert_int_equal(l->items[i].status, all->items[i].status);
		assert_int_equal(l->items[i].cpus, all->items[i].cpus);
	}
	box_list_free(&all);
}

/* The page fetch, which must say changed (1) with a list. */
static void fetch_changed(struct box_pages *bp, struct api *a, struct box_list **l)
{
	struct box_list *out = NULL;
	struct net_error err;

	assert_int_equal(box_pages_fetch(bp, a, *l, NULL, &out, &err), 1);
	assert_non_null(out);
	box_list_free(l);
	*l = out;
}

static void fetch_unchanged(struct box_pages *bp, struct api *a, const struct box_list *l)
{
	struct box_list *out = (struct box_list *)1;
	struct net_error err;

	assert_int_equal(box_pages_fetch(bp, a, l, NULL, &out, &err), 0);
	assert_null(out);
}

static void set_status(struct api *a, const struct simproc *s, const char *id, const char *status)
{
	char *json = xasprintf("{\"status\":\"%s\"}", status);

	assert_int_equal(sim_call(a, xasprintf("%s/_sim/boxes/%s/state", s->url, id), "POST", json),
			 200);
	free(json);
}

/* One fault on the box list, firing once: keys are the rule's other members. */
static void add_fault(struct api *a, const struct simproc *s, const char *keys)
{
	char *json = xasprintf("{\"method\":\"GET\",\"path\":\"*/boxes\",\"count\":1,%s}", keys);

	assert_int_equal(sim_call(a, xasprintf("%s/_sim/faults", s->url), "POST", json), 201);
	free(json);
}

static struct api *connect_to(const struct simproc *s)
{
	struct http_conf conf = {0};
	struct api *a = api_new(s->url, NULL, &conf);

	api_set_backoff_ms(a, 10, 100);
	api_set_read_tries(a, 1);
	return a;
}

/* The common run, with ETags (etag) or without: not_modified is 3 or 0 for an unchanged list. */
static void run_pages(bool etag)
{
	const char *with[] = {"--boxes", "2500", "--control", NULL};
	const char *without[] = {"--boxes", "2500", "--control", "--no-etag", NULL};
	struct box_pages *bp = box_pages_new();
	struct box_list *l = NULL;
	struct simproc s;
	struct api *a;
	const char *id;
	char *before;
	int nm = etag ? 1 : 0;

	assert_int_equal(simproc_start(&s, etag ? with : without), 0);
	a = connect_to(&s);

	/* First: three pages, each decoded. */
	tally_reset(a, &s);
	fetch_changed(bp, a, &l);
	assert_int_equal(l->n, 2500);
	tally_is(&s, a, 3, 0);
	same_as_server(a, l);

	/* Unchanged: three requests, no list. */
	tally_reset(a, &s);
	fetch_unchanged(bp, a, l);
	tally_is(&s, a, 3, 3 * nm);

	/* A box on the second page changes: the list follows, the others copied. */
	id = l->items[1500].id;
	before = xstrdup(box_status_name(l->items[1500].status));
	set_status(a, &s, id, strcmp(before, "stopped") == 0 ? "running" : "stopped");
	tally_reset(a, &s);
	fetch_changed(bp, a, &l);
	tally_is(&s, a, 3, 2 * nm);
	assert_string_not_equal(box_status_name(l->items[1500].status), before);
	same_as_server(a, l);
	free(before);
	tally_reset(a, &s);
	fetch_unchanged(bp, a, l);
	tally_is(&s, a, 3, 3 * nm);

	/* Deleting the third page's boxes: two pages, then one more box, three again. */
	for (size_t i = 2000; i < 2500; i++) {
		struct net_error err;

		assert_int_equal(api_box_delete(a, l->items[i].id, true, NULL, &err), 0);
	}
	fetch_changed(bp, a, &l);
	assert_int_equal(l->n, 2000);
	same_as_server(a, l);
	assert_int_equal(sim_call(a, api_url(a, true, "/boxes"), "POST", "{\"name\":\"late\"}"),
			 201);
	fetch_changed(bp, a, &l);
	assert_int_equal(l->n, 2001);
	same_as_server(a, l);
	fetch_unchanged(bp, a, l);

	/* A prev that is not the last result: every page decoded again. */
	{
		struct box_list *other = NULL;
		struct box_list *out = NULL;
		struct net_error err;

		assert_int_equal(api_boxes(a, "running", NULL, &other, &err), 0);
		assert_true(other->n < l->n);
		tally_reset(a, &s);
		assert_int_equal(box_pages_fetch(bp, a, other, NULL, &out, &err), 1);
		tally_is(&s, a, 3, 0);
		same_as_server(a, out);
		box_list_free(&other);
		box_list_free(&l);
		l = out;
	}

	/*
	 * A 500 on the second page, then the third page changed but truncated
	 * on its way: errors, and the memory still fits l.
	 */
	{
		struct box_list *out = NULL;
		struct net_error err;

		add_fault(a, &s, "\"status\":500,\"skip\":1");
		assert_int_equal(box_pages_fetch(bp, a, l, NULL, &out, &err), -1);
		assert_null(out);
		assert_int_equal(err.kind, NET_STATUS);
		assert_int_equal(err.api.http_status, 500);
		tally_reset(a, &s);
		fetch_unchanged(bp, a, l);
		tally_is(&s, a, 3, 3 * nm);

		set_status(a, &s, l->items[2000].id,
			   l->items[2000].status == BOX_STOPPED ? "running" : "stopped");
		add_fault(a, &s, "\"truncate\":true,\"skip\":2");
		assert_int_equal(box_pages_fetch(bp, a, l, NULL, &out, &err), -1);
		assert_null(out);
		assert_int_equal(err.kind, NET_DECODE);
		tally_reset(a, &s);
		fetch_changed(bp, a, &l);
		tally_is(&s, a, 3, 2 * nm);
		same_as_server(a, l);
	}

	/* Forgotten: decoded afresh. */
	box_pages_forget(bp);
	tally_reset(a, &s);
	fetch_changed(bp, a, &l);
	tally_is(&s, a, 3, 0);
	same_as_server(a, l);

	box_list_free(&l);
	box_pages_free(&bp);
	assert_null(bp);
	api_free(&a);
	assert_int_equal(simproc_stop(&s), 0);
}

static void test_with_etags(void **state)
{
	(void)state;
	run_pages(true);
}

static void test_without_etags(void **state)
{
	(void)state;
	run_pages(false);
}

/* One page (the serve flavor does not page): the same, with one request, down to no boxes. */
static void test_one_page(void **state)
{
	const char *args[] = {"--flavor", "serve", "--control", NULL};
	struct box_pages *bp = box_pages_new();
	struct box_list *l = NULL;
	struct simproc s;
	struct api *a;

	(void)state;
	assert_int_equal(simproc_start(&s, args), 0);
	a = connect_to(&s);
	fetch_changed(bp, a, &l);
	assert_int_equal(l->n, 24);
	tally_reset(a, &s);
	fetch_unchanged(bp, a, l);
	/* serve sends no ETag: the same bytes, answered 200, are what says unchanged */
	tally_is(&s, a, 1, 0);
	set_status(a, &s, l->items[0].id,
		   l->items[0].status == BOX_STOPPED ? "running" : "stopped");
	fetch_changed(bp, a, &l);
	same_as_server(a, l);

	/* No boxes at all: an empty list, then unchanged. */
	for (size_t i = 0; i < l->n; i++) {
		struct net_error err;

		assert_int_equal(api_box_delete(a, l->items[i].id, true, NULL, &err), 0);
	}
	fetch_changed(bp, a, &l);
	assert_int_equal(l->n, 0);
	fetch_unchanged(bp, a, l);
	assert_int_equal(sim_call(a, api_url(a, true, "/boxes"), "POST", "{\"name\":\"first\"}"),
			 201);
	fetch_changed(bp, a, &l);
	assert_int_equal(l->n, 1);
	same_as_server(a, l);
	box_list_free(&l);
	box_pages_free(&bp);
	api_free(&a);
	assert_int_equal(simproc_stop(&s), 0);
}

/*
 * A server whose tokens misbehave: with loop, the first page says A, A says
 * B, B says A again; without, page k says k + 1, for ever. The simulator
 * never does either, so a few lines of libmicrohttpd do. Its list holds
 * boxes or images, as the path asks.
 */
struct bad_pages {
	bool loop;
	int asked;
};

static enum MHD_Result bad_page(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *data,
				size_t *size, void **state)
{
	struct bad_pages *bad = cls;
	const char *token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "pageToken");
	const char *items = strstr(url, "/images") != NULL ? "images" : "boxes";
	const char *looped = token == NULL ? "A" : strcmp(token, "A") == 0 ? "B" : "A";
	long k = token != NULL ? strtol(token, NULL, 10) : 0;
	char *next = bad->loop ? xstrdup(looped) : xasprintf("%ld", k + 1);
	char *body = xasprintf("{\"%s\":[],\"next_page_token\":\"%s\"}", items, next);
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result r;

	(void)method, (void)version, (void)data, (void)size, (void)state;
	bad->asked++;
	r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	free(next);
	return r;
}

/* Every paging loop refuses the bad server's list with why, after asked pages. */
static void refused(bool loop, const char *why, int asked)
{
	struct bad_pages bad = {.loop = loop};
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
						bad_page, &bad, MHD_OPTION_END);
	const union MHD_DaemonInfo *info;
	struct box_pages *bp = box_pages_new();
	struct box_list *l = NULL;
	struct image_list *images = NULL;
	struct http_conf conf = {0};
	struct net_error err;
	struct api *a;
	char url[64];

	assert_non_null(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)info->port);
	a = api_new(url, NULL, &conf);
	api_set_read_tries(a, 1);
	assert_int_equal(box_pages_fetch(bp, a, NULL, NULL, &l, &err), -1);
	assert_null(l);
	assert_int_equal(err.kind, NET_DECODE);
	assert_non_null(strstr(err.message, why));
	assert_int_equal(bad.asked, asked);
	bad.asked = 0;
	assert_int_equal(api_boxes(a, NULL, NULL, &l, &err), -1);
	assert_null(l);
	assert_non_null(strstr(err.message, why));
	assert_int_equal(bad.asked, asked);
	bad.asked = 0;
	assert_int_equal(api_images(a, NULL, &images, &err), -1);
	assert_null(images);
	assert_non_null(strstr(err.message, "GET /images: "));
	assert_non_null(strstr(err.message, why));
	assert_int_equal(bad.asked, asked);
	box_pages_free(&bp);
	api_free(&a);
	MHD_stop_daemon(d);
}

/* A list whose tokens loop: refused after one round of it. */
static void test_token_loop(void **state)
{
	(void)state;
	refused(true, "the server repeated a page token", 3);
}

/* A list that never ends: refused at API_MAX_PAGES pages, the next never asked. */
static void test_page_cap(void **state)
{
	char why[64];

	(void)state;
	snprintf(why, sizeof(why), "more than %d pages", API_MAX_PAGES);
	refused(false, why, API_MAX_PAGES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_with_etags), cmocka_unit_test(test_without_etags),
		cmocka_unit_test(test_one_page),   cmocka_unit_test(test_token_loop),
		cmocka_unit_test(test_page_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
