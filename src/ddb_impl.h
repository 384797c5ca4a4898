/*
 * ddb_impl — what the parts of the ddb module (src/ddb*.c) share: the
 * operation signature and the wire-value helpers. Private to ddb.
 */
#ifndef CRUDD_DDB_IMPL_H
#define CRUDD_DDB_IMPL_H

#include <jansson.h>

#include "buf.h"
#include "ddb.h"
#include "err.h"
#include "expr.h"
#include "store.h"

struct ddb {
    struct store *store;
    enum ddb_auth auth;
    const struct sigv4_credential *creds; /* borrowed; DDB_AUTH_SIGV4 */
    size_t ncreds;
    struct ddb_tokens *tokens; /* ClientRequestToken memory (ddb_batch.c) */
};

/* The ClientRequestToken memory of TransactWriteItems (ddb_batch.c): a
 * fixed table of the tokens of the last ten minutes, each with the SHA-256
 * of its TransactItems (never the request itself), so that it costs the
 * same whatever the requests weigh; an expired token's slot is reused, and
 * when every slot is live the oldest token is forgotten. */
struct ddb_tokens *ddb_tokens_create(void);
void ddb_tokens_free(struct ddb_tokens *t);

/*
 * One operation: the request's JSON object in (borrowed), a new reference
 * to the output object out; or NULL with err set, and optionally *extra a
 * new reference to an object whose members join the error body
 * (CancellationReasons, the Item of ReturnValuesOnConditionCheckFailure).
 */
typedef json_t *ddb_op_fn(struct ddb *d, json_t *in, json_t **extra,
                          struct err *err);

/*
 * An operation that writes the JSON text of its output object into body
 * (empty on entry) itself rather than build it, for the hottest read
 * (GetItem hands the stored item text through). 0, or -1 with err and
 * *extra as ddb_op_fn (body is then discarded).
 */
typedef int ddb_text_op_fn(struct ddb *d, json_t *in, struct buf *body,
                           json_t **extra, struct err *err);

/* The operations, one per X-Amz-Target, by file: ddb_table.c, ddb_item.c,
 * ddb_query.c, ddb_batch.c. */
ddb_text_op_fn ddb_get_item;
ddb_op_fn ddb_create_table, ddb_describe_table, ddb_list_tables,
    ddb_update_table, ddb_delete_table, ddb_put_item, ddb_update_item,
    ddb_delete_item, ddb_query, ddb_scan, ddb_batch_get_item,
    ddb_batch_write_item, ddb_transact_write_items, ddb_transact_get_items,
    ddb_update_time_to_live, ddb_describe_time_to_live;

/* GetItem's request object when body is its common shape (compact JSON,
 * plain ASCII strings, TableName, Key of one or two S/N/B attributes,
 * ConsistentRead, ReturnConsumedCapacity, no member twice): the same object
 * json_loadb gives, a new reference. NULL for anything else, which is then
 * for json_loadb to read (ddb_request.c). */
json_t *ddb_read_get_item(const char *body, size_t len);

/* An Item or Key parameter checked and normalized by DynamoDB's rules:
 * attr_typed_item (attr.h) as the wire face applies it (an empty name refused
 * at the item's top only). New reference or NULL with err; what names the
 * parameter for messages ("item", "Keys"). */
json_t *ddb_item(const json_t *item, const char *what, struct err *err);

/* The string member name of in, or NULL when absent; -1 with a
 * SerializationException when present and not a string. */
int ddb_opt_string(const json_t *in, const char *name, const char **out,
                   struct err *err);

/* DynamoDB's longest table name, in characters (all ASCII). */
#define DDB_TABLE_NAME_MAX 255

/* The string member name of in; -1 with a ValidationException when
 * absent (DynamoDB's "1 validation error detected: Value null at 'name'
 * failed to satisfy constraint: Member must not be null"), or when name is
 * "TableName" and the value is longer than DDB_TABLE_NAME_MAX (DynamoDB's
 * constraint message for 'tableName'). */
int ddb_req_string(const json_t *in, const char *name, const char **out,
                   struct err *err);

/* "1 validation error detected: Value '<v>' at '<member>' failed to
 * satisfy constraint: <rule>" (DynamoDB's constraint messages). Returns -1. */
int ddb_constraint(struct err *err, const char *value, const char *member,
                   const char *rule);

/* Describe table for an item operation: ERR_NOT_FOUND reads "Requested
 * resource not found" as DynamoDB's item operations say it. */
int ddb_table(struct ddb *d, const char *table, struct store_table_desc *desc,
              struct err *err);

/* A checked Key parameter (new reference) or NULL with err. */
json_t *ddb_key_param(const json_t *in, const char *member, struct err *err);

/* Parse the optional expression member of in (e.g. "ConditionExpression")
 * with the request's ExpressionAttributeNames/Values; *out NULL when the
 * member is absent. 0 or -1 with err. */
int ddb_expr(const json_t *in, const char *member, enum expr_kind kind,
             struct expr_usage *usage, struct expr **out, struct err *err);

/* After every expression of the request is parsed: refuse unused names and
 * values, and names/values given with no expression at all. */
int ddb_expr_done(const json_t *in, struct expr_usage *usage, struct err *err);

/* Reject DynamoDB's legacy parameters (Expected, AttributeUpdates, ...)
 * with a clear ValidationException naming the expression to use: in a
 * TransactWriteItems member, whose shapes have none. Elsewhere ddb_legacy
 * has rewritten them before the operation runs, so this finds none. */
int ddb_no_legacy(const json_t *in, struct err *err);

/* The legacy parameters of operation op (its X-Amz-Target name) in the
 * request object in — Expected and ConditionalOperator (PutItem,
 * UpdateItem, DeleteItem), AttributeUpdates (UpdateItem), AttributesToGet
 * (GetItem, BatchGetItem per table, Query, Scan), KeyConditions and
 * QueryFilter (Query), ScanFilter (Scan) — checked by DynamoDB's rules and
 * replaced in place by the expression each stands for, with generated
 * ExpressionAttributeNames/Values that do not collide with the request's.
 * 0 (in rewritten, or untouched when it has none), or -1 with a
 * ValidationException (mixing with expressions, operand counts and types,
 * Exists/Value, AttributesToGet duplicates, AttributeUpdates actions) or a
 * SerializationException; in may then be partly rewritten (ddb_legacy.c). */
int ddb_legacy(const char *op, json_t *in, struct err *err);

/* Capacity units by DynamoDB's rules for bytes read or written. */
double ddb_read_units(size_t bytes, int consistent);
double ddb_write_units(size_t bytes);

/* Add "ConsumedCapacity" for table to out when in asks for it
 * (ReturnConsumedCapacity TOTAL or INDEXES). */
void ddb_consumed(json_t *out, const json_t *in, const char *table,
                  double units);

/* "TableDescription" JSON for desc (new reference); status "ACTIVE" or
 * "DELETING". */
json_t *ddb_table_json(const struct store_table_desc *desc, const char *status);

#endif
