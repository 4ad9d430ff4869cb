/*
 * logtail: one thread, one read-only attach, woken every STOP_POLL_MS to
 * see whether it was stopped. A refused or ended attach is not retried on
 * its own: following again is the operator's choice (the Logs view's key),
 * since every attach is use of the box.
 */
#include "logtail.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "exec.h"
#include "pool.h"
#include "model/sanitize.h"
#include "model/xalloc.h"

#define STOP_POLL_MS 200

struct logtail {
	pthread_t thread;
	atomic_bool stop;
	char *base_url, *prefix, *box_id;
	struct http_conf conf; /* its strings are the two below */
	char *bearer, *ca_file;
	struct store *store;
	uint64_t session;
};

static void on_output(void *arg, enum attach_stream s, const uint8_t *data, size_t len)
{
	struct logtail *t = arg;

	store_log_push(t->store, t->session, s, data, len);
}

static void state(struct logtail *t, const char *what, const char *why)
{
	char buf[600];
	char *safe = why != NULL ? sanitize_dup(why, 200) : NULL;

	snprintf(buf, sizeof(buf), "%s%s%s", what, safe != NULL ? ": " : "",
		 safe != NULL ? safe : "");
	free(safe);
	store_log_state(t->store, t->session, buf);
}

static void follow(struct logtail *t, struct attach *at)
{
	struct attach_cb cb = {.output = on_output, .arg = t};
	struct net_error err;
	int code, rc;

	state(t, "attached", NULL);
	while (!atomic_load(&t->stop)) {
		struct pollfd pf = {.fd = attach_fd(at), .events = POLLIN};
		int wait = attach_timeout_ms(at);

		if (attach_wants_write(at))
			pf.events |= POLLOUT;
		poll(&pf, 1, wait < STOP_POLL_MS ? wait : STOP_POLL_MS);
		rc = attach_service(at, &cb, &code, &err);
		if (rc == 1) {
			char why[40];

			snprintf(why, sizeof(why), "exit status %d", code);
			state(t, "ended", why);
			return;
		}
		if (rc < 0) {
			state(t, "closed", err.message);
			return;
		}
	}
}

static void *run(void *arg)
{
	struct logtail *t = arg;
	struct api *a = api_new(t->base_url, t->prefix, &t->conf);
	struct net_error err;
	struct attach *at;

	state(t, "attaching", NULL);
	at = attach_open(a, t->box_id, NULL, false, &t->stop, &err);
	if (at == NULL) {
		if (err.kind != NET_CANCELLED)
			state(t, "refused", err.message);
	} else {
		follow(t, at);
		attach_free(&at);
	}
	api_free(&a);
	return NULL;
}

struct logtail *logtail_start(const char *base_url, const char *prefix,
			      const struct http_conf *conf, struct login *login, const char *box_id,
			      struct store *store, uint64_t session)
{
	struct logtail *t = xcalloc(1, sizeof(*t));
	sigset_t old;
	int rc;

	t->base_url = xstrdup(base_url);
	t->prefix = xstrdup(prefix);
	t->box_id = xstrdup(box_id);
	t->conf = *conf;
	t->bearer = login != NULL ? login_bearer(login, NULL) : xstrdup(conf->bearer);
	t->ca_file = xstrdup(conf->ca_file);
	t->conf.bearer = t->bearer;
	t->conf.ca_file = t->ca_file;
	t->store = store;
	t->session = session;
	store_log_open(store, session);
	pool_block_signals(&old); /* the terminal's signals are the UI thread's */
	rc = pthread_create(&t->thread, NULL, run, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		t->thread = 0;
		logtail_stop(&t);
		errno = rc;
		return NULL;
	}
	return t;
}

void logtail_stop(struct logtail **tp)
{
	struct logtail *t = *tp;

	if (t == NULL)
		return;
	atomic_store(&t->stop, true);
	if (t->thread != 0)
		pthread_join(t->thread, NULL);
	free(t->base_url);
	free(t->prefix);
	free(t->box_id);
	login_bearer_free(t->bearer);
	free(t->ca_file);
	free(t);
	*tp = NULL;
}
