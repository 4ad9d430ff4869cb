/*
 * batchfetch: URLs in, http_batch_get, answers decoded one by one. A
 * failure is worked out per box so one bad answer costs one box's metrics,
 * never the whole round. The boxes go WINDOW at a time: a batch holds every
 * answer and a struct net_error (over 1 KiB) per URL until it ends, which
 * for 5,789 running boxes was 12 MB of scratch; a window costs one round of
 * slots draining (about a millisecond on loopback) per WINDOW boxes.
 */
#include "batchfetch.h"

#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

#define WINDOW 1024

static char *metrics_url(struct api *a, const char *id)
{
	return api_item_url(a, "boxes", id, "/metrics");
}

/*
 * Decodes one answer into *m. Returns 1 for metrics, 0 for a gap (404, 409),
 * -1 for a failure explained in *err.
 */
static int take_answer(const struct http_resp *r, const struct net_error *sent,
		       struct box_metrics *m, struct net_error *err)
{
	struct decode_error derr = {0};
	char msg[300];

	if (sent->kind != NET_OK) {
		*err = *sent;
		return -1;
	}
	if (r->status == 404 || r->status == 409)
		return 0;
	if (r->status != 200) {
		net_error_from_resp(r, err);
		return -1;
	}
	if (box_metrics_decode(r->body, r->len, m, &derr) < 0) {
		net_error_set(err, NET_DECODE, "box metrics: %s",
			      decode_error_str(&derr, msg, sizeof(msg)));
		return -1;
	}
	return 1;
}

/* One call's state: its arguments, a window's scratch, the failures so far. */
struct fetch {
	struct api *a;
	struct http_batch *b;
	const atomic_bool *cancel;
	char **urls;
	struct http_resp *resp;
	struct net_error *errs;
	size_t failed;
	struct net_error *first;
};

/* The k boxes ids into out and got, in one http_batch_get. */
static void fetch_window(struct fetch *f, const char *const *ids, size_t k, struct box_metrics *out,
			 bool *got)
{
	for (size_t i = 0; i < k; i++)
		f->urls[i] = metrics_url(f->a, ids[i]);
	http_batch_get(f->b, (const char *const *)f->urls, k, f->resp, f->errs, f->cancel);
	for (size_t i = 0; i < k; i++) {
		struct net_error err;
		int r;

		memset(&out[i], 0, sizeof(out[i]));
		r = take_answer(&f->resp[i], &f->errs[i], &out[i], &err);
		got[i] = r == 1;
		if (r < 0 && f->failed++ == 0 && f->first != NULL)
			*f->first = err;
		if (r != 1)
			memset(&out[i], 0, sizeof(out[i]));
		http_resp_clear(&f->resp[i]);
		free(f->urls[i]);
	}
}

size_t batchfetch_box_metrics(struct api *a, struct http_batch *b, const char *const *ids, size_t n,
			      const atomic_bool *cancel, struct box_metrics *out, bool *got,
			      struct net_error *first)
{
	size_t w = n < WINDOW ? n : WINDOW;
	struct fetch f = {.a = a, .b = b, .cancel = cancel, .first = first};

	f.urls = xcalloc(w + 1, sizeof(char *));
	f.resp = xcalloc(w + 1, sizeof(*f.resp));
	f.errs = xcalloc(w + 1, sizeof(*f.errs));
	for (size_t at = 0; at < n; at += w)
		fetch_window(&f, ids + at, n - at < w ? n - at : w, out + at, got + at);
	free(f.urls);
	free(f.resp);
	free(f.errs);
	return f.failed;
}
