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
/* the handler's result                                                */

/* Is s usable in a header field (RFC 9110 §5.5: no CR, LF or NUL)? And a
 * name a token? */
static int field_ok(const char *s, int name)
{
    if (name && !*s)
        return 0;
    for (; *s; s++)
        if (*s == '\r' || *s == '\n' || (name && (*s == ':' || *s == ' ')))
            return 0;
    return 1;
}

/* Move a handler's result into res; -1 with a reason when it is malformed
 * (API Gateway answers those with 502). */
static int take_result(struct handler_result *hr, struct gateway_response *res,
                       const char **why)
{
    if (hr->status < 100 || hr->status > 599)
        return *why = "statusCode is not an HTTP status", -1;
    for (size_t i = 0; i < hr->nheaders; i++)
        if (!field_ok(hr->headers[i].name, 1) ||
            !field_ok(hr->headers[i].value, 0))
            return *why = "a header is not a valid HTTP field", -1;
    res->status = hr->status;
    res->headers = hr->headers;
    res->nheaders = hr->nheaders;
    hr->headers = NULL;
    hr->nheaders = 0;
    res->body = buf_steal(&hr->body, &res->body_len);
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
    struct route_param spans[ROUTE_MAX_PARAMS];
    struct handler_kv params[ROUTE_MAX_PARAMS];
    struct handler_result hr;
    size_t nparams;
    char *values = NULL;
    const char *why;

    new_ids(&ids);
    memset(res, 0, sizeof *res);
    handler_result_init(&hr);
    if (!strcmp(req->path, g->cfg->health_path) &&
        !strcmp(req->method, "GET")) {
        res->status = 200;
        res->body = xstrdup("{\"status\": \"ok\"}");
        res->body_len = strlen(res->body);
        goto out;
    }
    const char *path = strip_stage(g, req->path);
    if (route_match(g->routes, req->method, path, &route, spans, &nparams) !=
        ROUTE_MATCHED) {
        /* a REST API answers both "no such path" and "no such method"
         * this way, so as not to reveal which resources exist */
        set_message(res, 403, "Missing Authentication Token");
        add_header(res, "x-amzn-ErrorType",
                   "MissingAuthenticationTokenException");
        goto out;
    }
    /* the parameters as C strings, all in one block */
    values = xmalloc(strlen(path) + nparams + 1);
    for (size_t i = 0, at = 0; i < nparams; i++) {
        memcpy(values + at, spans[i].value, spans[i].len);
        values[at + spans[i].len] = '\0';
        params[i] = (struct handler_kv){spans[i].name, values + at};
        at += spans[i].len + 1;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct handler_event ev = {
        .resource = route->resource,
        .path = path,
        .method = req->method,
        .headers = req->headers,
        .nheaders = req->nheaders,
        .query = req->query,
        .nquery = req->nquery,
        .params = params,
        .nparams = nparams,
        .body = req->body,
        .body_len = req->body_len,
        .request_id = ids.request_id,
        .extended_request_id = ids.apigw_id,
        .stage = g->cfg->stage,
        .request_path = req->path,
        .source_ip = req->source_ip,
        .request_time_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000,
    };
    if (log_get_level() <= LOG_DEBUG) {
        json_t *event = handler_event_json(&ev);
        char *text_event = json_dumps(event, JSON_COMPACT);
        log_debug("event %s", text_event);
        free(text_event);
        json_decref(event);
    }
    const struct target *t = route->target;
    if (t->fn(&ev, &t->env, &hr) < 0) {
        why = "the function failed";
    } else if (take_result(&hr, res, &why) == 0) {
        goto out;
    }
    log_warn("%s: %s", ids.request_id, why);
    gateway_response_fini(res);
    set_message(res, 502, "Internal server error");
out:
    free(values);
    handler_result_fini(&hr);
    finish(req, &ids, res);
}
