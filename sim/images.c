/*
 * images: the image cache as an array of cached references in the order
 * they were pulled (cached_at grows with it), each numbered so page tokens
 * mean "after this one": a deletion between pages never skips an image.
 * One mutex guards it; the delete check also takes the fleet's lock inside
 * it (fleet_image_in_use), so the order is always cache, then fleet, and the
 * fleet never calls back.
 *
 * An image's name is its repository (registry/path without the tag), which
 * clients send URL-encoded as one segment. Docker Hub images are kept and
 * answered in their short form ("alpine", "acme/tool"), the form ImageInfo's
 * repository carries, and a name spelled with Docker Hub's host or the
 * official images' library/ path ("docker.io/library/alpine") finds them
 * too. A detail gathers every cached tag of the name as versions, newest
 * first. Deleting a name removes all its tags, and is refused while any box
 * runs one of them under any of those spellings.
 */
#include "images.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "rng.h"
#include "model/encode.h"
#include "model/timeutil.h"
#include "model/xalloc.h"

#define IMAGES_EPOCH 1793491200LL /* 2026-11-01T00:00:00Z: everything is cached before it */
#define IMAGES_LIMIT 50           /* usage's limit: the cache holds at most this many */
#define TOKEN_MASK   0xa5a5a5a5u  /* unlike the boxes' mask: their tokens are refused here */
#define REF_MAX      512
struct cached {
	char *reference;  /* repository:tag */
	char *repository; /* the image's name */
	char *tag;
	char digest[72]; /* "sha256:" + 64 hex */
	int64_t cached_at;
	int64_t size;
	size_t seq; /* 1, 2, ... in pull order */
};

struct images {
	pthread_mutex_t lock;
	struct fleet *fleet;
	uint64_t seed;
	struct cached *items;
	size_t n, next_seq;
};

/*
 * The images the fleet's boxes run (the six of images[] in fleet.c, kept in
 * step by hand), alpine:latest that created boxes default to, then some only
 * cached: a second tag of a registry image, and a registry not Docker Hub.
 */
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

/* Docker Hub's hosts as clients may spell them; "" is the short form. */
static const char *const hub_hosts[] = {
	"",
	"docker.io/",
	"index.docker.io/",
	"registry-1.docker.io/",
};

static void add(struct images *im, const char *reference, int64_t cached_at, uint64_t *rng)
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
	c->cached_at = cached_at;
	c->size = (int64_t)(5 + rng_next(rng) % 900) * 1024 * 1024;
	c->seq = ++im->next_seq;
}

struct images *images_new(uint64_t seed, struct fleet *fleet)
{
	struct images *im = xcalloc(1, sizeof(*im));
	uint64_t rng = seed ^ 0x1a6e5ULL;
	/* Pulled over the 40 days before the epoch, one every 1 h to 2 days. */
	int64_t when = IMAGES_EPOCH - 40 * 86400;

	pthread_mutex_init(&im->lock, NULL);
	im->fleet = fleet;
	im->seed = seed;
	for (size_t i = 0; i < ARRAY_LEN(seeded); i++) {
		when += 3600 + (int64_t)(rng_next(&rng) % (2 * 86400));
		add(im, seeded[i], when, &rng);
	}
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

/* Whether name (no tag) lives on Docker Hub: its first component is no host. */
static bool on_hub(const char *name)
{
	const char *slash = strchr(name, '/');
	size_t n = slash != NULL ? (size_t)(slash - name) : 0;

	return slash == NULL || (memchr(name, '.', n) == NULL && memchr(name, ':', n) == NULL &&
				 strncmp(name, "localhost/", 10) != 0);
}

/* The cache's spelling of name: "docker.io/library/alpine" -> "alpine". Points into name. */
static const char *short_name(const char *name)
{
	for (size_t i = 1; i < ARRAY_LEN(hub_hosts); i++) {
		size_t n = strlen(hub_hosts[i]);

		/* "docker.io/ghcr.io/x" is no Docker Hub name: left as it is, it finds nothing. */
		if (strncmp(name, hub_hosts[i], n) == 0 && on_hub(name + n)) {
			name += n;
			break;
		}
	}
	if (strncmp(name, "library/", 8) == 0 && name[8] != '\0' && strchr(name + 8, '/') == NULL)
		name += 8;
	return name;
}

/* ImageInfo, as boxtop's encoder writes it: the shape its decoder reads. */
static cJSON *info_json(const struct cached *c)
{
	struct image_info i = {.reference = c->reference,
			       .repository = c->repository,
			       .tag = c->tag,
			       .id = (char *)(uintptr_t)c->digest,
			       .cached_at = c->cached_at,
			       .size_bytes = {OPT_SET, c->size}};

	return image_info_to_json(&i);
}

/* Page tokens: the last image's number and a check word drawn from the seed. */
static uint32_t token_check(const struct images *im, uint32_t after)
{
	uint64_t s = im->seed ^ ((uint64_t)after << 12) ^ 0x696d67ULL;

	return (uint32_t)rng_next(&s);
}

static void token_make(const struct images *im, size_t after, char *buf, size_t size)
{
	snprintf(buf, size, "%08" PRIx32 "%08" PRIx32, (uint32_t)after ^ TOKEN_MASK,
		 token_check(im, (uint32_t)after));
}

static int token_read(const struct images *im, const char *token, size_t *after)
{
	unsigned int a = 0;
	unsigned int check = 0;
	int rc = -1;

	if (strlen(token) != 16 || strspn(token, "0123456789abcdef") != 16 ||
	    sscanf(token, "%8x%8x", &a, &check) != 2)
		goto out;
	a ^= TOKEN_MASK;
	if (check != token_check(im, a))
		goto out;
	*after = a;
	rc = 0;
out:
	return rc;
}

/* ListImagesResponse: up to size images after number `after`. Lock held. */
static cJSON *page_json(const struct images *im, size_t after, size_t size)
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
			token_make(im, last, token, sizeof(token));
			cJSON_AddStringToObject(doc, "next_page_token", token);
			break;
		}
		cJSON_AddItemToArray(arr, info_json(&im->items[i]));
		last = im->items[i].seq;
		n++;
	}
	return doc;
}

/* serve's list_images reads no query: call_page_size gives SIZE_MAX, no token is read. */
enum MHD_Result images_list(struct call *c)
{
	struct images *im = c->env->images;
	bool bad = false;
	char *token = call_serve(c) ? NULL : call_query(c, "pageToken", &bad);
	size_t size = 0;
	size_t after = 0;
	cJSON *doc = NULL;

	if (call_page_size(c, &size) < 0) {
		free(token);
		return call_error(c, CALL_INVALID_ARGUMENT, "pageSize must be an integer");
	}
	pthread_mutex_lock(&im->lock);
	if (!bad && (token == NULL || token_read(im, token, &after) == 0))
		doc = page_json(im, after, size);
	pthread_mutex_unlock(&im->lock);
	free(token);
	if (doc == NULL)
		return call_error(c, CALL_INVALID_ARGUMENT, "invalid pageToken");
	return call_reply(c, MHD_HTTP_OK, doc);
}

enum MHD_Result images_usage(struct call *c)
{
	struct images *im = c->env->images;
	struct image_usage u = {.limit = IMAGES_LIMIT};

	/* serve runs a local image cache: no catalog, no limit (handlers/images.rs) */
	if (call_serve(c))
		return call_runtime_error(c, CALL_UNSUPPORTED,
					  "image usage needs a catalog with a limit; a local image "
					  "cache has none");
	pthread_mutex_lock(&im->lock);
	u.count = (int64_t)im->n;
	for (size_t i = 0; i < im->n; i++)
		u.known_bytes += im->items[i].size;
	pthread_mutex_unlock(&im->lock);
	return call_reply(c, MHD_HTTP_OK, image_usage_to_json(&u));
}

static cJSON *version_json(const struct cached *c)
{
	cJSON *v = cJSON_CreateObject();
	char when[32];

	time_format_rfc3339(c->cached_at, when, sizeof(when));
	cJSON_AddStringToObject(v, "digest", c->digest);
	cJSON_AddStringToObject(v, "source_ref", c->reference);
	cJSON_AddStringToObject(v, "recorded_at", when);
	cJSON_AddNumberToObject(v, "size_bytes", (double)c->size);
	return v;
}

/* ImageDetail of every tag cached under name, newest first; NULL when none. Lock held. */
static cJSON *detail_json(const struct images *im, const char *name)
{
	cJSON *doc = NULL;
	cJSON *tags = NULL;
	cJSON *versions = NULL;

	for (size_t i = im->n; i-- > 0;) {
		const struct cached *c = &im->items[i];

		if (strcmp(c->repository, name) != 0)
			continue;
		if (doc == NULL) {
			doc = cJSON_CreateObject();
			cJSON_AddStringToObject(doc, "name", name);
			tags = cJSON_AddArrayToObject(doc, "tags");
			/* Docker Hub's official images are the ones without a '/'. */
			cJSON_AddBoolToObject(doc, "curated", strchr(name, '/') == NULL);
			versions = cJSON_AddArrayToObject(doc, "versions");
		}
		cJSON_AddItemToArray(tags, cJSON_CreateString(c->tag));
		cJSON_AddItemToArray(versions, version_json(c));
	}
	return doc;
}

enum MHD_Result images_get(struct call *c)
{
	struct images *im = c->env->images;
	cJSON *doc;

	pthread_mutex_lock(&im->lock);
	doc = detail_json(im, short_name(c->segs[1]));
	pthread_mutex_unlock(&im->lock);
	if (doc == NULL)
		return call_runtime_error(c, CALL_NOT_FOUND, "image not found: %s", c->segs[1]);
	return call_reply(c, MHD_HTTP_OK, doc);
}

/* Whether a box runs c spelled with host, optionally library/, optionally without :latest. */
static bool runs_as(struct fleet *f, const struct cached *c, const char *host, bool library,
		    bool bare)
{
	char ref[REF_MAX];

	snprintf(ref, sizeof(ref), "%s%s%s%s%s", host, library ? "library/" : "", c->repository,
		 bare ? "" : ":", bare ? "" : c->tag);
	return fleet_image_in_use(f, ref);
}

/*
 * Whether any box runs c under a spelling Docker takes for it. Cache lock
 * held; each check takes the fleet's lock inside it (cache, then fleet).
 */
static bool in_use(struct fleet *f, const struct cached *c)
{
	size_t hosts = on_hub(c->repository) ? ARRAY_LEN(hub_hosts) : 1;
	bool official = strchr(c->repository, '/') == NULL;
	bool latest = strcmp(c->tag, "latest") == 0;

	if (f == NULL)
		return false;
	for (size_t h = 0; h < hosts; h++)
		for (int lib = 0; lib <= (int)official; lib++)
			for (int bare = 0; bare <= (int)latest; bare++)
				if (runs_as(f, c, hub_hosts[h], lib, bare))
					return true;
	return false;
}

/* The first cached tag of name some box runs, or NULL. Lock held. */
static const struct cached *used_tag(const struct images *im, const char *name)
{
	for (size_t i = 0; i < im->n; i++)
		if (strcmp(im->items[i].repository, name) == 0 && in_use(im->fleet, &im->items[i]))
			return &im->items[i];
	return NULL;
}

/* Removes every tag of name; returns how many. Lock held. */
static size_t remove_name(struct images *im, const char *name)
{
	size_t kept = 0;
	size_t before = im->n;

	for (size_t i = 0; i < im->n; i++) {
		if (strcmp(im->items[i].repository, name) == 0)
			cached_clear(&im->items[i]);
		else
			im->items[kept++] = im->items[i];
	}
	im->n = kept;
	return before - kept;
}

enum MHD_Result images_delete(struct call *c)
{
	struct images *im = c->env->images;
	const char *name = short_name(c->segs[1]);
	const struct cached *used;
	char ref[REF_MAX] = "";
	size_t removed = 0;

	pthread_mutex_lock(&im->lock);
	used = used_tag(im, name);
	if (used != NULL)
		snprintf(ref, sizeof(ref), "%s", used->reference);
	else
		removed = remove_name(im, name);
	pthread_mutex_unlock(&im->lock);
	if (ref[0] != '\0')
		return call_runtime_error(c, CALL_INVALID_STATE, "image %s is in use by a box",
					  ref);
	if (removed == 0)
		return call_runtime_error(c, CALL_NOT_FOUND, "image not found: %s", c->segs[1]);
	return call_reply(c, MHD_HTTP_NO_CONTENT, NULL);
}
