/*
 * images: the image cache as an array of cached references in the order
 * they were pulled, each numbered so page tokens mean "after this one" (a
 * deletion between pages never skips an image), under one mutex.
 *
 * An image's name is its repository (registry/path without the tag), which
 * clients send URL-encoded as one segment; its detail gathers every cached
 * tag of that repository as versions, newest first. Deleting a name removes
 * all its tags, and is refused while any box runs one of them.
 */
#include "images.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "fleet_impl.h"
#include "model/timeutil.h"
#include "model/xalloc.h"

#define IMAGES_EPOCH 1793491200LL /* 2026-11-01T00:00:00Z: cached before it */
#define IMAGES_LIMIT 50
#define PAGE_DEFAULT 100

struct cached {
	char *reference;  /* repository:tag */
	char *repository; /* the image's name */
	char *tag;
	char digest[72]; /* "sha256:" + 64 hex */
	int64_t cached_at;
	int64_t size;
	size_t seq;
};

struct images {
	pthread_mutex_t lock;
	struct fleet *fleet;
	uint64_t seed;
	struct cached *items;
	size_t n, next_seq;
};

/* The fleet's images (as fleet.c seeds them) and some only cached. */
static const char *const seeded[] = {
	"alpine:3.20",
	"python:3.12-slim",
	"node:22-alpine",
	"ubuntu:24.04",
	"postgres:16",
	"ghcr.io/acme/worker:1.4.2",
	"alpine:latest",
	"busybox:1.36",
	"debian:12",
	"golang:1.23",
	"nginx:1.27",
	"rust:1.82",
	"redis:7.4",
	"ghcr.io/acme/worker:1.3.0",
	"quay.io/acme/app:1.2",
};
#define N_SEEDED (sizeof(seeded) / sizeof(seeded[0]))

static void add(struct images *im, const char *reference, uint64_t *rng)
{
	struct cached *c;
	const char *colon = strrchr(reference, ':');

	im->items = xreallocarray(im->items, im->n + 1, sizeof(*im->items));
	c = &im->items[im->n++];
	memset(c, 0, sizeof(*c));
	c->reference = xstrdup(reference);
	c->repository = xstrndup(reference, (size_t)(colon - reference));
	c->tag = xstrdup(colon + 1);
	memcpy(c->digest, "sha256:", 7);
	for (int i = 0; i < 4; i++)
		snprintf(c->digest + 7 + 16 * i, 17, "%016" PRIx64, rng_next(rng));
	c->cached_at = IMAGES_EPOCH - 86400 * 30 + (int64_t)rng_below(rng, 86400 * 30);
	c->size = (int64_t)(5 + rng_below(rng, 900)) * 1024 * 1024;
	c->seq = ++im->next_seq;
}

struct images *images_new(uint64_t seed, struct fleet *fleet)
{
	struct images *im = xcalloc(1, sizeof(*im));
	uint64_t rng = seed ^ 0x1a6e5ULL;

	pthread_mutex_init(&im->lock, NULL);
	im->fleet = fleet;
	im->seed = seed;
	for (size_t i = 0; i < N_SEEDED; i++)
		add(im, seeded[i], &rng);
	return im;
}

static void cached_clear(struct cached *c)
{
	free(c->reference);
	free(c->repository);
	free(c->tag);
}

void images_free(struct images **im)
{
	if (im == NULL || *im == NULL)
		return;
	for (size_t i = 0; i < (*im)->n; i++)
		cached_clear(&(*im)->items[i]);
	free((*im)->items);
	pthread_mutex_destroy(&(*im)->lock);
	free(*im);
	*im = NULL;
}

static cJSON *info_json(const struct cached *c)
{
	cJSON *o = cJSON_CreateObject();
	char when[32];

	time_format_rfc3339(c->cached_at, when, sizeof(when));
	cJSON_AddStringToObject(o, "reference", c->reference);
	cJSON_AddStringToObject(o, "repository", c->repository);
	cJSON_AddStringToObject(o, "tag", c->tag);
	cJSON_AddStringToObject(o, "id", c->digest);
	cJSON_AddStringToObject(o, "cached_at", when);
	cJSON_AddNumberToObject(o, "size_bytes", (double)c->size);
	return o;
}

/* Page tokens: the last image's number and a check word, as the boxes list does. */
static uint32_t token_check(const struct images *im, uint32_t after)
{
	uint64_t s = im->seed ^ ((uint64_t)after << 12) ^ 0x696d67ULL;

	return (uint32_t)rng_next(&s);
}

static int token_read(const struct images *im, const char *token, size_t *after)
{
	unsigned int a = 0;
	unsigned int check = 0;

	if (strlen(token) != 16 || strspn(token, "0123456789abcdef") != 16 ||
	    sscanf(token, "%8x%8x", &a, &check) != 2)
		return -1;
	a ^= 0xa5a5a5a5u;
	if (check != token_check(im, a))
		return -1;
	*after = a;
	return 0;
}

static cJSON *page_json(struct images *im, size_t after, size_t size)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "images");
	size_t n = 0;
	size_t last = 0;
	char token[24];

	for (size_t i = 0; i < im->n; i++) {
		if (im->items[i].seq <= after)
			continue;
		if (n == size) {
			snprintf(token, sizeof(token), "%08" PRIx32 "%08" PRIx32,
				 (uint32_t)last ^ 0xa5a5a5a5u, token_check(im, (uint32_t)last));
			cJSON_AddStringToObject(doc, "next_page_token", token);
			break;
		}
		cJSON_AddItemToArray(arr, info_json(&im->items[i]));
		last = im->items[i].seq;
		n++;
	}
	return doc;
}

enum MHD_Result images_list(struct call *c)
{
	struct images *im = c->env->images;
	bool bad = false;
	char *token = call_query(c, "pageToken", &bad);
	size_t size = PAGE_DEFAULT;
	size_t after = 0;
	cJSON *doc = NULL;
	int rc = -1;

	if (call_page_size(c, &size) < 0) {
		free(token);
		return call_error(c, CALL_INVALID_ARGUMENT, "pageSize must be an integer");
	}
	pthread_mutex_lock(&im->lock);
	if (!bad && (token == NULL || token_read(im, token, &after) == 0)) {
		doc = page_json(im, after, size);
		rc = 0;
	}
	pthread_mutex_unlock(&im->lock);
	free(token);
	if (rc < 0)
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid pageToken");
	return call_reply(c, MHD_HTTP_OK, doc);
}

enum MHD_Result images_usage(struct call *c)
{
	struct images *im = c->env->images;
	cJSON *doc = cJSON_CreateObject();
	int64_t bytes = 0;

	pthread_mutex_lock(&im->lock);
	for (size_t i = 0; i < im->n; i++)
		bytes += im->items[i].size;
	cJSON_AddNumberToObject(doc, "count", (double)im->n);
	pthread_mutex_unlock(&im->lock);
	cJSON_AddNumberToObject(doc, "limit", IMAGES_LIMIT);
	cJSON_AddNumberToObject(doc, "known_bytes", (double)bytes);
	return call_reply(c, MHD_HTTP_OK, doc);
}

/* ImageDetail of every tag cached under name, newest first; NULL when there is none. */
static cJSON *detail_json(const struct images *im, const char *name)
{
	cJSON *doc = NULL;
	cJSON *tags = NULL;
	cJSON *versions = NULL;
	char when[32];

	for (size_t i = im->n; i-- > 0;) {
		const struct cached *c = &im->items[i];
		cJSON *v;

		if (strcmp(c->repository, name) != 0)
			continue;
		if (doc == NULL) {
			doc = cJSON_CreateObject();
			cJSON_AddStringToObject(doc, "name", name);
			tags = cJSON_AddArrayToObject(doc, "tags");
			/* Docker Hub's official images have no '/' in their name. */
			cJSON_AddBoolToObject(doc, "curated", strchr(name, '/') == NULL);
			versions = cJSON_AddArrayToObject(doc, "versions");
		}
		cJSON_AddItemToArray(tags, cJSON_CreateString(c->tag));
		v = cJSON_CreateObject();
		time_format_rfc3339(c->cached_at, when, sizeof(when));
		cJSON_AddStringToObject(v, "digest", c->digest);
		cJSON_AddStringToObject(v, "source_ref", c->reference);
		cJSON_AddStringToObject(v, "recorded_at", when);
		cJSON_AddNumberToObject(v, "size_bytes", (double)c->size);
		cJSON_AddItemToArray(versions, v);
	}
	return doc;
}

enum MHD_Result images_get(struct call *c)
{
	struct images *im = c->env->images;
	cJSON *doc;

	pthread_mutex_lock(&im->lock);
	doc = detail_json(im, c->segs[1]);
	pthread_mutex_unlock(&im->lock);
	if (doc == NULL)
		return call_error(c, CALL_NOT_FOUND, "image not found: %s", c->segs[1]);
	return call_reply(c, MHD_HTTP_OK, doc);
}

/* The first tag of name a box runs, or NULL. Lock held. */
static const char *used_tag(const struct images *im, const char *name)
{
	for (size_t i = 0; i < im->n; i++)
		if (strcmp(im->items[i].repository, name) == 0 &&
		    fleet_image_in_use(im->fleet, im->items[i].reference))
			return im->items[i].reference;
	return NULL;
}

enum MHD_Result images_delete(struct call *c)
{
	struct images *im = c->env->images;
	const char *name = c->segs[1];
	char used[256] = "";
	size_t kept = 0;
	size_t before;

	pthread_mutex_lock(&im->lock);
	before = im->n;
	if (used_tag(im, name) != NULL)
		snprintf(used, sizeof(used), "%s", used_tag(im, name));
	for (size_t i = 0; i < im->n && used[0] == '\0'; i++) {
		if (strcmp(im->items[i].repository, name) == 0)
			cached_clear(&im->items[i]);
		else
			im->items[kept++] = im->items[i];
	}
	if (used[0] == '\0')
		im->n = kept;
	pthread_mutex_unlock(&im->lock);
	if (used[0] != '\0')
		return call_error(c, CALL_INVALID_STATE, "image %s is in use by a box", used);
	if (kept == before)
		return call_error(c, CALL_NOT_FOUND, "image not found: %s", name);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}
