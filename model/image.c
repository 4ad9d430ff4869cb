/*
 * image: decoding the image list (paged or not), image detail and usage.
 */
#include "image.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void image_info_clear(void *item)
{
	struct image_info *i = item;

	free(i->reference);
	free(i->repository);
	free(i->tag);
	free(i->id);
	memset(i, 0, sizeof(*i));
}

static int image_info_decode(const cJSON *obj, const struct json_ctx *ctx, void *out)
{
	struct image_info *i = out;

	memset(i, 0, sizeof(*i));
	if (json_want_object(obj, NULL, ctx) < 0 ||
	    json_req_string(obj, "reference", ctx, &i->reference) < 0 ||
	    json_req_string(obj, "repository", ctx, &i->repository) < 0 ||
	    json_req_string(obj, "tag", ctx, &i->tag) < 0 ||
	    json_req_string(obj, "id", ctx, &i->id) < 0 ||
	    json_req_time(obj, "cached_at", ctx, &i->cached_at) < 0 ||
	    json_opt_i64(obj, "size_bytes", 0, JSON_INT_MAX, ctx, &i->size_bytes) < 0) {
		image_info_clear(i);
		return -1;
	}
	return 0;
}

static void image_list_clear(void *obj)
{
	struct image_list *l = obj;

	for (size_t i = 0; i < l->n; i++)
		image_info_clear(&l->items[i]);
	free(l->items);
	free(l->next_page_token);
}

void image_list_free(struct image_list **l)
{
	if (*l == NULL)
		return;
	image_list_clear(*l);
	free(*l);
	*l = NULL;
}

static int image_list_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct image_list *list = out;
	void *items;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    json_decode_array(root, "images", true, sizeof(struct image_info), image_info_decode,
			      image_info_clear, ctx, &items, &list->n) < 0)
		return -1;
	list->items = items;
	return json_opt_string(root, "next_page_token", ctx, &list->next_page_token);
}

int image_list_decode(const char *buf, size_t len, struct image_list **out,
		      struct decode_error *err)
{
	void *list;
	int rc = json_decode_new(buf, len, "image list", err, sizeof(struct image_list),
				 image_list_decode_json, image_list_clear, &list);

	*out = list;
	return rc;
}

void image_list_append(struct image_list *dst, struct image_list *src)
{
	void *items = dst->items, *more = src->items;

	xarray_append(&items, &dst->n, &more, &src->n, sizeof(struct image_info));
	dst->items = items;
	src->items = more;
}

static void image_version_clear(void *item)
{
	struct image_version *v = item;

	free(v->digest);
	free(v->source_ref);
	memset(v, 0, sizeof(*v));
}

static int image_version_decode(const cJSON *obj, const struct json_ctx *ctx, void *out)
{
	struct image_version *v = out;

	memset(v, 0, sizeof(*v));
	if (json_want_object(obj, NULL, ctx) < 0 ||
	    json_req_string(obj, "digest", ctx, &v->digest) < 0 ||
	    json_req_string(obj, "source_ref", ctx, &v->source_ref) < 0 ||
	    json_req_time(obj, "recorded_at", ctx, &v->recorded_at) < 0 ||
	    json_opt_i64(obj, "size_bytes", 0, JSON_INT_MAX, ctx, &v->size_bytes) < 0) {
		image_version_clear(v);
		return -1;
	}
	return 0;
}

static void image_detail_clear(void *obj)
{
	struct image_detail *d = obj;

	free(d->name);
	json_strv_free(&d->tags, d->n_tags);
	for (size_t i = 0; i < d->n_versions; i++)
		image_version_clear(&d->versions[i]);
	free(d->versions);
	free(d->asked);
	free(d->error);
}

void image_detail_free(struct image_detail **d)
{
	if (*d == NULL)
		return;
	image_detail_clear(*d);
	free(*d);
	*d = NULL;
}

struct image_detail *image_detail_failed(const char *asked, const char *message)
{
	struct image_detail *d = xcalloc(1, sizeof(*d));

	d->asked = xstrdup(asked);
	d->error = xstrdup(message);
	return d;
}

static int image_detail_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct image_detail *d = out;
	const cJSON *curated;
	void *versions;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    json_req_string(root, "name", ctx, &d->name) < 0 ||
	    json_strv(root, "tags", true, ctx, &d->tags, &d->n_tags) < 0)
		return -1;
	curated = cJSON_GetObjectItemCaseSensitive(root, "curated");
	if (!cJSON_IsBool(curated))
		return json_fail(ctx, "curated", "required true or false");
	d->curated = cJSON_IsTrue(curated);
	if (json_decode_array(root, "versions", true, sizeof(struct image_version),
			      image_version_decode, image_version_clear, ctx, &versions,
			      &d->n_versions) < 0)
		return -1;
	d->versions = versions;
	return 0;
}

int image_detail_decode(const char *buf, size_t len, struct image_detail **out,
			struct decode_error *err)
{
	void *d;
	int rc = json_decode_new(buf, len, "image detail", err, sizeof(struct image_detail),
				 image_detail_decode_json, image_detail_clear, &d);

	*out = d;
	return rc;
}

static int image_usage_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct image_usage *u = out;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    json_req_i64(root, "count", 0, JSON_INT_MAX, ctx, &u->count) < 0 ||
	    json_req_i64(root, "limit", 0, JSON_INT_MAX, ctx, &u->limit) < 0 ||
	    json_req_i64(root, "known_bytes", 0, JSON_INT_MAX, ctx, &u->known_bytes) < 0)
		return -1;
	return 0;
}

int image_usage_decode(const char *buf, size_t len, struct image_usage *out,
		       struct decode_error *err)
{
	memset(out, 0, sizeof(*out));
	return json_decode_doc(buf, len, "image usage", err, image_usage_decode_json, out);
}
