/*
 * snapshot: decoding snapshots. created_at is an integer in the spec and on
 * every server seen; an RFC 3339 string is accepted too. guest_disk_bytes is
 * optional although the spec requires it: no real server sends it.
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void snapshot_clear(void *item)
{
	struct snapshot *s = item;

	free(s->id);
	free(s->box_id);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

static int snapshot_decode_json(const cJSON *obj, const struct json_ctx *ctx, void *out)
{
	struct snapshot *s = out;

	memset(s, 0, sizeof(*s));
	if (json_want_object(obj, NULL, ctx) < 0 || json_req_string(obj, "id", ctx, &s->id) < 0 ||
	    json_req_string(obj, "box_id", ctx, &s->box_id) < 0 ||
	    json_req_string(obj, "name", ctx, &s->name) < 0 ||
	    json_req_time(obj, "created_at", ctx, &s->created_at) < 0 ||
	    json_req_i64(obj, "container_disk_bytes", 0, JSON_INT_MAX, ctx,
			 &s->container_disk_bytes) < 0 ||
	    json_req_i64(obj, "size_bytes", 0, JSON_INT_MAX, ctx, &s->size_bytes) < 0 ||
	    json_opt_i64(obj, "guest_disk_bytes", 0, JSON_INT_MAX, ctx, &s->guest_disk_bytes) < 0) {
		snapshot_clear(s);
		return -1;
	}
	return 0;
}

void snapshot_free(struct snapshot **s)
{
	if (*s == NULL)
		return;
	snapshot_clear(*s);
	free(*s);
	*s = NULL;
}

int snapshot_decode(const char *buf, size_t len, struct snapshot **out, struct decode_error *err)
{
	void *s;
	int rc = json_decode_new(buf, len, "snapshot", err, sizeof(struct snapshot),
				 snapshot_decode_json, snapshot_clear, &s);

	*out = s;
	return rc;
}

static void snapshot_list_clear(void *obj)
{
	struct snapshot_list *l = obj;

	for (size_t i = 0; i < l->n; i++)
		snapshot_clear(&l->items[i]);
	free(l->items);
	free(l->error);
}

struct snapshot_list *snapshot_list_failed(const char *message, int64_t asked_ms, int64_t asked_at)
{
	struct snapshot_list *l = xcalloc(1, sizeof(*l));

	l->error = xstrdup(message);
	l->asked_ms = asked_ms;
	l->asked_at = asked_at;
	return l;
}

void snapshot_list_free(struct snapshot_list **l)
{
	if (*l == NULL)
		return;
	snapshot_list_clear(*l);
	free(*l);
	*l = NULL;
}

static int snapshot_list_decode_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	struct snapshot_list *list = out;
	void *items;

	if (json_want_object(root, NULL, ctx) < 0 ||
	    json_decode_array(root, "snapshots", true, sizeof(struct snapshot),
			      snapshot_decode_json, snapshot_clear, ctx, &items, &list->n) < 0)
		return -1;
	list->items = items;
	return 0;
}

int snapshot_list_decode(const char *buf, size_t len, struct snapshot_list **out,
			 struct decode_error *err)
{
	void *list;
	int rc = json_decode_new(buf, len, "snapshot list", err, sizeof(struct snapshot_list),
				 snapshot_list_decode_json, snapshot_list_clear, &list);

	*out = list;
	return rc;
}
