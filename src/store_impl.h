/*
 * store_impl — the private parts shared by src/store*.c: connections and
 * their prepared statements, the table cache, the key encoding and the one
 * write path that keeps items and index entries in step. Not a public
 * header: nothing outside src/store*.c includes it.
 *
 * Calls point one way: down the map of the store's files at the top of
 * include/store.h, a file calling only the files above it. The sections
 * below follow it and name the file that defines each declaration.
 *
 * Writes: one thread, the writer (store_writer.c), owns the only
 * connection that writes; every write is a job run there (store_write),
 * several to a transaction (group commit). Reads borrow a connection from
 * the pool, each thread the one it had last when it is free (no lock
 * then). For ":memory:" there is one connection: the writer borrows it
 * from the pool for each transaction like a reader.
 *
 * Locking: s->schema_lock is held shared by every call that reads or writes
 * items (for its whole duration: around borrow/give_back, or while its job
 * waits for the writer) and exclusively by the calls that change a table's
 * definition (create, delete, update, TTL). So a struct table from the
 * cache, borrowed under the shared lock, cannot change or be freed while it
 * is used, and a write always maintains the indexes the table has at commit
 * time; a table change's job is alone in its transaction. The writer thread
 * never takes the schema lock (its callers hold it for it). Order:
 * schema_lock, then writer_lock or a connection, then tables_lock.
 */
#ifndef CRUDD_STORE_IMPL_H
#define CRUDD_STORE_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "store.h"

#define STORE_MSG_KEY_SCHEMA                                                   \
    "The provided key element does not match the schema"
#define STORE_MSG_INVALID "One or more parameter values were invalid: "
#define STORE_MSG_NO_TABLE "Requested resource not found"

/* The writer's automatic checkpoint: run in the commit that takes the WAL
 * past this many pages (SQLite's default is 1000). A checkpoint stalls the
 * writes queued behind that commit; measured here with POST /items at 32
 * connections: 1000 pages 11.8-13.8k writes/s with p99 9.5-10.8 ms, 750
 * pages 12.8-13.6k with p99 8.0-9.0 ms, 500 pages 12.2-13.3k with p99
 * 6.7-7.2 ms, 4000 pages more writes but p99 past 20 ms. */
#define STORE_CHECKPOINT_PAGES "750"

/* Statements every connection keeps prepared (statements[] in
 * store_db.c). */
enum {
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_TABLE_GET,
    ST_TABLE_PUT,
    ST_INDEXES_GET,
    ST_ITEM_GET,
    ST_ITEM_PUT,
    ST_ITEM_DEL,
    ST_ENTRY_PUT,
    ST_ENTRY_DEL,
    ST_SCAN_FIRST,
    ST_SCAN_AFTER,
    ST_COUNT
};

/* One SQLite connection with its prepared statements; used by one thread at
 * a time (it is opened SQLITE_OPEN_NOMUTEX). */
struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    atomic_int busy; /* 1 while borrowed (store_borrow) */
    size_t written;  /* bytes of items written (store_item_store), for
                        the writer's batch cap */
};

/* A secondary index, as loaded from the indexes table. */
struct index {
    int64_t id;
    char *name;
    enum store_index_kind kind;
    char *pk_name;
    char *sk_name; /* NULL when the index has no sort key */
    char pk_type;
    char sk_type;
    enum store_projection projection;
    char **non_key; /* INCLUDE's attribute names */
    size_t nnon_key;
};

/* A table's metadata. Cached entries are replaced (never changed in place)
 * under the exclusive schema_lock. */
struct table {
    int64_t id;
    char *name;
    char *pk_name;
    char *sk_name; /* NULL when the table has no sort key */
    char pk_type;
    char sk_type;
    char *ttl_attr; /* NULL when TTL is disabled */
    double created_at;
    struct index *indexes;
    size_t nindexes;
};

/*
 * A write, run on the writer thread inside a transaction the writer owns
 * (the job neither begins nor commits; the writer may run other jobs in the
 * same transaction, each in its own savepoint). c is the write connection.
 * Returns 0, or -1 with err set: everything the job wrote is then rolled
 * back, and nothing else.
 */
typedef int store_job_fn(struct store *s, struct conn *c, void *arg,
                         struct err *err);

/* A queued write: lives on its caller's stack until done. */
struct job {
    store_job_fn *fn;
    void *arg;
    int rc;
    struct err err;
    sem_t done; /* posted by the writer once rc and err are final */
    struct job *next;
};

struct store {
    unsigned long serial; /* unique in the process, unlike the address */
    /* The pool: a connection is free when its busy flag is 0. Taking one
     * is a compare-and-swap; pool_lock and pool_cond only serve threads
     * that find none free (counted in waiting, so that one giving back
     * knows to wake them). */
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    atomic_int waiting;
    struct conn *conns; /* nconn of them */
    unsigned nconn;

    pthread_rwlock_t schema_lock;

    pthread_mutex_t tables_lock;
    struct table **tables;
    size_t ntables;
    size_t tables_cap;

    enum store_commit commit;
    struct conn *writer_conn; /* NULL for ":memory:": the pool's one */
    pthread_t writer;
    int writer_running;
    pthread_mutex_t writer_lock;
    pthread_cond_t writer_wake;
    struct job *queue, *queue_tail; /* FIFO, under writer_lock */
    int writer_stop;
    /* Transactions the writer has run, written by the writer thread only
     * (before it wakes their jobs); for tests. */
    unsigned long transactions;
    /* SQLite VM steps of the DynamoDB face's pages (store_read_steps). */
    atomic_ullong read_steps;
};

/* --- SQLite helpers (store_db.c) ----------------------------------------- */

/* Set ERR_UNAVAILABLE "Service unavailable: <SQLite's message>" and log
 * "<what>: <message>" as a warning; returns -1. */
int store_db_fail(struct err *err, sqlite3 *db, const char *what);
/* Reset st and clear its bindings (they point at the caller's buffers). */
void store_finish(sqlite3_stmt *st);
/* Step statement which (no rows wanted) and finish it; 0 or -1. */
int store_run(struct conn *c, int which, const char *what, struct err *err);
/* BEGIN IMMEDIATE, waiting for other writers. */
int store_begin(struct conn *c, struct err *err);
/* BEGIN (deferred): a read snapshot from the first read to COMMIT. */
int store_begin_read(struct conn *c, struct err *err);
/* ROLLBACK if a transaction is open. */
void store_rollback(struct conn *c);
/* Bind b as a BLOB (SQLITE_STATIC; "" for an empty buffer, never NULL). */
void store_bind_blob(sqlite3_stmt *st, int i, const struct buf *b);
/* Prepare a one-off statement; NULL with ERR_UNAVAILABLE. */
sqlite3_stmt *store_prepare(struct conn *c, const char *sql, struct err *err);
char *store_column_dup(sqlite3_stmt *st, int i);
/* Column i of st's row as its bytes, without the NUL terminator that
 * sqlite3_column_text must copy the value into a fresh allocation to add:
 * a pointer into SQLite's page (valid until the next step, reset or
 * finalize of st) and *len its length; NULL (and *len 0) when the column
 * is SQL NULL. Text is returned as stored (UTF-8), not converted. */
const char *store_column_bytes(sqlite3_stmt *st, int i, size_t *len);

/* Open connection c on path (STORE_VFS or the fault VFS, WAL, durability's
 * synchronous, the SQL functions, every statement of statements[]); first:
 * this is the store's first connection, which applies the schema (one
 * IMMEDIATE transaction, migrations first). 0, or -1 with ERR_UNAVAILABLE;
 * c may then hold a half-open connection for store_conn_close. */
int store_conn_open(struct conn *c, const char *path,
                    enum store_durability durability, int first,
                    struct err *err);
/* Finalize c's statements and close it (the last one checkpoints). */
void store_conn_close(struct conn *c);

/* --- SQLite's process-wide layer (store_fault.c) ------------------------- */

/* The SQLite VFS the store opens databases with: "unix-excl", the unix VFS
 * that locks the database file exclusively for this process for as long as
 * it has the file open, and keeps the WAL index in this process's memory
 * instead of a shared -shm file (https://sqlite.org/vfs.html, "Standard
 * Unix VFSes"). Connections of this process share the database as usual
 * (WAL: readers beside the one writer); another process, a sqlite3 shell
 * included, gets "database is locked" until crudd exits. In exchange a read
 * transaction takes its WAL read lock in memory: with the shared -shm file
 * each one cost an fcntl() to lock and one to unlock, about 1 µs of a GET's
 * 12. crudd already assumed it was the database's only user (its table
 * cache, its usage counters). Its locks are "unix"'s, so a process using
 * the default VFS sees them. */
#define STORE_VFS "unix-excl"
/* The VFS name to open a database with: STORE_VFS, or once
 * store_fault_install has run, STORE_FAULT_VFS (which wraps STORE_VFS). */
const char *store_vfs_name(void);

/* SQLite's process-wide settings, once, before its first use (by
 * store_open_ex or store_fault_install): memory statistics off, since they
 * put every sqlite3_malloc of every thread behind one global mutex and
 * crudd never reads them (sqlite3_config, SQLITE_CONFIG_MEMSTATUS). */
void store_sqlite_setup(void);

/* --- the pool and the schema lock (store_db.c) -------------------------- */

/* Take the schema lock (shared or exclusive) and a connection. */
struct conn *store_enter(struct store *s, int exclusive);
/* Give the connection back and drop the schema lock. */
void store_leave(struct store *s, struct conn *c);
/* The schema lock alone (shared or exclusive), and its release. */
void store_lock(struct store *s, int exclusive);
void store_unlock(struct store *s);
/* Take a connection from the pool (waiting for one), and give it back. */
struct conn *store_borrow(struct store *s);
void store_give_back(struct store *s, struct conn *c);

/* --- the writer (store_writer.c) ----------------------------------------- */

/* Start the writer thread (s->commit and s->writer_conn set); 0, or -1
 * with ERR_UNAVAILABLE. */
int store_writer_start(struct store *s, struct err *err);
/* Run the jobs queued, then stop the writer thread. Harmless if it never
 * started. */
void store_writer_stop(struct store *s);
/* Run fn(s, c, arg, err) on the writer thread and return its result once
 * its transaction has committed (0), or -1 with err: fn's own error, or
 * ERR_UNAVAILABLE when the transaction could not commit. store_write holds
 * the schema lock shared meanwhile; store_write_locked is for a caller that
 * holds it already (exclusive, for a table change). Never call either from
 * a job or while holding a connection: the writer may need it. */
int store_write(struct store *s, store_job_fn *fn, void *arg, struct err *err);
int store_write_locked(struct store *s, store_job_fn *fn, void *arg,
                       struct err *err);

/* --- tables (store.c) ---------------------------------------------------- */

int store_valid_name(const char *name);
int store_valid_key_type(char type);
/* Read table name (with its indexes) from the database: 1 found (*out a new
 * table for store_table_free), 0 none, -1 failed. */
int store_table_load(struct conn *c, const char *name, struct table **out,
                     struct err *err);
void store_table_free(struct table *t);
/* Table name's metadata from the cache (loading it on a miss), borrowed
 * while the schema lock is held; NULL with ERR_NOT_FOUND or
 * ERR_UNAVAILABLE. */
const struct table *store_table_get(struct store *s, struct conn *c,
                                    const char *name, struct err *err);
/* Drop name from the cache; the exclusive schema lock must be held. */
void store_table_forget(struct store *s, const char *name);
/* The index named name of t, or NULL. */
const struct index *store_index_find(const struct table *t, const char *name);

/* --- keys (store_key.c) -------------------------------------------------- */

/* "S", "N" or "B" for a key type. */
const char *store_type_name(char type);
/* Append the encoding of key attribute value v (of type, named name, whose
 * value may take at most max bytes); ERR_BAD_REQUEST when it is not a
 * non-empty value of that type within max. */
int store_encode_value(struct buf *out, char type, const json_t *v,
                       const char *name, size_t max, struct err *err);
/* Check that key holds exactly t's key attributes, and encode them. */
int store_encode_key(const struct table *t, const json_t *key, struct buf *pk,
                     struct buf *sk, struct err *err);
/* Check that item holds t's key attributes with the values of (pk, sk). */
int store_check_item_key(const struct table *t, const json_t *item,
                         const struct buf *pk, const struct buf *sk,
                         struct err *err);
/* The key of item (a new reference), as a caller passes it back. */
json_t *store_key_of(const struct table *t, const json_t *item);
/* The key of an index entry: the index's key attributes and the table's (a
 * new reference), DynamoDB's LastEvaluatedKey for an index. */
json_t *store_index_key_of(const struct table *t, const struct index *ix,
                           const json_t *item);
/* FNV-1a 32 of n bytes: the scan segment hash (crudd_segment). */
uint32_t store_segment_hash(const void *p, size_t n);
/* Turn prefix into the smallest byte string greater than every string that
 * starts with it. Returns 0, or -1 when there is none (all bytes 0xff). */
int store_prefix_successor(struct buf *prefix);
/* The expiry (epoch seconds) of item under TTL attribute attr: 1 and *at
 * set when item holds attr as an N, else 0. */
int store_item_expiry(const json_t *item, const char *attr, double *at);

/* --- rows (store_item.c) ------------------------------------------------- */

/* Parse a stored item in column col (copied out: st may be reset after). */
json_t *store_item_decode(sqlite3_stmt *st, int col, struct err *err);
/* Read the item at (t, pk, sk): 0 with *item a new reference or NULL, and
 * etag its ETag or "". */
int store_item_read(struct conn *c, const struct table *t, const struct buf *pk,
                    const struct buf *sk, json_t **item,
                    char etag[STORE_ETAG_SIZE], struct err *err);
/* store_item_read without parsing: 0 with the row's text appended to text
 * and info filled (found 0 and text unchanged when there is no item). */
int store_item_read_text(struct conn *c, const struct table *t,
                         const struct buf *pk, const struct buf *sk,
                         struct buf *text, struct store_item_info *info,
                         struct err *err);

/* --- items and index entries (store_write.c) ----------------------------- */

/* Check that new_item may be written at (t, pk, sk): an object with the key,
 * within the size limit, index key attributes of the index's types.
 * ERR_BAD_REQUEST with DynamoDB's message. */
int store_item_check(const struct table *t, const struct buf *pk,
                     const struct buf *sk, const json_t *new_item,
                     struct err *err);
/* Inside a write transaction: replace old_item (NULL: none) at (t, pk, sk)
 * with new_item (NULL: delete), keeping t's index entries in step. etag
 * (if not NULL) receives the new ETag, "" after a delete. */
int store_item_store(struct conn *c, const struct table *t,
                     const struct buf *pk, const struct buf *sk,
                     const json_t *old_item, const json_t *new_item,
                     char etag[STORE_ETAG_SIZE], struct err *err);
/* Inside a write transaction: add the entries of index ix for every item
 * of t that has its key attributes (UpdateTable's backfill). Items whose
 * index key attributes have other types are left out, as DynamoDB does. */
int store_index_backfill(struct conn *c, const struct table *t,
                         const struct index *ix, struct err *err);

#endif
