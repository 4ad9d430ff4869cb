/*
 * fleet_ops: the fleet actions that make boxes or move disks: create,
 * clone, export, import, and the brief pause a running box takes for a
 * snapshot, clone or export.
 *
 * Archives are slow to build, so the fleet lock is never held while one is
 * written: export copies what it needs under the lock, builds the archive
 * under export_lock alone (one at a time, so two exports of a box never
 * write the same .part file), then records the cached file under the lock
 * again if the disk has not changed meanwhile. The cache holds one archive
 * per box, named after the box and its disk generation, and is dropped
 * when the disk changes or the box goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/archive.h"
#include "fleet_impl.h"
#include "model/encode.h"
#include "model/xalloc.h"

#define NAME_MAX_LEN 128

/* The create request's fields we know; anything else is refused (additionalProperties: false). */
static const char *const create_fields[] = {
	"name",         "image",       "rootfs_path", "cpus",        "memory_mib",
	"disk_size_gb", "working_dir", "env",         "entrypoint",  "cmd",
	"user",         "volumes",     "network",     "secrets",     "detach",
	"advanced",     "labels",      "auto_stop",   "auto_delete", "auto_resume",
};

bool fleet_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= NAME_MAX_LEN &&
	       strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", name[0]) !=
		       NULL &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
		       n;
}

bool fleet_create_field_known(const char *key)
{
	for (size_t i = 0; i < ARRAY_LEN(create_fields); i++)
		if (strcmp(key, create_fields[i]) == 0)
			return true;
	return false;
}

/* An integer member in [lo, hi], or def when absent; -1 when it is there but wrong. */
static int int_member(const cJSON *req, const char *key, int64_t lo, int64_t hi, int64_t def,
		      int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	*out = def;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
	    v->valuedouble < (double)lo || v->valuedouble > (double)hi)
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int string_member(const cJSON *req, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = v->valuestring;
	return 0;
}

static int labels_member(const cJSON *req, struct box *b)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(req, "labels");
	const cJSON *it;

	if (labels == NULL)
		return 0;
	if (!cJSON_IsObject(labels))
		return -1;
	cJSON_ArrayForEach(it, labels) {
		if (!cJSON_IsString(it))
			return -1;
		b->labels = xreallocarray(b->labels, b->n_labels + 1, sizeof(*b->labels));
		b->labels[b->n_labels].key = xstrdup(it->string);
		b->labels[b->n_labels++].value = xstrdup(it->valuestring);
	}
	return 0;
}

/*
 * Fills b from a CreateBoxRequest; -1 with a message in err. auto_stop
 * defaults to 900 s as the spec says, 0 on boxlite serve.
 */
static int read_create(const cJSON *req, bool serve, struct box *b, char *err, size_t errlen)
{
	const char *name = NULL;
	const char *image = NULL;
	const cJSON *it;

	cJSON_ArrayForEach(it, req) {
		if (!fleet_create_field_known(it->string)) {
			snprintf(err, errlen, "unknown field: %s", it->string);
			return -1;
		}
	}
	if (string_member(req, "name", &name) < 0 || (name != NULL && !fleet_name_valid(name))) {
		snprintf(err, errlen,
			 "name must be 1-128 of [a-zA-Z0-9._-], starting alphanumeric");
		return -1;
	}
	if (string_member(req, "image", &image) < 0 || (image != NULL && image[0] == '\0')) {
		snprintf(err, errlen, "image must be a non-empty string");
		return -1;
	}
	if (int_member(req, "cpus", 1, 32, 2, &b->cpus) < 0 ||
	    int_member(req, "memory_mib", 128, 1 << 20, 1024, &b->memory_mib) < 0 ||
	    int_member(req, "auto_stop", 0, INT32_MAX, serve ? 0 : 900, &b->auto_stop) < 0 ||
	    int_member(req, "auto_delete", 0, INT32_MAX, 0, &b->auto_delete) < 0) {
		snprintf(err, errlen, "cpus must be 1-32, memory_mib at least 128, timeouts >= 0");
		return -1;
	}
	if (labels_member(req, b) < 0) {
		snprintf(err, errlen, "labels must map strings to strings");
		return -1;
	}
	b->name = xstrdup(name);
	b->image = xstrdup(image != NULL ? image : "alpine:latest");
	return 0;
}

/* A new box's common fields: id, times, status. */
static void born(struct fleet *f, struct box *b, enum box_status status)
{
	b->id = fleet_new_id(f);
	b->created_at = time(NULL);
	b->updated_at = b->created_at;
	b->status = status;
	b->auto_resume = true;
	b->pid = (struct opt_i64){OPT_NULL, 0};
	b->last_activity_at =
		(struct opt_i64){fleet_serve(f) ? OPT_ABSENT : OPT_SET, b->created_at};
}

enum fleet_rc fleet_create(struct fleet *f, const cJSON *req, cJSON **out, char *err, size_t errlen)
{
	struct box b = {0};
	struct sim_disk disk = {0};
	enum fleet_rc rc = FLEET_BAD_NAME;

	pthread_mutex_lock(&f->lock);
	if (read_create(req, fleet_serve(f), &b, err, errlen) < 0)
		goto out;
	rc = FLEET_NAME_TAKEN;
	if (b.name != NULL && fleet_name_taken(f, b.name))
		goto out;
	born(f, &b, BOX_CONFIGURED);
	disk.seed = rng_next(&f->rng);
	disk.size = fleet_disk_size(f);
	*out = box_to_json(&fleet_append(f, &b, &disk)->b);
	rc = FLEET_OK;
out:
	pthread_mutex_unlock(&f->lock);
	box_clear(&b);
	return rc;
}

/* "<base>-clone", then "<base>-clone-2", ...: the first name not taken. */
static char *clone_name(const struct fleet *f, const struct box *src)
{
	const char *base = src->name != NULL ? src->name : src->id;
	char *name = xasprintf("%.100s-clone", base);

	for (int i = 2; fleet_name_taken(f, name); i++) {
		free(name);
		name = xasprintf("%.100s-clone-%d", base, i);
	}
	return name;
}

/* A new name for a disk file of box id in the state directory. */
static char *disk_path(struct fleet *f, const char *id)
{
	return xasprintf("%s/disk-%s-%llu.qcow2", fleet_state_dir(f), id,
			 (unsigned long long)f->next_file++);
}

/* The clone shares the source's disk: a generated one by seed, a file by a hard link. */
static int share_disk(struct fleet *f, const struct sim_box *src, const char *id,
		      struct sim_disk *out)
{
	*out = src->disk;
	out->file = NULL;
	if (src->disk.file == NULL)
		return 0;
	out->file = disk_path(f, id);
	if (link(src->disk.file, out->file) == 0)
		return 0;
	free(out->file);
	out->file = NULL;
	return -1;
}

static enum fleet_rc do_clone(struct fleet *f, size_t i, const char *name, cJSON **out)
{
	struct sim_box *src = &f->boxes[i];
	struct box b = {0};
	struct sim_disk disk;
	struct sim_box *x;
	const char *base_snap;

	if (fleet_refuses_running(f, src))
		return FLEET_MUST_STOP;
	if (name != NULL && fleet_name_taken(f, name))
		return FLEET_NAME_TAKEN;
	box_copy(&b, &src->b);
	free(b.id);
	free(b.name);
	b.name = name != NULL ? xstrdup(name) : clone_name(f, &src->b);
	born(f, &b, BOX_STOPPED);
	b.exit_code = (struct opt_i64){OPT_ABSENT, 0};
	/* serve keeps deadlines only for boxes it created: a clone inherits none */
	if (fleet_serve(f))
		b.auto_stop = b.auto_delete = 0;
	if (share_disk(f, src, b.id, &disk) < 0) {
		box_clear(&b);
		return FLEET_IO;
	}
	/* the clone's base disk is backed by the source's live chain */
	base_snap = src->snaps.live_base;
	/* fleet_append may move the array: take what is needed from src first. */
	x = fleet_append(f, &b, &disk);
	fleet_files_clone(f, x, &f->boxes[i]);
	if (base_snap != NULL) {
		x->dep_box = xstrdup(f->boxes[i].b.id);
		x->dep_snap = xstrdup(base_snap);
	}
	*out = box_to_json(&x->b);
	return FLEET_OK;
}

enum fleet_rc fleet_clone(struct fleet *f, const char *id_or_name, const char *name, cJSON **out)
{
	enum fleet_rc rc = FLEET_BAD_NAME;
	size_t i;

	if (name != NULL && !fleet_name_valid(name))
		return rc;
	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	rc = i < f->n ? do_clone(f, i, name, out) : FLEET_NOT_FOUND;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static enum fleet_rc pause_box(struct fleet *f, struct sim_box *x, void *arg)
{
	bool *paused = arg;

	if (fleet_refuses_running(f, x))
		return FLEET_MUST_STOP;
	if (x->b.status == BOX_RUNNING) {
		x->b.status = BOX_PAUSED;
		*paused = true;
	}
	return FLEET_OK;
}

enum fleet_rc fleet_pause(struct fleet *f, const char *id_or_name, bool *paused)
{
	*paused = false;
	return fleet_with(f, id_or_name, pause_box, paused);
}

void fleet_resume(struct fleet *f, const char *id_or_name)
{
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	if (i < f->n && f->boxes[i].b.status == BOX_PAUSED)
		f->boxes[i].b.status = BOX_RUNNING;
	pthread_mutex_unlock(&f->lock);
}

/* What an export needs, copied out from under the lock. */
struct export_job {
	char *id;
	uint64_t gen;
	struct archive_info meta;
	struct sim_disk disk;
	char *cached; /* the archive already built for this disk, or NULL */
};

static void export_job_clear(struct export_job *j)
{
	free(j->id);
	free(j->disk.file);
	free(j->cached);
	archive_info_clear(&j->meta);
}

static enum fleet_rc export_prepare(struct fleet *f, struct sim_box *x, void *arg)
{
	struct export_job *j = arg;

	if (fleet_refuses_running(f, x))
		return FLEET_MUST_STOP;
	j->id = xstrdup(x->b.id);
	j->gen = x->disk_gen;
	j->meta.box_name = xstrdup(x->b.name);
	j->meta.image = xstrdup(x->b.image);
	j->meta.cpus = x->b.cpus;
	j->meta.memory_mib = x->b.memory_mib;
	j->disk = x->disk;
	j->disk.file = xstrdup(x->disk.file);
	j->cached = xstrdup(x->export_path);
	return FLEET_OK;
}

/* Records a built archive as the box's cache unless the disk moved on; false: it did. */
static bool export_record(struct fleet *f, const struct export_job *j, const char *path)
{
	bool kept = false;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, j->id);
	if (i < f->n && f->boxes[i].disk_gen == j->gen) {
		free(f->boxes[i].export_path);
		f->boxes[i].export_path = xstrdup(path);
		kept = true;
	}
	pthread_mutex_unlock(&f->lock);
	return kept;
}

static int file_size(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	*size = (uint64_t)st.st_size;
	return 0;
}

enum fleet_rc fleet_export(struct fleet *f, const char *id_or_name, char **path, uint64_t *size,
			   char *err, size_t errlen)
{
	struct export_job j = {0};
	struct disk_src src;
	enum fleet_rc rc = fleet_with(f, id_or_name, export_prepare, &j);

	*path = NULL;
	if (rc != FLEET_OK)
		goto out;
	if (j.cached != NULL && file_size(j.cached, size) == 0) {
		*path = j.cached;
		j.cached = NULL;
		goto out;
	}
	src = (struct disk_src){.file = j.disk.file, .seed = j.disk.seed, .size = j.disk.size};
	pthread_mutex_lock(&f->export_lock);
	*path = xasprintf("%s/export-%s-%llu.boxlite", fleet_state_dir(f), j.id,
			  (unsigned long long)j.gen);
	rc = archive_write(*path, &j.meta, &src, time(NULL), err, errlen) == 0 ? FLEET_OK
									       : FLEET_IO;
	pthread_mutex_unlock(&f->export_lock);
	if (rc == FLEET_OK && file_size(*path, size) < 0)
		rc = FLEET_IO;
	/* The disk changed while it was written: send it, but do not keep it. */
	if (rc == FLEET_OK && !export_record(f, &j, *path))
		rc = FLEET_OK_UNLINK;
out:
	if (rc != FLEET_OK && rc != FLEET_OK_UNLINK) {
		free(*path);
		*path = NULL;
	}
	export_job_clear(&j);
	return rc;
}

/* The imported box's name: the one asked for, else the archive's when free, else a fresh one. */
static char *import_name(const struct fleet *f, const char *asked, const char *archived)
{
	char *name;

	if (asked != NULL)
		return xstrdup(asked);
	if (archived == NULL || !fleet_name_valid(archived))
		return NULL;
	name = xasprintf("%s", archived);
	for (int i = 2; fleet_name_taken(f, name); i++) {
		free(name);
		name = xasprintf("%.100s-%d", archived, i);
	}
	return name;
}

static enum fleet_rc import_add(struct fleet *f, const char *name, struct archive_info *info,
				const char *disk_file, cJSON **out)
{
	struct box b = {0};
	struct sim_disk disk = {.file = xstrdup(disk_file), .size = info->disk_size};
	enum fleet_rc rc = FLEET_NAME_TAKEN;

	pthread_mutex_lock(&f->lock);
	if (name != NULL && fleet_name_taken(f, name))
		goto out;
	b.name = import_name(f, name, info->box_name);
	b.image = xstrdup(info->image);
	b.cpus = info->cpus >= 1 && info->cpus <= 32 ? info->cpus : 2;
	b.memory_mib = info->memory_mib >= 128 ? info->memory_mib : 1024;
	b.auto_stop = fleet_serve(f) ? 0 : 900;
	born(f, &b, BOX_STOPPED);
	*out = box_to_json(&fleet_append(f, &b, &disk)->b);
	disk.file = NULL;
	rc = FLEET_OK;
out:
	pthread_mutex_unlock(&f->lock);
	free(disk.file);
	box_clear(&b);
	return rc;
}

enum fleet_rc fleet_import(struct fleet *f, const char *upload, const char *name, cJSON **out,
			   char *err, size_t errlen)
{
	struct archive_info info = {0};
	enum fleet_rc rc = FLEET_BAD_NAME;
	char *disk = NULL;

	if (name != NULL && !fleet_name_valid(name)) {
		snprintf(err, errlen,
			 "name must be 1-128 of [a-zA-Z0-9._-], starting alphanumeric");
		return rc;
	}
	pthread_mutex_lock(&f->lock);
	disk = disk_path(f, "import");
	pthread_mutex_unlock(&f->lock);
	switch (archive_import(upload, disk, &info, err, errlen)) {
	case ARCHIVE_RC_OK:
		rc = import_add(f, name, &info, disk, out);
		break;
	case ARCHIVE_INVALID:
		rc = FLEET_BAD_ARCHIVE;
		break;
	case ARCHIVE_IO:
		rc = FLEET_IO;
		break;
	}
	if (rc != FLEET_OK)
		unlink(disk);
	free(disk);
	archive_info_clear(&info);
	return rc;
}
