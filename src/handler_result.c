/*
 * handler_result — API Gateway's strict reading of a function's JSON result
 * (payload formats 1.0 and 2.0) into a handler_result. Not the builders
 * C handlers use (handler.c).
 */
#include "handler.h"
#include "b64.h"
#include "xalloc.h"

#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* reading a function's JSON result                                    */

/* jansson's iteration API takes json_t * although it only reads; the const
 * of a borrowed result is dropped here for it, and only here. */
static json_t *unconst(const json_t *j)
{
    return (json_t *)(uintptr_t)j;
}

/* The fewest significant digits (at most 17) that give back every real in
 * v, so that 19.99 is dumped as 19.99 and not 19.989999999999998. */
static int real_digits(const json_t *v)
{
    int most = 1;

    if (json_is_real(v)) {
        double d = json_real_value(v);
        char text[32];
        for (int p = 1; p < 17; p++) {
            snprintf(text, sizeof text, "%.*g", p, d);
            if (strtod(text, NULL) == d)
                return p;
        }
        return 17;
    }
    if (json_is_object(v)) {
        const char *key;
        const json_t *item;
        json_object_foreach(unconst(v), key, item)
        {
            int p = real_digits(item);
            most = p > most ? p : most;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            int p = real_digits(json_array_get(v, i));
            most = p > most ? p : most;
        }
    }
    return most;
}

/* v as compact JSON text (any value): a new string, free with free(). */
static char *dump(const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
                                   JSON_REAL_PRECISION(real_digits(v)));
    if (!text) { /* jansson only fails for want of memory */
        fputs("out of memory\n", stderr);
        abort();
    }
    return text;
}

/* A header value as API Gateway takes it: 1 and a new string in *out (a
 * string as it is, a number or boolean as its JSON text), 0 for null
 * (skipped), -1 for an object or a list. */
static int field_value(const json_t *v, char **out)
{
    *out = NULL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *out = xstrdup(json_string_value(v));
        return 1;
    case JSON_INTEGER:
    case JSON_REAL:
    case JSON_TRUE:
    case JSON_FALSE:
        *out = dump(v);
        return 1;
    case JSON_NULL:
        return 0;
    default:
        return -1;
    }
}

/* statusCode: an integer 100..599, an integral real, or a string of digits
 * naming one. 0 and *status, or -1. */
static int status_code(const json_t *v, int *status)
{
    long long n;

    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= 100 && d <= 599) || d != (double)(long long)d)
            return -1; /* NaN fails the first test */
        n = (long long)d;
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = strlen(s);
        if (len == 0 || len > 9 || strspn(s, "0123456789") != len)
            return -1;
        n = strtoll(s, NULL, 10);
    } else {
        return -1;
    }
    if (n < 100 || n > 599)
        return -1;
    *status = (int)n;
    return 0;
}

/* Does r hold the header pair name: value (name case-insensitive)? */
static int has_pair(const struct handler_result *r, size_t upto,
                    const char *name, const char *value)
{
    for (size_t i = 0; i < upto; i++)
        if (!strcasecmp(r->headers[i].name, name) &&
            !strcmp(r->headers[i].value, value))
            return 1;
    return 0;
}

static int has_header(const struct handler_result *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->headers[i].name, name))
            return 1;
    return 0;
}

/* multiValueHeaders: {name: [value, ...]}, null or missing. */
static int multi_headers(const json_t *mv, struct handler_result *r)
{
    const char *name;
    const json_t *list;

    if (!mv || json_is_null(mv))
        return 0;
    if (!json_is_object(mv))
        return -1;
    json_object_foreach(unconst(mv), name, list)
    {
        if (json_is_null(list))
            continue;
        if (!json_is_array(list))
            return -1;
        for (size_t i = 0; i < json_array_size(list); i++) {
            char *value;
            int got = field_value(json_array_get(list, i), &value);
            if (got < 0)
                return -1;
            if (got)
                handler_set_header(r, name, value);
            free(value);
        }
    }
    return 0;
}

/* headers: {name: value}, null or missing. A pair already among the first
 * `known` headers (from multiValueHeaders) is not repeated. */
static int single_headers(const json_t *h, struct handler_result *r,
                          size_t known)
{
    const char *name;
    const json_t *v;

    if (!h || json_is_null(h))
        return 0;
    if (!json_is_object(h))
        return -1;
    json_object_foreach(unconst(h), name, v)
    {
        char *value;
        int got = field_value(v, &value);
        if (got < 0)
            return -1;
        if (got && !has_pair(r, known, name, value))
            handler_set_header(r, name, value);
        free(value);
    }
    return 0;
}

/* cookies (2.0): a list, each one Set-Cookie header; null or missing. */
static int cookies(const json_t *list, struct handler_result *r)
{
    if (!list || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        char *value;
        int got = field_value(json_array_get(list, i), &value);
        if (got < 0)
            return -1;
        if (got)
            handler_set_header(r, "Set-Cookie", value);
        free(value);
    }
    return 0;
}

/* isBase64Encoded: a boolean, "true" / "false", null or missing. 0 and
 * *on, or -1. */
static int base64_flag(const json_t *v, int *on)
{
    *on = 0;
    if (!v || json_is_null(v) || json_is_false(v))
        return 0;
    if (json_is_true(v))
        return *on = 1, 0;
    if (json_is_string(v) && !strcasecmp(json_string_value(v), "true"))
        return *on = 1, 0;
    if (json_is_string(v) && !strcasecmp(json_string_value(v), "false"))
        return 0;
    return -1;
}

/* body (a string, null or missing) into r->body, Base64-decoded when b64. */
static int body_bytes(const json_t *v, int b64, struct handler_result *r,
                      const char **why)
{
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return *why = "body is not a string", -1;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!b64) {
        buf_append(&r->body, s, n);
        return 0;
    }
    r->base64 = 1;
    size_t len;
    unsigned char *bytes = b64_decode(s, n, &len);
    if (!bytes)
        return *why = "isBase64Encoded is true but body is not Base64", -1;
    buf_append(&r->body, bytes, len);
    free(bytes);
    return 0;
}

/* 2.0 without statusCode: API Gateway infers 200, application/json, and
 * the function's response as the body. */
static void inferred(const json_t *result, struct handler_result *r)
{
    handler_respond(r, 200);
    if (json_is_string(result)) {
        buf_append(&r->body, json_string_value(result),
                   json_string_length(result));
    } else {
        char *text = dump(result);
        buf_puts(&r->body, text);
        free(text);
    }
}

/* Has a 1.0 result a key the format lacks? (REST APIs refuse those.) */
static int unknown_key(const json_t *result)
{
    static const char *const known[] = {
        "statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded",
    };
    const char *key;
    const json_t *v;

    json_object_foreach(unconst(result), key, v)
    {
        size_t i = 0;
        while (i < sizeof known / sizeof *known && strcmp(key, known[i]) != 0)
            i++;
        if (i == sizeof known / sizeof *known)
            return 1;
    }
    return 0;
}

int handler_result_from_json(const json_t *result, int payload_version,
                             struct handler_result *r, const char **why)
{
    int v2 = payload_version == 2, b64, rc = -1;

    if (v2 &&
        (!json_is_object(result) || !json_object_get(result, "statusCode"))) {
        inferred(result, r);
        return 0;
    }
    if (!json_is_object(result))
        return *why = "the result is not a JSON object", -1;
    if (!v2 && unknown_key(result)) {
        *why = "the result has a key other than statusCode, headers, "
               "multiValueHeaders, body and isBase64Encoded";
        goto out;
    }
    const json_t *status = json_object_get(result, "statusCode");
    if (!status) {
        *why = "statusCode is missing";
        goto out;
    }
    if (status_code(status, &r->status) < 0) {
        *why = "statusCode is not an HTTP status code (100 to 599)";
        goto out;
    }
    if (!v2 &&
        multi_headers(json_object_get(result, "multiValueHeaders"), r) < 0) {
        *why = "multiValueHeaders is not an object of lists of strings";
        goto out;
    }
    if (single_headers(json_object_get(result, "headers"), r, r->nheaders) <
        0) {
        *why = "headers is not an object of strings";
        goto out;
    }
    if (v2 && cookies(json_object_get(result, "cookies"), r) < 0) {
        *why = "cookies is not a list of strings";
        goto out;
    }
    if (base64_flag(json_object_get(result, "isBase64Encoded"), &b64) < 0) {
        *why = "isBase64Encoded is not a boolean";
        goto out;
    }
    if (body_bytes(json_object_get(result, "body"), b64, r, why) < 0)
        goto out;
    if (!has_header(r, "Content-Type"))
        handler_set_header(r, "Content-Type", "application/json");
    rc = 0;
out:
    if (rc < 0)
        handler_result_fini(r);
    return rc;
}
