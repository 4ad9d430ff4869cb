/*
 * tally: request counts by method and route. A handful of routes exist, so
 * a small array searched linearly is enough; a route past the last slot is
 * counted in the total only.
 */
#include "tally.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

#define TALLY_ROUTES 64

struct tally_row {
	char method[16]; /* longer methods share a cut name */
	char route[96];
	uint64_t count;
	uint64_t not_modified;
};

struct tally {
	pthread_mutex_t lock;
	uint64_t total, not_modified;
	struct tally_row rows[TALLY_ROUTES];
	size_t n;
};

struct tally *tally_new(void)
{
	struct tally *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void tally_free(struct tally **t)
{
	if (t == NULL || *t == NULL)
		return;
	pthread_mutex_destroy(&(*t)->lock);
	free(*t);
	*t = NULL;
}

static struct tally_row *row_of(struct tally *t, const char *method, const char *route)
{
	struct tally_row *r;
	char m[sizeof(r->method)];

	snprintf(m, sizeof(m), "%s", method);
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].method, m) == 0 && strcmp(t->rows[i].route, route) == 0)
			return &t->rows[i];
	if (t->n == TALLY_ROUTES)
		return NULL;
	r = &t->rows[t->n++];
	snprintf(r->method, sizeof(r->method), "%s", m);
	snprintf(r->route, sizeof(r->route), "%s", route);
	r->count = 0;
	r->not_modified = 0;
	return r;
}

void tally_add(struct tally *t, const char *method, const char *route, bool not_modified)
{
	struct tally_row *r;

	pthread_mutex_lock(&t->lock);
	t->total++;
	t->not_modified += not_modified;
	r = row_of(t, method, route != NULL ? route : "(no route)");
	if (r != NULL) {
		r->count++;
		r->not_modified += not_modified;
	}
	pthread_mutex_unlock(&t->lock);
}

void tally_clear(struct tally *t)
{
	pthread_mutex_lock(&t->lock);
	t->total = 0;
	t->not_modified = 0;
	t->n = 0;
	pthread_mutex_unlock(&t->lock);
}

cJSON *tally_to_json(struct tally *t)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_CreateArray();

	pthread_mutex_lock(&t->lock);
	cJSON_AddNumberToObject(doc, "total", (double)t->total);
	cJSON_AddNumberToObject(doc, "not_modified", (double)t->not_modified);
	for (size_t i = 0; i < t->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "method", t->rows[i].method);
		cJSON_AddStringToObject(o, "route", t->rows[i].route);
		cJSON_AddNumberToObject(o, "count", (double)t->rows[i].count);
		cJSON_AddNumberToObject(o, "not_modified", (double)t->rows[i].not_modified);
		cJSON_AddItemToArray(arr, o);
	}
	pthread_mutex_unlock(&t->lock);
	cJSON_AddItemToObject(doc, "routes", arr);
	return doc;
}
