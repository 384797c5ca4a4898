/*
 * gateway — what Amazon API Gateway does in front of a Lambda proxy
 * integration (REST API, payload format 1.0): strip the stage prefix, match
 * the route, give every request a request id, build the proxy event, invoke
 * the handler, check its result (502 when malformed), answer unknown routes
 * as API Gateway does (403 "Missing Authentication Token"), and write the
 * access log line.
 *
 * It knows nothing of libmicrohttpd: `http` hands it a plain request and
 * sends the plain response it fills.
 *
 * Threads: create and free on the main thread; gateway_handle may run on many
 * threads at once (the gateway is read-only after creation).
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
    const char *method;               /* "GET" */
    const char *path;                 /* percent-decoded, no query string */
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
 * Build the API the config declares: for each resource its table (created
 * if missing) and the six CRUD routes at path and path/{partitionKey}.
 * cfg and store are borrowed and must outlive the gateway. Returns NULL with
 * ERR_CONFIG or the store's error.
 */
struct gateway *gateway_create(const struct config *cfg, struct store *store,
                               struct err *err);

/* Free g. g may be NULL. */
void gateway_free(struct gateway *g);

/*
 * Answer req into *res (which the caller later passes to
 * gateway_response_fini). Never fails: every problem becomes an HTTP answer
 * (4xx for the client's mistakes, 502 for a malformed handler result, 5xx
 * for the store). Every response carries Content-Type, x-amzn-RequestId and
 * x-amz-apigw-id. Writes one access-log line at info level.
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
