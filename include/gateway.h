/*
 * gateway — what Amazon API Gateway does in front of a Lambda proxy
 * integration, for the one API the config declares (a REST API, payload
 * format 1.0, or an HTTP API, payload format 2.0): strip the stage prefix,
 * answer CORS preflights, match the route, check the stage throttle, an
 * AWS_IAM route's Signature Version 4, the API key and its usage plan, give
 * every request a request id, build the proxy event, invoke the built-in
 * function, read its result with API Gateway's rules (502, or 500 for an
 * HTTP API, when malformed), answer unknown routes as the API type does
 * (REST: 403 "Missing Authentication Token"; HTTP: 404 "Not Found"), write
 * the access-log and Lambda START/END/REPORT lines, count CloudWatch's
 * metrics, and serve crudd's own health, metrics and OpenAPI paths.
 * AWS: "Set up Lambda proxy integrations in API Gateway" (REST), "Create
 * AWS Lambda proxy integrations for HTTP APIs", and the pages each part
 * names (src/gateway_*.c).
 *
 * It knows nothing of libmicrohttpd: `http` hands it a plain request and
 * sends the plain response it fills.
 *
 * Threads: create and free on the main thread; gateway_handle may run on many
 * threads at once (the gateway is read-only after creation, but for its
 * lock-free counters: throttles, quotas, metrics).
 */
#ifndef CRUDD_GATEWAY_H
#define CRUDD_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "handler.h"

struct store;
struct gateway;

/* One request, all borrowed from the caller for the call. */
struct gateway_request {
    const char *method;    /* "GET" */
    const char *path;      /* percent-decoded, no query string */
    const char *raw_path;  /* as sent, still percent-encoded, or NULL */
    const char *raw_query; /* the query string as sent (no '?'), or NULL */
    const char *protocol;  /* "HTTP/1.1", or NULL */
    const struct handler_kv *headers; /* in arrival order */
    size_t nheaders;
    const struct handler_kv *query; /* decoded, in arrival order */
    size_t nquery;
    const char *body; /* body bytes (may hold anything), or NULL */
    size_t body_len;
    const char *source_ip; /* "127.0.0.1" */
    uint64_t start_us;     /* arrival, clock_now_us() */
};

/* One response; gateway_response_fini frees everything in it. */
struct gateway_response {
    int status;
    struct handler_header *headers; /* names and values owned */
    size_t nheaders;
    char *body; /* owned (malloc), may be handed over by setting NULL */
    size_t body_len;
};

/*
 * Build the API the config declares: each route's table (created if
 * missing), the route table, the usage plans (their quota counters read
 * back from the store, a flusher thread started) and the metrics series.
 * cfg and store are borrowed and must outlive the gateway. Returns NULL with
 * ERR_CONFIG, or the store's error (ERR_UNAVAILABLE...); nothing is left
 * running then.
 */
struct gateway *gateway_create(const struct config *cfg, struct store *store,
                               struct err *err);

/* Free g. g may be NULL. */
void gateway_free(struct gateway *g);

/*
 * Answer req into *res (which the caller later passes to
 * gateway_response_fini). Never fails: every problem becomes an HTTP answer
 * (4xx for the client's mistakes and the gateway's refusals: 403, 404,
 * 429; 502/500 for a malformed function result; 5xx for the store). Every
 * response carries Content-Type and the API type's request id headers
 * (REST: x-amzn-RequestId and x-amz-apigw-id; HTTP: apigw-requestid), and
 * the CORS headers when configured. Writes one access-log line at info
 * level, and START/END/REPORT when a function ran.
 */
void gateway_handle(struct gateway *g, const struct gateway_request *req,
                    struct gateway_response *res);

/*
 * A response the gateway did not route (the body cap, a bad request line):
 * status with {"message": message} and the request-id headers, and its
 * access-log line. Same contract as gateway_handle.
 */
void gateway_reject(struct gateway *g, const struct gateway_request *req,
                    int status, const char *message,
                    struct gateway_response *res);

/* Free what res holds; res is empty afterwards. */
void gateway_response_fini(struct gateway_response *res);

#endif
