-- crudd schema: DynamoDB-like tables, items and secondary indexes in one
-- SQLite database.
--
-- Embedded into the binary at build time (build/schema.c) and applied by
-- store_open in one transaction when the database's user_version is lower
-- than the version set by the first PRAGMA user_version below.
--
-- Layout of this file, and how a database gets to the current version:
--
--   * First, the full current schema. Every statement in it is idempotent
--     (IF NOT EXISTS), so running it over an older database creates what is
--     missing and leaves what exists alone. It ends by setting user_version.
--   * Then one section per older version N, opened by a line that is exactly
--     "-- @migrate N", holding what CREATE ... IF NOT EXISTS cannot do: the
--     ALTER TABLE steps that bring the tables of version N to the shape of
--     version N + 1, and the UPDATEs that fill the new columns.
--
-- store_open, inside one IMMEDIATE transaction, runs "-- @migrate N" for
-- every N from the database's version up to the current one (a new database,
-- version 0, runs none), then the full schema. A failure anywhere rolls all
-- of it back. The store registers the SQL function crudd_segment(pk) (the
-- item's scan segment hash, see below) on every connection before this runs.

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
    -- The Time to Live attribute (UpdateTimeToLive), NULL when disabled.
    ttl_attr   TEXT,
    CHECK ((sk_name IS NULL) = (sk_type IS NULL))
);

-- One row per item. pk and sk hold the key values in an order-preserving
-- encoding (see store_key.c), so that the primary key's BLOB (memcmp) order
-- is DynamoDB's key order; sk is empty for a table without a sort key.
-- WITHOUT ROWID clusters the rows by key: a point read is one B-tree descent
-- and a scan reads rows in key order with no separate index.
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
    -- crudd_segment(pk): FNV-1a 32 of the encoded partition key, 0 to
    -- 2^32 - 1. Parallel scan segment i of n is the range
    -- [ceil(i * 2^32 / n), ceil((i + 1) * 2^32 / n)), so every item is in
    -- exactly one segment, and a segment is a range of items_by_segment.
    seg      INTEGER NOT NULL DEFAULT 0,
    -- The item's Time to Live attribute value (epoch seconds) when its table
    -- has one and the item holds it as an N; else NULL.
    expires  REAL,
    PRIMARY KEY (table_id, pk, sk)
) WITHOUT ROWID;

-- Scan order for the DynamoDB face: by partition key hash, as DynamoDB's.
CREATE INDEX IF NOT EXISTS items_by_segment ON items (table_id, seg, pk, sk);

-- The TTL sweeper reads expired items oldest first.
CREATE INDEX IF NOT EXISTS items_by_expiry ON items (expires)
    WHERE expires IS NOT NULL;

-- One row per secondary index. kind 'GLOBAL' has its own partition key,
-- 'LOCAL' the table's partition key and another sort key. non_key is a JSON
-- array of attribute names for projection 'INCLUDE', else NULL.
CREATE TABLE IF NOT EXISTS indexes (
    id         INTEGER PRIMARY KEY,
    table_id   INTEGER NOT NULL REFERENCES tables (id),
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('GLOBAL', 'LOCAL')),
    pk_name    TEXT    NOT NULL,
    pk_type    TEXT    NOT NULL CHECK (pk_type IN ('S', 'N', 'B')),
    sk_name    TEXT,
    sk_type    TEXT    CHECK (sk_type IN ('S', 'N', 'B')),
    projection TEXT    NOT NULL
        CHECK (projection IN ('ALL', 'KEYS_ONLY', 'INCLUDE')),
    non_key    TEXT,
    UNIQUE (table_id, name),
    CHECK ((sk_name IS NULL) = (sk_type IS NULL))
);

-- One row per item that has an index's key attributes with the index's
-- types (a sparse index). ipk and isk are the index key values and pk and sk
-- the table's, all in the items encoding, so the primary key order is the
-- index's order (ties broken by the table key, for stable pages). item is
-- the projected item and size its attr_item_size; seg is crudd_segment(ipk).
CREATE TABLE IF NOT EXISTS index_entries (
    index_id INTEGER NOT NULL REFERENCES indexes (id),
    ipk      BLOB    NOT NULL,
    isk      BLOB    NOT NULL DEFAULT x'',
    pk       BLOB    NOT NULL,
    sk       BLOB    NOT NULL DEFAULT x'',
    seg      INTEGER NOT NULL,
    item     TEXT    NOT NULL,
    size     INTEGER NOT NULL,
    PRIMARY KEY (index_id, ipk, isk, pk, sk)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS index_entries_by_segment
    ON index_entries (index_id, seg, ipk, isk, pk, sk);

-- One row per API key of a usage plan with a quota: the requests counted
-- in the key's current quota period, which starts at period_start (Unix
-- time in seconds, UTC: 00:00 of a day, of a Monday, of the 1st of a
-- month). Counting happens in memory (usage.c); the counters are saved
-- here about once a second and at a graceful stop, and read back at start,
-- so that a restart does not hand every key a fresh quota. api_key is the
-- key's name in the configuration, never its secret value.
CREATE TABLE IF NOT EXISTS usage_quota (
    plan         TEXT    NOT NULL,
    api_key      TEXT    NOT NULL,
    period_start INTEGER NOT NULL,
    used         INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (plan, api_key)
) WITHOUT ROWID;

PRAGMA user_version = 3;

-- @migrate 1
-- Version 1 had tables and items only: add the TTL attribute, the scan
-- segment and the expiry columns (the full schema above then creates the
-- indexes and the secondary index tables).
ALTER TABLE tables ADD COLUMN ttl_attr TEXT;
ALTER TABLE items ADD COLUMN seg INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN expires REAL;
UPDATE items SET seg = crudd_segment(pk);

-- @migrate 2
-- Version 2 had no usage plans: the full schema above creates usage_quota,
-- and nothing else changes.
