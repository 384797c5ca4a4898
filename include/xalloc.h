/*
 * xalloc — allocators that never return NULL.
 *
 * Out of memory is one of crudd's few fatal conditions (src/DESIGN.md, house
 * style): each of these prints "out of memory" to stderr and calls abort(). Any
 * thread may call them. Sizes are in bytes.
 */
#ifndef CRUDD_XALLOC_H
#define CRUDD_XALLOC_H

#include <stddef.h>

/* malloc(n); never NULL. Free with free(). */
void *xmalloc(size_t n);
/* calloc(count, size) with overflow check; never NULL. Free with free(). */
void *xcalloc(size_t count, size_t size);
/* realloc(p, n); never NULL. p may be NULL. */
void *xrealloc(void *p, size_t n);
/* strdup(s); s must not be NULL. Free with free(). */
char *xstrdup(const char *s);
/* A NUL-terminated copy of the first n bytes of s. Free with free(). */
char *xstrndup(const char *s, size_t n);
/* asprintf into a new string; never NULL. Free with free(). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
