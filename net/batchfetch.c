/*
 * batchfetch: URLs in, one http_batch_get, answers decoded one by one. A
 * failure is worked out per box so one bad answer costs one box's metrics,
 * never the whole round.
 */
#include "batchfetch.h"

#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

static char *metrics_url(struct api *a, const char *id)
{
	char *eid = api_escape(id);
	char *path = xasprintf("/boxes/%s/metrics", eid);
	char *url = api_url(a, true, path);

	free(path);
	free(eid);
	return url;
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

size_t batchfetch_box_metrics(struct api *a, struct http_batch *b, const char *const *ids, size_t n,
			      const atomic_bool *cancel, struct box_metrics *out, bool *got,
			      struct net_error *first)
{
	char **urls = xcalloc(n + 1, sizeof(char *));
	struct http_resp *resp = xcalloc(n + 1, sizeof(*resp));
	struct net_error *errs = xcalloc(n + 1, sizeof(*errs));
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		urls[i] = metrics_url(a, ids[i]);
	if (n != 0)
		http_batch_get(b, (const char *const *)urls, n, resp, errs, cancel);
	for (size_t i = 0; i < n; i++) {
		struct net_error err;
		int r;

		memset(&out[i], 0, sizeof(out[i]));
		r = take_answer(&resp[i], &errs[i], &out[i], &err);
		got[i] = r == 1;
		if (r < 0 && failed++ == 0 && first != NULL)
			*first = err;
		if (r != 1)
			memset(&out[i], 0, sizeof(out[i]));
		http_resp_clear(&resp[i]);
		free(urls[i]);
	}
	free(urls);
	free(resp);
	free(errs);
	return failed;
}
