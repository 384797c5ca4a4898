/*
 * seed_impl — what the parts of seed share: a "sink", the DynamoDB API of
 * this process's store or of a running crudd, and loading a file into it.
 * Private to seed.
 */
#ifndef CRUDD_SEED_IMPL_H
#define CRUDD_SEED_IMPL_H

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "err.h"

struct ddb;

/* Where DynamoDB requests go: ddb (borrowed) when set, else the server at
 * host:port over HTTP (seed_http.c). */
struct seed_sink {
    struct ddb *ddb;
    const char *host;
    const char *port;
};

/*
 * One DynamoDB operation ("Scan") with request in (borrowed). 0 with *out a
 * new reference to the output object, or -1 with err: ERR_BAD_REQUEST and
 * "<__type>: <message>" for an error answer, ERR_UNAVAILABLE when the
 * server cannot be reached.
 */
int seed_call(const struct seed_sink *k, const char *op, json_t *in,
              json_t **out, struct err *err);

/* POST / with X-Amz-Target and body to host:port (HTTP/1.1, one request a
 * connection), signed with SigV4 by AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY when set; *status and *resp (malloc, NUL-terminated,
 * *resp_len bytes). 0, or -1 with ERR_UNAVAILABLE. */
int seed_http_post(const char *host, const char *port, const char *target,
                   const char *body, size_t len, int *status, char **resp,
                   size_t *resp_len, struct err *err);

/* Load one seed spec "[TABLE=]FILE" into k, all or nothing (seed.h);
 * table_override (may be NULL) names the table of a JSON-lines file.
 * *nitems receives the items written. 0 or -1 with err. */
int seed_load_file(const struct seed_sink *k, const char *spec,
                   const char *table_override, size_t *nitems, struct err *err);

/* Create (or check) the config's tables in k, as seed_apply does (seed.h),
 * for `crudd import --config`. 0 or -1 with err. */
int seed_apply_tables(const struct config *c, const struct seed_sink *k,
                      struct buf *notes, struct err *err);

#endif
