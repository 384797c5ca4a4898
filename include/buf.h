/*
 * buf — a growable byte buffer, for response bodies and request bodies.
 *
 * Embedded by value: buf_init / buf_fini. The bytes are always followed by a
 * NUL that is not counted in len, so data can be used as a C string when it
 * holds text. Growth uses the x* allocators (never fails). One thread at a
 * time.
 */
#ifndef CRUDD_BUF_H
#define CRUDD_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append; then NUL-terminated */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
};

/* An empty buffer; no allocation. */
void buf_init(struct buf *b);
/* Free the bytes; b is empty (as after buf_init) afterwards. */
void buf_fini(struct buf *b);
/* Append n bytes from p. */
void buf_append(struct buf *b, const void *p, size_t n);
/* Make room for n more bytes (and the NUL) without changing what b holds:
 * afterwards b->data is allocated and b->cap - b->len > n. */
void buf_reserve(struct buf *b, size_t n);
/* Cut b back to its first len bytes (len <= b->len), keeping its memory. */
void buf_truncate(struct buf *b, size_t len);
/* Append a NUL-terminated string. */
void buf_puts(struct buf *b, const char *s);
/* Append printf-style text. */
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s (n bytes of UTF-8) as a JSON string literal with quotes (RFC 8259
 * escapes: quote, backslash and control characters). */
void buf_json_string(struct buf *b, const char *s, size_t n);
/* Append s for a log line: each control byte (CR, LF, ESC...), byte
 * outside ASCII, '"' and '\\' as \xhh, \" and \\ (as Apache escapes its
 * log), so that no client-sent text can add a line or end a quoted field.
 * NULL and "" are "-". */
void buf_log_text(struct buf *b, const char *s);
/* Hand the bytes to the caller (free with free()); b is empty afterwards.
 * Never NULL: an empty buffer gives "". *len receives the length if len. */
char *buf_steal(struct buf *b, size_t *len);

#endif
