/*
 * item — DynamoDB's item writes, decided in one place for every face: the
 * decision of one write (ConditionExpression, then a delete, a put or an
 * UpdateExpression), "the key of this item", the ReturnValues choice and
 * the CancellationReasons of TransactWriteItems. The faces (ddb's PutItem,
 * UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems; the
 * DynamoDB manager function) read their parameters, fill a struct
 * item_write and render what it leaves. Not the wire API (ddb), not the
 * expressions themselves (expr), not storage (store).
 *
 * Follows the DynamoDB API Reference: PutItem, UpdateItem, DeleteItem,
 * TransactWriteItems (CancellationReason) and their ReturnValues and
 * ReturnValuesOnConditionCheckFailure parameters.
 *
 * A struct item_write belongs to one request; item_decide runs on the
 * store's writer thread (store_mutate_fn) and touches only the struct.
 */
#ifndef CRUDD_ITEM_H
#define CRUDD_ITEM_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "expr.h"
#include "store.h"

/*
 * One write of one item. The inputs are borrowed and set by the face; the
 * outputs are new references set by item_decide (NULL before), released by
 * item_write_fini.
 */
struct item_write {
    const struct expr *cond;   /* ConditionExpression, or NULL */
    const struct expr *update; /* UpdateItem's expression, or NULL */
    const json_t *item;        /* PutItem's whole new item, or NULL */
    const json_t *key;         /* the item's key attributes ({pk: v, ...}) */
    int remove;                /* DeleteItem, or a ConditionCheck */
    int old_on_failure;        /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    json_t *old;               /* out: the item before, or NULL for none */
    json_t *new_item;          /* out: the item after, or NULL for none */
    json_t *upd_old, *upd_new; /* out: UpdateItem's touched parts */
};

/* Release w's outputs (and set them NULL); the inputs are the caller's. */
void item_write_fini(struct item_write *w);

/*
 * Decide a write of PutItem, UpdateItem, DeleteItem or a transaction action
 * against the current item old (borrowed; NULL when there is none), as
 * DynamoDB does: the condition must hold on old; then a delete leaves no
 * item, a put is w->item, an update applies w->update to old (or to the key
 * alone when there is no item, as UpdateItem creates it), and an update
 * with neither writes old (or the key) again. An update may not change a
 * key attribute. Reads only w's inputs.
 *
 * On success returns 0 with *new_item a new reference to the item to store,
 * or NULL for none; *updated_old / *updated_new (when not NULL) receive
 * UpdateItem's touched parts (see expr_apply_update). Returns -1 with
 * ERR_CONFLICT "The conditional request failed" when the condition does not
 * hold, or ERR_BAD_REQUEST (an update error; "Cannot update attribute <k>.
 * This attribute is part of the key"); all outputs are NULL then.
 */
int item_write_apply(const struct item_write *w, const json_t *old,
                     json_t **new_item, json_t **updated_old,
                     json_t **updated_new, struct err *err);

/*
 * The store_mutate_fn of one write; ctx is a struct item_write. Keeps a
 * copy of old in w->old (also when the decision fails, for
 * ReturnValuesOnConditionCheckFailure), decides with item_write_apply into
 * w->new_item, w->upd_old and w->upd_new, and hands the store a new
 * reference to w->new_item. Errors: as item_write_apply.
 */
int item_decide(void *ctx, const json_t *old, const char *old_etag,
                json_t **new_item, struct err *err);

/*
 * Decide and make the write w of the item at w->key in table, in one store
 * transaction (store_mutate_item with item_decide). Returns 0, or -1 with
 * err as store_mutate_item and item_write_apply (ERR_CONFLICT when the
 * condition failed: w->old is then the item the condition read). Nothing is
 * written after a failure.
 */
int item_write(struct store *s, const char *table, struct item_write *w,
               struct err *err);

/*
 * The table key of item (new reference: {pk: v[, sk: v]}), or NULL with
 * ERR_BAD_REQUEST "One or more parameter values were invalid: Missing the
 * key <k> in the item" or "... Type mismatch for key <k> expected: <T>
 * actual: <T>" (PutItem's words). desc and item are borrowed.
 */
json_t *item_key_of(const struct store_table_desc *desc, const json_t *item,
                    struct err *err);

/* ReturnValues (API Reference, PutItem / UpdateItem / DeleteItem). */
enum item_return {
    ITEM_RETURN_NONE,
    ITEM_RETURN_ALL_OLD,
    ITEM_RETURN_UPDATED_OLD,
    ITEM_RETURN_ALL_NEW,
    ITEM_RETURN_UPDATED_NEW,
};

/*
 * The ReturnValues named name (NULL: NONE) into *out. The UPDATED_* and
 * ALL_NEW choices are UpdateItem's: with allow_update 0 (PutItem,
 * DeleteItem) they, like any other name, return -1 with ERR_BAD_REQUEST
 * "Return values set to invalid value"; *out is NONE then.
 */
int item_return_parse(const char *name, int allow_update, enum item_return *out,
                      struct err *err);

/*
 * What a done write returns for rv (borrowed from w): the item before or
 * after, or UpdateItem's touched parts; NULL for NONE and for an empty or
 * missing one (DynamoDB then sends no Attributes).
 */
const json_t *item_returned(const struct item_write *w, enum item_return rv);

/*
 * The Item a failed write returns (borrowed from w) when its error kind is
 * ERR_CONFLICT, w->old_on_failure is set and there was an item; else NULL
 * (ReturnValuesOnConditionCheckFailure).
 */
const json_t *item_conflict_item(const struct item_write *w,
                                 enum err_kind kind);

/* The bytes a done write counts for its write units: the larger of the
 * item before and after (DynamoDB, "Item sizes and formats"). */
size_t item_write_size(const struct item_write *w);

/* One action of item_transact; all borrowed. */
struct item_action {
    const char *table;
    struct item_write *w;
    int check_only; /* a ConditionCheck: decides, writes nothing */
};

/*
 * TransactWriteItems: decide every action (item_decide) and make them all
 * or none, with store_transact. Returns 0, or -1 with err as
 * store_transact; when it cancelled the transaction, err is
 * ERR_TXN_CANCELLED with store_transact's message and *reasons (may be
 * NULL; else NULL on every other outcome) a new reference to the
 * CancellationReasons array: per action, in order, {"Code": ...} ("None",
 * "ConditionalCheckFailed", "ValidationError", "InternalServerError"), a
 * "Message" for a failed one, and the "Item" of item_conflict_item.
 */
int item_transact(struct store *s, const struct item_action *acts, size_t n,
                  json_t **reasons, struct err *err);

#endif
