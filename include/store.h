/*
 * store — DynamoDB-like tables and items on one SQLite database.
 *
 * The store's files (src/), each calling only those above it:
 *   store_key.c     key encoding, key and item checks, segment hash, expiry
 *   store_fault.c   SQLite's process-wide setup; the VFS (a test seam)
 *   store_db.c      connections, statements, schema, the pool, SQLite helpers
 *   store_writer.c  the writer thread and group commit
 *   store.c         store_open and store_close, the table cache
 *   store_item.c    rows and point reads: store_get_item*, store_item_parse
 *   store_write.c   item writes, index entries, store_mutate_item
 *   store_read.c    every page: store_query, store_scan_segment, store_scan
 *   store_table.c, store_txn.c, store_usage.c: tables and TTL; transactions,
 *                   multi-get and the TTL sweep; the quota counters' rows
 *
 * A table has a partition key and an optional sort key (each of type S, N or
 * B). An item is a typed item (see attr.h) stored as one row keyed by (table,
 * partition key, sort key); key values are stored in an order-preserving
 * encoding so that SQLite's order is DynamoDB's (numbers numerically, strings
 * and binary by bytes).
 *
 * Every write runs in one SQLite transaction and returns only after it has
 * committed (WAL; synchronous=FULL by default): an acknowledged write survives
 * a killed process (and, with synchronous=FULL, a power loss) and leaves no
 * half-written item.
 *
 * Group commit: the writes of concurrent callers share transactions. One
 * writer thread owns the only connection that writes; a write call queues
 * its work and sleeps; the writer takes every write waiting at that moment
 * (at most 256 of them, about 1 MB of items), runs each in its own savepoint
 * inside one transaction, commits once, then wakes each caller with its own
 * result. Each write stays atomic and isolated on its own: one that fails
 * (a failed condition, a refused item) is rolled back to its savepoint and
 * never affects the others; if the shared commit fails, every write that
 * had succeeded in it fails with ERR_UNAVAILABLE and none is acknowledged.
 * Writes run in the order they were called. STORE_COMMIT_SINGLE (see
 * store_open_ex) commits each write alone instead.
 *
 * Threads: every function may be called from any thread at once. Reads
 * borrow a connection from a pool (each with its prepared statements) for
 * their duration. Writes (store_mutate_item, store_transact, the table
 * changes, store_sweep_expired) run on the store's writer thread while the
 * caller waits: a store_mutate_fn is therefore called on the writer thread,
 * not the caller's, and must touch nothing but its ctx (which the waiting
 * caller does not touch meanwhile) and its arguments. Writers never see
 * SQLITE_BUSY from one another; SQLite's busy timeout only covers another
 * process holding the database's write lock. store_open starts the writer
 * thread and store_close stops it.
 *
 * Tables may have secondary indexes (global and local, DynamoDB's GSI and
 * LSI), kept in step with every write in the write's own transaction, and a
 * Time to Live attribute. Definitions change only through the calls below
 * (create, update, TTL, delete), which wait for the calls in flight.
 *
 * Errors: ERR_BAD_REQUEST for a key or item that breaks DynamoDB's rules,
 * ERR_NOT_FOUND ("Requested resource not found") for a table that does not
 * exist, ERR_IN_USE for a table that already exists, ERR_UNAVAILABLE when
 * SQLite fails (disk full, I/O error, read-only file), with SQLite's message.
 * After any failure nothing has been written.
 *
 * One process per database file: table definitions are cached, so another
 * process changing them (not items) is not seen.
 */
#ifndef CRUDD_STORE_H
#define CRUDD_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct store;

/* How a commit reaches the disk (PRAGMA synchronous). */
enum store_durability {
    STORE_DURABILITY_FULL,   /* survives power loss (synchronous=FULL) */
    STORE_DURABILITY_NORMAL, /* survives a killed process; power loss may
                                lose the last commits (synchronous=NORMAL) */
};

/* How writes reach a commit. */
enum store_commit {
    STORE_COMMIT_GROUP,  /* the writes waiting at one moment share one
                            commit (one fsync): the default */
    STORE_COMMIT_SINGLE, /* one transaction (one fsync) per write: a
                            baseline to measure group commit against */
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
 * WAL and durability, and start the writer thread (group commit). connections
 * is the size of the readers' pool (use the number of threads that will
 * call; 0 means 1); a file database has one more connection, the writer's;
 * an in-memory database has one, shared by the readers and the writer.
 * The directory of path must exist. The process holds the file
 * exclusively until store_close (SQLite's "unix-excl" VFS: other processes
 * get SQLITE_BUSY, "database is locked"; stores of this process share it).
 * Returns a store to free with store_close, or NULL with ERR_UNAVAILABLE
 * and SQLite's message (also when the file's schema is newer than this
 * binary's, and "PATH is in use by another process ..." when another
 * process holds the file for over 2 s).
 */
struct store *store_open(const char *path, unsigned connections,
                         enum store_durability durability, struct err *err);

/* store_open with a choice of commit (store_open: STORE_COMMIT_GROUP). */
struct store *store_open_ex(const char *path, unsigned connections,
                            enum store_durability durability,
                            enum store_commit commit, struct err *err);

/* Stop the writer thread, then finish and close every connection
 * (checkpointing the WAL). s may be NULL. No call may be in flight. */
void store_close(struct store *s);

/*
 * Create table name with key schema ks. If it exists with the same key schema
 * and if_not_exists is set, do nothing and return 0. Errors: ERR_BAD_REQUEST
 * (bad name: 3–255 of [a-zA-Z0-9_.-]; key attribute names not 1–255 bytes,
 * or equal; bad key type), ERR_IN_USE ("Table already exists: <name>", or
 * "Table already exists with another key schema: <name>" when if_not_exists
 * is set), ERR_UNAVAILABLE. Nothing is written after a failure. The table has
 * no secondary indexes; see store_create_table_indexed.
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

/* What store_get_item_text found. */
struct store_item_info {
    int found;                  /* 1: the item exists */
    size_t size;                /* its attr_item_size, in bytes */
    char etag[STORE_ETAG_SIZE]; /* its ETag; "" when not found */
};

/*
 * store_get_item without parsing, for the read path: the item's text as
 * stored, which is json_dumps(item, JSON_COMPACT) of the typed item
 * store_get_item returns (a JSON object; parse it with store_item_parse,
 * or read it with attr_typed_text_to_plain). On success returns 0 and fills
 * *info; when the item exists, its text is appended to *text (caller's
 * buffer, any content kept before it), else text is unchanged and found 0.
 * Errors as store_get_item, with text unchanged and *info zeroed.
 */
int store_get_item_text(struct store *s, const char *table, const json_t *key,
                        struct buf *text, struct store_item_info *info,
                        struct err *err);

/*
 * store_get_item_text for the key {pk_name: {"S": pk}}, where pk is len
 * bytes of UTF-8 (the caller's, borrowed for the call): the same answers,
 * errors and state after an error. When the table's key is pk_name alone,
 * of type S, and 1 <= len <= STORE_PARTITION_KEY_MAX, pk is the encoded key
 * as it is and no jansson key is made (the REST face's GET /items/{id}:
 * about 2k instructions less); otherwise it builds that key and calls
 * store_get_item_text.
 */
int store_get_item_text_s(struct store *s, const char *table,
                          const char *pk_name, const char *pk, size_t len,
                          struct buf *text, struct store_item_info *info,
                          struct err *err);

/*
 * Parse an item's stored text, as store_get_item_text appends it, into the
 * typed item store_get_item would have returned (parsed the store's way:
 * JSON_ALLOW_NUL, an object), for a caller that read the text and then
 * needs the tree: the row is not read again. text (len bytes) is borrowed.
 * Returns a new reference, or NULL with ERR_UNAVAILABLE "a stored item is
 * not valid JSON". Touches no store; any thread.
 */
json_t *store_item_parse(const char *text, size_t len, struct err *err);

/*
 * The decision of a write, made inside its transaction (see
 * store_mutate_item). old_item is the current item at the key (borrowed; NULL
 * when there is none) and old_etag its ETag ("" when there is none). To write,
 * set *new_item to a new reference to the whole new item (the store steals
 * it, even when fn then returns -1); to delete, or to leave no item, set it
 * to NULL. Return 0 to go on, or -1 with err set to roll back with nothing
 * written (a failed condition: ERR_CONFLICT, ERR_PRECONDITION, ERR_NOT_FOUND,
 * ...). fn runs on the store's writer thread inside the write transaction
 * (which other callers' writes share) while its caller waits: it must be
 * quick, touch only ctx and its arguments, and must not call the store
 * (a write would deadlock, and on ":memory:" a read too).
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
 * maximum allowed size"), and hold any secondary index key attribute with
 * the index's type and a non-empty S or B (ERR_BAD_REQUEST "One or more
 * parameter values were invalid: Type mismatch for Index Key <name>
 * Expected: S Actual: N IndexName: <index>", as DynamoDB). The table's index
 * entries are updated in the same transaction, and the item's TTL expiry
 * (see store_set_ttl). new_etag (if not NULL) receives the new ETag, ""
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

/* --- secondary indexes and table descriptions ----------------------------- */

/* DynamoDB's limits on indexes, per table. */
#define STORE_GSI_MAX 20
#define STORE_LSI_MAX 5
/* DynamoDB's limit on INCLUDE's attribute names, summed over a table's
 * indexes. */
#define STORE_NON_KEY_MAX 100

/* GlobalSecondaryIndexes and LocalSecondaryIndexes. */
enum store_index_kind {
    STORE_INDEX_GLOBAL, /* own partition key, optional sort key */
    STORE_INDEX_LOCAL,  /* the table's partition key, another sort key */
};

/* An index's Projection.ProjectionType: which attributes it holds besides
 * the table's and the index's key attributes (always held). */
enum store_projection {
    STORE_PROJECTION_ALL,
    STORE_PROJECTION_KEYS_ONLY,
    STORE_PROJECTION_INCLUDE, /* and the named NonKeyAttributes */
};

/*
 * A secondary index to create. name: 3–255 of [a-zA-Z0-9_.-], unique within
 * the table. key: for a global index any partition key and an optional sort
 * key; for a local index the table's partition key (same name and type) and
 * a sort key. An attribute used as a key by the table and its indexes must
 * have one type throughout (DynamoDB's AttributeDefinitions). non_key:
 * nnon_key attribute names for INCLUDE (none for ALL and KEYS_ONLY).
 * Everything is borrowed for the call.
 */
struct store_index_spec {
    const char *name;
    enum store_index_kind kind;
    struct store_key_schema key;
    enum store_projection projection;
    const char *const *non_key;
    size_t nnon_key;
};

/*
 * Create table name with key schema ks and nindexes secondary indexes, as
 * DynamoDB's CreateTable (the table is ACTIVE at once). An item appears in
 * an index only when it holds the index's key attributes (a sparse index);
 * writes of an item holding one with another type are refused (see
 * store_mutate_item). Errors: as store_create_table without if_not_exists;
 * ERR_BAD_REQUEST also for a bad or duplicate index name, a local index on a
 * table without a sort key ("Table KeySchema does not have a range key,
 * which is required when specifying a LocalSecondaryIndex"), a local index
 * whose partition key is not the table's or which has no sort key, a
 * key attribute with two types, more than STORE_GSI_MAX global or
 * STORE_LSI_MAX local indexes, INCLUDE names with another projection, more
 * than STORE_NON_KEY_MAX of them. Nothing is written after a failure.
 */
int store_create_table_indexed(struct store *s, const char *name,
                               const struct store_key_schema *ks,
                               const struct store_index_spec *indexes,
                               size_t nindexes, struct err *err);

/* An index as described by store_describe_table. Strings are owned by the
 * struct store_table_desc that holds it. */
struct store_index_desc {
    char *name;
    enum store_index_kind kind;
    char *partition_key;
    char partition_type;
    char *sort_key; /* NULL when the index has none */
    char sort_type;
    enum store_projection projection;
    char **non_key; /* nnon_key names, for INCLUDE */
    size_t nnon_key;
    unsigned long long item_count; /* entries now in the index */
    unsigned long long size_bytes; /* sum of their projected item sizes */
};

/*
 * A table as DescribeTable reports it. Fill with store_describe_table (or
 * store_delete_table), release with store_table_desc_fini. Counts and sizes
 * are exact at the time of the call (DynamoDB's are refreshed about every
 * six hours); sizes are attr_item_size sums in bytes. The key attribute
 * types give DynamoDB's AttributeDefinitions (the union over the table and
 * its indexes).
 */
struct store_table_desc {
    char *name;
    char *partition_key;
    char partition_type; /* 'S', 'N' or 'B' */
    char *sort_key;      /* NULL when the table has none */
    char sort_type;
    struct store_index_desc *indexes; /* nindexes, in creation order */
    size_t nindexes;
    double creation_time; /* Unix epoch seconds, with a fraction */
    unsigned long long item_count;
    unsigned long long size_bytes;
    char *ttl_attribute; /* NULL when Time to Live is disabled */
};

/*
 * Fill *d with table name's description. Returns 0, or -1 with
 * ERR_NOT_FOUND ("Requested resource not found: Table: <name> not found") or
 * ERR_UNAVAILABLE; *d is then zeroed (store_table_desc_fini is harmless).
 */
int store_describe_table(struct store *s, const char *name,
                         struct store_table_desc *d, struct err *err);

/*
 * As store_describe_table, but without counting: item_count and size_bytes
 * (of the table and its indexes) are 0. For requests that need only the key
 * schema and indexes (every item operation): counting reads the whole table.
 */
int store_table_schema(struct store *s, const char *name,
                       struct store_table_desc *d, struct err *err);

/* Free what *d holds and zero it. d may be NULL. */
void store_table_desc_fini(struct store_table_desc *d);

/*
 * One page of table names in ascending byte order, as ListTables: names
 * after exclusive_start_name (NULL: from the first; it need not exist), at
 * most limit of them (0 = all). *names receives a new reference to an array
 * of strings; *last_name a new reference to the last name of the page when
 * more names follow it, else NULL (pass it back as exclusive_start_name).
 * Errors: ERR_UNAVAILABLE; both outputs are NULL after a failure.
 */
int store_list_tables(struct store *s, const char *exclusive_start_name,
                      size_t limit, json_t **names, json_t **last_name,
                      struct err *err);

/*
 * Delete table name with all its items and index entries, in one
 * transaction, as DeleteTable (gone at once, no DELETING phase). If d is not
 * NULL it receives the table's description as it was just before (release
 * with store_table_desc_fini). Errors: ERR_NOT_FOUND ("Requested resource not
 * found: Table: <name> not found"), ERR_UNAVAILABLE; nothing is deleted and
 * *d is zeroed after a failure. Waits for the calls in flight.
 */
int store_delete_table(struct store *s, const char *name,
                       struct store_table_desc *d, struct err *err);

/*
 * UpdateTable's GlobalSecondaryIndexUpdates, one at a time: create the
 * global index create_gsi (kind must be STORE_INDEX_GLOBAL), backfilled from
 * the table's items in the same transaction (items whose index key
 * attributes have other types are left out, as DynamoDB's backfill does),
 * and/or delete the global index named delete_gsi with its entries. Either
 * may be NULL. Errors: ERR_NOT_FOUND (no table; "Requested resource not
 * found: Index: <name> not found"), ERR_BAD_REQUEST (a spec error as in
 * store_create_table_indexed; "Attempting to create an index which already
 * exists"; deleting a local index), ERR_UNAVAILABLE; the table is unchanged
 * after a failure. Waits for the calls in flight; the index is ACTIVE when
 * this returns.
 */
int store_update_table(struct store *s, const char *name,
                       const struct store_index_spec *create_gsi,
                       const char *delete_gsi, struct err *err);

/*
 * UpdateTimeToLive: set table name's TTL attribute to attribute (enable), or
 * disable it with NULL. Every item's expiry is set (or cleared) in the same
 * transaction: an item expires when it holds attribute as an N, read as
 * Unix epoch seconds (see store_sweep_expired). Errors: ERR_NOT_FOUND,
 * ERR_BAD_REQUEST (attribute not 1–255 bytes; "TimeToLive is already
 * enabled" when enabling an enabled table, even with the same attribute, and
 * "TimeToLive is already disabled", as DynamoDB), ERR_UNAVAILABLE; unchanged
 * after a failure. The attribute is reported by store_describe_table.
 */
int store_set_ttl(struct store *s, const char *name, const char *attribute,
                  struct err *err);

/* --- the DynamoDB face's reads ------------------------------------------- */

/* Which pages get a last key (LastEvaluatedKey). */
enum store_last_key_rule {
    /* Only when at least one more item follows the page (store_scan's
     * rule, the REST face's nextToken). */
    STORE_LAST_KEY_IF_MORE,
    /* DynamoDB's Query and Scan: whenever the page stopped at limit or at
     * the 1 MB cap, even if no item follows it. */
    STORE_LAST_KEY_IF_STOPPED,
};

/* KeyConditionExpression's operator on the sort key. */
enum store_sort_op {
    STORE_SORT_ANY, /* no sort key condition */
    STORE_SORT_EQ,
    STORE_SORT_LT,
    STORE_SORT_LE,
    STORE_SORT_GT,
    STORE_SORT_GE,
    STORE_SORT_BETWEEN,    /* value <= sk <= value2 */
    STORE_SORT_BEGINS_WITH /* S and B only: sk starts with value's bytes */
};

/*
 * A Query. partition_value and the sort values are typed attribute values
 * ({"S": "x"}) of the table's (or index's) key types; all borrowed.
 * exclusive_start_key: NULL, or for the table its key, for an index the
 * index's key attributes plus the table's (DynamoDB's LastEvaluatedKey
 * shape). limit: items read at most (Limit; 0 = no count limit).
 */
struct store_query {
    const char *table;
    const char *index; /* NULL: the table itself */
    const json_t *partition_value;
    enum store_sort_op sort_op;
    const json_t *sort_value;
    const json_t *sort_value2; /* BETWEEN's upper bound */
    int forward;               /* ScanIndexForward: 1 ascending */
    const json_t *exclusive_start_key;
    size_t limit;
    enum store_last_key_rule last_key_rule;
};

/*
 * Run one page of a Query: the items (or, for an index, the index entries)
 * with the partition value and a sort key meeting the condition, in sort key
 * order (numbers numerically, S and B by bytes; an index's ties by the
 * table key), descending when not forward, after exclusive_start_key, at
 * most limit of them and at most STORE_PAGE_MAX_BYTES of their sizes (an
 * item that would cross it starts the next page). The page is read from one
 * snapshot. Filters are the caller's: they apply after this, as DynamoDB
 * applies FilterExpression after Limit and the 1 MB cap. A page costs the
 * same wherever exclusive_start_key lies (one seek, on the tighter of the
 * key and the range bound on its side), as does a page of
 * store_scan_segment.
 *
 * *items receives a new reference to an array of typed items; for an index,
 * each projected as the index's projection says (ALL: the whole item). A
 * page may be empty. *last_key receives a new reference to the key of the
 * page's last item (for an index, index and table key attributes) when the
 * last_key_rule says, else NULL.
 *
 * Errors: ERR_NOT_FOUND (no table), ERR_BAD_REQUEST ("The table does not
 * have the specified index: <name>", as DynamoDB; a value of the
 * wrong type: "One or more parameter values were invalid: Condition
 * parameter type does not match schema type"; a sort condition without a
 * sort key: "Query key condition not supported"; BEGINS_WITH on N; BETWEEN
 * with value > value2: "Invalid KeyConditionExpression: The BETWEEN
 * operator requires upper bound to be greater than or equal to lower bound";
 * a start key of the wrong shape: "The provided starting key is invalid: ...";
 * a start key of another partition: "The provided starting key is outside
 * query boundaries based on provided conditions", as DynamoDB),
 * ERR_UNAVAILABLE; *items and *last_key are NULL after a failure.
 */
int store_query(struct store *s, const struct store_query *q, json_t **items,
                json_t **last_key, struct err *err);

/*
 * The SQLite virtual machine steps that store_query and store_scan_segment
 * have run on s since it opened: a deterministic measure of what reading
 * pages costs, which grows with every row a page visits (kept or passed
 * over), so that tests and benchmarks can compare two pages without a
 * clock. Any thread; relaxed (a read beside pages in flight may miss them).
 */
unsigned long long store_read_steps(struct store *s);

/* DynamoDB's TotalSegments limit for a parallel Scan. */
#define STORE_TOTAL_SEGMENTS_MAX 1000000

/*
 * A Scan of the DynamoDB face. total_segments 0 or 1 reads everything;
 * else 1..STORE_TOTAL_SEGMENTS_MAX and segment < total_segments (parallel
 * scan: every item, or index entry, belongs to exactly one segment).
 * exclusive_start_key as in struct store_query; limit as there.
 */
struct store_scan_request {
    const char *table;
    const char *index; /* NULL: the table itself */
    unsigned segment;
    unsigned total_segments;
    const json_t *exclusive_start_key;
    size_t limit;
    enum store_last_key_rule last_key_rule;
};

/*
 * One page of a Scan, with the same outputs, caps, snapshot and errors as
 * store_query (ERR_BAD_REQUEST also for a bad segment pair). Items come in
 * the order of a hash of the partition key (then the key), as DynamoDB's
 * Scan: not in key order, but stable, so exclusive_start_key resumes. For
 * an index, entries are projected. store_scan remains the REST face's
 * key-ordered scan.
 */
int store_scan_segment(struct store *s, const struct store_scan_request *r,
                       json_t **items, json_t **last_key, struct err *err);

/* --- transactions and batches -------------------------------------------- */

/* DynamoDB's limit on actions in TransactWriteItems / TransactGetItems (and
 * on keys in BatchGetItem). */
#define STORE_TRANSACT_MAX 100

/*
 * One action of store_transact: the item at key (a typed key object) in
 * table, decided by fn(ctx, ...) as in store_mutate_item. With check_only
 * (a ConditionCheck) fn only decides: it must leave *new_item NULL and the
 * item is not written. All borrowed.
 */
struct store_write_op {
    const char *table;
    const json_t *key;
    store_mutate_fn *fn;
    void *ctx;
    int check_only;
};

/*
 * TransactWriteItems: n (1..STORE_TRANSACT_MAX) actions in one IMMEDIATE
 * transaction, all or nothing. Keys are checked first (ERR_NOT_FOUND,
 * ERR_BAD_REQUEST as store_get_item; two actions on one item:
 * ERR_BAD_REQUEST "Transaction request cannot include multiple operations on
 * one item"); then every action's current item is read and its fn called,
 * in order, all of them even after one fails, so that each action's reason
 * is known; each new item is checked as store_mutate_item checks it. If
 * every action succeeded, all writes (with their index entries) are made and
 * committed, and 0 is returned.
 *
 * Cancellation: if any fn failed, or any new item was refused
 * (ERR_BAD_REQUEST, DynamoDB's ValidationError reason), nothing is written,
 * reasons[i] (an array of n, may be NULL) receives action i's error
 * (ERR_NONE for the actions that passed), and -1 is returned with err
 * ERR_CONFLICT and DynamoDB's message "Transaction cancelled, please refer
 * cancellation reasons for specific reasons [ConditionalCheckFailed,
 * None]" (each action's err_reason_code): DynamoDB's
 * TransactionCanceledException with CancellationReasons. Any other failure
 * returns -1 with err of another kind, reasons all ERR_NONE, nothing written.
 * fn must not call the store.
 */
int store_transact(struct store *s, const struct store_write_op *ops, size_t n,
                   struct err *reasons, struct err *err);

/* One key to read with store_get_items: all borrowed. */
struct store_read_op {
    const char *table;
    const json_t *key;
};

/*
 * TransactGetItems and BatchGetItem: read n (1..STORE_TRANSACT_MAX) items,
 * possibly of several tables, from one snapshot. items is an array of n:
 * items[i] receives a new reference to the item at ops[i], or NULL when
 * there is none. Errors: ERR_BAD_REQUEST (n out of range, a key as
 * store_get_item), ERR_NOT_FOUND, ERR_UNAVAILABLE; every items[i] is NULL
 * after a failure.
 */
int store_get_items(struct store *s, const struct store_read_op *ops, size_t n,
                    json_t **items, struct err *err);

/* --- Time to Live ----------------------------------------------------------
 */

/* DynamoDB does not delete items whose expiry is more than five years
 * before now (it treats the attribute as not a TTL timestamp). */
#define STORE_TTL_MAX_AGE_SECONDS (5.0 * 365 * 24 * 3600)

/*
 * Delete, in one transaction, up to max_items (0 = 1000) items of any table
 * whose TTL attribute value (see store_set_ttl) is at or before now (Unix
 * epoch seconds) and not more than STORE_TTL_MAX_AGE_SECONDS before it,
 * oldest expiry first, with their index entries. *deleted (if not NULL)
 * receives the count. Call it again while it deletes max_items. Unlike
 * DynamoDB (within days), an item goes as soon as a sweep runs after its
 * expiry; like DynamoDB, an expired item is still read until then (callers
 * may filter). Errors: ERR_UNAVAILABLE, nothing deleted.
 *
 * The store starts no thread: main owns the sweeper (a thread calling this
 * about once a second, with its own struct err), so that start and orderly
 * stop stay in one place. It may run alongside any other call.
 */
int store_sweep_expired(struct store *s, double now, size_t max_items,
                        size_t *deleted, struct err *err);

/* --- fault injection (a test seam) -------------------------------------- */

/* The name of the VFS store_fault_install registers. */
#define STORE_FAULT_VFS "crudd-fault"

/*
 * Make the disk fail under every store opened from now on in this process,
 * on demand, for durability tests (src/DESIGN.md, house style: faults through
 * explicit seams). Registers an SQLite VFS named STORE_FAULT_VFS, which the
 * store then opens its databases with: it forwards every call to the store's
 * own VFS ("unix-excl", see store_impl.h), except that before
 * each write, sync or truncate of any file it reads the file at
 * control_path (copied; it need not exist) and, by its first word:
 *
 *   "full"      writes fail with SQLITE_FULL ("database or disk is full")
 *   "ioerr"     writes, syncs and truncations fail with SQLITE_IOERR_WRITE,
 *               _FSYNC, _TRUNCATE ("disk I/O error")
 *   "readonly"  writes and truncations fail with SQLITE_READONLY ("attempt
 *               to write a readonly database")
 *   "fsync"     syncs alone fail with SQLITE_IOERR_FSYNC ("disk I/O error")
 *   anything else, or no file: no fault
 *
 * A faulted call writes nothing; reads, opens and locks are never faulted,
 * so reads go on working while a fault lasts. Removing the file (or
 * writing anything else into it) ends the fault at the next call. Each
 * faulted write fails with ERR_UNAVAILABLE as a real one would (see the
 * store's errors above) and leaves nothing visible; the store needs no
 * restart once the fault ends. An in-memory database has no file to fail.
 *
 * "fsync" shows the one ambiguity of a failing disk: a commit whose WAL
 * frames were written but not synced fails (ERR_UNAVAILABLE, invisible,
 * not acknowledged), yet if the process dies before its next commit
 * overwrites those frames, SQLite's WAL recovery may find the write, whole,
 * after a restart. As with DynamoDB's 500, such a write's outcome is
 * unknown; it is never half there.
 *
 * Call it before store_open (connections already open keep their VFS).
 * Calling it again only changes the control path. Costs an open() and a
 * read() per write: for tests, never for production. Returns 0, or -1 with
 * ERR_UNAVAILABLE when SQLite cannot register the VFS (nothing changed
 * then). Any thread; not concurrently with store_open.
 */
int store_fault_install(const char *control_path, struct err *err);

/* --- usage plan quota counters (store_usage.c) ---------------------------- */

/*
 * One API key's quota counter in one usage plan (table usage_quota):
 * period_start is the start of the counter's period (seconds since the
 * Unix epoch, UTC) and used the requests counted in it. plan and api_key
 * are borrowed for the call. The counting is usage's (in memory); these
 * calls only keep the rows, so that counters survive a restart.
 */
struct store_quota_count {
    const char *plan;
    const char *api_key;
    long long period_start;
    unsigned long long used;
    int found; /* set by store_quota_load: 1 when the row exists */
};

/*
 * Write the n counters (plan, api_key, period_start, used), each replacing
 * the row of its (plan, api_key), in one transaction on the writer thread
 * (durable as any write once it returns 0). n 0 writes nothing. Returns 0,
 * or -1 with ERR_UNAVAILABLE and nothing written. Any thread.
 */
int store_quota_save(struct store *s, const struct store_quota_count *counts,
                     size_t n, struct err *err);

/*
 * Read the n counters named by their plan and api_key, from one snapshot:
 * each gets found 1 with its period_start and used, or found 0 with both 0.
 * Returns 0, or -1 with ERR_UNAVAILABLE (every found is then 0). Any
 * thread.
 */
int store_quota_load(struct store *s, struct store_quota_count *counts,
                     size_t n, struct err *err);

#endif
