/*
 * faults: misbehaviour on demand, for tests. Rules are set by --fault flags
 * at start and through the control API (/_sim/faults) at run time; each
 * rule matches requests by method and path pattern and fires with a rate.
 * The server asks for a plan once per request and carries it out. Thread-
 * safe: its own mutex.
 */
#ifndef BOXTOP_SIM_FAULTS_H
#define BOXTOP_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* What to do to one request; a zeroed plan (drop_after and corrupt_at -1) is "behave". */
struct fault_plan {
	unsigned latency_ms;  /* sleep this long before answering */
	unsigned status;      /* 0, or answer with this status and the flavor's error body */
	unsigned retry_after; /* seconds: sent as Retry-After with status when non-zero */
	bool truncate;        /* a JSON body is cut in half (Content-Length matches the cut) */
	bool not_json;        /* a JSON body is replaced with an HTML error page */
	uint64_t pad_bytes;   /* a JSON body gets this many spaces appended (huge bodies) */
	unsigned drip_ms;     /* the body is sent one byte per drip_ms */
	int64_t drop_after;   /* -1, or the connection is cut after this many body bytes
				 (export or files download, import upload) */
	int64_t corrupt_at;   /* -1, or the byte at this offset of an export or a files
				 download is flipped */
	bool lost;            /* the request is carried out, then the connection is cut
				 instead of answering: the client never learns it happened */
	bool cut;             /* the connection is cut once the request has arrived,
				 before anything is done */
	bool hangup;          /* an attach's WebSocket sends the output, then closes
				 (no status) where the exit frame would go */
};

struct faults;

struct faults *faults_new(uint64_t seed);
void faults_free(struct faults **f);

/*
 * Adds a rule from a --fault flag: "METHOD PATTERN:key=value,...", e.g.
 * "GET /v1/boxes*:status=503,retry_after=2,rate=0.5"; PATTERN is a glob
 * over the path where '*' matches any run of characters ('/' included) and
 * METHOD may be '*'. Returns -1 with a message in err.
 */
int faults_add_spec(struct faults *f, const char *spec, char *err, size_t errlen);
/*
 * Adds a rule from the control API's JSON object (same fields as the spec
 * string: method, path, rate, count, and the plan's fields). Returns -1 with
 * a message in err.
 */
int faults_add_json(struct faults *f, const cJSON *rule, char *err, size_t errlen);
/* Every rule, as a JSON array. */
cJSON *faults_to_json(struct faults *f);
void faults_clear(struct faults *f);

/*
 * The plan for a request (method and the full path as sent, query string
 * excluded). Rules are tried in order; the first that matches and fires
 * gives the plan (a rule with a count stops firing after count times).
 */
void faults_plan(struct faults *f, const char *method, const char *path, struct fault_plan *out);

/* The key is "expired": every authenticated route answers 401 until restored. */
void faults_set_key_expired(struct faults *f, bool expired);
bool faults_key_expired(struct faults *f);

#endif
