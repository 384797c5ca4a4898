/*
 * uri — percent-encoding (RFC 3986 §2.1) helpers shared by the modules that
 * read request targets: the item functions decoding a REST API's path
 * parameters, and sigv4 rebuilding the canonical query. Any thread.
 */
#ifndef CRUDD_URI_H
#define CRUDD_URI_H

/* The value of hex digit c (0-9, a-f, A-F), or -1. */
int uri_hex_digit(char c);

/*
 * s percent-decoded: a new malloc'd NUL-terminated string the caller frees,
 * or NULL when an escape is bad (a '%' without two hex digits) or decodes
 * to NUL (a C string cannot carry it). '+' stays '+': in a path it is not
 * a space.
 */
char *uri_percent_decode(const char *s);

#endif
