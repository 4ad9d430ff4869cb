/*
 * poller: the thread that keeps the store fresh, so the UI never waits on
 * the network.
 *
 * Every interval it fetches the box list and the runtime metrics, the
 * metrics of the boxes the UI says it shows (running ones) and of the
 * selected box (at most 8 requests in flight, one thread), and the selected
 * box's snapshots; images every 30 s or every round while their view is
 * open; the server config at start, every 5 minutes and after reconnecting.
 * The box list is asked for with If-None-Match and a 304 skips decoding.
 * A round that takes longer than the interval is followed by the next one
 * at once, never by a backlog.
 *
 * It publishes the connection state (connecting, connected, degraded when
 * some requests fail, down with the next retry time, auth failed) and keeps
 * the last good data in the store when the server goes away. It never
 * exits because of the server: when the server is down it retries with a
 * backoff from 1 s up to 30 s and recovers by itself. When the server
 * refuses the bearer it asks again after 30 s, or at once when the login
 * changes (see login.h), and says "login expired: run boxlite auth login"
 * when that is why.
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
 * What the screen needs: the ids of the boxes it shows (their metrics are
 * fetched when they run), the selected box (its metrics and snapshots), and
 * whether the images view is open. Copied; takes effect on the next round.
 */
void poller_set_interest(struct poller *p, const char *const *visible, size_t n,
			 const char *selected, bool images_open);
/* Polls now instead of at the next tick (after an action, or a key). */
void poller_kick(struct poller *p);

#endif
