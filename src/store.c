/*
 * store — DynamoDB-like tables and items on SQLite: the connection pool, the
 * embedded schema and its migrations, the table cache, and the point read,
 * single-item write and key-ordered scan. Other parts: store_key.c (key
 * encoding), store_write.c (the write path and index entries),
 * store_table.c (table definitions), store_read.c (Query and Scan pages),
 * store_txn.c (transactions, multi-get, TTL sweep). It is not DynamoDB's API
 * (that is ddb) nor its expressions (expr): callers make their decisions
 * inside store_mutate_item's callback. Only store*.c include sqlite3.h.
 */
#include "store_impl.h"
#include "attr.h"
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
static int conn_open(struct conn *c, const char *path,
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

static void conn_close(struct conn *c)
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
static atomic_ulong serials;

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

static void sqlite_setup_once(void)
{
    /* Fails only after sqlite3_initialize, when it no longer matters. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void store_sqlite_setup(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, sqlite_setup_once);
}

struct store *store_open(const char *path, unsigned connections,
                         enum store_durability durability, struct err *err)
{
    return store_open_ex(path, connections, durability, STORE_COMMIT_GROUP,
                         err);
}

struct store *store_open_ex(const char *path, unsigned connections,
                            enum store_durability durability,
                            enum store_commit commit, struct err *err)
{
    struct store *s = xcalloc(1, sizeof *s);
    int memory = strcmp(path, ":memory:") == 0;
    pthread_rwlockattr_t attr;

    store_sqlite_setup();
    /* Each connection to ":memory:" would be a database of its own. */
    if (connections == 0 || memory)
        connections = 1;
    s->commit = commit;
    s->serial = atomic_fetch_add(&serials, 1) + 1;
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_cond_init(&s->pool_cond, NULL);
    pthread_mutex_init(&s->tables_lock, NULL);
    pthread_mutex_init(&s->writer_lock, NULL);
    pthread_cond_init(&s->writer_wake, NULL);
    /* Writer preference: a table change waits only for the calls already
     * in flight, not for a steady stream of new ones. No thread takes the
     * shared lock twice, so this cannot deadlock. */
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->schema_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    s->conns = xcalloc(connections, sizeof *s->conns);
    s->nconn = connections;
    for (unsigned i = 0; i < connections; i++) {
        if (conn_open(&s->conns[i], path, durability, i == 0, err)) {
            store_close(s);
            return NULL;
        }
    }
    /* The writer's own connection, opened after the pool's first one has
     * applied the schema. */
    if (!memory) {
        s->writer_conn = xcalloc(1, sizeof *s->writer_conn);
        if (conn_open(s->writer_conn, path, durability, 0, err)) {
            store_close(s);
            return NULL;
        }
        /* the writer commits, so its setting is the one that counts */
        if (sqlite3_exec(s->writer_conn->db,
                         "PRAGMA wal_autocheckpoint = " STORE_CHECKPOINT_PAGES,
                         NULL, NULL, NULL)) {
            err_set(err, ERR_UNAVAILABLE, "%s: %s", path,
                    sqlite3_errmsg(s->writer_conn->db));
            store_close(s);
            return NULL;
        }
    }
    if (store_writer_start(s, err)) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_table_free(struct table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nindexes; i++) {
        struct index *ix = &t->indexes[i];
        free(ix->name);
        free(ix->pk_name);
        free(ix->sk_name);
        for (size_t k = 0; k < ix->nnon_key; k++)
            free(ix->non_key[k]);
        free(ix->non_key);
    }
    free(t->indexes);
    free(t->name);
    free(t->pk_name);
    free(t->sk_name);
    free(t->ttl_attr);
    free(t);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_writer_stop(s);
    if (s->writer_conn)
        conn_close(s->writer_conn);
    free(s->writer_conn);
    for (unsigned i = 0; i < s->nconn; i++)
        conn_close(&s->conns[i]);
    free(s->conns);
    for (size_t i = 0; i < s->ntables; i++)
        store_table_free(s->tables[i]);
    free(s->tables);
    pthread_cond_destroy(&s->writer_wake);
    pthread_mutex_destroy(&s->writer_lock);
    pthread_mutex_destroy(&s->tables_lock);
    pthread_rwlock_destroy(&s->schema_lock);
    pthread_cond_destroy(&s->pool_cond);
    pthread_mutex_destroy(&s->pool_lock);
    free(s);
}

/* --- tables ------------------------------------------------------------- */

int store_valid_name(const char *name)
{
    size_t n = strlen(name);

    if (n < 3 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

int store_valid_key_type(char type)
{
    return type == 'S' || type == 'N' || type == 'B';
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

static char column_type(sqlite3_stmt *st, int i)
{
    const char *p = (const char *)sqlite3_column_text(st, i);
    return p ? p[0] : 0;
}

/* INCLUDE's names, stored as a JSON array of strings. */
static void non_key_load(struct index *ix, sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *names = text ? json_loads(text, 0, NULL) : NULL;
    size_t i;
    json_t *v;

    if (json_is_array(names)) {
        ix->non_key = xcalloc(json_array_size(names) + 1, sizeof(char *));
        json_array_foreach(names, i, v)
        {
            if (json_is_string(v))
                ix->non_key[ix->nnon_key++] = xstrdup(json_string_value(v));
        }
    }
    json_decref(names);
}

static int indexes_load(struct conn *c, struct table *t, struct err *err)
{
    sqlite3_stmt *st = c->st[ST_INDEXES_GET];
    size_t cap = 0;
    int rc;

    sqlite3_bind_int64(st, 1, t->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct index *ix;
        const char *kind = (const char *)sqlite3_column_text(st, 2);
        const char *proj = (const char *)sqlite3_column_text(st, 7);

        if (t->nindexes == cap) {
            cap = cap ? 2 * cap : 4;
            t->indexes = xrealloc(t->indexes, cap * sizeof *t->indexes);
        }
        ix = &t->indexes[t->nindexes++];
        memset(ix, 0, sizeof *ix);
        ix->id = sqlite3_column_int64(st, 0);
        ix->name = store_column_dup(st, 1);
        ix->kind = kind && strcmp(kind, "LOCAL") == 0 ? STORE_INDEX_LOCAL
                                                      : STORE_INDEX_GLOBAL;
        ix->pk_name = store_column_dup(st, 3);
        ix->pk_type = column_type(st, 4);
        ix->sk_name = store_column_dup(st, 5);
        ix->sk_type = ix->sk_name ? column_type(st, 6) : 0;
        ix->projection =
            !proj || strcmp(proj, "ALL") == 0 ? STORE_PROJECTION_ALL
            : strcmp(proj, "KEYS_ONLY") == 0  ? STORE_PROJECTION_KEYS_ONLY
                                              : STORE_PROJECTION_INCLUDE;
        non_key_load(ix, st, 8);
    }
    if (rc != SQLITE_DONE)
        store_db_fail(err, c->db, "table");
    store_finish(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_table_load(struct conn *c, const char *name, struct table **out,
                     struct err *err)
{
    sqlite3_stmt *st = c->st[ST_TABLE_GET];
    struct table *t;
    int rc;

    *out = NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        store_finish(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        store_db_fail(err, c->db, "table");
        store_finish(st);
        return -1;
    }
    t = xcalloc(1, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->name = xstrdup(name);
    t->pk_name = store_column_dup(st, 1);
    t->pk_type = column_type(st, 2);
    t->sk_name = store_column_dup(st, 3);
    t->sk_type = t->sk_name ? column_type(st, 4) : 0;
    t->ttl_attr = store_column_dup(st, 5);
    t->created_at = sqlite3_column_double(st, 6);
    store_finish(st);
    if (indexes_load(c, t, err)) {
        store_table_free(t);
        return -1;
    }
    *out = t;
    return 1;
}

static struct table *table_cached(struct store *s, const char *name)
{
    struct table *t = NULL;

    pthread_mutex_lock(&s->tables_lock);
    for (size_t i = 0; i < s->ntables && !t; i++)
        if (strcmp(s->tables[i]->name, name) == 0)
            t = s->tables[i];
    pthread_mutex_unlock(&s->tables_lock);
    return t;
}

/* Only hits are cached: a table created later is then found on its first
 * use. */
const struct table *store_table_get(struct store *s, struct conn *c,
                                    const char *name, struct err *err)
{
    struct table *t = table_cached(s, name), *loaded;
    int rc;

    if (t)
        return t;
    if (!store_valid_name(name))
        goto none;
    rc = store_table_load(c, name, &loaded, err);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        goto none;
    pthread_mutex_lock(&s->tables_lock);
    /* Another thread may have cached it meanwhile; keep the first. */
    for (size_t i = 0; i < s->ntables && !t; i++)
        if (strcmp(s->tables[i]->name, name) == 0)
            t = s->tables[i];
    if (!t) {
        if (s->ntables == s->tables_cap) {
            s->tables_cap = s->tables_cap ? 2 * s->tables_cap : 8;
            s->tables = xrealloc(s->tables, s->tables_cap * sizeof *s->tables);
        }
        t = s->tables[s->ntables++] = loaded;
        loaded = NULL;
    }
    pthread_mutex_unlock(&s->tables_lock);
    store_table_free(loaded);
    return t;
none:
    err_set(err, ERR_NOT_FOUND, STORE_MSG_NO_TABLE);
    return NULL;
}

void store_table_forget(struct store *s, const char *name)
{
    pthread_mutex_lock(&s->tables_lock);
    for (size_t i = 0; i < s->ntables; i++) {
        if (strcmp(s->tables[i]->name, name) == 0) {
            store_table_free(s->tables[i]);
            s->tables[i] = s->tables[--s->ntables];
            break;
        }
    }
    pthread_mutex_unlock(&s->tables_lock);
}

const struct index *store_index_find(const struct table *t, const char *name)
{
    for (size_t i = 0; name && i < t->nindexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0)
            return &t->indexes[i];
    return NULL;
}

/* --- items -------------------------------------------------------------- */

/* The point read of store_get_item (item not NULL) and store_get_item_text
 * (text and info not NULL). */
static int point_read(struct store *s, const char *table, const json_t *key,
                      json_t **item, struct buf *text,
                      struct store_item_info *info, struct err *err)
{
    struct conn *c = store_enter(s, 0);
    const struct table *t;
    struct buf pk, sk;
    int rc = -1;

    buf_init(&pk);
    buf_init(&sk);
    if (!(t = store_table_get(s, c, table, err)) ||
        store_encode_key(t, key, &pk, &sk, err))
        goto out;
    if (item ? store_item_read(c, t, &pk, &sk, item, info->etag, err)
             : store_item_read_text(c, t, &pk, &sk, text, info, err))
        goto out;
    rc = 0;
out:
    buf_fini(&sk);
    buf_fini(&pk);
    store_leave(s, c);
    return rc;
}

int store_get_item(struct store *s, const char *table, const json_t *key,
                   json_t **item, char etag[STORE_ETAG_SIZE], struct err *err)
{
    struct store_item_info info = {0, 0, ""};
    int rc;

    *item = NULL;
    rc = point_read(s, table, key, item, NULL, &info, err);
    if (rc < 0)
        info.etag[0] = '\0';
    if (etag)
        memcpy(etag, info.etag, STORE_ETAG_SIZE);
    return rc;
}

int store_get_item_text(struct store *s, const char *table, const json_t *key,
                        struct buf *text, struct store_item_info *info,
                        struct err *err)
{
    int rc;

    memset(info, 0, sizeof *info);
    rc = point_read(s, table, key, NULL, text, info, err);
    if (rc < 0)
        memset(info, 0, sizeof *info);
    return rc;
}

int store_get_item_text_s(struct store *s, const char *table,
                          const char *pk_name, const char *pk, size_t len,
                          struct buf *text, struct store_item_info *info,
                          struct err *err)
{
    struct conn *c = store_enter(s, 0);
    const struct table *t = store_table_get(s, c, table, err);
    int fast = t && !t->sk_name && t->pk_type == 'S' &&
               !strcmp(t->pk_name, pk_name) && len >= 1 &&
               len <= STORE_PARTITION_KEY_MAX;
    json_t *key;
    int rc = -1;

    memset(info, 0, sizeof *info);
    if (fast) {
        /* an S key's encoding is its bytes: a view of pk (binding reads
         * data and len only) */
        const struct buf pkb = {(char *)(uintptr_t)pk, len, len + 1};
        struct buf sk;

        buf_init(&sk);
        rc = store_item_read_text(c, t, &pkb, &sk, text, info, err);
        if (rc < 0)
            memset(info, 0, sizeof *info);
    }
    store_leave(s, c);
    if (!t || fast)
        return rc; /* -1 with store_table_get's error when there is no t */
    key = json_pack("{s:{s:s%}}", pk_name, "S", pk, len);
    rc = store_get_item_text(s, table, key, text, info, err);
    json_decref(key);
    return rc;
}

/* store_mutate_item's job. */
struct mutate {
    const char *table;
    const json_t *key;
    store_mutate_fn *fn;
    void *ctx;
    char etag[STORE_ETAG_SIZE];
};

static int mutate_job(struct store *s, struct conn *c, void *arg,
                      struct err *err)
{
    struct mutate *m = arg;
    const struct table *t;
    struct buf pk, sk;
    json_t *old = NULL, *new = NULL;
    char old_etag[STORE_ETAG_SIZE];
    int rc = -1;

    buf_init(&pk);
    buf_init(&sk);
    if (!(t = store_table_get(s, c, m->table, err)) ||
        store_encode_key(t, m->key, &pk, &sk, err) ||
        store_item_read(c, t, &pk, &sk, &old, old_etag, err) ||
        m->fn(m->ctx, old, old_etag, &new, err) ||
        store_item_store(c, t, &pk, &sk, old, new, m->etag, err))
        goto out;
    rc = 0;
out:
    json_decref(new);
    json_decref(old);
    buf_fini(&sk);
    buf_fini(&pk);
    return rc;
}

int store_mutate_item(struct store *s, const char *table, const json_t *key,
                      store_mutate_fn *fn, void *ctx,
                      char new_etag[STORE_ETAG_SIZE], struct err *err)
{
    struct mutate m = {table, key, fn, ctx, ""};
    int rc = store_write(s, mutate_job, &m, err);

    /* A job that ran may still fail at its commit: its ETag is then none. */
    if (new_etag && rc)
        new_etag[0] = '\0';
    else if (new_etag)
        memcpy(new_etag, m.etag, STORE_ETAG_SIZE);
    return rc;
}

/* --- scan --------------------------------------------------------------- */

int store_scan(struct store *s, const char *table,
               const json_t *exclusive_start_key, size_t limit, json_t **items,
               json_t **last_key, struct err *err)
{
    struct conn *c = store_enter(s, 0);
    const struct table *t;
    sqlite3_stmt *st = NULL;
    struct buf pk, sk;
    json_t *page = json_array(), *item;
    size_t bytes = 0, count = 0;
    int rc = -1, step, more = 0;

    *items = NULL;
    *last_key = NULL;
    buf_init(&pk);
    buf_init(&sk);
    if (!(t = store_table_get(s, c, table, err)))
        goto out;
    if (exclusive_start_key) {
        if (store_encode_key(t, exclusive_start_key, &pk, &sk, err))
            goto out;
        st = c->st[ST_SCAN_AFTER];
        store_bind_blob(st, 2, &pk);
        store_bind_blob(st, 3, &sk);
    } else {
        st = c->st[ST_SCAN_FIRST];
    }
    sqlite3_bind_int64(st, 1, t->id);
    /* One statement is one read snapshot (WAL), so a page is consistent.
     * The row after the page is stepped to, never decoded: it only tells
     * whether to hand back a last key. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        size_t size = (size_t)sqlite3_column_int64(st, 1);
        if ((limit && count == limit) ||
            (count && bytes + size > STORE_PAGE_MAX_BYTES)) {
            more = 1;
            break;
        }
        if (!(item = store_item_decode(st, 0, err)))
            goto out;
        json_array_append_new(page, item);
        bytes += size;
        count++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        store_db_fail(err, c->db, "scan");
        goto out;
    }
    if (more)
        *last_key = store_key_of(t, json_array_get(page, count - 1));
    *items = page;
    page = NULL;
    rc = 0;
out:
    if (st)
        store_finish(st);
    json_decref(page);
    buf_fini(&sk);
    buf_fini(&pk);
    store_leave(s, c);
    return rc;
}
