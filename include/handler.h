/*
 * handler — the "Lambda" boundary: what an in-process function receives and
 * returns, and helpers every handler family shares.
 *
 * A handler is a plain C function. Its event is the API Gateway Lambda proxy
 * integration event, REST API payload format 1.0 ("Set up Lambda proxy
 * integrations in API Gateway", API Gateway Developer Guide): resource, path,
 * httpMethod, headers, multiValueHeaders, queryStringParameters,
 * multiValueQueryStringParameters, pathParameters, stageVariables,
 * requestContext, body (string or null), isBase64Encoded. Its result is the
 * proxy integration response: {"statusCode": int, "headers": {name: string},
 * "body": string, "isBase64Encoded": bool}. The gateway checks the result
 * and answers 502 {"message": "Internal server error"} when it is malformed,
 * as API Gateway does.
 *
 * Threads: handlers run on the HTTP worker threads, several at once; the
 * event and env are borrowed for the call and must not be kept.
 */
#ifndef CRUDD_HANDLER_H
#define CRUDD_HANDLER_H

#include <jansson.h>

#include "err.h"

struct store;

/* What a handler is configured with: its "environment variables". */
struct handler_env {
    struct store *store;
    const char *table;         /* DynamoDB table name, e.g. "ItemsTable" */
    const char *partition_key; /* the key attribute, e.g. "id" */
    const char *path_param;    /* the path parameter naming an item, "id" */
};

/*
 * A handler: event (borrowed) in, a new reference to the result object out.
 * NULL stands for a function that crashed: the client gets a 502.
 */
typedef json_t *handler_fn(const json_t *event, const struct handler_env *env);

/*
 * A result {"statusCode": status, "headers": {"Content-Type":
 * "application/json", ...}, "body": body, "isBase64Encoded": false}.
 * Steals body (a JSON string, may be NULL for no body) and headers (an
 * object of extra string headers, may be NULL). Returns a new reference.
 */
json_t *handler_result_new(int status, json_t *headers, json_t *body);

/* A result whose body is {"message": message}. Returns a new reference. */
json_t *handler_message(int status, const char *message);

/* An error result: err's HTTP status (err_http_status) and its message. */
json_t *handler_error(const struct err *err);

/*
 * The request body of event as bytes: the body string, Base64-decoded when
 * isBase64Encoded. Returns a new buffer (free with free()) with its length in
 * *len, or NULL when the event has no body (*len is then 0) or the Base64 is
 * bad.
 */
char *handler_body(const json_t *event, size_t *len);

/* The value of request header name (case-insensitive, RFC 9110 §5.1), a
 * borrowed C string, or NULL. */
const char *handler_header(const json_t *event, const char *name);

#endif
