/*
 * call: one HTTP request as the route handlers see it, and the ways to
 * answer it. Every answer carries X-Request-Id; errors use the spec's
 * envelope {"error":{"message","type","code","request_id"}}.
 */
#ifndef BOXTOP_SIM_CALL_H
#define BOXTOP_SIM_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fleet.h"
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
	CALL_INTERNAL,
};

/* What the server knows that handlers need; owned by the server. */
struct images;
struct faults;

struct call_env {
	struct fleet *fleet;
	struct images *images;
	struct faults *faults;
	const struct sim_opts *opts;
	const char *prefix; /* NULL when routes have no prefix */
};

struct call {
	struct MHD_Connection *conn;
	const char *method;
	const struct call_env *env;
	const char *body; /* the request body, not NUL-terminated; valid during the call */
	size_t body_len;
	char request_id[32];
	char *segs[CALL_MAX_SEGS]; /* decoded path segments after /v1[/prefix] */
	size_t n_segs;
	unsigned slashed; /* bit i: segs[i] held an encoded '/' */
};

/* Answers with status and doc (taken: freed here; NULL sends no body). */
enum MHD_Result call_reply(struct call *c, unsigned int status, cJSON *doc);
/* Answers with the error envelope of kind e and a printf-style message. */
enum MHD_Result call_error(struct call *c, enum call_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 405 with an Allow header naming the methods the route takes. */
enum MHD_Result call_not_allowed(struct call *c, const char *allow);

/*
 * The query parameter `name`, percent-decoded, or NULL when absent.
 * Caller frees. *bad is set when it is present but not decodable.
 */
char *call_query(struct call *c, const char *name, bool *bad);

/*
 * Parses the body as a JSON object into *out (caller frees with
 * cJSON_Delete); an empty body gives an empty object. Returns -1 when it is
 * not a JSON object.
 */
int call_body_object(const struct call *c, cJSON **out);

/*
 * Routes the call: c->segs are the path after /v1[/prefix]. In a route's
 * pattern "*" is one segment without '/', "+" one that may hold an encoded
 * '/' (an image name).
 */
enum MHD_Result routes_dispatch(struct call *c);
/* GET /v1/config and GET /v1/me, which never take the prefix. */
enum MHD_Result routes_config(struct call *c);
enum MHD_Result routes_me(struct call *c);

#endif
