/*
 * xalloc: allocation that cannot fail.
 *
 * Out of memory is the one error boxtop does not return: every x* function
 * either succeeds or calls the registered fatal hook (the TUI restores the
 * terminal there), prints a message and aborts. Sizes of zero and
 * multiplications that overflow are refused the same way, so callers never
 * check for NULL.
 */
#ifndef BOXTOP_MODEL_XALLOC_H
#define BOXTOP_MODEL_XALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Called once before abort() on an allocation failure; may be NULL. */
void xalloc_set_fatal_hook(void (*hook)(void));

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/* NULL in, NULL out; otherwise a copy the caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Whether a and b are both NULL or the same string: how NULL-in-NULL-out copies compare. */
bool xstreq(const char *a, const char *b);
/* A copy of n bytes (n > 0) the caller frees. */
void *xmemdup(const void *p, size_t n);
/* A formatted string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Moves the *src_n items of *src (each `size` bytes) to the end of *dst and
 * leaves src empty (freed, NULL, 0): how paged lists are joined.
 */
void xarray_append(void **dst, size_t *dst_n, void **src, size_t *src_n, size_t size);

/* The number of elements of an array (not a pointer: the compiler cannot tell). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A macro's value as a string literal: "from 1 to " STRINGIFY(POOL_MAX_WORKERS). */
#define STRINGIFY(x)  STRINGIFY_(x)
#define STRINGIFY_(x) #x

/* Aborts with a message after the fatal hook: for impossible states. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
