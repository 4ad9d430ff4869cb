/*
 * job: a long operation the worker pool runs for the user (snapshot, clone,
 * export, start, deleting an image...) as the UI shows it: what, on which
 * box (or image), how far, how it ended. Pure data; the store keeps the
 * table of them.
 */
#ifndef BOXTOP_MODEL_JOB_H
#define BOXTOP_MODEL_JOB_H

#include <stdbool.h>
#include <stdint.h>

enum job_kind {
	JOB_SNAPSHOT_CREATE,
	JOB_SNAPSHOT_DELETE,
	JOB_SNAPSHOT_RESTORE,
	JOB_CLONE,
	JOB_EXPORT,
	JOB_IMPORT,
	JOB_START,
	JOB_STOP,
	JOB_DELETE_BOX,
	JOB_IMAGE_DELETE, /* not about a box: arg is the image's name */
	JOB_CP_OUT,       /* "copy-from": arg is "PATH -> DEST", result the local path */
	JOB_CP_IN,        /* "copy-to": arg is "SRC -> PATH", result the path in the box */
	JOB_KIND_COUNT,
};

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_SUCCEEDED, /* this state and the ones after it are final */
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_STATE_COUNT,
};

struct job {
	uint64_t id; /* given by the store, from 1; 0 = none */
	enum job_kind kind;
	enum job_state state;
	char *box_id; /* each string may be NULL */
	char *box_name;
	char *arg;     /* snapshot name, clone name, archive path, image name or a copy's
			  "FROM -> TO" */
	char *message; /* the latest progress note or the error */
	char *result;  /* what a finished job made: the saved path, the new box's id; or NULL */
	int64_t created_ms;
	int64_t started_ms;  /* 0 until it runs */
	int64_t finished_ms; /* 0 until it is final */
	int64_t bytes_done;
	int64_t bytes_total; /* -1 = unknown */
	double rate_bps;
};

/* Which fields of a struct job_update apply. */
enum job_field {
	JOB_FIELD_STATE = 1u << 0,
	JOB_FIELD_MESSAGE = 1u << 1,
	JOB_FIELD_PROGRESS = 1u << 2, /* bytes_done and bytes_total */
	JOB_FIELD_RATE = 1u << 3,
	JOB_FIELD_RESULT = 1u << 4,
};

/* A change to a job: only the fields named in `fields` are applied. */
struct job_update {
	unsigned fields; /* JOB_FIELD_* bits */
	enum job_state state;
	const char *message; /* copied; NULL clears */
	const char *result;  /* copied; NULL clears */
	int64_t bytes_done;
	int64_t bytes_total;
	double rate_bps;
	int64_t now_ms; /* stamps started_ms / finished_ms when the state moves */
};

/* "snapshot", "clone", ...; "unknown" when out of range. */
const char *job_kind_name(enum job_kind k);
/* "queued", "running", ...; "unknown" when out of range. */
const char *job_state_name(enum job_state s);
/* Succeeded, failed or cancelled: nothing will change it any more. */
bool job_is_finished(const struct job *j);

/* Deep copy of src into dst (whose old contents are not freed); job_clear frees it. */
void job_copy(struct job *dst, const struct job *src);
/* Frees what j owns and zeroes it. */
void job_clear(struct job *j);

/*
 * Applies u to j. A job that is finished is left alone: returns -1. Moving
 * to running stamps started_ms (once), moving to a final state stamps
 * finished_ms. Returns 0.
 */
int job_apply(struct job *j, const struct job_update *u);

#endif
