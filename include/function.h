/*
 * function — the one registry of the functions a route can invoke: each by
 * the name the config uses, its kind (a built-in C function today; a user's
 * Python or Node handler run through the Lambda Runtime API later, beside
 * them), its entry point and what it asks of its route (a table, a fixed
 * result, a key in the path, ...) and answers (its OpenAPI shape). Adding a
 * built-in is one enum value and one row in function.c. The registry is
 * constant data: any thread, no state, nothing to free.
 */
#ifndef CRUDD_FUNCTION_H
#define CRUDD_FUNCTION_H

#include "handler.h"

/* The built-in functions, in the order the config's error messages list
 * them. */
enum function_id {
    FUNCTION_CREATE_ITEM,
    FUNCTION_GET_ITEM,
    FUNCTION_LIST_ITEMS,
    FUNCTION_PUT_ITEM,
    FUNCTION_UPDATE_ITEM,
    FUNCTION_DELETE_ITEM,
    FUNCTION_HEALTH,
    FUNCTION_ECHO,
    FUNCTION_RESPOND,
    FUNCTION_DYNAMODB_MANAGER,
    FUNCTION_NBUILTIN /* the count, not a function */
};

/* Where a function runs. */
enum function_kind {
    FUNCTION_BUILTIN, /* a handler_fn in this binary */
    FUNCTION_USER     /* a user's handler (declared under "functions"):
                         not yet; function_invoke fails it */
};

/* What a function asks of its route, or-ed in function.flags. */
enum function_flag {
    /* needs "table" and "partitionKey", and may take keyFrom and keyName;
     * without it, a route takes none of them */
    FUNCTION_NEEDS_TABLE = 1 << 0,
    /* takes the route's fixed "result", and needs it */
    FUNCTION_TAKES_RESULT = 1 << 1,
    /* a key from the path must be a {param} of the route's template (every
     * item function but the ones without a key: create and list) */
    FUNCTION_KEY_IN_PATH = 1 << 2,
    /* takes "updatableAttributes" */
    FUNCTION_TAKES_UPDATABLE = 1 << 3,
    /* reads a JSON object as its request body (OpenAPI requestBody) */
    FUNCTION_READS_BODY = 1 << 4,
    /* pages its answer: the limit and nextToken query parameters */
    FUNCTION_PAGED = 1 << 5,
};

/* What a function answers, as the OpenAPI export describes it. */
enum function_shape {
    FUNCTION_SHAPE_PLAIN,   /* 200, no schema (echo) */
    FUNCTION_SHAPE_CREATED, /* 201 + Location, a message and the item */
    FUNCTION_SHAPE_LIST,    /* 200 {items, count, nextToken} */
    FUNCTION_SHAPE_ITEM,    /* 200, the item */
    FUNCTION_SHAPE_WRITTEN, /* 200, a message and the item (put, update) */
    FUNCTION_SHAPE_DELETED, /* 200, a message and the item; no 400 */
    FUNCTION_SHAPE_STATUS,  /* 200 {status} */
    FUNCTION_SHAPE_FIXED,   /* the fixed result's statusCode */
    FUNCTION_SHAPE_MANAGER, /* 200, no schema, or 400 */
};

/* One function of the registry. */
struct function {
    const char *name; /* the config's name, e.g. "create-item" */
    enum function_kind kind;
    enum function_id id; /* FUNCTION_BUILTIN only */
    handler_fn *entry;   /* FUNCTION_BUILTIN only */
    unsigned flags;      /* enum function_flag, or-ed */
    enum function_shape shape;
};

/*
 * The function the config calls name (NUL-terminated, not NULL), or NULL
 * when there is none. The result is static: never freed, valid for the
 * process's life.
 */
const struct function *function_named(const char *name);

/*
 * The built-in id (< FUNCTION_NBUILTIN; anything else is a programming
 * error and aborts). Static, as function_named's.
 */
const struct function *function_builtin(enum function_id id);

/*
 * Nonzero when f (not NULL) has every flag of flags (enum function_flag,
 * or-ed).
 */
int function_has(const struct function *f, unsigned flags);

/*
 * The names of every function, in registry order, joined by ", " into out
 * (NUL-terminated, cut to size bytes; size > 0): the list an error message
 * about an unknown name gives.
 */
void function_names(char *out, size_t size);

/*
 * The one call the gateway makes: runs f (not NULL) on ev and env (both
 * borrowed for the call) into res (initialized by the caller), with
 * handler_fn's threads and results: 0, or -1 for a function that raised
 * (the API's answer to a failed function, whatever res holds). A
 * FUNCTION_USER function returns -1 and leaves res as it was, until user
 * functions exist.
 */
int function_invoke(const struct function *f, const struct handler_event *ev,
                    const struct handler_env *env, struct handler_result *res);

#endif
