/*
 * imagecmd: see imagecmd.h. Fetch, then write: nothing reaches stdout
 * unless the list was read whole. The table is tui/table's, the cells
 * batch's (sanitized, cut), the error line batch's describe: the command
 * reads as `boxtop -b` does.
 */
#include "imagecmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "model/encode.h"
#include "model/format.h"
#include "model/xalloc.h"
#include "net/api.h"
#include "batch.h"
#include "table.h"

enum { IMG_REPOSITORY, IMG_TAG, IMG_ID, IMG_SIZE, IMG_CACHED, IMG_COLS };

static const char *const titles[IMG_COLS] = {"REPOSITORY", "TAG", "ID", "SIZE", "CACHED"};
static const enum glyph_align aligns[IMG_COLS] = {GLYPH_LEFT, GLYPH_LEFT, GLYPH_LEFT, GLYPH_RIGHT,
						  GLYPH_LEFT};

static void image_cells(struct table *t, size_t r, const struct image_info *im, int64_t now)
{
	char id[FMT_BUF], size[FMT_BUF] = "-", age[FMT_BUF];

	if (opt_i64_has(im->size_bytes))
		fmt_bytes(im->size_bytes.v, size, sizeof(size));
	table_set(t, r, IMG_REPOSITORY, batch_cell(im->repository));
	table_set(t, r, IMG_TAG, batch_cell(im->tag));
	table_set(t, r, IMG_ID, batch_cell(fmt_digest(im->id, id, sizeof(id))));
	table_set(t, r, IMG_SIZE, xstrdup(size));
	table_set(t, r, IMG_CACHED, xstrdup(fmt_age(im->cached_at, now, age, sizeof(age))));
}

void imagecmd_write_text(FILE *out, const struct image_list *l, int64_t now)
{
	struct table t = {0};

	table_init(&t, l->n + 1, IMG_COLS, aligns);
	for (size_t c = 0; c < IMG_COLS; c++)
		table_set(&t, 0, c, xstrdup(titles[c]));
	for (size_t i = 0; i < l->n; i++)
		image_cells(&t, i + 1, &l->items[i], now);
	table_write(out, &t);
	table_free(&t);
}

void imagecmd_write_json(FILE *out, const struct image_list *l)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "images");
	char *text;

	if (doc == NULL || arr == NULL)
		fatal("images: out of memory");
	for (size_t i = 0; i < l->n; i++)
		if (!cJSON_AddItemToArray(arr, image_info_to_json(&l->items[i])))
			fatal("images: out of memory");
	if (!cJSON_AddItemToObject(doc, "usage",
				   l->has_usage ? image_usage_to_json(&l->usage)
						: cJSON_CreateNull()))
		fatal("images: out of memory");
	text = cJSON_PrintUnformatted(doc);
	if (text == NULL)
		fatal("images: out of memory");
	fprintf(out, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(doc);
}

/* The whole list, with the cache's usage where the server has it. */
static int fetch(const struct settings *s, struct image_list **out, struct net_error *err)
{
	struct api *a = settings_connect(s, NULL, NULL, err);
	struct net_error uerr;
	int rc = -1;

	if (a == NULL)
		return -1;
	if (api_images(a, NULL, out, err) < 0)
		goto out;
	/* older servers have no usage, serve answers 400: the list is what counts */
	(*out)->has_usage = api_image_usage(a, NULL, &(*out)->usage, &uerr) == 0;
	rc = 0;
out:
	api_free(&a);
	return rc;
}

int imagecmd_run(const struct opts *o, const struct settings *s)
{
	struct image_list *l = NULL;
	struct net_error err;
	char *why;
	int rc = 1;

	if (fetch(s, &l, &err) < 0) {
		why = batch_describe(s, &err);
		fprintf(stderr, "boxtop: %s\n", why);
		free(why);
		return 1;
	}
	if (o->json)
		imagecmd_write_json(stdout, l);
	else
		imagecmd_write_text(stdout, l, (int64_t)time(NULL));
	if (fflush(stdout) == 0 && !ferror(stdout))
		rc = 0;
	else if (errno != EPIPE)
		fprintf(stderr, "boxtop: cannot write the output: %s\n", strerror(errno));
	else
		rc = 0; /* `| head`: the reader had enough */
	image_list_free(&l);
	return rc;
}
