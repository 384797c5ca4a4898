/*
 * attr_impl — what the parts of the attr module (src/attr*.c) share.
 * Not public.
 */
#ifndef CRUDD_ATTR_IMPL_H
#define CRUDD_ATTR_IMPL_H

#include <stddef.h>

/* Whether c is an ASCII decimal digit. */
static inline int attr_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether s[0..n) is exactly one number by RFC 8259's grammar: what may go
 * into JSON text as a number unquoted. */
int attr_json_number_ok(const char *s, size_t n);

#endif
