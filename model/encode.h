/*
 * encode: model structs back to server JSON, the inverse of the decoders.
 * boxlite-sim answers with these so the shapes it serves are the ones
 * boxtop's decoders read; tests use them to build documents.
 */
#ifndef BOXTOP_MODEL_ENCODE_H
#define BOXTOP_MODEL_ENCODE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "box.h"
#include "image.h"
#include "job.h"
#include "metrics.h"
#include "snapshot.h"

/*
 * A Box object: times as RFC 3339, optional fields absent or null as their
 * opt state says, name null when NULL. Caller frees with cJSON_Delete.
 */
cJSON *box_to_json(const struct box *b);

/*
 * A ListBoxesResponse of the n boxes at items; next_page_token is left out
 * when NULL. Caller frees with cJSON_Delete.
 */
cJSON *box_list_to_json(const struct box *items, size_t n, const char *next_page_token);

/* RuntimeMetrics: absent fields left out, null ones null. Caller frees with cJSON_Delete. */
cJSON *runtime_metrics_to_json(const struct runtime_metrics *m);

/* BoxMetrics, boot_timing left out when !m->boot.present. Caller frees with cJSON_Delete. */
cJSON *box_metrics_to_json(const struct box_metrics *m);

/* A Snapshot: created_at as integer unix seconds, as servers send it. Caller frees with
 * cJSON_Delete. */
cJSON *snapshot_to_json(const struct snapshot *s);

/* {"snapshots": [...]} of the n snapshots at items. Caller frees with cJSON_Delete. */
cJSON *snapshot_list_to_json(const struct snapshot *items, size_t n);

/* An ImageInfo: cached_at as RFC 3339, size_bytes left out when absent. Caller frees with
 * cJSON_Delete. */
cJSON *image_info_to_json(const struct image_info *i);

/* ImageUsage {count, limit, known_bytes}. Caller frees with cJSON_Delete. */
cJSON *image_usage_to_json(const struct image_usage *u);

/*
 * A job as boxtop reports it (not a server object): id, kind, state, box_id,
 * box_name, arg, result, message (null when NULL), bytes_done, bytes_total
 * (null when unknown) and seconds it ran. Caller frees with cJSON_Delete.
 */
cJSON *job_to_json(const struct job *j);

#endif
