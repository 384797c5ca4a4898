/*
 * store_table — table definitions: CreateTable with secondary indexes,
 * DescribeTable, ListTables, DeleteTable, UpdateTable's global index
 * changes and UpdateTimeToLive. Each change runs under the exclusive schema
 * lock in one IMMEDIATE transaction and drops the table from the cache, so
 * the next call loads the new definition. Not the items' write path (that
 * is store_write.c).
 */
#include "store_impl.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MSG_INDEX_NAME                                                         \
    "1 validation error detected: Value '%.255s' at 'indexName' failed to "    \
    "satisfy constraint: Member must have length 3 to 255 and match the "      \
    "pattern [a-zA-Z0-9_.-]+"

/* --- checks --------------------------------------------------------------- */

static int check_key_schema(const struct store_key_schema *ks, struct err *err)
{
    if (!ks || !ks->partition_key || !*ks->partition_key ||
        strlen(ks->partition_key) > 255 ||
        (ks->sort_key && (!*ks->sort_key || strlen(ks->sort_key) > 255)))
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "a key attribute name must be 1 to "
                                         "255 bytes long");
    if (!store_valid_key_type(ks->partition_type) ||
        (ks->sort_key && !store_valid_key_type(ks->sort_type)))
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "a key attribute must be of type S, "
                                         "N or B");
    if (ks->sort_key && strcmp(ks->partition_key, ks->sort_key) == 0)
        return err_set(err, ERR_BAD_REQUEST,
                       "Both the Hash Key and the Range Key element in the "
                       "KeySchema have the same name");
    return 0;
}

static int same_key_schema(const struct table *t,
                           const struct store_key_schema *ks)
{
    if (strcmp(t->pk_name, ks->partition_key) != 0 ||
        t->pk_type != ks->partition_type)
        return 0;
    if (!t->sk_name || !ks->sort_key)
        return !t->sk_name && !ks->sort_key;
    return strcmp(t->sk_name, ks->sort_key) == 0 && t->sk_type == ks->sort_type;
}

/* Key attribute names and types seen so far, to hold each to one type. */
struct attr_types {
    const char *name[2 * (1 + STORE_GSI_MAX + STORE_LSI_MAX)];
    char type[2 * (1 + STORE_GSI_MAX + STORE_LSI_MAX)];
    size_t n;
};

static int type_add(struct attr_types *a, const char *name, char type,
                    struct err *err)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->name[i], name) == 0) {
            if (a->type[i] == type)
                return 0;
            return err_set(err, ERR_BAD_REQUEST,
                           STORE_MSG_INVALID "Attribute %s is used as a key "
                                             "with types %c and %c",
                           name, a->type[i], type);
        }
    if (a->n < sizeof a->type)
        a->name[a->n] = name, a->type[a->n++] = type;
    return 0;
}

/* Limits over a table's indexes, counted across old and new ones. */
struct index_count {
    size_t global, local, non_key;
};

/* Check spec as one more index of a table keyed by ks, whose indexes so
 * far are old (nold) and spec[0..i-1] of specs. */
static int check_index(const struct store_key_schema *ks,
                       const struct index *old, size_t nold,
                       const struct store_index_spec *specs, size_t i,
                       struct attr_types *types, struct index_count *count,
                       struct err *err)
{
    const struct store_index_spec *x = &specs[i];

    if (!x->name || !store_valid_name(x->name))
        return err_set(err, ERR_BAD_REQUEST, MSG_INDEX_NAME,
                       x->name ? x->name : "");
    for (size_t k = 0; k < nold; k++)
        if (strcmp(old[k].name, x->name) == 0)
            return err_set(err, ERR_BAD_REQUEST,
                           "Attempting to create an index which already "
                           "exists");
    for (size_t k = 0; k < i; k++)
        if (strcmp(specs[k].name, x->name) == 0)
            return err_set(err, ERR_BAD_REQUEST,
                           STORE_MSG_INVALID "Duplicate index name: %s",
                           x->name);
    if (check_key_schema(&x->key, err))
        return -1;
    if (x->kind == STORE_INDEX_LOCAL) {
        if (!ks->sort_key)
            return err_set(err, ERR_BAD_REQUEST,
                           STORE_MSG_INVALID "Table KeySchema does not have a "
                                             "range key, which is required "
                                             "when specifying a "
                                             "LocalSecondaryIndex");
        if (strcmp(x->key.partition_key, ks->partition_key) != 0 ||
            !x->key.sort_key)
            return err_set(err, ERR_BAD_REQUEST,
                           STORE_MSG_INVALID "Index KeySchema of %s must have "
                                             "the table's hash key and a "
                                             "range key",
                           x->name);
        count->local++;
    } else if (x->kind == STORE_INDEX_GLOBAL) {
        count->global++;
    } else {
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "unknown index kind");
    }
    if (count->global > STORE_GSI_MAX || count->local > STORE_LSI_MAX)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "a table may have at most %d global "
                                         "and %d local secondary indexes",
                       STORE_GSI_MAX, STORE_LSI_MAX);
    if (x->projection == STORE_PROJECTION_INCLUDE) {
        if (x->nnon_key == 0)
            return err_set(err, ERR_BAD_REQUEST,
                           STORE_MSG_INVALID "ProjectionType is INCLUDE, but "
                                             "NonKeyAttributes is not "
                                             "specified");
        for (size_t k = 0; k < x->nnon_key; k++)
            if (!x->non_key[k] || !*x->non_key[k] ||
                strlen(x->non_key[k]) > 255)
                return err_set(err, ERR_BAD_REQUEST,
                               STORE_MSG_INVALID "a NonKeyAttributes name "
                                                 "must be 1 to 255 bytes");
        count->non_key += x->nnon_key;
        if (count->non_key > STORE_NON_KEY_MAX)
            return err_set(err, ERR_BAD_REQUEST,
                           STORE_MSG_INVALID "The number of projected "
                                             "attributes in all indexes "
                                             "exceeds the limit of %d",
                           STORE_NON_KEY_MAX);
    } else if (x->nnon_key) {
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "ProjectionType is %s, but "
                                         "NonKeyAttributes is specified",
                       x->projection == STORE_PROJECTION_ALL ? "ALL"
                                                             : "KEYS_ONLY");
    } else if (x->projection != STORE_PROJECTION_ALL &&
               x->projection != STORE_PROJECTION_KEYS_ONLY) {
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "unknown ProjectionType");
    }
    if (type_add(types, x->key.partition_key, x->key.partition_type, err) ||
        type_add(types, x->key.sort_key, x->key.sort_type, err))
        return -1;
    return 0;
}

/* Check specs as new indexes of a table keyed by ks with indexes old. */
static int check_indexes(const struct store_key_schema *ks,
                         const struct index *old, size_t nold,
                         const struct store_index_spec *specs, size_t n,
                         struct err *err)
{
    struct attr_types types = {.n = 0};
    struct index_count count = {0, 0, 0};

    if (n > STORE_GSI_MAX + STORE_LSI_MAX)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "too many secondary indexes");
    type_add(&types, ks->partition_key, ks->partition_type, NULL);
    type_add(&types, ks->sort_key, ks->sort_type, NULL);
    for (size_t k = 0; k < nold; k++) {
        type_add(&types, old[k].pk_name, old[k].pk_type, NULL);
        type_add(&types, old[k].sk_name, old[k].sk_type, NULL);
        if (old[k].kind == STORE_INDEX_LOCAL)
            count.local++;
        else
            count.global++;
        count.non_key += old[k].nnon_key;
    }
    for (size_t i = 0; i < n; i++)
        if (check_index(ks, old, nold, specs, i, &types, &count, err))
            return -1;
    return 0;
}

/* --- SQL helpers ---------------------------------------------------------- */

/* Run sql with ?1 = id and ?2 = text (NULL binds SQL NULL). */
static int exec_id(struct conn *c, const char *sql, int64_t id,
                   const char *text, struct err *err)
{
    sqlite3_stmt *st = store_prepare(c, sql, err);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        store_db_fail(err, c->db, "table");
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static const char *const projection_names[] = {
    [STORE_PROJECTION_ALL] = "ALL",
    [STORE_PROJECTION_KEYS_ONLY] = "KEYS_ONLY",
    [STORE_PROJECTION_INCLUDE] = "INCLUDE",
};

static int index_insert(struct conn *c, int64_t table_id,
                        const struct store_index_spec *x, struct err *err)
{
    sqlite3_stmt *st = store_prepare(
        c,
        "INSERT INTO indexes (table_id, name, kind, pk_name, pk_type,"
        " sk_name, sk_type, projection, non_key)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        err);
    char pk_type[2] = {x->key.partition_type, 0};
    char sk_type[2] = {x->key.sort_type, 0};
    char *non_key = NULL;
    int rc;

    if (!st)
        return -1;
    if (x->projection == STORE_PROJECTION_INCLUDE) {
        json_t *names = json_array();
        for (size_t i = 0; i < x->nnon_key; i++)
            json_array_append_new(names, json_string(x->non_key[i]));
        non_key = json_dumps(names, JSON_COMPACT);
        json_decref(names);
    }
    sqlite3_bind_int64(st, 1, table_id);
    sqlite3_bind_text(st, 2, x->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, x->kind == STORE_INDEX_LOCAL ? "LOCAL" : "GLOBAL",
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, x->key.partition_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, pk_type, -1, SQLITE_STATIC);
    if (x->key.sort_key) {
        sqlite3_bind_text(st, 6, x->key.sort_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, sk_type, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 8, projection_names[x->projection], -1,
                      SQLITE_STATIC);
    if (non_key)
        sqlite3_bind_text(st, 9, non_key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0
                                         : store_db_fail(err, c->db, "index");
    sqlite3_finalize(st);
    free(non_key);
    return rc;
}

/* Run a table change as a job under the exclusive schema lock, and drop
 * table name from the cache once committed, so that the next call loads the
 * new definition. The job is alone in its transaction: no other job can be
 * queued while the exclusive lock is held. */
static int change(struct store *s, const char *name, store_job_fn *fn,
                  void *arg, struct err *err)
{
    int rc;

    store_lock(s, 1);
    rc = store_write_locked(s, fn, arg, err);
    if (rc == 0)
        store_table_forget(s, name);
    store_unlock(s);
    return rc;
}

/* --- create -----------------------------------------------------------------
 */

/* A table creation's job. */
struct create {
    const char *name;
    const struct store_key_schema *ks;
    const struct store_index_spec *indexes;
    size_t nindexes;
    int if_not_exists;
};

static int create_job(struct store *s, struct conn *c, void *arg,
                      struct err *err)
{
    struct create *x = arg;
    const struct store_key_schema *ks = x->ks;
    struct table *old = NULL;
    sqlite3_stmt *st;
    char pk_type[2] = {0}, sk_type[2] = {0};
    int64_t id;
    int rc = -1, found;

    (void)s;
    found = store_table_load(c, x->name, &old, err);
    if (found < 0)
        goto out;
    if (found) {
        if (!x->if_not_exists)
            err_set(err, ERR_IN_USE, "Table already exists: %s", x->name);
        else if (!same_key_schema(old, ks))
            err_set(err, ERR_IN_USE,
                    "Table already exists with another key schema: %s",
                    x->name);
        else
            rc = 0;
        goto out;
    }
    st = c->st[ST_TABLE_PUT];
    pk_type[0] = ks->partition_type;
    sk_type[0] = ks->sort_type;
    sqlite3_bind_text(st, 1, x->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ks->partition_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, pk_type, -1, SQLITE_STATIC);
    if (ks->sort_key) {
        sqlite3_bind_text(st, 4, ks->sort_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, sk_type, -1, SQLITE_STATIC);
    }
    if (store_run(c, ST_TABLE_PUT, "create table", err))
        goto out;
    id = sqlite3_last_insert_rowid(c->db);
    for (size_t i = 0; i < x->nindexes; i++)
        if (index_insert(c, id, &x->indexes[i], err))
            goto out;
    rc = 0;
out:
    store_table_free(old);
    return rc;
}

static int create(struct store *s, const char *name,
                  const struct store_key_schema *ks,
                  const struct store_index_spec *indexes, size_t nindexes,
                  int if_not_exists, struct err *err)
{
    struct create x = {name, ks, indexes, nindexes, if_not_exists};

    if (!name || !store_valid_name(name))
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value '%.255s' at "
                       "'tableName' failed to satisfy constraint: Member "
                       "must have length 3 to 255 and match the pattern "
                       "[a-zA-Z0-9_.-]+",
                       name ? name : "");
    if (check_key_schema(ks, err) ||
        check_indexes(ks, NULL, 0, indexes, nindexes, err))
        return -1;
    return change(s, name, create_job, &x, err);
}

int store_create_table(struct store *s, const char *name,
                       const struct store_key_schema *ks, int if_not_exists,
                       struct err *err)
{
    return create(s, name, ks, NULL, 0, if_not_exists, err);
}

int store_create_table_indexed(struct store *s, const char *name,
                               const struct store_key_schema *ks,
                               const struct store_index_spec *indexes,
                               size_t nindexes, struct err *err)
{
    return create(s, name, ks, indexes, nindexes, 0, err);
}

/* --- describe and list
 * -------------------------------------------------------- */

static char *dup_or_null(const char *p)
{
    return p ? xstrdup(p) : NULL;
}

/* count(*) and sum(size) of the rows of sql's table with ?1 = id. */
static int count_rows(struct conn *c, const char *sql, int64_t id,
                      unsigned long long *count, unsigned long long *bytes,
                      struct err *err)
{
    sqlite3_stmt *st = store_prepare(c, sql, err);
    int rc = -1;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *count = (unsigned long long)sqlite3_column_int64(st, 0);
        *bytes = (unsigned long long)sqlite3_column_int64(st, 1);
        rc = 0;
    } else {
        store_db_fail(err, c->db, "describe");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Fill d from t; with counts, also count the items and index entries
 * (a scan of the table: DescribeTable only, never per item request). */
static int describe(struct conn *c, const struct table *t,
                    struct store_table_desc *d, int counts, struct err *err)
{
    d->name = xstrdup(t->name);
    d->partition_key = xstrdup(t->pk_name);
    d->partition_type = t->pk_type;
    d->sort_key = dup_or_null(t->sk_name);
    d->sort_type = t->sk_type;
    d->creation_time = t->created_at;
    d->ttl_attribute = dup_or_null(t->ttl_attr);
    d->indexes = xcalloc(t->nindexes + 1, sizeof *d->indexes);
    d->nindexes = t->nindexes;
    for (size_t i = 0; i < t->nindexes; i++) {
        const struct index *ix = &t->indexes[i];
        struct store_index_desc *x = &d->indexes[i];
        x->name = xstrdup(ix->name);
        x->kind = ix->kind;
        x->partition_key = xstrdup(ix->pk_name);
        x->partition_type = ix->pk_type;
        x->sort_key = dup_or_null(ix->sk_name);
        x->sort_type = ix->sk_type;
        x->projection = ix->projection;
        x->non_key = xcalloc(ix->nnon_key + 1, sizeof *x->non_key);
        x->nnon_key = ix->nnon_key;
        for (size_t k = 0; k < ix->nnon_key; k++)
            x->non_key[k] = xstrdup(ix->non_key[k]);
        if (counts && count_rows(c,
                                 "SELECT count(*), coalesce(sum(size), 0)"
                                 " FROM index_entries WHERE index_id = ?1",
                                 ix->id, &x->item_count, &x->size_bytes, err))
            return -1;
    }
    if (!counts)
        return 0;
    return count_rows(c,
                      "SELECT count(*), coalesce(sum(size), 0) FROM items"
                      " WHERE table_id = ?1",
                      t->id, &d->item_count, &d->size_bytes, err);
}

void store_table_desc_fini(struct store_table_desc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nindexes; i++) {
        struct store_index_desc *x = &d->indexes[i];
        free(x->name);
        free(x->partition_key);
        free(x->sort_key);
        for (size_t k = 0; k < x->nnon_key; k++)
            free(x->non_key[k]);
        free(x->non_key);
    }
    free(d->indexes);
    free(d->name);
    free(d->partition_key);
    free(d->sort_key);
    free(d->ttl_attribute);
    memset(d, 0, sizeof *d);
}

static int no_table(const char *name, struct err *err)
{
    return err_set(err, ERR_NOT_FOUND,
                   STORE_MSG_NO_TABLE ": Table: %.255s not found", name);
}

/* store_describe_table and store_table_schema: the same lookup, with or
 * without the counts. */
static int describe_named(struct store *s, const char *name,
                          struct store_table_desc *d, int counts,
                          struct err *err)
{
    struct conn *c = store_enter(s, 0);
    const struct table *t;
    int rc = -1;

    memset(d, 0, sizeof *d);
    if (store_begin_read(c, err))
        goto out;
    if (!(t = store_table_get(s, c, name, err))) {
        if (err && err->kind == ERR_NOT_FOUND)
            no_table(name, err);
        goto out;
    }
    if (describe(c, t, d, counts, err) ||
        store_run(c, ST_COMMIT, "commit", err))
        goto out;
    rc = 0;
out:
    if (rc)
        store_table_desc_fini(d);
    store_rollback(c);
    store_leave(s, c);
    return rc;
}

int store_describe_table(struct store *s, const char *name,
                         struct store_table_desc *d, struct err *err)
{
    return describe_named(s, name, d, 1, err);
}

int store_table_schema(struct store *s, const char *name,
                       struct store_table_desc *d, struct err *err)
{
    return describe_named(s, name, d, 0, err);
}

int store_list_tables(struct store *s, const char *exclusive_start_name,
                      size_t limit, json_t **names, json_t **last_name,
                      struct err *err)
{
    struct conn *c = store_enter(s, 0);
    sqlite3_stmt *st = store_prepare(
        c, "SELECT name FROM tables WHERE name > ?1 ORDER BY name", err);
    json_t *page = json_array();
    size_t count = 0;
    int rc = -1, step, more = 0;

    *names = NULL;
    *last_name = NULL;
    if (!st)
        goto out;
    sqlite3_bind_text(st, 1, exclusive_start_name ? exclusive_start_name : "",
                      -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (limit && count == limit) {
            more = 1;
            break;
        }
        json_array_append_new(
            page, json_string((const char *)sqlite3_column_text(st, 0)));
        count++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        store_db_fail(err, c->db, "list tables");
        goto out;
    }
    if (more)
        *last_name = json_incref(json_array_get(page, count - 1));
    *names = page;
    page = NULL;
    rc = 0;
out:
    sqlite3_finalize(st);
    json_decref(page);
    store_leave(s, c);
    return rc;
}

/* --- delete, update, TTL -----------------------------------------------------
 */

/* Load table name's current definition in a change's job: 0 with *t (to
 * free), or -1 with ERR_NOT_FOUND or ERR_UNAVAILABLE. */
static int change_load(struct conn *c, const char *name, struct table **t,
                       struct err *err)
{
    int found =
        name && store_valid_name(name) ? store_table_load(c, name, t, err) : 0;

    if (found == 0)
        no_table(name ? name : "", err);
    return found > 0 ? 0 : -1;
}

struct delete
{
    const char *name;
    struct store_table_desc *d;
};

static int delete_job(struct store *s, struct conn *c, void *arg,
                      struct err *err)
{
    struct delete *x = arg;
    struct table *t = NULL;
    int rc = -1;

    (void)s;
    if (change_load(c, x->name, &t, err) ||
        (x->d && describe(c, t, x->d, 1, err)) ||
        exec_id(c,
                "DELETE FROM index_entries WHERE index_id IN"
                " (SELECT id FROM indexes WHERE table_id = ?1)",
                t->id, NULL, err) ||
        exec_id(c, "DELETE FROM indexes WHERE table_id = ?1", t->id, NULL,
                err) ||
        exec_id(c, "DELETE FROM items WHERE table_id = ?1", t->id, NULL, err) ||
        exec_id(c, "DELETE FROM tables WHERE id = ?1", t->id, NULL, err))
        goto out;
    rc = 0;
out:
    store_table_free(t);
    return rc;
}

int store_delete_table(struct store *s, const char *name,
                       struct store_table_desc *d, struct err *err)
{
    struct delete x = {name, d};
    int rc;

    if (d)
        memset(d, 0, sizeof *d);
    rc = change(s, name, delete_job, &x, err);
    if (rc && d)
        store_table_desc_fini(d);
    return rc;
}

static int index_drop(struct conn *c, const struct table *t, const char *name,
                      struct err *err)
{
    const struct index *ix = store_index_find(t, name);

    if (!ix)
        return err_set(err, ERR_NOT_FOUND,
                       STORE_MSG_NO_TABLE ": Index: %.255s not found", name);
    if (ix->kind != STORE_INDEX_GLOBAL)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "Cannot delete local secondary "
                                         "index %s",
                       name);
    return exec_id(c, "DELETE FROM index_entries WHERE index_id = ?1", ix->id,
                   NULL, err) ||
                   exec_id(c, "DELETE FROM indexes WHERE id = ?1", ix->id, NULL,
                           err)
               ? -1
               : 0;
}

static int index_add(struct conn *c, struct table **t,
                     const struct store_index_spec *x, struct err *err)
{
    struct store_key_schema ks = {(*t)->pk_name, (*t)->pk_type, (*t)->sk_name,
                                  (*t)->sk_type};
    struct table *fresh;
    int rc;

    if (x->kind != STORE_INDEX_GLOBAL)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "only global secondary indexes can "
                                         "be created on an existing table");
    if (check_indexes(&ks, (*t)->indexes, (*t)->nindexes, x, 1, err) ||
        index_insert(c, (*t)->id, x, err))
        return -1;
    /* Load the definition again to get the new index as the write path
     * sees it, then fill it. */
    if (store_table_load(c, (*t)->name, &fresh, err) != 1)
        return -1;
    store_table_free(*t);
    *t = fresh;
    rc = store_index_backfill(c, fresh, store_index_find(fresh, x->name), err);
    return rc;
}

struct update {
    const char *name;
    const struct store_index_spec *create_gsi;
    const char *delete_gsi;
};

static int update_job(struct store *s, struct conn *c, void *arg,
                      struct err *err)
{
    struct update *x = arg;
    struct table *t = NULL;
    int rc = -1;

    (void)s;
    if (change_load(c, x->name, &t, err) ||
        (x->delete_gsi && index_drop(c, t, x->delete_gsi, err)) ||
        (x->create_gsi && index_add(c, &t, x->create_gsi, err)))
        goto out;
    rc = 0;
out:
    store_table_free(t);
    return rc;
}

int store_update_table(struct store *s, const char *name,
                       const struct store_index_spec *create_gsi,
                       const char *delete_gsi, struct err *err)
{
    struct update x = {name, create_gsi, delete_gsi};

    return change(s, name, update_job, &x, err);
}

struct ttl {
    const char *name;
    const char *attribute;
};

static int ttl_job(struct store *s, struct conn *c, void *arg, struct err *err)
{
    struct ttl *x = arg;
    struct table *t = NULL;
    int rc = -1;

    (void)s;
    if (change_load(c, x->name, &t, err))
        goto out;
    if (x->attribute && t->ttl_attr) {
        err_set(err, ERR_BAD_REQUEST, "TimeToLive is already enabled");
        goto out;
    }
    if (!x->attribute && !t->ttl_attr) {
        err_set(err, ERR_BAD_REQUEST, "TimeToLive is already disabled");
        goto out;
    }
    if (exec_id(c, "UPDATE tables SET ttl_attr = ?2 WHERE id = ?1", t->id,
                x->attribute, err))
        goto out;
    if (x->attribute
            ? exec_id(c,
                      "UPDATE items SET expires = crudd_expiry(item, ?2)"
                      " WHERE table_id = ?1",
                      t->id, x->attribute, err)
            : exec_id(c,
                      "UPDATE items SET expires = NULL"
                      " WHERE table_id = ?1 AND expires IS NOT NULL",
                      t->id, NULL, err))
        goto out;
    rc = 0;
out:
    store_table_free(t);
    return rc;
}

int store_set_ttl(struct store *s, const char *name, const char *attribute,
                  struct err *err)
{
    struct ttl x = {name, attribute};

    if (attribute && (!*attribute || strlen(attribute) > 255))
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "AttributeName must be 1 to 255 "
                                         "bytes long");
    return change(s, name, ttl_job, &x, err);
}
