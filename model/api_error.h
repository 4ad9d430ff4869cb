/*
 * api_error: what a failed request means. One decoder for every error body
 * BoxLite servers send (the spec's envelope, the cloud gateway's flat body,
 * the runner's bare {"error": "..."} or plain text, and old integer codes),
 * dispatching on a string `code` when there is one, else the HTTP status.
 */
#ifndef BOXTOP_MODEL_API_ERROR_H
#define BOXTOP_MODEL_API_ERROR_H

#include <stdbool.h>
#include <stddef.h>

enum api_error_kind {
	API_ERR_UNKNOWN,
	API_ERR_INVALID_ARGUMENT,
	API_ERR_UNSUPPORTED,
	API_ERR_UNAUTHENTICATED,
	API_ERR_PERMISSION_DENIED,
	API_ERR_NOT_FOUND,
	API_ERR_ALREADY_EXISTS,
	API_ERR_INVALID_STATE,
	API_ERR_STOPPED,
	API_ERR_CONFLICT,
	API_ERR_SESSION_REAPED,
	API_ERR_PAYLOAD_TOO_LARGE,
	API_ERR_IMAGE_PULL_FAILED,
	API_ERR_EXECUTION_FAILED,
	API_ERR_RESOURCE_EXHAUSTED,
	API_ERR_INTERNAL,
	API_ERR_UNAVAILABLE,
	API_ERR_TIMEOUT,
	API_ERR_KIND_COUNT,
};

struct api_error {
	int http_status;
	enum api_error_kind kind;
	char code[48];        /* the server's string code, "" when none */
	char type[48];        /* the envelope's type, "" when none */
	char message[512];    /* the server's message, or the HTTP reason */
	char request_id[128]; /* from the body, else the X-Request-Id header; "" when none */
};

/*
 * Fills out from an HTTP status and the response body (len bytes, not
 * NUL-terminated; may be empty or not JSON). header_request_id may be NULL.
 * Never fails: the least it gives is the kind the status implies.
 */
void api_error_decode(int http_status, const char *body, size_t len, const char *header_request_id,
		      struct api_error *out);

/* "not_found", ... the canonical code of a kind. */
const char *api_error_kind_name(enum api_error_kind k);
/* 429, 502, 503, 504: worth retrying after a pause. */
bool api_error_retryable(const struct api_error *e);
/* One line for a person: "not found (404): box not found: web [req abc]". */
const char *api_error_str(const struct api_error *e, char *buf, size_t size);

#endif
