/*
 * route — the route table: HTTP method + resource template ("/items/{id}")
 * → a target, and matching a request path against it.
 *
 * A template is a path of literal segments and whole-segment parameters
 * "{name}" (API Gateway's path parameters; a greedy "{name+}" matches the
 * rest of the path). Matching knows the difference that API Gateway answers
 * differently: the path and method matched, only the path matched (the method
 * is missing), or nothing matched. Literal segments win over parameters.
 *
 * Threads: build the table at start on one thread; afterwards route_match may
 * be called from any number of threads at once (the table is read-only).
 */
#ifndef CRUDD_ROUTE_H
#define CRUDD_ROUTE_H

#include <stddef.h>

#include "err.h"

/* The most path parameters a template may have. */
#define ROUTE_MAX_PARAMS 16

/* A matched path parameter: its name (borrowed from the table) and its
 * value, len bytes inside the matched path (not NUL-terminated). */
struct route_param {
    const char *name;
    const char *value;
    size_t len;
};

enum route_result {
    ROUTE_MATCHED,   /* a route has this path and method */
    ROUTE_PATH_ONLY, /* some route has this path, none this method */
    ROUTE_NONE,      /* no route has this path */
};

/* One route. method is upper-case ("GET") or "ANY"; resource a template. */
struct route {
    char *method;
    char *resource;
    const void *target; /* what the caller registered; borrowed */
};

struct route_table;

/* An empty table. Free with route_table_free. */
struct route_table *route_table_create(void);
/* Free the table and its routes (not the targets). t may be NULL. */
void route_table_free(struct route_table *t);

/*
 * Add method + resource → target. resource must start with '/', have no empty
 * segment, and its parameters must be whole segments with distinct names
 * ("{name+}" only last). Returns 0, or -1 with ERR_CONFIG ("bad resource
 * template ..." or "duplicate route ...") and the table unchanged.
 */
int route_add(struct route_table *t, const char *method, const char *resource,
              const void *target, struct err *err);

/*
 * Match method and path (no query string; percent-decoding is the caller's)
 * against the table. On ROUTE_MATCHED, *route is the route (borrowed from the
 * table) and params[0 .. *nparams) its path parameters (API Gateway's
 * pathParameters) in template order, pointing into path. On the other
 * results *route is NULL and *nparams 0.
 */
enum route_result route_match(const struct route_table *t, const char *method,
                              const char *path, const struct route **route,
                              struct route_param params[ROUTE_MAX_PARAMS],
                              size_t *nparams);

#endif
