/*
 * idem: a small array of entries under one mutex; lookups are linear, which
 * is fine for the few thousand keys a test or a demo makes. In-flight
 * entries have no answer yet; waiters sleep on one condition variable that
 * every finish and abort broadcasts.
 */
#include "idem.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/xalloc.h"
#include "model/timeutil.h"

struct idem_entry {
	char *key;
	unsigned char fp[IDEM_FP_LEN];
	bool done;
	unsigned status;
	char *body;
	size_t len;
	int64_t at; /* monotonic seconds when begun */
};

struct idem_store {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct idem_entry *items;
	size_t n, cap;
	int64_t lifetime;
};

struct idem_store *idem_new(size_t cap, int64_t lifetime_s)
{
	struct idem_store *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->cap = cap != 0 ? cap : 1;
	s->items = xcalloc(s->cap, sizeof(*s->items));
	s->lifetime = lifetime_s;
	return s;
}

static void entry_clear(struct idem_entry *e)
{
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

void idem_free(struct idem_store **s)
{
	if (s == NULL || *s == NULL)
		return;
	for (size_t i = 0; i < (*s)->n; i++)
		entry_clear(&(*s)->items[i]);
	free((*s)->items);
	pthread_cond_destroy(&(*s)->changed);
	pthread_mutex_destroy(&(*s)->lock);
	free(*s);
	*s = NULL;
}

static void remove_at(struct idem_store *s, size_t i)
{
	entry_clear(&s->items[i]);
	memmove(&s->items[i], &s->items[i + 1], (s->n - i - 1) * sizeof(*s->items));
	s->n--;
	memset(&s->items[s->n], 0, sizeof(*s->items));
}

/* Drops answered entries older than the lifetime. Lock held. */
static void expire(struct idem_store *s)
{
	int64_t now = time_mono_ms() / 1000;

	for (size_t i = s->n; i-- > 0;)
		if (s->items[i].done && now - s->items[i].at >= s->lifetime)
			remove_at(s, i);
}

/* When full, drops the oldest answered entry. Lock held. */
static void make_room(struct idem_store *s)
{
	for (size_t i = 0; s->n == s->cap && i < s->n; i++)
		if (s->items[i].done)
			remove_at(s, i);
}

static struct idem_entry *find(struct idem_store *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	return NULL;
}

enum idem_rc idem_begin(struct idem_store *s, const char *key, const unsigned char *fp,
			unsigned *status, char **body, size_t *len)
{
	enum idem_rc rc = IDEM_NEW;
	struct idem_entry *e;

	pthread_mutex_lock(&s->lock);
	expire(s);
	while ((e = find(s, key)) != NULL && !e->done && memcmp(e->fp, fp, IDEM_FP_LEN) == 0)
		pthread_cond_wait(&s->changed, &s->lock);
	if (e != NULL) {
		rc = memcmp(e->fp, fp, IDEM_FP_LEN) == 0 ? IDEM_REPLAY : IDEM_MISMATCH;
		if (rc == IDEM_REPLAY) {
			*status = e->status;
			*len = e->len;
			*body = e->body != NULL ? xmemdup(e->body, e->len) : NULL;
		}
		goto out;
	}
	make_room(s);
	/* Full of requests in flight: run this one without remembering it. */
	if (s->n == s->cap)
		goto out;
	e = &s->items[s->n++];
	e->key = xstrdup(key);
	memcpy(e->fp, fp, IDEM_FP_LEN);
	e->at = time_mono_ms() / 1000;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void idem_finish(struct idem_store *s, const char *key, unsigned status, const char *body,
		 size_t len)
{
	struct idem_entry *e;

	pthread_mutex_lock(&s->lock);
	e = find(s, key);
	if (e != NULL && !e->done) {
		e->done = true;
		e->status = status;
		e->body = body != NULL && len != 0 ? xmemdup(body, len) : NULL;
		e->len = e->body != NULL ? len : 0;
	}
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

void idem_abort(struct idem_store *s, const char *key)
{
	struct idem_entry *e;

	pthread_mutex_lock(&s->lock);
	e = find(s, key);
	if (e != NULL && !e->done)
		remove_at(s, (size_t)(e - s->items));
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}
