/*
 * store_txn — writes and reads of several items at once: TransactWriteItems
 * (every action decided inside one write transaction, all or nothing, with
 * a reason per action), a multi-get from one snapshot (TransactGetItems,
 * BatchGetItem), and the Time to Live sweep. Not DynamoDB's request shapes:
 * ddb maps those onto these.
 */
#include "store_impl.h"
#include "buf.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_DEFAULT 1000

/* An action's table and encoded key, resolved before the transaction. */
struct target {
    const struct table *t;
    struct buf pk, sk;
};

static void targets_free(struct target *tg, size_t n)
{
    for (size_t i = 0; tg && i < n; i++) {
        buf_fini(&tg[i].pk);
        buf_fini(&tg[i].sk);
    }
    free(tg);
}

/* Resolve and encode every key: the errors of the whole request. */
static struct target *targets_get(struct store *s, struct conn *c,
                                  const char *const *tables,
                                  const json_t *const *keys, size_t n,
                                  struct err *err)
{
    struct target *tg = xcalloc(n, sizeof *tg);

    for (size_t i = 0; i < n; i++) {
        buf_init(&tg[i].pk);
        buf_init(&tg[i].sk);
    }
    for (size_t i = 0; i < n; i++)
        if (!tables[i] || !(tg[i].t = store_table_get(s, c, tables[i], err)) ||
            store_encode_key(tg[i].t, keys[i], &tg[i].pk, &tg[i].sk, err)) {
            targets_free(tg, n);
            if (!tables[i])
                err_set(err, ERR_NOT_FOUND, STORE_MSG_NO_TABLE);
            return NULL;
        }
    return tg;
}

static int same_buf(const struct buf *a, const struct buf *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

static int count_ok(size_t n, struct err *err)
{
    if (n == 0 || n > STORE_TRANSACT_MAX)
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value at "
                       "'transactItems' failed to satisfy constraint: Member "
                       "must have length less than or equal to %d and "
                       "greater than or equal to 1",
                       STORE_TRANSACT_MAX);
    return 0;
}

/* store_transact's job: the arrays are the caller's, of n each. */
struct transact {
    const struct store_write_op *ops;
    size_t n;
    struct err *reasons;
    const char **tables;
    const json_t **keys;
    json_t **old, **new;
    struct err *why;
    struct target *tg;
};

static int transact_job(struct store *s, struct conn *c, void *arg,
                        struct err *err)
{
    struct transact *x = arg;
    const struct store_write_op *ops = x->ops;
    size_t n = x->n;
    struct target *tg;
    char etag[STORE_ETAG_SIZE];
    int failed = 0;

    if (!(tg = x->tg = targets_get(s, c, x->tables, x->keys, n, err)))
        return -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (tg[i].t == tg[j].t && same_buf(&tg[i].pk, &tg[j].pk) &&
                same_buf(&tg[i].sk, &tg[j].sk))
                return err_set(err, ERR_BAD_REQUEST,
                               "Transaction request cannot include multiple "
                               "operations on one item");
    /* Decide every action, even after one fails: each gets its reason. */
    for (size_t i = 0; i < n; i++) {
        struct target *t = &tg[i];
        struct err *why = &x->why[i];
        if (store_item_read(c, t->t, &t->pk, &t->sk, &x->old[i], etag, err))
            return -1;
        *why = (struct err)ERR_INIT;
        if (ops[i].fn(ops[i].ctx, x->old[i], etag, &x->new[i], why)) {
            if (why->kind == ERR_NONE)
                err_set(why, ERR_CONFLICT, NULL);
            failed = 1;
        } else if (ops[i].check_only) {
            json_decref(x->new[i]);
            x->new[i] = NULL;
        } else if (x->new[i] &&
                   store_item_check(t->t, &t->pk, &t->sk, x->new[i], why)) {
            failed = 1;
        }
    }
    if (failed) {
        struct buf msg;
        buf_init(&msg);
        buf_puts(&msg, "Transaction cancelled, please refer cancellation "
                       "reasons for specific reasons [");
        for (size_t i = 0; i < n; i++)
            buf_printf(&msg, "%s%s", i ? ", " : "",
                       err_reason_code(x->why[i].kind));
        buf_puts(&msg, "]");
        err_set(err, ERR_CONFLICT, "%s", msg.data);
        buf_fini(&msg);
        for (size_t i = 0; x->reasons && i < n; i++)
            x->reasons[i] = x->why[i];
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!ops[i].check_only &&
            store_item_store(c, tg[i].t, &tg[i].pk, &tg[i].sk, x->old[i],
                             x->new[i], NULL, err))
            return -1;
    return 0;
}

int store_transact(struct store *s, const struct store_write_op *ops, size_t n,
                   struct err *reasons, struct err *err)
{
    struct transact x = {ops, n, reasons, NULL, NULL, NULL, NULL, NULL, NULL};
    int rc;

    for (size_t i = 0; reasons && i < n; i++)
        reasons[i] = (struct err)ERR_INIT;
    if (count_ok(n, err))
        return -1;
    x.tables = xcalloc(n, sizeof *x.tables);
    x.keys = xcalloc(n, sizeof *x.keys);
    x.old = xcalloc(n, sizeof *x.old);
    x.new = xcalloc(n, sizeof *x.new);
    x.why = xcalloc(n, sizeof *x.why);
    for (size_t i = 0; i < n; i++) {
        x.tables[i] = ops[i].table;
        x.keys[i] = ops[i].key;
    }
    rc = store_write(s, transact_job, &x, err);
    for (size_t i = 0; i < n; i++) {
        json_decref(x.old[i]);
        json_decref(x.new[i]);
    }
    targets_free(x.tg, n);
    free(x.why);
    free(x.new);
    free(x.old);
    free(x.keys);
    free(x.tables);
    return rc;
}

int store_get_items(struct store *s, const struct store_read_op *ops, size_t n,
                    json_t **items, struct err *err)
{
    struct conn *c = NULL;
    struct target *tg = NULL;
    const char **tables = NULL;
    const json_t **keys = NULL;
    char etag[STORE_ETAG_SIZE];
    int rc = -1;

    for (size_t i = 0; i < n; i++)
        items[i] = NULL;
    if (count_ok(n, err))
        return -1;
    tables = xcalloc(n, sizeof *tables);
    keys = xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        tables[i] = ops[i].table;
        keys[i] = ops[i].key;
    }
    c = store_enter(s, 0);
    /* A deferred transaction: its first read fixes the snapshot (WAL). */
    if (!(tg = targets_get(s, c, tables, keys, n, err)) ||
        store_begin_read(c, err))
        goto out;
    for (size_t i = 0; i < n; i++)
        if (store_item_read(c, tg[i].t, &tg[i].pk, &tg[i].sk, &items[i], etag,
                            err))
            goto out;
    if (store_run(c, ST_COMMIT, "commit", err))
        goto out;
    rc = 0;
out:
    if (rc)
        for (size_t i = 0; i < n; i++) {
            json_decref(items[i]);
            items[i] = NULL;
        }
    if (c) {
        store_rollback(c);
        store_leave(s, c);
    }
    targets_free(tg, n);
    free(keys);
    free(tables);
    return rc;
}

/* --- Time to Live
 * ------------------------------------------------------------- */

/* An expired item found by the sweep. */
struct expired {
    char *table;
    struct buf pk, sk;
};

/* store_sweep_expired's job. */
struct sweep {
    double now;
    size_t cap;
    size_t deleted;
};

static int sweep_job(struct store *s, struct conn *c, void *arg,
                     struct err *err)
{
    struct sweep *w = arg;
    sqlite3_stmt *st;
    struct expired *found = NULL;
    size_t n = 0;
    json_t *old = NULL;
    char etag[STORE_ETAG_SIZE];
    int rc = -1, step = SQLITE_DONE;

    st = store_prepare(c,
                       "SELECT t.name, i.pk, i.sk FROM items i"
                       " JOIN tables t ON t.id = i.table_id"
                       " WHERE i.expires <= ?1 AND i.expires >= ?2"
                       " ORDER BY i.expires LIMIT ?3",
                       err);
    if (!st)
        return -1;
    sqlite3_bind_double(st, 1, w->now);
    sqlite3_bind_double(st, 2, w->now - STORE_TTL_MAX_AGE_SECONDS);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)w->cap);
    found = xcalloc(w->cap, sizeof *found);
    while (n < w->cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct expired *e = &found[n++];
        e->table = store_column_dup(st, 0);
        buf_init(&e->pk);
        buf_init(&e->sk);
        buf_append(&e->pk, sqlite3_column_blob(st, 1),
                   (size_t)sqlite3_column_bytes(st, 1));
        buf_append(&e->sk, sqlite3_column_blob(st, 2),
                   (size_t)sqlite3_column_bytes(st, 2));
    }
    if (n < w->cap && step != SQLITE_DONE) {
        store_db_fail(err, c->db, "sweep");
        goto out;
    }
    /* Rows are copied out first: deleting while the SELECT walks the
     * expiry index would move its cursor. */
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct table *t = store_table_get(s, c, found[i].table, err);
        if (!t ||
            store_item_read(c, t, &found[i].pk, &found[i].sk, &old, etag,
                            err) ||
            store_item_store(c, t, &found[i].pk, &found[i].sk, old, NULL, NULL,
                             err))
            goto out;
        json_decref(old);
        old = NULL;
    }
    w->deleted = n;
    rc = 0;
out:
    json_decref(old);
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        free(found[i].table);
        buf_fini(&found[i].pk);
        buf_fini(&found[i].sk);
    }
    free(found);
    return rc;
}

int store_sweep_expired(struct store *s, double now, size_t max_items,
                        size_t *deleted, struct err *err)
{
    struct sweep w = {now, max_items ? max_items : SWEEP_DEFAULT, 0};
    int rc = store_write(s, sweep_job, &w, err);

    if (deleted)
        *deleted = rc ? 0 : w.deleted;
    return rc;
}
