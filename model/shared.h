/*
 * shared: an immutable value with an atomic reference count.
 *
 * The store publishes every list-like value (the box list, the images, a
 * box's snapshots, the jobs table) as a struct shared. Once published the
 * data is never written again, so any thread holding a reference may read
 * it without a lock; the last reference to go runs the destroy function.
 * Writers replace a value by publishing a new one, never by editing.
 */
#ifndef BOXTOP_MODEL_SHARED_H
#define BOXTOP_MODEL_SHARED_H

/* Frees the data of a shared value; called once, by the last unref. */
typedef void (*shared_destroy_fn)(void *data);

struct shared;

/*
 * Wraps data (which may be NULL) with one reference, owned by the caller
 * and dropped with shared_unref. From now on data belongs to the shared
 * value: destroy (which may be NULL for data that needs no freeing) frees
 * it, and nobody may change it once another thread can see it.
 */
struct shared *shared_new(void *data, shared_destroy_fn destroy);

/* The data, or NULL for a NULL s. Valid while the caller holds a reference. */
const void *shared_get(const struct shared *s);

/* Takes one more reference (any thread) and returns s; NULL gives NULL. */
struct shared *shared_ref(struct shared *s);

/*
 * Drops the reference *s holds and NULLs *s; the last one destroys the data
 * and the wrapper. s and *s may be NULL.
 */
void shared_unref(struct shared **s);

#endif
