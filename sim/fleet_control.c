/*
 * fleet_control: boxes that appear and statuses that change behind the
 * API's back. The description is read into a model box without the lock;
 * only the parts that draw from the fleet's random stream or touch its
 * array and counters run under it.
 */
#include "fleet_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet_impl.h"
#include "model/encode.h"
#include "model/xalloc.h"

#define NAME_MAX_BYTES   256
#define LABELS_MAX       64
#define DEFAULT_IMAGE    "alpine:3.20"
#define DEFAULT_CPUS     2
#define DEFAULT_MEMORY   1024
#define CPUS_MAX         1024
#define MEMORY_MAX       (16LL * 1024 * 1024)
#define EXIT_FAILED      1
#define DEFAULT_AUTOSTOP 900
#define SECONDS_MAX      INT32_MAX

/* --- reading the description (no lock) ------------------------------------ */

int fleet_status_parse(const char *s, enum box_status *out)
{
	for (int i = 0; i < BOX_STATUS_COUNT; i++) {
		if (strcmp(s, box_status_name((enum box_status)i)) == 0) {
			*out = (enum box_status)i;
			return 0;
		}
	}
	return -1;
}

static int spec_string(const cJSON *it, const char *name, size_t max, char **out, char *err,
		       size_t errlen)
{
	size_t len = cJSON_IsString(it) ? strlen(it->valuestring) : 0;

	if (len == 0 || len > max) {
		snprintf(err, errlen, "%s must be a string of 1-%zu bytes", name, max);
		return -1;
	}
	free(*out);
	*out = xstrdup(it->valuestring);
	return 0;
}

static int spec_int(const cJSON *it, const char *name, int64_t max, int64_t *out, char *err,
		    size_t errlen)
{
	double d = it->valuedouble;

	if (!cJSON_IsNumber(it) || d < 1 || d > (double)max || d != (double)(int64_t)d) {
		snprintf(err, errlen, "%s must be an integer from 1 to %lld", name, (long long)max);
		return -1;
	}
	*out = (int64_t)d;
	return 0;
}

int fleet_spec_seconds(const cJSON *it, const char *name, int64_t *out, char *err, size_t errlen)
{
	double d = it->valuedouble;

	if (!cJSON_IsNumber(it) || d < 0 || d > SECONDS_MAX || d != (double)(int64_t)d) {
		snprintf(err, errlen, "%s must be a whole number of seconds from 0 to %d", name,
			 SECONDS_MAX);
		return -1;
	}
	*out = (int64_t)d;
	return 0;
}

static int spec_status(const cJSON *it, enum box_status *out, char *err, size_t errlen)
{
	if (!cJSON_IsString(it) || fleet_status_parse(it->valuestring, out) < 0) {
		snprintf(err, errlen,
			 "status must be one of configured, running, stopping, stopped, paused, "
			 "failed, unknown");
		return -1;
	}
	return 0;
}

static int spec_labels(const cJSON *obj, struct box *b, char *err, size_t errlen)
{
	const cJSON *it;
	size_t n = (size_t)cJSON_GetArraySize(obj);

	if (!cJSON_IsObject(obj) || n > LABELS_MAX || b->labels != NULL) {
		snprintf(err, errlen, "labels must be one object of at most %d strings",
			 LABELS_MAX);
		return -1;
	}
	b->labels = n != 0 ? xcalloc(n, sizeof(*b->labels)) : NULL;
	cJSON_ArrayForEach(it, obj) {
		if (!cJSON_IsString(it)) {
			snprintf(err, errlen, "label %.40s must be a string", it->string);
			return -1;
		}
		b->labels[b->n_labels].key = xstrdup(it->string);
		b->labels[b->n_labels++].value = xstrdup(it->valuestring);
	}
	return 0;
}

static int spec_field(const cJSON *it, struct box *b, char *err, size_t errlen)
{
	const char *k = it->string;

	if (strcmp(k, "name") == 0)
		return cJSON_IsNull(it) ? 0
					: spec_string(it, k, NAME_MAX_BYTES, &b->name, err, errlen);
	if (strcmp(k, "image") == 0)
		return spec_string(it, k, NAME_MAX_BYTES, &b->image, err, errlen);
	if (strcmp(k, "status") == 0)
		return spec_status(it, &b->status, err, errlen);
	if (strcmp(k, "cpus") == 0)
		return spec_int(it, k, CPUS_MAX, &b->cpus, err, errlen);
	if (strcmp(k, "memory_mib") == 0)
		return spec_int(it, k, MEMORY_MAX, &b->memory_mib, err, errlen);
	if (strcmp(k, "labels") == 0)
		return spec_labels(it, b, err, errlen);
	if (strcmp(k, "auto_stop") == 0)
		return fleet_spec_seconds(it, k, &b->auto_stop, err, errlen);
	if (strcmp(k, "auto_delete") == 0)
		return fleet_spec_seconds(it, k, &b->auto_delete, err, errlen);
	if (strcmp(k, "auto_resume") == 0) {
		if (!cJSON_IsBool(it)) {
			snprintf(err, errlen, "auto_resume must be true or false");
			return -1;
		}
		b->auto_resume = cJSON_IsTrue(it);
		return 0;
	}
	snprintf(err, errlen,
		 "unknown field '%.40s' (name, image, status, cpus, memory_mib, labels, "
		 "auto_stop, auto_delete, auto_resume)",
		 k);
	return -1;
}

int fleet_box_spec(const cJSON *spec, struct box *out, char *err, size_t errlen)
{
	const cJSON *it;

	memset(out, 0, sizeof(*out));
	out->status = BOX_RUNNING;
	out->cpus = DEFAULT_CPUS;
	out->memory_mib = DEFAULT_MEMORY;
	out->auto_stop = -1; /* not given: fleet_add_box picks the flavor's default */
	out->auto_resume = true;
	if (!cJSON_IsObject(spec)) {
		snprintf(err, errlen, "a box must be a JSON object");
		return -1;
	}
	cJSON_ArrayForEach(it, spec) {
		if (spec_field(it, out, err, errlen) < 0)
			return -1;
	}
	if (out->image == NULL)
		out->image = xstrdup(DEFAULT_IMAGE);
	return 0;
}

/* --- changing the fleet (lock held) --------------------------------------- */

/* pid and exit_code as a box in b->status has them; exit_code < 0 picks the usual. */
static void settle_exit(struct fleet *f, struct box *b, int64_t exit_code)
{
	bool live =
		b->status == BOX_RUNNING || b->status == BOX_PAUSED || b->status == BOX_STOPPING;

	if (live && b->pid.state != OPT_SET)
		b->pid = (struct opt_i64){OPT_SET, 1000 + (int64_t)rng_below(&f->rng, 60000)};
	if (!live)
		b->pid = (struct opt_i64){OPT_NULL, 0};
	b->exit_code = (struct opt_i64){OPT_ABSENT, 0};
	if (b->status == BOX_STOPPED)
		b->exit_code = (struct opt_i64){OPT_SET, exit_code >= 0 ? exit_code : 0};
	else if (b->status == BOX_FAILED)
		b->exit_code = (struct opt_i64){OPT_SET, exit_code >= 0 ? exit_code : EXIT_FAILED};
}

/* Boot timing for a box that has booted and has none yet. */
static void settle_boot(struct fleet *f, struct sim_box *x)
{
	struct boot_timing *boot = &x->m.boot;

	if (boot->present || x->b.status == BOX_CONFIGURED)
		return;
	boot->present = true;
	boot->total_create_ms = (struct opt_i64){OPT_SET, 0};
	for (int i = 0; i < BOOT_STAGE_COUNT; i++) {
		boot->stage_ms[i] = (struct opt_i64){OPT_SET, 5 + (int64_t)rng_below(&f->rng, 400)};
		boot->total_create_ms.v += boot->stage_ms[i].v;
	}
}

enum fleet_rc fleet_add_box(struct fleet *f, struct box *b, cJSON **out)
{
	enum fleet_rc rc = FLEET_EXISTS;
	struct sim_disk disk = {0};
	struct sim_box *x;

	pthread_mutex_lock(&f->lock);
	if (b->name != NULL && fleet_find(f, b->name) != f->n)
		goto out;
	disk.seed = rng_next(&f->rng);
	disk.size = fleet_disk_size(f);
	b->created_at = time(NULL);
	b->updated_at = b->created_at;
	b->last_activity_at =
		(struct opt_i64){fleet_serve(f) ? OPT_ABSENT : OPT_SET, b->created_at};
	b->id = fleet_new_id(f);
	settle_exit(f, b, -1);
	if (b->auto_stop < 0)
		b->auto_stop = fleet_serve(f) ? 0 : DEFAULT_AUTOSTOP;
	x = fleet_append(f, b, &disk);
	f->failed += x->b.status == BOX_FAILED;
	*out = box_to_json(&x->b);
	rc = FLEET_OK;
out:
	pthread_mutex_unlock(&f->lock);
	return rc;
}

enum fleet_rc fleet_set_status(struct fleet *f, const char *id_or_name, enum box_status status,
			       int64_t exit_code, cJSON **out)
{
	enum fleet_rc rc = FLEET_NOT_FOUND;
	struct sim_box *x;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	if (i == f->n)
		goto out;
	x = &f->boxes[i];
	f->failed += status == BOX_FAILED && x->b.status != BOX_FAILED;
	f->stopped += status == BOX_STOPPED && x->b.status != BOX_STOPPED;
	/* a box that stops behind the API's back ends its executions as a stop does */
	if ((x->b.status == BOX_RUNNING || x->b.status == BOX_PAUSED) &&
	    !(status == BOX_RUNNING || status == BOX_PAUSED) && f->on_stop != NULL)
		f->on_stop(f->on_stop_arg, x->b.id);
	x->b.status = status;
	settle_exit(f, &x->b, exit_code);
	settle_boot(f, x);
	fleet_seed_gauges(&f->rng, x);
	x->b.updated_at = time(NULL);
	if (status == BOX_RUNNING) {
		x->idle_ms = fleet_now(f); /* it was just used: the AutoStop window starts */
		if (!fleet_serve(f))
			x->b.last_activity_at = (struct opt_i64){OPT_SET, x->b.updated_at};
	}
	*out = box_to_json(&x->b);
	rc = FLEET_OK;
out:
	pthread_mutex_unlock(&f->lock);
	return rc;
}
