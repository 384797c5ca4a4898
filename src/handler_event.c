/*
 * handler_event — the proxy event as API Gateway's JSON, payload format 1.0
 * (REST APIs) or 2.0 (HTTP APIs), for the debug log and the echo function.
 * Not the accessors handlers read the event with (handler.c).
 */
#include "handler.h"
#include "b64.h"
#include "xalloc.h"

#include <ctype.h>
#include <string.h>
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
