/*
 * boxpages: see boxpages.h. A call builds its own table of pages beside
 * the remembered one and swaps it in at the end, so a call that fails half
 * way leaves the memory matching prev, which has not changed either. The
 * tokens are followed by api.h's walk (api_pages), as api_boxes does: a
 * loop or too many pages is caught there.
 */
#include "boxpages.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

struct page {
	char *token; /* it was asked with; NULL for the first page */
	char *next;  /* its next_page_token; NULL on the last page */
	char etag[sizeof(((struct http_resp *)0)->etag)];
	unsigned char sum[EVP_MAX_MD_SIZE];
	size_t count; /* its boxes */
	size_t from;  /* where they start in the list */
};

struct box_pages {
	struct page *pages;
	size_t n;
};

struct box_pages *box_pages_new(void)
{
	return xcalloc(1, sizeof(struct box_pages));
}

static void pages_free(struct page *pages, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pages[i].token);
		free(pages[i].next);
	}
	free(pages);
}

void box_pages_forget(struct box_pages *bp)
{
	pages_free(bp->pages, bp->n);
	bp->pages = NULL;
	bp->n = 0;
}

void box_pages_free(struct box_pages **bp)
{
	if (*bp == NULL)
		return;
	box_pages_forget(*bp);
	free(*bp);
	*bp = NULL;
}

/* The boxes the remembered pages hold, which prev must have to be of use. */
static size_t remembered_boxes(const struct box_pages *bp)
{
	return bp->n != 0 ? bp->pages[bp->n - 1].from + bp->pages[bp->n - 1].count : 0;
}

/* The page's digest in pg->sum; -1 with err when there is no body to take it of. */
static int digest(const struct http_resp *resp, struct page *pg, struct net_error *err)
{
	if (resp->status == 304) {
		net_error_set(err, NET_DECODE, "box list: 304 to a request without If-None-Match");
		return -1;
	}
	if (EVP_Digest(resp->body != NULL ? resp->body : "", resp->len, pg->sum, NULL, EVP_sha256(),
		       NULL) != 1) {
		net_error_set(err, NET_DECODE, "box list: cannot compute SHA-256");
		return -1;
	}
	return 0;
}

/*
 * One page, asked with old's ETag when old is the page remembered for this
 * token. Fills pg (whose strings the caller frees, even on error); *fresh
 * is its decoded list, or NULL when it is old's.
 */
static int fetch_page(struct api *a, const char *token, const struct page *old,
		      const atomic_bool *cancel, struct page *pg, struct box_list **fresh,
		      struct net_error *err)
{
	bool etag = old != NULL && old->etag[0] != '\0';
	char *url = api_page_url(a, "/boxes", "", token);
	struct http_req req = {.method = "GET",
			       .url = url,
			       .if_none_match = etag ? old->etag : NULL,
			       .cancel = cancel};
	struct http_resp resp = {0};
	struct decode_error derr = {0};
	char msg[300];
	int rc = api_send(a, &req, false, &resp, err);

	free(url);
	*fresh = NULL;
	if (rc < 0)
		return -1;
	rc = -1;
	pg->token = xstrdup(token);
	if (resp.status == 304 && etag) {
		memcpy(pg->sum, old->sum, sizeof(pg->sum));
		snprintf(pg->etag, sizeof(pg->etag), "%s", old->etag);
	} else {
		snprintf(pg->etag, sizeof(pg->etag), "%s", resp.etag);
		if (digest(&resp, pg, err) < 0)
			goto out;
	}
	if (old != NULL && memcmp(pg->sum, old->sum, sizeof(pg->sum)) == 0) {
		pg->count = old->count;
		pg->next = xstrdup(old->next);
	} else if (box_list_decode(resp.body, resp.len, fresh, &derr) == 0) {
		pg->count = (*fresh)->n;
		if ((*fresh)->next_page_token != NULL && (*fresh)->next_page_token[0] != '\0')
			pg->next = xstrdup((*fresh)->next_page_token);
	} else {
		net_error_set(err, NET_DECODE, "box list: %s",
			      decode_error_str(&derr, msg, sizeof(msg)));
		goto out;
	}
	rc = 0;
out:
	http_resp_clear(&resp);
	return rc;
}

/* The whole list: fresh pages moved in, the others copied from prev. */
static struct box_list *assemble(const struct box_pages *bp, const struct box_list *prev,
				 const struct page *got, struct box_list **fresh, size_t n)
{
	struct box_list *l = xcalloc(1, sizeof(*l));

	l->n = n != 0 ? got[n - 1].from + got[n - 1].count : 0;
	l->items = l->n != 0 ? xcalloc(l->n, sizeof(struct box)) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (got[i].count != 0 && fresh[i] != NULL) {
			memcpy(l->items + got[i].from, fresh[i]->items,
			       got[i].count * sizeof(struct box));
			fresh[i]->n = 0;
		} else {
			for (size_t k = 0; k < got[i].count; k++)
				box_copy(&l->items[got[i].from + k],
					 &prev->items[bp->pages[i].from + k]);
		}
		box_list_free(&fresh[i]);
	}
	return l;
}

/* Room for page n in got and fresh, zeroed. */
static void grow(struct page **got, struct box_list ***fresh, size_t n, size_t *cap)
{
	if (n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 16;
		*got = xreallocarray(*got, *cap, sizeof(**got));
		*fresh = xreallocarray(*fresh, *cap, sizeof(**fresh));
	}
	memset(&(*got)[n], 0, sizeof((*got)[n]));
	(*fresh)[n] = NULL;
}

int box_pages_fetch(struct box_pages *bp, struct api *a, const struct box_list *prev,
		    const atomic_bool *cancel, struct box_list **out, struct net_error *err)
{
	struct api_pages walk;
	struct page *got = NULL;
	struct box_list **fresh = NULL;
	size_t n = 0, cap = 0;
	bool changed = false;
	int more, rc = -1;

	*out = NULL;
	if (prev == NULL || prev->n != remembered_boxes(bp))
		box_pages_forget(bp);
	api_pages_start(&walk, "/boxes");
	for (;;) {
		const char *token;
		const struct page *old;

		more = api_pages_next(&walk, &token, err);
		if (more <= 0)
			break;
		old = n < bp->n && xstreq(bp->pages[n].token, token) ? &bp->pages[n] : NULL;
		grow(&got, &fresh, n, &cap);
		got[n].from = n != 0 ? got[n - 1].from + got[n - 1].count : 0;
		n++; /* from here its strings are freed with the others */
		if (fetch_page(a, token, old, cancel, &got[n - 1], &fresh[n - 1], err) < 0)
			goto out;
		api_pages_got(&walk, got[n - 1].next);
		changed = changed || fresh[n - 1] != NULL;
	}
	if (more < 0)
		goto out;
	/* Unchanged pages were asked with the same tokens: the same pages. */
	rc = changed ? 1 : 0;
	if (rc == 1)
		*out = assemble(bp, prev, got, fresh, n);
	pages_free(bp->pages, bp->n);
	bp->pages = got;
	bp->n = n;
	got = NULL;
	n = 0;
out:
	api_pages_clear(&walk);
	for (size_t i = 0; i < n; i++)
		box_list_free(&fresh[i]);
	free(fresh);
	pages_free(got, n);
	return rc;
}
