/*
 * ddb_item — PutItem, GetItem, UpdateItem, DeleteItem: their parameters
 * read and their answers rendered. The write itself (condition, update or
 * put, ReturnValues) is item's, decided inside the store's write
 * transaction.
 */
#include "attr.h"
#include "ddb_impl.h"
#include "item.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The shared body of the three writes. */
static json_t *write_item(struct ddb *d, json_t *in, json_t **extra,
                          struct err *err, int kind)
{
    struct store_table_desc desc = {0};
    struct expr_usage usage;
    struct expr *cond = NULL, *update = NULL;
    struct item_write w = {0};
    enum item_return rv;
    json_t *key = NULL, *item = NULL, *out = NULL;
    const char *table, *rv_name, *rvf;

    expr_usage_init(&usage);
    /* the request is read whole before the table is looked up, so a
     * malformed value is a SerializationException even on a missing table,
     * as in DynamoDB */
    if (ddb_req_string(in, "TableName", &table, err) < 0 ||
        ddb_no_legacy(in, err) < 0 ||
        ddb_opt_string(in, "ReturnValues", &rv_name, err) < 0 ||
        item_return_parse(rv_name, kind == 'U', &rv, err) < 0 ||
        ddb_opt_string(in, "ReturnValuesOnConditionCheckFailure", &rvf, err) <
            0)
        goto out;
    if (kind == 'P' &&
        !(item = ddb_item(json_object_get(in, "Item"), "item", err)))
        goto out;
    if (kind != 'P' && !(key = ddb_key_param(in, "Key", err)))
        goto out;
    if (ddb_table(d, table, &desc, err) < 0)
        goto out;
    if (kind == 'P' && !(key = item_key_of(&desc, item, err)))
        goto out;
    if (ddb_expr(in, "ConditionExpression", EXPR_CONDITION, &usage, &cond,
                 err) < 0 ||
        (kind == 'U' && ddb_expr(in, "UpdateExpression", EXPR_UPDATE, &usage,
                                 &update, err) < 0) ||
        ddb_expr_done(in, &usage, err) < 0)
        goto out;
    w = (struct item_write){.cond = cond,
                            .update = update,
                            .item = item,
                            .key = key,
                            .remove = kind == 'D',
                            .old_on_failure = rvf && !strcmp(rvf, "ALL_OLD")};
    if (item_write(d->store, table, &w, err) < 0) {
        const json_t *old = item_conflict_item(&w, err->kind);
        if (old)
            *extra = json_pack("{s:O}", "Item", old);
        goto out;
    }
    out = json_object();
    const json_t *attrs = item_returned(&w, rv);
    if (attrs)
        json_object_set(out, "Attributes", (json_t *)(uintptr_t)attrs);
    ddb_consumed(out, in, table, ddb_write_units(item_write_size(&w)));
out:
    item_write_fini(&w);
    json_decref(key);
    json_decref(item);
    expr_free(cond);
    expr_free(update);
    expr_usage_fini(&usage);
    store_table_desc_fini(&desc);
    return out;
}

json_t *ddb_put_item(struct ddb *d, json_t *in, json_t **extra, struct err *err)
{
    return write_item(d, in, extra, err, 'P');
}

json_t *ddb_update_item(struct ddb *d, json_t *in, json_t **extra,
                        struct err *err)
{
    return write_item(d, in, extra, err, 'U');
}

json_t *ddb_delete_item(struct ddb *d, json_t *in, json_t **extra,
                        struct err *err)
{
    return write_item(d, in, extra, err, 'D');
}

/* Where the item's text starts in GetItem's body. */
#define ITEM_PREFIX "{\"Item\":"

int ddb_get_item(struct ddb *d, json_t *in, struct buf *body, json_t **extra,
                 struct err *err)
{
    const size_t at = sizeof ITEM_PREFIX - 1;
    struct expr_usage usage;
    struct expr *proj = NULL;
    struct store_item_info info = {0, 0, ""};
    const char *table;
    json_t *key = NULL, *item = NULL, *out = NULL;
    int rc = -1, tree;

    (void)extra;
    expr_usage_init(&usage);
    /* no schema lookup: the store checks the key against the table's */
    if (ddb_req_string(in, "TableName", &table, err) < 0 ||
        ddb_no_legacy(in, err) < 0 || !(key = ddb_key_param(in, "Key", err)) ||
        ddb_expr(in, "ProjectionExpression", EXPR_PROJECTION, &usage, &proj,
                 err) < 0 ||
        ddb_expr_done(in, &usage, err) < 0)
        goto out;
    /* The row is read once, as its stored text (json_dumps of the item):
     * without a projection that is the Item as it is, no parse, no dump;
     * with one, or when the text is not what it should be, the tree is
     * parsed from that same text. */
    buf_puts(body, ITEM_PREFIX);
    if (store_get_item_text(d->store, table, key, body, &info, err) < 0)
        goto missing;
    tree = info.found &&
           (proj || attr_typed_text_check(body->data + at, body->len - at) < 0);
    if (tree &&
        !(item = store_item_parse(body->data + at, body->len - at, err)))
        goto out;
    if (!info.found || tree)
        buf_truncate(body, 0);
    out = json_object();
    if (item)
        json_object_set_new(
            out, "Item", proj ? expr_project(proj, item) : json_incref(item));
    ddb_consumed(out, in, table,
                 ddb_read_units(info.size, json_is_true(json_object_get(
                                               in, "ConsistentRead"))));
    if (info.found && !tree) {
        /* the members after Item, in the order json_dumps would give */
        char *rest =
            json_object_size(out) ? json_dumps(out, JSON_COMPACT) : NULL;
        if (rest) {
            buf_puts(body, ",");
            buf_puts(body, rest + 1);
        } else {
            buf_puts(body, "}");
        }
        free(rest);
    } else {
        char *text = json_dumps(out, JSON_COMPACT);
        buf_puts(body, text);
        free(text);
    }
    rc = 0;
    goto out;
missing:
    if (err->kind == ERR_NOT_FOUND)
        err_set(err, ERR_NOT_FOUND, "Requested resource not found");
out:
    json_decref(out);
    json_decref(item);
    json_decref(key);
    expr_free(proj);
    expr_usage_fini(&usage);
    return rc;
}
