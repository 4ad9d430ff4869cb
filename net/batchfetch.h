/*
 * batchfetch: the metrics of many boxes at once, over one http_batch (its
 * `parallel` requests in flight, all on the calling thread). The poller
 * fetches the visible running boxes' metrics this way every round, and batch
 * output every running box it prints.
 */
#ifndef BOXTOP_NET_BATCHFETCH_H
#define BOXTOP_NET_BATCHFETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "http.h"
#include "model/metrics.h"

/*
 * GETs the metrics of the n boxes ids (URLs built by a, so under its
 * prefix). got[i] says whether box i answered with metrics, which are then
 * in out[i] (zeroed otherwise); out and got have room for n. A box that
 * answers 404 or 409 (it stopped or vanished since the list was read) is a
 * gap, not a failure. Returns how many others failed; the first failure's
 * reason goes to *first when first is not NULL (left alone when none did).
 * Allocates scratch space only: the caller owns everything it passed.
 */
size_t batchfetch_box_metrics(struct api *a, struct http_batch *b, const char *const *ids, size_t n,
			      const atomic_bool *cancel, struct box_metrics *out, bool *got,
			      struct net_error *first);

#endif
