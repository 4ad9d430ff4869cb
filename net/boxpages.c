/*
 * boxpages: see boxpages.h. A call builds its own table of pages beside
 * the remembered one and swaps it in at the end, so a call that fails half
 * way leaves the memory matching prev, which has not changed either.
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
	char etag[128];
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

static bool same_token(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The boxes the remembered pages hold, which prev must have to be of use. */
static size_t remembered_boxes(const struct box_pages *bp)
{
	return bp->n != 0 ? bp->pages[bp->n - 1].from + bp->pages[bp->n - 1].count : 0;
}

/*
 * One page, asked with old's ETag when old is the page remembered for this
 * token. Fills pg; *fresh is its decoded list, or NULL when it is old's.
 */
static int fetch_page(struct api *a, const char *token, const struct page *old,
		      const atomic_bool *cancel, struct page *pg, struct box_list **fresh,
		      struct net_error *err)
{
	char *url = api_page_url(a, "/boxes", "", token);
	struct http_req req = {.method = "GET",
			       .url = url,
			       .if_none_match = old != NULL ? old->etag : NULL,
			       .cancel = cancel};
	struct http_resp resp;
	struct decode_error derr = {0};
	char msg[300];
	int rc = api_send(a, &req, false, &resp, err);

	free(url);
	if (rc < 0)
		return -1;
	pg->token = xstrdup(token);
	*fresh = NULL;
	if (resp.status == 304 && old != NULL) {
		memcpy(pg->sum, old->sum, sizeof(pg->sum));
		snprintf(pg->etag, sizeof(pg->etag), "%s", old->etag);
	} else {
		snprintf(pg->etag, sizeof(pg->etag), "%s", resp.etag);
		if (resp.status == 304 || EVP_Digest(resp.body != NULL ? resp.body : "", resp.len,
						     pg->sum, NULL, EVP_sha256(), NULL) != 1) {
			net_error_set(err, NET_DECODE, "box list: %s",
				      resp.status == 304 ? "304 to a request without If-None-Match"
							 : "cannot compute SHA-256");
			http_resp_clear(&resp);
			return -1;
		}
	}
	if (old == NULL || memcmp(pg->sum, old->sum, sizeof(pg->sum)) != 0) {
		if (box_list_decode(resp.body, resp.len, fresh, &derr) < 0) {
			net_error_set(err, NET_DECODE, "box list: %s",
				      decode_error_str(&derr, msg, sizeof(msg)));
			http_resp_clear(&resp);
			return -1;
		}
		pg->count = (*fresh)->n;
		pg->next = (*fresh)->next_page_token != NULL && (*fresh)->next_page_token[0] != '\0'
				   ? xstrdup((*fresh)->next_page_token)
				   : NULL;
	} else {
		pg->count = old->count;
		pg->next = xstrdup(old->next);
	}
	http_resp_clear(&resp);
	return 0;
}

/* The whole list: fresh pages moved in, the others copied from prev. */
static struct box_list *assemble(const struct box_pages *bp, const struct box_list *prev,
				 const struct page *got, struct box_list **fresh, size_t n)
{
	struct box_list *l = xcalloc(1, sizeof(*l));

	l->n = n != 0 ? got[n - 1].from + got[n - 1].count : 0;
	l->items = l->n != 0 ? xcalloc(l->n, sizeof(struct box)) : NULL;
	for (size_t i = 0; i < n; i++) {
		struct box *dst = l->items + got[i].from;

		if (fresh[i] != NULL) {
			memcpy(dst, fresh[i]->items, got[i].count * sizeof(struct box));
			fresh[i]->n = 0;
			box_list_free(&fresh[i]);
		} else {
			for (size_t k = 0; k < got[i].count; k++)
				box_copy(&dst[k], &prev->items[bp->pages[i].from + k]);
		}
	}
	return l;
}

int box_pages_fetch(struct box_pages *bp, struct api *a, const struct box_list *prev,
		    const atomic_bool *cancel, struct box_list **out, struct net_error *err)
{
	struct page *got = NULL;
	struct box_list **fresh = NULL;
	size_t n = 0, cap = 0;
	bool changed = false;
	int rc = -1;

	*out = NULL;
	if (prev == NULL || prev->n != remembered_boxes(bp))
		box_pages_forget(bp);
	for (;;) {
		const char *token = n != 0 ? got[n - 1].next : NULL;
		const struct page *old =
			n < bp->n && same_token(bp->pages[n].token, token) ? &bp->pages[n] : NULL;

		if (n == API_MAX_PAGES) {
			net_error_set(err, NET_DECODE, "GET /boxes: more than %d pages",
				      API_MAX_PAGES);
			goto out;
		}
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			got = xreallocarray(got, cap, sizeof(*got));
			fresh = xreallocarray(fresh, cap, sizeof(*fresh));
		}
		memset(&got[n], 0, sizeof(got[n]));
		fresh[n] = NULL;
		if (fetch_page(a, token, old, cancel, &got[n], &fresh[n], err) < 0) {
			free(got[n].token);
			goto out;
		}
		got[n].from = n != 0 ? got[n - 1].from + got[n - 1].count : 0;
		changed = changed || fresh[n] != NULL;
		n++;
		if (got[n - 1].next == NULL)
			break;
		if (same_token(token, got[n - 1].next)) {
			net_error_set(err, NET_DECODE,
				      "GET /boxes: the server repeated a page token");
			goto out;
		}
	}
	rc = changed || n != bp->n ? 1 : 0;
	if (rc == 1)
		*out = assemble(bp, prev, got, fresh, n);
	pages_free(bp->pages, bp->n);
	bp->pages = got;
	bp->n = n;
	got = NULL;
	n = 0;
out:
	for (size_t i = 0; i < n; i++)
		box_list_free(&fresh[i]);
	free(fresh);
	pages_free(got, n);
	return rc;
}
