/*
 * attr_text — typed items as the store keeps them (compact JSON text) read
 * without building a jansson tree: written straight out as the plain JSON
 * of the REST face, or only checked, for the read path's hot loop. A
 * small, strict reader that accepts only well-formed typed items and gives
 * up (returns -1) on anything else, so that the caller can take the
 * tree-based path (json_loadb, attr_write_plain_item) and answer exactly
 * as it always did. Not a general JSON parser and not the DynamoDB wire
 * checks (attr_typed.c).
 */
#include "attr.h"
#include "attr_impl.h"
#include "uri.h"

#include <string.h>

/* Deeper than any item the store accepts (ATTR_MAX_DEPTH levels of M and
 * L, each an attribute value object around a map or list). */
#define TEXT_MAX_DEPTH (4 * ATTR_MAX_DEPTH + 8)

struct scan {
    const char *p, *end;
    struct buf *out; /* NULL: only check */
    struct buf tmp;  /* the decoded bytes of a string with escapes */
};

/* Append to out, if any: in place while there is room (scan_item reserves
 * enough for the common case, where the plain JSON is shorter than the
 * typed text), through buf_append otherwise. */
static inline void put(struct scan *s, const char *p, size_t n)
{
    struct buf *b = s->out;

    if (!b)
        return;
    if (b->cap - b->len > n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        buf_append(b, p, n);
    }
}

/* 1 for the bytes that end a run of plain ones in a string literal: '"',
 * '\\', the control characters (refused) and the bytes of multi-byte UTF-8
 * sequences (checked one by one). */
/* clang-format off */
static const unsigned char special[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(1),                                         /* 0x00-0x0F */
    R16(1),                                         /* 0x10-0x1F */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20-0x2F: '"' */
    R16(0),                                         /* 0x30-0x3F */
    R16(0),                                         /* 0x40-0x4F */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50-0x5F: '\\' */
    R16(0),                                         /* 0x60-0x6F */
    R16(0),                                         /* 0x70-0x7F */
    R16(1), R16(1), R16(1), R16(1),                 /* 0x80-0xBF */
    R16(1), R16(1), R16(1), R16(1),                 /* 0xC0-0xFF */
#undef R16
};
/* clang-format on */

static inline __attribute__((always_inline)) void skip_space(struct scan *s)
{
    while (s->p < s->end &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static inline __attribute__((always_inline)) int eat(struct scan *s, char c)
{
    skip_space(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

static int eat_word(struct scan *s, const char *w)
{
    size_t n = strlen(w);

    skip_space(s);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

/* The length of the UTF-8 sequence at p (at most n bytes there), by the
 * rules jansson's reader applies (no overlong forms, no surrogates, nothing
 * past U+10FFFF), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned long cp;

    if (p[0] < 0xC2 || p[0] > 0xF4)
        return 0;
    len = p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
    if (n < len)
        return 0;
    cp = p[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

/* One escape after the backslash at s->p, decoded into s->tmp. Only what
 * json_dumps writes for a string crudd holds: the short escapes and \u for
 * a character below 0x80 (NUL refused in a name, as jansson does). */
static int escape(struct scan *s, int name)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *e;
    int cp = 0;

    if (s->end - s->p < 2)
        return -1;
    if (s->p[1] != 'u') {
        if (!s->p[1] || !(e = strchr(from, s->p[1])))
            return -1;
        buf_append(&s->tmp, &to[e - from], 1);
        s->p += 2;
        return 0;
    }
    if (s->end - s->p < 6)
        return -1;
    for (int i = 2; i < 6; i++) {
        int d = uri_hex_digit(s->p[i]);
        if (d < 0)
            return -1;
        cp = cp * 16 + d;
    }
    if (cp >= 0x80 || (name && cp == 0))
        return -1;
    char c = (char)cp;
    buf_append(&s->tmp, &c, 1);
    s->p += 6;
    return 0;
}

/*
 * A string literal at s->p: *raw, *n its bytes between the quotes as
 * written; *escaped 1 when it has escapes, its decoded bytes then in
 * s->tmp. Raw control characters and bad UTF-8 are refused, as jansson
 * refuses them.
 */
static int string_lit(struct scan *s, int name, const char **raw, size_t *n,
                      int *escaped)
{
    const char *start;

    if (!eat(s, '"'))
        return -1;
    start = s->p;
    *escaped = 0;
    s->tmp.len = 0;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        size_t len = 1;
        if (!special[c]) {
            /* the run of plain bytes from here, in one go */
            const char *q = s->p + 1;
            while (q < s->end && !special[(unsigned char)*q])
                q++;
            if (*escaped)
                buf_append(&s->tmp, s->p, (size_t)(q - s->p));
            s->p = q;
            continue;
        }
        if (c == '\\') {
            if (!*escaped)
                buf_append(&s->tmp, start, (size_t)(s->p - start));
            *escaped = 1;
            if (escape(s, name) < 0)
                return -1;
            continue;
        }
        if (c < 0x20)
            return -1;
        if (c >= 0x80 && !(len = utf8_len((const unsigned char *)s->p,
                                          (size_t)(s->end - s->p))))
            return -1;
        if (*escaped)
            buf_append(&s->tmp, s->p, len);
        s->p += len;
    }
    if (s->p == s->end)
        return -1;
    *raw = start;
    *n = (size_t)(s->p - start);
    s->p++;
    return 0;
}

/* A string literal written out as buf_json_string writes its value. A
 * string without escapes holds nothing buf_json_string would escape. */
static int string_out(struct scan *s, int name)
{
    const char *raw;
    size_t n;
    int escaped;

    if (string_lit(s, name, &raw, &n, &escaped) < 0)
        return -1;
    if (!s->out)
        return 0;
    if (escaped) {
        buf_json_string(s->out, s->tmp.data, s->tmp.len);
    } else {
        put(s, "\"", 1);
        put(s, raw, n);
        put(s, "\"", 1);
    }
    return 0;
}

/* An N's payload: its text as a JSON number, or null when it is not one
 * (as attr_write_plain_value writes it). */
static int number_out(struct scan *s)
{
    const char *raw;
    size_t n;
    int escaped;

    if (string_lit(s, 0, &raw, &n, &escaped) < 0 || escaped)
        return -1;
    if (attr_json_number_ok(raw, n))
        put(s, raw, n);
    else
        put(s, "null", 4);
    return 0;
}

static int value_out(struct scan *s, int depth);

/* What an array holds: a set's strings or numbers, or an L's values. */
enum element { STRINGS, NUMBERS, VALUES };

static int array_out(struct scan *s, enum element kind, int depth)
{
    if (!eat(s, '['))
        return -1;
    put(s, "[", 1);
    if (eat(s, ']')) {
        put(s, "]", 1);
        return 0;
    }
    do {
        int rc = kind == STRINGS   ? string_out(s, 0)
                 : kind == NUMBERS ? number_out(s)
                                   : value_out(s, depth + 1);
        if (rc < 0)
            return -1;
        if (eat(s, ']')) {
            put(s, "]", 1);
            return 0;
        }
        put(s, ",", 1);
    } while (eat(s, ','));
    return -1;
}

static int map_out(struct scan *s, int depth);

/* An attribute value: an object with exactly one member, its type. */
static int value_out(struct scan *s, int depth)
{
    const char *type;
    size_t n;
    int escaped, rc;

    if (depth > TEXT_MAX_DEPTH || !eat(s, '{') ||
        string_lit(s, 0, &type, &n, &escaped) < 0 || escaped || !eat(s, ':'))
        return -1;
#define IS(t) (n == sizeof t - 1 && memcmp(type, t, n) == 0)
    if (IS("S") || IS("B")) {
        rc = string_out(s, 0);
    } else if (IS("N")) {
        rc = number_out(s);
    } else if (IS("BOOL")) {
        rc = 0;
        if (eat_word(s, "true"))
            put(s, "true", 4);
        else if (eat_word(s, "false"))
            put(s, "false", 5);
        else
            rc = -1;
    } else if (IS("NULL")) {
        rc = eat_word(s, "true") ? 0 : -1;
        put(s, "null", 4);
    } else if (IS("M")) {
        rc = map_out(s, depth + 1);
    } else if (IS("L")) {
        rc = array_out(s, VALUES, depth + 1);
    } else if (IS("SS") || IS("BS")) {
        rc = array_out(s, STRINGS, depth);
    } else if (IS("NS")) {
        rc = array_out(s, NUMBERS, depth);
    } else {
        rc = -1;
    }
#undef IS
    return rc < 0 || !eat(s, '}') ? -1 : 0;
}

/* An item or an M's payload: names and attribute values. */
static int map_out(struct scan *s, int depth)
{
    if (depth > TEXT_MAX_DEPTH || !eat(s, '{'))
        return -1;
    put(s, "{", 1);
    if (eat(s, '}')) {
        put(s, "}", 1);
        return 0;
    }
    do {
        if (string_out(s, 1) < 0 || !eat(s, ':'))
            return -1;
        put(s, ":", 1);
        if (value_out(s, depth + 1) < 0)
            return -1;
        if (eat(s, '}')) {
            put(s, "}", 1);
            return 0;
        }
        put(s, ",", 1);
    } while (eat(s, ','));
    return -1;
}

static int scan_item(struct buf *out, const char *text, size_t len)
{
    struct scan s = {text, text + len, out, {0}};
    size_t mark = out ? out->len : 0;
    int rc;

    buf_init(&s.tmp);
    if (out && text) {
        /* room for the plain JSON, which drops every type wrapper */
        buf_reserve(out, len);
    }
    rc = text ? map_out(&s, 0) : -1;
    skip_space(&s);
    if (rc == 0 && s.p != s.end)
        rc = -1;
    buf_fini(&s.tmp);
    if (rc < 0 && out)
        buf_truncate(out, mark);
    return rc;
}

int attr_typed_text_to_plain(struct buf *out, const char *text, size_t len)
{
    return scan_item(out, text, len);
}

int attr_typed_text_check(const char *text, size_t len)
{
    return scan_item(NULL, text, len);
}
