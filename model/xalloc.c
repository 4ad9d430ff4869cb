/*
 * xalloc: see xalloc.h. The fatal hook is a plain function pointer set once
 * at start-up, before any thread runs.
 */
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void xalloc_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("boxtop: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void *checked(void *p, size_t size)
{
	if (p == NULL)
		fatal("out of memory allocating %zu bytes", size);
	return p;
}

void *xmalloc(size_t size)
{
	if (size == 0)
		fatal("xmalloc: zero size");
	return checked(malloc(size), size);
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		fatal("xcalloc: zero size");
	if (SIZE_MAX / nmemb < size)
		fatal("xcalloc: %zu * %zu overflows", nmemb, size);
	return checked(calloc(nmemb, size), nmemb * size);
}

void *xrealloc(void *ptr, size_t size)
{
	if (size == 0)
		fatal("xrealloc: zero size");
	return checked(realloc(ptr, size), size);
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		fatal("xreallocarray: zero size");
	if (SIZE_MAX / nmemb < size)
		fatal("xreallocarray: %zu * %zu overflows", nmemb, size);
	return checked(realloc(ptr, nmemb * size), nmemb * size);
}

bool xstreq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

char *xstrndup(const char *s, size_t n)
{
	char *copy;

	if (s == NULL)
		return NULL;
	n = strnlen(s, n);
	copy = xmalloc(n + 1);
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

char *xstrdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return xstrndup(s, strlen(s));
}

void *xmemdup(const void *p, size_t n)
{
	void *out = xmalloc(n);

	memcpy(out, p, n);
	return out;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("xasprintf: bad format");
	out = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

void xarray_append(void **dst, size_t *dst_n, void **src, size_t *src_n, size_t size)
{
	if (*src_n == 0)
		return;
	*dst = xreallocarray(*dst, *dst_n + *src_n, size);
	memcpy((char *)*dst + *dst_n * size, *src, *src_n * size);
	*dst_n += *src_n;
	free(*src);
	*src = NULL;
	*src_n = 0;
}
