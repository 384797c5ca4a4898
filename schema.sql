-- crudd schema: DynamoDB-like tables and items in one SQLite database.
--
-- Embedded into the binary at build time (build/schema.c) and applied by
-- store_open in one transaction when the database's user_version is lower
-- than the version set at the end of this file. Every statement is
-- idempotent, so applying it twice is harmless.

-- One row per DynamoDB table: its name and key schema. Key types are 'S',
-- 'N' or 'B'; a table without a sort key has sk_name and sk_type NULL.
CREATE TABLE IF NOT EXISTS tables (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    pk_name    TEXT    NOT NULL,
    pk_type    TEXT    NOT NULL CHECK (pk_type IN ('S', 'N', 'B')),
    sk_name    TEXT,
    sk_type    TEXT    CHECK (sk_type IN ('S', 'N', 'B')),
    -- Unix time in seconds, as DynamoDB's CreationDateTime.
    created_at REAL    NOT NULL
        DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
    CHECK ((sk_name IS NULL) = (sk_type IS NULL))
);

-- One row per item. pk and sk hold the key values in an order-preserving
-- encoding (see store.c), so that the primary key's BLOB (memcmp) order is
-- DynamoDB's key order; sk is empty for a table without a sort key. WITHOUT
-- ROWID clusters the rows by key: a point read is one B-tree descent and a
-- scan reads rows in key order with no separate index.
CREATE TABLE IF NOT EXISTS items (
    table_id INTEGER NOT NULL REFERENCES tables (id),
    pk       BLOB    NOT NULL,
    sk       BLOB    NOT NULL DEFAULT x'',
    -- The typed item (DynamoDB AttributeValue JSON), compact.
    item     TEXT    NOT NULL,
    -- 16 hex digits of FNV-1a 64 over item, kept so a read needs no hashing.
    etag     TEXT    NOT NULL,
    -- attr_item_size of the item, so a scan can cut 1 MB pages unparsed.
    size     INTEGER NOT NULL,
    PRIMARY KEY (table_id, pk, sk)
) WITHOUT ROWID;

PRAGMA user_version = 1;
