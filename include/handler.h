/*
 * handler — the "Lambda" boundary: what an in-process function receives and
 * returns, and helpers every handler family shares.
 *
 * A handler is a plain C function. Its event is the API Gateway Lambda proxy
 * integration event, REST API payload format 1.0 ("Set up Lambda proxy
 * integrations in API Gateway", API Gateway Developer Guide), held as a C
 * struct so that a request does not build a JSON tree nobody reads;
 * handler_event_json renders it as exactly API Gateway's JSON (resource,
 * path, httpMethod, headers, multiValueHeaders, queryStringParameters,
 * multiValueQueryStringParameters, pathParameters, stageVariables,
 * requestContext, body, isBase64Encoded) for the debug log and for anyone
 * who wants to see what a function in the cloud would receive.
 *
 * Its result is the proxy integration response: a status code, headers and
 * a body (struct handler_result). The gateway checks it and answers 502
 * {"message": "Internal server error"} when it is malformed or the handler
 * failed, as API Gateway does when a function errors.
 *
 * Threads: handlers run on the HTTP worker threads, several at once; the
 * event and env are borrowed for the call and must not be kept.
 */
#ifndef CRUDD_HANDLER_H
#define CRUDD_HANDLER_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct store;

/* What a handler is configured with: its "environment variables". */
struct handler_env {
    struct store *store;
    const char *table;         /* DynamoDB table name, e.g. "ItemsTable" */
    const char *partition_key; /* the key attribute, e.g. "id" */
    const char *path_param;    /* the path parameter naming an item, "id" */
};

/* A name and a value, both borrowed NUL-terminated strings. */
struct handler_kv {
    const char *name;
    const char *value;
};

/* The proxy event. Every pointer is borrowed for the handler call. Lists
 * keep arrival order; a name may repeat (multiValue*). */
struct handler_event {
    const char *resource; /* the route's template, "/items/{id}" */
    const char *path;     /* the path without the stage, "/items/abc" */
    const char *method;   /* "GET" */
    const struct handler_kv *headers;
    size_t nheaders;
    const struct handler_kv *query; /* decoded query parameters */
    size_t nquery;
    const struct handler_kv *params; /* pathParameters */
    size_t nparams;
    const char *body; /* the body bytes (any bytes), NULL for none */
    size_t body_len;
    /* requestContext */
    const char *request_id;          /* requestId, a UUID */
    const char *extended_request_id; /* extendedRequestId */
    const char *stage;               /* "prod" */
    const char *request_path;        /* the path as sent, "/prod/items/abc" */
    const char *source_ip;           /* identity.sourceIp */
    long long request_time_ms;       /* requestTimeEpoch, Unix ms */
};

/* The event as API Gateway's payload format 1.0 JSON: a new reference.
 * A body that is not UTF-8 is Base64 with isBase64Encoded true, as API
 * Gateway sends binary media; a string that is not UTF-8 becomes null. */
json_t *handler_event_json(const struct handler_event *ev);

/* The value of request header name (case-insensitive, RFC 9110 §5.1; the
 * last one when repeated), or NULL. Borrowed from ev. */
const char *handler_header(const struct handler_event *ev, const char *name);

/* The last value of query parameter name, or NULL. Borrowed from ev. */
const char *handler_query(const struct handler_event *ev, const char *name);

/* The path parameter name, or NULL. Borrowed from ev. */
const char *handler_param(const struct handler_event *ev, const char *name);

/* A response header owned by its result. */
struct handler_header {
    char *name;
    char *value;
};

/* The proxy integration response. Embedded: handler_result_init / _fini. */
struct handler_result {
    int status;                     /* statusCode: 100..599 */
    struct handler_header *headers; /* owned */
    size_t nheaders;
    struct buf body; /* the body bytes */
};

/* An empty result: status 0 (not set), no headers, an empty body. */
void handler_result_init(struct handler_result *r);
/* Free the headers and body; r is empty (as after _init) afterwards. */
void handler_result_fini(struct handler_result *r);

/* Add a header (copied). */
void handler_set_header(struct handler_result *r, const char *name,
                        const char *value);

/* status with Content-Type: application/json; the body is appended by the
 * caller to r->body. Returns 0 (a handler's success). */
int handler_respond(struct handler_result *r, int status);

/* status with the body {"message": message}. Returns 0. */
int handler_message(struct handler_result *r, int status, const char *message);

/* err's HTTP status (err_http_status) with its message. Returns 0. */
int handler_error(struct handler_result *r, const struct err *err);

/*
 * A handler: event and env borrowed; fills res (initialized by the caller)
 * and returns 0. -1 stands for a function that raised: the client gets a
 * 502, whatever res holds.
 */
typedef int handler_fn(const struct handler_event *ev,
                       const struct handler_env *env,
                       struct handler_result *res);

#endif
