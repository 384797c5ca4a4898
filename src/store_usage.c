/*
 * store_usage — the rows of the usage plans' quota counters (table
 * usage_quota): read back at start, saved in batches by usage's flusher.
 * Not the counting (usage.c does it in memory, without SQLite) nor the
 * periods' arithmetic: a row is whatever usage hands over.
 */
#include "store_impl.h"

#include <sqlite3.h>
#include <stdint.h>

/* A batch replaces rows whole: usage always saves a counter with the
 * period it belongs to. */
#define SQL_SAVE                                                               \
    "INSERT INTO usage_quota (plan, api_key, period_start, used)"              \
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (plan, api_key) DO UPDATE SET"       \
    " period_start = excluded.period_start, used = excluded.used"
#define SQL_LOAD                                                               \
    "SELECT period_start, used FROM usage_quota"                               \
    " WHERE plan = ?1 AND api_key = ?2"

/* store_quota_save's job. */
struct save {
    const struct store_quota_count *counts;
    size_t n;
};

static int save_job(struct store *s, struct conn *c, void *arg, struct err *err)
{
    const struct save *x = arg;
    sqlite3_stmt *st;
    int rc = -1;

    (void)s;
    if (!(st = store_prepare(c, SQL_SAVE, err)))
        return -1;
    for (size_t i = 0; i < x->n; i++) {
        const struct store_quota_count *q = &x->counts[i];
        /* SQLite's integers are signed: a count beyond them cannot be
         * reached, but must not wrap into a negative row either. */
        uint64_t used = q->used > INT64_MAX ? INT64_MAX : q->used;

        sqlite3_bind_text(st, 1, q->plan, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, q->api_key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, q->period_start);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)used);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_db_fail(err, c->db, "usage quota save");
            goto out;
        }
        store_finish(st);
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

int store_quota_save(struct store *s, const struct store_quota_count *counts,
                     size_t n, struct err *err)
{
    struct save x = {counts, n};

    if (n == 0)
        return 0;
    return store_write(s, save_job, &x, err);
}

int store_quota_load(struct store *s, struct store_quota_count *counts,
                     size_t n, struct err *err)
{
    struct conn *c;
    sqlite3_stmt *st = NULL;
    int rc = -1;

    for (size_t i = 0; i < n; i++) {
        counts[i].found = 0;
        counts[i].period_start = 0;
        counts[i].used = 0;
    }
    if (n == 0)
        return 0;
    c = store_enter(s, 0);
    /* A deferred transaction: every row from one snapshot. */
    if (!(st = store_prepare(c, SQL_LOAD, err)) || store_begin_read(c, err))
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct store_quota_count *q = &counts[i];
        int step;

        sqlite3_bind_text(st, 1, q->plan, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, q->api_key, -1, SQLITE_STATIC);
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            sqlite3_int64 used = sqlite3_column_int64(st, 1);
            q->found = 1;
            q->period_start = sqlite3_column_int64(st, 0);
            q->used = used > 0 ? (unsigned long long)used : 0;
        } else if (step != SQLITE_DONE) {
            store_db_fail(err, c->db, "usage quota load");
            goto out;
        }
        store_finish(st);
    }
    if (store_run(c, ST_COMMIT, "commit", err))
        goto out;
    rc = 0;
out:
    if (rc)
        for (size_t i = 0; i < n; i++) {
            counts[i].found = 0;
            counts[i].period_start = 0;
            counts[i].used = 0;
        }
    sqlite3_finalize(st);
    store_rollback(c);
    store_leave(s, c);
    return rc;
}
