/*
 * libFuzzer targets for every decoder of server JSON. This one file builds
 * one binary per decoder: FUZZ_DECODER names it (the Makefile passes it), so
 * each decoder has its own corpus and its own findings. Besides surviving,
 * every decoder must keep its contract: success gives an object whose
 * required fields are set, failure gives an error naming what was decoded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/api_error.h"
#include "model/box.h"
#include "model/image.h"
#include "model/metrics.h"
#include "model/principal.h"
#include "model/server_config.h"
#include "model/snapshot.h"
#include "model/xalloc.h"

#ifndef FUZZ_DECODER
#error "FUZZ_DECODER must name the decoder to fuzz"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_result(int rc, const struct decode_error *err)
{
	if (rc < 0)
		check(err->object[0] != '\0' && err->message[0] != '\0');
}

static void fuzz_box(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct box *b = NULL;
	int rc = box_decode(buf, len, &b, &err);
	struct box copy;

	check_result(rc, &err);
	check((rc == 0) == (b != NULL));
	if (b == NULL)
		return;
	check(b->id != NULL && b->image != NULL && box_display_name(b) != NULL);
	check((unsigned)b->status < BOX_STATUS_COUNT);
	box_copy(&copy, b);
	check(strcmp(copy.id, b->id) == 0);
	box_clear(&copy);
	box_free(&b);
}

static void fuzz_box_list(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct box_list *l = NULL, *again = NULL;
	int rc = box_list_decode(buf, len, &l, &err);

	check_result(rc, &err);
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		check(l->items[i].id != NULL && l->items[i].image != NULL);
	check(box_list_decode(buf, len, &again, &err) == 0);
	box_list_append(l, again);
	box_list_free(&again);
	box_list_free(&l);
}

static void fuzz_snapshot(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct snapshot *s = NULL;

	check_result(snapshot_decode(buf, len, &s, &err), &err);
	if (s != NULL)
		check(s->id != NULL && s->name != NULL && s->box_id != NULL);
	snapshot_free(&s);
}

static void fuzz_snapshot_list(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct snapshot_list *l = NULL;

	check_result(snapshot_list_decode(buf, len, &l, &err), &err);
	for (size_t i = 0; l != NULL && i < l->n; i++)
		check(l->items[i].name != NULL && l->items[i].size_bytes >= 0);
	snapshot_list_free(&l);
}

static void fuzz_image_list(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct image_list *l = NULL;

	check_result(image_list_decode(buf, len, &l, &err), &err);
	for (size_t i = 0; l != NULL && i < l->n; i++)
		check(l->items[i].reference != NULL && l->items[i].id != NULL);
	image_list_free(&l);
}

static void fuzz_image_detail(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct image_detail *d = NULL;

	check_result(image_detail_decode(buf, len, &d, &err), &err);
	for (size_t i = 0; d != NULL && i < d->n_versions; i++)
		check(d->versions[i].digest != NULL);
	image_detail_free(&d);
}

static void fuzz_image_usage(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct image_usage u;

	if (image_usage_decode(buf, len, &u, &err) == 0)
		check(u.count >= 0 && u.limit >= 0 && u.known_bytes >= 0);
	else
		check_result(-1, &err);
}

static void fuzz_runtime_metrics(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct runtime_metrics m;

	if (runtime_metrics_decode(buf, len, &m, &err) == 0)
		check(m.num_running_boxes.state != OPT_SET || m.num_running_boxes.v >= 0);
	else
		check_result(-1, &err);
}

static void fuzz_box_metrics(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct box_metrics m;

	if (box_metrics_decode(buf, len, &m, &err) == 0)
		check(m.cpu_percent.state != OPT_SET || m.cpu_percent.v >= 0);
	else
		check_result(-1, &err);
}

static void fuzz_server_config(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct server_config *c = NULL;

	check_result(server_config_decode(buf, len, &c, &err), &err);
	server_config_free(&c);
}

static void fuzz_principal(const char *buf, size_t len)
{
	struct decode_error err = {0};
	struct principal *p = NULL;

	check_result(principal_decode(buf, len, &p, &err), &err);
	if (p != NULL)
		check(principal_display(p) != NULL);
	principal_free(&p);
}

/* The first two bytes pick the HTTP status, the rest is the body. */
static void fuzz_api_error(const char *buf, size_t len)
{
	struct api_error e;
	char line[1024];
	int status = 400;

	if (len >= 2) {
		status = 100 + ((unsigned char)buf[0] << 8 | (unsigned char)buf[1]) % 500;
		buf += 2;
		len -= 2;
	}
	api_error_decode(status, buf, len, len % 2 ? "hdr" : NULL, &e);
	check(e.http_status == status && (unsigned)e.kind < API_ERR_KIND_COUNT);
	check(e.message[0] != '\0' && memchr(e.message, '\0', sizeof(e.message)) != NULL);
	check(strlen(api_error_str(&e, line, sizeof(line))) < sizeof(line));
}

struct target {
	const char *name;
	void (*run)(const char *buf, size_t len);
};

static const struct target targets[] = {
	{"box", fuzz_box},
	{"box_list", fuzz_box_list},
	{"snapshot", fuzz_snapshot},
	{"snapshot_list", fuzz_snapshot_list},
	{"image_list", fuzz_image_list},
	{"image_detail", fuzz_image_detail},
	{"image_usage", fuzz_image_usage},
	{"runtime_metrics", fuzz_runtime_metrics},
	{"box_metrics", fuzz_box_metrics},
	{"server_config", fuzz_server_config},
	{"principal", fuzz_principal},
	{"api_error", fuzz_api_error},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly size bytes, so reading past the end is caught */
	char *buf = malloc(size > 0 ? size : 1);

	if (size > 0)
		memcpy(buf, data, size);
	for (size_t i = 0; i < ARRAY_LEN(targets); i++)
		if (strcmp(targets[i].name, FUZZ_DECODER) == 0)
			targets[i].run(buf, size);
	free(buf);
	return 0;
}
