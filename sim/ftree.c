/*
 * ftree: a box's files in memory (see ftree.h for the contract).
 *
 * A tree's state is its root, what it costs and the set of distinct blobs
 * it holds with how many files use each: a blob is charged once however
 * many files (hard links, copies) share it. Directories keep their
 * children sorted by name, found by binary search.
 *
 * Paths are walked a component at a time. A symbolic link met on the way
 * is followed, and the last one too when the call wants its target: the
 * target is joined to the directory it sits in and folded lexically, ".."
 * stopping at "/", so no link leads out of the tree, whatever an upload
 * said. Forty links deep is a loop (FTREE_NOT_FOUND).
 *
 * ftree_graft applies the source to a copy of the state (nodes copied,
 * blobs shared) and swaps it in only when everything succeeded and fits:
 * a failure half way leaves the tree as it was at the cost of copying its
 * nodes, never its contents.
 */
#include "ftree.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/xalloc.h"

#define NAME_MAX_LEN 255
#define LINKS_MAX    40

struct ftree_blob {
	atomic_size_t refs;
	size_t len;
	unsigned char *data;
};

struct node {
	char *name;
	enum ftree_type type;
	unsigned mode;
	int64_t mtime;
	struct ftree_blob *blob; /* files */
	char *target;            /* links */
	struct node **kids;      /* directories: sorted by name */
	size_t n, cap;
};

/* The distinct blobs of a tree and how many of its files use each: open addressing. */
struct blobset {
	struct ftree_blob **keys;
	size_t *uses;
	size_t cap, n;
};

struct state {
	struct node *root;
	uint64_t used;
	struct blobset blobs;
};

struct ftree {
	pthread_mutex_t lock;
	atomic_uint refs;
	uint64_t max;
	struct state s;
};

/* Blobs */

struct ftree_blob *ftree_blob_take(void *data, size_t n)
{
	struct ftree_blob *b = xcalloc(1, sizeof(*b));

	atomic_init(&b->refs, 1);
	b->len = n;
	b->data = data;
	return b;
}

struct ftree_blob *ftree_blob_new(const void *data, size_t n)
{
	return ftree_blob_take(n != 0 ? xmemdup(data, n) : NULL, n);
}

struct ftree_blob *ftree_blob_ref(struct ftree_blob *b)
{
	atomic_fetch_add(&b->refs, 1);
	return b;
}

void ftree_blob_unref(struct ftree_blob *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	free(b->data);
	free(b);
}

const unsigned char *ftree_blob_data(const struct ftree_blob *b)
{
	return b->data != NULL ? b->data : (const unsigned char *)"";
}

size_t ftree_blob_len(const struct ftree_blob *b)
{
	return b->len;
}

/* The blob set */

static size_t slot_of(const struct blobset *bs, const struct ftree_blob *b)
{
	size_t h = (size_t)(((uintptr_t)b >> 4) * 0x9e3779b97f4a7c15ULL);
	size_t i = h & (bs->cap - 1);

	while (bs->keys[i] != NULL && bs->keys[i] != b)
		i = (i + 1) & (bs->cap - 1);
	return i;
}

static void set_grow(struct blobset *bs)
{
	struct blobset old = *bs;

	bs->cap = old.cap != 0 ? old.cap * 2 : 16;
	bs->keys = xcalloc(bs->cap, sizeof(*bs->keys));
	bs->uses = xcalloc(bs->cap, sizeof(*bs->uses));
	for (size_t i = 0; i < old.cap; i++) {
		size_t j;

		if (old.keys[i] == NULL)
			continue;
		j = slot_of(bs, old.keys[i]);
		bs->keys[j] = old.keys[i];
		bs->uses[j] = old.uses[i];
	}
	free(old.keys);
	free(old.uses);
}

static size_t set_uses(const struct blobset *bs, const struct ftree_blob *b)
{
	size_t i;

	if (bs->cap == 0)
		return 0;
	i = slot_of(bs, b);
	return bs->keys[i] == b ? bs->uses[i] : 0;
}

/* One more file uses b: charged when it is the first. */
static void set_add(struct state *st, struct ftree_blob *b)
{
	struct blobset *bs = &st->blobs;
	size_t i;

	if (2 * (bs->n + 1) > bs->cap)
		set_grow(bs);
	i = slot_of(bs, b);
	if (bs->keys[i] == NULL) {
		bs->keys[i] = b;
		bs->n++;
		st->used += b->len;
	}
	bs->uses[i]++;
}

/* One file fewer uses b: refunded with the last; the hole is closed by shifting back. */
static void set_drop(struct state *st, const struct ftree_blob *b)
{
	struct blobset *bs = &st->blobs;
	size_t i = slot_of(bs, b);
	size_t j = i;

	if (--bs->uses[i] != 0)
		return;
	st->used -= b->len;
	bs->n--;
	for (;;) {
		size_t home;

		bs->keys[i] = NULL;
		bs->uses[i] = 0;
		for (;;) {
			j = (j + 1) & (bs->cap - 1);
			if (bs->keys[j] == NULL)
				return;
			home = (size_t)(((uintptr_t)bs->keys[j] >> 4) * 0x9e3779b97f4a7c15ULL) &
			       (bs->cap - 1);
			/* j may move to i unless its home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		bs->keys[i] = bs->keys[j];
		bs->uses[i] = bs->uses[j];
		i = j;
	}
}

/* Nodes */

static uint64_t node_cost(const struct node *n)
{
	return FTREE_NODE_COST + (n->target != NULL ? strlen(n->target) : 0);
}

static struct node *node_new(struct state *st, const char *name, enum ftree_type type,
			     unsigned mode, int64_t mtime, struct ftree_blob *blob,
			     const char *target)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->name = xstrdup(name);
	n->type = type;
	n->mode = mode & 07777;
	n->mtime = mtime;
	if (type == FTREE_FILE) {
		n->blob = ftree_blob_ref(blob);
		set_add(st, blob);
	}
	if (type == FTREE_LINK)
		n->target = xstrdup(target != NULL ? target : "");
	st->used += node_cost(n);
	return n;
}

/* Frees n and what it holds, refunding st. */
static void node_drop(struct state *st, struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_drop(st, n->kids[i]);
	st->used -= node_cost(n);
	if (n->blob != NULL)
		set_drop(st, n->blob);
	ftree_blob_unref(n->blob);
	free(n->kids);
	free(n->name);
	free(n->target);
	free(n);
}

/* The index of name among dir's children, or where it would go (*found false). */
static size_t kid_index(const struct node *dir, const char *name, bool *found)
{
	size_t lo = 0;
	size_t hi = dir->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(dir->kids[mid]->name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct node *kid(const struct node *dir, const char *name)
{
	bool found;
	size_t i = kid_index(dir, name, &found);

	return found ? dir->kids[i] : NULL;
}

/* Puts n into dir, replacing (and dropping) a child of its name. */
static void kid_set(struct state *st, struct node *dir, struct node *n)
{
	bool found;
	size_t i = kid_index(dir, n->name, &found);

	if (found) {
		node_drop(st, dir->kids[i]);
		dir->kids[i] = n;
		return;
	}
	if (dir->n == dir->cap) {
		dir->cap = dir->cap != 0 ? dir->cap * 2 : 4;
		dir->kids = xreallocarray(dir->kids, dir->cap, sizeof(*dir->kids));
	}
	memmove(dir->kids + i + 1, dir->kids + i, (dir->n - i) * sizeof(*dir->kids));
	dir->kids[i] = n;
	dir->n++;
}

/* Takes the child n out of dir (not freed). */
static void kid_remove(struct node *dir, const struct node *n)
{
	bool found;
	size_t i = kid_index(dir, n->name, &found);

	if (!found)
		return;
	memmove(dir->kids + i, dir->kids + i + 1, (dir->n - i - 1) * sizeof(*dir->kids));
	dir->n--;
}

/* A copy of n and everything under it, charged to st. */
static struct node *node_copy(struct state *st, const struct node *n)
{
	struct node *c = node_new(st, n->name, n->type, n->mode, n->mtime, n->blob, n->target);

	for (size_t i = 0; i < n->n; i++)
		kid_set(st, c, node_copy(st, n->kids[i]));
	return c;
}

static void state_init(struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->root = node_new(st, "", FTREE_DIR, 0755, 0, NULL, NULL);
}

static void state_clear(struct state *st)
{
	node_drop(st, st->root);
	free(st->blobs.keys);
	free(st->blobs.uses);
	memset(st, 0, sizeof(*st));
}

static void state_copy(struct state *dst, const struct state *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->root = node_copy(dst, src->root);
}

/* Paths */

/*
 * The next component of *p into name (".", "" skipped): 1, or 0 at the
 * end, or -1 for ".." or one longer than NAME_MAX_LEN.
 */
static int next_comp(const char **p, char name[NAME_MAX_LEN + 1])
{
	for (;;) {
		size_t n;

		while (**p == '/')
			(*p)++;
		if (**p == '\0')
			return 0;
		n = strcspn(*p, "/");
		if (n > NAME_MAX_LEN || (n == 2 && strncmp(*p, "..", 2) == 0))
			return -1;
		memcpy(name, *p, n);
		name[n] = '\0';
		*p += n;
		if (strcmp(name, ".") != 0)
			return 1;
	}
}

static enum ftree_rc check_path(const char *path)
{
	char name[NAME_MAX_LEN + 1];
	int r;

	while ((r = next_comp(&path, name)) > 0)
		;
	return r < 0 ? FTREE_BAD_PATH : FTREE_OK;
}

static bool is_last(const char *p)
{
	char name[NAME_MAX_LEN + 1];

	return next_comp(&p, name) == 0;
}

/* s folded lexically: "." dropped, ".." pops (never above "/"). Caller frees. */
static char *fold(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 2);
	size_t o = 0;

	while (*s != '\0') {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.')) {
			s += n;
			continue;
		}
		if (n == 2 && strncmp(s, "..", 2) == 0) {
			while (o > 0 && out[--o] != '/')
				;
		} else {
			out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	out[o] = '\0';
	return out;
}

/* Where link target leads from directory dir, with rest after it, folded. */
static char *link_path(const char *dir, const char *target, const char *rest)
{
	char *joined = target[0] == '/' ? xasprintf("%s/%s", target, rest)
					: xasprintf("%s/%s/%s", dir, target, rest);
	char *folded = fold(joined);

	free(joined);
	return folded;
}

/*
 * The node at path: links on the way followed, the last one too when
 * follow_last. *canon (when not NULL) gets the path it was found at, with
 * no link in it; caller frees.
 */
static enum ftree_rc find_at(struct state *st, const char *path, bool follow_last, int depth,
			     struct node **out, char **canon)
{
	struct node *cur = st->root;
	char *dir = xstrdup("");
	char name[NAME_MAX_LEN + 1];
	enum ftree_rc rc = FTREE_OK;
	int r;

	while ((r = next_comp(&path, name)) > 0) {
		struct node *child = cur->type == FTREE_DIR ? kid(cur, name) : NULL;
		char *next;

		if (cur->type != FTREE_DIR || child == NULL) {
			rc = cur->type != FTREE_DIR ? FTREE_NOT_DIR : FTREE_NOT_FOUND;
			goto out;
		}
		if (child->type == FTREE_LINK && (follow_last || !is_last(path))) {
			if (depth >= LINKS_MAX) {
				rc = FTREE_NOT_FOUND;
				goto out;
			}
			next = link_path(dir, child->target, path);
			rc = find_at(st, next, follow_last, depth + 1, out, canon);
			free(next);
			free(dir);
			return rc;
		}
		next = xasprintf("%s/%s", dir, name);
		free(dir);
		dir = next;
		cur = child;
	}
	if (r < 0)
		rc = FTREE_BAD_PATH;
out:
	if (rc == FTREE_OK) {
		*out = cur;
		if (canon != NULL) {
			*canon = dir[0] != '\0' ? dir : xstrdup("/");
			dir = dir[0] != '\0' ? NULL : dir;
		}
	}
	free(dir);
	return rc;
}

static enum ftree_rc find(struct state *st, const char *path, bool follow_last, struct node **out)
{
	return find_at(st, path, follow_last, 0, out, NULL);
}

/* path split into its parent (caller frees) and last component; last is "" for "/". */
static char *split_last(const char *path, char last[NAME_MAX_LEN + 1])
{
	char *folded = fold(path); /* path is checked: fold only drops "." and "" */
	char *slash = strrchr(folded, '/');

	last[0] = '\0';
	if (slash == NULL)
		return folded;
	snprintf(last, NAME_MAX_LEN + 1, "%s", slash + 1);
	*slash = '\0';
	return folded;
}

/* What mkdir_p made: the first new directory and its parent, to undo it. */
struct made {
	struct node *parent, *first;
};

static void unmake(struct state *st, struct made *m)
{
	if (m->first == NULL)
		return;
	kid_remove(m->parent, m->first);
	node_drop(st, m->first);
	m->first = NULL;
}

/* mkdir -p: the directory at path, made with its parents; links on the way followed. */
static enum ftree_rc mkdir_p(struct state *st, const char *path, unsigned mode, struct node **out,
			     struct made *m)
{
	struct node *cur = st->root;
	const char *p = path;
	char name[NAME_MAX_LEN + 1];
	int r;

	while ((r = next_comp(&p, name)) > 0) {
		struct node *child = kid(cur, name);

		if (child == NULL) {
			child = node_new(st, name, FTREE_DIR, mode, (int64_t)time(NULL), NULL,
					 NULL);
			kid_set(st, cur, child);
			if (m != NULL && m->first == NULL) {
				m->parent = cur;
				m->first = child;
			}
		} else if (child->type == FTREE_LINK) {
			size_t done = (size_t)(p - path);
			char *upto = xstrndup(path, done);
			enum ftree_rc rc = find(st, upto, true, &child);

			free(upto);
			if (rc != FTREE_OK)
				return rc == FTREE_NOT_FOUND ? FTREE_NOT_DIR : rc;
		}
		if (child->type != FTREE_DIR)
			return FTREE_NOT_DIR;
		cur = child;
	}
	if (r < 0)
		return FTREE_BAD_PATH;
	*out = cur;
	return FTREE_OK;
}

/* The tree */

struct ftree *ftree_new(uint64_t max_bytes)
{
	struct ftree *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	atomic_init(&t->refs, 1);
	t->max = max_bytes;
	state_init(&t->s);
	return t;
}

struct ftree *ftree_ref(struct ftree *t)
{
	atomic_fetch_add(&t->refs, 1);
	return t;
}

void ftree_free(struct ftree **t)
{
	if (t == NULL || *t == NULL)
		return;
	if (atomic_fetch_sub(&(*t)->refs, 1) == 1) {
		state_clear(&(*t)->s);
		pthread_mutex_destroy(&(*t)->lock);
		free(*t);
	}
	*t = NULL;
}

struct ftree *ftree_copy(struct ftree *t)
{
	struct ftree *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->refs, 1);
	c->max = t->max;
	pthread_mutex_lock(&t->lock);
	state_copy(&c->s, &t->s);
	pthread_mutex_unlock(&t->lock);
	return c;
}

uint64_t ftree_used(struct ftree *t)
{
	uint64_t u;

	pthread_mutex_lock(&t->lock);
	u = t->s.used;
	pthread_mutex_unlock(&t->lock);
	return u;
}

uint64_t ftree_max(const struct ftree *t)
{
	return t->max;
}

enum ftree_rc ftree_mkdir(struct ftree *t, const char *path, unsigned mode)
{
	struct made m = {0};
	struct node *dir;
	enum ftree_rc rc = check_path(path);

	if (rc != FTREE_OK)
		return rc;
	pthread_mutex_lock(&t->lock);
	rc = mkdir_p(&t->s, path, mode, &dir, &m);
	if (rc == FTREE_OK && t->s.used > t->max)
		rc = FTREE_FULL;
	if (rc != FTREE_OK)
		unmake(&t->s, &m);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* What putting blob (or a link to target) over old would cost; may be negative. */
static int64_t put_delta(const struct state *st, const struct node *old, enum ftree_type type,
			 const struct ftree_blob *blob, const char *target)
{
	int64_t d = FTREE_NODE_COST;

	if (type == FTREE_LINK)
		d += (int64_t)strlen(target != NULL ? target : "");
	if (type == FTREE_FILE && set_uses(&st->blobs, blob) == 0)
		d += (int64_t)blob->len;
	if (old == NULL)
		return d;
	d -= (int64_t)node_cost(old);
	if (old->blob != NULL && old->blob != blob && set_uses(&st->blobs, old->blob) == 1)
		d -= (int64_t)old->blob->len;
	return d;
}

static enum ftree_rc put_locked(struct ftree *t, const char *path, enum ftree_type type,
				unsigned mode, int64_t mtime, struct ftree_blob *blob,
				const char *target)
{
	char last[NAME_MAX_LEN + 1];
	char *parent = split_last(path, last);
	struct made m = {0};
	struct node *dir = NULL;
	struct node *old;
	enum ftree_rc rc = FTREE_IS_DIR;

	if (last[0] == '\0')
		goto out;
	rc = mkdir_p(&t->s, parent, 0755, &dir, &m);
	if (rc != FTREE_OK)
		goto out;
	old = kid(dir, last);
	if (old != NULL && old->type == FTREE_DIR) {
		rc = FTREE_IS_DIR;
		goto out;
	}
	if ((int64_t)t->s.used + put_delta(&t->s, old, type, blob, target) > (int64_t)t->max) {
		rc = FTREE_FULL;
		goto out;
	}
	kid_set(&t->s, dir, node_new(&t->s, last, type, mode, mtime, blob, target));
	if (t->s.used > t->max) /* only the parents just made can have done it */
		rc = FTREE_FULL;
out:
	if (rc != FTREE_OK)
		unmake(&t->s, &m);
	free(parent);
	return rc;
}

enum ftree_rc ftree_put(struct ftree *t, const char *path, enum ftree_type type, unsigned mode,
			int64_t mtime, struct ftree_blob *blob, const char *target)
{
	enum ftree_rc rc = check_path(path);

	if (rc == FTREE_OK && (type == FTREE_DIR || (type == FTREE_FILE && blob == NULL)))
		rc = FTREE_IS_DIR;
	if (rc == FTREE_OK) {
		pthread_mutex_lock(&t->lock);
		rc = put_locked(t, path, type, mode, mtime, blob, target);
		pthread_mutex_unlock(&t->lock);
	}
	ftree_blob_unref(blob);
	return rc;
}

static void stat_of(const struct node *n, struct ftree_stat *st)
{
	st->type = n->type;
	st->mode = n->mode;
	st->mtime = n->mtime;
	st->size = n->blob != NULL ? n->blob->len : n->target != NULL ? strlen(n->target) : 0;
}

enum ftree_rc ftree_stat(struct ftree *t, const char *path, struct ftree_stat *st)
{
	struct node *n = NULL;
	enum ftree_rc rc;

	pthread_mutex_lock(&t->lock);
	rc = find(&t->s, path, false, &n);
	if (rc == FTREE_OK)
		stat_of(n, st);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

enum ftree_rc ftree_blob_at(struct ftree *t, const char *path, struct ftree_blob **out)
{
	struct node *n = NULL;
	enum ftree_rc rc;

	*out = NULL;
	pthread_mutex_lock(&t->lock);
	rc = find(&t->s, path, true, &n);
	if (rc == FTREE_OK && n->type != FTREE_FILE)
		rc = FTREE_IS_DIR;
	if (rc == FTREE_OK)
		*out = ftree_blob_ref(n->blob);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

enum ftree_rc ftree_realpath(struct ftree *t, const char *path, char **out)
{
	struct node *n = NULL;
	enum ftree_rc rc;

	*out = NULL;
	pthread_mutex_lock(&t->lock);
	rc = find_at(&t->s, path, true, 0, &n, out);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Listings and snapshots */

struct entries {
	struct ftree_entry *e;
	size_t n, cap;
};

static void entry_add(struct entries *es, const struct node *n, char *path)
{
	struct ftree_entry *e;

	if (es->n == es->cap) {
		es->cap = es->cap != 0 ? es->cap * 2 : 16;
		es->e = xreallocarray(es->e, es->cap, sizeof(*es->e));
	}
	e = &es->e[es->n++];
	e->path = path;
	e->type = n->type;
	e->mode = n->mode;
	e->mtime = n->mtime;
	e->blob = n->blob != NULL ? ftree_blob_ref(n->blob) : NULL;
	e->target = n->target != NULL ? xstrdup(n->target) : NULL;
}

enum ftree_rc ftree_list(struct ftree *t, const char *path, struct ftree_entry **out, size_t *n)
{
	struct entries es = {0};
	struct node *dir = NULL;
	enum ftree_rc rc;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&t->lock);
	rc = find(&t->s, path, true, &dir);
	if (rc == FTREE_OK && dir->type != FTREE_DIR)
		rc = FTREE_NOT_DIR;
	for (size_t i = 0; rc == FTREE_OK && i < dir->n; i++)
		entry_add(&es, dir->kids[i], xstrdup(dir->kids[i]->name));
	pthread_mutex_unlock(&t->lock);
	*out = es.e;
	*n = es.n;
	return rc;
}

/* n's entry as prefix + name ("/" after a directory), then its children's. */
static void snap_walk(struct entries *es, const struct node *n, const char *prefix)
{
	bool dir = n->type == FTREE_DIR;
	char *path = xasprintf("%s%s%s", prefix, n->name, dir ? "/" : "");

	entry_add(es, n, path);
	for (size_t i = 0; dir && i < n->n; i++)
		snap_walk(es, n->kids[i], path);
}

enum ftree_rc ftree_snapshot(struct ftree *t, const char *path, bool contents_only,
			     struct ftree_entry **out, size_t *n)
{
	struct entries es = {0};
	struct node *node = NULL;
	enum ftree_rc rc;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&t->lock);
	rc = find(&t->s, path, false, &node);
	if (rc == FTREE_OK && contents_only && node->type != FTREE_DIR)
		rc = FTREE_NOT_DIR;
	if (rc == FTREE_OK && (contents_only || node == t->s.root)) {
		for (size_t i = 0; i < node->n; i++)
			snap_walk(&es, node->kids[i], "");
	} else if (rc == FTREE_OK) {
		snap_walk(&es, node, "");
	}
	pthread_mutex_unlock(&t->lock);
	*out = es.e;
	*n = es.n;
	return rc;
}

void ftree_entries_free(struct ftree_entry *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].path);
		free(e[i].target);
		ftree_blob_unref(e[i].blob);
	}
	free(e);
}

/* Grafts */

/* Copies src's children into dst, as tar extraction over a directory does. */
static enum ftree_rc merge(struct state *st, struct node *dst, const struct node *src,
			   bool overwrite)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct node *s = src->kids[i];
		struct node *d = kid(dst, s->name);
		enum ftree_rc rc;

		if (d == NULL) {
			kid_set(st, dst, node_copy(st, s));
			continue;
		}
		if (s->type == FTREE_DIR && d->type == FTREE_DIR) {
			rc = merge(st, d, s, overwrite);
			if (rc != FTREE_OK)
				return rc;
			continue;
		}
		if (s->type == FTREE_DIR)
			return FTREE_NOT_DIR;
		if (d->type == FTREE_DIR)
			return FTREE_IS_DIR;
		if (!overwrite)
			return FTREE_EXISTS;
		kid_set(st, dst, node_copy(st, s));
	}
	return FTREE_OK;
}

/* The one regular file src holds alone, or NULL. */
static const struct node *lone_file(const struct state *src)
{
	const struct node *r = src->root;

	return r->n == 1 && r->kids[0]->type == FTREE_FILE ? r->kids[0] : NULL;
}

static enum ftree_rc graft_into(struct state *st, const char *path, const struct state *src,
				bool into_dir, bool overwrite)
{
	struct node *at = NULL;
	const struct node *file = lone_file(src);
	enum ftree_rc rc = find(st, path, true, &at);
	char last[NAME_MAX_LEN + 1];
	char *parent;
	struct node *dir;

	if (rc != FTREE_OK && rc != FTREE_NOT_FOUND)
		return rc;
	if (rc == FTREE_OK && at->type != FTREE_DIR && (into_dir || file == NULL))
		return FTREE_NOT_DIR;
	if ((rc == FTREE_OK && at->type == FTREE_DIR) || into_dir || file == NULL) {
		if (rc != FTREE_OK) {
			rc = mkdir_p(st, path, 0755, &at, NULL);
			if (rc != FTREE_OK)
				return rc;
		}
		return merge(st, at, src->root, overwrite);
	}
	/* one file, renamed to path */
	if (rc == FTREE_OK && !overwrite)
		return FTREE_EXISTS;
	parent = split_last(path, last);
	rc = last[0] == '\0' ? FTREE_IS_DIR : mkdir_p(st, parent, 0755, &dir, NULL);
	free(parent);
	if (rc != FTREE_OK)
		return rc;
	if (kid(dir, last) != NULL && kid(dir, last)->type == FTREE_DIR)
		return FTREE_IS_DIR;
	kid_set(st, dir, node_new(st, last, FTREE_FILE, file->mode, file->mtime, file->blob, NULL));
	return FTREE_OK;
}

enum ftree_rc ftree_graft(struct ftree *t, const char *path, struct ftree *src, bool into_dir,
			  bool overwrite)
{
	struct state next;
	enum ftree_rc rc = check_path(path);

	pthread_mutex_lock(&t->lock);
	pthread_mutex_lock(&src->lock);
	if (rc == FTREE_OK) {
		state_copy(&next, &t->s);
		rc = graft_into(&next, path, &src->s, into_dir, overwrite);
		if (rc == FTREE_OK && next.used > t->max)
			rc = FTREE_FULL;
		if (rc == FTREE_OK) {
			struct state old = t->s;

			t->s = next;
			next = old;
		}
		state_clear(&next);
	}
	state_clear(&src->s);
	state_init(&src->s);
	pthread_mutex_unlock(&src->lock);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

const char *ftree_strerror(enum ftree_rc rc)
{
	switch (rc) {
	case FTREE_OK:
		return "ok";
	case FTREE_NOT_FOUND:
		return "no such file or directory";
	case FTREE_NOT_DIR:
		return "not a directory";
	case FTREE_IS_DIR:
		return "is a directory";
	case FTREE_EXISTS:
		return "file exists";
	case FTREE_FULL:
		return "no space left on device";
	case FTREE_BAD_PATH:
		return "invalid path";
	}
	return "unknown error";
}
