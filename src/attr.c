/*
 * attr — DynamoDB attribute values held as jansson JSON in the wire shape,
 * exact decimal numbers, and the plain-JSON face the REST API shows.
 *
 * Not storage and not expressions: no SQLite, no HTTP, no condition logic.
 * Numbers are handled as digit strings throughout; a double never carries a
 * value a client wrote in a request body.
 */
#include "attr.h"
#include "attr_impl.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DynamoDB's Number limits: precision, and the decimal exponents of the
 * largest and smallest non-zero magnitudes (9.99...E+125, 1E-130). */
#define NUM_MAX_DIGITS 38
#define NUM_MAX_EXP 125
#define NUM_MIN_EXP (-130)
/* Exponents are clamped here while read: anything this large is already out
 * of range, and the clamp keeps "1e99999999999999999999" from overflowing. */
#define NUM_EXP_CLAMP 1000000000000LL
/* How much of a bad number's text goes into the error message. */
#define NUM_ECHO_MAX 200
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

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* jansson's iteration API takes json_t * although it only reads; this is the
 * one place the const of a borrowed value is dropped for it. */
static json_t *unconst(const json_t *j)
{
    return (json_t *)(uintptr_t)j;
}

static int bad_number(const char *s, size_t n, struct err *err)
{
    size_t show = n;

    /* Cut long text on a UTF-8 boundary so the message stays valid text. */
    if (show > NUM_ECHO_MAX) {
        show = NUM_ECHO_MAX;
        while (show > 0 && ((unsigned char)s[show] & 0xC0) == 0x80)
            show--;
    }
    return err_set(err, ERR_BAD_REQUEST,
                   "The parameter cannot be converted to a numeric value: "
                   "%.*s%s",
                   (int)show, s, show < n ? "..." : "");
}

int attr_number_canonical(const char *s, size_t n, char out[ATTR_NUMBER_MAX],
                          struct err *err)
{
    size_t i = 0, mant, ndig = 0, int_len = 0;
    long long first = -1, last = -1, exp = 0, msp, k, p;
    int neg = 0, point = 0;
    char dig[NUM_MAX_DIGITS];
    char *o = out;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    mant = i;
    for (; i < n; i++) {
        if (is_digit(s[i])) {
            if (s[i] != '0') {
                if (first < 0)
                    first = (long long)ndig;
                last = (long long)ndig;
            }
            ndig++;
            if (!point)
                int_len++;
        } else if (s[i] == '.' && !point) {
            point = 1;
        } else {
            break;
        }
    }
    if (ndig == 0)
        return bad_number(s, n, err);
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        size_t e0;

        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (e0 = i; i < n && is_digit(s[i]); i++)
            if (exp < NUM_EXP_CLAMP)
                exp = exp * 10 + (s[i] - '0');
        if (i == e0)
            return bad_number(s, n, err);
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return bad_number(s, n, err);

    if (first < 0) {
        strcpy(out, "0");
        return 0;
    }
    k = last - first + 1;
    if (k > NUM_MAX_DIGITS)
        return err_set(err, ERR_BAD_REQUEST,
                       "Attempting to store more than 38 significant digits "
                       "in a Number");
    /* msp: the decimal place of the most significant digit; p: the least. */
    msp = (long long)int_len - 1 - first + exp;
    p = msp - (k - 1);
    if (msp > NUM_MAX_EXP)
        return err_set(err, ERR_BAD_REQUEST,
                       "Number overflow. Attempting to store a number with "
                       "magnitude larger than supported range");
    if (msp < NUM_MIN_EXP)
        return err_set(err, ERR_BAD_REQUEST,
                       "Number underflow. Attempting to store a number with "
                       "magnitude smaller than supported range");

    ndig = 0;
    for (i = mant; ndig <= (size_t)last; i++) {
        if (!is_digit(s[i]))
            continue;
        if (ndig >= (size_t)first)
            dig[ndig - (size_t)first] = s[i];
        ndig++;
    }

    if (neg)
        *o++ = '-';
    if (msp < 0) {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)(-msp - 1));
        o += -msp - 1;
        memcpy(o, dig, (size_t)k);
        o += k;
    } else if (p >= 0) {
        memcpy(o, dig, (size_t)k);
        o += k;
        memset(o, '0', (size_t)p);
        o += p;
    } else {
        memcpy(o, dig, (size_t)msp + 1);
        o += msp + 1;
        *o++ = '.';
        memcpy(o, dig + msp + 1, (size_t)(k - msp - 1));
        o += k - msp - 1;
    }
    *o = '\0';
    return 0;
}

int attr_json_number_ok(const char *s, size_t n)
{
    size_t i = 0, d;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else {
        for (d = i; i < n && is_digit(s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && is_digit(s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < n && is_digit(s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    return i == n;
}

static int is_number_char(char c)
{
    return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' ||
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
        if (s[i] != '-' && !is_digit(s[i])) {
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
        if (!is_digit(s[i]))
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

/* A number split into its sign, integer digits (leading zeros skipped, so
 * zero's integer part is empty) and fraction digits. */
struct dec {
    int neg;
    const char *ip, *fp;
    size_t il, fl;
};

static int dec_split(const char *s, struct dec *d)
{
    d->neg = *s == '-';
    if (d->neg)
        s++;
    if (!is_digit(*s))
        return -1;
    for (d->ip = s; is_digit(*s); s++)
        ;
    d->il = (size_t)(s - d->ip);
    d->fp = s;
    d->fl = 0;
    if (*s == '.') {
        for (d->fp = ++s; is_digit(*s); s++)
            ;
        d->fl = (size_t)(s - d->fp);
        if (d->fl == 0)
            return -1;
    }
    if (*s != '\0')
        return -1;
    while (d->il > 0 && d->ip[0] == '0') {
        d->ip++;
        d->il--;
    }
    return 0;
}

static int dec_is_zero(const struct dec *d)
{
    if (d->il > 0)
        return 0;
    for (size_t i = 0; i < d->fl; i++)
        if (d->fp[i] != '0')
            return 0;
    return 1;
}

static int dec_mag_cmp(const struct dec *a, const struct dec *b)
{
    size_t n = a->fl > b->fl ? a->fl : b->fl;
    int c;

    if (a->il != b->il)
        return a->il < b->il ? -1 : 1;
    c = memcmp(a->ip, b->ip, a->il);
    if (c)
        return c < 0 ? -1 : 1;
    for (size_t i = 0; i < n; i++) {
        char ca = i < a->fl ? a->fp[i] : '0';
        char cb = i < b->fl ? b->fp[i] : '0';

        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return 0;
}

int attr_number_compare(const char *a, const char *b)
{
    struct dec x, y;
    int nx, ny, m;

    /* Text that is not a number has no value to compare: keep a total
     * order anyway so callers that sort never see an inconsistent one. */
    if (dec_split(a, &x) < 0 || dec_split(b, &y) < 0)
        return strcmp(a, b);
    nx = x.neg && !dec_is_zero(&x);
    ny = y.neg && !dec_is_zero(&y);
    if (nx != ny)
        return nx ? -1 : 1;
    m = dec_mag_cmp(&x, &y);
    return nx ? -m : m;
}

/* Room for the digits of any two canonical numbers lined up on the point:
 * 126 integer digits, 1 carry, 167 fraction digits. */
#define DEC_WORK (2 * ATTR_NUMBER_MAX)

/* Lay d's digits out in il integer places and fl fraction places. */
static void dec_place(const struct dec *d, size_t il, size_t fl, char *out)
{
    memset(out, 0, il + fl);
    for (size_t i = 0; i < d->il; i++)
        out[il - d->il + i] = (char)(d->ip[i] - '0');
    for (size_t i = 0; i < d->fl; i++)
        out[il + i] = (char)(d->fp[i] - '0');
}

static int add_or_subtract(const char *a, const char *b, int subtract,
                           char out[ATTR_NUMBER_MAX], struct err *err)
{
    char ca[ATTR_NUMBER_MAX], cb[ATTR_NUMBER_MAX];
    char dx[DEC_WORK], dy[DEC_WORK], text[DEC_WORK + 4];
    const char *big, *small;
    struct dec x, y;
    size_t il, fl, n, t = 0;
    int neg, carry = 0;

    /* Canonical first: it validates the operands and bounds their length,
     * which sizes every buffer here. NULL (a stored value that is not a
     * string) is no number either. */
    if (!a || !b)
        return bad_number("", 0, err);
    if (attr_number_canonical(a, strlen(a), ca, err) < 0 ||
        attr_number_canonical(b, strlen(b), cb, err) < 0)
        return -1;
    if (dec_split(ca, &x) < 0 || dec_split(cb, &y) < 0)
        return err_set(err, ERR_INTERNAL, "canonical number did not split");
    y.neg ^= subtract;
    fl = x.fl > y.fl ? x.fl : y.fl;
    il = (x.il > y.il ? x.il : y.il) + 1;
    n = il + fl;
    dec_place(&x, il, fl, dx);
    dec_place(&y, il, fl, dy);
    if (x.neg == y.neg) {
        neg = x.neg;
        for (size_t i = n; i-- > 0;) {
            int s = dx[i] + dy[i] + carry;

            carry = s >= 10;
            dx[i] = (char)(s % 10);
        }
    } else {
        /* Subtract the smaller magnitude from the larger; the sign is the
         * larger one's. */
        int xbig = dec_mag_cmp(&x, &y) >= 0;

        neg = xbig ? x.neg : y.neg;
        big = xbig ? dx : dy;
        small = xbig ? dy : dx;
        for (size_t i = n; i-- > 0;) {
            int s = big[i] - small[i] - carry;

            carry = s < 0;
            dx[i] = (char)(s < 0 ? s + 10 : s);
        }
    }
    if (neg)
        text[t++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i == il)
            text[t++] = '.';
        text[t++] = (char)('0' + dx[i]);
    }
    return attr_number_canonical(text, t, out, err);
}

int attr_number_add(const char *a, const char *b, char out[ATTR_NUMBER_MAX],
                    struct err *err)
{
    return add_or_subtract(a, b, 0, out, err);
}

int attr_number_subtract(const char *a, const char *b,
                         char out[ATTR_NUMBER_MAX], struct err *err)
{
    return add_or_subtract(a, b, 1, out, err);
}
