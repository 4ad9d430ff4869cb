/*
 * shared: see shared.h. The count is a C11 atomic. Taking a reference is
 * relaxed: whoever takes one already holds one, which orders it. Dropping one
 * is acquire-release, so the thread that frees sees every write other holders
 * made before letting go (a standalone acquire fence would do too, but
 * ThreadSanitizer does not model fences).
 */
#include "shared.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "xalloc.h"

struct shared {
	atomic_size_t refs;
	shared_destroy_fn destroy;
	void *data;
};

struct shared *shared_new(void *data, shared_destroy_fn destroy)
{
	struct shared *s = xmalloc(sizeof(*s));

	atomic_init(&s->refs, 1);
	s->destroy = destroy;
	s->data = data;
	return s;
}

const void *shared_get(const struct shared *s)
{
	return s != NULL ? s->data : NULL;
}

struct shared *shared_ref(struct shared *s)
{
	if (s != NULL)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void shared_unref(struct shared **s)
{
	struct shared *p;

	if (s == NULL || *s == NULL)
		return;
	p = *s;
	*s = NULL;
	if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (p->destroy != NULL)
		p->destroy(p->data);
	free(p);
}
