/*
 * ddb — the DynamoDB JSON wire API (awsJson1_0, API version 2012-08-10), the
 * second front door to the same store the REST routes use: an item written
 * through POST /items is returned by `aws dynamodb get-item`, and the other
 * way round.
 *
 * A request is POST / with `X-Amz-Target: DynamoDB_20120810.<Operation>` and
 * a JSON body; the answer is 200 with the operation's output, or 400 (500
 * for the service's own faults) with {"__type": "<namespace>#<Name>",
 * "message": "..."} as DynamoDB answers (Amazon DynamoDB API Reference,
 * "Common Errors" and each operation's "Errors"). Every answer is
 * `application/x-amz-json-1.0` with `x-amzn-RequestId` and `x-amz-crc32`
 * (the CRC-32 of the body, as decimal), which the AWS SDKs check.
 *
 * Signatures are not checked (a local stand-in has no secret to check them
 * against); an Authorization header must be present, as the SDKs and the
 * CLI always send one, else MissingAuthenticationTokenException.
 *
 * Threads: create and free on the main thread; ddb_handle may run on many
 * threads at once.
 */
#ifndef CRUDD_DDB_H
#define CRUDD_DDB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;
struct ddb;

/* One wire request, borrowed for the call. */
struct ddb_request {
    const char *target; /* X-Amz-Target, e.g. "DynamoDB_20120810.GetItem" */
    const char *body;   /* the JSON body bytes, or NULL */
    size_t body_len;
    int has_authorization; /* an Authorization header was sent */
    const char *source_ip; /* for the access log */
    uint64_t start_us;     /* arrival, CLOCK_MONOTONIC µs, for the log */
};

/* One wire response; ddb_response_fini frees it. */
struct ddb_response {
    int status; /* 200, 400 or 500 */
    char *body; /* JSON (malloc), handed over by setting NULL */
    size_t body_len;
    char request_id[37]; /* x-amzn-RequestId */
    unsigned long crc32; /* x-amz-crc32 of body */
};

/* A ddb face over store (borrowed; it must outlive the result). Never
 * fails. Free with ddb_free. */
struct ddb *ddb_create(struct store *store);

/* Free d. d may be NULL. */
void ddb_free(struct ddb *d);

/*
 * Answer req into *res. Never fails: every problem is a DynamoDB error
 * answer. Writes one access-log line at info level.
 */
void ddb_handle(struct ddb *d, const struct ddb_request *req,
                struct ddb_response *res);

/* Free what res holds. */
void ddb_response_fini(struct ddb_response *res);

#endif
