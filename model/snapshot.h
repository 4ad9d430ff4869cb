/*
 * snapshot: a box snapshot and the (never paged) snapshot list.
 */
#ifndef BOXTOP_MODEL_SNAPSHOT_H
#define BOXTOP_MODEL_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "nullable.h"

struct snapshot {
	char *id;
	char *box_id;
	char *name;
	int64_t created_at; /* unix seconds; servers send an integer, RFC 3339 accepted */
	int64_t container_disk_bytes;
	int64_t size_bytes;
	struct opt_i64 guest_disk_bytes; /* required by the spec, sent by no real server */
};

struct snapshot_list {
	struct snapshot *items;
	size_t n;
	/*
	 * Set by whoever asked for it, not by the decoder: when (monotonic ms,
	 * and unix seconds for people), and why it could not be read (then
	 * items is empty), or NULL.
	 */
	int64_t asked_ms;
	int64_t asked_at;
	char *error;
};

/* Caller frees with snapshot_free / snapshot_list_free. */
int snapshot_decode(const char *buf, size_t len, struct snapshot **out, struct decode_error *err);
int snapshot_list_decode(const char *buf, size_t len, struct snapshot_list **out,
			 struct decode_error *err);
void snapshot_free(struct snapshot **s);
void snapshot_list_free(struct snapshot_list **l);
/*
 * A list that says why the snapshots could not be read (message copied),
 * asked at asked_ms and asked_at. Caller frees with snapshot_list_free.
 */
struct snapshot_list *snapshot_list_failed(const char *message, int64_t asked_ms, int64_t asked_at);

#endif
