/*
 * box: a BoxLite box and the boxes list, decoded from server JSON.
 */
#ifndef BOXTOP_MODEL_BOX_H
#define BOXTOP_MODEL_BOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "nullable.h"

enum box_status {
	BOX_CONFIGURED,
	BOX_RUNNING,
	BOX_STOPPING,
	BOX_STOPPED,
	BOX_PAUSED,
	BOX_FAILED,
	BOX_UNKNOWN,
};
#define BOX_STATUS_COUNT (BOX_UNKNOWN + 1)

struct box {
	char *id;   /* box_id: opaque, pass back verbatim */
	char *name; /* NULL when absent or null */
	enum box_status status;
	int64_t created_at; /* unix seconds */
	int64_t updated_at;
	char *image;
	int64_t cpus;
	int64_t memory_mib;
	struct opt_i64 pid;
	struct kv *labels; /* in server order */
	size_t n_labels;
	int64_t auto_stop;   /* seconds; 900 when absent, 0 = off */
	int64_t auto_delete; /* seconds; 0 when absent */
	bool auto_resume;    /* true when absent */
	struct opt_i64 last_activity_at;
	struct opt_i64 exit_code; /* absent while running; 0 is a real exit code */
};

struct box_list {
	struct box *items;
	size_t n;
	char *next_page_token; /* NULL on the last page */
};

/* "running", ...; "unknown" for BOX_UNKNOWN and anything out of range. */
const char *box_status_name(enum box_status s);
/* Any string, including ones from newer servers; unknown ones give BOX_UNKNOWN. */
enum box_status box_status_parse(const char *s);

/* Running, or paused (a running box frozen a moment, e.g. for a snapshot). */
bool box_is_live(const struct box *b);
/* The name if the box has one, else its id. Never NULL for a decoded box. */
const char *box_display_name(const struct box *b);
/* The label's value or NULL. */
const char *box_label(const struct box *b, const char *key);

/* Decodes one Box object. On failure the box is left empty (safe to clear). */
int box_decode_json(const cJSON *obj, const struct json_ctx *ctx, struct box *out);
/* Frees what b owns and zeroes it. */
void box_clear(struct box *b);
/* Deep copy of src into dst. */
void box_copy(struct box *dst, const struct box *src);

/*
 * Decodes a Box document (GET /boxes/{id}, start, stop, clone, import).
 * Returns 0 with *out set (caller frees with box_free) or -1 with err set.
 */
int box_decode(const char *buf, size_t len, struct box **out, struct decode_error *err);
void box_free(struct box **b);

/*
 * Decodes a ListBoxesResponse. Returns 0 with *out set (caller frees with
 * box_list_free) or -1 with err set; one bad box fails the whole page, with
 * the error naming its index.
 */
int box_list_decode(const char *buf, size_t len, struct box_list **out, struct decode_error *err);
void box_list_free(struct box_list **l);
/* Appends every box of src to dst, moving them; src is left empty. */
void box_list_append(struct box_list *dst, struct box_list *src);
/* Drops (and frees) every box whose status is not status, keeping the order. */
void box_list_keep_status(struct box_list *l, enum box_status status);

#endif
