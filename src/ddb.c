/*
 * ddb — the wire protocol: target → operation, JSON in and out, errors as
 * DynamoDB shapes them, CRC-32, request id, access log. The operations live
 * in ddb_table.c, ddb_item.c, ddb_query.c and ddb_batch.c; value checks in
 * ddb_value.c. Not the store's semantics: those are store's and expr's.
 */
#include "ddb.h"
#include "attr.h"
#include "buf.h"
#include "clock.h"
#include "ddb_impl.h"
#include "ids.h"
#include "sigv4.h"
#include "log.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define TARGET_PREFIX "DynamoDB_20120810."

/* DDB_AUTH_CLOSED's answer: why, and the three ways to open it. */
#define CLOSED_TEXT                                                            \
    "The DynamoDB API is closed: this API's routes need an API key or "        \
    "AWS_IAM, and crudd knows no credentials to check signatures against. "    \
    "Declare \"credentials\" in the config, or start crudd where the AWS "     \
    "CLI finds keys (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "         \
    "~/.aws/credentials), and sign with them; or open it to any client on "    \
    "purpose with --dynamodb-auth none (file key \"dynamodbAuth\")."

static const struct op {
    const char *name;
    ddb_op_fn *fn;
    ddb_text_op_fn *text; /* instead of fn: writes its own output text */
} ops[] = {
    {"BatchGetItem", ddb_batch_get_item, NULL},
    {"BatchWriteItem", ddb_batch_write_item, NULL},
    {"CreateTable", ddb_create_table, NULL},
    {"DeleteItem", ddb_delete_item, NULL},
    {"DeleteTable", ddb_delete_table, NULL},
    {"DescribeTable", ddb_describe_table, NULL},
    {"DescribeTimeToLive", ddb_describe_time_to_live, NULL},
    {"GetItem", NULL, ddb_get_item},
    {"ListTables", ddb_list_tables, NULL},
    {"PutItem", ddb_put_item, NULL},
    {"Query", ddb_query, NULL},
    {"Scan", ddb_scan, NULL},
    {"TransactGetItems", ddb_transact_get_items, NULL},
    {"TransactWriteItems", ddb_transact_write_items, NULL},
    {"UpdateItem", ddb_update_item, NULL},
    {"UpdateTable", ddb_update_table, NULL},
    {"UpdateTimeToLive", ddb_update_time_to_live, NULL},
};

struct ddb *ddb_create(struct store *store, enum ddb_auth auth,
                       const struct sigv4_credential *creds, size_t ncreds)
{
    struct ddb *d = xcalloc(1, sizeof *d);
    d->store = store;
    d->auth = auth;
    d->creds = creds;
    d->ncreds = ncreds;
    d->tokens = ddb_tokens_create();
    return d;
}

void ddb_free(struct ddb *d)
{
    if (!d)
        return;
    ddb_tokens_free(d->tokens);
    free(d);
}

void ddb_response_fini(struct ddb_response *res)
{
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
}

/* The request members every operation that has them reads as enums
 * (ReturnConsumedCapacity, ReturnItemCollectionMetrics): a value outside
 * the enum is DynamoDB's constraint ValidationException. */
static int check_enums(const json_t *in, struct err *err)
{
    static const struct {
        const char *member, *path, *set;
        const char *values[4];
    } enums[] = {
        {"ReturnConsumedCapacity",
         "returnConsumedCapacity",
         "[INDEXES, TOTAL, NONE]",
         {"INDEXES", "TOTAL", "NONE", NULL}},
        {"ReturnItemCollectionMetrics",
         "returnItemCollectionMetrics",
         "[SIZE, NONE]",
         {"SIZE", "NONE", NULL, NULL}},
    };

    for (size_t i = 0; i < sizeof enums / sizeof *enums; i++) {
        const json_t *v = json_object_get(in, enums[i].member);
        if (!v)
            continue;
        if (!json_is_string(v))
            return attr_typed_wrong_kind(v, err);
        int ok = 0;
        for (size_t j = 0; enums[i].values[j] && !ok; j++)
            ok = !strcmp(json_string_value(v), enums[i].values[j]);
        if (!ok) {
            char why[64];
            snprintf(why, sizeof why, "Member must satisfy enum value set: %s",
                     enums[i].set);
            return ddb_constraint(err, json_string_value(v), enums[i].path,
                                  why);
        }
    }
    return 0;
}

static const struct op *find_op(const char *target)
{
    size_t n = strlen(TARGET_PREFIX);

    if (!target || strncmp(target, TARGET_PREFIX, n) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].name, target + n))
            return &ops[i];
    return NULL;
}

/* DynamoDB answers 500 only for its own faults; every other error is 400. */
static int wire_status(enum err_kind kind)
{
    return kind == ERR_INTERNAL || kind == ERR_UNAVAILABLE ? 500 : 400;
}

static void set_error(struct ddb_response *res, const struct err *err,
                      json_t *extra)
{
    json_t *body = json_object();

    json_object_set_new(body, "__type", json_string(err_ddb_type(err->kind)));
    if (err->msg[0])
        json_object_set_new(body, "message", json_string(err->msg));
    if (extra)
        json_object_update(body, extra);
    res->status = wire_status(err->kind);
    res->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
}

/* The request's Signature Version 4, when configured: DynamoDB's answers
 * for a missing, malformed, unknown-key, expired or wrong signature. */
static int check_signature(const struct ddb *d, const struct ddb_request *req,
                           struct err *err)
{
    struct sigv4_request sr = {
        .method = "POST",
        .raw_path = req->raw_path ? req->raw_path : "/",
        .raw_query = req->raw_query ? req->raw_query : "",
        .headers = req->headers,
        .nheaders = req->nheaders,
        .body = req->body_len ? req->body : NULL,
        .body_len = req->body_len,
        .now = (long long)time(NULL),
        /* unsigned, a captured GetItem could be replayed as DeleteItem */
        .must_sign = "X-Amz-Target",
    };
    struct sigv4_result out;

    sigv4_verify(&sr, d->creds, d->ncreds, "dynamodb", &out);
    switch (out.status) {
    case SIGV4_OK:
        return 0;
    case SIGV4_MISSING:
        return err_set(err, ERR_MISSING_AUTH, NULL);
    case SIGV4_MALFORMED:
        return err_set(err, ERR_INCOMPLETE_SIGNATURE, "%s", out.message);
    case SIGV4_UNKNOWN_KEY:
        return err_set(err, ERR_UNRECOGNIZED_CLIENT, NULL);
    case SIGV4_EXPIRED:
    case SIGV4_MISMATCH:
        break;
    }
    return err_set(err, ERR_INVALID_SIGNATURE, "%s", out.message);
}

/*
 * Whether v holds a string with U+0000 anywhere but as a string value: an
 * S payload or an SS member, where DynamoDB keeps it as data (issue 12).
 * Everything else a request holds (table and attribute names, expressions,
 * enumerations) is read as C text, where a NUL would silently cut it.
 * value: v is the payload of a member named "S" (1) or "SS" (2).
 */
static int stray_nul(const json_t *v, int value)
{
    json_t *obj = (json_t *)(uintptr_t)v, *x; /* jansson's iterators */
    const char *key;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return value != 1 &&
               memchr(json_string_value(v), '\0', json_string_length(v));
    case JSON_ARRAY:
        json_array_foreach(obj, i, x)
        {
            if (stray_nul(x, value == 2 ? 1 : 0))
                return 1;
        }
        return 0;
    case JSON_OBJECT:
        json_object_foreach(obj, key, x)
        {
            if (stray_nul(x, !strcmp(key, "S")    ? 1
                             : !strcmp(key, "SS") ? 2
                                                  : 0))
                return 1;
        }
        return 0;
    default:
        return 0;
    }
}

void ddb_handle(struct ddb *d, const struct ddb_request *req,
                struct ddb_response *res)
{
    struct err err = ERR_INIT;
    json_t *in = NULL, *out = NULL, *extra = NULL;
    json_error_t jerr;
    const struct op *op;
    struct buf text;

    memset(res, 0, sizeof *res);
    buf_init(&text);
    /* from the pooled random bytes: no system call per request */
    ids_uuid4(res->request_id);
    if (d->auth == DDB_AUTH_CLOSED) {
        err_set(&err, ERR_UNRECOGNIZED_CLIENT, "%s", CLOSED_TEXT);
        goto fail;
    } else if (d->auth == DDB_AUTH_SIGV4) {
        if (check_signature(d, req, &err) < 0)
            goto fail;
    } else if (!req->has_authorization) {
        err_set(&err, ERR_MISSING_AUTH, NULL);
        goto fail;
    }
    if (!(op = find_op(req->target))) {
        const char *t = req->target ? req->target : "";
        if (!strncmp(t, TARGET_PREFIX, strlen(TARGET_PREFIX)))
            t += strlen(TARGET_PREFIX);
        err_set(&err, ERR_UNKNOWN_OPERATION,
                "Unknown operation exception: crudd does not have the "
                "operation %.128s",
                t);
        goto fail;
    }
    /* the common GetItem text without the general parser */
    if (op->text == ddb_get_item)
        in = ddb_read_get_item(req->body, req->body_len);
    if (!in)
        in = json_loadb(req->body ? req->body : "", req->body_len,
                        JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(in)) {
        err_set(&err, ERR_SERIALIZATION, "%s",
                in ? "Start of list or scalar found where a structure was "
                     "expected"
                   : attr_json_error_text(&jerr));
        goto fail;
    }
    /* only a body that spells U+0000 can hold one: most are not walked */
    if (req->body && memmem(req->body, req->body_len, "\\u0000", 6) &&
        stray_nul(in, 0)) {
        err_set(&err, ERR_BAD_REQUEST,
                "U+0000 is supported only in string values (S, SS)");
        goto fail;
    }
    if (check_enums(in, &err) < 0)
        goto fail;
    /* the legacy parameters become expressions before the operation reads
     * the request: one evaluator for both forms */
    if (ddb_legacy(op->name, in, &err) < 0)
        goto fail;
    if (op->text) {
        if (op->text(d, in, &text, &extra, &err) < 0)
            goto fail;
        res->body = buf_steal(&text, NULL);
    } else {
        if (!(out = op->fn(d, in, &extra, &err)))
            goto fail;
        res->body = json_dumps(out, JSON_COMPACT);
    }
    res->status = 200;
    goto out;
fail:
    set_error(res, &err, extra);
out:
    res->body_len = strlen(res->body);
    res->crc32 = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)res->body,
                       (uInt)res->body_len);
    if (log_get_level() <= LOG_INFO) {
        /* the target is the client's text: escaped, it cannot forge a line */
        struct buf target;
        buf_init(&target);
        buf_log_text(&target, req->target);
        log_info("%s \"POST / %s\" %d %zu %lluus %s",
                 req->source_ip ? req->source_ip : "-", target.data,
                 res->status, res->body_len,
                 (unsigned long long)(clock_now_us() - req->start_us),
                 res->request_id);
        buf_fini(&target);
    }
    buf_fini(&text);
    json_decref(extra);
    json_decref(out);
    json_decref(in);
}
