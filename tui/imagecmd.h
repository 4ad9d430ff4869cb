/*
 * imagecmd: `boxtop images [--json]`, the server's image cache for scripts.
 *
 * It connects (GET /v1/me for the prefix unless one is set), reads the
 * whole image list (following page tokens) and, where the server has it,
 * the cache's usage, then prints
 *   text: a table REPOSITORY TAG ID SIZE CACHED in the server's order, ID
 *     the digest shortened as docker shows an image id (12 characters after
 *     "sha256:"), SIZE in binary units ("-" when the server does not say),
 *     CACHED the time since it was pulled; server strings sanitized and cut
 *     at 120 columns as in `boxtop -b`;
 *   JSON (--json): one document on one line, {"images": [ImageInfo as
 *     model/encode writes it, strings exact], "usage": {count, limit,
 *     known_bytes} or null}.
 * Exit status 0, or 1 with one line on stderr naming the URL and why
 * ("boxtop: cannot reach URL: why", "boxtop: URL: why") and nothing on
 * stdout.
 */
#ifndef BOXTOP_TUI_IMAGECMD_H
#define BOXTOP_TUI_IMAGECMD_H

#include <stdint.h>
#include <stdio.h>

#include "model/image.h"
#include "net/settings.h"
#include "opts.h"

/* Runs the command as o says (o->json) against s. Returns the exit status. */
int imagecmd_run(const struct opts *o, const struct settings *s);

/* The rendering, apart from the network so it can be tested (errors show in ferror(out)). */
void imagecmd_write_text(FILE *out, const struct image_list *l, int64_t now);
/* usage is l's when l->has_usage, else null. */
void imagecmd_write_json(FILE *out, const struct image_list *l);

#endif
