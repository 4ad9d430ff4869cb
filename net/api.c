/*
 * api: typed calls over http.c. Each call builds its URL, goes through
 * api_send (the retry policy) and hands the body to the model's decoder;
 * lists are joined page by page with xarray_append. The backoff sleeps in
 * short slices so a cancel flag (a job being cancelled, boxtop quitting)
 * ends it at once.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "model/xalloc.h"

struct api {
	char *base;   /* no trailing '/' */
	char *prefix; /* NULL: no segment */
	struct http *http;
	unsigned backoff_ms;
	unsigned backoff_max_ms;
	unsigned read_tries;
	uint64_t jitter; /* xorshift state for full jitter */
};

struct api *api_new(const char *base_url, const char *prefix, const struct http_conf *conf)
{
	struct api *a = xcalloc(1, sizeof(*a));
	size_t n = strlen(base_url);

	while (n > 0 && base_url[n - 1] == '/')
		n--;
	a->base = xstrndup(base_url, n);
	api_set_prefix(a, prefix);
	a->http = http_new(conf);
	a->backoff_ms = 500;
	a->backoff_max_ms = 30000;
	a->read_tries = API_READ_TRIES;
	if (RAND_bytes((unsigned char *)&a->jitter, sizeof(a->jitter)) != 1 || a->jitter == 0)
		a->jitter = (uint64_t)time(NULL) | 1;
	return a;
}

void api_free(struct api **a)
{
	if (a == NULL || *a == NULL)
		return;
	http_free(&(*a)->http);
	free((*a)->base);
	free((*a)->prefix);
	free(*a);
	*a = NULL;
}

void api_set_prefix(struct api *a, const char *prefix)
{
	free(a->prefix);
	a->prefix = prefix != NULL && prefix[0] != '\0' ? xstrdup(prefix) : NULL;
}

const char *api_prefix(const struct api *a)
{
	return a->prefix;
}

const char *api_base_url(const struct api *a)
{
	return a->base;
}

void api_set_backoff_ms(struct api *a, unsigned base_ms, unsigned max_ms)
{
	a->backoff_ms = base_ms != 0 ? base_ms : 500;
	a->backoff_max_ms = max_ms != 0 ? max_ms : 30000;
}

void api_set_read_tries(struct api *a, unsigned tries)
{
	a->read_tries = tries != 0 ? tries : API_READ_TRIES;
}

struct http *api_http(struct api *a)
{
	return a->http;
}

/*
 * The prefix as it goes in a URL: each '/'-separated segment percent-encoded
 * and the '/' kept, so "us-east/team 42" is two segments, "us-east/team%2042".
 * a->prefix stays as pasted: api_prefix hands it to other api_new calls.
 */
static char *escape_prefix(const char *prefix)
{
	char *out = xmalloc(strlen(prefix) * 3 + 1);
	size_t j = 0;

	for (;;) {
		size_t n = strcspn(prefix, "/");
		char *seg = xstrndup(prefix, n);
		char *e = api_escape(seg);

		j += (size_t)sprintf(out + j, "%s%s", e, prefix[n] == '/' ? "/" : "");
		free(e);
		free(seg);
		if (prefix[n] == '\0')
			return out;
		prefix += n + 1;
	}
}

char *api_url(const struct api *a, bool scoped, const char *path)
{
	char *prefix, *url;

	if (!scoped || a->prefix == NULL)
		return xasprintf("%s/v1%s", a->base, path);
	prefix = escape_prefix(a->prefix);
	url = xasprintf("%s/v1/%s%s", a->base, prefix, path);
	free(prefix);
	return url;
}

char *api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1);
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			out[j++] = (char)*p;
			continue;
		}
		out[j++] = '%';
		out[j++] = hex[*p >> 4];
		out[j++] = hex[*p & 15];
	}
	out[j] = '\0';
	return out;
}

void api_new_idem_key(char buf[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		fatal("api: no randomness for an Idempotency-Key");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static uint64_t next_jitter(struct api *a)
{
	a->jitter ^= a->jitter << 13;
	a->jitter ^= a->jitter >> 7;
	a->jitter ^= a->jitter << 17;
	return a->jitter;
}

/* Sleeps ms in slices; false when cancel was set meanwhile. */
static bool nap(unsigned long ms, const atomic_bool *cancel)
{
	while (ms > 0) {
		unsigned long slice = ms < 50 ? ms : 50;
		struct timespec ts = {0, (long)slice * 1000000};

		if (cancel != NULL && atomic_load(cancel))
			return false;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return cancel == NULL || !atomic_load(cancel);
}

/* Full jitter: a random wait in [0, min(max, base * 2^try)], but never less than Retry-After. */
static unsigned long backoff(struct api *a, unsigned attempt, int64_t retry_after_ms)
{
	unsigned long cap = a->backoff_ms;
	unsigned long wait;

	for (unsigned i = 0; i < attempt && cap < a->backoff_max_ms; i++)
		cap *= 2;
	if (cap > a->backoff_max_ms)
		cap = a->backoff_max_ms;
	wait = (unsigned long)(next_jitter(a) % (cap + 1));
	if (retry_after_ms > 0 && (unsigned long)retry_after_ms > wait)
		wait = retry_after_ms > 60000 ? 60000 : (unsigned long)retry_after_ms;
	return wait;
}

/* Whether a mutation may be sent again: nothing answered, or 429/502/503/504. */
static bool mutation_retryable(const struct net_error *err)
{
	if (err->kind == NET_TRANSPORT)
		return true;
	return err->kind == NET_STATUS &&
	       (err->api.http_status == 429 || err->api.http_status == 502 ||
		err->api.http_status == 503 || err->api.http_status == 504);
}

bool api_retry_wait(struct api *a, unsigned attempt, struct net_error *err,
		    const atomic_bool *cancel)
{
	if (!mutation_retryable(err) || attempt + 1 >= API_MUTATION_TRIES)
		return false;
	if (!nap(backoff(a, attempt, err->retry_after_ms), cancel)) {
		net_error_set(err, NET_CANCELLED, "cancelled");
		return false;
	}
	return true;
}

int api_send(struct api *a, struct http_req *req, bool mutation, struct http_resp *out,
	     struct net_error *err)
{
	unsigned tries = mutation ? API_MUTATION_TRIES : a->read_tries;
	char key[37];

	if (mutation && req->idem_key == NULL) {
		api_new_idem_key(key);
		req->idem_key = key;
	}
	for (unsigned attempt = 0;; attempt++) {
		bool again;

		if (http_do(a->http, req, out, err) == 0) {
			if ((out->status >= 200 && out->status < 300) || out->status == 304)
				return 0;
			net_error_from_resp(out, err);
			http_resp_clear(out);
		}
		again = mutation ? mutation_retryable(err) : net_error_retryable(err);
		if (!again || attempt + 1 >= tries)
			break;
		if (!nap(backoff(a, attempt, err->retry_after_ms), req->cancel)) {
			net_error_set(err, NET_CANCELLED, "cancelled");
			break;
		}
	}
	if (req->idem_key == key)
		req->idem_key = NULL;
	return -1;
}

typedef int (*decode_fn)(const char *buf, size_t len, void *out, struct decode_error *err);

/* Sends and decodes: the answer's body goes to decode (NULL: none expected). */
static int call(struct api *a, const char *method, char *url, const char *json,
		const atomic_bool *cancel, decode_fn decode, void *out, struct net_error *err)
{
	struct http_req req = {.method = method, .url = url, .json = json, .cancel = cancel};
	bool mutation = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	struct http_resp resp;
	struct decode_error derr = {0};
	char msg[300];
	int rc = api_send(a, &req, mutation, &resp, err);

	if (rc == 0 && decode != NULL && decode(resp.body, resp.len, out, &derr) < 0) {
		net_error_set(err, NET_DECODE, "%s %s: %s%s%s", method, url,
			      decode_error_str(&derr, msg, sizeof(msg)),
			      resp.request_id[0] != '\0' ? " [request " : "",
			      resp.request_id[0] != '\0' ? resp.request_id : "");
		if (resp.request_id[0] != '\0')
			strncat(err->message, "]", sizeof(err->message) - strlen(err->message) - 1);
		rc = -1;
	}
	http_resp_clear(&resp);
	free(url);
	return rc;
}

/* /boxes/{id}{tail}[/{name}] under the prefix, id and name escaped. */
static char *box_url(const struct api *a, const char *id, const char *tail, const char *name)
{
	char *eid = api_escape(id);
	char *ename = name != NULL ? api_escape(name) : NULL;
	char *path = ename != NULL ? xasprintf("/boxes/%s%s/%s", eid, tail, ename)
				   : xasprintf("/boxes/%s%s", eid, tail);
	char *url = api_url(a, true, path);

	free(eid);
	free(ename);
	free(path);
	return url;
}

static int dec_config(const char *b, size_t n, void *out, struct decode_error *e)
{
	return server_config_decode(b, n, out, e);
}

static int dec_principal(const char *b, size_t n, void *out, struct decode_error *e)
{
	return principal_decode(b, n, out, e);
}

static int dec_box(const char *b, size_t n, void *out, struct decode_error *e)
{
	return box_decode(b, n, out, e);
}

static int dec_box_list(const char *b, size_t n, void *out, struct decode_error *e)
{
	return box_list_decode(b, n, out, e);
}

static int dec_image_list(const char *b, size_t n, void *out, struct decode_error *e)
{
	return image_list_decode(b, n, out, e);
}

static int dec_image_usage(const char *b, size_t n, void *out, struct decode_error *e)
{
	return image_usage_decode(b, n, out, e);
}

static int dec_runtime(const char *b, size_t n, void *out, struct decode_error *e)
{
	return runtime_metrics_decode(b, n, out, e);
}

static int dec_box_metrics(const char *b, size_t n, void *out, struct decode_error *e)
{
	return box_metrics_decode(b, n, out, e);
}

static int dec_snapshot(const char *b, size_t n, void *out, struct decode_error *e)
{
	return snapshot_decode(b, n, out, e);
}

static int dec_snapshot_list(const char *b, size_t n, void *out, struct decode_error *e)
{
	return snapshot_list_decode(b, n, out, e);
}

int api_config(struct api *a, const atomic_bool *cancel, struct server_config **out,
	       struct net_error *err)
{
	return call(a, "GET", api_url(a, false, "/config"), NULL, cancel, dec_config, out, err);
}

int api_me(struct api *a, const atomic_bool *cancel, struct principal **out, struct net_error *err)
{
	return call(a, "GET", api_url(a, false, "/me"), NULL, cancel, dec_principal, out, err);
}

int api_box(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
	    struct net_error *err)
{
	return call(a, "GET", box_url(a, id, "", NULL), NULL, cancel, dec_box, out, err);
}

int api_box_start(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
		  struct net_error *err)
{
	return call(a, "POST", box_url(a, id, "/start", NULL), "{}", cancel, dec_box, out, err);
}

int api_box_stop(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
		 struct net_error *err)
{
	return call(a, "POST", box_url(a, id, "/stop", NULL), "{}", cancel, dec_box, out, err);
}

int api_box_delete(struct api *a, const char *id, bool force, const atomic_bool *cancel,
		   struct net_error *err)
{
	char *url = box_url(a, id, force ? "?force=true" : "?force=false", NULL);

	return call(a, "DELETE", url, NULL, cancel, NULL, NULL, err);
}

int api_box_clone(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
		  struct box **out, struct net_error *err)
{
	cJSON *body = cJSON_CreateObject();
	char *json;
	int rc;

	if (name != NULL)
		cJSON_AddStringToObject(body, "name", name);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (json == NULL)
		fatal("api: out of memory");
	rc = call(a, "POST", box_url(a, id, "/clone", NULL), json, cancel, dec_box, out, err);
	free(json);
	return rc;
}

int api_image_usage(struct api *a, const atomic_bool *cancel, struct image_usage *out,
		    struct net_error *err)
{
	return call(a, "GET", api_url(a, true, "/images/usage"), NULL, cancel, dec_image_usage, out,
		    err);
}

int api_runtime_metrics(struct api *a, const atomic_bool *cancel, struct runtime_metrics *out,
			struct net_error *err)
{
	return call(a, "GET", api_url(a, true, "/metrics"), NULL, cancel, dec_runtime, out, err);
}

int api_box_metrics(struct api *a, const char *id, const atomic_bool *cancel,
		    struct box_metrics *out, struct net_error *err)
{
	return call(a, "GET", box_url(a, id, "/metrics", NULL), NULL, cancel, dec_box_metrics, out,
		    err);
}

int api_snapshots(struct api *a, const char *id, const atomic_bool *cancel,
		  struct snapshot_list **out, struct net_error *err)
{
	return call(a, "GET", box_url(a, id, "/snapshots", NULL), NULL, cancel, dec_snapshot_list,
		    out, err);
}

int api_snapshot_create(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			struct snapshot **out, struct net_error *err)
{
	cJSON *body = cJSON_CreateObject();
	char *json;
	int rc;

	cJSON_AddStringToObject(body, "name", name);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (json == NULL)
		fatal("api: out of memory");
	rc = call(a, "POST", box_url(a, id, "/snapshots", NULL), json, cancel, dec_snapshot, out,
		  err);
	free(json);
	return rc;
}

int api_snapshot_delete(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			struct net_error *err)
{
	return call(a, "DELETE", box_url(a, id, "/snapshots", name), NULL, cancel, NULL, NULL, err);
}

int api_snapshot_restore(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			 struct net_error *err)
{
	char *url = box_url(a, id, "/snapshots", name);
	char *full = xasprintf("%s/restore", url);

	free(url);
	return call(a, "POST", full, "{}", cancel, NULL, NULL, err);
}

char *api_page_url(const struct api *a, const char *path, const char *query, const char *token)
{
	char *etok = token != NULL ? api_escape(token) : NULL;
	char *p = xasprintf("%s?pageSize=1000%s%s%s", path, query,
			    etok != NULL ? "&pageToken=" : "", etok != NULL ? etok : "");
	char *url = api_url(a, true, p);

	free(etok);
	free(p);
	return url;
}

/* One page's list and token, for the paging loop. */
struct pager {
	void *(*get_items)(void *page, size_t **n, char ***token);
	size_t item_size;
	decode_fn decode;
	void (*free_page)(void **page);
};

static void *box_page_items(void *page, size_t **n, char ***token)
{
	struct box_list *l = page;

	*n = &l->n;
	*token = &l->next_page_token;
	return &l->items;
}

static void free_box_page(void **page)
{
	box_list_free((struct box_list **)page);
}

static void *image_page_items(void *page, size_t **n, char ***token)
{
	struct image_list *l = page;

	*n = &l->n;
	*token = &l->next_page_token;
	return &l->items;
}

static void free_image_page(void **page)
{
	image_list_free((struct image_list **)page);
}

static bool token_seen(char *const *seen, size_t n, const char *token)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(seen[i], token) == 0)
			return true;
	return false;
}

/*
 * Follows next_page_token from the first page (whose items become the
 * result, its token cleared) to the end. A token seen before (a loop) or
 * too many pages is an error.
 */
static int all_pages(struct api *a, const char *path, const char *query, const struct pager *pg,
		     const atomic_bool *cancel, void **out, struct net_error *err)
{
	char **seen = NULL; /* the tokens asked with so far: a loop is an error */
	size_t n_seen = 0;
	void *all = NULL;
	char **token;
	size_t *n_all;
	int rc = -1;

	for (unsigned pages = 0;; pages++) {
		void *page = NULL;
		size_t *n_page;
		char *url = api_page_url(a, path, query, n_seen != 0 ? seen[n_seen - 1] : NULL);

		if (pages == API_MAX_PAGES) {
			net_error_set(err, NET_DECODE, "GET %s: more than %d pages", path,
				      API_MAX_PAGES);
			free(url);
			goto out;
		}
		if (call(a, "GET", url, NULL, cancel, pg->decode, &page, err) < 0)
			goto out;
		if (all == NULL) {
			all = page;
		} else {
			void **dst = pg->get_items(all, &n_all, &token);
			void **src = pg->get_items(page, &n_page, &token);

			xarray_append(dst, n_all, src, n_page, pg->item_size);
		}
		pg->get_items(page, &n_page, &token);
		if (*token == NULL || (*token)[0] == '\0') {
			if (page != all)
				pg->free_page(&page);
			break;
		}
		if (token_seen(seen, n_seen, *token)) {
			net_error_set(err, NET_DECODE, "GET %s: the server repeated a page token",
				      path);
			if (page != all)
				pg->free_page(&page);
			goto out;
		}
		seen = xreallocarray(seen, n_seen + 1, sizeof(*seen));
		seen[n_seen++] = xstrdup(*token);
		if (page != all)
			pg->free_page(&page);
	}
	pg->get_items(all, &n_all, &token);
	free(*token);
	*token = NULL;
	*out = all;
	all = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
	if (all != NULL)
		pg->free_page(&all);
	return rc;
}

int api_boxes(struct api *a, const char *status, const atomic_bool *cancel, struct box_list **out,
	      struct net_error *err)
{
	static const struct pager pg = {box_page_items, sizeof(struct box), dec_box_list,
					free_box_page};
	char *q = status != NULL ? xasprintf("&status=%s", status) : xstrdup("");
	void *list = NULL;
	int rc = all_pages(a, "/boxes", q, &pg, cancel, &list, err);

	free(q);
	if (rc == 0)
		*out = list;
	return rc;
}

int api_images(struct api *a, const atomic_bool *cancel, struct image_list **out,
	       struct net_error *err)
{
	static const struct pager pg = {image_page_items, sizeof(struct image_info), dec_image_list,
					free_image_page};
	void *list = NULL;
	int rc = all_pages(a, "/images", "", &pg, cancel, &list, err);

	if (rc == 0)
		*out = list;
	return rc;
}

int api_require(const struct server_config *cfg, enum capability cap, struct net_error *err)
{
	if (cfg != NULL && cfg->caps[cap])
		return 0;
	net_error_set(err, NET_REFUSED, "this server does not support %s", capability_noun(cap));
	return -1;
}
