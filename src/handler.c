/*
 * handler — the event's JSON rendering, its accessors, and results, shared
 * by every handler family. Not a handler itself.
 */
#include "handler.h"
#include "b64.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* the event                                                           */

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

/* requestTime in API Gateway's CLF form. */
static void request_time(long long ms, char *out, size_t n)
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&sec, &tm);
    strftime(out, n, "%d/%b/%Y:%H:%M:%S +0000", &tm);
}

json_t *handler_event_json(const struct handler_event *ev)
{
    json_t *headers, *mv_headers, *query, *mv_query, *params = json_null();
    json_t *body = json_null();
    char when[40];
    int b64 = 0;

    pairs(ev->headers, ev->nheaders, &headers, &mv_headers);
    pairs(ev->query, ev->nquery, &query, &mv_query);
    if (ev->nparams) {
        json_decref(params);
        params = json_object();
        for (size_t i = 0; i < ev->nparams; i++)
            set_text(params, ev->params[i].name, ev->params[i].value);
    }
    if (ev->body) {
        json_decref(body);
        body = json_stringn(ev->body, ev->body_len);
        if (!body) {
            char *e = b64_encode(ev->body, ev->body_len, 0);
            body = json_string(e);
            free(e);
            b64 = 1;
        }
    }
    request_time(ev->request_time_ms, when, sizeof when);

    json_t *identity = json_object();
    set_text(identity, "sourceIp", ev->source_ip);
    json_object_set_new(identity, "apiKey", json_null());
    json_object_set_new(identity, "user", json_null());
    set_text(identity, "userAgent", handler_header(ev, "User-Agent"));

    json_t *context = json_object();
    set_text(context, "accountId", "000000000000");
    set_text(context, "apiId", "crudd");
    set_text(context, "resourceId", "crudd");
    set_text(context, "resourcePath", ev->resource);
    set_text(context, "httpMethod", ev->method);
    set_text(context, "extendedRequestId", ev->extended_request_id);
    set_text(context, "requestTime", when);
    set_text(context, "path", ev->request_path);
    set_text(context, "protocol", "HTTP/1.1");
    set_text(context, "stage", ev->stage);
    json_object_set_new(context, "requestTimeEpoch",
                        json_integer(ev->request_time_ms));
    set_text(context, "requestId", ev->request_id);
    const char *host = handler_header(ev, "Host");
    set_text(context, "domainName", host ? host : "localhost");
    json_object_set_new(context, "identity", identity);

    json_t *event = json_object();
    set_text(event, "resource", ev->resource);
    set_text(event, "path", ev->path);
    set_text(event, "httpMethod", ev->method);
    json_object_set_new(event, "headers", headers);
    json_object_set_new(event, "multiValueHeaders", mv_headers);
    json_object_set_new(event, "queryStringParameters", query);
    json_object_set_new(event, "multiValueQueryStringParameters", mv_query);
    json_object_set_new(event, "pathParameters", params);
    json_object_set_new(event, "stageVariables", json_null());
    json_object_set_new(event, "requestContext", context);
    json_object_set_new(event, "body", body);
    json_object_set_new(event, "isBase64Encoded", json_boolean(b64));
    return event;
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

/* ------------------------------------------------------------------ */
/* results                                                             */

void handler_result_init(struct handler_result *r)
{
    r->status = 0;
    r->headers = NULL;
    r->nheaders = 0;
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
