/*
 * sigv4 — verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) on a request,
 * as API Gateway does for a method whose authorization is AWS_IAM.
 *
 * Both ways of signing are understood: the Authorization header (with an
 * X-Amz-Date or a Date header) and the query string (X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
 * X-Amz-Signature). The canonical request is the one AWS's SDKs build for
 * every service but S3 (botocore's SigV4Auth): the path normalized (dot
 * segments and empty segments removed) and URI-encoded once more, so that
 * "/items/a%20b" signs as "/items/a%2520b"; the query parameters decoded
 * ('+' as a space, as botocore's AWSRequest.prepare, requests and browsers
 * send one), re-encoded with only RFC 3986's unreserved characters left as
 * they are, and sorted by name then value; the signed headers lower-cased,
 * their values trimmed with inner runs of white space made one space, a
 * repeated header's values joined with ','; and the payload hash from
 * x-amz-content-sha256 or else the SHA-256 of the body (for the query form
 * too, as botocore's SigV4QueryAuth does outside S3). AWS General Reference,
 * "Signature Version 4 signing process" and "Create a canonical request".
 *
 * Independent of any HTTP library; the caller hands over the request as it
 * came in. HMAC-SHA256 and SHA-256 are OpenSSL's (libcrypto). Pure functions
 * of their arguments: any thread, no shared state.
 */
#ifndef CRUDD_SIGV4_H
#define CRUDD_SIGV4_H

#include <stddef.h>

/* The only algorithm there is. */
#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* How far X-Amz-Date may be from now, either way (AWS: 5 minutes). */
#define SIGV4_SKEW_SECONDS 300
/* The longest X-Amz-Expires a query-string signature may ask for (a week). */
#define SIGV4_EXPIRES_MAX 604800
/* Caps on what a client controls: names in SignedHeaders, query parameters.
 * A request over either is SIGV4_MALFORMED. */
#define SIGV4_SIGNED_HEADERS_MAX 128
#define SIGV4_QUERY_PARAMS_MAX 1000
/* Sizes of sigv4_result's text fields, NUL included. */
#define SIGV4_ERROR_TYPE_MAX 64
#define SIGV4_MESSAGE_MAX 4096
#define SIGV4_ACCESS_KEY_MAX 129

/* One request header as received: any case, a name may repeat. Borrowed. */
struct sigv4_header {
    const char *name;
    const char *value;
};

/* One access key the emulated account knows. Borrowed. */
struct sigv4_credential {
    const char *access_key_id;
    const char *secret_access_key;
};

/* A request as it arrived, all borrowed for the call. */
struct sigv4_request {
    const char *method; /* "GET", as sent */
    /* The path exactly as on the request line: still percent-encoded, no
     * query, stage prefix included ("/prod/items/a%20b"). */
    const char *raw_path;
    /* The query string as sent, without '?' and still encoded; "" or NULL
     * when there is none. */
    const char *raw_query;
    const struct sigv4_header *headers; /* every header, in received order */
    size_t nheaders;
    const void *body; /* NULL when body_len is 0 */
    size_t body_len;
    /* Unix seconds, for the 5-minute window and X-Amz-Expires; clamped to
     * years 1970..9999. */
    long long now;
    /* A header that must be among the signed ones besides host, named as
     * it is to be quoted ("X-Amz-Target": DynamoDB's operation, which the
     * SDKs always sign), or NULL. */
    const char *must_sign;
};

/* What became of a request. API Gateway answers every failure with 403. */
enum sigv4_status {
    SIGV4_OK,
    SIGV4_MISSING,     /* not signed at all: MissingAuthenticationToken */
    SIGV4_MALFORMED,   /* signed, but incompletely: IncompleteSignature */
    SIGV4_UNKNOWN_KEY, /* no such access key: UnrecognizedClient */
    SIGV4_EXPIRED,     /* outside the time window: InvalidSignature */
    SIGV4_MISMATCH,    /* wrong scope, signature or payload: InvalidSignature */
};

struct sigv4_result {
    enum sigv4_status status;
    /* The x-amzn-ErrorType API Gateway sends ("" on OK):
     * MissingAuthenticationTokenException, IncompleteSignatureException,
     * UnrecognizedClientException or InvalidSignatureException. */
    char error_type[SIGV4_ERROR_TYPE_MAX];
    /* API Gateway's text for the 403 body {"message": ...} ("" on OK); UTF-8
     * when the request's own bytes it quotes are (it is cut at a character
     * boundary when long). */
    char message[SIGV4_MESSAGE_MAX];
    /* On OK, who signed: for requestContext.identity.accessKey. "" else. */
    char access_key_id[SIGV4_ACCESS_KEY_MAX];
};

/*
 * Verify req's signature against creds (ncreds access keys; the access key id
 * is matched exactly). service: the service the credential scope must name
 * ("execute-api"), or NULL for any; any non-empty region is accepted, as the
 * emulator has no region of its own.
 *
 * The checks, in order, each with API Gateway's wording in out->message:
 *  - no Authorization header (or an empty one) and no X-Amz-Algorithm,
 *    X-Amz-Credential, X-Amz-Signature or X-Amz-SignedHeaders parameter:
 *    SIGV4_MISSING, "Missing Authentication Token";
 *  - a header element without '=' ("Bearer abc"), a missing Credential,
 *    SignedHeaders or Signature (or query parameter), no X-Amz-Date or Date,
 *    another algorithm, a credential that is not 5 slash-delimited elements,
 *    a date not in ISO-8601 basic format (or, for Date, an HTTP-date), host
 *    (or req->must_sign: "'X-Amz-Target' must be a 'SignedHeader' in the
 *    AWS Authorization.") not among the signed headers, a bad
 *    X-Amz-Expires, more than the caps above: SIGV4_MALFORMED;
 *  - a scope whose terminator is not aws4_request, whose region is empty,
 *    whose service is not `service`, or whose date is not the request's:
 *    SIGV4_MISMATCH ("Credential should be scoped to correct service: ...");
 *  - the date more than SIGV4_SKEW_SECONDS from now, or for the query form
 *    now past X-Amz-Date + X-Amz-Expires: SIGV4_EXPIRED ("Signature
 *    expired: ..." / "Signature not yet current: ...");
 *  - an access key id not in creds: SIGV4_UNKNOWN_KEY ("The security token
 *    included in the request is invalid.");
 *  - a signature that is not the one computed (compared in constant time):
 *    SIGV4_MISMATCH, "The request signature we calculated does not match
 *    ...", followed as API Gateway does by the canonical request and the
 *    string to sign it expected (left out when they do not fit);
 *  - a body whose SHA-256 is not the x-amz-content-sha256 it was signed
 *    with: SIGV4_MISMATCH. UNSIGNED-PAYLOAD and STREAMING-* are refused so
 *    too (with a sentence saying so): only S3 accepts them, and execute-api
 *    and dynamodb, the services crudd emulates, hash the body themselves,
 *    so a body they left unsigned could be swapped under a valid signature.
 * X-Amz-Security-Token is signed like any other header or parameter but not
 * checked: the emulator has no temporary credentials.
 *
 * out is always filled in; nothing else changes. Out of memory aborts.
 */
void sigv4_verify(const struct sigv4_request *req,
                  const struct sigv4_credential *creds, size_t ncreds,
                  const char *service, struct sigv4_result *out);

/* A span of bytes inside a caller's string: not NUL-terminated. */
struct sigv4_span {
    const char *p;
    size_t n;
};

/* An Authorization header value taken apart; every span points into it. */
struct sigv4_authorization {
    struct sigv4_span algorithm;      /* "AWS4-HMAC-SHA256" */
    struct sigv4_span credential;     /* "AKID/20260101/us-east-1/..." */
    struct sigv4_span signed_headers; /* "host;x-amz-date" */
    struct sigv4_span signature;      /* 64 hex digits, unchecked */
    /* credential's five elements */
    struct sigv4_span access_key_id, date, region, service, terminator;
};

/*
 * Take apart an Authorization header value (NUL-terminated):
 * "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api/
 * aws4_request, SignedHeaders=host;x-amz-date, Signature=<hex>". As API
 * Gateway reads it, the first word is the algorithm and the rest are
 * key=value elements separated by commas and/or spaces; the first of a
 * repeated key counts, unknown keys are ignored. Nothing is checked beyond
 * the shape: not the algorithm, dates, service or signature.
 *
 * Returns 0, or -1 with API Gateway's message in msg (msgsize bytes, cut to
 * fit) when an element has no '=' ("Invalid key=value pair (missing
 * equal-sign) in Authorization header (hashed with SHA-256 and encoded with
 * Base64): '<base64 of the element's SHA-256>'."), when Credential,
 * SignedHeaders or Signature is missing ("Authorization header requires
 * 'Credential' parameter. ... Authorization=<value>"), or when the
 * credential is not five slash-delimited elements. *out is unspecified
 * after a failure.
 */
int sigv4_parse_authorization(const char *value,
                              struct sigv4_authorization *out, char *msg,
                              size_t msgsize);

#endif
