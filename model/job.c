/*
 * job: see job.h. Final states are final: a late progress report from a
 * worker, or a success racing a cancel, must not bring a job back, so
 * job_apply refuses to touch a finished job and the first final state wins.
 */
#include "job.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const kind_names[JOB_KIND_COUNT] = {
	[JOB_SNAPSHOT_CREATE] = "snapshot",
	[JOB_SNAPSHOT_DELETE] = "delete snapshot",
	[JOB_SNAPSHOT_RESTORE] = "restore",
	[JOB_CLONE] = "clone",
	[JOB_EXPORT] = "export",
	[JOB_IMPORT] = "import",
	[JOB_START] = "start",
	[JOB_STOP] = "stop",
	[JOB_DELETE_BOX] = "delete",
	[JOB_IMAGE_DELETE] = "delete image",
	[JOB_CP_OUT] = "copy-from",
	[JOB_CP_IN] = "copy-to",
};

static const char *const state_names[JOB_STATE_COUNT] = {
	[JOB_QUEUED] = "queued", [JOB_RUNNING] = "running",     [JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed", [JOB_CANCELLED] = "cancelled",
};

const char *job_kind_name(enum job_kind k)
{
	if ((unsigned)k >= JOB_KIND_COUNT)
		return "unknown";
	return kind_names[k];
}

const char *job_state_name(enum job_state s)
{
	if ((unsigned)s >= JOB_STATE_COUNT)
		return "unknown";
	return state_names[s];
}

static bool state_is_final(enum job_state s)
{
	return s == JOB_SUCCEEDED || s == JOB_FAILED || s == JOB_CANCELLED;
}

bool job_is_finished(const struct job *j)
{
	return j != NULL && state_is_final(j->state);
}

void job_copy(struct job *dst, const struct job *src)
{
	*dst = *src;
	dst->box_id = xstrdup(src->box_id);
	dst->box_name = xstrdup(src->box_name);
	dst->arg = xstrdup(src->arg);
	dst->message = xstrdup(src->message);
	dst->result = xstrdup(src->result);
}

void job_clear(struct job *j)
{
	if (j == NULL)
		return;
	free(j->box_id);
	free(j->box_name);
	free(j->arg);
	free(j->message);
	free(j->result);
	memset(j, 0, sizeof(*j));
}

static void apply_state(struct job *j, enum job_state state, int64_t now_ms)
{
	j->state = state;
	if (state == JOB_RUNNING && j->started_ms == 0)
		j->started_ms = now_ms;
	if (state_is_final(state))
		j->finished_ms = now_ms;
}

int job_apply(struct job *j, const struct job_update *u)
{
	if (job_is_finished(j))
		return -1;
	if (u->fields & JOB_FIELD_MESSAGE) {
		free(j->message);
		j->message = xstrdup(u->message);
	}
	if (u->fields & JOB_FIELD_RESULT) {
		free(j->result);
		j->result = xstrdup(u->result);
	}
	if (u->fields & JOB_FIELD_PROGRESS) {
		j->bytes_done = u->bytes_done;
		j->bytes_total = u->bytes_total;
	}
	if (u->fields & JOB_FIELD_RATE)
		j->rate_bps = u->rate_bps;
	if (u->fields & JOB_FIELD_STATE)
		apply_state(j, u->state, u->now_ms);
	return 0;
}
