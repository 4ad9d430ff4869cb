/*
 * poller: one thread, one round at a time. The UI's interest is copied in
 * under the lock and copied out at the start of a round; everything else
 * belongs to the thread. The round's results go to the store as whole
 * values; the connection state is worked out at the end of the round from
 * what failed: the box list failing means the server is down (or the key is
 * refused), anything else failing means degraded.
 */
#include "poller.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "batchfetch.h"
#include "boxpages.h"
#include "pool.h"
#include "model/xalloc.h"
#include "model/timeutil.h"

struct interest {
	char **visible;
	size_t n;
	char *selected;
	bool images_open;
	char *image; /* the selected image's name, or NULL */
};

struct poller {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, kick;      /* under lock */
	struct interest want; /* under lock */
	char **looks;         /* under lock: boxes whose snapshots were asked for */
	size_t n_looks;
	atomic_bool cancel;
	struct store *store;
	/* The thread's own. */
	struct poller_opts o; /* o.http's strings point at the copies below */
	char *base_url;
	char *prefix;
	char *bearer;
	char *ca_file;
	bool prefix_explicit;
	struct api *api;
	struct http_batch *batch;
	struct box_pages *pages;
	char **running; /* ids of the running boxes in the last list */
	size_t n_running;
	int64_t last_images_ms, last_config_ms;
	bool no_usage; /* the server has no GET /images/usage */
	bool need_config, need_me;
	unsigned failures;     /* rounds in a row the server was down */
	unsigned login_gen;    /* the login generation of bearer */
	int64_t auth_retry_ms; /* while auth failed: when to ask the server again */
	bool kicked;           /* the last wait ended by a kick */
	struct conn_state conn;
};

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void interest_clear(struct interest *w)
{
	strv_free(w->visible, w->n);
	free(w->selected);
	free(w->image);
	memset(w, 0, sizeof(*w));
}

static void interest_copy(struct interest *dst, const struct interest *src)
{
	dst->n = src->n;
	dst->visible = src->n != 0 ? xcalloc(src->n, sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->n; i++)
		dst->visible[i] = xstrdup(src->visible[i]);
	dst->selected = xstrdup(src->selected);
	dst->images_open = src->images_open;
	dst->image = xstrdup(src->image);
}

void poller_set_interest(struct poller *p, const char *const *visible, size_t n,
			 const char *selected, bool images_open, const char *image)
{
	struct interest w = {.n = n, .images_open = images_open};

	w.visible = n != 0 ? xcalloc(n, sizeof(char *)) : NULL;
	for (size_t i = 0; i < n; i++)
		w.visible[i] = xstrdup(visible[i]);
	w.selected = xstrdup(selected);
	w.image = xstrdup(image);
	pthread_mutex_lock(&p->lock);
	interest_clear(&p->want);
	p->want = w;
	pthread_mutex_unlock(&p->lock);
}

void poller_look_snapshots(struct poller *p, const char *box_id)
{
	bool queued = false;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->n_looks && !queued; i++)
		queued = strcmp(p->looks[i], box_id) == 0;
	if (!queued) {
		p->looks = xreallocarray(p->looks, p->n_looks + 1, sizeof(*p->looks));
		p->looks[p->n_looks++] = xstrdup(box_id);
	}
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void poller_kick(struct poller *p)
{
	pthread_mutex_lock(&p->lock);
	p->kick = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* The connection state moves to status (stamping since_ms when it changes). */
static void set_conn(struct poller *p, enum conn_status status, const char *message,
		     int64_t next_retry_ms)
{
	int64_t now = time_mono_ms();
	size_t len = strnlen(message, sizeof(p->conn.message) - 1); /* a long one is cut */

	if (p->conn.status != status)
		p->conn.since_ms = now;
	p->conn.status = status;
	memcpy(p->conn.message, message, len);
	p->conn.message[len] = '\0';
	p->conn.next_retry_ms = next_retry_ms;
	if (status == CONN_CONNECTED || status == CONN_DEGRADED)
		p->conn.last_ok_ms = now;
	store_set_conn(p->store, &p->conn);
}

static bool auth_refused(const struct net_error *err)
{
	return err->kind == NET_STATUS && (err->api.kind == API_ERR_UNAUTHENTICATED ||
					   err->api.kind == API_ERR_PERMISSION_DENIED);
}

/* Config at start, every config_ms and after reconnecting; /v1/me once for the prefix. */
static int refresh_config(struct poller *p, int64_t now, struct net_error *err)
{
	struct server_config *cfg = NULL;
	struct principal *me = NULL;

	if (p->need_config || now - p->last_config_ms >= (int64_t)p->o.config_ms) {
		if (api_config(p->api, &p->cancel, &cfg, err) < 0)
			return -1;
		store_set_config(p->store, &cfg);
		p->last_config_ms = now;
		p->no_usage = false; /* a server may have been upgraded meanwhile */
		p->need_config = false;
	}
	if (!p->need_me)
		return 0;
	if (api_me(p->api, &p->cancel, &me, err) < 0)
		return -1;
	if (!p->prefix_explicit)
		api_set_prefix(p->api, me->path_prefix);
	store_set_principal(p->store, &me);
	p->need_me = false;
	return 0;
}

/* Remembers which boxes run: their metrics are worth fetching. */
static void note_running(struct poller *p, const struct box_list *l)
{
	strv_free(p->running, p->n_running);
	p->running = l->n != 0 ? xcalloc(l->n, sizeof(char *)) : NULL;
	p->n_running = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].status == BOX_RUNNING)
			p->running[p->n_running++] = xstrdup(l->items[i].id);
}

/*
 * The box list, published only when a page of it changed (boxpages): the
 * list the store holds is the one the last change gave.
 */
static int poll_boxes(struct poller *p, struct net_error *err)
{
	struct store_view v = {0};
	struct box_list *l = NULL;
	int rc;

	store_read(p->store, &v);
	rc = box_pages_fetch(p->pages, p->api, store_view_boxes(&v), &p->cancel, &l, err);
	store_view_release(&v);
	if (rc <= 0)
		return rc;
	note_running(p, l);
	store_set_boxes(p->store, &l);
	return 0;
}

static bool is_running(const struct poller *p, const char *id)
{
	for (size_t i = 0; i < p->n_running; i++)
		if (strcmp(p->running[i], id) == 0)
			return true;
	return false;
}

/*
 * Whether a stop or delete of box id is queued or running, or ended after
 * since_ms (when the list that says the box runs was asked for): the list is
 * stale, and on boxlite serve a metrics read of a box that has just stopped
 * would start it again.
 */
static bool being_stopped(const struct store_view *v, const char *id, int64_t since_ms)
{
	for (size_t i = 0; i < store_view_job_count(v); i++) {
		const struct job *j = store_view_job_at(v, i);

		if ((j->kind == JOB_STOP || j->kind == JOB_DELETE_BOX) && xstreq(j->box_id, id) &&
		    (!job_is_finished(j) || j->finished_ms >= since_ms))
			return true;
	}
	return false;
}

/*
 * The ids whose metrics to fetch: the visible boxes and the selected one,
 * only those the list says run and no stop is under way on. Monitoring
 * never asks a box that is not running: on boxlite serve that starts it.
 */
static size_t metric_ids(struct poller *p, const struct interest *w, int64_t since_ms,
			 const char **ids)
{
	struct store_view v = {0};
	size_t n = 0;

	store_read(p->store, &v);
	for (size_t i = 0; i <= w->n; i++) {
		const char *id = i < w->n ? w->visible[i] : w->selected;
		bool seen = false;

		if (id == NULL || !is_running(p, id) || being_stopped(&v, id, since_ms))
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(ids[k], id) == 0;
		if (!seen)
			ids[n++] = id;
	}
	store_view_release(&v);
	return n;
}

/* Per-box metrics, POLLER_METRICS_PARALLEL at a time. Returns how many failed, the first in *first.
 */
static int poll_metrics(struct poller *p, const struct interest *w, int64_t since_ms,
			struct net_error *first)
{
	const char **ids = xcalloc(w->n + 1, sizeof(char *));
	size_t n = metric_ids(p, w, since_ms, ids);
	struct box_metrics *m = xcalloc(n + 1, sizeof(*m));
	bool *got = xcalloc(n + 1, sizeof(bool));
	int64_t now = time_mono_ms();
	size_t failed = batchfetch_box_metrics(p->api, p->batch, ids, n, &p->cancel, m, got, first);

	for (size_t i = 0; i < n; i++)
		store_put_box_metrics(p->store, ids[i], got[i] ? &m[i] : NULL, now);
	free(ids);
	free(m);
	free(got);
	return (int)failed;
}

/*
 * The image cache's usage, attached to the list, on servers that have it:
 * after a 4xx the poller stops asking until it reconnects.
 */
static void poll_usage(struct poller *p, struct image_list *images)
{
	struct net_error err;

	if (p->no_usage)
		return;
	if (api_image_usage(p->api, &p->cancel, &images->usage, &err) == 0)
		images->has_usage = true;
	else
		p->no_usage = err.kind == NET_STATUS && err.api.http_status >= 400 &&
			      err.api.http_status < 500;
}

/*
 * The selected image's detail, while the Images view is open. Reading an
 * image uses no box, so a timer is fine. One that cannot be read (gone
 * since the list, a server without the route) is stored with why, for the
 * view to say; it is no sign of a server in trouble.
 */
static void poll_image_detail(struct poller *p, const char *name)
{
	struct image_detail *d = NULL;
	struct net_error err;

	if (api_image(p->api, name, &p->cancel, &d, &err) < 0)
		d = image_detail_failed(name, err.message);
	else
		d->asked = xstrdup(name);
	store_set_image_detail(p->store, &d);
}

/* Counts a failed request; the first one's reason is what the status line says. */
static void failed_one(int *failed, struct net_error *first, const struct net_error *err)
{
	if ((*failed)++ == 0)
		*first = *err;
}

/*
 * Everything but the box list; returns how many requests failed, the first
 * one's reason in *first.
 */
static int poll_rest(struct poller *p, const struct interest *w, int64_t now,
		     struct net_error *first)
{
	struct runtime_metrics rm = {0};
	struct image_list *images = NULL;
	struct net_error err;
	int failed = 0, n;

	/* the boxes' metrics first, right after the list that says which run */
	n = poll_metrics(p, w, now, &err);
	if (n > 0)
		failed_one(&failed, first, &err);
	failed += n > 0 ? n - 1 : 0;
	if (api_runtime_metrics(p->api, &p->cancel, &rm, &err) == 0)
		store_set_runtime(p->store, &rm);
	else
		failed_one(&failed, first, &err);
	if (w->images_open || p->last_images_ms == 0 ||
	    now - p->last_images_ms >= (int64_t)p->o.images_ms) {
		if (api_images(p->api, &p->cancel, &images, &err) == 0) {
			poll_usage(p, images);
			store_set_images(p->store, &images);
			p->last_images_ms = now;
		} else {
			failed_one(&failed, first, &err);
		}
	}
	if (w->images_open && w->image != NULL)
		poll_image_detail(p, w->image);
	return failed;
}

/*
 * The snapshots of every box someone asked to look at since the last round,
 * once each. Asking counts as using the box on boxlite serve, so it is
 * never done on a timer. A look that fails leaves the reason in the store.
 */
static void poll_looks(struct poller *p)
{
	char **ids;
	size_t n;

	pthread_mutex_lock(&p->lock);
	ids = p->looks;
	n = p->n_looks;
	p->looks = NULL;
	p->n_looks = 0;
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < n && !atomic_load(&p->cancel); i++) {
		struct snapshot_list *l = NULL;
		struct net_error err;
		int64_t asked_ms = time_mono_ms();
		int64_t asked_at = (int64_t)time(NULL);

		if (api_snapshots(p->api, ids[i], &p->cancel, &l, &err) < 0)
			l = snapshot_list_failed(err.message, asked_ms, asked_at);
		l->asked_ms = asked_ms;
		l->asked_at = asked_at;
		store_set_snapshots(p->store, ids[i], &l);
	}
	strv_free(ids, n);
}

/* The last round reached the server: a look can go without a round of its own. */
static bool connected(const struct poller *p)
{
	return p->conn.status == CONN_CONNECTED || p->conn.status == CONN_DEGRADED;
}

/* The wait after a round that found the server down: 1 s doubling to retry_max_ms. */
static int64_t retry_delay(const struct poller *p)
{
	int64_t d = 1000;

	for (unsigned i = 1; i < p->failures && d < p->o.retry_max_ms; i++)
		d *= 2;
	return d < p->o.retry_max_ms ? d : p->o.retry_max_ms;
}

/* The handles, made (again) with the bearer of o.http; the prefix learnt stays. */
static void make_handles(struct poller *p)
{
	char *prefix = p->api != NULL ? xstrdup(api_prefix(p->api)) : xstrdup(p->prefix);

	http_batch_free(&p->batch);
	api_free(&p->api);
	p->api = api_new(p->base_url, prefix, &p->o.http);
	api_set_read_tries(p->api, 1);
	p->batch = http_batch_new(&p->o.http, POLLER_METRICS_PARALLEL);
	free(prefix);
}

static bool login_newer(const struct poller *p)
{
	return p->o.login != NULL && login_generation(p->o.login) != p->login_gen;
}

/*
 * Takes login's bearer when it is newer than the handles'; true when it
 * was. Another key may be another account: its prefix is asked again and
 * the remembered pages go.
 */
static bool take_login(struct poller *p)
{
	if (!login_newer(p))
		return false;
	login_bearer_free(p->bearer);
	p->bearer = login_bearer(p->o.login, &p->login_gen);
	p->o.http.bearer = p->bearer;
	make_handles(p);
	p->need_me = !p->prefix_explicit;
	box_pages_forget(p->pages);
	return true;
}

/*
 * After the server refused the bearer: reads the login again (the token may
 * have expired, or been renewed). 1: a new bearer, try it now; 0: the same;
 * -1: msg says why there is none ("login expired: run boxlite auth login").
 */
static int relogin(struct poller *p, char *msg, size_t len)
{
	int rc;

	if (p->o.login == NULL)
		return 0;
	rc = login_recheck(p->o.login, (int64_t)time(NULL), msg, len);
	return take_login(p) ? 1 : rc < 0 ? -1 : 0;
}

/*
 * While the server refuses the bearer: the time to wait before the next
 * look, or 0 when the round should run (a new login, a kick, or time to
 * ask the server again).
 */
static int64_t auth_wait(struct poller *p, int64_t now)
{
	char msg[sizeof(p->conn.message)];
	int rc;

	if (p->conn.status != CONN_AUTH_FAILED || p->kicked || now >= p->auth_retry_ms)
		return 0;
	if (p->o.login == NULL)
		return p->auth_retry_ms;
	rc = login_check(p->o.login, (int64_t)time(NULL), msg, sizeof(msg));
	/* renewed (or readable again), maybe seen first by a job: the round takes it */
	if (rc > 0 || login_newer(p))
		return 0;
	if (rc < 0 && strcmp(msg, p->conn.message) != 0)
		set_conn(p, CONN_AUTH_FAILED, msg, 0);
	return now + 1000 < p->auth_retry_ms ? now + 1000 : p->auth_retry_ms;
}

/* One round; returns when the next should start. */
static int64_t round_once(struct poller *p, const struct interest *w)
{
	int64_t start = time_mono_ms();
	struct net_error err;
	char msg[sizeof(p->conn.message)];
	int64_t wait = auth_wait(p, start);
	int failed;

	if (wait != 0)
		return wait;
	if (p->o.login != NULL) {
		login_check(p->o.login, (int64_t)time(NULL), msg, sizeof(msg));
		take_login(p);
	}
	if (refresh_config(p, start, &err) < 0 || poll_boxes(p, &err) < 0) {
		if (atomic_load(&p->cancel))
			return start;
		box_pages_forget(p->pages); /* the server, or the prefix, may change */
		if (auth_refused(&err)) {
			int rc = relogin(p, msg, sizeof(msg));

			p->need_me = !p->prefix_explicit;
			if (rc > 0) {
				p->auth_retry_ms = 0; /* a renewed login: try it at once */
				return time_mono_ms();
			}
			set_conn(p, CONN_AUTH_FAILED, rc < 0 ? msg : err.message, 0);
			p->auth_retry_ms = start + p->o.retry_max_ms;
			return p->o.login != NULL ? time_mono_ms() + 1000 : p->auth_retry_ms;
		}
		p->failures++;
		p->need_config = true;
		set_conn(p, CONN_DOWN, err.message, time_mono_ms() + retry_delay(p));
		return time_mono_ms() + retry_delay(p);
	}
	p->failures = 0;
	failed = poll_rest(p, w, start, &err);
	poll_looks(p);
	if (failed != 0)
		snprintf(msg, sizeof(msg), "%d request%s failed: %.200s", failed,
			 failed == 1 ? "" : "s", err.message);
	set_conn(p, failed != 0 ? CONN_DEGRADED : CONN_CONNECTED, failed != 0 ? msg : "", 0);
	return start + p->o.interval_ms;
}

/* Waits until deadline, a kick or stop; false when stopping. */
static bool wait_until(struct poller *p, int64_t deadline)
{
	struct timespec ts;
	bool go_on;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	{
		int64_t ms = deadline - time_mono_ms();

		if (ms < 0)
			ms = 0;
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && !p->kick && p->n_looks == 0 &&
		       pthread_cond_timedwait(&p->cond, &p->lock, &ts) != ETIMEDOUT)
			;
		/* a look alone asks the snapshots at once, not the whole round */
		if (p->stop || p->kick || p->n_looks == 0 || !connected(p))
			break;
		pthread_mutex_unlock(&p->lock);
		poll_looks(p);
		pthread_mutex_lock(&p->lock);
	}
	p->kicked = p->kick;
	p->kick = false;
	go_on = !p->stop;
	pthread_mutex_unlock(&p->lock);
	return go_on;
}

static void *run(void *arg)
{
	struct poller *p = arg;
	int64_t next;

	p->pages = box_pages_new();
	if (!take_login(p))
		make_handles(p);
	set_conn(p, CONN_CONNECTING, "", 0);
	do {
		struct interest w = {0};

		pthread_mutex_lock(&p->lock);
		interest_copy(&w, &p->want);
		pthread_mutex_unlock(&p->lock);
		next = round_once(p, &w);
		interest_clear(&w);
	} while (wait_until(p, next));
	box_pages_free(&p->pages);
	http_batch_free(&p->batch);
	api_free(&p->api);
	return NULL;
}

struct poller *poller_start(const struct poller_opts *o, struct store *store)
{
	struct poller *p = xcalloc(1, sizeof(*p));
	pthread_condattr_t attr;
	sigset_t old;
	int rc;

	p->o = *o;
	p->o.interval_ms = o->interval_ms != 0 ? o->interval_ms : 2000;
	p->o.images_ms = o->images_ms != 0 ? o->images_ms : 30000;
	p->o.config_ms = o->config_ms != 0 ? o->config_ms : 300000;
	p->o.retry_max_ms = o->retry_max_ms != 0 ? o->retry_max_ms : 30000;
	p->base_url = xstrdup(o->base_url);
	p->prefix = xstrdup(o->prefix);
	p->prefix_explicit = o->prefix != NULL;
	p->bearer = xstrdup(o->http.bearer);
	p->login_gen = o->login != NULL ? login_generation(o->login) - 1 : 0; /* take it at start */
	p->ca_file = xstrdup(o->http.ca_file);
	p->o.http.bearer = p->bearer;
	p->o.http.ca_file = p->ca_file;
	p->store = store;
	p->need_config = true;
	p->need_me = true;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &attr);
	pthread_condattr_destroy(&attr);
	pool_block_signals(&old);
	rc = pthread_create(&p->thread, NULL, run, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p->base_url);
		free(p->prefix);
		free(p->bearer);
		free(p->ca_file);
		free(p);
		return NULL;
	}
	return p;
}

void poller_stop(struct poller **pp)
{
	struct poller *p = pp != NULL ? *pp : NULL;

	if (p == NULL)
		return;
	atomic_store(&p->cancel, true);
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	interest_clear(&p->want);
	strv_free(p->looks, p->n_looks);
	strv_free(p->running, p->n_running);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->base_url);
	free(p->prefix);
	if (p->bearer != NULL)
		explicit_bzero(p->bearer, strlen(p->bearer));
	free(p->bearer);
	free(p->ca_file);
	free(p);
	*pp = NULL;
}
