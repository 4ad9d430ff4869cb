/*
 * principal: decoding GET /v1/me. The spec requires sub, principal_type and
 * scopes; only sub is insisted on here, because a dashboard that cannot say
 * who is logged in still works, and local servers answer with less.
 */
#include "principal.h"

#include <stdlib.h>

#include "xalloc.h"

static void principal_clear(void *obj)
{
	struct principal *p = obj;

	free(p->sub);
	free(p->principal_type);
	json_strv_free(&p->scopes, p->n_scopes);
	free(p->email);
	free(p->display_name);
	free(p->path_prefix);
}

void principal_free(struct principal **p)
{
	if (*p == NULL)
		return;
	principal_clear(*p);
	free(*p);
	*p = NULL;
}

static int principal_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct principal *p = out;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    json_req_string(root, "sub", ctx, &p->sub) < 0 ||
	    json_opt_string(root, "principal_type", ctx, &p->principal_type) < 0 ||
	    json_strv(root, "scopes", false, ctx, &p->scopes, &p->n_scopes) < 0 ||
	    json_opt_string(root, "email", ctx, &p->email) < 0 ||
	    json_opt_string(root, "display_name", ctx, &p->display_name) < 0 ||
	    json_opt_string(root, "path_prefix", ctx, &p->path_prefix) < 0 ||
	    json_opt_time(root, "expires_at", ctx, &p->expires_at) < 0)
		return -1;
	return 0;
}

int principal_decode(const char *buf, size_t len, struct principal **out, struct decode_error *err)
{
	void *p;
	int rc = json_decode_new(buf, len, "principal", err, sizeof(struct principal),
				 principal_decode_json, principal_clear, &p);

	*out = p;
	return rc;
}

const char *principal_display(const struct principal *p)
{
	if (p->display_name != NULL && p->display_name[0] != '\0')
		return p->display_name;
	if (p->email != NULL && p->email[0] != '\0')
		return p->email;
	return p->sub;
}
