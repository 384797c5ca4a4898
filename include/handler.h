/*
 * handler — the "Lambda" boundary: what an in-process function receives and
 * returns, and helpers every handler family shares.
 *
 * A handler is a plain C function. Its event is the API Gateway Lambda proxy
 * integration event, held as a C struct so that a request does not build a
 * JSON tree nobody reads. handler_event_json renders it as exactly API
 * Gateway's JSON, in either payload format version: 1.0, the REST API event
 * ("Set up Lambda proxy integrations in API Gateway", API Gateway Developer
 * Guide: resource, path, httpMethod, headers, multiValueHeaders,
 * queryStringParameters, multiValueQueryStringParameters, pathParameters,
 * stageVariables, requestContext, body, isBase64Encoded), or 2.0, the HTTP
 * API event ("Create AWS Lambda proxy integrations for HTTP APIs in API
 * Gateway": version, routeKey, rawPath, rawQueryString, cookies, headers,
 * queryStringParameters, pathParameters, stageVariables, requestContext,
 * body, isBase64Encoded). It is for the debug log, the echo function, and
 * anyone who wants to see what a function in the cloud would receive.
 *
 * Its result is the proxy integration response: a status code, headers and
 * a body (struct handler_result). A function written the way a real Lambda
 * is, returning JSON, has it read by handler_result_from_json with API
 * Gateway's rules for the payload version. The gateway answers a failed
 * function or a malformed result as API Gateway does: 502 {"message":
 * "Internal server error"} for a REST API, 500 {"message": "Internal Server
 * Error"} for an HTTP API.
 *
 * Threads: handlers run on the HTTP worker threads, several at once; the
 * event and env are borrowed for the call and must not be kept. Every
 * function here may be called from any thread.
 */
#ifndef CRUDD_HANDLER_H
#define CRUDD_HANDLER_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct store;

/* Where an item's partition key value comes from in a request. */
enum handler_key_source {
    HANDLER_KEY_PATH,  /* the path parameter path_param ("/items/{id}") */
    HANDLER_KEY_QUERY, /* the query parameter path_param ("?customerId=") */
    HANDLER_KEY_BODY,  /* the body attribute path_param */
};

/* How request and response bodies carry items. */
enum handler_body_format {
    HANDLER_BODY_JSON,     /* plain JSON: {"name": "Ann"} */
    HANDLER_BODY_DYNAMODB, /* DynamoDB-typed JSON: {"name": {"S": "Ann"}} */
};

/* What a handler is configured with: its "environment variables". Every
 * pointer is borrowed from the gateway and lives as long as it does. */
struct handler_env {
    struct store *store;
    const char *table;         /* DynamoDB table name, e.g. "ItemsTable" */
    const char *partition_key; /* the key attribute, e.g. "id" */
    const char *path_param;    /* the parameter naming an item, "id" */
    enum handler_key_source key_source; /* where path_param is looked up */
    enum handler_body_format body_format;
    /* the attributes a partial update may touch; NULL (and 0) = any */
    const char *const *updatable;
    size_t nupdatable;
    /* a fixed proxy result (the "respond" handler); borrowed, or NULL */
    const json_t *result;
};

/* A name and a value, both borrowed NUL-terminated strings. */
struct handler_kv {
    const char *name;
    const char *value;
};

/* The proxy event. Every pointer is borrowed for the handler call and may
 * be NULL unless said otherwise: handler_event_json then renders null, a
 * default or nothing, as noted. Lists keep arrival order; a name may repeat
 * (multiValue* in 1.0, comma-joined values in 2.0). */
struct handler_event {
    int payload_version;  /* 1 ("1.0") or 2 ("2.0"); 0 reads as 1 */
    const char *resource; /* the route's template, "/items/{id}" */
    const char *path;     /* the path without the stage, "/items/abc" */
    const char *method;   /* "GET" */
    const struct handler_kv *headers; /* as sent, names in any case */
    size_t nheaders;
    const struct handler_kv *query; /* decoded query parameters */
    size_t nquery;
    const struct handler_kv *params; /* pathParameters */
    size_t nparams;
    const struct handler_kv *stage_variables; /* stageVariables */
    size_t nstage_variables;
    const char *body; /* the body bytes (any bytes), NULL for none */
    size_t body_len;
    /* 1: the body is binary media (a REST API's binaryMediaTypes matched
     * its Content-Type), so the JSON event carries it Base64-encoded with
     * isBase64Encoded true; 0: as text when it is UTF-8, else Base64 */
    int body_binary;
    /* 2.0 only */
    const char *route_key; /* routeKey, "GET /items/{id}" or "$default";
                            * NULL: "<method> <resource>", or "$default"
                            * when either is NULL */
    const char *raw_path;  /* rawPath: the path as sent, stage included;
                            * NULL: request_path */
    const char *raw_query; /* rawQueryString: the query as sent, without
                            * '?', not decoded; NULL: "" */
    /* requestContext */
    const char *request_id;          /* requestId, a UUID */
    const char *extended_request_id; /* extendedRequestId (1.0) */
    const char *stage;               /* "prod"; NULL in 2.0: "$default" */
    const char *request_path;        /* the path as sent, "/prod/items/abc" */
    const char *source_ip;           /* identity.sourceIp, http.sourceIp */
    long long request_time_ms;       /* requestTimeEpoch/timeEpoch, Unix ms */
    const char *protocol;            /* "HTTP/1.1"; NULL: "HTTP/1.1" */
    const char *account_id;          /* accountId; NULL: "000000000000" */
    const char *api_id;              /* apiId; NULL: "crudd" */
    const char *resource_id;         /* resourceId (1.0); NULL: "crudd" */
    const char *domain_name;         /* domainName; NULL: the Host header, or
                                      * "localhost" without one */
    const char *api_key;    /* identity.apiKey (1.0): the key the client
                             * sent on a route that requires one */
    const char *access_key; /* an IAM-signed request's access key id:
                             * identity.accessKey (1.0),
                             * authorizer.iam.accessKey (2.0) */
};

/*
 * The event as API Gateway's JSON for ev->payload_version: a new reference,
 * never NULL. A body that is not UTF-8 is Base64 with isBase64Encoded true,
 * as API Gateway sends binary media; a name or value that is not UTF-8 is
 * left out (a single string field becomes null).
 *
 * 1.0 (REST): every key always present, null when empty; headers and
 * queryStringParameters hold the last value of a repeated name, the
 * multiValue* twins all of them.
 *
 * 2.0 (HTTP API): header names lower-cased, a repeated header or query
 * parameter joined with ","; Cookie headers are not in headers but split
 * into cookies ("a=1; b=2" gives ["a=1", "b=2"]). cookies,
 * queryStringParameters, pathParameters, stageVariables and body are left
 * out when empty, as API Gateway does; requestContext.authorizer only when
 * access_key is set.
 */
json_t *handler_event_json(const struct handler_event *ev);

/* The value of request header name (case-insensitive, RFC 9110 §5.1; the
 * last one when repeated), or NULL. Borrowed from ev. */
const char *handler_header(const struct handler_event *ev, const char *name);

/* The last value of query parameter name, or NULL. Borrowed from ev. */
const char *handler_query(const struct handler_event *ev, const char *name);

/* The path parameter name, or NULL. Borrowed from ev. As API Gateway
 * delivers it: still percent-encoded in a REST API's event (payload 1.0),
 * decoded in an HTTP API's (2.0); see handler_param_decoded. */
const char *handler_param(const struct handler_event *ev, const char *name);

/* The path parameter name percent-decoded (RFC 3986 §2.1) whatever the
 * payload version, as a function would decodeURIComponent it: a new
 * malloc'd string the caller frees, or NULL when there is no such parameter
 * or its encoding is bad (a '%' without two hex digits, or %00). */
char *handler_param_decoded(const struct handler_event *ev, const char *name);

/* A response header owned by its list: name and value share one block
 * that name points to (free(name) frees both; handler_headers_add makes
 * it). */
struct handler_header {
    char *name;
    char *value;
};

/*
 * Append the header name: value to the list *list of *n headers, both
 * copied into one block. The array's capacity is implied by *n (8, then
 * doubled at each power of two from 8), so every list must be grown by this
 * function alone: *list is NULL when *n is 0 the first time. Never fails
 * (aborts when out of memory, like xmalloc).
 */
void handler_headers_add(struct handler_header **list, size_t *n,
                         const char *name, const char *value);

/* Give h (one of a list) the value value (copied); its name stays. */
void handler_header_set_value(struct handler_header *h, const char *value);

/* Free the n headers of list and the array itself. list may be NULL. */
void handler_headers_free(struct handler_header *list, size_t n);

/* The proxy integration response. Embedded: handler_result_init / _fini. */
struct handler_result {
    int status;                     /* statusCode: 100..599 */
    struct handler_header *headers; /* owned; in order, a name may repeat
                                     * (multi-value, Set-Cookie): each is
                                     * sent as its own field */
    size_t nheaders;
    struct buf body; /* the body bytes */
    /* 1 when the function returned the body Base64-encoded (isBase64Encoded)
     * and body holds the decoded bytes: a REST API sends them only to a
     * client that accepts a binary media type, others get the Base64 text */
    int base64;
};

/* An empty result: status 0 (not set), no headers, an empty body. */
void handler_result_init(struct handler_result *r);
/* Free the headers and body; r is empty (as after _init) afterwards. */
void handler_result_fini(struct handler_result *r);

/* Append a header (both copied); an existing one of that name stays. */
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
 * Read a function's JSON result the way API Gateway reads it for payload
 * format payload_version (1 or 2; 0 reads as 1) into r, which must be empty
 * (as after handler_result_init). result is borrowed. Returns 0, or -1 with
 * *why set to a static reason (for the log) and r empty again: the result is
 * malformed and the gateway answers it as a failed function.
 *
 * 1.0 ("Output format of a Lambda function for proxy integration"; "If the
 * function output is of a different format, API Gateway returns a 502 Bad
 * Gateway error response"):
 *  - an object whose keys are only statusCode, headers, multiValueHeaders,
 *    body and isBase64Encoded;
 *  - statusCode present: an integer 100..599, or a string of digits naming
 *    one ("201"); a real only when integral (201.0);
 *  - headers: an object of single values; multiValueHeaders: an object of
 *    lists. A value is a string; a number or boolean is sent as its JSON
 *    text ("true", "5"); null is skipped; an object or list is malformed.
 *    Both may be null or missing. Merged as the guide says: "If you specify
 *    values for both headers and multiValueHeaders, API Gateway merges them
 *    into a single list. If the same key-value pair is specified in both,
 *    only the values from multiValueHeaders will appear": multiValueHeaders'
 *    values first, then each headers pair not already among them (names
 *    compared case-insensitively, values exactly);
 *  - body: a string, or null or missing for an empty body;
 *  - isBase64Encoded: a boolean, "true" or "false" (SAM CLI's trials found
 *    API Gateway takes those), or null or missing for false; when true the
 *    body must be Base64 and is decoded (crudd keeps no binary media types:
 *    it decodes as a REST API whose list matches every type).
 *
 * 2.0 ("Lambda function response for format 2.0"):
 *  - a result that is not an object, or an object without statusCode, is
 *    inferred: "statusCode is 200", "content-type is application/json",
 *    "body is the function's response": a string as it is ("Hello" gives
 *    Hello), anything else as compact JSON ({"a":1}, 42, [1], null);
 *  - otherwise statusCode, headers (comma-joined values, as single values
 *    above), cookies (a list: each one Set-Cookie header, "In the response
 *    to the client, each cookie becomes a set-cookie header"), body and
 *    isBase64Encoded as in 1.0; any other key, multiValueHeaders included,
 *    is ignored (the 2.0 format has none, and HTTP APIs skip unknown keys).
 *
 * Both: a result without a Content-Type header gets Content-Type:
 * application/json, as API Gateway (and SAM CLI, which follows it) answers.
 */
int handler_result_from_json(const json_t *result, int payload_version,
                             struct handler_result *r, const char **why);

/*
 * A handler: event and env borrowed; fills res (initialized by the caller)
 * and returns 0. -1 stands for a function that raised: the client gets the
 * API's answer to a failed function (502 REST, 500 HTTP API), whatever res
 * holds.
 */
typedef int handler_fn(const struct handler_event *ev,
                       const struct handler_env *env,
                       struct handler_result *res);

#endif
