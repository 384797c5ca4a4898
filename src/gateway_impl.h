/*
 * gateway_impl.h — what the gateway's parts share: the gateway itself, one
 * call's state, and the response helpers. gateway.c runs the flow; each
 * gateway_<part>.c does one thing API Gateway does (auth: IAM, API keys,
 * usage plans, throttling; cors; log: access log, START/END/REPORT;
 * openapi: the export). Not public.
 */
#ifndef CRUDD_GATEWAY_IMPL_H
#define CRUDD_GATEWAY_IMPL_H

#include "config.h"
#include "function.h"
#include "gateway.h"
#include "handler.h"

#include <stdint.h>

struct metrics;
struct metrics_series;
struct gateway_auth;

/* What a route points at: a function, its configuration and its access
 * rules. */
struct target {
    const struct config_route *route; /* borrowed from the config */
    const struct function *fn;        /* the registry's: static */
    struct handler_env env;
    char *route_key;               /* "GET /items/{id}" (payload 2.0) */
    struct metrics_series *series; /* this route's metrics */
};

struct gateway {
    const struct config *cfg;
    struct store *store;
    struct route_table *routes;
    struct target *targets;
    size_t ntargets;
    char *stage_prefix; /* "/prod"; NULL for the $default stage */
    const char *stage;  /* as events and logs name it: "prod", "$default" */
    int http_api;       /* an HTTP API (payload 2.0) rather than REST */
    char api_id[11];    /* a fixed 10-character API id, from the name */
    struct handler_kv *stage_variables;
    size_t nstage_variables;
    struct metrics *metrics;
    struct metrics_series *unmatched; /* requests no route took */
    struct gateway_auth *auth;        /* gateway_auth.c's own state */
};

/* One request on its way through the gateway. */
struct gateway_call {
    const struct gateway_request *req;
    char request_id[37];         /* x-amzn-RequestId: a lowercase UUID */
    char apigw_id[24];           /* x-amz-apigw-id: extendedRequestId */
    const char *path;            /* without the stage prefix */
    const struct target *target; /* the matched route's, or NULL */
    const char *api_key;         /* the x-api-key that was accepted, or NULL */
    char access_key[128];        /* who signed an AWS_IAM request, or "" */
    uint64_t integration_us;     /* the handler's time; 0 when none ran */
    const char *error_message;   /* why the gateway answered (logs), or NULL */
    int own_path; /* crudd's own (health, metrics, OpenAPI): logged, but
                     not counted in the API's metrics */
};

/* Add a response header (both copied). */
void gateway_add_header(struct gateway_response *res, const char *name,
                        const char *value);

/* The first value of header name in res (case-insensitive), or NULL. */
const char *gateway_find_header(const struct gateway_response *res,
                                const char *name);

/* The request header name (case-insensitive; the last when repeated), or
 * NULL. */
const char *gateway_request_header(const struct gateway_request *req,
                                   const char *name);

/* res becomes status with the body {"message": message}, as API Gateway's
 * own answers are; error_type (or NULL) goes into x-amzn-ErrorType. res must
 * be empty (as after memset 0) or hold only headers. */
void gateway_set_message(struct gateway_response *res, int status,
                         const char *message, const char *error_type);

/*
 * gateway_auth.c: the checks API Gateway makes before it invokes the
 * function, in its order: the stage's throttle, AWS_IAM signature, API key,
 * the key's usage plan (throttle, then quota). Returns 0 to go on (call's
 * api_key and access_key set), or -1 with res filled with the answer (403,
 * 429).
 */
int gateway_auth_check(struct gateway *g, struct gateway_call *call,
                       struct gateway_response *res);

/* Set up usage plans and the stage throttle; 0 or -1 with err. */
int gateway_auth_create(struct gateway *g, struct err *err);
void gateway_auth_free(struct gateway *g);

/*
 * gateway_cors.c: an OPTIONS preflight (Origin and
 * Access-Control-Request-Method present) for a configured CORS is answered
 * here without a handler: returns 1 with res filled. Otherwise 0.
 */
int gateway_cors_preflight(struct gateway *g, struct gateway_call *call,
                           struct gateway_response *res);

/* Add the CORS headers a real response carries for the request's Origin. */
void gateway_cors_headers(struct gateway *g, const struct gateway_call *call,
                          struct gateway_response *res);

/*
 * gateway_log.c: the access-log line of a finished call (Common Log Format,
 * or JSON with API Gateway's $context names, per cfg->access_log_json), at
 * info level.
 */
void gateway_log_access(const struct gateway *g,
                        const struct gateway_call *call,
                        const struct gateway_response *res);

/* Lambda's lines around one invocation, at info level:
 * "START RequestId: <id> Version: $LATEST" before, and after it
 * "END RequestId: <id>" and "REPORT RequestId: <id>\tDuration: <ms> ms\t
 * Billed Duration: <ms> ms\tMemory Size: <MB> MB\tMax Memory Used: <MB> MB". */
void gateway_log_start(const struct gateway *g,
                       const struct gateway_call *call);
void gateway_log_end(const struct gateway *g, const struct gateway_call *call);

/*
 * gateway_openapi.c: the configured API as an OpenAPI 3.0 document with
 * API Gateway's x-amazon-apigateway-* extensions, as API Gateway exports
 * it. Its server URL names request_host (the request's Host header, or
 * NULL) when that is a plain host[:port], else the configured address. A
 * new malloc'd JSON text; *len its length.
 */
char *gateway_openapi(const struct gateway *g, const char *request_host,
                      size_t *len);

#endif
