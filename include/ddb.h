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
 * Who may call it is decided at start (enum ddb_auth): open (an
 * Authorization header must be present, as the SDKs and the CLI always send
 * one, else MissingAuthenticationTokenException; its signature is not
 * checked, as DynamoDB Local does), SigV4 (every request's Signature
 * Version 4, service "dynamodb", any region, is verified by sigv4, with
 * x-amz-target among the signed headers, and refused as DynamoDB does:
 * MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException ("The security token included in the request
 * is invalid.") or InvalidSignatureException (a wrong or expired signature),
 * all HTTP 400), or closed (every request is UnrecognizedClientException,
 * with a message saying how to open it).
 *
 * Threads: create and free on the main thread; ddb_handle may run on many
 * threads at once.
 */
#ifndef CRUDD_DDB_H
#define CRUDD_DDB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sigv4.h"

struct store;
struct ddb;

/* One wire request, borrowed for the call. */
struct ddb_request {
    const char *target; /* X-Amz-Target, e.g. "DynamoDB_20120810.GetItem" */
    const char *body;   /* the JSON body bytes, or NULL */
    size_t body_len;
    int has_authorization; /* an Authorization header was sent */
    /* for the signature check: the request as it arrived (sigv4.h) */
    const char *raw_path;  /* "/", still percent-encoded */
    const char *raw_query; /* without '?', or NULL */
    const struct sigv4_header *headers;
    size_t nheaders;
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

/* Who may use the DynamoDB API (config.h's enum config_ddb_access). */
enum ddb_auth {
    DDB_AUTH_OPEN,   /* any request with an Authorization header */
    DDB_AUTH_SIGV4,  /* a valid signature by one of the credentials */
    DDB_AUTH_CLOSED, /* nobody: the API is protected and no keys are known */
};

/* A ddb face over store (borrowed; it must outlive the result), answering
 * as auth says. creds (ncreds access keys, borrowed likewise): the keys
 * whose signatures DDB_AUTH_SIGV4 accepts; ignored otherwise. Never fails.
 * Free with ddb_free. */
struct ddb *ddb_create(struct store *store, enum ddb_auth auth,
                       const struct sigv4_credential *creds, size_t ncreds);

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
