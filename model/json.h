/*
 * json: the one way server JSON is read.
 *
 * Every decoder in model/ parses with json_parse(), which bounds the size and
 * nesting of a document before cJSON sees it and never assumes the buffer is
 * NUL-terminated. Field readers take a json_ctx naming the object being
 * decoded, so a failure reads "box: field 'cpus': expected an integer".
 * Unknown fields are never looked at. Integers must be integral and inside
 * the range the caller gives; JSON numbers of 2^53 and more cannot be told apart
 * from their neighbours and are refused as out of range.
 */
#ifndef BOXTOP_MODEL_JSON_H
#define BOXTOP_MODEL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "nullable.h"

/* Documents larger than this are refused before parsing. */
#define JSON_MAX_BYTES (64u * 1024 * 1024)
/* Objects and arrays nested deeper than this are refused before parsing. */
#define JSON_MAX_DEPTH 64
/* 2^53: integers from here on cannot be told from their neighbours and are refused. */
#define JSON_INT_MAX 9007199254740992LL

struct decode_error {
	char object[32];   /* what was being decoded: "box", "snapshot", ... */
	char field[64];    /* the field at fault, "" for the document itself */
	char message[160]; /* what was wrong with it */
};

struct json_ctx {
	const char *object;
	struct decode_error *err;
};

/*
 * Formats err as one line, "box: field 'cpus': expected an integer", into
 * buf (always NUL-terminated). Returns buf.
 */
const char *decode_error_str(const struct decode_error *err, char *buf, size_t size);

/* Records an error in ctx->err (which may be NULL). Always returns -1. */
int json_fail(const struct json_ctx *ctx, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parses len bytes of buf. Returns the root (caller frees with cJSON_Delete)
 * or NULL with ctx->err set: too large, nested too deep, not JSON.
 */
cJSON *json_parse(const char *buf, size_t len, const struct json_ctx *ctx);

/* Checks that node is an object; -1 with an error naming `what` if not. */
int json_want_object(const cJSON *node, const char *what, const struct json_ctx *ctx);

/*
 * Field readers. Each returns 0 or -1 with ctx->err set. "req" fields must be
 * present with the right type; "opt" fields may be absent or null. Strings are
 * copied (caller frees); an optional string absent or null gives NULL.
 */
int json_req_string(const cJSON *obj, const char *name, const struct json_ctx *ctx, char **out);
int json_opt_string(const cJSON *obj, const char *name, const struct json_ctx *ctx, char **out);
int json_req_i64(const cJSON *obj, const char *name, int64_t min, int64_t max,
		 const struct json_ctx *ctx, int64_t *out);
int json_opt_i64(const cJSON *obj, const char *name, int64_t min, int64_t max,
		 const struct json_ctx *ctx, struct opt_i64 *out);
int json_opt_f64(const cJSON *obj, const char *name, double min, double max,
		 const struct json_ctx *ctx, struct opt_f64 *out);
/* Absent or null gives dflt. */
int json_opt_bool(const cJSON *obj, const char *name, bool dflt, const struct json_ctx *ctx,
		  bool *out);
/* An RFC 3339 string, or integer unix seconds. */
int json_req_time(const cJSON *obj, const char *name, const struct json_ctx *ctx, int64_t *out);
int json_opt_time(const cJSON *obj, const char *name, const struct json_ctx *ctx,
		  struct opt_i64 *out);
/*
 * An array of strings; absent or null gives an empty array when !required.
 * *out is a NULL-free array of *n copies; caller frees with json_strv_free.
 */
int json_strv(const cJSON *obj, const char *name, bool required, const struct json_ctx *ctx,
	      char ***out, size_t *n);
void json_strv_free(char ***v, size_t n);

/*
 * The array field `name` of obj, or NULL with *n = 0 when it is absent or
 * null and !required. Returns -1 when it is of the wrong type.
 */
int json_array(const cJSON *obj, const char *name, bool required, const struct json_ctx *ctx,
	       const cJSON **arr, size_t *n);

/* Decodes one object of a document or array into out; frees what it took on failure. */
typedef int (*json_decode_fn)(const cJSON *node, const struct json_ctx *ctx, void *out);
/* Frees what a json_decode_fn filled in (not the item itself). */
typedef void (*json_clear_fn)(void *item);

/*
 * Parses buf and runs fn on the root with a context naming `object`.
 * Returns fn's result, or -1 when the document does not parse.
 */
int json_decode_doc(const char *buf, size_t len, const char *object, struct decode_error *err,
		    json_decode_fn fn, void *out);

/*
 * Allocates a zeroed object of `size` bytes and decodes the document into it
 * with fn. On success *out owns it (the caller frees it with the type's own
 * free function); on failure clear is run on it, it is freed and *out is NULL.
 */
int json_decode_new(const char *buf, size_t len, const char *object, struct decode_error *err,
		    size_t size, json_decode_fn fn, json_clear_fn clear, void **out);

/*
 * Decodes the array field `name` of obj into a new array of item_size items,
 * each by fn; an error names the item ("boxes[3]: field 'cpus': ..."). On
 * failure the items decoded so far are cleared with clear and nothing is
 * returned. Absent or null is an empty array unless required. Caller frees
 * the items (each with clear) and the array.
 */
int json_decode_array(const cJSON *obj, const char *name, bool required, size_t item_size,
		      json_decode_fn fn, json_clear_fn clear, const struct json_ctx *ctx,
		      void **items, size_t *n);

/* A key/value pair from a JSON object of strings (labels, overrides). */
struct kv {
	char *key;
	char *value;
};

/* An object of string values; absent or null gives none. Caller frees with kv_free. */
int json_kv(const cJSON *obj, const char *name, const struct json_ctx *ctx, struct kv **out,
	    size_t *n);
void kv_free(struct kv **kv, size_t n);
/* The value for key, or NULL. */
const char *kv_get(const struct kv *kv, size_t n, const char *key);

#endif
