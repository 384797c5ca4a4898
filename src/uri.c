/*
 * uri — percent-decoding, strict: a bad escape is an error, not text.
 */
#include "uri.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int uri_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *uri_percent_decode(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;

    for (; *s; s++) {
        if (*s != '%') {
            *o++ = *s;
            continue;
        }
        int hi = uri_hex_digit(s[1]), lo = hi < 0 ? -1 : uri_hex_digit(s[2]);
        if (lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        s += 2;
    }
    *o = '\0';
    return out;
}
