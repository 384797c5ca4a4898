/*
 * store_write — the one path by which items change: the checks a new item
 * must pass, the item row (with its ETag, size, scan segment and TTL
 * expiry), and the secondary index entries kept in step in the same
 * transaction; and store_mutate_item, the single-item write (read, decide,
 * write) run as a job on the writer thread. The helpers own no
 * transaction; nothing here begins or commits. Reading a row is
 * store_item.c's (called from here, never the other way).
 */
#include "store_impl.h"
#include "attr.h"
#include "xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void etag_of(const char *text, size_t n, char etag[STORE_ETAG_SIZE])
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 */

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3u;
    }
    snprintf(etag, STORE_ETAG_SIZE, "%016" PRIx64, h);
}

/* --- index keys and projections ----------------------------------------- */

static int index_key_value(const struct index *ix, const char *name, char type,
                           const json_t *v, struct buf *out, size_t max,
                           struct err *err)
{
    const json_t *s;
    const char *got = attr_type(v, &s);

    if (strcmp(got, store_type_name(type)) != 0)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "Type mismatch for Index Key %s "
                                         "Expected: %s Actual: %s "
                                         "IndexName: %s",
                       name, store_type_name(type), got, ix->name);
    if (type != 'N' && json_string_length(s) == 0)
        return err_set(err, ERR_BAD_REQUEST,
                       "One or more parameter values are not valid. A value "
                       "specified for a secondary index key is not "
                       "supported. The AttributeValue for a key attribute "
                       "cannot contain an empty %s value. IndexName: %s, "
                       "IndexKey: %s",
                       type == 'S' ? "string" : "binary", ix->name, name);
    return store_encode_value(out, type, v, name, max, err);
}

/* Whether item belongs in index ix: 1 with its index key encoded into
 * (ipk, isk), 0 when it lacks a key attribute (a sparse index leaves it
 * out), -1 with err when one has another type or an unusable value. */
static int index_key(const struct index *ix, const json_t *item,
                     struct buf *ipk, struct buf *isk, struct err *err)
{
    const json_t *pv = json_object_get(item, ix->pk_name);
    const json_t *sv = ix->sk_name ? json_object_get(item, ix->sk_name) : NULL;

    ipk->len = 0;
    isk->len = 0;
    /* Each key attribute the item holds is checked, even when the other is
     * missing: DynamoDB holds it to its AttributeDefinitions type. */
    if ((pv && index_key_value(ix, ix->pk_name, ix->pk_type, pv, ipk,
                               STORE_PARTITION_KEY_MAX, err)) ||
        (sv && index_key_value(ix, ix->sk_name, ix->sk_type, sv, isk,
                               STORE_SORT_KEY_MAX, err)))
        return -1;
    return pv && (!ix->sk_name || sv);
}

static void copy_attr(json_t *to, const json_t *from, const char *name)
{
    json_t *v = name ? json_object_get(from, name) : NULL;

    if (v && !json_object_get(to, name))
        json_object_set_new(to, name, json_deep_copy(v));
}

/* The text of item as index ix holds it (a new string), and its size. */
static char *project(const struct table *t, const struct index *ix,
                     const json_t *item, size_t *size)
{
    json_t *p;
    char *text;

    if (ix->projection == STORE_PROJECTION_ALL) {
        *size = attr_item_size(item);
        return json_dumps(item, JSON_COMPACT);
    }
    p = json_object();
    copy_attr(p, item, t->pk_name);
    copy_attr(p, item, t->sk_name);
    copy_attr(p, item, ix->pk_name);
    copy_attr(p, item, ix->sk_name);
    for (size_t i = 0; i < ix->nnon_key; i++)
        copy_attr(p, item, ix->non_key[i]);
    *size = attr_item_size(p);
    text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return text;
}

static int entry_put(struct conn *c, const struct table *t,
                     const struct index *ix, const struct buf *ipk,
                     const struct buf *isk, const struct buf *pk,
                     const struct buf *sk, const json_t *item, struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ENTRY_PUT];
    size_t size;
    char *text = project(t, ix, item, &size);
    int rc;

    if (!text)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "the item cannot be written as JSON");
    sqlite3_bind_int64(st, 1, ix->id);
    store_bind_blob(st, 2, ipk);
    store_bind_blob(st, 3, isk);
    store_bind_blob(st, 4, pk);
    store_bind_blob(st, 5, sk);
    sqlite3_bind_int64(st, 6, store_segment_hash(ipk->data, ipk->len));
    sqlite3_bind_text(st, 7, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)size);
    rc = store_run(c, ST_ENTRY_PUT, "index write", err);
    free(text);
    return rc;
}

static int entry_delete(struct conn *c, const struct index *ix,
                        const struct buf *ipk, const struct buf *isk,
                        const struct buf *pk, const struct buf *sk,
                        struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ENTRY_DEL];

    sqlite3_bind_int64(st, 1, ix->id);
    store_bind_blob(st, 2, ipk);
    store_bind_blob(st, 3, isk);
    store_bind_blob(st, 4, pk);
    store_bind_blob(st, 5, sk);
    return store_run(c, ST_ENTRY_DEL, "index delete", err);
}

static int same(const struct buf *a, const struct buf *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

/* --- items ---------------------------------------------------------------- */

int store_item_check(const struct table *t, const struct buf *pk,
                     const struct buf *sk, const json_t *new_item,
                     struct err *err)
{
    struct buf ipk, isk;
    int rc = 0;

    if (!json_is_object(new_item))
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "an item must be a map of attributes");
    if (store_check_item_key(t, new_item, pk, sk, err))
        return -1;
    if (attr_item_size(new_item) > ATTR_ITEM_MAX_BYTES)
        return err_set(err, ERR_BAD_REQUEST,
                       "Item size has exceeded the maximum allowed size");
    buf_init(&ipk);
    buf_init(&isk);
    for (size_t i = 0; i < t->nindexes && rc == 0; i++)
        if (index_key(&t->indexes[i], new_item, &ipk, &isk, err) < 0)
            rc = -1;
    buf_fini(&isk);
    buf_fini(&ipk);
    return rc;
}

static int item_put(struct conn *c, const struct table *t, const struct buf *pk,
                    const struct buf *sk, const json_t *item,
                    char etag[STORE_ETAG_SIZE], struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_PUT];
    char *text = json_dumps(item, JSON_COMPACT);
    size_t len;
    double expires;
    int rc;

    if (!text)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "the item cannot be written as JSON");
    len = strlen(text);
    etag_of(text, len, etag);
    sqlite3_bind_int64(st, 1, t->id);
    store_bind_blob(st, 2, pk);
    store_bind_blob(st, 3, sk);
    sqlite3_bind_text(st, 4, text, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, etag, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)attr_item_size(item));
    sqlite3_bind_int64(st, 7, store_segment_hash(pk->data, pk->len));
    if (t->ttl_attr && store_item_expiry(item, t->ttl_attr, &expires))
        sqlite3_bind_double(st, 8, expires);
    rc = store_run(c, ST_ITEM_PUT, "write", err);
    c->written += len;
    free(text);
    return rc;
}

static int item_delete(struct conn *c, const struct table *t,
                       const struct buf *pk, const struct buf *sk,
                       struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_DEL];

    sqlite3_bind_int64(st, 1, t->id);
    store_bind_blob(st, 2, pk);
    store_bind_blob(st, 3, sk);
    return store_run(c, ST_ITEM_DEL, "delete", err);
}

int store_item_store(struct conn *c, const struct table *t,
                     const struct buf *pk, const struct buf *sk,
                     const json_t *old_item, const json_t *new_item,
                     char etag[STORE_ETAG_SIZE], struct err *err)
{
    struct buf oi, os, ni, ns;
    char tag[STORE_ETAG_SIZE] = "";
    int rc = -1;

    if (etag)
        etag[0] = '\0';
    if (!old_item && !new_item)
        return 0;
    if (new_item && (store_item_check(t, pk, sk, new_item, err) ||
                     item_put(c, t, pk, sk, new_item, tag, err)))
        return -1;
    if (!new_item && item_delete(c, t, pk, sk, err))
        return -1;
    buf_init(&oi);
    buf_init(&os);
    buf_init(&ni);
    buf_init(&ns);
    for (size_t i = 0; i < t->nindexes; i++) {
        const struct index *ix = &t->indexes[i];
        /* An old item may hold an index key of another type when the index
         * was added after it (the backfill left it out): not indexed. */
        int had = old_item && index_key(ix, old_item, &oi, &os, NULL) == 1;
        int has = new_item && index_key(ix, new_item, &ni, &ns, NULL) == 1;

        if (had && !(has && same(&oi, &ni) && same(&os, &ns)) &&
            entry_delete(c, ix, &oi, &os, pk, sk, err))
            goto out;
        if (has && entry_put(c, t, ix, &ni, &ns, pk, sk, new_item, err))
            goto out;
    }
    rc = 0;
    if (etag)
        memcpy(etag, tag, STORE_ETAG_SIZE);
out:
    buf_fini(&ns);
    buf_fini(&ni);
    buf_fini(&os);
    buf_fini(&oi);
    return rc;
}

int store_index_backfill(struct conn *c, const struct table *t,
                         const struct index *ix, struct err *err)
{
    sqlite3_stmt *st = store_prepare(
        c, "SELECT pk, sk, item FROM items WHERE table_id = ?1", err);
    struct buf pk, sk, ipk, isk;
    json_t *item;
    int rc = -1, step;

    if (!st)
        return -1;
    buf_init(&pk);
    buf_init(&sk);
    buf_init(&ipk);
    buf_init(&isk);
    sqlite3_bind_int64(st, 1, t->id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(item = store_item_decode(st, 2, err)))
            goto out;
        pk.len = sk.len = 0;
        buf_append(&pk, sqlite3_column_blob(st, 0),
                   (size_t)sqlite3_column_bytes(st, 0));
        buf_append(&sk, sqlite3_column_blob(st, 1),
                   (size_t)sqlite3_column_bytes(st, 1));
        step = index_key(ix, item, &ipk, &isk, NULL) == 1
                   ? entry_put(c, t, ix, &ipk, &isk, &pk, &sk, item, err)
                   : 0;
        json_decref(item);
        if (step)
            goto out;
    }
    if (step != SQLITE_DONE) {
        store_db_fail(err, c->db, "backfill");
        goto out;
    }
    rc = 0;
out:
    buf_fini(&isk);
    buf_fini(&ipk);
    buf_fini(&sk);
    buf_fini(&pk);
    sqlite3_finalize(st);
    return rc;
}

/* --- store_mutate_item --------------------------------------------------- */

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
