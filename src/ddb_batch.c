/*
 * ddb_batch — BatchGetItem, BatchWriteItem, TransactGetItems,
 * TransactWriteItems, and the ClientRequestToken memory that makes a
 * repeated TransactWriteItems idempotent for ten minutes. Batches are not
 * atomic (each write commits alone, as in DynamoDB); transactions are one
 * store transaction.
 */
#include "attr.h"
#include "clock.h"
#include "ddb_impl.h"
#include "item.h"
#include "xalloc.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "
#define BATCH_GET_MAX 100
#define BATCH_WRITE_MAX 25
#define TOKEN_TTL_SECONDS 600.0
#define TOKENS_MAX 4096
/* DynamoDB's ClientRequestToken: 1 to 36 characters. */
#define TOKEN_LEN_MAX 36
/* DynamoDB's limit on the aggregate size of a transaction's items. */
#define TRANSACT_BYTES_MAX (4u * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* ClientRequestToken memory                                           */

/* A remembered token: its text and the SHA-256 of its request's
 * TransactItems, held in place, so that a token costs the same few dozen
 * bytes whatever its request weighed (issue 12, finding 4). A slot whose
 * token is older than TOKEN_TTL_SECONDS is free. */
struct token {
    char token[4 * TOKEN_LEN_MAX + 1]; /* UTF-8: at most 4 bytes a char */
    unsigned char digest[SHA256_DIGEST_LENGTH];
    double at; /* 0: never used */
};

struct ddb_tokens {
    pthread_mutex_t lock;
    struct token list[TOKENS_MAX];
};

static struct ddb_tokens *tokens_of(struct ddb *d)
{
    /* created on first use; ddb_create runs before any thread serves */
    return d->tokens;
}

static int live(const struct token *t, double now)
{
    return t->at > 0 && now - t->at <= TOKEN_TTL_SECONDS;
}

/* 1: this token was seen with this request (answer success again without
 * writing); 0: new; -1: seen with another request (err set). */
static int token_seen(struct ddb_tokens *t, const char *token,
                      const unsigned char *digest, struct err *err)
{
    double now = clock_epoch_seconds();
    int rc = 0;

    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < TOKENS_MAX; i++) {
        if (!live(&t->list[i], now) || strcmp(t->list[i].token, token) != 0)
            continue;
        rc = memcmp(t->list[i].digest, digest, SHA256_DIGEST_LENGTH) == 0 ? 1
                                                                          : -1;
        break;
    }
    pthread_mutex_unlock(&t->lock);
    if (rc < 0)
        err_set(err, ERR_IDEMPOTENT_MISMATCH,
                "Request has a ClientRequestToken that was used with "
                "different parameters within the last 10 minutes");
    return rc;
}

/* Remember token in a free (or expired) slot; when all TOKENS_MAX are
 * live, in the oldest one. */
static void token_remember(struct ddb_tokens *t, const char *token,
                           const unsigned char *digest)
{
    double now = clock_epoch_seconds();
    size_t slot = 0;

    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < TOKENS_MAX; i++) {
        if (!live(&t->list[i], now)) {
            slot = i;
            break;
        }
        if (t->list[i].at < t->list[slot].at)
            slot = i;
    }
    snprintf(t->list[slot].token, sizeof t->list[slot].token, "%s", token);
    memcpy(t->list[slot].digest, digest, SHA256_DIGEST_LENGTH);
    t->list[slot].at = now;
    pthread_mutex_unlock(&t->lock);
}

struct ddb_tokens *ddb_tokens_create(void)
{
    struct ddb_tokens *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void ddb_tokens_free(struct ddb_tokens *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* The token's length as DynamoDB counts it (UTF-16 code units). */
static size_t token_length(const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) != 0x80)
            n += *p >= 0xf0 ? 2 : 1;
    }
    return n;
}

static int token_check(const char *token, struct err *err)
{
    size_t n = token_length(token);

    if (n < 1)
        return ddb_constraint(err, token, "clientRequestToken",
                              "Member must have length greater than or "
                              "equal to 1");
    if (n > TOKEN_LEN_MAX)
        return ddb_constraint(err, token, "clientRequestToken",
                              "Member must have length less than or equal "
                              "to 36");
    return 0;
}

static int digest_chunk(const char *buffer, size_t size, void *data)
{
    return EVP_DigestUpdate(data, buffer, size) == 1 ? 0 : -1;
}

/* SHA-256 of list's canonical JSON (compact, keys sorted), streamed: the
 * text is never held whole. */
static int request_digest(const json_t *list, unsigned char *digest,
                          struct err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    int rc = -1;

    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
        json_dump_callback(list, digest_chunk, ctx,
                           JSON_COMPACT | JSON_SORT_KEYS) == 0 &&
        EVP_DigestFinal_ex(ctx, digest, &len) == 1)
        rc = 0;
    EVP_MD_CTX_free(ctx);
    if (rc < 0)
        err_set(err, ERR_INTERNAL, "Internal server error");
    return rc;
}

/* The aggregate size of a transaction: every member's Item or Key and
 * ExpressionAttributeValues, by DynamoDB's item size rules. Over
 * TRANSACT_BYTES_MAX: ValidationException, before any work. */
static int transact_size_check(const json_t *list, struct err *err)
{
    size_t i, total = 0;
    const json_t *t;

    json_array_foreach(list, i, t)
    {
        const char *kind;
        const json_t *p;
        json_object_foreach((json_t *)(uintptr_t)t, kind, p)
        {
            total +=
                attr_item_size(json_object_get(p, "Item")) +
                attr_item_size(json_object_get(p, "Key")) +
                attr_item_size(json_object_get(p, "ExpressionAttributeValues"));
        }
        if (total > TRANSACT_BYTES_MAX)
            return err_set(err, ERR_BAD_REQUEST,
                           "Transaction request cannot be larger than 4 MB");
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* one action's decision (TransactWriteItems, BatchWriteItem)          */

struct action {
    char kind; /* 'P'ut, 'U'pdate, 'D'elete, 'C'onditionCheck */
    const char *table;
    struct store_table_desc desc;
    json_t *key;
    json_t *item;
    struct expr_usage usage;
    struct expr *cond, *update;
    struct item_write w; /* its inputs borrowed from the members above */
};

static void action_fini(struct action *a)
{
    item_write_fini(&a->w);
    store_table_desc_fini(&a->desc);
    json_decref(a->key);
    json_decref(a->item);
    expr_free(a->cond);
    expr_free(a->update);
    expr_usage_fini(&a->usage);
}

/* Parse one Put / Update / Delete / ConditionCheck member into a. */
static int action_parse(struct ddb *d, char kind, const json_t *p,
                        struct action *a, struct err *err)
{
    const char *rvf;

    a->kind = kind;
    expr_usage_init(&a->usage);
    if (ddb_req_string(p, "TableName", &a->table, err) < 0 ||
        ddb_no_legacy(p, err) < 0 || ddb_table(d, a->table, &a->desc, err) < 0)
        return -1;
    if (kind == 'P') {
        if (!(a->item = ddb_item(json_object_get(p, "Item"), "item", err)) ||
            !(a->key = item_key_of(&a->desc, a->item, err)))
            return -1;
    } else if (!(a->key = ddb_key_param(p, "Key", err))) {
        return -1;
    }
    if (ddb_opt_string(p, "ReturnValuesOnConditionCheckFailure", &rvf, err) <
            0 ||
        ddb_expr(p, "ConditionExpression", EXPR_CONDITION, &a->usage, &a->cond,
                 err) < 0 ||
        (kind == 'U' && ddb_expr(p, "UpdateExpression", EXPR_UPDATE, &a->usage,
                                 &a->update, err) < 0) ||
        ddb_expr_done(p, &a->usage, err) < 0)
        return -1;
    if (kind == 'C' && !a->cond)
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value null at "
                       "'conditionExpression' failed to satisfy constraint: "
                       "Member must not be null");
    a->w =
        (struct item_write){.cond = a->cond,
                            .update = a->update,
                            .item = a->item,
                            .key = a->key,
                            .remove = kind == 'D' || kind == 'C',
                            .old_on_failure = rvf && !strcmp(rvf, "ALL_OLD")};
    return 0;
}

/* ------------------------------------------------------------------ */
/* TransactWriteItems                                                  */

json_t *ddb_transact_write_items(struct ddb *d, json_t *in, json_t **extra,
                                 struct err *err)
{
    json_t *list = json_object_get(in, "TransactItems"), *out = NULL;
    struct action *acts = NULL;
    struct item_action *ops = NULL;
    json_t *reasons = NULL;
    const char *token;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    size_t n = json_array_size(list), i;
    json_t *t;

    if (!json_is_array(list) || n < 1 || n > STORE_TRANSACT_MAX) {
        char v[32];
        snprintf(v, sizeof v, "%zu", n);
        ddb_constraint(err, v, "transactItems",
                       "Member must have length less than or equal to 100, "
                       "Member must have length greater than or equal to 1");
        return NULL;
    }
    if (ddb_opt_string(in, "ClientRequestToken", &token, err) < 0 ||
        (token && token_check(token, err) < 0) ||
        transact_size_check(list, err) < 0)
        return NULL;
    if (token) {
        int seen;
        if (request_digest(list, digest, err) < 0 ||
            (seen = token_seen(tokens_of(d), token, digest, err)) < 0)
            goto out;
        if (seen > 0) {
            out = json_object();
            goto out;
        }
    }
    acts = xcalloc(n, sizeof *acts);
    ops = xcalloc(n, sizeof *ops);
    json_array_foreach(list, i, t)
    {
        static const char *const kinds[] = {"Put", "Update", "Delete",
                                            "ConditionCheck"};
        json_t *p = NULL;
        char kind = 0;
        for (int k = 0; k < 4 && !p; k++)
            if ((p = json_object_get(t, kinds[k])))
                kind = kinds[k][0];
        if (!p || json_object_size(t) != 1) {
            err_set(err, ERR_BAD_REQUEST,
                    "TransactItems can only contain one of Check, Put, "
                    "Update or Delete");
            goto out;
        }
        if (action_parse(d, kind, p, &acts[i], err) < 0)
            goto out;
        ops[i] = (struct item_action){acts[i].table, &acts[i].w, kind == 'C'};
    }
    if (item_transact(d->store, ops, n, &reasons, err) < 0) {
        if (reasons)
            *extra = json_pack("{s:o}", "CancellationReasons", reasons);
        goto out;
    }
    if (token)
        token_remember(tokens_of(d), token, digest);
    out = json_object();
out:
    for (i = 0; acts && i < n; i++)
        action_fini(&acts[i]);
    free(acts);
    free(ops);
    return out;
}

/* ------------------------------------------------------------------ */
/* TransactGetItems and BatchGetItem                                   */

json_t *ddb_transact_get_items(struct ddb *d, json_t *in, json_t **extra,
                               struct err *err)
{
    json_t *list = json_object_get(in, "TransactItems"), *out = NULL, *t;
    size_t n = json_array_size(list), i;
    struct store_read_op *ops = NULL;
    json_t **keys = NULL, **items = NULL;
    struct expr **proj = NULL;

    (void)extra;
    if (!json_is_array(list) || n < 1 || n > STORE_TRANSACT_MAX) {
        char v[32];
        snprintf(v, sizeof v, "%zu", n);
        ddb_constraint(err, v, "transactItems",
                       "Member must have length less than or equal to 100, "
                       "Member must have length greater than or equal to 1");
        return NULL;
    }
    ops = xcalloc(n, sizeof *ops);
    keys = xcalloc(n, sizeof *keys);
    items = xcalloc(n, sizeof *items);
    proj = xcalloc(n, sizeof *proj);
    json_array_foreach(list, i, t)
    {
        json_t *g = json_object_get(t, "Get");
        struct expr_usage usage;
        int rc;
        expr_usage_init(&usage);
        rc = ddb_req_string(g, "TableName", &ops[i].table, err) < 0 ||
                     !(keys[i] = ddb_key_param(g, "Key", err)) ||
                     ddb_expr(g, "ProjectionExpression", EXPR_PROJECTION,
                              &usage, &proj[i], err) < 0 ||
                     ddb_expr_done(g, &usage, err) < 0
                 ? -1
                 : 0;
        expr_usage_fini(&usage);
        if (rc < 0)
            goto out;
        ops[i].key = keys[i];
    }
    for (i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!strcmp(ops[i].table, ops[j].table) &&
                json_equal(keys[i], keys[j])) {
                err_set(err, ERR_BAD_REQUEST,
                        "Transaction request cannot include multiple "
                        "operations on one item");
                goto out;
            }
    if (store_get_items(d->store, ops, n, items, err) < 0)
        goto out;
    json_t *responses = json_array();
    for (i = 0; i < n; i++) {
        json_t *r = json_object();
        if (items[i])
            json_object_set_new(r, "Item",
                                proj[i] ? expr_project(proj[i], items[i])
                                        : json_incref(items[i]));
        json_array_append_new(responses, r);
    }
    out = json_pack("{s:o}", "Responses", responses);
out:
    for (i = 0; i < n; i++) {
        json_decref(keys ? keys[i] : NULL);
        json_decref(items ? items[i] : NULL);
        expr_free(proj ? proj[i] : NULL);
    }
    free(ops);
    free(keys);
    free(items);
    free(proj);
    return out;
}

json_t *ddb_batch_get_item(struct ddb *d, json_t *in, json_t **extra,
                           struct err *err)
{
    json_t *req = json_object_get(in, "RequestItems"), *spec, *out = NULL;
    json_t *responses = json_object();
    const char *table;
    size_t total = 0;

    (void)extra;
    if (!json_is_object(req) || json_object_size(req) == 0) {
        err_set(err, ERR_BAD_REQUEST,
                "1 validation error detected: Value at 'requestItems' "
                "failed to satisfy constraint: Member must have length "
                "greater than or equal to 1");
        goto fail;
    }
    json_object_foreach(req, table, spec) total +=
        json_array_size(json_object_get(spec, "Keys"));
    if (total > BATCH_GET_MAX) {
        err_set(err, ERR_BAD_REQUEST,
                "Too many items requested for the BatchGetItem call");
        goto fail;
    }
    json_object_foreach(req, table, spec)
    {
        json_t *keys = json_object_get(spec, "Keys"), *k, *got = json_array();
        struct expr_usage usage;
        struct expr *proj = NULL;
        size_t i;
        json_object_set_new(responses, table, got);
        expr_usage_init(&usage);
        int rc = ddb_expr(spec, "ProjectionExpression", EXPR_PROJECTION, &usage,
                          &proj, err) < 0 ||
                         ddb_expr_done(spec, &usage, err) < 0
                     ? -1
                     : 0;
        expr_usage_fini(&usage);
        if (rc < 0 || !json_is_array(keys) || json_array_size(keys) == 0) {
            if (rc == 0)
                err_set(err, ERR_BAD_REQUEST,
                        "1 validation error detected: Value at 'keys' failed "
                        "to satisfy constraint: Member must have length "
                        "greater than or equal to 1");
            expr_free(proj);
            goto fail;
        }
        for (i = 0; i < json_array_size(keys); i++)
            for (size_t j = i + 1; j < json_array_size(keys); j++)
                if (json_equal(json_array_get(keys, i),
                               json_array_get(keys, j))) {
                    expr_free(proj);
                    err_set(err, ERR_BAD_REQUEST,
                            "Provided list of item keys contains "
                            "duplicates");
                    goto fail;
                }
        json_array_foreach(keys, i, k)
        {
            json_t *key = ddb_item(k, "Keys", err), *item = NULL;
            if (!key ||
                store_get_item(d->store, table, key, &item, NULL, err) < 0) {
                if (err->kind == ERR_NOT_FOUND)
                    err_set(err, ERR_NOT_FOUND, "Requested resource not found");
                json_decref(key);
                expr_free(proj);
                goto fail;
            }
            if (item)
                json_array_append_new(got, proj ? expr_project(proj, item)
                                                : json_incref(item));
            json_decref(item);
            json_decref(key);
        }
        expr_free(proj);
    }
    out = json_pack("{s:o, s:{}}", "Responses", responses, "UnprocessedKeys");
    return out;
fail:
    json_decref(responses);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* BatchWriteItem                                                      */

json_t *ddb_batch_write_item(struct ddb *d, json_t *in, json_t **extra,
                             struct err *err)
{
    json_t *req = json_object_get(in, "RequestItems"), *list;
    const char *table;
    size_t total = 0, n = 0;
    struct action *acts;
    int rc = 0;

    (void)extra;
    if (!json_is_object(req) || json_object_size(req) == 0) {
        err_set(err, ERR_BAD_REQUEST,
                "1 validation error detected: Value at 'requestItems' "
                "failed to satisfy constraint: Member must have length "
                "greater than or equal to 1");
        return NULL;
    }
    json_object_foreach(req, table, list) total += json_array_size(list);
    if (total < 1 || total > BATCH_WRITE_MAX) {
        char v[32];
        snprintf(v, sizeof v, "%zu", total);
        ddb_constraint(err, v, "requestItems",
                       "Member must have length less than or equal to 25");
        return NULL;
    }
    /* check every request first: DynamoDB refuses a bad batch whole */
    acts = xcalloc(total, sizeof *acts);
    json_object_foreach(req, table, list)
    {
        size_t i;
        json_t *r;
        json_array_foreach(list, i, r)
        {
            json_t *put = json_object_get(r, "PutRequest");
            json_t *del = json_object_get(r, "DeleteRequest");
            json_t *p = json_pack("{s:s}", "TableName", table);
            if (put)
                json_object_set(p, "Item", json_object_get(put, "Item"));
            else if (del)
                json_object_set(p, "Key", json_object_get(del, "Key"));
            /* A WriteRequest is a union: exactly one of the two, as
             * DynamoDB checks it (with its attribute value's words). */
            rc = !put == !del
                     ? err_set(err, ERR_BAD_REQUEST,
                               "Supplied AttributeValue has more than one "
                               "datatypes set, must contain exactly one of "
                               "the supported datatypes")
                     : action_parse(d, put ? 'P' : 'D', p, &acts[n], err);
            /* the table name is borrowed from req, not from p */
            acts[n].table = table;
            json_decref(p);
            n++;
            if (rc < 0)
                goto out;
            for (size_t j = 0; j + 1 < n; j++)
                if (!strcmp(acts[j].table, table) &&
                    json_equal(acts[j].key, acts[n - 1].key)) {
                    rc = err_set(err, ERR_BAD_REQUEST,
                                 "Provided list of item keys contains "
                                 "duplicates");
                    goto out;
                }
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = item_write(d->store, acts[i].table, &acts[i].w, err);
out:
    for (size_t i = 0; i < total; i++)
        action_fini(&acts[i]);
    free(acts);
    return rc < 0 ? NULL : json_pack("{s:{}}", "UnprocessedItems");
}
