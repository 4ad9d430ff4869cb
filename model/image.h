/*
 * image: cached images (ImageInfo and its paged list), ImageDetail with its
 * versions, and ImageUsage.
 */
#ifndef BOXTOP_MODEL_IMAGE_H
#define BOXTOP_MODEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "nullable.h"

struct image_info {
	char *reference;
	char *repository;
	char *tag;
	char *id; /* manifest digest */
	int64_t cached_at;
	struct opt_i64 size_bytes;
};

struct image_usage {
	int64_t count;
	int64_t limit;
	int64_t known_bytes;
};

struct image_list {
	struct image_info *items;
	size_t n;
	char *next_page_token; /* NULL on the last page */
	/* GET /images/usage, which newer servers have: the poller attaches it here */
	bool has_usage;
	struct image_usage usage;
};

struct image_version {
	char *digest;
	char *source_ref;
	int64_t recorded_at;
	struct opt_i64 size_bytes;
};

struct image_detail {
	char *name;
	char **tags;
	size_t n_tags;
	bool curated;
	struct image_version *versions; /* newest first */
	size_t n_versions;
	/*
	 * Set by whoever asked for it, not by the decoder: the name it was asked
	 * by (a server may answer with another spelling of it, "alpine" for
	 * "docker.io/library/alpine"), and why it could not be read (then it
	 * holds nothing else), or NULL.
	 */
	char *asked;
	char *error;
};

/* Caller frees with image_list_free / image_detail_free. */
int image_list_decode(const char *buf, size_t len, struct image_list **out,
		      struct decode_error *err);
void image_list_free(struct image_list **l);
/* Appends every image of src to dst, moving them; src is left empty. */
void image_list_append(struct image_list *dst, struct image_list *src);
int image_detail_decode(const char *buf, size_t len, struct image_detail **out,
			struct decode_error *err);
void image_detail_free(struct image_detail **d);
/*
 * A detail that says why the image asked by name could not be read
 * (both copied). Caller frees with image_detail_free.
 */
struct image_detail *image_detail_failed(const char *asked, const char *message);
/* A flat struct: nothing to free. */
int image_usage_decode(const char *buf, size_t len, struct image_usage *out,
		       struct decode_error *err);

#endif
