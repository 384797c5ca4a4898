/*
 * ddb_item — PutItem, GetItem, UpdateItem, DeleteItem. Conditions and
 * updates are evaluated inside the store's write transaction (a
 * store_mutate_fn), so a condition and the write it guards are atomic.
 */
#include "attr.h"
#include "ddb_impl.h"

#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "

/* One write's decision inputs and what it leaves for the answer. */
struct write {
    const struct store_table_desc *desc;
    const struct expr *cond;   /* ConditionExpression, or NULL */
    const struct expr *update; /* UpdateExpression (UpdateItem) */
    const json_t *key;
    json_t *item;              /* PutItem: the new item */
    int remove;                /* DeleteItem */
    json_t *old;               /* out: the item before, or NULL */
    json_t *new_item;          /* out: the item after */
    json_t *upd_old, *upd_new; /* out: UpdateItem's touched parts */
};

static void write_fini(struct write *w)
{
    json_decref(w->item);
    json_decref(w->old);
    json_decref(w->new_item);
    json_decref(w->upd_old);
    json_decref(w->upd_new);
}

static int decide(void *ctx, const json_t *old, const char *old_etag,
                  json_t **new_item, struct err *err)
{
    struct write *w = ctx;
    struct expr_write ew = {w->cond, w->update, w->update ? NULL : w->item,
                            w->key, w->remove};

    (void)old_etag;
    w->old = old ? json_deep_copy(old) : NULL;
    if (expr_write_apply(&ew, old, &w->new_item, &w->upd_old, &w->upd_new,
                         err) < 0)
        return -1;
    *new_item = json_incref(w->new_item);
    return 0;
}

/* ReturnValues, checked against what op allows. */
static int return_values(const json_t *in, int allow_update, const char **rv,
                         struct err *err)
{
    if (ddb_opt_string(in, "ReturnValues", rv, err) < 0)
        return -1;
    if (!*rv)
        *rv = "NONE";
    if (!strcmp(*rv, "NONE") || !strcmp(*rv, "ALL_OLD") ||
        (allow_update &&
         (!strcmp(*rv, "UPDATED_OLD") || !strcmp(*rv, "ALL_NEW") ||
          !strcmp(*rv, "UPDATED_NEW"))))
        return 0;
    return err_set(err, ERR_BAD_REQUEST, "Return values set to invalid value");
}

/* The shared body of the three writes. */
static json_t *write_item(struct ddb *d, json_t *in, json_t **extra,
                          struct err *err, int kind)
{
    struct store_table_desc desc = {0};
    struct expr_usage usage;
    struct expr *cond = NULL, *update = NULL;
    struct write w = {0};
    const char *table, *rv, *rvf;
    json_t *out = NULL;

    expr_usage_init(&usage);
    /* the request is read whole before the table is looked up, so a
     * malformed value is a SerializationException even on a missing table,
     * as in DynamoDB */
    if (ddb_req_string(in, "TableName", &table, err) < 0 ||
        ddb_no_legacy(in, err) < 0 ||
        return_values(in, kind == 'U', &rv, err) < 0 ||
        ddb_opt_string(in, "ReturnValuesOnConditionCheckFailure", &rvf, err) <
            0)
        goto out;
    if (kind == 'P' &&
        !(w.item = ddb_item(json_object_get(in, "Item"), "item", err)))
        goto out;
    if (kind != 'P' && !(w.key = ddb_key_param(in, "Key", err)))
        goto out;
    if (ddb_table(d, table, &desc, err) < 0)
        goto out;
    w.desc = &desc;
    if (kind == 'P' && !(w.key = ddb_key_of(&desc, w.item, err)))
        goto out;
    if (ddb_expr(in, "ConditionExpression", EXPR_CONDITION, &usage, &cond,
                 err) < 0 ||
        (kind == 'U' && ddb_expr(in, "UpdateExpression", EXPR_UPDATE, &usage,
                                 &update, err) < 0) ||
        ddb_expr_done(in, &usage, err) < 0)
        goto out;
    w.cond = cond;
    w.update = update;
    w.remove = kind == 'D';

    if (store_mutate_item(d->store, table, w.key, decide, &w, NULL, err) < 0) {
        if (err->kind == ERR_CONFLICT && rvf && !strcmp(rvf, "ALL_OLD") &&
            w.old)
            *extra = json_pack("{s:O}", "Item", w.old);
        goto out;
    }
    out = json_object();
    json_t *attrs = NULL;
    if (!strcmp(rv, "ALL_OLD"))
        attrs = w.old;
    else if (!strcmp(rv, "ALL_NEW"))
        attrs = w.new_item;
    else if (!strcmp(rv, "UPDATED_OLD"))
        attrs = w.upd_old;
    else if (!strcmp(rv, "UPDATED_NEW"))
        attrs = w.upd_new;
    if (attrs && json_object_size(attrs))
        json_object_set(out, "Attributes", attrs);
    size_t bytes = w.new_item ? attr_item_size(w.new_item) : 0;
    size_t old_bytes = w.old ? attr_item_size(w.old) : 0;
    ddb_consumed(out, in, table,
                 ddb_write_units(bytes > old_bytes ? bytes : old_bytes));
out:
    json_decref((json_t *)(uintptr_t)w.key);
    write_fini(&w);
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
