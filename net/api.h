/*
 * api: the BoxLite REST API as typed calls returning model structs.
 *
 * One struct api per thread (it owns that thread's HTTP handle). URLs follow
 * api.md: base + "/v1" + ("/" + prefix when there is one) + path, path
 * segments percent-encoded. Reads are retried with exponential backoff and
 * full jitter (0.5 s doubling to 30 s, at most API_READ_TRIES tries,
 * honouring Retry-After). A mutation carries an Idempotency-Key (a random
 * UUIDv4). When the server announces idempotency (idempotency_key_lifetime,
 * api_set_idempotency) it is retried with the same key when nothing was
 * answered or the answer was 429, 502, 503 or 504. When it does not
 * (boxlite serve), a mutation is never re-sent blindly (api.md,
 * Idempotency): only when it surely did not happen (the connection never
 * opened, or 429 or 503); when its answer was lost (a cut after sending, a
 * gateway's 502 or 504) boxtop looks whether it happened (the snapshot is
 * there, a box has the clone's name, the box runs...) and sends it again
 * only when it did not. Every call takes an optional cancel flag that also
 * cuts a backoff short, and fills a net_error on failure.
 */
#ifndef BOXTOP_NET_API_H
#define BOXTOP_NET_API_H

#include <stdatomic.h>
#include <stdbool.h>

#include "http.h"
#include "model/box.h"
#include "model/image.h"
#include "model/metrics.h"
#include "model/principal.h"
#include "model/server_config.h"
#include "model/snapshot.h"

#define API_READ_TRIES     4
#define API_MUTATION_TRIES 4
#define API_MAX_PAGES      1000 /* a list longer than this many pages is refused */
/* A snapshot or clone of a big disk takes minutes; a job is cancelled by hand. */
#define API_MUTATION_TIMEOUT_S 600

struct api;

/* What became of a mutation whose answer was lost. */
enum api_look_rc {
	API_LOOK_DONE,     /* it happened: the look left an answer it could have given */
	API_LOOK_NOT_DONE, /* it did not: it may be sent again */
	API_LOOK_FAILED,   /* boxtop cannot tell: err says why */
};

/*
 * How to look whether a mutation on box id happened: fn asks the server
 * (with a, so under its prefix and key) and on API_LOOK_DONE leaves in out
 * an answer the mutation could have given (the object it made, or an empty
 * 2xx); what says what it found, for the message ("the snapshot s1").
 */
struct api_look {
	enum api_look_rc (*fn)(struct api *a, const struct api_look *l, const atomic_bool *cancel,
			       struct http_resp *out, struct net_error *err);
	const char *id;   /* the box, or NULL */
	const char *name; /* a snapshot, box or image name, or the statuses that mean done */
	char what[200];
};

/* The look of a mutation that makes a box called name: is there one? */
void api_look_box_named(struct api_look *l, const char *name);

/* One try of a mutation: 0 with an answer (any status) in out, or -1 with err. */
typedef int (*api_try_fn)(struct api *a, void *arg, struct http_resp *out, struct net_error *err);

/* base_url: scheme://host[:port][/base], no trailing '/'. prefix may be NULL. */
struct api *api_new(const char *base_url, const char *prefix, const struct http_conf *conf);
void api_free(struct api **a);

/*
 * Sets (or with NULL clears) the path prefix, e.g. after GET /v1/me. It is
 * kept as given (api_prefix returns it so) and encoded only in api_url.
 */
void api_set_prefix(struct api *a, const char *prefix);
const char *api_prefix(const struct api *a);
const char *api_base_url(const struct api *a);
/* Makes retries fast and deterministic for tests: base delay in ms (0: default 500). */
void api_set_backoff_ms(struct api *a, unsigned base_ms, unsigned max_ms);

/*
 * The URL of path (which starts with '/'), under the prefix when scoped:
 * each '/'-separated segment of the prefix percent-encoded as api_escape
 * does, the '/' kept ("us-east/team 42" -> "us-east/team%2042"). path must
 * be encoded already. Caller frees.
 */
char *api_url(const struct api *a, bool scoped, const char *path);
/* s percent-encoded as one path segment ('/' included). Caller frees. */
char *api_escape(const char *s);
/*
 * The scoped URL of /collection/{item}tail, item percent-encoded as one
 * segment ('/' included), tail ("/metrics", "?force=true", "") as given.
 * Caller frees.
 */
char *api_item_url(const struct api *a, const char *collection, const char *item, const char *tail);
/*
 * The scoped URL of one page of a list: path?pageSize=1000, then query
 * ("" or "&key=value..."), then the pageToken when token is not NULL.
 * Caller frees.
 */
char *api_page_url(const struct api *a, const char *path, const char *query, const char *token);

/*
 * A walk along the pages of a list, whoever fetches them (api_boxes and
 * api_images join them, boxpages asks each with its ETag): the one place
 * that follows next_page_token and refuses a loop of tokens and a list
 * longer than API_MAX_PAGES. api_pages_next says with which token to ask
 * the next page, or that the list ended or went wrong; each page fetched
 * goes to api_pages_got with its next_page_token; api_pages_clear ends the
 * walk, however it ended. Callers leave its fields alone.
 */
struct api_pages {
	const char *path; /* for the messages ("/boxes"), not copied */
	char **tokens;    /* each page's next_page_token, copied; NULL for the last */
	size_t n;         /* pages got */
};

void api_pages_start(struct api_pages *w, const char *path);
/*
 * 1 with *token the token to ask the next page with (NULL for the first;
 * w's, valid until api_pages_clear), 0 when the last page got had no
 * token, or -1 with err (NET_DECODE) when its token was one already
 * followed ("GET /boxes: the server repeated a page token") or
 * API_MAX_PAGES pages were got and the list goes on ("GET /boxes: more
 * than 1000 pages"). The page it says to ask for goes to api_pages_got
 * before the next call.
 */
int api_pages_next(struct api_pages *w, const char **token, struct net_error *err);
/* The page asked for arrived saying next (NULL or "": it was the last). */
void api_pages_got(struct api_pages *w, const char *next);
/* Frees the tokens; w may be started again. */
void api_pages_clear(struct api_pages *w);

/* A random UUIDv4 into buf (37 bytes). */
void api_new_idem_key(char buf[37]);

/* How often a read is tried (0: API_READ_TRIES); the poller, which has its own cadence, uses 1. */
void api_set_read_tries(struct api *a, unsigned tries);
/*
 * Whether mutations may be re-sent with their key: the server announces
 * idempotency_key_lifetime (server_config_idempotent). A new api assumes not.
 */
void api_set_idempotency(struct api *a, bool announced);
bool api_idempotent(const struct api *a);
/*
 * After a mutation that succeeded: "" when its answer came, else what boxtop
 * found when it looked ("the server's answer was lost; boxtop looked and
 * found the snapshot s1"). Valid until the next mutation.
 */
const char *api_note(const struct api *a);

/* The HTTP handle, for transfers (xfer.c). */
struct http *api_http(struct api *a);

/*
 * The retry loop, for callers that send their own requests: runs req with
 * the read or mutation policy and leaves the answer (2xx or 304) in out.
 * Any other status becomes err (NET_STATUS). A mutation sent this way has
 * nothing to look at: without idempotency, a lost answer is an error that
 * says so.
 */
int api_send(struct api *a, struct http_req *req, bool mutation, struct http_resp *out,
	     struct net_error *err);
typedef int (*api_decode_fn)(const char *buf, size_t len, void *out, struct decode_error *err);
/*
 * One request of method to url (taken: freed) with json as its body, by
 * the read rules or, for any method but GET and HEAD, the mutation rules
 * with nothing to look at (a lost answer is not sent again without
 * announced idempotency); a 2xx body goes to decode (NULL: none expected),
 * a body it cannot read is NET_DECODE naming the request.
 */
int api_call(struct api *a, const char *method, char *url, const char *json,
	     const atomic_bool *cancel, api_decode_fn decode, void *out, struct net_error *err);
/*
 * A mutation with the rules above: try (NULL: req as JSON with http_do)
 * sends it once; look (NULL: none) finds out what became of it when its
 * answer was lost. req gets an Idempotency-Key and a timeout of
 * API_MUTATION_TIMEOUT_S unless it has them. Returns 0 with a 2xx answer in
 * out (or the look's), or -1 with err.
 */
int api_mutate(struct api *a, struct http_req *req, const struct api_look *look, api_try_fn try,
	       void *try_arg, struct http_resp *out, struct net_error *err);
/*
 * 0 when no box is named name (404), -1 with err when one is (NET_REFUSED)
 * or the server cannot say. A mutation looked for by name must make a name
 * that was free.
 */
int api_box_name_free(struct api *a, const char *name, const atomic_bool *cancel,
		      struct net_error *err);

/*
 * For a request sent outside api_send (a transfer): after try number
 * attempt (from 0) failed with err, whether to send it again, as a mutation
 * would be (nothing answered, or 429/502/503/504; at most
 * API_MUTATION_TRIES tries). When it says yes it has already waited the
 * backoff (Retry-After at least); a cancel during the wait makes it say no
 * with err NET_CANCELLED.
 */
bool api_retry_wait(struct api *a, unsigned attempt, struct net_error *err,
		    const atomic_bool *cancel);

/* Every call: 0, or -1 with err filled. Results are owned by the caller. */
int api_config(struct api *a, const atomic_bool *cancel, struct server_config **out,
	       struct net_error *err);
int api_me(struct api *a, const atomic_bool *cancel, struct principal **out, struct net_error *err);
/*
 * The whole box list (status filter or NULL), following next_page_token to
 * the end; a repeated token or more than API_MAX_PAGES pages is an error.
 * The filter is applied here as well: boxlite serve ignores it.
 */
int api_boxes(struct api *a, const char *status, const atomic_bool *cancel, struct box_list **out,
	      struct net_error *err);
int api_box(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
	    struct net_error *err);
int api_box_start(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
		  struct net_error *err);
int api_box_stop(struct api *a, const char *id, const atomic_bool *cancel, struct box **out,
		 struct net_error *err);
/* force is always sent: the spec defaults to false, boxlite serve to true. */
int api_box_delete(struct api *a, const char *id, bool force, const atomic_bool *cancel,
		   struct net_error *err);
/*
 * name may be NULL: the server makes one up (and a lost answer cannot be
 * looked for). Without idempotency, a name must be free first.
 */
int api_box_clone(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
		  struct box **out, struct net_error *err);
int api_runtime_metrics(struct api *a, const atomic_bool *cancel, struct runtime_metrics *out,
			struct net_error *err);
int api_box_metrics(struct api *a, const char *id, const atomic_bool *cancel,
		    struct box_metrics *out, struct net_error *err);
int api_snapshots(struct api *a, const char *id, const atomic_bool *cancel,
		  struct snapshot_list **out, struct net_error *err);
int api_snapshot_create(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			struct snapshot **out, struct net_error *err);
int api_snapshot_delete(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			struct net_error *err);
int api_snapshot_restore(struct api *a, const char *id, const char *name, const atomic_bool *cancel,
			 struct net_error *err);
/* The whole image list, following tokens like api_boxes. */
int api_images(struct api *a, const atomic_bool *cancel, struct image_list **out,
	       struct net_error *err);

/*
 * One image's detail (newer servers): name is the repository, without a
 * tag ("ghcr.io/acme/worker", "alpine"), sent as one path segment with its
 * '/' encoded. Older servers answer 404 or 405.
 */
int api_image(struct api *a, const char *name, const atomic_bool *cancel, struct image_detail **out,
	      struct net_error *err);
/*
 * Removes every cached tag of the image named name (as api_image). A box
 * that runs it makes the server refuse (409 invalid_state). Its lost answer
 * is looked for: the image gone.
 */
int api_image_delete(struct api *a, const char *name, const atomic_bool *cancel,
		     struct net_error *err);

/* The image cache's usage; older servers answer 400 unsupported or 404. */
int api_image_usage(struct api *a, const atomic_bool *cancel, struct image_usage *out,
		    struct net_error *err);

/*
 * For the gated four (snapshots, clone, export, import): NET_REFUSED "this
 * server does not support X" unless the capability is on in cfg (NULL cfg:
 * unknown, refused too). Any other capability is allowed whatever the
 * flag says or does not say: the server's answer tells. Returns 0 when
 * allowed.
 */
int api_require(const struct server_config *cfg, enum capability cap, struct net_error *err);

#endif
