/*
 * effects: a ring of the newest EFFECTS_KEPT entries and a count per kind.
 * Entries own copies of their strings: the request that caused one is gone
 * by the time a test reads it.
 */
#include "effects.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/timeutil.h"
#include "model/xalloc.h"

struct effect {
	uint64_t seq;
	int64_t at_ms; /* wall clock */
	enum effect_kind kind;
	char *box_id, *box_name, *method, *path, *request_id, *user_agent;
};

struct effects {
	pthread_mutex_t lock;
	struct effect ring[EFFECTS_KEPT];
	size_t start, n;
	uint64_t next_seq, dropped;
	uint64_t counts[EFFECT_KIND_COUNT];
};

static const char *const kind_names[EFFECT_KIND_COUNT] = {
	[EFFECT_BOOT] = "boot",
	[EFFECT_RESUME] = "resume",
	[EFFECT_STAMP] = "stamp",
	[EFFECT_AUTOSTOP] = "autostop",
	[EFFECT_AUTODELETE] = "autodelete",
};

const char *effect_kind_name(enum effect_kind k)
{
	return (unsigned)k < EFFECT_KIND_COUNT ? kind_names[k] : "unknown";
}

struct effects *effects_new(void)
{
	struct effects *e = xcalloc(1, sizeof(*e));

	pthread_mutex_init(&e->lock, NULL);
	e->next_seq = 1;
	return e;
}

static void effect_clear(struct effect *x)
{
	free(x->box_id);
	free(x->box_name);
	free(x->method);
	free(x->path);
	free(x->request_id);
	free(x->user_agent);
	memset(x, 0, sizeof(*x));
}

static void clear_locked(struct effects *e)
{
	for (size_t i = 0; i < e->n; i++)
		effect_clear(&e->ring[(e->start + i) % EFFECTS_KEPT]);
	e->start = 0;
	e->n = 0;
	e->dropped = 0;
	memset(e->counts, 0, sizeof(e->counts));
}

void effects_free(struct effects **e)
{
	if (e == NULL || *e == NULL)
		return;
	clear_locked(*e);
	pthread_mutex_destroy(&(*e)->lock);
	free(*e);
	*e = NULL;
}

void effects_add(struct effects *e, enum effect_kind kind, const char *box_id, const char *box_name,
		 const struct effect_cause *cause)
{
	struct effect *x;

	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	if (e->n == EFFECTS_KEPT) {
		effect_clear(&e->ring[e->start]);
		e->start = (e->start + 1) % EFFECTS_KEPT;
		e->n--;
		e->dropped++;
	}
	x = &e->ring[(e->start + e->n++) % EFFECTS_KEPT];
	x->seq = e->next_seq++;
	x->at_ms = time_wall_ms();
	x->kind = kind;
	x->box_id = xstrdup(box_id);
	x->box_name = xstrdup(box_name);
	if (cause != NULL) {
		x->method = xstrdup(cause->method);
		x->path = xstrdup(cause->path);
		x->request_id = xstrdup(cause->request_id);
		x->user_agent = xstrdup(cause->user_agent);
	}
	e->counts[kind]++;
	pthread_mutex_unlock(&e->lock);
}

void effects_clear(struct effects *e)
{
	pthread_mutex_lock(&e->lock);
	clear_locked(e);
	pthread_mutex_unlock(&e->lock);
}

static void add_str(cJSON *o, const char *name, const char *v)
{
	cJSON_AddItemToObject(o, name, v != NULL ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static cJSON *effect_json(const struct effect *x)
{
	cJSON *o = cJSON_CreateObject();
	char when[40];
	size_t len;

	cJSON_AddNumberToObject(o, "seq", (double)x->seq);
	time_format_rfc3339(x->at_ms / 1000, when, sizeof(when));
	len = strlen(when);
	if (len > 0 && when[len - 1] == 'Z')
		snprintf(when + len - 1, sizeof(when) - len + 1, ".%03dZ", (int)(x->at_ms % 1000));
	cJSON_AddStringToObject(o, "at", when);
	cJSON_AddStringToObject(o, "kind", effect_kind_name(x->kind));
	add_str(o, "box_id", x->box_id);
	add_str(o, "box_name", x->box_name);
	add_str(o, "method", x->method);
	add_str(o, "path", x->path);
	add_str(o, "request_id", x->request_id);
	add_str(o, "user_agent", x->user_agent);
	return o;
}

cJSON *effects_to_json(struct effects *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *counts = cJSON_AddObjectToObject(doc, "counts");
	cJSON *list = cJSON_CreateArray();

	pthread_mutex_lock(&e->lock);
	for (int k = 0; k < EFFECT_KIND_COUNT; k++)
		cJSON_AddNumberToObject(counts, kind_names[k], (double)e->counts[k]);
	cJSON_AddNumberToObject(doc, "dropped", (double)e->dropped);
	for (size_t i = 0; i < e->n; i++)
		cJSON_AddItemToArray(list, effect_json(&e->ring[(e->start + i) % EFFECTS_KEPT]));
	pthread_mutex_unlock(&e->lock);
	cJSON_AddItemToObject(doc, "effects", list);
	return doc;
}
