/*
 * view_images: the image cache, and under it the selected image's detail
 * (tags, curated, the versions recorded). The list and the detail are
 * only asked for while this view is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/xalloc.h"
#include "keys.h"
#include "ui.h"

struct images {
	size_t sel, top;
};

static const struct image_info *selected(struct ui *ui, struct images *s)
{
	const struct image_list *il = store_view_images(&ui->view);

	if (il == NULL || il->n == 0)
		return NULL;
	return &il->items[s->sel < il->n ? s->sel : il->n - 1];
}

/* Lines under the image list that the selected image's detail takes: none on a short body. */
static size_t detail_lines(const struct ui *ui)
{
	int h = ui->body != NULL ? getmaxy(ui->body) : 0;

	return h >= 12 ? (size_t)h / 2 : 0;
}

/* Rows of the image list: the table's, less the detail's lines. */
static size_t list_rows(const struct ui *ui)
{
	return draw_table_rows(ui) - detail_lines(ui);
}

/* ---- hooks ---- */

static void *images_create(struct ui *ui, char *err, size_t errlen)
{
	(void)ui;
	(void)err;
	(void)errlen;
	return xcalloc(1, sizeof(struct images));
}

static unsigned images_update(struct ui *ui, struct view *v, unsigned changed)
{
	(void)ui;
	(void)v;
	return changed & (STORE_IMAGES | STORE_IMAGE_DETAIL) ? REDRAW_BODY | REDRAW_HEAD : 0;
}

static unsigned images_move(struct ui *ui, struct view *v, long delta, bool absolute)
{
	struct images *s = v->state;
	const struct image_list *il = store_view_images(&ui->view);
	long n = il != NULL ? (long)il->n : 0, to = absolute ? delta : (long)s->sel + delta;

	if (n == 0)
		return 0;
	to = to < 0 ? 0 : (to >= n ? n - 1 : to);
	if ((size_t)to == s->sel)
		return 0;
	s->sel = (size_t)to;
	return REDRAW_BODY;
}

static unsigned images_click(struct ui *ui, struct view *v, int y, int x, int button)
{
	struct images *s = v->state;

	(void)x;
	(void)button;
	if (y < 1 || (size_t)y > list_rows(ui))
		return 0;
	return images_move(ui, v, (long)(s->top + (size_t)(y - 1)), true);
}

/* The image cache's use, on servers that report it. */
static void images_status(struct ui *ui, struct view *v, char *buf, size_t size)
{
	const struct image_list *il = store_view_images(&ui->view);
	char known[FMT_BUF];

	(void)v;
	buf[0] = '\0';
	if (il == NULL || !il->has_usage)
		return;
	snprintf(buf, size, "cache: %lld of %lld images, %s known", (long long)il->usage.count,
		 (long long)il->usage.limit,
		 fmt_bytes(il->usage.known_bytes, known, sizeof(known)));
}

static void images_interest(struct ui *ui, struct view *v, struct interest *in, bool shown)
{
	const struct image_info *im = selected(ui, v->state);

	if (!shown)
		return;
	in->images = true;
	in->image = im != NULL ? im->repository : NULL;
}

static const struct image_info *images_image(struct ui *ui, struct view *v)
{
	return selected(ui, v->state);
}

/* ---- drawing ---- */

static void image_row(struct ui *ui, WINDOW *w, int y, int refw, const struct image_info *im,
		      bool sel)
{
	attr_t a = sel ? ui->attr[C_SELECTED] : ui->attr[C_NORMAL];
	char size[FMT_BUF], age[FMT_BUF];

	if (sel) {
		wattrset(w, a);
		mvwhline(w, y, 0, ' ', ui->cols);
	}
	draw_server_text(ui, w, y, 0, im->reference, refw, GLYPH_LEFT, a);
	draw_server_text(ui, w, y, refw + 1, im->tag, 12, GLYPH_LEFT, a);
	draw_server_text(ui, w, y, refw + 14, im->id, 20, GLYPH_LEFT, a);
	if (opt_i64_has(im->size_bytes))
		fmt_bytes(im->size_bytes.v, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "-");
	draw_server_text(ui, w, y, refw + 35, size, 10, GLYPH_RIGHT, a);
	draw_text(w, y, refw + 46, fmt_age(im->cached_at, time(NULL), age, sizeof(age)), 8, a);
}

/* "label     value" at y, the value server text. */
static void detail_field(struct ui *ui, WINDOW *w, int y, const char *label, const char *value)
{
	draw_text(w, y, 1, label, 9, ui->attr[C_DIM]);
	draw_server_text(ui, w, y, 11, value, ui->cols - 12, GLYPH_LEFT, A_NORMAL);
}

/* The tags joined with ", ". Caller frees. */
static char *joined_tags(const struct image_detail *d)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < d->n_tags; i++)
		len += strlen(d->tags[i]) + 2;
	out = xcalloc(1, len);
	for (size_t i = 0; i < d->n_tags; i++) {
		strcat(out, i == 0 ? "" : ", ");
		strcat(out, d->tags[i]);
	}
	return out;
}

/* One version of the image: digest (shortened), source reference, when, size. */
static void version_row(struct ui *ui, WINDOW *w, int y, const struct image_version *v)
{
	char digest[FMT_BUF], age[FMT_BUF], size[FMT_BUF] = "-";

	fmt_digest(v->digest, digest, sizeof(digest));
	if (opt_i64_has(v->size_bytes))
		fmt_bytes(v->size_bytes.v, size, sizeof(size));
	draw_server_text(ui, w, y, 1, digest, 12, GLYPH_LEFT, A_NORMAL);
	draw_server_text(ui, w, y, 15, v->source_ref, ui->cols - 15 - 22, GLYPH_LEFT, A_NORMAL);
	draw_text(w, y, ui->cols - 21, fmt_age(v->recorded_at, time(NULL), age, sizeof(age)), 8,
		  A_NORMAL);
	draw_text(w, y, ui->cols - 11, size, 10, A_NORMAL);
}

/*
 * The selected image's detail from line y0 to the bottom: name, curated,
 * tags and its versions; or why there is none (yet).
 */
static void image_detail_draw(struct ui *ui, WINDOW *w, int y0, const struct image_info *im)
{
	const struct image_detail *d = store_view_image_detail(&ui->view);
	int bottom = getmaxy(w);
	char *tags, *why;

	wattrset(w, ui->attr[C_HEADER]);
	mvwhline(w, y0, 0, ' ', ui->cols);
	draw_text(w, y0, 0, "IMAGE", 9, ui->attr[C_HEADER]);
	draw_server_text(ui, w, y0, 11, im->repository, ui->cols - 12, GLYPH_LEFT,
			 ui->attr[C_HEADER]);
	if (d == NULL || !xstreq(d->asked, im->repository)) {
		draw_text(w, y0 + 1, 1, "asking the server for its detail...", ui->cols - 2,
			  ui->attr[C_DIM]);
		return;
	}
	if (d->error != NULL) {
		why = xasprintf("no detail: %s", draw_error_reason(d->error));
		draw_server_text(ui, w, y0 + 1, 1, why, ui->cols - 2, GLYPH_LEFT, ui->attr[C_WARN]);
		free(why);
		return;
	}
	detail_field(ui, w, y0 + 1, "curated", d->curated ? "yes" : "no");
	tags = joined_tags(d);
	detail_field(ui, w, y0 + 2, "tags", d->n_tags > 0 ? tags : "-");
	free(tags);
	draw_text(w, y0 + 3, 1, "DIGEST", 12, ui->attr[C_DIM]);
	draw_text(w, y0 + 3, 15, "SOURCE", 10, ui->attr[C_DIM]);
	draw_text(w, y0 + 3, ui->cols - 21, "RECORDED", 8, ui->attr[C_DIM]);
	draw_text(w, y0 + 3, ui->cols - 11, "SIZE", 10, ui->attr[C_DIM]);
	for (size_t i = 0; i < d->n_versions && y0 + 4 + (int)i < bottom; i++)
		version_row(ui, w, y0 + 4 + (int)i, &d->versions[i]);
}

static void images_draw(struct ui *ui, struct view *v, WINDOW *w)
{
	struct images *s = v->state;
	const struct image_list *il = store_view_images(&ui->view);
	size_t visible = list_rows(ui);
	int refw = ui->cols - 12 - 20 - 10 - 8 - 4;

	draw_heading(ui, w, "REFERENCE");
	draw_text(w, 0, refw + 1, "TAG", 12, ui->attr[C_HEADER]);
	draw_text(w, 0, refw + 14, "DIGEST", 20, ui->attr[C_HEADER]);
	draw_text(w, 0, refw + 35, "     SIZE", 10, ui->attr[C_HEADER]);
	draw_text(w, 0, refw + 46, "CACHED", 8, ui->attr[C_HEADER]);
	if (il == NULL || il->n == 0) {
		draw_text(w, 2, 2, il == NULL ? "loading images..." : "no images cached",
			  ui->cols - 4, ui->attr[C_DIM]);
		return;
	}
	if (s->sel >= il->n)
		s->sel = il->n - 1;
	s->top = draw_scroll_for(s->sel, s->top, visible);
	for (size_t r = s->top; r < il->n && r - s->top < visible; r++)
		image_row(ui, w, (int)(r - s->top) + 1, refw, &il->items[r], r == s->sel);
	if (detail_lines(ui) > 0)
		image_detail_draw(ui, w, (int)visible + 1, &il->items[s->sel]);
}

static const struct binding images_keys[] = {
	{{'D'}, "D", NULL, IN_HINTS, JOB_IMAGE_DELETE, NULL},
};

const struct view_class view_images = {
	.name = "Images",
	.create = images_create,
	.destroy = free,
	.update = images_update,
	.draw = images_draw,
	.cursor = images_move,
	.click = images_click,
	.status = images_status,
	.interest = images_interest,
	.selected_image = images_image,
	.keys = images_keys,
	.n_keys = ARRAY_LEN(images_keys),
	.ages = true,
};
