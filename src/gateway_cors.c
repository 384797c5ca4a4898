/*
 * gateway_cors — CORS as API Gateway configures it: preflights answered by
 * the gateway without a handler, and the CORS headers on real responses.
 * It follows the emulated API type:
 *
 * - HTTP API ("Configure CORS for HTTP APIs in API Gateway"): the
 *   corsConfiguration answers every preflight, "even if there isn't an
 *   OPTIONS route configured", with 204; a preflight whose origin or method
 *   is not allowed still gets its 204, without CORS headers, so the browser
 *   refuses it. The configured headers go on every response, and "API
 *   Gateway ignores CORS headers returned from your backend integration".
 * - REST API ("Enable CORS on a resource using the API Gateway console"):
 *   the console's Enable CORS adds an OPTIONS method with a mock integration
 *   to each resource: 200, empty body, Access-Control-Allow-* headers; its
 *   defaults are the resource's methods and Content-Type, X-Amz-Date,
 *   Authorization, X-Api-Key, X-Amz-Security-Token. A path with no resource
 *   has no mock, so its preflight gets the usual 403. A proxy integration
 *   answers CORS itself in the cloud, so a header the function set wins.
 *
 * Gateway-made answers (403, 404, 429, 502) carry the CORS headers too:
 * an HTTP API adds them to every response; for a REST API that is the
 * console's Enable CORS with the DEFAULT_4XX and DEFAULT_5XX gateway
 * responses ticked, so that a browser can read why it was refused.
 *
 * Not the routing (route) and not the config's checks (config_api: origins
 * named, "*" refused with credentials).
 */
#include "buf.h"
#include "gateway_impl.h"
#include "route.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the console's Enable CORS puts in Access-Control-Allow-Headers. */
#define REST_DEFAULT_HEADERS                                                   \
    "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"

/* A preflight (Fetch: an OPTIONS request with Origin and
 * Access-Control-Request-Method) for a configured CORS? *origin and *method
 * are then the request's, borrowed. */
static int preflight_of(const struct gateway *g,
                        const struct gateway_request *req, const char **origin,
                        const char **method)
{
    if (!g->cfg->cors.enabled || strcmp(req->method, "OPTIONS"))
        return 0;
    *origin = gateway_request_header(req, "Origin");
    *method = gateway_request_header(req, "Access-Control-Request-Method");
    return *origin && *method;
}

static int has(const struct config_strings *s, const char *v, int nocase)
{
    for (size_t i = 0; i < s->n; i++)
        if (nocase ? !strcasecmp(s->v[i], v) : !strcmp(s->v[i], v))
            return 1;
    return 0;
}

/* The Access-Control-Allow-Origin value for origin (borrowed: origin
 * itself, or "*"), or NULL when origin is not allowed. Origins match
 * exactly, as API Gateway compares them: a trailing '/' or another port is
 * another origin. */
static const char *allowed_origin(const struct config_cors *c,
                                  const char *origin)
{
    if (has(&c->allow_origins, origin, 0))
        return origin;
    /* config refuses "*" with allowCredentials, where browsers refuse it */
    if (has(&c->allow_origins, "*", 0))
        return "*";
    return NULL;
}

/* Join s with "," (no spaces, as the console writes these values). New
 * malloc'd string. */
static char *joined(const struct config_strings *s)
{
    struct buf b;

    buf_init(&b);
    for (size_t i = 0; i < s->n; i++) {
        if (i)
            buf_puts(&b, ",");
        buf_puts(&b, s->v[i]);
    }
    return buf_steal(&b, NULL);
}

/* The methods some route has at path, and OPTIONS (the mock's own), as the
 * console's Enable CORS lists a resource's methods. New malloc'd string. */
static char *path_methods(const struct gateway *g, const char *path)
{
    static const char *const methods[] = {"DELETE", "GET",  "HEAD",
                                          "PATCH",  "POST", "PUT"};
    const struct route *route;
    struct route_param spans[ROUTE_MAX_PARAMS];
    size_t nparams;
    struct buf b;

    buf_init(&b);
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (route_match(g->routes, methods[i], path, &route, spans, &nparams) ==
            ROUTE_MATCHED)
            buf_printf(&b, "%s,", methods[i]);
    buf_puts(&b, "OPTIONS");
    return buf_steal(&b, NULL);
}

/* Add name: value unless res already has name. */
static void add_missing(struct gateway_response *res, const char *name,
                        const char *value)
{
    if (!gateway_find_header(res, name))
        gateway_add_header(res, name, value);
}

/* The response varies with Origin whenever the allowed origin is echoed
 * (RFC 9110 §12.5.5), so that a cache does not hand one origin's answer to
 * another; a Vary the function set is kept and extended. */
static void vary_origin(struct gateway_response *res)
{
    for (size_t i = 0; i < res->nheaders; i++) {
        struct handler_header *h = &res->headers[i];
        if (strcasecmp(h->name, "Vary"))
            continue;
        if (strcasestr(h->value, "Origin") || !strcmp(h->value, "*"))
            return;
        char *v =
            *h->value ? xasprintf("%s, Origin", h->value) : xstrdup("Origin");
        handler_header_set_value(h, v);
        free(v);
        return;
    }
    gateway_add_header(res, "Vary", "Origin");
}

/* Remove every Access-Control-* header from res (an HTTP API ignores the
 * integration's). */
static void drop_cors_headers(struct gateway_response *res)
{
    size_t kept = 0;

    for (size_t i = 0; i < res->nheaders; i++) {
        if (!strncasecmp(res->headers[i].name, "Access-Control-", 15)) {
            free(res->headers[i].name); /* and its value */
            continue;
        }
        res->headers[kept++] = res->headers[i];
    }
    res->nheaders = kept;
}

/* Does an HTTP API's corsConfiguration allow method? With no
 * allowMethods, only what a browser allows without Access-Control-Allow-
 * Methods: the CORS-safelisted methods (Fetch §4.8). */
static int method_allowed(const struct config_cors *c, const char *method)
{
    if (!c->allow_methods.n)
        return !strcmp(method, "GET") || !strcmp(method, "HEAD") ||
               !strcmp(method, "POST");
    return has(&c->allow_methods, "*", 0) || has(&c->allow_methods, method, 1);
}

int gateway_cors_preflight(struct gateway *g, struct gateway_call *call,
                           struct gateway_response *res)
{
    const struct config_cors *c = &g->cfg->cors;
    const struct gateway_request *req = call->req;
    const char *origin, *method;
    const struct route *route;
    struct route_param spans[ROUTE_MAX_PARAMS];
    size_t nparams;

    if (!preflight_of(g, req, &origin, &method))
        return 0;
    if (!g->http_api && route_match(g->routes, "OPTIONS", call->path, &route,
                                    spans, &nparams) == ROUTE_NONE)
        return 0;
    res->status = g->http_api ? 204 : 200;
    const char *allow = allowed_origin(c, origin);
    if (!allow)
        return 1;
    /* the REST mock answers the same to any method and leaves the check to
     * the browser */
    if (g->http_api && !method_allowed(c, method))
        return 1;
    gateway_add_header(res, "Access-Control-Allow-Origin", allow);
    if (strcmp(allow, "*"))
        vary_origin(res);
    if (c->allow_credentials)
        gateway_add_header(res, "Access-Control-Allow-Credentials", "true");

    /* "*" is echoed as what was asked for: a literal "*" means nothing to a
     * browser on a request with credentials, and never covers
     * Authorization (Fetch §3.2.3). */
    char *v = NULL;
    if (has(&c->allow_methods, "*", 0))
        v = xstrdup(method);
    else if (c->allow_methods.n)
        v = joined(&c->allow_methods);
    else if (!g->http_api)
        v = path_methods(g, call->path);
    if (v)
        gateway_add_header(res, "Access-Control-Allow-Methods", v);
    free(v);
    v = NULL;
    const char *asked =
        gateway_request_header(req, "Access-Control-Request-Headers");
    if (has(&c->allow_headers, "*", 0))
        v = asked ? xstrdup(asked) : NULL;
    else if (c->allow_headers.n)
        v = joined(&c->allow_headers);
    else if (!g->http_api)
        v = xstrdup(REST_DEFAULT_HEADERS);
    if (v)
        gateway_add_header(res, "Access-Control-Allow-Headers", v);
    free(v);
    if (c->max_age >= 0) {
        char age[16];
        snprintf(age, sizeof age, "%d", c->max_age);
        gateway_add_header(res, "Access-Control-Max-Age", age);
    }
    return 1;
}

void gateway_cors_headers(struct gateway *g, const struct gateway_call *call,
                          struct gateway_response *res)
{
    const struct config_cors *c = &g->cfg->cors;
    const char *origin, *method;

    if (!c->enabled)
        return;
    /* a preflight's answer is complete as it is (or, for a REST path with
     * no resource, a 403 that fails the preflight anyway) */
    if (preflight_of(g, call->req, &origin, &method))
        return;
    if (g->http_api)
        drop_cors_headers(res);
    origin = gateway_request_header(call->req, "Origin");
    if (!origin)
        return;
    const char *allow = allowed_origin(c, origin);
    if (!allow)
        return;
    /* a REST function that sets its own Access-Control-Allow-Origin does
     * CORS itself, as a proxy integration has to in the cloud: leave all
     * of it to the function rather than mix two policies */
    if (gateway_find_header(res, "Access-Control-Allow-Origin"))
        return;
    gateway_add_header(res, "Access-Control-Allow-Origin", allow);
    if (strcmp(allow, "*"))
        vary_origin(res);
    if (c->allow_credentials)
        add_missing(res, "Access-Control-Allow-Credentials", "true");
    if (c->expose_headers.n &&
        !gateway_find_header(res, "Access-Control-Expose-Headers")) {
        char *v = joined(&c->expose_headers);
        gateway_add_header(res, "Access-Control-Expose-Headers", v);
        free(v);
    }
}
