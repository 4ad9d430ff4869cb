/*
 * logtail: one thread, one read-only attach, and a pipe that wakes it when
 * it is stopped. A refused or ended attach is not retried on
 * its own: following again is the operator's choice (the Logs view's key),
 * since every attach is use of the box.
 */
#include "logtail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api.h"
#include "exec.h"
#include "pool.h"
#include "model/sanitize.h"
#include "model/xalloc.h"

struct logtail {
	pthread_t thread;
	atomic_bool stop; /* with a byte down wake[1]: the thread is asked to end */
	int wake[2];
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
		struct pollfd pf[2] = {{.fd = attach_fd(at), .events = POLLIN},
				       {.fd = t->wake[0], .events = POLLIN}};

		if (attach_wants_write(at))
			pf[0].events |= POLLOUT;
		poll(pf, 2, attach_timeout_ms(at));
		if (atomic_load(&t->stop))
			break;
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
	t->wake[0] = t->wake[1] = -1;
	if (pipe(t->wake) < 0) {
		rc = errno;
		logtail_stop(&t);
		errno = rc;
		return NULL;
	}
	fcntl(t->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(t->wake[1], F_SETFD, FD_CLOEXEC);
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
	if (t->wake[1] >= 0 && write(t->wake[1], "x", 1) < 0) {
		/* the pipe is empty and ours: it takes the byte; the flag alone would wait a ping
		 */
	}
	if (t->thread != 0)
		pthread_join(t->thread, NULL);
	for (int i = 0; i < 2; i++)
		if (t->wake[i] >= 0)
			close(t->wake[i]);
	free(t->base_url);
	free(t->prefix);
	free(t->box_id);
	login_bearer_free(t->bearer);
	free(t->ca_file);
	free(t);
	*tp = NULL;
}
