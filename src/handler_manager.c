/*
 * handler_manager — the tutorial's DynamoDB manager function over the
 * store. The body is parsed once into typed values (attr), so every number
 * in it is exact; the payload's Item, Key and ExpressionAttributeValues are
 * then already DynamoDB-typed. Not the DynamoDB wire API (that is ddb).
 */
#include "handler_manager.h"
#include "attr.h"
#include "buf.h"
#include "expr.h"
#include "item.h"
#include "log.h"
#include "store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The value of typed map m's member name as its inner value (the object
 * of an M, the string of an S), or NULL. */
static json_t *member(const json_t *m, const char *name, const char *type)
{
    return json_object_get(json_object_get(m, name), type);
}

/* {"#n": "name"} from the typed ExpressionAttributeNames. New reference. */
static json_t *plain_names(const json_t *typed)
{
    json_t *out = json_object(), *v;
    const char *k;

    json_object_foreach((json_t *)(uintptr_t)typed, k, v)
    {
        const json_t *s = json_object_get(v, "S");
        if (json_is_string(s))
            json_object_set_new(
                out, k,
                json_stringn(json_string_value(s), json_string_length(s)));
    }
    return out;
}

/* {pk: v[, sk: v]} of item for table, or NULL with err. New reference. */
static json_t *key_of(struct store *s, const char *table, const json_t *item,
                      struct err *err)
{
    struct store_table_desc desc;
    json_t *key;

    if (store_table_schema(s, table, &desc, err) < 0)
        return NULL;
    key = item_key_of(&desc, item, err);
    store_table_desc_fini(&desc);
    return key;
}

/* Append "name": plain JSON of a typed item to b, after a comma if any. */
static void put_item_member(struct buf *b, const char *name, const json_t *item,
                            int *first)
{
    if (!item)
        return;
    buf_puts(b, *first ? "" : ", ");
    *first = 0;
    buf_json_string(b, name, strlen(name));
    buf_puts(b, ": ");
    attr_write_plain_item(b, item);
}

/* One operation; 0 with the answer's JSON text in b, or -1 with err. */
static int run(struct store *s, const char *op, const char *table,
               const json_t *payload, struct buf *b, struct err *err)
{
    struct expr_usage usage;
    struct expr *cond = NULL, *update = NULL, *proj = NULL;
    struct item_write d = {0};
    json_t *names =
        plain_names(member(payload, "ExpressionAttributeNames", "M"));
    json_t *values = member(payload, "ExpressionAttributeValues", "M");
    json_t *key = NULL, *item = NULL;
    const char *rv = json_string_value(member(payload, "ReturnValues", "S"));
    int rc = -1, first = 1;

    expr_usage_init(&usage);
    /* The AttributeValue rules every other face applies (attr_typed_item):
     * the body's plain JSON is typed already, but a name may be empty */
    if ((member(payload, "Key", "M") &&
         !(key = attr_typed_item(member(payload, "Key", "M"), "Key",
                                 ATTR_TYPED_MAP_NAMES, err))) ||
        (member(payload, "Item", "M") &&
         !(item = attr_typed_item(member(payload, "Item", "M"), "Item",
                                  ATTR_TYPED_MAP_NAMES, err))))
        goto out;
    if (json_object_size(names) == 0) {
        json_decref(names);
        names = NULL;
    }
#define PARSE(field, kind, dst)                                                \
    do {                                                                       \
        json_t *t_ = member(payload, field, "S");                              \
        if (t_ && !(dst = expr_parse(kind, json_string_value(t_),              \
                                     json_string_length(t_), names, values,    \
                                     &usage, err)))                            \
            goto out;                                                          \
    } while (0)
    PARSE("ConditionExpression", EXPR_CONDITION, cond);
    PARSE("UpdateExpression", EXPR_UPDATE, update);
    PARSE("ProjectionExpression", EXPR_PROJECTION, proj);
#undef PARSE
    if (expr_usage_check(&usage, names, values, err) < 0)
        goto out;
    buf_puts(b, "{");
    if (!strcmp(op, "read")) {
        json_t *got = NULL;
        if (!key) {
            err_set(err, ERR_BAD_REQUEST, "read needs payload.Key");
            goto out;
        }
        if (store_get_item(s, table, key, &got, NULL, err) < 0)
            goto out;
        json_t *shown = got && proj ? expr_project(proj, got) : got;
        put_item_member(b, "Item", shown, &first);
        if (shown != got)
            json_decref(shown);
        json_decref(got);
    } else if (!strcmp(op, "list")) {
        json_t *items = NULL, *last = NULL, *it;
        size_t i;
        if (store_scan(s, table, NULL, 0, &items, &last, err) < 0)
            goto out;
        buf_puts(b, "\"Items\": [");
        json_array_foreach(items, i, it)
        {
            buf_puts(b, i ? ", " : "");
            attr_write_plain_item(b, it);
        }
        buf_printf(b, "], \"Count\": %zu, \"ScannedCount\": %zu",
                   json_array_size(items), json_array_size(items));
        json_decref(items);
        json_decref(last);
        first = 0;
    } else {
        json_t *owned_key = NULL;
        enum item_return ret;
        d.cond = cond;
        d.update = update;
        d.item = item;
        d.remove = !strcmp(op, "delete");
        /* the tutorial's function passes ReturnValues on unchecked: an
         * unknown name returns nothing */
        if (item_return_parse(rv, 1, &ret, NULL) < 0)
            ret = ITEM_RETURN_NONE;
        if (!strcmp(op, "create")) {
            if (!item || !(owned_key = key_of(s, table, item, err))) {
                if (!item)
                    err_set(err, ERR_BAD_REQUEST, "create needs payload.Item");
                goto out;
            }
            json_decref(key);
            key = owned_key;
        } else if (!key) {
            err_set(err, ERR_BAD_REQUEST, "%s needs payload.Key", op);
            goto out;
        }
        d.key = key;
        if (item_write(s, table, &d, err) < 0)
            goto out;
        const json_t *attrs = item_returned(&d, ret);
        if (attrs)
            put_item_member(b, "Attributes", attrs, &first);
    }
    buf_puts(b, "}");
    rc = 0;
out:
    item_write_fini(&d);
    json_decref(names);
    json_decref(key);
    json_decref(item);
    expr_free(cond);
    expr_free(update);
    expr_free(proj);
    expr_usage_fini(&usage);
    return rc;
}

int handler_manager(const struct handler_event *ev,
                    const struct handler_env *env, struct handler_result *res)
{
    struct err err = ERR_INIT;
    json_t *body = NULL;
    struct buf *b = &res->body;
    int rc = -1;

    if (!ev->body) {
        err_set(&err, ERR_BAD_REQUEST, "the body is empty");
        goto out;
    }
    if (!(body = attr_item_from_json_text(ev->body, ev->body_len, &err)))
        goto out;
    const char *op = json_string_value(member(body, "operation", "S"));
    const char *table = json_string_value(member(body, "tableName", "S"));
    json_t *payload = json_object_get(body, "payload");
    if (!op) {
        err_set(&err, ERR_BAD_REQUEST, "the body has no \"operation\"");
        goto out;
    }
    handler_respond(res, 200);
    if (!strcmp(op, "ping")) {
        buf_puts(b, "\"pong\"");
    } else if (!strcmp(op, "echo")) {
        if (payload)
            attr_write_plain_value(b, payload);
        else
            buf_puts(b, "null");
    } else if (!strcmp(op, "create") || !strcmp(op, "read") ||
               !strcmp(op, "update") || !strcmp(op, "delete") ||
               !strcmp(op, "list")) {
        if (!table) {
            err_set(&err, ERR_BAD_REQUEST, "the body has no \"tableName\"");
            goto out;
        }
        if (run(env->store, op, table, json_object_get(payload, "M"), b, &err) <
            0)
            goto out;
    } else {
        err_set(&err, ERR_BAD_REQUEST, "Unrecognized operation \"%s\"", op);
        goto out;
    }
    rc = 0;
out:
    /* a Lambda function that raises: API Gateway answers 502 */
    if (rc < 0)
        log_warn("DynamoDBManager: %s", err.msg);
    json_decref(body);
    return rc;
}
