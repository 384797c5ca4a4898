/*
 * handler — the event's JSON rendering (payload formats 1.0 and 2.0), its
 * accessors, results, and API Gateway's reading of a function's JSON result,
 * shared by every handler family. Not a handler itself.
 */
#include "handler.h"
#include "b64.h"
#include "uri.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* the event                                                           */

#define DEFAULT_ACCOUNT_ID "000000000000"
#define DEFAULT_API_ID "crudd"
#define DEFAULT_PROTOCOL "HTTP/1.1"

/* s, or fallback when s is NULL. */
static const char *or_else(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

/* obj[key] = s as a JSON string; null when s is NULL or not UTF-8. */
static void set_text(json_t *obj, const char *key, const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    json_object_set_new(obj, key, v ? v : json_null());
}

/* {name: last value} and {name: [values]}; null and null for none. */
static void pairs(const struct handler_kv *kv, size_t n, json_t **single,
                  json_t **multi)
{
    if (n == 0) {
        *single = json_null();
        *multi = json_null();
        return;
    }
    *single = json_object();
    *multi = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_string(kv[i].value);
        json_t *name = json_string(kv[i].name);
        json_decref(name); /* only asked: is the name UTF-8? */
        if (!v || !name) {
            json_decref(v);
            continue; /* not UTF-8: API Gateway would not pass it either */
        }
        json_t *list = json_object_get(*multi, kv[i].name);
        if (!list) {
            list = json_array();
            json_object_set_new(*multi, kv[i].name, list);
        }
        json_array_append(list, v);
        json_object_set_new(*single, kv[i].name, v);
    }
}

/* {name: value}, null for none (stageVariables, 1.0 pathParameters). */
static json_t *names(const struct handler_kv *kv, size_t n)
{
    if (n == 0)
        return json_null();
    json_t *obj = json_object();
    for (size_t i = 0; i < n; i++)
        set_text(obj, kv[i].name, kv[i].value);
    return obj;
}

/* requestTime (1.0) and time (2.0) in API Gateway's CLF form,
 * "12/Mar/2020:19:03:58 +0000". */
static void request_time(long long ms, char *out, size_t n)
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&sec, &tm);
    strftime(out, n, "%d/%b/%Y:%H:%M:%S +0000", &tm);
}

/* The body as a JSON string and whether it had to be Base64 (not UTF-8);
 * NULL for no body. */
static json_t *body_json(const struct handler_event *ev, int *b64)
{
    *b64 = 0;
    if (!ev->body)
        return NULL;
    json_t *body =
        ev->body_binary ? NULL : json_stringn(ev->body, ev->body_len);
    if (!body) {
        char *e = b64_encode(ev->body, ev->body_len, 0);
        body = json_string(e);
        free(e);
        *b64 = 1;
    }
    return body;
}

static const char *domain_name(const struct handler_event *ev)
{
    if (ev->domain_name)
        return ev->domain_name;
    return or_else(handler_header(ev, "Host"), "localhost");
}

/* domainPrefix: the first label of domainName ("id" of
 * "id.execute-api.us-east-1.amazonaws.com"), without a port. */
static void set_domain_prefix(json_t *context, const char *domain)
{
    json_t *prefix = json_stringn(domain, strcspn(domain, ".:"));
    json_object_set_new(context, "domainPrefix", prefix ? prefix : json_null());
}

/* Payload format 1.0: the REST API event. */
static json_t *event_v1(const struct handler_event *ev)
{
    json_t *headers, *mv_headers, *query, *mv_query;
    char when[40];
    int b64;

    pairs(ev->headers, ev->nheaders, &headers, &mv_headers);
    pairs(ev->query, ev->nquery, &query, &mv_query);
    json_t *body = body_json(ev, &b64);
    request_time(ev->request_time_ms, when, sizeof when);

    json_t *identity = json_object();
    set_text(identity, "accessKey", ev->access_key);
    set_text(identity, "accountId",
             ev->access_key ? or_else(ev->account_id, DEFAULT_ACCOUNT_ID)
                            : NULL);
    set_text(identity, "apiKey", ev->api_key);
    set_text(identity, "caller", NULL);
    set_text(identity, "cognitoAuthenticationProvider", NULL);
    set_text(identity, "cognitoAuthenticationType", NULL);
    set_text(identity, "cognitoIdentityId", NULL);
    set_text(identity, "cognitoIdentityPoolId", NULL);
    set_text(identity, "principalOrgId", NULL);
    set_text(identity, "sourceIp", ev->source_ip);
    set_text(identity, "user", NULL);
    set_text(identity, "userAgent", handler_header(ev, "User-Agent"));
    set_text(identity, "userArn", NULL);

    const char *domain = domain_name(ev);
    json_t *context = json_object();
    set_text(context, "accountId", or_else(ev->account_id, DEFAULT_ACCOUNT_ID));
    set_text(context, "apiId", or_else(ev->api_id, DEFAULT_API_ID));
    set_text(context, "resourceId", or_else(ev->resource_id, DEFAULT_API_ID));
    set_text(context, "resourcePath", ev->resource);
    set_text(context, "httpMethod", ev->method);
    set_text(context, "extendedRequestId", ev->extended_request_id);
    set_text(context, "requestTime", when);
    set_text(context, "path", ev->request_path);
    set_text(context, "protocol", or_else(ev->protocol, DEFAULT_PROTOCOL));
    set_text(context, "stage", ev->stage);
    json_object_set_new(context, "requestTimeEpoch",
                        json_integer(ev->request_time_ms));
    set_text(context, "requestId", ev->request_id);
    set_text(context, "domainName", domain);
    set_domain_prefix(context, domain);
    json_object_set_new(context, "identity", identity);

    json_t *event = json_object();
    set_text(event, "resource", ev->resource);
    set_text(event, "path", ev->path);
    set_text(event, "httpMethod", ev->method);
    json_object_set_new(event, "headers", headers);
    json_object_set_new(event, "multiValueHeaders", mv_headers);
    json_object_set_new(event, "queryStringParameters", query);
    json_object_set_new(event, "multiValueQueryStringParameters", mv_query);
    json_object_set_new(event, "pathParameters",
                        names(ev->params, ev->nparams));
    json_object_set_new(event, "stageVariables",
                        names(ev->stage_variables, ev->nstage_variables));
    json_object_set_new(event, "requestContext", context);
    json_object_set_new(event, "body", body ? body : json_null());
    json_object_set_new(event, "isBase64Encoded", json_boolean(b64));
    return event;
}

/* obj[name] = value, or obj[name] += "," value when name is there already
 * (2.0 joins a repeated header or query parameter). Skips what is not
 * UTF-8. */
static void join(json_t *obj, const char *name, const char *value)
{
    json_t *v = json_string(value);
    json_t *was = json_object_get(obj, name);

    if (!v)
        return;
    if (was) {
        char *both = xasprintf("%s,%s", json_string_value(was), value);
        json_decref(v);
        v = json_string_nocheck(both);
        free(both);
    }
    json_object_set_new(obj, name, v); /* fails (and frees v) if not UTF-8 */
}

/* 2.0 headers (lower-case names, repeats joined, no Cookie) and cookies
 * (every Cookie header split at ';'; NULL for none). */
static void headers_v2(const struct handler_event *ev, json_t **headers,
                       json_t **cookies)
{
    *headers = json_object();
    *cookies = NULL;
    for (size_t i = 0; i < ev->nheaders; i++) {
        const struct handler_kv *h = &ev->headers[i];
        if (!h->name || !h->value)
            continue;
        if (strcasecmp(h->name, "Cookie") != 0) {
            char *lower = xstrdup(h->name);
            for (char *c = lower; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            join(*headers, lower, h->value);
            free(lower);
            continue;
        }
        for (const char *c = h->value; *c;) {
            c += strspn(c, " \t");
            size_t n = strcspn(c, ";");
            size_t len = n;
            while (len > 0 && (c[len - 1] == ' ' || c[len - 1] == '\t'))
                len--;
            json_t *one = len ? json_stringn(c, len) : NULL;
            if (one) {
                if (!*cookies)
                    *cookies = json_array();
                json_array_append_new(*cookies, one);
            }
            c += n;
            if (*c == ';')
                c++;
        }
    }
}

/* Payload format 2.0: the HTTP API event. */
static json_t *event_v2(const struct handler_event *ev)
{
    json_t *headers, *cookies;
    char when[40];
    int b64;

    headers_v2(ev, &headers, &cookies);
    json_t *body = body_json(ev, &b64);
    request_time(ev->request_time_ms, when, sizeof when);

    char *derived = NULL;
    const char *route_key = ev->route_key;
    if (!route_key && ev->method && ev->resource)
        route_key = derived = xasprintf("%s %s", ev->method, ev->resource);
    else if (!route_key)
        route_key = "$default";
    const char *raw_path = ev->raw_path ? ev->raw_path : ev->request_path;
    const char *domain = domain_name(ev);

    json_t *http = json_object();
    set_text(http, "method", ev->method);
    set_text(http, "path", raw_path);
    set_text(http, "protocol", or_else(ev->protocol, DEFAULT_PROTOCOL));
    set_text(http, "sourceIp", ev->source_ip);
    set_text(http, "userAgent", or_else(handler_header(ev, "User-Agent"), ""));

    json_t *context = json_object();
    set_text(context, "accountId", or_else(ev->account_id, DEFAULT_ACCOUNT_ID));
    set_text(context, "apiId", or_else(ev->api_id, DEFAULT_API_ID));
    if (ev->access_key) {
        json_t *iam = json_object();
        set_text(iam, "accessKey", ev->access_key);
        set_text(iam, "accountId", or_else(ev->account_id, DEFAULT_ACCOUNT_ID));
        set_text(iam, "callerId", NULL);
        set_text(iam, "cognitoIdentity", NULL);
        set_text(iam, "principalOrgId", NULL);
        set_text(iam, "userArn", NULL);
        set_text(iam, "userId", NULL);
        json_t *authorizer = json_object();
        json_object_set_new(authorizer, "iam", iam);
        json_object_set_new(context, "authorizer", authorizer);
    }
    set_text(context, "domainName", domain);
    set_domain_prefix(context, domain);
    json_object_set_new(context, "http", http);
    set_text(context, "requestId", ev->request_id);
    set_text(context, "routeKey", route_key);
    set_text(context, "stage", or_else(ev->stage, "$default"));
    set_text(context, "time", when);
    json_object_set_new(context, "timeEpoch",
                        json_integer(ev->request_time_ms));

    json_t *event = json_object();
    set_text(event, "version", "2.0");
    set_text(event, "routeKey", route_key);
    set_text(event, "rawPath", raw_path);
    set_text(event, "rawQueryString", or_else(ev->raw_query, ""));
    if (cookies)
        json_object_set_new(event, "cookies", cookies);
    json_object_set_new(event, "headers", headers);
    if (ev->nquery) {
        json_t *query = json_object();
        for (size_t i = 0; i < ev->nquery; i++)
            join(query, ev->query[i].name, ev->query[i].value);
        json_object_set_new(event, "queryStringParameters", query);
    }
    if (ev->nparams)
        json_object_set_new(event, "pathParameters",
                            names(ev->params, ev->nparams));
    if (ev->nstage_variables)
        json_object_set_new(event, "stageVariables",
                            names(ev->stage_variables, ev->nstage_variables));
    json_object_set_new(event, "requestContext", context);
    if (body)
        json_object_set_new(event, "body", body);
    json_object_set_new(event, "isBase64Encoded", json_boolean(b64));
    free(derived);
    return event;
}

json_t *handler_event_json(const struct handler_event *ev)
{
    return ev->payload_version == 2 ? event_v2(ev) : event_v1(ev);
}

static const char *last_of(const struct handler_kv *kv, size_t n,
                           const char *name, int fold_case)
{
    for (size_t i = n; i-- > 0;)
        if (fold_case ? !strcasecmp(kv[i].name, name)
                      : !strcmp(kv[i].name, name))
            return kv[i].value;
    return NULL;
}

const char *handler_header(const struct handler_event *ev, const char *name)
{
    return last_of(ev->headers, ev->nheaders, name, 1);
}

const char *handler_query(const struct handler_event *ev, const char *name)
{
    return last_of(ev->query, ev->nquery, name, 0);
}

const char *handler_param(const struct handler_event *ev, const char *name)
{
    return last_of(ev->params, ev->nparams, name, 0);
}

char *handler_param_decoded(const struct handler_event *ev, const char *name)
{
    const char *s = handler_param(ev, name);

    if (!s)
        return NULL;
    if (ev->payload_version == 2)
        return xstrdup(s); /* an HTTP API decoded it already */
    return uri_percent_decode(s);
}

/* ------------------------------------------------------------------ */
/* results                                                             */

void handler_result_init(struct handler_result *r)
{
    r->status = 0;
    r->headers = NULL;
    r->nheaders = 0;
    r->base64 = 0;
    buf_init(&r->body);
}

void handler_result_fini(struct handler_result *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    buf_fini(&r->body);
    handler_result_init(r);
}

void handler_set_header(struct handler_result *r, const char *name,
                        const char *value)
{
    r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof *r->headers);
    r->headers[r->nheaders].name = xstrdup(name);
    r->headers[r->nheaders].value = xstrdup(value);
    r->nheaders++;
}

int handler_respond(struct handler_result *r, int status)
{
    r->status = status;
    handler_set_header(r, "Content-Type", "application/json");
    return 0;
}

int handler_message(struct handler_result *r, int status, const char *message)
{
    handler_respond(r, status);
    buf_puts(&r->body, "{\"message\": ");
    buf_json_string(&r->body, message, strlen(message));
    buf_puts(&r->body, "}");
    return 0;
}

int handler_error(struct handler_result *r, const struct err *err)
{
    return handler_message(r, err_http_status(err->kind),
                           err->msg[0] ? err->msg
                                       : err_default_message(err->kind));
}

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
