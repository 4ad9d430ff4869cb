/*
 * store: see store.h.
 *
 * Design. One mutex guards everything, and nothing slow happens under it.
 * List-like values (boxes, images, an image's detail, config, principal,
 * the snapshot map, the jobs table) are immutable struct shared values: a
 * writer builds the new value outside the lock, and inside it only swaps a
 * pointer and bumps two counters, the slot's generation and the global one.
 * A reader's store_read compares generations and takes a reference to each
 * changed value, so a refresh costs one pointer per changed slot, never a
 * copy. References that a locked section lets go of (the replaced value, a
 * view's old one) are collected in a struct release and dropped after
 * unlocking, so freeing a list of 10,000 boxes never holds up the other
 * threads.
 *
 * The snapshot map and the jobs table are vectors of shared items (sorted
 * by box id, and by job id) inside a shared value: replacing one item copies
 * the vector's pointers and takes a reference to each, while the items
 * themselves are shared between the old and new vector. So a job's progress
 * update copies that one job, not the table.
 *
 * Per-box metrics and history are too many and change too often for that:
 * they live in a mutable array of entries sorted by box id (bsearch to find,
 * memmove to insert), changed in place and copied out under the lock.
 * Setting a box list prunes entries of vanished boxes by walking the sorted
 * entries against the new list's sorted ids, in linear time.
 *
 * Every change writes one byte to a non-blocking pipe after unlocking; a
 * full pipe means a wake-up is pending already, so the byte is dropped.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

/* Slot indices: STORE_X == 1u << SLOT_X. */
enum {
	SLOT_BOXES,
	SLOT_RUNTIME,
	SLOT_METRICS,
	SLOT_SNAPSHOTS,
	SLOT_IMAGES,
	SLOT_CONFIG,
	SLOT_PRINCIPAL,
	SLOT_CONN,
	SLOT_JOBS,
	SLOT_IMAGE_DETAIL,
};
_Static_assert(STORE_IMAGE_DETAIL == 1u << SLOT_IMAGE_DETAIL &&
		       SLOT_IMAGE_DETAIL + 1 == STORE_SLOT_COUNT,
	       "slot bits and indices agree");

/* One box's metrics: owned by the store, reached only under its lock. */
struct metric_entry {
	char *id;
	struct box_metrics latest;
	struct metric_history history;
	struct metric_entry *next_dead; /* in a struct release, once dropped */
};

/* An immutable vector of shared items: the snapshot map and the jobs table. */
struct shared_vec {
	struct shared **items;
	size_t n;
};

/* An item of the snapshot map. */
struct snap_entry {
	char *box_id;
	struct snapshot_list *list;
};

struct store {
	pthread_mutex_t lock;
	uint64_t gen;
	uint64_t slot_gen[STORE_SLOT_COUNT];
	struct shared *val[STORE_SLOT_COUNT]; /* NULL for the flat slots */
	bool has_runtime;
	struct runtime_metrics runtime;
	struct conn_state conn;
	struct metric_entry **metrics; /* sorted by id */
	size_t n_metrics;
	size_t cap_metrics;
	uint64_t last_job_id;
	/* the log feed */
	struct log_chunk *log_head, *log_tail;
	size_t log_bytes;
	size_t log_dropped;
	uint64_t log_session;
	uint64_t log_gen;
	char log_state[256];
	int wake_rd;
	int wake_wr;
};

/* Bytes of a box's log, queued for the UI thread. */
struct log_chunk {
	struct log_chunk *next;
	int stream;
	size_t n;
	char data[];
};

/* What a locked section let go of, freed once the lock is dropped. */
struct release {
	struct shared *refs[STORE_SLOT_COUNT];
	size_t n;
	struct metric_entry *dead;
};

/* The ids of a box list, sorted, asked about in ascending order. */
struct id_set {
	const char **ids;
	size_t n;
	size_t pos;
};

/* A finished job's place in the order of finishing. */
struct job_key {
	int64_t finished_ms;
	uint64_t id;
};

static const char *const conn_names[CONN_STATUS_COUNT] = {
	[CONN_CONNECTING] = "connecting",   [CONN_CONNECTED] = "connected",
	[CONN_DEGRADED] = "degraded",       [CONN_DOWN] = "down",
	[CONN_AUTH_FAILED] = "auth failed",
};

const char *conn_status_name(enum conn_status st)
{
	if ((unsigned)st >= CONN_STATUS_COUNT)
		return "unknown";
	return conn_names[st];
}

/* Destructors for shared values. */

static void destroy_boxes(void *p)
{
	struct box_list *l = p;

	box_list_free(&l);
}

static void destroy_images(void *p)
{
	struct image_list *l = p;

	image_list_free(&l);
}

static void destroy_image_detail(void *p)
{
	struct image_detail *d = p;

	image_detail_free(&d);
}

static void destroy_config(void *p)
{
	struct server_config *c = p;

	server_config_free(&c);
}

static void destroy_principal(void *p)
{
	struct principal *pr = p;

	principal_free(&pr);
}

static void destroy_snap_entry(void *p)
{
	struct snap_entry *e = p;

	free(e->box_id);
	snapshot_list_free(&e->list);
	free(e);
}

static void destroy_job(void *p)
{
	job_clear(p);
	free(p);
}

static void destroy_vec(void *p)
{
	struct shared_vec *v = p;

	for (size_t i = 0; i < v->n; i++)
		shared_unref(&v->items[i]);
	free(v->items);
	free(v);
}

/* data as a new shared value, or NULL for NULL data. */
static struct shared *take(void *data, shared_destroy_fn destroy)
{
	return data != NULL ? shared_new(data, destroy) : NULL;
}

static void entry_free(struct metric_entry *e)
{
	free(e->id);
	free(e);
}

static void release_ref(struct release *r, struct shared *v)
{
	if (v == NULL)
		return;
	if (r->n == STORE_SLOT_COUNT)
		fatal("store: too many values released at once");
	r->refs[r->n++] = v;
}

static void release_run(struct release *r)
{
	struct metric_entry *e;

	for (size_t i = 0; i < r->n; i++)
		shared_unref(&r->refs[i]);
	while (r->dead != NULL) {
		e = r->dead;
		r->dead = e->next_dead;
		entry_free(e);
	}
}

/* Searching sorted arrays. cmp compares a key with a pointer to an element. */

typedef int (*key_cmp_fn)(const void *key, const void *elem);

/* The index of the first element not less than key. */
static size_t lower_bound(const void *base, size_t n, size_t size, const void *key, key_cmp_fn cmp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(key, (const char *)base + mid * size) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_metric(const void *key, const void *elem)
{
	const struct metric_entry *const *e = elem;

	return strcmp(key, (*e)->id);
}

static int cmp_snap(const void *key, const void *elem)
{
	struct shared *const *item = elem;
	const struct snap_entry *e = shared_get(*item);

	return strcmp(key, e->box_id);
}

static int cmp_job(const void *key, const void *elem)
{
	const uint64_t *id = key;
	struct shared *const *item = elem;
	const struct job *j = shared_get(*item);

	return (*id > j->id) - (*id < j->id);
}

/* Vectors of shared items. */

/* Where key is or would go in v (which may be NULL); *found says whether it is there. */
static size_t vec_find(const struct shared_vec *v, const void *key, key_cmp_fn cmp, bool *found)
{
	size_t n = v != NULL ? v->n : 0;
	size_t at = n > 0 ? lower_bound(v->items, n, sizeof(*v->items), key, cmp) : 0;

	*found = at < n && cmp(key, &v->items[at]) == 0;
	return at;
}

static struct shared_vec *vec_new(size_t cap)
{
	struct shared_vec *v = xmalloc(sizeof(*v));

	v->items = xcalloc(cap, sizeof(*v->items));
	v->n = 0;
	return v;
}

/* v as a shared value; an empty v is freed and gives NULL. */
static struct shared *vec_share(struct shared_vec *v)
{
	if (v->n > 0)
		return shared_new(v, destroy_vec);
	destroy_vec(v);
	return NULL;
}

/*
 * A new vector: v without its `drop` items from `at`, with insert (whose
 * reference it takes; may be NULL) in their place. v may be NULL.
 */
static struct shared *vec_splice(const struct shared_vec *v, size_t at, size_t drop,
				 struct shared *insert)
{
	size_t n = v != NULL ? v->n : 0;
	struct shared_vec *out = vec_new(n - drop + 1);

	for (size_t i = 0; i < n; i++) {
		if (i == at && insert != NULL)
			out->items[out->n++] = insert;
		if (i < at || i >= at + drop)
			out->items[out->n++] = shared_ref(v->items[i]);
	}
	if (at >= n && insert != NULL)
		out->items[out->n++] = insert;
	return vec_share(out);
}

typedef bool (*vec_keep_fn)(const struct shared *item, void *ctx);

/*
 * The items of v that keep() keeps, in order, as a new value in *out (NULL
 * when none is kept). Returns false, making nothing, when it keeps them all.
 */
static bool vec_filter(const struct shared_vec *v, vec_keep_fn keep, void *ctx, struct shared **out)
{
	struct shared_vec *kept;

	if (v == NULL || v->n == 0)
		return false;
	kept = vec_new(v->n);
	for (size_t i = 0; i < v->n; i++)
		if (keep(v->items[i], ctx))
			kept->items[kept->n++] = shared_ref(v->items[i]);
	if (kept->n == v->n) {
		destroy_vec(kept);
		return false;
	}
	*out = vec_share(kept);
	return true;
}

/* Locking, changing and waking. */

static void lock(struct store *s)
{
	pthread_mutex_lock(&s->lock);
}

/* Unlocks, wakes the reader when something changed, then frees what was let go. */
static void unlock_and_wake(struct store *s, struct release *rel, bool changed)
{
	ssize_t n;

	pthread_mutex_unlock(&s->lock);
	if (changed) {
		do
			n = write(s->wake_wr, "", 1);
		while (n < 0 && errno == EINTR);
	}
	release_run(rel);
}

/* Marks slot i changed. Lock held. */
static void bump(struct store *s, size_t i)
{
	s->slot_gen[i]++;
	s->gen++;
}

/* Makes v the value of slot i; the old one goes to rel. Lock held. */
static void swap_locked(struct store *s, size_t i, struct shared *v, struct release *rel)
{
	release_ref(rel, s->val[i]);
	s->val[i] = v;
	bump(s, i);
}

static void set_value(struct store *s, size_t i, struct shared *v)
{
	struct release rel = {0};

	lock(s);
	swap_locked(s, i, v, &rel);
	unlock_and_wake(s, &rel, true);
}

static const struct shared_vec *vec_locked(const struct store *s, size_t i)
{
	return shared_get(s->val[i]);
}

/* Lifetime. */

static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* pipe2() is not POSIX; the store is made before any thread could fork. */
static int make_pipe(int fds[2])
{
	int rc = -1, saved;

	if (pipe(fds) < 0)
		goto out;
	if (set_nonblock_cloexec(fds[0]) < 0 || set_nonblock_cloexec(fds[1]) < 0) {
		saved = errno;
		close(fds[0]);
		close(fds[1]);
		errno = saved;
		goto out;
	}
	rc = 0;
out:
	return rc;
}

struct store *store_new(void)
{
	struct store *s;
	int fds[2];

	if (make_pipe(fds) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	if (pthread_mutex_init(&s->lock, NULL) != 0)
		fatal("store: cannot make a mutex");
	s->wake_rd = fds[0];
	s->wake_wr = fds[1];
	/* Above a zeroed view's, so its first store_read reports every slot. */
	s->gen = 1;
	for (size_t i = 0; i < STORE_SLOT_COUNT; i++)
		s->slot_gen[i] = 1;
	return s;
}

static void chunks_free(struct log_chunk *c)
{
	while (c != NULL) {
		struct log_chunk *next = c->next;

		free(c);
		c = next;
	}
}

void store_free(struct store **sp)
{
	struct store *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	*sp = NULL;
	for (size_t i = 0; i < STORE_SLOT_COUNT; i++)
		shared_unref(&s->val[i]);
	for (size_t i = 0; i < s->n_metrics; i++)
		entry_free(s->metrics[i]);
	free(s->metrics);
	chunks_free(s->log_head);
	close(s->wake_rd);
	close(s->wake_wr);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int store_wake_fd(const struct store *s)
{
	return s != NULL ? s->wake_rd : -1;
}

void store_drain_wake(struct store *s)
{
	char buf[64];
	ssize_t n;

	do
		n = read(s->wake_rd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
}

/* Boxes, and dropping what belonged to vanished ones. */

static int cmp_str_ptr(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* The ids of l, borrowed from it; free the set's array with free(). */
static struct id_set id_set_of(const struct box_list *l)
{
	struct id_set set = {0};

	if (l == NULL || l->n == 0)
		return set;
	set.ids = xcalloc(l->n, sizeof(*set.ids));
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].id != NULL)
			set.ids[set.n++] = l->items[i].id;
	qsort(set.ids, set.n, sizeof(*set.ids), cmp_str_ptr);
	return set;
}

/* Whether id is in set; ids must be asked about in ascending order. */
static bool id_set_has(struct id_set *set, const char *id)
{
	while (set->pos < set->n && strcmp(set->ids[set->pos], id) < 0)
		set->pos++;
	return set->pos < set->n && strcmp(set->ids[set->pos], id) == 0;
}

static bool keep_snap(const struct shared *item, void *ctx)
{
	const struct snap_entry *e = shared_get(item);

	return id_set_has(ctx, e->box_id);
}

/* Lock held. */
static void prune_metrics(struct store *s, struct id_set *ids, struct release *rel)
{
	size_t kept = 0;

	ids->pos = 0;
	for (size_t i = 0; i < s->n_metrics; i++) {
		struct metric_entry *e = s->metrics[i];

		if (id_set_has(ids, e->id)) {
			s->metrics[kept++] = e;
		} else {
			e->next_dead = rel->dead;
			rel->dead = e;
		}
	}
	if (kept != s->n_metrics)
		bump(s, SLOT_METRICS);
	s->n_metrics = kept;
}

/* Lock held. */
static void prune_snapshots(struct store *s, struct id_set *ids, struct release *rel)
{
	struct shared *kept;

	ids->pos = 0;
	if (vec_filter(vec_locked(s, SLOT_SNAPSHOTS), keep_snap, ids, &kept))
		swap_locked(s, SLOT_SNAPSHOTS, kept, rel);
}

void store_set_boxes(struct store *s, struct box_list **list)
{
	struct release rel = {0};
	struct id_set ids = id_set_of(*list);
	struct shared *v = take(*list, destroy_boxes);

	*list = NULL;
	lock(s);
	swap_locked(s, SLOT_BOXES, v, &rel);
	prune_metrics(s, &ids, &rel);
	prune_snapshots(s, &ids, &rel);
	unlock_and_wake(s, &rel, true);
	free(ids.ids);
}

/* The other whole values. */

void store_set_images(struct store *s, struct image_list **list)
{
	struct shared *v = take(*list, destroy_images);

	*list = NULL;
	set_value(s, SLOT_IMAGES, v);
}

void store_set_image_detail(struct store *s, struct image_detail **detail)
{
	struct shared *v = take(*detail, destroy_image_detail);

	*detail = NULL;
	set_value(s, SLOT_IMAGE_DETAIL, v);
}

void store_set_config(struct store *s, struct server_config **config)
{
	struct shared *v = take(*config, destroy_config);

	*config = NULL;
	set_value(s, SLOT_CONFIG, v);
}

void store_set_principal(struct store *s, struct principal **principal)
{
	struct shared *v = take(*principal, destroy_principal);

	*principal = NULL;
	set_value(s, SLOT_PRINCIPAL, v);
}

void store_set_snapshots(struct store *s, const char *box_id, struct snapshot_list **list)
{
	struct release rel = {0};
	struct snap_entry *e;
	struct shared *item = NULL;
	bool found;
	size_t at;

	if (box_id == NULL) {
		snapshot_list_free(list);
		return;
	}
	if (*list != NULL) {
		e = xmalloc(sizeof(*e));
		e->box_id = xstrdup(box_id);
		e->list = *list;
		item = shared_new(e, destroy_snap_entry);
	}
	*list = NULL;
	lock(s);
	at = vec_find(vec_locked(s, SLOT_SNAPSHOTS), box_id, cmp_snap, &found);
	swap_locked(s, SLOT_SNAPSHOTS,
		    vec_splice(vec_locked(s, SLOT_SNAPSHOTS), at, found ? 1 : 0, item), &rel);
	unlock_and_wake(s, &rel, true);
}

/* The flat values. */

void store_set_runtime(struct store *s, const struct runtime_metrics *m)
{
	struct release rel = {0};

	lock(s);
	s->has_runtime = m != NULL;
	if (m != NULL)
		s->runtime = *m;
	bump(s, SLOT_RUNTIME);
	unlock_and_wake(s, &rel, true);
}

void store_set_conn(struct store *s, const struct conn_state *c)
{
	static const struct conn_state initial;
	struct release rel = {0};

	lock(s);
	s->conn = c != NULL ? *c : initial;
	s->conn.message[sizeof(s->conn.message) - 1] = '\0';
	bump(s, SLOT_CONN);
	unlock_and_wake(s, &rel, true);
}

/* Per-box metrics. */

/* box_id's entry, made (empty) when create is set and there is none. Lock held. */
static struct metric_entry *metric_entry(struct store *s, const char *box_id, bool create)
{
	size_t at = lower_bound(s->metrics, s->n_metrics, sizeof(*s->metrics), box_id, cmp_metric);
	struct metric_entry *e = NULL;

	if (at < s->n_metrics && strcmp(s->metrics[at]->id, box_id) == 0)
		return s->metrics[at];
	if (!create)
		return NULL;
	if (s->n_metrics == s->cap_metrics) {
		s->cap_metrics = s->cap_metrics > 0 ? s->cap_metrics * 2 : 16;
		s->metrics = xreallocarray(s->metrics, s->cap_metrics, sizeof(*s->metrics));
	}
	memmove(&s->metrics[at + 1], &s->metrics[at], (s->n_metrics - at) * sizeof(*s->metrics));
	e = xcalloc(1, sizeof(*e));
	e->id = xstrdup(box_id);
	s->metrics[at] = e;
	s->n_metrics++;
	return e;
}

void store_put_box_metrics(struct store *s, const char *box_id, const struct box_metrics *m,
			   int64_t now_ms)
{
	static const struct box_metrics none;
	struct release rel = {0};
	struct metric_entry *e;

	if (box_id == NULL)
		return;
	lock(s);
	e = metric_entry(s, box_id, true);
	e->latest = m != NULL ? *m : none;
	history_push(&e->history, m, now_ms);
	bump(s, SLOT_METRICS);
	unlock_and_wake(s, &rel, true);
}

bool store_box_metrics(struct store *s, const char *box_id, struct box_metrics *out,
		       struct metric_history *hist_out)
{
	const struct metric_entry *e;
	bool found = false;

	if (box_id == NULL)
		return false;
	lock(s);
	e = metric_entry(s, box_id, false);
	if (e != NULL) {
		if (out != NULL)
			*out = e->latest;
		if (hist_out != NULL)
			*hist_out = e->history;
		found = true;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

size_t store_box_metrics_count(struct store *s)
{
	size_t n;

	lock(s);
	n = s->n_metrics;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Jobs. */

static struct job_key job_key_of(const struct job *j)
{
	struct job_key k = {j->finished_ms, j->id};

	return k;
}

static int job_key_cmp(struct job_key a, struct job_key b)
{
	if (a.finished_ms != b.finished_ms)
		return a.finished_ms < b.finished_ms ? -1 : 1;
	return (a.id > b.id) - (a.id < b.id);
}

/* Newest first. */
static int cmp_job_key_desc(const void *a, const void *b)
{
	return job_key_cmp(*(const struct job_key *)b, *(const struct job_key *)a);
}

/* The oldest finished job to keep; false when no more than the kept number finished. */
static bool job_cutoff(const struct shared_vec *v, struct job_key *cutoff)
{
	struct job_key *keys;
	size_t n = 0;

	if (v == NULL || v->n <= STORE_JOBS_KEPT)
		return false;
	keys = xcalloc(v->n, sizeof(*keys));
	for (size_t i = 0; i < v->n; i++)
		if (job_is_finished(shared_get(v->items[i])))
			keys[n++] = job_key_of(shared_get(v->items[i]));
	if (n > STORE_JOBS_KEPT) {
		qsort(keys, n, sizeof(*keys), cmp_job_key_desc);
		*cutoff = keys[STORE_JOBS_KEPT - 1];
	}
	free(keys);
	return n > STORE_JOBS_KEPT;
}

static bool keep_job(const struct shared *item, void *ctx)
{
	const struct job *j = shared_get(item);

	return !job_is_finished(j) || job_key_cmp(job_key_of(j), *(struct job_key *)ctx) >= 0;
}

/* Makes jobs the jobs table, pruned of old finished jobs. Lock held. */
static void publish_jobs(struct store *s, struct shared *jobs, struct release *rel)
{
	struct job_key cutoff;
	struct shared *pruned;

	if (job_cutoff(shared_get(jobs), &cutoff) &&
	    vec_filter(shared_get(jobs), keep_job, &cutoff, &pruned)) {
		release_ref(rel, jobs);
		jobs = pruned;
	}
	swap_locked(s, SLOT_JOBS, jobs, rel);
}

uint64_t store_job_add(struct store *s, const struct job *tmpl)
{
	static const struct job blank;
	struct release rel = {0};
	struct job *j = xmalloc(sizeof(*j));
	struct shared *item = shared_new(j, destroy_job);
	const struct shared_vec *jobs;
	uint64_t id;

	job_copy(j, tmpl != NULL ? tmpl : &blank);
	lock(s);
	id = ++s->last_job_id;
	j->id = id; /* not yet seen by any other thread */
	jobs = vec_locked(s, SLOT_JOBS);
	publish_jobs(s, vec_splice(jobs, jobs != NULL ? jobs->n : 0, 0, item), &rel);
	unlock_and_wake(s, &rel, true);
	return id;
}

int store_job_update(struct store *s, uint64_t id, const struct job_update *u)
{
	struct release rel = {0};
	const struct shared_vec *jobs;
	const struct job *old = NULL;
	struct job *j;
	bool found;
	size_t at;
	int rc = -1;

	lock(s);
	jobs = vec_locked(s, SLOT_JOBS);
	at = vec_find(jobs, &id, cmp_job, &found);
	if (found)
		old = shared_get(jobs->items[at]);
	if (old != NULL && !job_is_finished(old)) {
		j = xmalloc(sizeof(*j));
		job_copy(j, old);
		job_apply(j, u);
		publish_jobs(s, vec_splice(jobs, at, 1, shared_new(j, destroy_job)), &rel);
		rc = 0;
	}
	unlock_and_wake(s, &rel, rc == 0);
	return rc;
}

/* Reading. */

/* Brings slot i of v up to date. Lock held. */
static void refresh_slot(const struct store *s, struct store_view *v, size_t i, struct release *rel)
{
	v->slot_gen[i] = s->slot_gen[i];
	release_ref(rel, v->val[i]);
	v->val[i] = shared_ref(s->val[i]);
	if (i == SLOT_RUNTIME) {
		v->has_runtime = s->has_runtime;
		v->runtime = s->runtime;
	}
	if (i == SLOT_CONN)
		v->conn = s->conn;
}

/* Refreshes the slots of v that changed and returns their bits. Lock held. */
static unsigned refresh_view(const struct store *s, struct store_view *v, struct release *rel)
{
	unsigned changed = 0;

	for (size_t i = 0; i < STORE_SLOT_COUNT; i++) {
		if (v->slot_gen[i] != s->slot_gen[i]) {
			refresh_slot(s, v, i, rel);
			changed |= 1u << i;
		}
	}
	if (v->log_gen != s->log_gen) {
		v->log_gen = s->log_gen;
		changed |= STORE_LOG;
	}
	v->gen = s->gen;
	return changed;
}

unsigned store_read(struct store *s, struct store_view *view)
{
	struct release rel = {0};
	unsigned changed = 0;

	lock(s);
	if (view->gen != s->gen)
		changed = refresh_view(s, view, &rel);
	pthread_mutex_unlock(&s->lock);
	release_run(&rel);
	return changed;
}

void store_view_release(struct store_view *view)
{
	if (view == NULL)
		return;
	for (size_t i = 0; i < STORE_SLOT_COUNT; i++)
		shared_unref(&view->val[i]);
	memset(view, 0, sizeof(*view));
}

uint64_t store_view_generation(const struct store_view *view, unsigned slot)
{
	if (view == NULL)
		return 0;
	if (slot == 0)
		return view->gen;
	for (size_t i = 0; i < STORE_SLOT_COUNT; i++)
		if (slot == 1u << i)
			return view->slot_gen[i];
	return 0;
}

static const void *view_get(const struct store_view *view, size_t i)
{
	return view != NULL ? shared_get(view->val[i]) : NULL;
}

const struct box_list *store_view_boxes(const struct store_view *view)
{
	return view_get(view, SLOT_BOXES);
}

const struct runtime_metrics *store_view_runtime(const struct store_view *view)
{
	return view != NULL && view->has_runtime ? &view->runtime : NULL;
}

const struct image_list *store_view_images(const struct store_view *view)
{
	return view_get(view, SLOT_IMAGES);
}

const struct image_detail *store_view_image_detail(const struct store_view *view)
{
	return view_get(view, SLOT_IMAGE_DETAIL);
}

const struct server_config *store_view_config(const struct store_view *view)
{
	return view_get(view, SLOT_CONFIG);
}

const struct principal *store_view_principal(const struct store_view *view)
{
	return view_get(view, SLOT_PRINCIPAL);
}

const struct snapshot_list *store_view_snapshots(const struct store_view *view, const char *box_id)
{
	const struct shared_vec *v = view_get(view, SLOT_SNAPSHOTS);
	const struct snap_entry *e;
	bool found = false;
	size_t at = box_id != NULL ? vec_find(v, box_id, cmp_snap, &found) : 0;

	if (!found)
		return NULL;
	e = shared_get(v->items[at]);
	return e->list;
}

const struct conn_state *store_view_conn(const struct store_view *view)
{
	static const struct conn_state initial;

	return view != NULL ? &view->conn : &initial;
}

size_t store_view_job_count(const struct store_view *view)
{
	const struct shared_vec *v = view_get(view, SLOT_JOBS);

	return v != NULL ? v->n : 0;
}

const struct job *store_view_job_at(const struct store_view *view, size_t i)
{
	const struct shared_vec *v = view_get(view, SLOT_JOBS);

	return v != NULL && i < v->n ? shared_get(v->items[i]) : NULL;
}

const struct job *store_view_job(const struct store_view *view, uint64_t id)
{
	const struct shared_vec *v = view_get(view, SLOT_JOBS);
	bool found;
	size_t at = vec_find(v, &id, cmp_job, &found);

	return found ? shared_get(v->items[at]) : NULL;
}

/* ---- the log feed ---- */

void store_log_open(struct store *s, uint64_t session)
{
	struct log_chunk *old;
	struct release rel = {0};

	lock(s);
	old = s->log_head;
	s->log_head = s->log_tail = NULL;
	s->log_bytes = s->log_dropped = 0;
	s->log_session = session;
	s->log_state[0] = '\0';
	s->log_gen++;
	s->gen++;
	unlock_and_wake(s, &rel, true);
	chunks_free(old);
}

/* Drops the oldest chunks until n more bytes fit. Lock held; returns what to free. */
static struct log_chunk *make_room(struct store *s, size_t n)
{
	struct log_chunk *gone = NULL, **tail = &gone;

	while (s->log_head != NULL && s->log_bytes + n > STORE_LOG_MAX) {
		struct log_chunk *c = s->log_head;

		s->log_head = c->next;
		if (s->log_head == NULL)
			s->log_tail = NULL;
		s->log_bytes -= c->n;
		s->log_dropped += c->n;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	return gone;
}

void store_log_push(struct store *s, uint64_t session, int stream, const void *bytes, size_t n)
{
	struct log_chunk *c, *gone = NULL;
	struct release rel = {0};
	bool taken = false, first = false;

	if (n == 0)
		return;
	if (n > STORE_LOG_MAX) { /* only the newest part of a huge read can be kept */
		bytes = (const char *)bytes + (n - STORE_LOG_MAX);
		n = STORE_LOG_MAX;
	}
	c = xmalloc(sizeof(*c) + n);
	c->next = NULL;
	c->stream = stream;
	c->n = n;
	memcpy(c->data, bytes, n);
	lock(s);
	if (session == s->log_session) {
		/* a queue holding chunks has a wake pending: one byte per take, not per read */
		first = s->log_head == NULL;
		gone = make_room(s, n);
		*(s->log_tail != NULL ? &s->log_tail->next : &s->log_head) = c;
		s->log_tail = c;
		s->log_bytes += n;
		s->log_gen++;
		s->gen++;
		taken = true;
	}
	unlock_and_wake(s, &rel, taken && first);
	chunks_free(gone);
	if (!taken)
		free(c);
}

void store_log_state(struct store *s, uint64_t session, const char *state)
{
	struct release rel = {0};
	bool taken = false;

	lock(s);
	if (session == s->log_session) {
		snprintf(s->log_state, sizeof(s->log_state), "%s", state != NULL ? state : "");
		s->log_gen++;
		s->gen++;
		taken = true;
	}
	unlock_and_wake(s, &rel, taken);
}

size_t store_log_take(struct store *s, uint64_t session, store_log_fn fn, void *arg, char *state,
		      size_t size)
{
	struct log_chunk *list = NULL;
	size_t dropped = 0;

	lock(s);
	if (session == s->log_session) {
		list = s->log_head;
		s->log_head = s->log_tail = NULL;
		s->log_bytes = 0;
		dropped = s->log_dropped;
		s->log_dropped = 0;
		if (state != NULL && size > 0)
			snprintf(state, size, "%s", s->log_state);
	} else if (state != NULL && size > 0) {
		state[0] = '\0';
	}
	pthread_mutex_unlock(&s->lock);
	for (struct log_chunk *c = list; c != NULL; c = c->next)
		fn(arg, c->stream, c->data, c->n);
	chunks_free(list);
	return dropped;
}
