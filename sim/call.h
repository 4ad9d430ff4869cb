/*
 * call: one HTTP request as the route handlers see it, and the ways to
 * answer it. Every answer carries X-Request-Id; errors use the spec's
 * envelope {"error":{"message","type","code","request_id"}}.
 *
 * Two files implement it: reply.c the answers, call.c the reading of the
 * request (query, body, page size) and call_dispatch. The route handlers
 * (routes.c, control.c, images.c) call them and never server.c.
 */
#ifndef BOXTOP_SIM_CALL_H
#define BOXTOP_SIM_CALL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "faults.h"
#include "fleet.h"
#include "idem.h"
#include "opts.h"

#define CALL_MAX_SEGS 8

enum call_err {
	CALL_INVALID_ARGUMENT,
	CALL_UNAUTHENTICATED,
	CALL_NOT_FOUND,
	CALL_METHOD_NOT_ALLOWED,
	CALL_ALREADY_EXISTS,
	CALL_INVALID_STATE,
	CALL_PAYLOAD_TOO_LARGE,
	CALL_IDEMPOTENCY_MISMATCH,
	CALL_INTERNAL,
	CALL_CONFLICT,
	CALL_UNSUPPORTED,
};

/* What the server knows that handlers need; owned by the server. */
struct images;
struct faults;

struct call_env {
	const atomic_bool *stopping; /* set when the server stops: sleeps end early */
	struct fleet *fleet;
	struct images *images;
	struct faults *faults;
	const struct sim_opts *opts;
	const char *prefix; /* NULL when routes have no prefix */
	struct tally *tally;
	struct effects *effects;
};

struct call {
	struct MHD_Connection *conn;
	const char *method;
	const char *url; /* the path as sent (base path included), no query */
	const struct call_env *env;
	const char *body; /* the request body, not NUL-terminated; valid during the call */
	size_t body_len;
	char request_id[80];
	char *segs[CALL_MAX_SEGS]; /* decoded path segments after /v1[/prefix] */
	size_t n_segs;
	unsigned slashed;        /* bit i: segs[i] held an encoded '/' */
	const char *upload_path; /* import: the body, streamed to this file */
	uint64_t upload_len;
	struct fault_plan plan; /* what the fault rules want done to the answer */
	struct idem_store *idem;
	const char *idem_key; /* non-NULL while the answer is to be kept for the key */
	bool control;         /* a /_sim/ request (not tallied) */
	bool not_modified;    /* answered 304 */
	char route[96];       /* the matched route as a path, for the tally */
};

/* Answers with status and doc (taken: freed here; NULL sends no body). */
enum MHD_Result call_reply(struct call *c, unsigned int status, cJSON *doc);
/* Answers with the error envelope of kind e and a printf-style message. */
enum MHD_Result call_error(struct call *c, enum call_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * The same for an error the runtime raised (boxlite's BoxliteError): in the
 * serve flavor its message starts with the kind, as its Display writes it
 * ("invalid state: ...", "already exists: ...", "box not found: ...").
 */
enum MHD_Result call_runtime_error(struct call *c, enum call_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * An answer the HTTP framework gives, not the API: text (NULL: no body) as
 * text/plain, with Allow when allow is not NULL. boxlite serve's axum
 * answers a missing Content-Type, bad JSON, an unknown route or method and
 * an oversized body this way.
 */
enum MHD_Result call_text(struct call *c, unsigned int status, const char *text, const char *allow);
/*
 * Answers a member of the request body that is missing (when required) or
 * of the wrong kind, as the flavor's server does: serve's serde with a 422
 * in plain text ("missing field `name`", "name: invalid type[: expected
 * EXPECTED]"), the spec's handler with a 400 envelope saying msg. Returns -1.
 */
int call_bad_field(struct call *c, const char *name, bool missing, const char *expected,
		   const char *msg, enum MHD_Result *r);
/* The request as an effect's cause (its strings borrowed from c). */
struct effect_cause call_cause(const struct call *c);
/* No route matches: the spec's 404 envelope, or serve's empty 404. */
enum MHD_Result call_no_route(struct call *c);
/* Whether this run is the serve flavor. */
bool call_serve(const struct call *c);
/* 405 with an Allow header naming the methods the route takes. */
enum MHD_Result call_not_allowed(struct call *c, const char *allow);
/*
 * Answers with any error status (a fault's), the type and code api.md gives
 * it, in the flavor's body shape, with Retry-After when retry_after > 0.
 */
enum MHD_Result call_error_status(struct call *c, unsigned int status, unsigned retry_after,
				  const char *message);
/* Answers with status and len bytes of JSON text kept from an earlier answer. */
enum MHD_Result call_reply_text(struct call *c, unsigned int status, const char *text, size_t len);
/*
 * Answers 200 with the file at path (size bytes) as application/octet-stream,
 * read as it is sent, at the --rate and with the plan's drip and drop. The
 * length is announced, except with --export-chunked in the serve flavor
 * (the branch that streams as it builds).
 */
enum MHD_Result call_stream_file(struct call *c, const char *path, uint64_t size);
/*
 * Answers 200 with a body of unknown length (chunked) that produce makes,
 * as an MHD content reader (it may return MHD_CONTENT_READER_END_OF_STREAM
 * or _END_WITH_ERROR), with the plan's drip, drop and corrupt applied as to
 * an export (not --rate). cls is taken: free_cls frees it when the answer
 * is done, also when it is never sent.
 */
enum MHD_Result call_stream_producer(struct call *c, const char *type,
				     MHD_ContentReaderCallback produce, void *cls,
				     MHD_ContentReaderFreeCallback free_cls);

/*
 * The query parameter `name`, percent-decoded, or NULL when absent.
 * Caller frees. *bad is set when it is present but not decodable.
 */
char *call_query(struct call *c, const char *name, bool *bad);
/*
 * n bytes of s percent-decoded ('+' as a space when plus_is_space), or NULL
 * when an escape is malformed or gives NUL. Caller frees.
 */
char *call_pct_decode(const char *s, size_t n, bool plus_is_space);

/*
 * A route: a path pattern and a method. In a pattern "*" is one segment
 * without '/', "+" one that may hold an encoded '/' (an image name).
 */
struct call_route {
	const char *pattern[6]; /* NULL-terminated segments */
	const char *method;
	enum MHD_Result (*fn)(struct call *c);
};

/*
 * Calls the route of table that matches c->segs and c->method: a path that
 * matches only with other methods is 405 with them in Allow, one that
 * matches nothing 404.
 */
enum MHD_Result call_dispatch(struct call *c, const struct call_route *table, size_t n);

/* Sleeps ms milliseconds, or less when the server is stopping. */
void call_sleep(const struct call_env *env, double ms);

/*
 * The pageSize query parameter: absent gives 100, a number is clamped to
 * 1..1000, and in the serve flavor (which does not page) it is unlimited.
 * Returns -1 when it is not an integer.
 */
int call_page_size(struct call *c, size_t *out);

/*
 * Parses the body as a JSON object into *out (caller frees with
 * cJSON_Delete); an empty body gives an empty object. Returns -1 when it is
 * not a JSON object.
 */
int call_body_object(const struct call *c, cJSON **out);
/*
 * A route's JSON body, read the way the flavor's server reads it: the spec
 * flavor as call_body_object, answering 400 when it is not an object;
 * serve as axum's Json extractor: 415 without a JSON Content-Type, 400 for
 * text that is not JSON (an empty body included), 422 for JSON that is not
 * an object. Returns 0 with *out, or -1 having answered in *r.
 */
int call_json_body(struct call *c, cJSON **out, enum MHD_Result *r);

#endif
