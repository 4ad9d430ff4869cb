/*
 * json: see json.h. The depth check is a scan of the raw bytes that skips
 * strings, so a hostile document of 2000 nested arrays is refused in linear
 * time without cJSON recursing into it.
 */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "xalloc.h"

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

const char *decode_error_str(const struct decode_error *err, char *buf, size_t size)
{
	if (err->field[0] != '\0')
		snprintf(buf, size, "%s: field '%s': %s", err->object, err->field, err->message);
	else
		snprintf(buf, size, "%s: %s", err->object, err->message);
	return buf;
}

int json_fail(const struct json_ctx *ctx, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (ctx == NULL || ctx->err == NULL)
		return -1;
	copy_str(ctx->err->object, sizeof(ctx->err->object), ctx->object);
	copy_str(ctx->err->field, sizeof(ctx->err->field), field);
	va_start(ap, fmt);
	vsnprintf(ctx->err->message, sizeof(ctx->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The deepest nesting of [ and { outside strings, stopping once past limit. */
static int max_depth(const char *buf, size_t len, int limit)
{
	int depth = 0, deepest = 0;
	bool in_string = false;

	for (size_t i = 0; i < len && deepest <= limit; i++) {
		char c = buf[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return deepest;
}

cJSON *json_parse(const char *buf, size_t len, const struct json_ctx *ctx)
{
	cJSON *root;

	if (buf == NULL || len == 0) {
		json_fail(ctx, NULL, "empty response body");
		return NULL;
	}
	if (len > JSON_MAX_BYTES) {
		json_fail(ctx, NULL, "response body of %zu bytes is over the %u byte limit", len,
			  JSON_MAX_BYTES);
		return NULL;
	}
	if (max_depth(buf, len, JSON_MAX_DEPTH) > JSON_MAX_DEPTH) {
		json_fail(ctx, NULL, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	root = cJSON_ParseWithLength(buf, len);
	if (root == NULL)
		json_fail(ctx, NULL, "not valid JSON");
	return root;
}

int json_want_object(const cJSON *node, const char *what, const struct json_ctx *ctx)
{
	if (!cJSON_IsObject(node))
		return json_fail(ctx, what, "expected an object");
	return 0;
}

/* The field, or NULL when absent; JSON null is returned as a node. */
static const cJSON *field(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static bool missing(const cJSON *node)
{
	return node == NULL || cJSON_IsNull(node);
}

static int string_of(const cJSON *node, const char *name, const struct json_ctx *ctx, char **out)
{
	if (!cJSON_IsString(node) || node->valuestring == NULL)
		return json_fail(ctx, name, "expected a string");
	*out = xstrdup(node->valuestring);
	return 0;
}

int json_req_string(const cJSON *obj, const char *name, const struct json_ctx *ctx, char **out)
{
	const cJSON *node = field(obj, name);

	*out = NULL;
	if (missing(node))
		return json_fail(ctx, name, "required but missing");
	return string_of(node, name, ctx, out);
}

int json_opt_string(const cJSON *obj, const char *name, const struct json_ctx *ctx, char **out)
{
	const cJSON *node = field(obj, name);

	*out = NULL;
	if (missing(node))
		return 0;
	return string_of(node, name, ctx, out);
}

static int int_of(const cJSON *node, const char *name, int64_t min, int64_t max,
		  const struct json_ctx *ctx, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(node))
		return json_fail(ctx, name, "expected an integer");
	d = node->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return json_fail(ctx, name, "expected an integer, got %g", d);
	if (d < (double)min || d > (double)max || fabs(d) >= (double)JSON_INT_MAX)
		return json_fail(ctx, name, "%.0f is out of range %lld..%lld", d, (long long)min,
				 (long long)max);
	*out = (int64_t)d;
	return 0;
}

int json_req_i64(const cJSON *obj, const char *name, int64_t min, int64_t max,
		 const struct json_ctx *ctx, int64_t *out)
{
	const cJSON *node = field(obj, name);

	if (missing(node))
		return json_fail(ctx, name, "required but missing");
	return int_of(node, name, min, max, ctx, out);
}

int json_opt_i64(const cJSON *obj, const char *name, int64_t min, int64_t max,
		 const struct json_ctx *ctx, struct opt_i64 *out)
{
	const cJSON *node = field(obj, name);

	out->v = 0;
	out->state = node == NULL ? OPT_ABSENT : OPT_NULL;
	if (missing(node))
		return 0;
	if (int_of(node, name, min, max, ctx, &out->v) < 0)
		return -1;
	out->state = OPT_SET;
	return 0;
}

int json_opt_f64(const cJSON *obj, const char *name, double min, double max,
		 const struct json_ctx *ctx, struct opt_f64 *out)
{
	const cJSON *node = field(obj, name);

	out->v = 0;
	out->state = node == NULL ? OPT_ABSENT : OPT_NULL;
	if (missing(node))
		return 0;
	if (!cJSON_IsNumber(node) || !isfinite(node->valuedouble))
		return json_fail(ctx, name, "expected a finite number");
	if (node->valuedouble < min || node->valuedouble > max)
		return json_fail(ctx, name, "%g is out of range %g..%g", node->valuedouble, min,
				 max);
	out->v = node->valuedouble;
	out->state = OPT_SET;
	return 0;
}

int json_opt_bool(const cJSON *obj, const char *name, bool dflt, const struct json_ctx *ctx,
		  bool *out)
{
	const cJSON *node = field(obj, name);

	*out = dflt;
	if (missing(node))
		return 0;
	if (!cJSON_IsBool(node))
		return json_fail(ctx, name, "expected true or false");
	*out = cJSON_IsTrue(node);
	return 0;
}

static int time_of(const cJSON *node, const char *name, const struct json_ctx *ctx, int64_t *out)
{
	if (cJSON_IsNumber(node))
		return int_of(node, name, 0, JSON_INT_MAX, ctx, out);
	if (!cJSON_IsString(node) || node->valuestring == NULL)
		return json_fail(ctx, name, "expected a timestamp");
	if (time_parse_rfc3339(node->valuestring, out) < 0)
		return json_fail(ctx, name, "not an RFC 3339 timestamp");
	return 0;
}

int json_req_time(const cJSON *obj, const char *name, const struct json_ctx *ctx, int64_t *out)
{
	const cJSON *node = field(obj, name);

	if (missing(node))
		return json_fail(ctx, name, "required but missing");
	return time_of(node, name, ctx, out);
}

int json_opt_time(const cJSON *obj, const char *name, const struct json_ctx *ctx,
		  struct opt_i64 *out)
{
	const cJSON *node = field(obj, name);

	out->v = 0;
	out->state = node == NULL ? OPT_ABSENT : OPT_NULL;
	if (missing(node))
		return 0;
	if (time_of(node, name, ctx, &out->v) < 0)
		return -1;
	out->state = OPT_SET;
	return 0;
}

int json_array(const cJSON *obj, const char *name, bool required, const struct json_ctx *ctx,
	       const cJSON **arr, size_t *n)
{
	const cJSON *node = field(obj, name);
	int size;

	*arr = NULL;
	*n = 0;
	if (missing(node))
		return required ? json_fail(ctx, name, "required but missing") : 0;
	if (!cJSON_IsArray(node))
		return json_fail(ctx, name, "expected an array");
	size = cJSON_GetArraySize(node);
	*arr = node;
	*n = size > 0 ? (size_t)size : 0;
	return 0;
}

int json_decode_doc(const char *buf, size_t len, const char *object, struct decode_error *err,
		    json_decode_fn fn, void *out)
{
	struct json_ctx ctx = {object, err};
	cJSON *root = json_parse(buf, len, &ctx);
	int rc;

	if (root == NULL)
		return -1;
	rc = fn(root, &ctx, out);
	cJSON_Delete(root);
	return rc;
}

int json_decode_new(const char *buf, size_t len, const char *object, struct decode_error *err,
		    size_t size, json_decode_fn fn, json_clear_fn clear, void **out)
{
	void *obj = xcalloc(1, size);

	*out = NULL;
	if (json_decode_doc(buf, len, object, err, fn, obj) < 0) {
		clear(obj);
		free(obj);
		return -1;
	}
	*out = obj;
	return 0;
}

/* A page of 10 times the largest pageSize is hostile, not a fleet. */
#define JSON_ARRAY_MAX 1000000

int json_decode_array(const cJSON *obj, const char *name, bool required, size_t item_size,
		      json_decode_fn fn, json_clear_fn clear, const struct json_ctx *ctx,
		      void **items, size_t *n)
{
	const cJSON *arr, *item;
	size_t count, done = 0;
	char *base;

	*items = NULL;
	*n = 0;
	if (json_array(obj, name, required, ctx, &arr, &count) < 0)
		return -1;
	if (count > JSON_ARRAY_MAX)
		return json_fail(ctx, name, "%zu items is over the limit", count);
	if (count == 0)
		return 0;
	base = xcalloc(count, item_size);
	cJSON_ArrayForEach(item, arr) {
		char what[64];
		struct json_ctx item_ctx = {what, ctx->err};

		snprintf(what, sizeof(what), "%s[%zu]", name, done);
		if (fn(item, &item_ctx, base + done * item_size) < 0)
			break;
		done++;
	}
	if (done < count) {
		while (done-- > 0)
			clear(base + done * item_size);
		free(base);
		return -1;
	}
	*items = base;
	*n = count;
	return 0;
}

void json_strv_free(char ***v, size_t n)
{
	if (*v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
}

int json_strv(const cJSON *obj, const char *name, bool required, const struct json_ctx *ctx,
	      char ***out, size_t *n)
{
	const cJSON *arr, *item;
	size_t count, i = 0;

	*out = NULL;
	*n = 0;
	if (json_array(obj, name, required, ctx, &arr, &count) < 0)
		return -1;
	if (count == 0)
		return 0;
	*out = xcalloc(count, sizeof(**out));
	cJSON_ArrayForEach(item, arr) {
		if (string_of(item, name, ctx, &(*out)[i]) < 0) {
			json_strv_free(out, i);
			return -1;
		}
		i++;
	}
	*n = i;
	return 0;
}

void kv_free(struct kv **kv, size_t n)
{
	if (*kv == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*kv)[i].key);
		free((*kv)[i].value);
	}
	free(*kv);
	*kv = NULL;
}

const char *kv_get(const struct kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

int json_kv(const cJSON *obj, const char *name, const struct json_ctx *ctx, struct kv **out,
	    size_t *n)
{
	const cJSON *node = field(obj, name), *item;
	size_t count, i = 0;

	*out = NULL;
	*n = 0;
	if (missing(node))
		return 0;
	if (!cJSON_IsObject(node))
		return json_fail(ctx, name, "expected an object of strings");
	count = (size_t)cJSON_GetArraySize(node);
	if (count == 0)
		return 0;
	*out = xcalloc(count, sizeof(**out));
	cJSON_ArrayForEach(item, node) {
		if (!cJSON_IsString(item) || item->valuestring == NULL || item->string == NULL) {
			kv_free(out, i);
			return json_fail(ctx, name, "expected an object of strings");
		}
		(*out)[i].key = xstrdup(item->string);
		(*out)[i].value = xstrdup(item->valuestring);
		i++;
	}
	*n = i;
	return 0;
}
