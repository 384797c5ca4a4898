/*
 * store — DynamoDB-like tables and items on SQLite: opening and closing a
 * store (its locks, its connections, its writer thread) and the table
 * cache, the definitions every item call looks up. The other parts and the
 * direction of their calls are in store_impl.h. It is not DynamoDB's API
 * (that is ddb) nor its expressions (expr): callers make their decisions
 * inside store_mutate_item's callback. Only store*.c include sqlite3.h.
 */
#include "store_impl.h"
#include "xalloc.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Names each store in the process (struct store's serial). */
static atomic_ulong serials;

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
        if (store_conn_open(&s->conns[i], path, durability, i == 0, err)) {
            store_close(s);
            return NULL;
        }
    }
    /* The writer's own connection, opened after the pool's first one has
     * applied the schema. */
    if (!memory) {
        s->writer_conn = xcalloc(1, sizeof *s->writer_conn);
        if (store_conn_open(s->writer_conn, path, durability, 0, err)) {
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
        store_conn_close(s->writer_conn);
    free(s->writer_conn);
    for (unsigned i = 0; i < s->nconn; i++)
        store_conn_close(&s->conns[i]);
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
