/*
 * call: reading a request as the handlers need it (a percent-decoded query
 * parameter, the body as a JSON object, the page size) and sending it to
 * the route of a table that matches it. reply.c has the other half of
 * call.h, the answers.
 *
 * This file sits under the route tables: server.c calls routes.c and
 * control.c, and they and images.c call here and into reply.c; nothing
 * here or in reply.c calls back up (call_dispatch reaches a handler only
 * through the table it is given).
 */
#include "call.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/xalloc.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX     1000

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

char *call_pct_decode(const char *s, size_t n, bool plus_is_space)
{
	char *out = xmalloc(n + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		int hi;
		int lo;

		if (s[i] != '%') {
			out[j++] = plus_is_space && s[i] == '+' ? ' ' : s[i];
			continue;
		}
		hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
		lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
		if (lo < 0 || hi + lo == 0) {
			free(out);
			return NULL;
		}
		out[j++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[j] = '\0';
	return out;
}

char *call_query(struct call *c, const char *name, bool *bad)
{
	const char *raw = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
	char *v;

	if (raw == NULL)
		return NULL;
	v = call_pct_decode(raw, strlen(raw), true);
	if (v == NULL)
		*bad = true;
	return v;
}

int call_page_size(struct call *c, size_t *out)
{
	bool bad = false;
	char *s;
	char *end = NULL;
	long v = PAGE_DEFAULT;
	int rc = -1;

	/* boxlite serve reads no query: everything comes in one answer */
	if (call_serve(c)) {
		*out = SIZE_MAX;
		return 0;
	}
	s = call_query(c, "pageSize", &bad);
	if (bad)
		goto out;
	if (s != NULL) {
		v = strtol(s, &end, 10);
		if (end == s || *end != '\0')
			goto out;
	}
	*out = v < 1 ? 1 : v > PAGE_MAX ? PAGE_MAX : (size_t)v;
	rc = 0;
out:
	free(s);
	return rc;
}

int call_body_object(const struct call *c, cJSON **out)
{
	*out = c->body_len == 0 ? cJSON_CreateObject()
				: cJSON_ParseWithLength(c->body, c->body_len);
	if (*out != NULL && cJSON_IsObject(*out))
		return 0;
	cJSON_Delete(*out);
	*out = NULL;
	return -1;
}

/* axum's json_content_type: application/json, or application/<x>+json, parameters aside. */
static bool json_content_type(const char *ct)
{
	size_t n = ct != NULL ? strcspn(ct, ";") : 0;

	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return true;
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	       strncasecmp(ct + n - 5, "+json", 5) == 0;
}

int call_json_body(struct call *c, cJSON **out, enum MHD_Result *r)
{
	const char *ct =
		MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	cJSON *doc;

	*out = NULL;
	if (!call_serve(c)) {
		if (call_body_object(c, out) == 0)
			return 0;
		*r = call_error(c, CALL_INVALID_ARGUMENT, "request body is not a JSON object");
		return -1;
	}
	if (!json_content_type(ct)) {
		*r = call_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			       "Expected request with `Content-Type: application/json`", NULL);
		return -1;
	}
	doc = c->body_len != 0 ? cJSON_ParseWithLength(c->body, c->body_len) : NULL;
	if (doc == NULL) {
		*r = call_text(c, MHD_HTTP_BAD_REQUEST,
			       c->body_len == 0
				       ? "Failed to parse the request body as JSON: EOF "
					 "while parsing a value at line 1 column 0"
				       : "Failed to parse the request body as JSON: expected "
					 "value",
			       NULL);
		return -1;
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		*r = call_text(c, MHD_HTTP_UNPROCESSABLE_CONTENT,
			       "Failed to deserialize the JSON body into the target type: invalid "
			       "type: expected a map",
			       NULL);
		return -1;
	}
	*out = doc;
	return 0;
}

static bool matches(const struct call_route *r, const struct call *c)
{
	size_t i = 0;

	for (; r->pattern[i] != NULL; i++)
		if (i >= c->n_segs ||
		    (strcmp(r->pattern[i], "*") != 0 && strcmp(r->pattern[i], "+") != 0 &&
		     strcmp(r->pattern[i], c->segs[i]) != 0))
			return false;
	return i == c->n_segs;
}

/* Whether a segment holds a '/' where the route does not take one. */
static bool stray_slash(const struct call_route *r, const struct call *c)
{
	for (size_t i = 0; i < c->n_segs; i++)
		if ((c->slashed & (1u << i)) != 0 && strcmp(r->pattern[i], "+") != 0)
			return true;
	return false;
}

/* The matched route's pattern as a path, e.g. "/v1/boxes/import", in c->route. */
static void route_name(const struct call_route *r, struct call *c)
{
	size_t len = (size_t)snprintf(c->route, sizeof(c->route), "/v1");

	for (size_t i = 0; r->pattern[i] != NULL && len < sizeof(c->route); i++)
		len += (size_t)snprintf(c->route + len, sizeof(c->route) - len, "/%s",
					r->pattern[i]);
}

enum MHD_Result call_dispatch(struct call *c, const struct call_route *table, size_t n)
{
	char allow[64] = "";

	for (size_t i = 0; i < n; i++) {
		if (!matches(&table[i], c))
			continue;
		if (strcmp(table[i].method, c->method) == 0) {
			if (stray_slash(&table[i], c))
				return call_error(c, CALL_INVALID_ARGUMENT, "invalid path segment");
			route_name(&table[i], c);
			return table[i].fn(c);
		}
		if (allow[0] != '\0')
			strcat(allow, ", ");
		strcat(allow, table[i].method);
	}
	if (allow[0] != '\0')
		return call_not_allowed(c, allow);
	return call_no_route(c);
}

struct effect_cause call_cause(const struct call *c)
{
	return (struct effect_cause){
		.method = c->method,
		.path = c->url,
		.request_id = c->request_id,
		.user_agent = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_USER_AGENT),
	};
}

int call_bad_field(struct call *c, const char *name, bool missing, const char *expected,
		   const char *msg, enum MHD_Result *r)
{
	static const char prefix[] = "Failed to deserialize the JSON body into the target type: ";
	char line[300];

	if (!call_serve(c)) {
		*r = call_error(c, CALL_INVALID_ARGUMENT, "%s", msg);
		return -1;
	}
	if (missing)
		snprintf(line, sizeof(line), "%smissing field `%s`", prefix, name);
	else
		snprintf(line, sizeof(line), "%s%s: invalid type%s%s", prefix, name,
			 expected != NULL ? ": expected " : "", expected != NULL ? expected : "");
	*r = call_text(c, MHD_HTTP_UNPROCESSABLE_CONTENT, line, NULL);
	return -1;
}
