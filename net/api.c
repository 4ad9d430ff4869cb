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
	bool idempotent; /* the server announced idempotency_key_lifetime */
	char note[256];  /* what the last mutation's lost answer turned out to be */
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

void api_set_idempotency(struct api *a, bool announced)
{
	a->idempotent = announced;
}

bool api_idempotent(const struct api *a)
{
	return a->idempotent;
}

const char *api_note(const struct api *a)
{
	return a->note;
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

/* Whether a mutation may be sent again with its key: nothing answered, or 429/502/503/504. */
static bool mutation_retryable(const struct net_error *err)
{
	if (err->kind == NET_TRANSPORT)
		return true;
	return err->kind == NET_STATUS &&
	       (err->api.http_status == 429 || err->api.http_status == 502 ||
		err->api.http_status == 503 || err->api.http_status == 504);
}

/* The server never had it, or said it did not do it (429, 503): sending again is safe. */
static bool not_done(const struct net_error *err)
{
	if (err->kind == NET_TRANSPORT)
		return err->unsent;
	return err->kind == NET_STATUS &&
	       (err->api.http_status == 429 || err->api.http_status == 503);
}

/* The answer was lost: the server may have done it (a cut after sending, a gateway's 502/504). */
static bool answer_lost(const struct net_error *err)
{
	if (err->kind == NET_TRANSPORT)
		return !err->unsent;
	return err->kind == NET_STATUS &&
	       (err->api.http_status == 502 || err->api.http_status == 504);
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
	if (mutation)
		return api_mutate(a, req, NULL, NULL, NULL, out, err);
	for (unsigned attempt = 0;; attempt++) {
		if (http_do(a->http, req, out, err) == 0) {
			if ((out->status >= 200 && out->status < 300) || out->status == 304)
				return 0;
			net_error_from_resp(out, err);
			http_resp_clear(out);
		}
		if (!net_error_retryable(err) || attempt + 1 >= a->read_tries)
			return -1;
		if (!nap(backoff(a, attempt, err->retry_after_ms), req->cancel)) {
			net_error_set(err, NET_CANCELLED, "cancelled");
			return -1;
		}
	}
}

/* A JSON request, once. */
static int try_json(struct api *a, void *arg, struct http_resp *out, struct net_error *err)
{
	return http_do(a->http, arg, out, err);
}

enum next {
	NEXT_AGAIN, /* send it again */
	NEXT_DONE,  /* a look found it done: out holds its answer */
	NEXT_STOP,  /* give up with err */
};

/* Adds why boxtop gives up to err's message: it cannot tell whether the mutation happened. */
static void unknown_outcome(struct net_error *err, const char *why)
{
	char first[sizeof(err->message)];

	snprintf(first, sizeof(first), "%s", err->message);
	snprintf(err->message, sizeof(err->message),
		 "%.200s; the answer was lost and %.250s: look before trying again", first, why);
}

/*
 * After a try of a mutation failed with err: send it again, stop, or (the
 * answer lost, with no idempotency announced) look whether it happened.
 * resent: this try followed a look that found nothing, so a conflict may be
 * the first try landing late: look again.
 */
static enum next after_failure(struct api *a, const struct api_look *look, bool resent,
			       const atomic_bool *cancel, struct http_resp *out,
			       struct net_error *err)
{
	struct net_error lerr;
	bool late = resent && err->kind == NET_STATUS &&
		    (err->api.http_status == 404 || err->api.http_status == 409);
	char why[260];

	if (err->kind == NET_CANCELLED)
		return NEXT_STOP;
	if (a->idempotent)
		return mutation_retryable(err) ? NEXT_AGAIN : NEXT_STOP;
	if (not_done(err))
		return NEXT_AGAIN;
	if (!answer_lost(err) && !late)
		return NEXT_STOP;
	if (look == NULL) {
		unknown_outcome(err, "this server announces no idempotency, so it is not sent "
				     "again blindly");
		return NEXT_STOP;
	}
	switch (look->fn(a, look, cancel, out, &lerr)) {
	case API_LOOK_DONE:
		snprintf(a->note, sizeof(a->note),
			 "the server's answer was lost; boxtop looked and found %s", look->what);
		return NEXT_DONE;
	case API_LOOK_NOT_DONE:
		return late ? NEXT_STOP : NEXT_AGAIN;
	case API_LOOK_FAILED:
		break;
	}
	if (lerr.kind == NET_CANCELLED) {
		*err = lerr;
		return NEXT_STOP;
	}
	snprintf(why, sizeof(why), "looking for %.100s failed (%.120s)", look->what, lerr.message);
	unknown_outcome(err, why);
	return NEXT_STOP;
}

int api_mutate(struct api *a, struct http_req *req, const struct api_look *look, api_try_fn try,
	       void *try_arg, struct http_resp *out, struct net_error *err)
{
	char key[37];
	bool resent = false;
	int rc = -1;

	a->note[0] = '\0';
	if (try == NULL) {
		try = try_json;
		try_arg = req;
	}
	if (req->idem_key == NULL) {
		api_new_idem_key(key);
		req->idem_key = key;
	}
	if (req->timeout_s == 0)
		req->timeout_s = API_MUTATION_TIMEOUT_S;
	for (unsigned attempt = 0;; attempt++) {
		enum next next;

		if (try(a, try_arg, out, err) == 0) {
			if (out->status >= 200 && out->status < 300) {
				rc = 0;
				break;
			}
			net_error_from_resp(out, err);
			http_resp_clear(out);
		}
		next = after_failure(a, look, resent, req->cancel, out, err);
		if (next == NEXT_DONE)
			rc = 0;
		if (next != NEXT_AGAIN || attempt + 1 >= API_MUTATION_TRIES)
			break;
		resent = resent || answer_lost(err);
		if (!nap(backoff(a, attempt, err->retry_after_ms), req->cancel)) {
			net_error_set(err, NET_CANCELLED, "cancelled");
			break;
		}
	}
	if (req->idem_key == key)
		req->idem_key = NULL;
	return rc;
}

/*
 * Sends and decodes: the answer's body goes to decode (NULL: none
 * expected). A mutation whose answer is lost is looked for with look (NULL:
 * it cannot be).
 */
static int call_looked(struct api *a, const char *method, char *url, const char *json,
		       const atomic_bool *cancel, const struct api_look *look, api_decode_fn decode,
		       void *out, struct net_error *err)
{
	struct http_req req = {.method = method, .url = url, .json = json, .cancel = cancel};
	bool mutation = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	struct http_resp resp;
	struct decode_error derr = {0};
	char msg[300];
	int rc = mutation ? api_mutate(a, &req, look, NULL, NULL, &resp, err)
			  : api_send(a, &req, false, &resp, err);

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

int api_call(struct api *a, const char *method, char *url, const char *json,
	     const atomic_bool *cancel, api_decode_fn decode, void *out, struct net_error *err)
{
	return call_looked(a, method, url, json, cancel, NULL, decode, out, err);
}

char *api_item_url(const struct api *a, const char *collection, const char *item, const char *tail)
{
	char *eitem = api_escape(item);
	char *path = xasprintf("/%s/%s%s", collection, eitem, tail);
	char *url = api_url(a, true, path);

	free(eitem);
	free(path);
	return url;
}

/* /boxes/{id}{tail}[/{name}] under the prefix, id and name escaped. */
static char *box_url(const struct api *a, const char *id, const char *tail, const char *name)
{
	char *ename = name != NULL ? api_escape(name) : NULL;
	char *full = ename != NULL ? xasprintf("%s/%s", tail, ename) : xstrdup(tail);
	char *url = api_item_url(a, "boxes", id, full);

	free(ename);
	free(full);
	return url;
}

/* /images/{name} under the prefix, the name one segment ('/' encoded too). */
static char *image_url(const struct api *a, const char *name)
{
	return api_item_url(a, "images", name, "");
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

static int dec_image_detail(const char *b, size_t n, void *out, struct decode_error *e)
{
	return image_detail_decode(b, n, out, e);
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
	return api_call(a, "GET", api_url(a, false, "/config"), NULL, cancel, dec_config, out, err);
}

int api_me(struct api *a, const atomic_bool *cancel, struct principal **out, struct net_error *err)
{
	return api_call(a, "GET", api_url(a, false, "/me"), NULL, cancel, dec_principal, out, err);
}

int api_box(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
	    struct net_error *err)
{
	return api_call(a, "GET", box_url(a, id, "", NULL), NULL, cancel, dec_box, out, err);
}

/* ---- looking whether a mutation whose answer was lost happened ---- */

/* GETs url (taken): DONE with the answer in out, NOT_DONE on a 404, FAILED on anything else. */
static enum api_look_rc look_for(struct api *a, char *url, const atomic_bool *cancel,
				 struct http_resp *out, struct net_error *err)
{
	struct http_req req = {.method = "GET", .url = url, .cancel = cancel};
	int rc = api_send(a, &req, false, out, err);

	free(url);
	if (rc == 0)
		return API_LOOK_DONE;
	return err->kind == NET_STATUS && err->api.http_status == 404 ? API_LOOK_NOT_DONE
								      : API_LOOK_FAILED;
}

/* rc turned around: what is found is what is not done (a delete); DONE answers 204. */
static enum api_look_rc gone(enum api_look_rc rc, struct http_resp *out)
{
	http_resp_clear(out);
	if (rc == API_LOOK_DONE)
		return API_LOOK_NOT_DONE;
	if (rc == API_LOOK_NOT_DONE)
		out->status = 204;
	return rc == API_LOOK_NOT_DONE ? API_LOOK_DONE : rc;
}

static enum api_look_rc snapshot_made(struct api *a, const struct api_look *l,
				      const atomic_bool *cancel, struct http_resp *out,
				      struct net_error *err)
{
	return look_for(a, box_url(a, l->id, "/snapshots", l->name), cancel, out, err);
}

static enum api_look_rc snapshot_gone(struct api *a, const struct api_look *l,
				      const atomic_bool *cancel, struct http_resp *out,
				      struct net_error *err)
{
	return gone(snapshot_made(a, l, cancel, out, err), out);
}

static enum api_look_rc box_gone(struct api *a, const struct api_look *l, const atomic_bool *cancel,
				 struct http_resp *out, struct net_error *err)
{
	return gone(look_for(a, box_url(a, l->id, "", NULL), cancel, out, err), out);
}

static enum api_look_rc image_gone(struct api *a, const struct api_look *l,
				   const atomic_bool *cancel, struct http_resp *out,
				   struct net_error *err)
{
	return gone(look_for(a, image_url(a, l->name), cancel, out, err), out);
}

/* The box named l->name exactly (a server may take a name for an id prefix). */
static enum api_look_rc box_named(struct api *a, const struct api_look *l,
				  const atomic_bool *cancel, struct http_resp *out,
				  struct net_error *err)
{
	enum api_look_rc rc = look_for(a, box_url(a, l->name, "", NULL), cancel, out, err);
	struct decode_error derr = {0};
	struct box *b = NULL;
	bool same;

	if (rc != API_LOOK_DONE)
		return rc;
	same = box_decode(out->body, out->len, &b, &derr) == 0 && xstreq(b->name, l->name);
	box_free(&b);
	if (!same)
		http_resp_clear(out);
	return same ? API_LOOK_DONE : API_LOOK_NOT_DONE;
}

/* The box in one of the statuses of l->name ("running paused"): a start or stop that landed. */
static enum api_look_rc box_in(struct api *a, const struct api_look *l, const atomic_bool *cancel,
			       struct http_resp *out, struct net_error *err)
{
	enum api_look_rc rc = look_for(a, box_url(a, l->id, "", NULL), cancel, out, err);
	struct decode_error derr = {0};
	struct box *b = NULL;
	const char *want = l->name;
	bool there;

	if (rc != API_LOOK_DONE)
		return rc == API_LOOK_NOT_DONE ? API_LOOK_FAILED : rc; /* the box is gone */
	there = box_decode(out->body, out->len, &b, &derr) == 0 &&
		strstr(want, box_status_name(b->status)) != NULL;
	box_free(&b);
	if (!there)
		http_resp_clear(out);
	return there ? API_LOOK_DONE : API_LOOK_NOT_DONE;
}

/*
 * A restore leaves nothing to look at, and ends the same however often it
 * runs (the disk becomes the snapshot's): it may go again while the box is
 * not running.
 */
static enum api_look_rc restorable(struct api *a, const struct api_look *l,
				   const atomic_bool *cancel, struct http_resp *out,
				   struct net_error *err)
{
	struct api_look at_rest = {.id = l->id, .name = "configured stopped failed"};
	enum api_look_rc rc = box_in(a, &at_rest, cancel, out, err);

	http_resp_clear(out);
	if (rc == API_LOOK_NOT_DONE)
		net_error_set(err, NET_LOCAL, "the box runs now");
	return rc == API_LOOK_DONE ? API_LOOK_NOT_DONE : API_LOOK_FAILED;
}

int api_box_name_free(struct api *a, const char *name, const atomic_bool *cancel,
		      struct net_error *err)
{
	struct api_look l = {.name = name};
	struct http_resp resp = {0};
	enum api_look_rc rc = box_named(a, &l, cancel, &resp, err);

	http_resp_clear(&resp);
	if (rc == API_LOOK_NOT_DONE)
		return 0;
	if (rc == API_LOOK_DONE)
		net_error_set(err, NET_REFUSED, "a box named %s exists already", name);
	return -1;
}

void api_look_box_named(struct api_look *l, const char *name)
{
	l->fn = box_named;
	l->name = name;
	snprintf(l->what, sizeof(l->what), "a box named %.150s", name != NULL ? name : "");
}

/*
 * A mutation of a box (or an image) looked for with fn, what saying what it
 * found (l NULL: not looked for).
 */
static int box_call(struct api *a, const char *method, char *url, const char *json,
		    const atomic_bool *cancel, struct api_look *l,
		    enum api_look_rc (*fn)(struct api *, const struct api_look *,
					   const atomic_bool *, struct http_resp *,
					   struct net_error *),
		    const char *what, api_decode_fn decode, void *out, struct net_error *err)
{
	if (l != NULL) {
		l->fn = fn;
		snprintf(l->what, sizeof(l->what), "%s", what);
	}
	return call_looked(a, method, url, json, cancel, l, decode, out, err);
}

int api_box_start(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
		  struct net_error *err)
{
	struct api_look at = {.id = id, .name = "running paused"};

	return box_call(a, "POST", box_url(a, id, "/start", NULL), "{}", cancel, &at, box_in,
			"the box running", dec_box, out, err);
}

int api_box_stop(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
		 struct net_error *err)
{
	struct api_look at = {.id = id, .name = "stopping stopped failed configured"};

	return box_call(a, "POST", box_url(a, id, "/stop", NULL), "{}", cancel, &at, box_in,
			"the box stopped", dec_box, out, err);
}

int api_box_delete(struct api *a, const char *id, bool force, const atomic_bool *cancel,
		   struct net_error *err)
{
	struct api_look at = {.id = id};
	char *url = box_url(a, id, force ? "?force=true" : "?force=false", NULL);

	return box_call(a, "DELETE", url, NULL, cancel, &at, box_gone, "the box gone", NULL, NULL,
			err);
}

int api_box_clone(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
		  struct box **out, struct net_error *err)
{
	struct api_look at = {.id = id, .name = name};
	cJSON *body = cJSON_CreateObject();
	char *json;
	int rc = -1;

	/* without idempotency a lost answer is looked for by name: it must be new */
	if (!a->idempotent && name != NULL && api_box_name_free(a, name, cancel, err) < 0) {
		cJSON_Delete(body);
		return -1;
	}
	if (name != NULL)
		cJSON_AddStringToObject(body, "name", name);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (json == NULL)
		fatal("api: out of memory");
	rc = box_call(a, "POST", box_url(a, id, "/clone", NULL), json, cancel,
		      name != NULL ? &at : NULL, box_named, "the clone by its name", dec_box, out,
		      err);
	free(json);
	return rc;
}

int api_image(struct api *a, const char *name, const atomic_bool *cancel, struct image_detail **out,
	      struct net_error *err)
{
	return api_call(a, "GET", image_url(a, name), NULL, cancel, dec_image_detail, out, err);
}

int api_image_delete(struct api *a, const char *name, const atomic_bool *cancel,
		     struct net_error *err)
{
	struct api_look at = {.name = name};

	return box_call(a, "DELETE", image_url(a, name), NULL, cancel, &at, image_gone,
			"the image gone", NULL, NULL, err);
}

int api_image_usage(struct api *a, const atomic_bool *cancel, struct image_usage *out,
		    struct net_error *err)
{
	return api_call(a, "GET", api_url(a, true, "/images/usage"), NULL, cancel, dec_image_usage,
			out, err);
}

int api_runtime_metrics(struct api *a, const atomic_bool *cancel, struct runtime_metrics *out,
			struct net_error *err)
{
	return api_call(a, "GET", api_url(a, true, "/metrics"), NULL, cancel, dec_runtime, out,
			err);
}

int api_box_metrics(struct api *a, const char *id, const atomic_bool *cancel,
		    struct box_metrics *out, struct net_error *err)
{
	return api_call(a, "GET", box_url(a, id, "/metrics", NULL), NULL, cancel, dec_box_metrics,
			out, err);
}

int api_snapshots(struct api *a, const char *id, const atomic_bool *cancel,
		  struct snapshot_list **out, struct net_error *err)
{
	return api_call(a, "GET", box_url(a, id, "/snapshots", NULL), NULL, cancel,
			dec_snapshot_list, out, err);
}

int api_snapshot_create(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			struct snapshot **out, struct net_error *err)
{
	struct api_look at = {.id = id, .name = name};
	cJSON *body = cJSON_CreateObject();
	char what[200];
	char *json;
	int rc;

	cJSON_AddStringToObject(body, "name", name);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (json == NULL)
		fatal("api: out of memory");
	snprintf(what, sizeof(what), "the snapshot %.150s", name);
	rc = box_call(a, "POST", box_url(a, id, "/snapshots", NULL), json, cancel, &at,
		      snapshot_made, what, dec_snapshot, out, err);
	free(json);
	return rc;
}

int api_snapshot_delete(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			struct net_error *err)
{
	struct api_look at = {.id = id, .name = name};

	return box_call(a, "DELETE", box_url(a, id, "/snapshots", name), NULL, cancel, &at,
			snapshot_gone, "the snapshot gone", NULL, NULL, err);
}

int api_snapshot_restore(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			 struct net_error *err)
{
	struct api_look at = {.id = id, .name = name};
	char *url = box_url(a, id, "/snapshots", name);
	char *full = xasprintf("%s/restore", url);

	free(url);
	return box_call(a, "POST", full, "{}", cancel, &at, restorable, "", NULL, NULL, err);
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

void api_pages_start(struct api_pages *w, const char *path)
{
	*w = (struct api_pages){.path = path};
}

int api_pages_next(struct api_pages *w, const char **token, struct net_error *err)
{
	const char *last = w->n != 0 ? w->tokens[w->n - 1] : NULL;

	*token = last;
	if (w->n == 0)
		return 1;
	if (last == NULL)
		return 0;
	/* only the last token can be NULL: the ones before it were followed */
	for (size_t i = 0; i + 1 < w->n; i++) {
		if (strcmp(w->tokens[i], last) == 0) {
			net_error_set(err, NET_DECODE, "GET %s: the server repeated a page token",
				      w->path);
			return -1;
		}
	}
	if (w->n == API_MAX_PAGES) {
		net_error_set(err, NET_DECODE, "GET %s: more than %d pages", w->path,
			      API_MAX_PAGES);
		return -1;
	}
	return 1;
}

void api_pages_got(struct api_pages *w, const char *next)
{
	w->tokens = xreallocarray(w->tokens, w->n + 1, sizeof(*w->tokens));
	w->tokens[w->n++] = next != NULL && next[0] != '\0' ? xstrdup(next) : NULL;
}

void api_pages_clear(struct api_pages *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->tokens[i]);
	free(w->tokens);
	w->tokens = NULL;
	w->n = 0;
}

/* One page's list and token, for the paging loop. */
struct pager {
	void *(*get_items)(void *page, size_t **n, char ***token);
	size_t item_size;
	api_decode_fn decode;
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

/*
 * Every page of path joined into the first (whose items become the result,
 * its token cleared); the walk catches a loop and too many pages.
 */
static int all_pages(struct api *a, const char *path, const char *query, const struct pager *pg,
		     const atomic_bool *cancel, void **out, struct net_error *err)
{
	struct api_pages walk;
	void *all = NULL;
	const char *token;
	char **next;
	size_t *n_all, *n_page;
	int more, rc = -1;

	api_pages_start(&walk, path);
	for (;;) {
		void *page = NULL;
		void **src, **dst;

		more = api_pages_next(&walk, &token, err);
		if (more <= 0)
			break;
		if (api_call(a, "GET", api_page_url(a, path, query, token), NULL, cancel,
			     pg->decode, &page, err) < 0)
			goto out;
		src = pg->get_items(page, &n_page, &next);
		api_pages_got(&walk, *next);
		if (all == NULL) {
			all = page;
			continue;
		}
		dst = pg->get_items(all, &n_all, &next);
		xarray_append(dst, n_all, src, n_page, pg->item_size);
		pg->free_page(&page);
	}
	if (more < 0)
		goto out;
	pg->get_items(all, &n_all, &next);
	free(*next);
	*next = NULL;
	*out = all;
	all = NULL;
	rc = 0;
out:
	api_pages_clear(&walk);
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
	if (rc != 0)
		return rc;
	/* boxlite serve ignores the query and answers every box: filter here too */
	if (status != NULL)
		box_list_keep_status(list, box_status_parse(status));
	*out = list;
	return 0;
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
	/* the official client gates the four; for the rest a missing flag is "not said" */
	if (!capability_gated(cap) || (cfg != NULL && cfg->caps[cap]))
		return 0;
	net_error_set(err, NET_REFUSED, "this server does not support %s", capability_noun(cap));
	return -1;
}
