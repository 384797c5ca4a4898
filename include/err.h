/*
 * err — the error kinds crudd can report, and where each one is described.
 *
 * A fallible function takes a `struct err *` and, on failure, sets it once
 * where the problem is found (err_set) and returns -1 or NULL; callers pass it
 * up unchanged. One table (ERR_KINDS below) maps each kind to the HTTP status
 * the REST face answers with, the DynamoDB `__type` the wire API answers with,
 * and a default message. `gateway` and `ddb` translate through it and nowhere
 * else. Any thread may use these functions; a struct err belongs to one
 * request.
 */
#ifndef CRUDD_ERR_H
#define CRUDD_ERR_H

#include <stdarg.h>

/* X(kind, http status, DynamoDB __type, default message) */
#define ERR_KINDS(X)                                                           \
    X(ERR_NONE, 200, "", "")                                                   \
    X(ERR_BAD_REQUEST, 400, "com.amazon.coral.validate#ValidationException",   \
      "Bad request")                                                           \
    X(ERR_NOT_FOUND, 404,                                                      \
      "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",            \
      "Item not found")                                                        \
    X(ERR_CONFLICT, 409,                                                       \
      "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",      \
      "The conditional request failed")                                        \
    X(ERR_PRECONDITION, 412,                                                   \
      "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",      \
      "The item has changed since it was read")                                \
    X(ERR_IN_USE, 400,                                                         \
      "com.amazonaws.dynamodb.v20120810#ResourceInUseException",               \
      "Resource in use")                                                       \
    X(ERR_TOO_LARGE, 413, "com.amazon.coral.service#SerializationException",   \
      "Request Too Long")                                                      \
    X(ERR_UNAVAILABLE, 503,                                                    \
      "com.amazonaws.dynamodb.v20120810#InternalServerError",                  \
      "Service unavailable")                                                   \
    X(ERR_INTERNAL, 500,                                                       \
      "com.amazonaws.dynamodb.v20120810#InternalServerError",                  \
      "Internal server error")                                                 \
    X(ERR_SERIALIZATION, 400,                                                  \
      "com.amazon.coral.service#SerializationException",                       \
      "Start of structure or map found where not expected")                    \
    X(ERR_UNKNOWN_OPERATION, 400,                                              \
      "com.amazon.coral.service#UnknownOperationException", "")                \
    X(ERR_MISSING_AUTH, 400,                                                   \
      "com.amazon.coral.service#MissingAuthenticationTokenException",          \
      "Request is missing Authentication Token")                               \
    X(ERR_INCOMPLETE_SIGNATURE, 400,                                           \
      "com.amazon.coral.service#IncompleteSignatureException",                 \
      "The request signature does not conform to AWS standards.")              \
    X(ERR_INVALID_SIGNATURE, 400,                                              \
      "com.amazon.coral.service#InvalidSignatureException",                    \
      "The request signature we calculated does not match the signature you "  \
      "provided.")                                                             \
    X(ERR_UNRECOGNIZED_CLIENT, 400,                                            \
      "com.amazon.coral.service#UnrecognizedClientException",                  \
      "The security token included in the request is invalid.")                \
    X(ERR_TXN_CANCELLED, 400,                                                  \
      "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",         \
      "Transaction cancelled")                                                 \
    X(ERR_IDEMPOTENT_MISMATCH, 400,                                            \
      "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException", \
      "Idempotent parameter mismatch")                                         \
    X(ERR_CONFIG, 500, "", "Bad configuration")

enum err_kind {
#define ERR_ENUM(kind, status, type, msg) kind,
    ERR_KINDS(ERR_ENUM)
#undef ERR_ENUM
};

#define ERR_MSG_SIZE 512

/* An error: its kind and a message for the client (or the operator). */
struct err {
    enum err_kind kind;
    char msg[ERR_MSG_SIZE];
};

/* A struct err that says "no error". */
#define ERR_INIT                                                               \
    {                                                                          \
        ERR_NONE,                                                              \
        {                                                                      \
            0                                                                  \
        }                                                                      \
    }

/*
 * Set e to kind with a printf-style message (truncated to ERR_MSG_SIZE - 1
 * bytes). fmt NULL uses the kind's default message. e may be NULL (the error
 * is then dropped). Returns -1, so callers can `return err_set(...)`.
 */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The HTTP status for kind (400, 404, ...). */
int err_http_status(enum err_kind kind);
/* The DynamoDB `__type` for kind; a static string, "" when it has none. */
const char *err_ddb_type(enum err_kind kind);
/* The default message for kind; a static string. */
const char *err_default_message(enum err_kind kind);
/*
 * The Code of a TransactWriteItems CancellationReason (DynamoDB API
 * Reference, "CancellationReason") for an action that ended with kind: a
 * static string, "None" for ERR_NONE, "ConditionalCheckFailed" for
 * ERR_CONFLICT and ERR_PRECONDITION, "ValidationError" for ERR_BAD_REQUEST,
 * "InternalServerError" for any other kind. Used by store_transact's
 * message and by item's CancellationReasons, so the two always agree.
 */
const char *err_reason_code(enum err_kind kind);

#endif
