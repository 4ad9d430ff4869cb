/*
 * principal: GET /v1/me, who the credential belongs to and its path prefix.
 * `boxlite serve` answers a `prefix` field that names no route segment: it
 * is ignored, only `path_prefix` counts.
 */
#ifndef BOXTOP_MODEL_PRINCIPAL_H
#define BOXTOP_MODEL_PRINCIPAL_H

#include <stddef.h>

#include "json.h"
#include "nullable.h"

struct principal {
	char *sub;
	char *principal_type; /* "user", "service_account"; NULL when not sent */
	char **scopes;
	size_t n_scopes;
	char *email;
	char *display_name;
	char *path_prefix; /* NULL or "" = no segment */
	struct opt_i64 expires_at;
};

/* Caller frees with principal_free. */
int principal_decode(const char *buf, size_t len, struct principal **out, struct decode_error *err);
void principal_free(struct principal **p);
/* display_name, else email, else sub. */
const char *principal_display(const struct principal *p);

#endif
