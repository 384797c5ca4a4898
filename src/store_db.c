/*
 * store_db — the store's SQLite layer: the prepared statements every
 * connection keeps, opening and closing a connection (with the embedded
 * schema and its migrations, and the SQL functions they use), the pool of
 * connections and the schema lock, and the small SQLite helpers the other
 * parts share. It knows nothing of tables or items beyond the SQL; it calls
 * only store_key (the SQL functions' hashes) and store_fault (the VFS).
 */
#include "store_impl.h"
#include "log.h"
#include "xalloc.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* schema.sql, turned into a C string by the Makefile (build/schema.c). */
extern const char schema_sql[];

/* Only the writer thread writes, and no other process can open the
 * database while crudd has it (STORE_VFS), so nothing should wait for
 * SQLite's write lock; these are a guard all the same. BEGIN IMMEDIATE
 * attempts, each waiting up to BUSY_TIMEOUT_MS: only a lock held for a
 * minute makes a write fail. */
#define BUSY_TIMEOUT_MS 10000
#define BUSY_RETRIES 6
/* How long the first connection waits for another process to let go of
 * the database at start (one that is just exiting) before crudd gives up
 * and says who holds it. */
#define START_BUSY_MS 2000

/* The line that opens schema.sql's migration from version N. */
#define MIGRATE_TAG "\n-- @migrate "

static const char *const statements[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT job",
    [ST_RELEASE] = "RELEASE job",
    [ST_ROLLBACK_TO] = "ROLLBACK TO job",
    [ST_TABLE_GET] = "SELECT id, pk_name, pk_type, sk_name, sk_type,"
                     " ttl_attr, created_at FROM tables WHERE name = ?1",
    [ST_TABLE_PUT] = "INSERT INTO tables (name, pk_name, pk_type, sk_name,"
                     " sk_type) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_INDEXES_GET] = "SELECT id, name, kind, pk_name, pk_type, sk_name,"
                       " sk_type, projection, non_key FROM indexes"
                       " WHERE table_id = ?1 ORDER BY id",
    [ST_ITEM_GET] = "SELECT item, etag, size FROM items"
                    " WHERE table_id = ?1 AND pk = ?2 AND sk = ?3",
    [ST_ITEM_PUT] = "INSERT OR REPLACE INTO items"
                    " (table_id, pk, sk, item, etag, size, seg, expires)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_ITEM_DEL] = "DELETE FROM items"
                    " WHERE table_id = ?1 AND pk = ?2 AND sk = ?3",
    [ST_ENTRY_PUT] = "INSERT OR REPLACE INTO index_entries"
                     " (index_id, ipk, isk, pk, sk, seg, item, size)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_ENTRY_DEL] = "DELETE FROM index_entries WHERE index_id = ?1"
                     " AND ipk = ?2 AND isk = ?3 AND pk = ?4 AND sk = ?5",
    [ST_SCAN_FIRST] = "SELECT item, size FROM items WHERE table_id = ?1"
                      " ORDER BY pk, sk",
    /* A row-value comparison, so SQLite seeks the primary key index. */
    [ST_SCAN_AFTER] = "SELECT item, size FROM items WHERE table_id = ?1"
                      " AND (pk, sk) > (?2, ?3) ORDER BY pk, sk",
};

/* --- SQLite helpers ----------------------------------------------------- */

/* The client gets what went wrong in SQLite's words ("database or disk is
 * full", "disk I/O error", "attempt to write a readonly database"); the
 * operator also gets the step that failed and the extended code. */
int store_db_fail(struct err *err, sqlite3 *db, const char *what)
{
    const char *msg = sqlite3_errmsg(db);

    log_warn("store: %s: %s (SQLite error %d)", what, msg,
             sqlite3_extended_errcode(db));
    return err_set(err, ERR_UNAVAILABLE, "%s: %s",
                   err_default_message(ERR_UNAVAILABLE), msg);
}

/* Make st ready for its next use. Bindings point at the caller's buffers
 * (SQLITE_STATIC), so clear them before those buffers go away. */
void store_finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Step a statement that returns no rows we want, then finish it. */
int store_run(struct conn *c, int which, const char *what, struct err *err)
{
    sqlite3_stmt *st = c->st[which];
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        store_db_fail(err, c->db, what);
    store_finish(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The busy handler waits BUSY_TIMEOUT_MS; retrying on top of it means that
 * writers in this process queue up rather than ever seeing SQLITE_BUSY. */
int store_begin(struct conn *c, struct err *err)
{
    sqlite3_stmt *st = c->st[ST_BEGIN];

    for (int tries = 1;; tries++) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            store_finish(st);
            return 0;
        }
        if ((rc & 0xff) != SQLITE_BUSY || tries == BUSY_RETRIES) {
            store_db_fail(err, c->db, "begin");
            store_finish(st);
            return -1;
        }
        store_finish(st);
    }
}

/* Roll back if a transaction is still open: SQLite ends it by itself after
 * some errors (SQLITE_FULL, SQLITE_IOERR), and a second ROLLBACK would fail. */
void store_rollback(struct conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        store_run(c, ST_ROLLBACK, "rollback", NULL);
}

void store_bind_blob(sqlite3_stmt *st, int i, const struct buf *b)
{
    /* A NULL pointer would bind SQL NULL; "" binds the empty blob. */
    sqlite3_bind_blob(st, i, b->len ? b->data : "", (int)b->len, SQLITE_STATIC);
}
sqlite3_stmt *store_prepare(struct conn *c, const char *sql, struct err *err)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL)) {
        store_db_fail(err, c->db, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int store_begin_read(struct conn *c, struct err *err)
{
    return store_run(c, ST_BEGIN_READ, "begin", err);
}

/* --- schema ------------------------------------------------------------- */

static int schema_version(void)
{
    static const char tag[] = "PRAGMA user_version = ";
    const char *p = strstr(schema_sql, tag);

    assert(p && "schema.sql must set PRAGMA user_version");
    return atoi(p + sizeof tag - 1);
}

/* schema.sql's migration from version `from` (a new string), or NULL when
 * it has none; the full schema (everything before the first migration) for
 * from 0. */
static char *schema_part(int from)
{
    const char *first = strstr(schema_sql, MIGRATE_TAG), *p = first, *end;

    if (from == 0)
        return first ? xstrndup(schema_sql, (size_t)(first - schema_sql))
                     : xstrdup(schema_sql);
    for (; p; p = strstr(p + 1, MIGRATE_TAG)) {
        const char *num = p + strlen(MIGRATE_TAG);
        const char *body = num + strspn(num, "0123456789");
        if (atoi(num) == from && *body == '\n') {
            end = strstr(body, MIGRATE_TAG);
            return end ? xstrndup(body, (size_t)(end - body)) : xstrdup(body);
        }
    }
    return NULL;
}

static int user_version(sqlite3 *db, int *version, struct err *err)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL))
        return store_db_fail(err, db, "schema");
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_db_fail(err, db, "schema");
        sqlite3_finalize(st);
        return -1;
    }
    *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int exec_part(sqlite3 *db, int from, struct err *err)
{
    char *sql = schema_part(from);
    int rc;

    if (!sql)
        return err_set(err, ERR_UNAVAILABLE,
                       "schema.sql has no migration from version %d", from);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    free(sql);
    return rc ? store_db_fail(err, db, "schema") : 0;
}

/* Bring the database to schema.sql's version in one transaction (see the
 * comments at its top): the migrations from its version up, then the full,
 * idempotent schema. The version is read again inside the transaction so
 * that two processes opening a file at once apply it once. */
static int apply_schema(sqlite3 *db, struct err *err)
{
    int want = schema_version(), have;

    if (user_version(db, &have, err))
        return -1;
    if (have == want)
        return 0;
    if (have < want && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
        return store_db_fail(err, db, "schema");
    if (have < want && user_version(db, &have, err))
        goto fail;
    if (have > want) {
        err_set(err, ERR_UNAVAILABLE,
                "database schema version %d is newer than this crudd's (%d)",
                have, want);
        goto fail;
    }
    for (int v = have; v > 0 && v < want; v++)
        if (exec_part(db, v, err))
            goto fail;
    if (have < want && exec_part(db, 0, err))
        goto fail;
    if (!sqlite3_get_autocommit(db) &&
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) {
        store_db_fail(err, db, "schema");
        goto fail;
    }
    return 0;
fail:
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* SQL crudd_segment(pk): the scan segment hash, for migrations. */
static void sql_segment(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const void *p = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);

    (void)argc;
    sqlite3_result_int64(ctx, store_segment_hash(p ? p : "", (size_t)n));
}

/* SQL crudd_expiry(item, attr): the item's TTL expiry or NULL, so that
 * UpdateTimeToLive sets every item's in one UPDATE. */
static void sql_expiry(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    const char *attr = (const char *)sqlite3_value_text(argv[1]);
    json_t *item;
    double at;

    (void)argc;
    if (!text || !attr ||
        !(item = json_loadb(text, (size_t)sqlite3_value_bytes(argv[0]),
                            JSON_ALLOW_NUL, NULL))) {
        sqlite3_result_null(ctx);
        return;
    }
    if (store_item_expiry(item, attr, &at))
        sqlite3_result_double(ctx, at);
    else
        sqlite3_result_null(ctx);
    json_decref(item);
}

/* --- connections -------------------------------------------------------- */

/* A failed step of opening path on db: ERR_UNAVAILABLE with SQLite's
 * message, or for SQLITE_BUSY, what it means under STORE_VFS. */
static int open_fail(sqlite3 *db, const char *path, struct err *err)
{
    if (sqlite3_errcode(db) == SQLITE_BUSY)
        return err_set(err, ERR_UNAVAILABLE,
                       "%s is in use by another process (crudd keeps its "
                       "database to itself while it runs): stop that "
                       "process, or give this crudd another --db",
                       path);
    return err_set(err, ERR_UNAVAILABLE, "%s: %s", path, sqlite3_errmsg(db));
}

/* On failure c->db may be set and some statements prepared: conn_close
 * releases whatever is there. */
int store_conn_open(struct conn *c, const char *path,
                    enum store_durability durability, int first,
                    struct err *err)
{
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int fn_flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    const char *sync = durability == STORE_DURABILITY_FULL
                           ? "PRAGMA synchronous = FULL"
                           : "PRAGMA synchronous = NORMAL";

    if (sqlite3_open_v2(path, &c->db, flags, store_vfs_name())) {
        if (!c->db)
            return err_set(err, ERR_UNAVAILABLE, "%s: out of memory", path);
        return open_fail(c->db, path, err);
    }
    /* the first connection takes the process's lock on the file */
    sqlite3_busy_timeout(c->db, first ? START_BUSY_MS : BUSY_TIMEOUT_MS);
    if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) ||
        sqlite3_exec(c->db, sync, NULL, NULL, NULL) ||
        sqlite3_create_function(c->db, "crudd_segment", 1, fn_flags, NULL,
                                sql_segment, NULL, NULL) ||
        sqlite3_create_function(c->db, "crudd_expiry", 2, fn_flags, NULL,
                                sql_expiry, NULL, NULL))
        return open_fail(c->db, path, err);
    if (first && apply_schema(c->db, err))
        return -1;
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(c->db, statements[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL))
            return err_set(err, ERR_UNAVAILABLE, "%s: %s", path,
                           sqlite3_errmsg(c->db));
    return 0;
}

void store_conn_close(struct conn *c)
{
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    /* The last connection to close checkpoints the WAL into the file. */
    sqlite3_close(c->db);
}

/* The connection this thread had last, of the store with serial serial:
 * while it is free, the thread takes it again with one atomic operation,
 * and with as many connections as threads that read, each thread keeps
 * its own and no reader waits on a lock. The serial, not the address,
 * names the store: another may be opened where a closed one was. */
static _Thread_local struct {
    unsigned long serial;
    struct conn *c;
} last;

static int claim(struct conn *c)
{
    int free_ = 0;
    return atomic_compare_exchange_strong(&c->busy, &free_, 1);
}

struct conn *store_borrow(struct store *s)
{
    struct conn *c = NULL;

    /* not while others wait: they would starve behind a busy thread */
    if (last.serial == s->serial && !atomic_load(&s->waiting) && claim(last.c))
        return last.c;
    pthread_mutex_lock(&s->pool_lock);
    /* counted before looking, so that store_give_back either frees a
     * connection this loop sees or sees this thread waiting */
    atomic_fetch_add(&s->waiting, 1);
    for (;;) {
        for (unsigned i = 0; i < s->nconn && !c; i++)
            if (claim(&s->conns[i]))
                c = &s->conns[i];
        if (c)
            break;
        pthread_cond_wait(&s->pool_cond, &s->pool_lock);
    }
    atomic_fetch_sub(&s->waiting, 1);
    pthread_mutex_unlock(&s->pool_lock);
    last.serial = s->serial;
    last.c = c;
    return c;
}

void store_give_back(struct store *s, struct conn *c)
{
    atomic_store(&c->busy, 0);
    if (atomic_load(&s->waiting)) {
        pthread_mutex_lock(&s->pool_lock);
        pthread_cond_signal(&s->pool_cond);
        pthread_mutex_unlock(&s->pool_lock);
    }
}

void store_lock(struct store *s, int exclusive)
{
    if (exclusive)
        pthread_rwlock_wrlock(&s->schema_lock);
    else
        pthread_rwlock_rdlock(&s->schema_lock);
}

void store_unlock(struct store *s)
{
    pthread_rwlock_unlock(&s->schema_lock);
}

struct conn *store_enter(struct store *s, int exclusive)
{
    store_lock(s, exclusive);
    return store_borrow(s);
}

void store_leave(struct store *s, struct conn *c)
{
    store_give_back(s, c);
    store_unlock(s);
}

char *store_column_dup(sqlite3_stmt *st, int i)
{
    const char *p = (const char *)sqlite3_column_text(st, i);
    return p ? xstrdup(p) : NULL;
}

const char *store_column_bytes(sqlite3_stmt *st, int i, size_t *len)
{
    const char *p;

    *len = 0;
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    p = sqlite3_column_blob(st, i);
    *len = (size_t)sqlite3_column_bytes(st, i);
    return p ? p : ""; /* NULL for a zero-length value */
}
