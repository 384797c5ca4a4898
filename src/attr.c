/*
 * attr — DynamoDB attribute values held as jansson JSON in the wire shape,
 * their type and equality, and the plain-JSON face the REST API shows.
 * Number arithmetic is attr_number.c.
 *
 * Not storage and not expressions: no SQLite, no HTTP, no condition logic.
 * Numbers are handled as digit strings throughout; a double never carries a
 * value a client wrote in a request body.
 */
#include "attr.h"
#include "attr_impl.h"
#include "b64.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How request bodies are read: a scalar is "not an object" rather than
 * "not JSON", a repeated name is refused, and U+0000 in a string is data
 * (DynamoDB stores it). */
#define JSON_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* One number token of a request body: where it is in the raw text. */
struct tok {
    const char *p;
    size_t n;
};

/* The number tokens of a body in document order, and the next one to use.
 * NULL where a conversion takes numbers from jansson (attr_from_plain). */
struct toks {
    struct tok *v;
    size_t n, cap, next;
};

/* jansson's iteration API takes json_t * although it only reads; this is the
 * one place the const of a borrowed value is dropped for it. */
static json_t *unconst(const json_t *j)
{
    return (json_t *)(uintptr_t)j;
}

static int is_number_char(char c)
{
    return attr_is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' ||
           c == 'E';
}

/*
 * Find the number tokens of the raw text s (outside string literals), record
 * them in t, and overwrite each with "0" and spaces in copy (same length as
 * s). jansson then never converts a number itself, so neither its double
 * rounding nor its range errors reach the client: the exact text is
 * canonicalized here instead. Runs that are not JSON numbers are left alone
 * for jansson to reject, so copy is valid JSON exactly when s is.
 */
static void scan_numbers(const char *s, size_t len, char *copy, struct toks *t)
{
    size_t i = 0, j;

    while (i < len) {
        if (s[i] == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
            continue;
        }
        if (s[i] != '-' && !attr_is_digit(s[i])) {
            i++;
            continue;
        }
        for (j = i; j < len && is_number_char(s[j]); j++)
            ;
        if (attr_json_number_ok(s + i, j - i)) {
            if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 16;
                t->v = xrealloc(t->v, t->cap * sizeof *t->v);
            }
            t->v[t->n].p = s + i;
            t->v[t->n].n = j - i;
            t->n++;
            copy[i] = '0';
            memset(copy + i + 1, ' ', j - i - 1);
        }
        i = j;
    }
}

static json_t *typed(const char *type, json_t *v)
{
    json_t *a = json_object();

    json_object_set_new(a, type, v);
    return a;
}

/* The shortest decimal text that reads back as d: reals in plain JSON carry
 * no text of their own, and %.17g alone would add binary noise (0.1 →
 * 0.10000000000000001). */
static void shortest_real(double d, char *out, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static json_t *number(const json_t *v, struct toks *t, struct err *err)
{
    char text[64], canon[ATTR_NUMBER_MAX];
    const char *s = text;
    size_t n;

    if (t) {
        if (t->next >= t->n) {
            err_set(err, ERR_INTERNAL, "number tokens out of step");
            return NULL;
        }
        s = t->v[t->next].p;
        n = t->v[t->next].n;
        t->next++;
    } else {
        if (json_is_integer(v))
            snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
        else
            shortest_real(json_real_value(v), text, sizeof text);
        n = strlen(text);
    }
    if (attr_number_canonical(s, n, canon, err) < 0)
        return NULL;
    return typed("N", json_string(canon));
}

static json_t *convert(const json_t *v, int depth, struct toks *t,
                       struct err *err);

static json_t *convert_object(const json_t *v, int depth, struct toks *t,
                              struct err *err)
{
    json_t *m = json_object(), *j = unconst(v), *child, *a;
    const char *key;
    size_t klen;

    json_object_keylen_foreach(j, key, klen, child)
    {
        /* an empty name at any depth, as DynamoDB refuses it (and as the
         * DynamoDB face does) */
        if (klen == 0) {
            err_set(err, ERR_BAD_REQUEST,
                    "One or more parameter values were invalid: An "
                    "AttributeName may not be empty");
            json_decref(m);
            return NULL;
        }
        a = convert(child, depth + 1, t, err);
        if (!a) {
            json_decref(m);
            return NULL;
        }
        json_object_setn_new(m, key, klen, a);
    }
    return m;
}

static json_t *convert(const json_t *v, int depth, struct toks *t,
                       struct err *err)
{
    json_t *l, *a;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return typed("S",
                     json_stringn(json_string_value(v), json_string_length(v)));
    case JSON_INTEGER:
    case JSON_REAL:
        return number(v, t, err);
    case JSON_TRUE:
        return typed("BOOL", json_true());
    case JSON_FALSE:
        return typed("BOOL", json_false());
    case JSON_NULL:
        return typed("NULL", json_true());
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    if (depth >= ATTR_MAX_DEPTH) {
        err_set(err, ERR_BAD_REQUEST, "Item nesting exceeds %d levels",
                ATTR_MAX_DEPTH);
        return NULL;
    }
    if (json_is_object(v)) {
        a = convert_object(v, depth, t, err);
        return a ? typed("M", a) : NULL;
    }
    l = json_array();
    for (i = 0; i < json_array_size(v); i++) {
        a = convert(json_array_get(v, i), depth + 1, t, err);
        if (!a) {
            json_decref(l);
            return NULL;
        }
        json_array_append_new(l, a);
    }
    return typed("L", l);
}

json_t *attr_from_plain(const json_t *plain, int depth, struct err *err)
{
    return convert(plain, depth, NULL, err);
}

static void parse_error(const char *text, size_t len, const json_error_t *first,
                        struct err *err)
{
    json_error_t jerr = *first;
    json_t *again;

    /* The copy's errors name "0" where the client wrote a number; the
     * original text fails the same way and says what the client sent. */
    again = json_loadb(text, len, JSON_FLAGS, &jerr);
    if (again) {
        json_decref(again);
        jerr = *first;
    }
    if (json_error_code(&jerr) == json_error_invalid_utf8)
        err_set(err, ERR_BAD_REQUEST, "Request body is not valid UTF-8");
    else
        err_set(err, ERR_BAD_REQUEST, "Request body is not valid JSON: %s",
                attr_json_error_text(&jerr));
}

const char *attr_json_error_text(const json_error_t *jerr)
{
    switch (json_error_code(jerr)) {
    case json_error_null_byte_in_key:
        return "an attribute name containing U+0000 is not supported";
    case json_error_null_character:
        return "U+0000 is not supported here";
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    default:
        break;
    }
    /* jansson's text, unless it names one of jansson's own flags */
    return strstr(jerr->text, "JSON_") ? "syntax error" : jerr->text;
}

json_t *attr_item_from_json_text(const char *text, size_t len, struct err *err)
{
    struct toks t = {NULL, 0, 0, 0};
    json_error_t jerr;
    json_t *doc = NULL, *item = NULL;
    char *copy;
    const char *key;
    size_t klen;
    json_t *v, *a;

    if (len == 0)
        text = "";
    copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    scan_numbers(text, len, copy, &t);

    /* DECODE_ANY so that a scalar body is "not an object" rather than "not
     * JSON": it is valid JSON, just the wrong shape. */
    doc = json_loadb(copy, len, JSON_FLAGS, &jerr);
    if (!doc) {
        parse_error(text, len, &jerr, err);
        goto out;
    }
    if (!json_is_object(doc)) {
        err_set(err, ERR_BAD_REQUEST, "Request body must be a JSON object");
        goto out;
    }
    item = json_object();
    json_object_keylen_foreach(doc, key, klen, v)
    {
        /* DynamoDB refuses an empty attribute name; so must this face, or
         * an item would be stored that the other face cannot write */
        if (klen == 0) {
            err_set(err, ERR_BAD_REQUEST,
                    "One or more parameter values were invalid: An "
                    "AttributeName may not be empty");
            json_decref(item);
            item = NULL;
            goto out;
        }
        a = convert(v, 0, &t, err);
        if (!a) {
            json_decref(item);
            item = NULL;
            goto out;
        }
        json_object_setn_new(item, key, klen, a);
    }
    if (t.next != t.n) {
        err_set(err, ERR_INTERNAL, "number tokens out of step");
        json_decref(item);
        item = NULL;
    }
out:
    json_decref(doc);
    free(t.v);
    free(copy);
    return item;
}

const char *attr_type(const json_t *value, const json_t **payload)
{
    static const char *const types[] = {"S", "N", "B",  "BOOL", "NULL",
                                        "M", "L", "SS", "NS",   "BS"};
    const json_t *p;

    if (payload)
        *payload = NULL;
    if (!json_is_object(value) || json_object_size(value) != 1)
        return "";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        p = json_object_get(value, types[i]);
        if (p) {
            if (payload)
                *payload = p;
            return types[i];
        }
    }
    return "";
}

/* Whether two payloads of the scalar type t (S, N or B) are one value:
 * numbers by value, binary by its bytes (text that does not decode as
 * text), strings by their bytes. */
static int scalar_equal(const char *t, const json_t *a, const json_t *b)
{
    size_t na, nb;
    unsigned char *x, *y;
    int eq;

    if (!json_is_string(a) || !json_is_string(b))
        return a == b;
    if (t[0] == 'N')
        return attr_number_compare(json_string_value(a),
                                   json_string_value(b)) == 0;
    na = json_string_length(a);
    nb = json_string_length(b);
    if (t[0] != 'B')
        return na == nb &&
               !memcmp(json_string_value(a), json_string_value(b), na);
    x = b64_decode(json_string_value(a), na, &na);
    y = b64_decode(json_string_value(b), nb, &nb);
    if (!x || !y)
        eq = !strcmp(json_string_value(a), json_string_value(b));
    else
        eq = na == nb && !memcmp(x, y, na);
    free(x);
    free(y);
    return eq;
}

int attr_value_equal(const json_t *a, const json_t *b)
{
    const json_t *pa, *pb, *y;
    const char *ta = attr_type(a, &pa), *tb = attr_type(b, &pb), *key;
    json_t *x;
    size_t i;

    if (strcmp(ta, tb) != 0 || !*ta)
        return 0;
    if (!strcmp(ta, "S") || !strcmp(ta, "N") || !strcmp(ta, "B"))
        return scalar_equal(ta, pa, pb);
    if (!strcmp(ta, "BOOL") || !strcmp(ta, "NULL"))
        return json_equal(pa, pb);
    if (!strcmp(ta, "SS") || !strcmp(ta, "NS") || !strcmp(ta, "BS"))
        return attr_set_equal(pa, pb);
    if (!strcmp(ta, "L")) {
        if (json_array_size(pa) != json_array_size(pb))
            return 0;
        for (i = 0; i < json_array_size(pa); i++)
            if (!attr_value_equal(json_array_get(pa, i), json_array_get(pb, i)))
                return 0;
        return 1;
    }
    if (json_object_size(pa) != json_object_size(pb))
        return 0;
    json_object_foreach(unconst(pa), key, x)
    {
        if (!(y = json_object_get(pb, key)) || !attr_value_equal(x, y))
            return 0;
    }
    return 1;
}

static void write_number(struct buf *out, const json_t *n)
{
    const char *s = json_string_value(n);

    /* Raw text goes straight into the JSON: only a JSON number may. */
    if (s && attr_json_number_ok(s, json_string_length(n)))
        buf_append(out, s, json_string_length(n));
    else
        buf_puts(out, "null");
}

static void write_string(struct buf *out, const json_t *s)
{
    if (json_is_string(s))
        buf_json_string(out, json_string_value(s), json_string_length(s));
    else
        buf_puts(out, "null");
}

static void write_set(struct buf *out, const json_t *set, int numbers)
{
    size_t i;

    if (!json_is_array(set)) {
        buf_puts(out, "null");
        return;
    }
    buf_append(out, "[", 1);
    for (i = 0; i < json_array_size(set); i++) {
        if (i)
            buf_append(out, ",", 1);
        if (numbers)
            write_number(out, json_array_get(set, i));
        else
            write_string(out, json_array_get(set, i));
    }
    buf_append(out, "]", 1);
}

void attr_write_plain_item(struct buf *out, const json_t *item)
{
    json_t *j = unconst(item), *v;
    const char *key;
    size_t klen;
    int first = 1;

    if (!json_is_object(item)) {
        buf_puts(out, "null");
        return;
    }
    buf_append(out, "{", 1);
    json_object_keylen_foreach(j, key, klen, v)
    {
        if (!first)
            buf_append(out, ",", 1);
        first = 0;
        buf_json_string(out, key, klen);
        buf_append(out, ":", 1);
        attr_write_plain_value(out, v);
    }
    buf_append(out, "}", 1);
}

void attr_write_plain_value(struct buf *out, const json_t *value)
{
    const json_t *p = NULL;
    const char *type = attr_type(value, &p);
    size_t i;

    if (!*type) {
        buf_puts(out, "null");
    } else if (!strcmp(type, "S") || !strcmp(type, "B")) {
        write_string(out, p);
    } else if (!strcmp(type, "N")) {
        write_number(out, p);
    } else if (!strcmp(type, "BOOL")) {
        buf_puts(out, json_is_true(p) ? "true" : "false");
    } else if (!strcmp(type, "NULL")) {
        buf_puts(out, "null");
    } else if (!strcmp(type, "M")) {
        attr_write_plain_item(out, p);
    } else if (!strcmp(type, "L")) {
        if (!json_is_array(p)) {
            buf_puts(out, "null");
            return;
        }
        buf_append(out, "[", 1);
        for (i = 0; i < json_array_size(p); i++) {
            if (i)
                buf_append(out, ",", 1);
            attr_write_plain_value(out, json_array_get(p, i));
        }
        buf_append(out, "]", 1);
    } else {
        write_set(out, p, !strcmp(type, "NS"));
    }
}

/* (significant digits + 1) / 2 + 1: DynamoDB packs two digits a byte. */
static size_t number_size(const json_t *n)
{
    const char *s = json_string_value(n);
    size_t i, len, digits = 0, run = 0;
    int seen = 0;

    if (!s)
        return 0;
    len = json_string_length(n);
    /* Count from the first non-zero digit to the last, ignoring the point:
     * leading and trailing zeros are not stored. */
    for (i = 0; i < len; i++) {
        if (!attr_is_digit(s[i]))
            continue;
        if (s[i] != '0') {
            seen = 1;
            digits += run + 1;
            run = 0;
        } else if (seen) {
            run++;
        }
    }
    return (digits + 1) / 2 + 1;
}

/* The decoded length of Base64 text, without decoding it. */
static size_t binary_size(const json_t *b)
{
    size_t n = json_string_length(b);
    const char *s = json_string_value(b);

    if (!s)
        return 0;
    while (n > 0 && s[n - 1] == '=')
        n--;
    return n * 3 / 4;
}

static size_t value_size(const json_t *value);

static size_t map_size(const json_t *m)
{
    json_t *j = unconst(m), *v;
    const char *key;
    size_t klen, size = 0;

    json_object_keylen_foreach(j, key, klen, v)
    {
        size += klen + value_size(v);
    }
    return size;
}

static size_t value_size(const json_t *value)
{
    const json_t *p = NULL;
    const char *type = attr_type(value, &p);
    size_t i, size = 0;

    if (!*type)
        return 0;
    switch (type[0]) {
    case 'S':
        if (type[1] == '\0')
            return json_string_length(p);
        for (i = 0; i < json_array_size(p); i++)
            size += json_string_length(json_array_get(p, i));
        return size;
    case 'N':
        if (type[1] == '\0')
            return number_size(p);
        if (type[1] == 'S') {
            for (i = 0; i < json_array_size(p); i++)
                size += number_size(json_array_get(p, i));
            return size;
        }
        return 1; /* NULL */
    case 'B':
        if (type[1] == '\0')
            return binary_size(p);
        if (type[1] == 'S') {
            for (i = 0; i < json_array_size(p); i++)
                size += binary_size(json_array_get(p, i));
            return size;
        }
        return 1; /* BOOL */
    case 'M':
        /* 3 bytes for the map, 1 more per element (Developer Guide). */
        return 3 + json_object_size(p) + map_size(p);
    case 'L':
        size = 3 + json_array_size(p);
        for (i = 0; i < json_array_size(p); i++)
            size += value_size(json_array_get(p, i));
        return size;
    default:
        return 0;
    }
}

size_t attr_value_size(const json_t *value)
{
    return value_size(value);
}

size_t attr_item_size(const json_t *item)
{
    if (!json_is_object(item))
        return 0;
    return map_size(item);
}
