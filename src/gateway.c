/*
 * gateway — the API Gateway part of a request's flow: route, event, invoke,
 * check, log. Every response, routed or not, gets its request id here, so
 * that what the client sees and what the access log says always agree.
 * Not HTTP plumbing (http) and not item logic (handlers).
 */
#include "gateway.h"
#include "b64.h"
#include "buf.h"
#include "clock.h"
#include "handler.h"
#include "handler_items.h"
#include "handler_manager.h"
#include "ids.h"
#include "log.h"
#include "route.h"
#include "store.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* What a route points at: a function and its configuration. */
struct target {
    handler_fn *fn;
    struct handler_env env;
    char *param; /* owns env.path_param */
};

struct gateway {
    const struct config *cfg;
    struct route_table *routes;
    struct target *targets;
    int ntargets;
    char *stage_prefix; /* "/prod" */
};

/* The ids API Gateway gives every request. */
struct ids {
    char request_id[37]; /* x-amzn-RequestId: a lowercase UUID */
    char apigw_id[24];   /* x-amz-apigw-id: 16 Base64 characters */
};

static void new_ids(struct ids *ids)
{
    unsigned char raw[12];

    ids_uuid4(ids->request_id);
    ids_random(raw, sizeof raw);
    char *b = b64_encode(raw, sizeof raw, 0);
    snprintf(ids->apigw_id, sizeof ids->apigw_id, "%s", b);
    free(b);
}

/* ------------------------------------------------------------------ */
/* creation                                                            */

static void add_route(struct gateway *g, const char *method,
                      const char *resource, struct target *t, struct err *err,
                      int *rc)
{
    if (*rc == 0 && route_add(g->routes, method, resource, t, err) < 0)
        *rc = -1;
}

struct gateway *gateway_create(const struct config *cfg, struct store *store,
                               struct err *err)
{
    struct gateway *g = xcalloc(1, sizeof *g);
    int rc = 0;

    g->cfg = cfg;
    g->routes = route_table_create();
    g->stage_prefix = xasprintf("/%s", cfg->stage);
    g->ntargets = cfg->nresources * 6;
    g->targets = xcalloc((size_t)g->ntargets, sizeof *g->targets);
    for (int i = 0; i < cfg->nresources && rc == 0; i++) {
        const struct config_resource *r = &cfg->resources[i];
        if (r->handler == CONFIG_HANDLER_MANAGER) {
            struct target *t = &g->targets[i * 6];
            t->fn = handler_manager;
            t->env = (struct handler_env){store, NULL, NULL, NULL};
            add_route(g, "POST", r->path, t, err, &rc);
            continue;
        }
        struct store_key_schema ks = {r->partition_key, 'S', NULL, 0};
        if (store_create_table(store, r->table, &ks, 1, err) < 0) {
            rc = -1;
            break;
        }
        static handler_fn *const fns[6] = {
            handler_items_create, handler_items_list,  handler_items_get,
            handler_items_put,    handler_items_patch, handler_items_delete};
        static const char *const methods[6] = {"POST", "GET",   "GET",
                                               "PUT",  "PATCH", "DELETE"};
        char *item_path = xasprintf("%s/{%s}", r->path, r->partition_key);
        for (int j = 0; j < 6; j++) {
            struct target *t = &g->targets[i * 6 + j];
            t->fn = fns[j];
            t->param = xstrdup(r->partition_key);
            t->env = (struct handler_env){store, r->table, r->partition_key,
                                          t->param};
            add_route(g, methods[j], j < 2 ? r->path : item_path, t, err, &rc);
        }
        free(item_path);
    }
    if (rc < 0) {
        gateway_free(g);
        return NULL;
    }
    return g;
}

void gateway_free(struct gateway *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->ntargets; i++)
        free(g->targets[i].param);
    free(g->targets);
    route_table_free(g->routes);
    free(g->stage_prefix);
    free(g);
}

/* ------------------------------------------------------------------ */
/* responses                                                           */

static void add_header(struct gateway_response *res, const char *name,
                       const char *value)
{
    res->headers =
        xrealloc(res->headers, (res->nheaders + 1) * sizeof *res->headers);
    res->headers[res->nheaders].name = xstrdup(name);
    res->headers[res->nheaders].value = xstrdup(value);
    res->nheaders++;
}

static const char *find_header(const struct gateway_response *res,
                               const char *name)
{
    for (size_t i = 0; i < res->nheaders; i++)
        if (!strcasecmp(res->headers[i].name, name))
            return res->headers[i].value;
    return NULL;
}

void gateway_response_fini(struct gateway_response *res)
{
    for (size_t i = 0; i < res->nheaders; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    free(res->headers);
    free(res->body);
    memset(res, 0, sizeof *res);
}

static void set_message(struct gateway_response *res, int status,
                        const char *message)
{
    struct buf b;

    buf_init(&b);
    buf_puts(&b, "{\"message\": ");
    buf_json_string(&b, message, strlen(message));
    buf_puts(&b, "}");
    res->status = status;
    res->body = buf_steal(&b, &res->body_len);
    add_header(res, "Content-Type", "application/json");
}

/* The headers every answer carries, and the access-log line. */
static void finish(const struct gateway_request *req, const struct ids *ids,
                   struct gateway_response *res)
{
    if (!find_header(res, "Content-Type"))
        add_header(res, "Content-Type", "application/json");
    add_header(res, "x-amzn-RequestId", ids->request_id);
    add_header(res, "x-amz-apigw-id", ids->apigw_id);
    log_info(
        "%s \"%s %s\" %d %zu %lluus %s", req->source_ip ? req->source_ip : "-",
        req->method, req->path, res->status, res->body_len,
        (unsigned long long)(clock_now_us() - req->start_us), ids->request_id);
}

void gateway_reject(struct gateway *g, const struct gateway_request *req,
                    int status, const char *message,
                    struct gateway_response *res)
{
    struct ids ids;

    (void)g;
    new_ids(&ids);
    memset(res, 0, sizeof *res);
    set_message(res, status, message);
    finish(req, &ids, res);
}

/* ------------------------------------------------------------------ */
/* the proxy event (payload format 1.0)                                */

/* A JSON string of n bytes, or NULL when they are not UTF-8. */
static json_t *text(const char *s, size_t n)
{
    return s ? json_stringn(s, n) : NULL;
}

/* {name: last value} and {name: [values]} for headers or query params. */
static void pairs(const struct gateway_kv *kv, size_t n, json_t **single,
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
        json_t *v = text(kv[i].value, strlen(kv[i].value));
        json_t *name = text(kv[i].name, strlen(kv[i].name));
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

/* obj[key] = s as a JSON string; null when s is NULL or not UTF-8. */
static void set_text(json_t *obj, const char *key, const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    json_object_set_new(obj, key, v ? v : json_null());
}

static const char *req_header(const struct gateway_request *req,
                              const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (!strcasecmp(req->headers[i].name, name))
            return req->headers[i].value;
    return NULL;
}

/* requestTime in API Gateway's CLF form, formatted once a second per thread
 * (gmtime and strftime showed in the GET profile). */
static void request_time(time_t sec, char *out, size_t n)
{
    static _Thread_local time_t last = -1;
    static _Thread_local char text[40];

    if (sec != last) {
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(text, sizeof text, "%d/%b/%Y:%H:%M:%S +0000", &tm);
        last = sec;
    }
    snprintf(out, n, "%s", text);
}

static json_t *build_event(const struct gateway *g,
                           const struct gateway_request *req, const char *path,
                           const struct route *route, json_t *params,
                           const struct ids *ids)
{
    json_t *headers, *mv_headers, *query, *mv_query, *body;
    struct timespec now;
    char when[40];
    int b64 = 0;

    pairs(req->headers, req->nheaders, &headers, &mv_headers);
    pairs(req->query, req->nquery, &query, &mv_query);
    body = req->body_len || req->body ? text(req->body, req->body_len)
                                      : json_null();
    if (!body) {
        /* bytes that are not UTF-8 travel Base64-encoded, as API Gateway
         * sends binary media */
        char *e = b64_encode(req->body, req->body_len, 0);
        body = json_string(e);
        free(e);
        b64 = 1;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    request_time(now.tv_sec, when, sizeof when);
    const char *ua = req_header(req, "User-Agent");
    const char *host = req_header(req, "Host");

    /* built member by member: json_pack's format parsing was 15 % of a GET,
     * and one string that is not UTF-8 would make it fail whole */
    json_t *identity = json_object();
    set_text(identity, "sourceIp", req->source_ip ? req->source_ip : "-");
    json_object_set_new(identity, "apiKey", json_null());
    json_object_set_new(identity, "user", json_null());
    set_text(identity, "userAgent", ua);

    json_t *context = json_object();
    set_text(context, "accountId", "000000000000");
    set_text(context, "apiId", "crudd");
    set_text(context, "resourceId", "crudd");
    set_text(context, "resourcePath", route->resource);
    set_text(context, "httpMethod", req->method);
    set_text(context, "extendedRequestId", ids->apigw_id);
    set_text(context, "requestTime", when);
    set_text(context, "path", req->path);
    set_text(context, "protocol", "HTTP/1.1");
    set_text(context, "stage", g->cfg->stage);
    json_object_set_new(
        context, "requestTimeEpoch",
        json_integer((json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000));
    set_text(context, "requestId", ids->request_id);
    set_text(context, "domainName", host ? host : "localhost");
    json_object_set_new(context, "identity", identity);

    json_t *event = json_object();
    set_text(event, "resource", route->resource);
    set_text(event, "path", path);
    set_text(event, "httpMethod", req->method);
    json_object_set_new(event, "headers", headers);
    json_object_set_new(event, "multiValueHeaders", mv_headers);
    json_object_set_new(event, "queryStringParameters", query);
    json_object_set_new(event, "multiValueQueryStringParameters", mv_query);
    json_object_set_new(event, "pathParameters",
                        params ? json_incref(params) : json_null());
    json_object_set_new(event, "stageVariables", json_null());
    json_object_set_new(event, "requestContext", context);
    json_object_set_new(event, "body", body);
    json_object_set_new(event, "isBase64Encoded", json_boolean(b64));
    return event;
}

/* ------------------------------------------------------------------ */
/* the handler's result                                                */

/* Turn a proxy result into res; -1 with a reason when it is malformed. */
static int take_result(json_t *result, struct gateway_response *res,
                       const char **why)
{
    const char *key;
    json_t *v;

    if (!json_is_object(result))
        return *why = "result is not an object", -1;
    json_object_foreach(result, key, v)
    {
        if (strcmp(key, "statusCode") && strcmp(key, "headers") &&
            strcmp(key, "multiValueHeaders") && strcmp(key, "body") &&
            strcmp(key, "isBase64Encoded"))
            return *why = "result has a key API Gateway does not accept", -1;
    }
    json_t *status = json_object_get(result, "statusCode");
    if (!json_is_integer(status) || json_integer_value(status) < 100 ||
        json_integer_value(status) > 599)
        return *why = "statusCode is not an HTTP status", -1;
    res->status = (int)json_integer_value(status);

    json_t *headers = json_object_get(result, "headers");
    if (headers && !json_is_null(headers)) {
        if (!json_is_object(headers))
            return *why = "headers is not an object", -1;
        json_object_foreach(headers, key, v)
        {
            if (!json_is_string(v))
                return *why = "a header value is not a string", -1;
            add_header(res, key, json_string_value(v));
        }
    }
    json_t *mv = json_object_get(result, "multiValueHeaders");
    if (mv && !json_is_null(mv)) {
        if (!json_is_object(mv))
            return *why = "multiValueHeaders is not an object", -1;
        json_object_foreach(mv, key, v)
        {
            size_t i;
            json_t *item;
            if (!json_is_array(v))
                return *why = "a multiValueHeaders value is not a list", -1;
            json_array_foreach(v, i, item)
            {
                if (!json_is_string(item))
                    return *why = "a multiValueHeaders item is not a string",
                           -1;
                add_header(res, key, json_string_value(item));
            }
        }
    }
    json_t *body = json_object_get(result, "body");
    json_t *b64 = json_object_get(result, "isBase64Encoded");
    if (b64 && !json_is_boolean(b64))
        return *why = "isBase64Encoded is not a boolean", -1;
    if (body && !json_is_null(body)) {
        if (!json_is_string(body))
            return *why = "body is not a string", -1;
        if (json_is_true(b64)) {
            res->body =
                (char *)b64_decode(json_string_value(body),
                                   json_string_length(body), &res->body_len);
            if (!res->body)
                return *why = "body is not valid Base64", -1;
        } else {
            res->body_len = json_string_length(body);
            res->body = xstrndup(json_string_value(body), res->body_len);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* one request                                                         */

/* The path without the stage prefix ("/prod/items" → "/items"), borrowed
 * from path, or path itself when it has no prefix. */
static const char *strip_stage(const struct gateway *g, const char *path)
{
    size_t n = strlen(g->stage_prefix);

    if (strncmp(path, g->stage_prefix, n) != 0)
        return path;
    if (path[n] == '\0')
        return "/";
    if (path[n] == '/')
        return path + n;
    return path;
}

void gateway_handle(struct gateway *g, const struct gateway_request *req,
                    struct gateway_response *res)
{
    struct ids ids;
    const struct route *route;
    json_t *params = NULL, *event = NULL, *result = NULL;
    const char *why;

    new_ids(&ids);
    memset(res, 0, sizeof *res);
    if (!strcmp(req->path, g->cfg->health_path) &&
        !strcmp(req->method, "GET")) {
        res->status = 200;
        res->body = buf_steal(&(struct buf){0}, NULL);
        free(res->body);
        res->body = xstrdup("{\"status\": \"ok\"}");
        res->body_len = strlen(res->body);
        goto out;
    }
    const char *path = strip_stage(g, req->path);
    if (route_match(g->routes, req->method, path, &route, &params) !=
        ROUTE_MATCHED) {
        /* a REST API answers both "no such path" and "no such method"
         * this way, so as not to reveal which resources exist */
        set_message(res, 403, "Missing Authentication Token");
        add_header(res, "x-amzn-ErrorType",
                   "MissingAuthenticationTokenException");
        goto out;
    }
    event = build_event(g, req, path, route, params, &ids);
    if (log_get_level() <= LOG_DEBUG) {
        char *text_event = json_dumps(event, JSON_COMPACT);
        log_debug("event %s", text_event);
        free(text_event);
    }
    const struct target *t = route->target;
    result = t->fn(event, &t->env);
    if (take_result(result, res, &why) < 0) {
        log_warn("%s: malformed handler result: %s", ids.request_id, why);
        gateway_response_fini(res);
        set_message(res, 502, "Internal server error");
    }
out:
    json_decref(result);
    json_decref(event);
    json_decref(params);
    finish(req, &ids, res);
}
