/*
 * gateway — the API Gateway part of a request's flow: stage, route, CORS
 * preflight, authorization, event, invoke, check, log. Every response,
 * routed or not, gets its request id here, so that what the client sees and
 * what the access log says always agree. The checks before the function
 * (gateway_auth.c), CORS (gateway_cors.c), the log lines (gateway_log.c) and
 * the OpenAPI export (gateway_openapi.c) are parts of their own. Not HTTP
 * plumbing (http) and not item logic (handlers).
 */
#include "gateway.h"
#include "b64.h"
#include "buf.h"
#include "clock.h"
#include "function.h"
#include "gateway_impl.h"
#include "handler.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "store.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A REST API's request id is a UUID, with a shorter extended id beside it
 * (x-amz-apigw-id); an HTTP API has one id, the short form, which is both
 * its apigw-requestid header and the event's requestContext.requestId. */
static void new_ids(const struct gateway *g, struct gateway_call *call)
{
    unsigned char raw[12];
    _Static_assert(B64_ENCODED_SIZE(sizeof raw) <= sizeof call->apigw_id,
                   "apigw_id holds the Base64 of raw");

    ids_uuid4(call->request_id);
    ids_random(raw, sizeof raw);
    b64_encode_to(call->apigw_id, raw, sizeof raw, 0);
    if (g && g->http_api)
        memcpy(call->request_id, call->apigw_id, sizeof call->apigw_id);
}

/* ------------------------------------------------------------------ */
/* creation                                                            */

/* A fixed API id: 10 lowercase letters and digits derived from the name,
 * so that it stays the same across restarts, as a deployed API's does. */
static void make_api_id(const char *name, char out[11])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (int i = 0; i < 10; i++) {
        out[i] = alphabet[h % 36];
        h = h / 36 + (h << 58);
    }
    out[10] = '\0';
}

/* Create t's table when it is missing. Routes share tables (a CRUD
 * resource has six), and each creation is a write through the store's
 * writer: a table is looked up once, and created only when it is absent,
 * so a start with an existing database writes nothing. */
static int ensure_table(struct gateway *g, const struct target *t,
                        struct err *err)
{
    const struct config_route *r = t->route;
    struct store_table_desc d;

    for (const struct target *o = g->targets; o < t; o++)
        if (o->route->table && !strcmp(o->route->table, r->table))
            return 0;
    if (store_table_schema(g->store, r->table, &d, err) == 0) {
        store_table_desc_fini(&d);
        return 0;
    }
    if (err->kind != ERR_NOT_FOUND)
        return -1;
    *err = (struct err)ERR_INIT;
    struct store_key_schema ks = {r->partition_key, 'S', NULL, 0};
    return store_create_table(g->store, r->table, &ks, 1, err);
}

static int add_target(struct gateway *g, struct target *t,
                      const struct config_route *r, struct err *err)
{
    const struct config *cfg = g->cfg;

    t->route = r;
    t->fn = function_named(r->handler);
    if (!t->fn)
        return err_set(err, ERR_CONFIG, "%s: route %s %s: unknown handler %s",
                       cfg->file ? cfg->file : "config", r->method, r->path,
                       r->handler);
    t->env = (struct handler_env){
        .store = g->store,
        .table = r->table,
        .partition_key = r->partition_key,
        .path_param = r->key_name,
        .key_source = r->key_from == CONFIG_KEY_QUERY  ? HANDLER_KEY_QUERY
                      : r->key_from == CONFIG_KEY_BODY ? HANDLER_KEY_BODY
                                                       : HANDLER_KEY_PATH,
        .body_format =
            r->body_dynamodb ? HANDLER_BODY_DYNAMODB : HANDLER_BODY_JSON,
        .updatable = (const char *const *)r->updatable.v,
        .nupdatable = r->updatable.n,
        .result = r->result,
    };
    t->route_key = xasprintf("%s %s", r->method, r->path);
    t->series =
        metrics_series(g->metrics, cfg->api_name, g->stage, r->path, r->method);
    if (r->table && ensure_table(g, t, err) < 0)
        return -1;
    /* config_api_check has added these routes to a table of its own */
    return route_add(g->routes, r->method, r->path, t, err);
}

struct gateway *gateway_create(const struct config *cfg, struct store *store,
                               struct err *err)
{
    struct gateway *g = xcalloc(1, sizeof *g);

    g->cfg = cfg;
    g->store = store;
    g->routes = route_table_create();
    g->http_api = cfg->api_type == CONFIG_API_HTTP;
    g->stage = cfg->stage;
    if (strcmp(cfg->stage, "$default"))
        g->stage_prefix = xasprintf("/%s", cfg->stage);
    make_api_id(cfg->api_name, g->api_id);
    g->metrics = metrics_create();
    if (cfg->api_type == CONFIG_API_HTTP)
        metrics_use_http_api_names(g->metrics);
    g->unmatched = metrics_series(g->metrics, cfg->api_name, g->stage, "", "");
    g->nstage_variables = cfg->nstage_variables;
    g->stage_variables =
        xcalloc(cfg->nstage_variables + 1, sizeof *g->stage_variables);
    for (size_t i = 0; i < cfg->nstage_variables; i++)
        g->stage_variables[i] = (struct handler_kv){
            cfg->stage_variables[i].name, cfg->stage_variables[i].value};
    g->targets = xcalloc(cfg->nroutes + 1, sizeof *g->targets);
    for (size_t i = 0; i < cfg->nroutes; i++) {
        if (add_target(g, &g->targets[i], &cfg->routes[i], err) < 0)
            goto fail;
        g->ntargets++;
    }
    if (gateway_auth_create(g, err) < 0)
        goto fail;
    return g;
fail:
    gateway_free(g);
    return NULL;
}

void gateway_free(struct gateway *g)
{
    if (!g)
        return;
    gateway_auth_free(g);
    for (size_t i = 0; i < g->ntargets; i++)
        free(g->targets[i].route_key);
    free(g->targets);
    free(g->stage_variables);
    metrics_free(g->metrics);
    route_table_free(g->routes);
    free(g->stage_prefix);
    free(g);
}

/* ------------------------------------------------------------------ */
/* responses                                                           */

void gateway_add_header(struct gateway_response *res, const char *name,
                        const char *value)
{
    handler_headers_add(&res->headers, &res->nheaders, name, value);
}

const char *gateway_find_header(const struct gateway_response *res,
                                const char *name)
{
    for (size_t i = 0; i < res->nheaders; i++)
        if (!strcasecmp(res->headers[i].name, name))
            return res->headers[i].value;
    return NULL;
}

const char *gateway_request_header(const struct gateway_request *req,
                                   const char *name)
{
    const char *v = NULL;

    for (size_t i = 0; i < req->nheaders; i++)
        if (!strcasecmp(req->headers[i].name, name))
            v = req->headers[i].value;
    return v;
}

void gateway_response_fini(struct gateway_response *res)
{
    handler_headers_free(res->headers, res->nheaders);
    free(res->body);
    memset(res, 0, sizeof *res);
}

void gateway_set_message(struct gateway_response *res, int status,
                         const char *message, const char *error_type)
{
    struct buf b;

    buf_init(&b);
    buf_puts(&b, "{\"message\":");
    buf_json_string(&b, message, strlen(message));
    buf_puts(&b, "}");
    free(res->body);
    res->status = status;
    res->body = buf_steal(&b, &res->body_len);
    gateway_add_header(res, "Content-Type", "application/json");
    if (error_type)
        gateway_add_header(res, "x-amzn-ErrorType", error_type);
}

/* The headers every answer carries, the access-log line and the metrics. */
static void finish(struct gateway *g, const struct gateway_call *call,
                   struct gateway_response *res)
{
    if (!gateway_find_header(res, "Content-Type"))
        gateway_add_header(res, "Content-Type", "application/json");
    if (g && g->http_api) {
        gateway_add_header(res, "apigw-requestid", call->apigw_id);
    } else {
        gateway_add_header(res, "x-amzn-RequestId", call->request_id);
        gateway_add_header(res, "x-amz-apigw-id", call->apigw_id);
    }
    gateway_log_access(g, call, res);
    if (g && !call->own_path) {
        uint64_t latency = clock_now_us() - call->req->start_us;
        metrics_observe(call->target ? call->target->series : g->unmatched,
                        res->status, latency, call->integration_us);
    }
}

void gateway_reject(struct gateway *g, const struct gateway_request *req,
                    int status, const char *message,
                    struct gateway_response *res)
{
    struct gateway_call call = {.req = req, .path = req->path};

    new_ids(g, &call);
    memset(res, 0, sizeof *res);
    gateway_set_message(res, status, message, NULL);
    call.error_message = message;
    finish(g, &call, res);
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

/* Is the first media type of a Content-Type or Accept value one of the
 * API's binaryMediaTypes? An entry is a type ("image/png"), a type with
 * any subtype ("image" then slash-star) or any type at all. */
static int binary_media(const struct gateway *g, const char *value)
{
    const struct config_strings *types = &g->cfg->binary_media_types;

    if (!value || types->n == 0)
        return 0;
    size_t n = strcspn(value, ",;");
    while (n && value[n - 1] == ' ')
        n--;
    const char *slash = memchr(value, '/', n);
    for (size_t i = 0; i < types->n; i++) {
        const char *t = types->v[i];
        if (!strcmp(t, "*/*"))
            return 1;
        size_t tn = strlen(t);
        if (tn == n && !strncasecmp(t, value, n))
            return 1;
        /* "image" slash-star matches "image/png" */
        if (slash && tn >= 2 && !strcmp(t + tn - 2, "/*") &&
            (size_t)(slash - value) == tn - 2 && !strncasecmp(t, value, tn - 2))
            return 1;
    }
    return 0;
}

/* Move a handler's result into res; -1 with a reason when it is malformed
 * (API Gateway answers those with 502, or 500 for an HTTP API). A REST API
 * sends a Base64 body as bytes only when the client's Accept names a
 * binary media type; otherwise the client gets the Base64 text, as API
 * Gateway does without a matching binaryMediaTypes entry. */
static int take_result(const struct gateway *g, const struct gateway_call *call,
                       struct handler_result *hr, struct gateway_response *res,
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
    if (hr->base64 && !g->http_api &&
        !binary_media(g, gateway_request_header(call->req, "Accept"))) {
        char *text = b64_encode(res->body, res->body_len, 0);
        free(res->body);
        res->body = text;
        res->body_len = strlen(text);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* one request                                                         */

/* The path without the stage prefix ("/prod/items" → "/items"), borrowed
 * from path, or path itself when it has no prefix. */
static const char *strip_stage(const struct gateway *g, const char *path)
{
    if (!g->stage_prefix)
        return path;
    size_t n = strlen(g->stage_prefix);
    if (strncmp(path, g->stage_prefix, n) != 0)
        return path;
    if (path[n] == '\0')
        return "/";
    if (path[n] == '/')
        return path + n;
    return path;
}

/* Build the event for the matched route, run the function, check what it
 * returned. */
static void invoke(struct gateway *g, struct gateway_call *call,
                   const struct route_param *spans, size_t nparams,
                   struct gateway_response *res)
{
    const struct gateway_request *req = call->req;
    const struct target *t = call->target;
    struct handler_kv params[ROUTE_MAX_PARAMS];
    struct handler_result hr;
    const char *why;

    /* the parameters as C strings, all in one block: on the stack when
     * they fit, as a usual path's do */
    char small[256];
    size_t need = strlen(call->path) + nparams + 1;
    char *values = need <= sizeof small ? small : xmalloc(need);
    for (size_t i = 0, at = 0; i < nparams; i++) {
        memcpy(values + at, spans[i].value, spans[i].len);
        values[at + spans[i].len] = '\0';
        params[i] = (struct handler_kv){spans[i].name, values + at};
        at += spans[i].len + 1;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct handler_event ev = {
        .payload_version = g->http_api ? 2 : 1,
        .resource = t->route->path,
        .route_key = t->route_key,
        .path = call->path,
        .method = req->method,
        .headers = req->headers,
        .nheaders = req->nheaders,
        .query = req->query,
        .nquery = req->nquery,
        .raw_path = g->http_api || !req->raw_path ? req->path : req->raw_path,
        .raw_query = req->raw_query ? req->raw_query : "",
        .protocol = req->protocol ? req->protocol : "HTTP/1.1",
        .params = params,
        .nparams = nparams,
        .stage_variables = g->stage_variables,
        .nstage_variables = g->nstage_variables,
        .body = req->body,
        .body_len = req->body_len,
        .body_binary =
            !g->http_api &&
            binary_media(g, gateway_request_header(req, "Content-Type")),
        .request_id = call->request_id,
        .extended_request_id = call->apigw_id,
        .api_id = g->api_id,
        .stage = g->stage,
        .request_path =
            g->http_api || !req->raw_path ? req->path : req->raw_path,
        .source_ip = req->source_ip,
        .api_key = call->api_key,
        .access_key = call->access_key[0] ? call->access_key : NULL,
        .request_time_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000,
    };
    if (log_get_level() <= LOG_DEBUG) {
        json_t *event = handler_event_json(&ev);
        char *text_event = json_dumps(event, JSON_COMPACT);
        log_debug("event %s", text_event);
        free(text_event);
        json_decref(event);
    }
    handler_result_init(&hr);
    gateway_log_start(g, call);
    uint64_t started = clock_now_us();
    int rc = function_invoke(t->fn, &ev, &t->env, &hr);
    call->integration_us = clock_now_us() - started;
    if (call->integration_us == 0)
        call->integration_us = 1; /* a handler ran */
    gateway_log_end(g, call);
    if (rc < 0) {
        why = "the function failed";
    } else if (take_result(g, call, &hr, res, &why) == 0) {
        goto out;
    }
    log_warn("%s: %s", call->request_id, why);
    gateway_response_fini(res);
    call->error_message = why;
    if (g->http_api)
        gateway_set_message(res, 500, "Internal Server Error", NULL);
    else
        gateway_set_message(res, 502, "Internal server error", NULL);
out:
    if (values != small)
        free(values);
    handler_result_fini(&hr);
}

/* A path of crudd's own (health, metrics, OpenAPI): 1 when answered. */
static int own_path(struct gateway *g, const struct gateway_request *req,
                    struct gateway_response *res)
{
    const struct config *cfg = g->cfg;

    if (strcmp(req->method, "GET"))
        return 0;
    if (!strcmp(req->path, cfg->health_path)) {
        res->status = 200;
        res->body = xstrdup("{\"status\": \"ok\"}");
        res->body_len = strlen(res->body);
        return 1;
    }
    if (!strcmp(req->path, cfg->metrics_path)) {
        res->status = 200;
        res->body = metrics_render(g->metrics, &res->body_len);
        gateway_add_header(res, "Content-Type", METRICS_CONTENT_TYPE);
        return 1;
    }
    if (!strcmp(req->path, cfg->openapi_path)) {
        res->status = 200;
        res->body = gateway_openapi(g, gateway_request_header(req, "Host"),
                                    &res->body_len);
        return 1;
    }
    return 0;
}

/* How near the route template t is to path: twice the leading segments it
 * matches ("{x}" and "{x+}" match any segment), plus one when that was all
 * of both. */
static size_t common_segments(const char *t, const char *path)
{
    size_t n = 0;

    while (*t == '/' && *path == '/') {
        const char *te = strchr(t + 1, '/'), *pe = strchr(path + 1, '/');
        size_t tl = te ? (size_t)(te - t) : strlen(t);
        size_t pl = pe ? (size_t)(pe - path) : strlen(path);
        if (!(t[1] == '{' || (tl == pl && !memcmp(t, path, tl))))
            break;
        n += 2;
        t += tl;
        path += pl;
    }
    return n + (!*t && !*path);
}

/* Log a request no route matched, with the routes nearest to it (those
 * sharing the most leading segments), and for a CORS preflight what CORS
 * the API has; the client still gets API Gateway's own 403 or 404. */
static void log_no_route(const struct gateway *g,
                         const struct gateway_request *req, const char *path)
{
    size_t best = 0, shown = 0;
    struct buf b;

    for (size_t i = 0; i < g->cfg->nroutes; i++) {
        size_t n = common_segments(g->cfg->routes[i].path, path);
        if (n > best)
            best = n;
    }
    buf_init(&b);
    buf_puts(&b, "no route for ");
    buf_log_text(&b, req->method);
    buf_puts(&b, " ");
    buf_log_text(&b, path);
    buf_puts(&b, "; nearest routes:");
    for (size_t i = 0; i < g->cfg->nroutes && shown < 6; i++) {
        const struct config_route *r = &g->cfg->routes[i];
        if (common_segments(r->path, path) != best)
            continue;
        buf_printf(&b, "%s %s %s", shown++ ? "," : "", r->method, r->path);
    }
    if (!strcmp(req->method, "OPTIONS") &&
        gateway_request_header(req, "Access-Control-Request-Method"))
        buf_puts(&b, g->cfg->cors.enabled
                         ? " (a CORS preflight, for a path without a route)"
                         : " (a CORS preflight: this API declares no "
                           "\"cors\", so browsers refuse its answers)");
    log_info("%s", b.data);
    buf_fini(&b);
}

void gateway_handle(struct gateway *g, const struct gateway_request *req,
                    struct gateway_response *res)
{
    struct gateway_call call = {.req = req, .path = req->path};
    const struct route *route;
    struct route_param spans[ROUTE_MAX_PARAMS];
    size_t nparams;

    new_ids(g, &call);
    memset(res, 0, sizeof *res);
    if ((call.own_path = own_path(g, req, res)))
        goto out;
    /* a REST API matches and hands on the path as sent (percent-encoded:
     * "%2F" stays inside its segment); an HTTP API decodes it first */
    call.path = strip_stage(g, g->http_api || !req->raw_path ? req->path
                                                             : req->raw_path);
    if (gateway_cors_preflight(g, &call, res))
        goto out;
    if (route_match(g->routes, req->method, call.path, &route, spans,
                    &nparams) != ROUTE_MATCHED) {
        /* a REST API answers both "no such path" and "no such method"
         * this way, so as not to reveal which resources exist */
        log_no_route(g, req, call.path);
        if (g->http_api)
            gateway_set_message(res, 404, "Not Found", NULL);
        else
            gateway_set_message(res, 403, "Missing Authentication Token",
                                "MissingAuthenticationTokenException");
        goto out;
    }
    call.target = route->target;
    if (gateway_auth_check(g, &call, res) < 0)
        goto out;
    invoke(g, &call, spans, nparams, res);
out:
    gateway_cors_headers(g, &call, res);
    finish(g, &call, res);
}
