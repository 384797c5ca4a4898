/*
 * item — the decision of one DynamoDB write and what it leaves for the
 * answer, for every face (ddb, handler_manager). Not the parsing of a
 * request's parameters (each face reads its own) and not storage: the
 * decision runs inside the store's write transaction as a store_mutate_fn,
 * so a condition and the write it guards are atomic.
 */
#include "item.h"
#include "attr.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "

void item_write_fini(struct item_write *w)
{
    json_decref(w->old);
    json_decref(w->new_item);
    json_decref(w->upd_old);
    json_decref(w->upd_new);
    w->old = w->new_item = w->upd_old = w->upd_new = NULL;
}

static void drop(json_t **j)
{
    if (j) {
        json_decref(*j);
        *j = NULL;
    }
}

int item_write_apply(const struct item_write *w, const json_t *old,
                     json_t **new_item, json_t **updated_old,
                     json_t **updated_new, struct err *err)
{
    int ok = 1;

    *new_item = NULL;
    if (updated_old)
        *updated_old = NULL;
    if (updated_new)
        *updated_new = NULL;
    if (w->cond && expr_eval_condition(w->cond, old, &ok, err) < 0)
        return -1;
    if (!ok)
        return err_set(err, ERR_CONFLICT, "The conditional request failed");
    if (w->remove)
        return 0;
    if (!w->update) {
        *new_item = json_deep_copy(w->item ? w->item : old ? old : w->key);
        return 0;
    }
    /* only REMOVE on a missing item: nothing to remove, nothing created */
    if (!old && expr_update_only_removes(w->update))
        return 0;
    json_t *next = expr_apply_update(w->update, old ? old : w->key, updated_old,
                                     updated_new, err);
    if (!next)
        return -1;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)w->key, name, v)
    {
        if (!json_equal(json_object_get(next, name), v)) {
            json_decref(next);
            drop(updated_old);
            drop(updated_new);
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Cannot update attribute %s. This "
                                   "attribute is part of the key",
                           name);
        }
    }
    *new_item = next;
    return 0;
}

int item_decide(void *ctx, const json_t *old, const char *old_etag,
                json_t **new_item, struct err *err)
{
    struct item_write *w = ctx;

    (void)old_etag;
    item_write_fini(w); /* a writer may retry a job: start clean */
    w->old = old ? json_deep_copy(old) : NULL;
    if (item_write_apply(w, old, &w->new_item, &w->upd_old, &w->upd_new, err) <
        0)
        return -1;
    *new_item = json_incref(w->new_item);
    return 0;
}

int item_write(struct store *s, const char *table, struct item_write *w,
               struct err *err)
{
    return store_mutate_item(s, table, w->key, item_decide, w, NULL, err);
}

static int key_part(const json_t *item, const char *name, char type,
                    json_t *key, struct err *err)
{
    json_t *v = json_object_get(item, name);
    char want[2] = {type, 0};

    if (!v)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Missing the key %s in the item", name);
    if (strcmp(attr_type(v, NULL), want))
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Type mismatch for key %s expected: %s "
                               "actual: %s",
                       name, want, attr_type(v, NULL));
    json_object_set(key, name, v);
    return 0;
}

json_t *item_key_of(const struct store_table_desc *desc, const json_t *item,
                    struct err *err)
{
    json_t *key = json_object();

    if (key_part(item, desc->partition_key, desc->partition_type, key, err) <
            0 ||
        (desc->sort_key &&
         key_part(item, desc->sort_key, desc->sort_type, key, err) < 0)) {
        json_decref(key);
        return NULL;
    }
    return key;
}

static const char *const return_names[] = {
    [ITEM_RETURN_NONE] = "NONE",
    [ITEM_RETURN_ALL_OLD] = "ALL_OLD",
    [ITEM_RETURN_UPDATED_OLD] = "UPDATED_OLD",
    [ITEM_RETURN_ALL_NEW] = "ALL_NEW",
    [ITEM_RETURN_UPDATED_NEW] = "UPDATED_NEW",
};

int item_return_parse(const char *name, int allow_update, enum item_return *out,
                      struct err *err)
{
    *out = ITEM_RETURN_NONE;
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof return_names / sizeof return_names[0]; i++)
        if (!strcmp(name, return_names[i]) &&
            (allow_update || i <= ITEM_RETURN_ALL_OLD)) {
            *out = (enum item_return)i;
            return 0;
        }
    return err_set(err, ERR_BAD_REQUEST, "Return values set to invalid value");
}

const json_t *item_returned(const struct item_write *w, enum item_return rv)
{
    const json_t *const parts[] = {
        [ITEM_RETURN_NONE] = NULL,
        [ITEM_RETURN_ALL_OLD] = w->old,
        [ITEM_RETURN_UPDATED_OLD] = w->upd_old,
        [ITEM_RETURN_ALL_NEW] = w->new_item,
        [ITEM_RETURN_UPDATED_NEW] = w->upd_new,
    };
    const json_t *attrs = parts[rv];

    return attrs && json_object_size(attrs) ? attrs : NULL;
}

const json_t *item_conflict_item(const struct item_write *w, enum err_kind kind)
{
    return kind == ERR_CONFLICT && w->old_on_failure ? w->old : NULL;
}

size_t item_write_size(const struct item_write *w)
{
    size_t bytes = w->new_item ? attr_item_size(w->new_item) : 0;
    size_t old_bytes = w->old ? attr_item_size(w->old) : 0;

    return bytes > old_bytes ? bytes : old_bytes;
}

/* The CancellationReasons of a cancelled transaction. New reference. */
static json_t *cancellation_reasons(const struct item_action *acts, size_t n,
                                    const struct err *why)
{
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++) {
        json_t *r = json_pack("{s:s}", "Code", err_reason_code(why[i].kind));
        const json_t *old = item_conflict_item(acts[i].w, why[i].kind);
        if (why[i].kind != ERR_NONE)
            json_object_set_new(r, "Message", json_string(why[i].msg));
        if (old)
            json_object_set(r, "Item", (json_t *)(uintptr_t)old);
        json_array_append_new(list, r);
    }
    return list;
}

int item_transact(struct store *s, const struct item_action *acts, size_t n,
                  json_t **reasons, struct err *err)
{
    struct store_write_op *ops = xcalloc(n ? n : 1, sizeof *ops);
    struct err *why = xcalloc(n ? n : 1, sizeof *why);
    int rc;

    if (reasons)
        *reasons = NULL;
    for (size_t i = 0; i < n; i++)
        ops[i] =
            (struct store_write_op){acts[i].table, acts[i].w->key, item_decide,
                                    acts[i].w, acts[i].check_only};
    rc = store_transact(s, ops, n, why, err);
    if (rc < 0 && err->kind == ERR_CONFLICT) {
        char msg[ERR_MSG_SIZE];
        if (reasons)
            *reasons = cancellation_reasons(acts, n, why);
        snprintf(msg, sizeof msg, "%s", err->msg);
        err_set(err, ERR_TXN_CANCELLED, "%s", msg);
    }
    free(ops);
    free(why);
    return rc;
}
