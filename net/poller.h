/*
 * poller: the thread that keeps the store fresh, so the UI never waits on
 * the network.
 *
 * Every interval it fetches the box list, the metrics of the boxes the UI
 * says it shows and of the selected one (at most 8 requests in flight, one
 * thread) and the runtime metrics; images every 30 s or every round while
 * their view is open, with the selected image's detail; the server config
 * at start, every 5 minutes and after reconnecting. The box list is asked
 * for with If-None-Match and a 304 skips decoding. A round that takes
 * longer than the interval is followed by the next one at once, never by a
 * backlog.
 *
 * Watching never changes what it watches (api.md: on boxlite serve a
 * metrics read starts a box that is not running, and any other request
 * under a box holds it awake). So only boxes the list says run, with no
 * stop or delete of boxtop's under way, have their metrics asked for, and a
 * box's snapshots are asked for only when someone looks
 * (poller_look_snapshots: opening its detail, a snapshot picker, a refresh
 * key, a snapshot job ending), once per look, never on a timer.
 *
 * It publishes the connection state (connecting, connected, degraded when
 * some requests fail, down with the next retry time, auth failed) and keeps
 * the last good data in the store when the server goes away. It never
 * exits because of the server: when the server is down it retries with a
 * backoff from 1 s up to 30 s and recovers by itself. When the server
 * refuses the bearer it asks again after 30 s, or at once when the login
 * changes (see login.h), and says "login expired: run boxlite auth login"
 * when that is why.
 *
 * Threads: poller_set_interest, poller_kick and poller_look_snapshots may
 * be called from any thread (the UI's, a job's worker) at any time between
 * poller_start and poller_stop. Each takes the poller's mutex only to copy
 * its argument in, or set a flag, and signals the condition variable the
 * thread waits on, so none of them waits for the network or a round; a
 * call made during a round is seen when the round ends, never lost. Not
 * from a signal handler (a mutex is not async-signal-safe), and never
 * during or after poller_stop, which frees p.
 */
#ifndef BOXTOP_NET_POLLER_H
#define BOXTOP_NET_POLLER_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "login.h"
#include "model/store.h"

#define POLLER_METRICS_PARALLEL 8

struct poller_opts {
	const char *base_url;
	const char *prefix; /* explicit prefix, or NULL: discover it with GET /v1/me */
	struct http_conf http;
	/*
	 * NULL: http's bearer, for good. Else the bearer is login's (http's is
	 * ignored): a renewed login is picked up at the next round, and while
	 * the server refuses the bearer it is looked at every second.
	 */
	struct login *login;
	unsigned interval_ms;  /* 0: 2000 */
	unsigned images_ms;    /* 0: 30000 */
	unsigned config_ms;    /* 0: 300000 */
	unsigned retry_max_ms; /* 0: 30000; the longest wait while the server is down */
};

struct poller;

/* Starts the thread (terminal signals blocked in it). NULL when it cannot. */
struct poller *poller_start(const struct poller_opts *o, struct store *store);
/* Stops the thread (a request in flight is cancelled) and frees p. */
void poller_stop(struct poller **p);

/*
 * What the screen needs: the ids of the boxes it shows and the selected one
 * (their metrics are fetched while they run), whether the images view is
 * open, and the name of the image selected in it (NULL: none), whose detail
 * is then fetched every round (store_view_image_detail). Copied; takes
 * effect on the next round. Any thread (see above).
 */
void poller_set_interest(struct poller *p, const char *const *visible, size_t n,
			 const char *selected, bool images_open, const char *image);
/*
 * Polls now instead of at the next tick (after an action, or a key); any
 * number of kicks while a round runs make one more round after it. Any
 * thread (see above).
 */
void poller_kick(struct poller *p);
/*
 * Asks box_id's snapshots once, now (any thread, see above; box_id is
 * copied): by itself while the server answers, else in the next round that
 * reaches it; nothing else is asked for it. Asked again before the poller
 * takes it up, it is still asked once. The store gets the list, or one that
 * says why it could not be read (snapshot_list.error), stamped with when it
 * was asked (asked_ms).
 */
void poller_look_snapshots(struct poller *p, const char *box_id);

#endif
