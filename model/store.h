/*
 * store: the one place threads meet. The poller and the worker pool write
 * the latest state of the server here; the UI thread reads it.
 *
 * Writers hand over whole values (decode outside, call store_set_*; the
 * value belongs to the store from then on) and never wait for readers.
 * Readers keep a struct store_view and refresh it with store_read, which
 * takes a reference to each value that changed and says which slots did:
 * no reader ever sees half of a write, and a value stays readable through
 * the view for as long as the view holds it, however often it is replaced.
 * Every change writes a byte to a non-blocking pipe the UI can poll().
 *
 * Per-box metrics and their history are the exception: there can be
 * thousands, so they are not in the view but copied out one box at a time
 * with store_box_metrics. The STORE_METRICS bit still says when any changed.
 */
#ifndef BOXTOP_MODEL_STORE_H
#define BOXTOP_MODEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "box.h"
#include "history.h"
#include "image.h"
#include "job.h"
#include "metrics.h"
#include "principal.h"
#include "server_config.h"
#include "shared.h"
#include "snapshot.h"

/* The slots of the store, as bits of the mask store_read returns. */
enum store_slot {
	STORE_BOXES = 1u << 0,
	STORE_RUNTIME = 1u << 1,
	STORE_METRICS = 1u << 2, /* any box's metrics (store_box_metrics) */
	STORE_SNAPSHOTS = 1u << 3,
	STORE_IMAGES = 1u << 4,
	STORE_CONFIG = 1u << 5,
	STORE_PRINCIPAL = 1u << 6,
	STORE_CONN = 1u << 7,
	STORE_JOBS = 1u << 8,
	STORE_IMAGE_DETAIL = 1u << 9,
};
#define STORE_SLOT_COUNT 10
#define STORE_ALL        ((1u << STORE_SLOT_COUNT) - 1)
/* Not a slot: the log feed (store_log_take) has something new. */
#define STORE_LOG (1u << STORE_SLOT_COUNT)
/* Bytes of log the feed queues for the UI at most; past it the oldest go (and are counted). */
#define STORE_LOG_MAX (4u << 20)

/* Finished jobs kept, the most recently finished; running ones are always kept. */
#define STORE_JOBS_KEPT 200

enum conn_status {
	CONN_CONNECTING,
	CONN_CONNECTED,
	CONN_DEGRADED, /* answering, but some requests fail */
	CONN_DOWN,
	CONN_AUTH_FAILED,
	CONN_STATUS_COUNT,
};

/* How the server is reachable. Flat: copy it freely. */
struct conn_state {
	enum conn_status status;
	char message[256];     /* why, for the status line; "" when all is well */
	int64_t since_ms;      /* when status last changed (monotonic ms) */
	int64_t last_ok_ms;    /* the last successful request, 0 = never */
	int64_t next_retry_ms; /* 0 = not waiting to retry */
};

/*
 * A reader's copy of the store. Zero it before the first store_read (which
 * then reports every slot as changed) and give it back with
 * store_view_release. One thread at a time, one store only. The fields are
 * private: read through the store_view_* functions.
 */
struct store_view {
	uint64_t gen;
	uint64_t log_gen;
	uint64_t slot_gen[STORE_SLOT_COUNT];
	struct shared *val[STORE_SLOT_COUNT];
	bool has_runtime;
	struct runtime_metrics runtime;
	struct conn_state conn;
};

struct store;

/*
 * An empty store: no boxes, connection CONN_CONNECTING. Returns NULL with
 * errno set when the wake pipe cannot be made. Free with store_free.
 */
struct store *store_new(void);
/*
 * Frees the store and everything it holds; views still holding values keep
 * them until released. No other thread may use the store any more.
 */
void store_free(struct store **s);

/*
 * The read end of the wake pipe: readable once something changed. Owned by
 * the store, valid until store_free; poll() it, never close it.
 */
int store_wake_fd(const struct store *s);
/* Empties the wake pipe. Call it before store_read, so no change is missed. */
void store_drain_wake(struct store *s);

/*
 * Writers. Any thread; none blocks for longer than a copy of pointers. The
 * store_set_* that take T ** take ownership of *v and NULL it; a NULL *v
 * forgets the value (the view then gives NULL, as before the first set).
 * Every call counts as a change, even one that sets an equal value.
 */

/*
 * Replaces the box list. The metrics, history and snapshots of boxes not
 * in the new list are dropped (all of them when *list is NULL).
 */
void store_set_boxes(struct store *s, struct box_list **list);
/* Copies m; NULL forgets the runtime metrics. */
void store_set_runtime(struct store *s, const struct runtime_metrics *m);
/*
 * Copies m as box_id's latest metrics and adds it to the box's history as
 * a sample taken at now_ms (monotonic). A NULL m is a poll that measured
 * nothing: a gap in the history, and latest metrics with every field absent.
 */
void store_put_box_metrics(struct store *s, const char *box_id, const struct box_metrics *m,
			   int64_t now_ms);
/* Replaces box_id's snapshot list; a NULL *list forgets it. */
void store_set_snapshots(struct store *s, const char *box_id, struct snapshot_list **list);
void store_set_images(struct store *s, struct image_list **list);
/* The last image detail asked for (its asked field names the image), read or not. */
void store_set_image_detail(struct store *s, struct image_detail **detail);
void store_set_config(struct store *s, struct server_config **config);
void store_set_principal(struct store *s, struct principal **principal);
/* Copies c. */
void store_set_conn(struct store *s, const struct conn_state *c);

/*
 * Adds a copy of tmpl (its id is ignored; NULL is a blank job) to the jobs
 * table. Returns the new job's id: 1 for the first, then one more each time.
 */
uint64_t store_job_add(struct store *s, const struct job *tmpl);
/*
 * Applies u to job id (see job_apply). Returns 0, or -1 when there is no
 * such job (never added, or pruned) or it is already finished. Costs a copy
 * of the table's pointers and of this one job, not of the other jobs.
 */
int store_job_update(struct store *s, uint64_t id, const struct job_update *u);

/*
 * Copies box_id's latest metrics into *out and, when hist_out is not NULL,
 * its history into *hist_out. Returns false, writing nothing, when the box
 * has no metrics.
 */
bool store_box_metrics(struct store *s, const char *box_id, struct box_metrics *out,
		       struct metric_history *hist_out);
/* How many boxes have metrics. */
size_t store_box_metrics_count(struct store *s);

/*
 * Readers. Brings view up to date with the store and returns the STORE_*
 * bits of the slots that changed since its last refresh (0: nothing did).
 * Only changed slots are touched; no value is copied, only referenced.
 * Pointers from the view's accessors stay valid until the next store_read
 * or store_view_release on it.
 */
unsigned store_read(struct store *s, struct store_view *view);
/* Drops what view holds and zeroes it. view may be NULL. */
void store_view_release(struct store_view *view);

/*
 * The generation of one slot (a single STORE_* bit) as of the view's last
 * refresh; slot 0 gives the global generation. Generations only grow, by
 * one or more on every change.
 */
uint64_t store_view_generation(const struct store_view *view, unsigned slot);

/* Each NULL until its first store_set_* (or after a NULL one). */
const struct box_list *store_view_boxes(const struct store_view *view);
const struct runtime_metrics *store_view_runtime(const struct store_view *view);
const struct image_list *store_view_images(const struct store_view *view);
const struct image_detail *store_view_image_detail(const struct store_view *view);
const struct server_config *store_view_config(const struct store_view *view);
const struct principal *store_view_principal(const struct store_view *view);
/* box_id's snapshots, or NULL when none were set for it. */
const struct snapshot_list *store_view_snapshots(const struct store_view *view, const char *box_id);
/* Never NULL. */
const struct conn_state *store_view_conn(const struct store_view *view);

/* The jobs table, oldest (lowest id) first. */
size_t store_view_job_count(const struct store_view *view);
/* The i-th job, or NULL when i is out of range. */
const struct job *store_view_job_at(const struct store_view *view, size_t i);
/* The job with that id, or NULL. */
const struct job *store_view_job(const struct store_view *view, uint64_t id);

/* "connecting", "connected", ...; "unknown" when out of range. */
const char *conn_status_name(enum conn_status s);

/*
 * The log feed: a follower thread reading a box's main session pushes what
 * it reads, and says how it stands, under a session number the UI thread
 * gave it; the UI thread takes it. A new session (store_log_open) empties
 * the feed, and pushes of any other session are dropped, so the bytes of a
 * box left behind never reach the next one's log. Bounded by STORE_LOG_MAX.
 */
void store_log_open(struct store *s, uint64_t session);
void store_log_push(struct store *s, uint64_t session, int stream, const void *bytes, size_t n);
/* The follower's state in words ("attached", "refused: ...", "closed: ..."). */
void store_log_state(struct store *s, uint64_t session, const char *state);
typedef void (*store_log_fn)(void *arg, int stream, const char *bytes, size_t n);
/*
 * Calls fn with each chunk queued for session, in order, outside the lock,
 * and empties the queue; copies the follower's latest state into state
 * (size bytes; "" when none). Returns the bytes dropped since the last take.
 */
size_t store_log_take(struct store *s, uint64_t session, store_log_fn fn, void *arg, char *state,
		      size_t size);

#endif
