/*
 * store — DynamoDB-like tables and items on one SQLite database.
 *
 * A table has a partition key and an optional sort key (each of type S, N or
 * B). An item is a typed item (see attr.h) stored as one row keyed by (table,
 * partition key, sort key); key values are stored in an order-preserving
 * encoding so that SQLite's order is DynamoDB's (numbers numerically, strings
 * and binary by bytes).
 *
 * Every write runs in one SQLite transaction and returns only after it has
 * committed (WAL; synchronous=FULL by default): an acknowledged write survives
 * a killed process and leaves no half-written item.
 *
 * Threads: every function may be called from any thread at once. The store
 * keeps a pool of connections (each with its prepared statements); a call
 * borrows one for its duration. Concurrent writers wait for each other (busy
 * timeout), they never see SQLITE_BUSY.
 *
 * Errors: ERR_BAD_REQUEST for a key or item that breaks DynamoDB's rules,
 * ERR_NOT_FOUND ("Requested resource not found") for a table that does not
 * exist, ERR_UNAVAILABLE when SQLite fails (disk full, I/O error, read-only
 * file), with SQLite's message. After any failure nothing has been written.
 */
#ifndef CRUDD_STORE_H
#define CRUDD_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

struct store;

/* How a commit reaches the disk (PRAGMA synchronous). */
enum store_durability {
    STORE_DURABILITY_FULL,   /* survives power loss (synchronous=FULL) */
    STORE_DURABILITY_NORMAL, /* survives a killed process; power loss may
                                lose the last commits (synchronous=NORMAL) */
};

/* An ETag: 16 lowercase hex digits of a hash of the stored item, and a NUL. */
#define STORE_ETAG_SIZE 17

/* DynamoDB's limits on key values, in bytes. */
#define STORE_PARTITION_KEY_MAX 2048
#define STORE_SORT_KEY_MAX 1024

/* A table's key schema. Types are 'S', 'N' or 'B'; sort_key NULL for none. */
struct store_key_schema {
    const char *partition_key;
    char partition_type;
    const char *sort_key;
    char sort_type;
};

/*
 * Open (creating if needed) the database at path, or an in-memory database
 * for ":memory:", apply schema.sql (migrating by PRAGMA user_version), and set
 * WAL and durability. connections is the pool size (use the number of
 * threads that will call; 0 means 1; an in-memory database always has one).
 * The directory of path must exist. Returns a store to free with store_close,
 * or NULL with ERR_UNAVAILABLE and SQLite's message (also when the file's
 * schema is newer than this binary's).
 */
struct store *store_open(const char *path, unsigned connections,
                         enum store_durability durability, struct err *err);

/* Finish and close every connection (checkpointing the WAL). s may be NULL.
 * No call may be in flight. */
void store_close(struct store *s);

/*
 * Create table name with key schema ks. If it exists with the same key schema
 * and if_not_exists is set, do nothing and return 0. Errors: ERR_BAD_REQUEST
 * (bad name: 3–255 of [a-zA-Z0-9_.-]; key attribute names not 1–255 bytes,
 * or equal; bad key type), ERR_CONFLICT ("Table already exists: <name>", or
 * it exists with another key schema), ERR_UNAVAILABLE. Nothing is written
 * after a failure. (DynamoDB answers an existing table with
 * ResourceInUseException, not ERR_CONFLICT's ConditionalCheckFailedException:
 * ddb must translate.)
 */
int store_create_table(struct store *s, const char *name,
                       const struct store_key_schema *ks, int if_not_exists,
                       struct err *err);

/*
 * Read the item with the given key (a typed object holding exactly the
 * table's key attributes, e.g. {"id": {"S": "abc"}}).
 * On success returns 0 and sets *item to a new reference, or to NULL when
 * there is no such item; etag (if not NULL) receives the item's ETag ("" when
 * there is none). Errors: ERR_NOT_FOUND (no table), ERR_BAD_REQUEST (key
 * does not match the schema: missing, extra or mistyped attributes, an empty
 * S or B, a partition key over 2048 bytes or a sort key over 1024, an N that
 * is not a number), ERR_UNAVAILABLE; *item is then NULL and etag "".
 */
int store_get_item(struct store *s, const char *table, const json_t *key,
                   json_t **item, char etag[STORE_ETAG_SIZE], struct err *err);

/*
 * The decision of a write, made inside its transaction (see
 * store_mutate_item). old_item is the current item at the key (borrowed; NULL
 * when there is none) and old_etag its ETag ("" when there is none). To write,
 * set *new_item to a new reference to the whole new item (the store steals
 * it, even when fn then returns -1); to delete, or to leave no item, set it
 * to NULL. Return 0 to go on, or -1 with err set to roll back with nothing
 * written (a failed condition: ERR_CONFLICT, ERR_PRECONDITION, ERR_NOT_FOUND,
 * ...). fn runs inside the write transaction on a borrowed connection: it
 * must be quick and must not call the store (that would deadlock).
 */
typedef int store_mutate_fn(void *ctx, const json_t *old_item,
                            const char *old_etag, json_t **new_item,
                            struct err *err);

/*
 * The one write primitive: in one IMMEDIATE transaction, read the item at key,
 * call fn, then store *new_item (replacing the old one) or delete the item,
 * and commit. This is what makes conditional put (attribute_not_exists),
 * conditional replace/update/delete (exists, ETag match) and read-modify-write
 * atomic: no other write to the store runs between the read and the commit.
 * The new item must be an object holding the key attributes with the same
 * types and values as key (ERR_BAD_REQUEST "One or more parameter values were
 * invalid: Missing the key <name> in the item", "... Type mismatch ..."), and
 * be at most ATTR_ITEM_MAX_BYTES (ERR_BAD_REQUEST "Item size has exceeded the
 * maximum allowed size"). new_etag (if not NULL) receives the new ETag, ""
 * after a delete. Returns 0 once committed, or -1 with err (fn's own error, or
 * as store_get_item, or ERR_UNAVAILABLE) with nothing written.
 */
int store_mutate_item(struct store *s, const char *table, const json_t *key,
                      store_mutate_fn *fn, void *ctx,
                      char new_etag[STORE_ETAG_SIZE], struct err *err);

/*
 * Read one page of a table, as DynamoDB's Scan does, but in key order
 * (partition key, then sort key, each by its encoded bytes; DynamoDB's own
 * Scan order is by partition key hash and unspecified): items after
 * exclusive_start_key (a typed key object, or NULL to start at the first; it
 * need not exist), at most limit items (0 = no count limit), and at most
 * STORE_PAGE_MAX_BYTES of items by attr_item_size (an item that would cross
 * it starts the next page, so a page never stops before its first item). The
 * page is read from one snapshot. *items receives a new reference to an array
 * of typed items. *last_key receives a new reference to the key of the last
 * item in the page when at least one more item follows it, else NULL; pass
 * it back as exclusive_start_key for the next page. Errors: ERR_NOT_FOUND (no
 * table), ERR_BAD_REQUEST (start key does not match the schema),
 * ERR_UNAVAILABLE; *items and *last_key are NULL after a failure.
 */
int store_scan(struct store *s, const char *table,
               const json_t *exclusive_start_key, size_t limit, json_t **items,
               json_t **last_key, struct err *err);

/* The page size limit of store_scan, in bytes (DynamoDB's 1 MB). */
#define STORE_PAGE_MAX_BYTES (1024 * 1024)

#endif
