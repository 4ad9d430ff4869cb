/*
 * boxpages: the whole box list again and again (the poller's), without
 * decoding what did not change. Each page is remembered by the token it was
 * asked with: its ETag, a SHA-256 of its body, its boxes' place in the list
 * and the token after it. The next time it is asked with If-None-Match, and
 * a page that comes back 304, or 200 with the same bytes (a server that
 * sends no ETag), is not decoded again: its boxes are copied from the list
 * the last call returned. When no page changed, there is no new list at all.
 */
#ifndef BOXTOP_NET_BOXPAGES_H
#define BOXTOP_NET_BOXPAGES_H

#include <stdatomic.h>

#include "api.h"
#include "model/box.h"

struct box_pages;

struct box_pages *box_pages_new(void);
void box_pages_free(struct box_pages **bp);

/* Forgets every page: the next fetch asks and decodes each one afresh. */
void box_pages_forget(struct box_pages *bp);

/*
 * GET /boxes?pageSize=1000 and the pages after it. prev must be the list
 * the last call that returned 1 gave, as it was (the poller passes the
 * store's, which only it sets), or NULL: then every page is decoded, as
 * when prev's length is not the remembered one (only the length is
 * checked). Returns 1 with the whole new list in *out (the caller frees it
 * with box_list_free), 0 when every page is what it was (*out NULL), or -1
 * with err (a repeated token or more than API_MAX_PAGES pages is an error
 * too, api_pages_next's); the memory of the pages is kept for the next call.
 */
int box_pages_fetch(struct box_pages *bp, struct api *a, const struct box_list *prev,
		    const atomic_bool *cancel, struct box_list **out, struct net_error *err);

#endif
