/*
 * sweeper: a condition variable timed on the monotonic clock, so stopping
 * does not wait out a tick.
 */
#include "sweeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "model/xalloc.h"

struct sweeper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop; /* under lock */
	struct fleet *fleet;
	unsigned tick_ms;
};

static struct timespec deadline(unsigned ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void *run(void *arg)
{
	struct sweeper *s = arg;
	bool stop = false;

	while (!stop) {
		struct timespec until = deadline(s->tick_ms);

		pthread_mutex_lock(&s->lock);
		while (!s->stop && pthread_cond_timedwait(&s->cond, &s->lock, &until) != ETIMEDOUT)
			;
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (!stop)
			fleet_sweep(s->fleet, fleet_now(s->fleet));
	}
	return NULL;
}

struct sweeper *sweeper_start(struct fleet *fleet, unsigned tick_ms)
{
	struct sweeper *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t attr;

	s->fleet = fleet;
	s->tick_ms = tick_ms != 0 ? tick_ms : 1000;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

void sweeper_stop(struct sweeper **sp)
{
	struct sweeper *s = sp != NULL ? *sp : NULL;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
	*sp = NULL;
}
