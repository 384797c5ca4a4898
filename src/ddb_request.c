/*
 * ddb_request — a strict reader for the common GetItem request text, the
 * hottest request there is: compact JSON, plain ASCII strings, TableName,
 * Key (one or two attributes of type S, N or B), ConsistentRead and
 * ReturnConsumedCapacity in any order. It builds the very object jansson's
 * parser would and declines everything else, which the parser then reads;
 * so it decides nothing about DynamoDB's rules or messages.
 */
#include "ddb_impl.h"

#include <string.h>

struct rd {
    const char *p, *end;
};

/* The literal s (NUL-terminated) next. */
static int lit(struct rd *r, const char *s)
{
    size_t n = strlen(s);

    if ((size_t)(r->end - r->p) < n || memcmp(r->p, s, n) != 0)
        return -1;
    r->p += n;
    return 0;
}

/* A string of printable ASCII without escapes: what needs no decoding and
 * no UTF-8 check. *s and *n are its text between the quotes. */
static int plain(struct rd *r, const char **s, size_t *n)
{
    const char *q;

    if (lit(r, "\"") < 0)
        return -1;
    for (q = r->p; q < r->end && *q != '"'; q++)
        if (*q < 0x20 || *q > 0x7e || *q == '\\')
            return -1;
    if (q == r->end)
        return -1;
    *s = r->p;
    *n = (size_t)(q - r->p);
    r->p = q + 1;
    return 0;
}

/* Member name:value into obj; a repeated name declines (jansson would keep
 * the last, a case too rare to mirror). Steals v. */
static int set(json_t *obj, const char *name, size_t n, json_t *v)
{
    if (!v || json_object_getn(obj, name, n)) {
        json_decref(v);
        return -1;
    }
    return json_object_setn_new_nocheck(obj, name, n, v);
}

/* {"S"|"N"|"B":"text"}, a new reference or NULL. */
static json_t *attr_value(struct rd *r)
{
    const char *s;
    size_t n;
    char type;

    if (lit(r, "{\"") < 0 || r->p == r->end)
        return NULL;
    type = *r->p++;
    if ((type != 'S' && type != 'N' && type != 'B') || lit(r, "\":") < 0 ||
        plain(r, &s, &n) < 0 || lit(r, "}") < 0)
        return NULL;
    json_t *v = json_object();
    json_object_setn_new_nocheck(v, &type, 1, json_stringn_nocheck(s, n));
    return v;
}

/* {"name":value[,"name":value]}, a new reference or NULL. */
static json_t *key(struct rd *r)
{
    json_t *k = json_object();
    const char *name;
    size_t n;

    if (lit(r, "{") < 0)
        goto fail;
    for (int i = 0; i < 2; i++) {
        if (plain(r, &name, &n) < 0 || lit(r, ":") < 0 ||
            set(k, name, n, attr_value(r)) < 0)
            goto fail;
        if (lit(r, "}") == 0)
            return k;
        if (lit(r, ",") < 0)
            goto fail;
    }
fail:
    json_decref(k);
    return NULL;
}

/* One member's value by its name, or NULL for a name not read here. */
static json_t *member(struct rd *r, const char *name, size_t n)
{
    const char *s;
    size_t len;

#define IS(word) (n == sizeof word - 1 && !memcmp(name, word, n))
    if (IS("Key"))
        return key(r);
    if (IS("ConsistentRead"))
        return lit(r, "true") == 0    ? json_true()
               : lit(r, "false") == 0 ? json_false()
                                      : NULL;
    if (IS("TableName") || IS("ReturnConsumedCapacity"))
        return plain(r, &s, &len) < 0 ? NULL : json_stringn_nocheck(s, len);
#undef IS
    return NULL;
}

json_t *ddb_read_get_item(const char *body, size_t len)
{
    struct rd r = {body ? body : "", body ? body + len : ""};
    json_t *in = json_object();
    const char *name;
    size_t n;

    if (lit(&r, "{") < 0)
        goto fail;
    for (int i = 0; i < 4; i++) {
        if (plain(&r, &name, &n) < 0 || lit(&r, ":") < 0 ||
            set(in, name, n, member(&r, name, n)) < 0)
            goto fail;
        if (lit(&r, "}") == 0) {
            if (r.p != r.end)
                break; /* trailing text, even white space */
            return in;
        }
        if (lit(&r, ",") < 0)
            goto fail;
    }
fail:
    json_decref(in);
    return NULL;
}
