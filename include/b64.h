/*
 * b64 — Base64 (RFC 4648 §4) and Base64url without padding (§5), for
 * isBase64Encoded bodies (API Gateway) and opaque page tokens.
 * Pure functions; any thread.
 */
#ifndef CRUDD_B64_H
#define CRUDD_B64_H

#include <stddef.h>

/* Encode n bytes of p. url: the URL-safe alphabet, no '=' padding.
 * Returns a new NUL-terminated string (free with free()); never NULL. */
char *b64_encode(const void *p, size_t n, int url);

/* The bytes b64_encode_to may write for n bytes, its NUL included. */
#define B64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)

/* b64_encode into out, which holds B64_ENCODED_SIZE(n) bytes; returns the
 * length written, not counting the NUL. */
size_t b64_encode_to(char *out, const void *p, size_t n, int url);

/* Decode n characters of s (either alphabet; padding optional). Returns a new
 * buffer (free with free()), NUL-terminated for convenience, its length in
 * *out_len; NULL if s is not valid Base64 (no error detail: callers know what
 * the text was meant to be). */
unsigned char *b64_decode(const char *s, size_t n, size_t *out_len);

/* b64_decode, but only canonical RFC 4648 §4 text, as DynamoDB reads a B:
 * the standard alphabet, a length that is a multiple of 4, '=' only as the
 * one or two last characters where the bytes run out, unused bits zero
 * ("AAA", "-_-_" and "AAAA====" are refused). */
unsigned char *b64_decode_strict(const char *s, size_t n, size_t *out_len);

#endif
