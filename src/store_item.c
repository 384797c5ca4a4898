/*
 * store_item — one item by its key: the row read (as its stored text, or
 * parsed into the typed item) and the point reads of the public API,
 * store_get_item and store_get_item_text. The writes are store_write.c's;
 * the pages store_read.c's.
 */
#include "store_impl.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

/* --- rows --------------------------------------------------------------- */

json_t *store_item_parse(const char *text, size_t len, struct err *err)
{
    json_error_t jerr;
    json_t *item = text ? json_loadb(text, len, JSON_ALLOW_NUL, &jerr) : NULL;

    if (item && json_is_object(item))
        return item;
    json_decref(item);
    err_set(err, ERR_UNAVAILABLE, "a stored item is not valid JSON");
    return NULL;
}

json_t *store_item_decode(sqlite3_stmt *st, int col, struct err *err)
{
    size_t len;
    const char *text = store_column_bytes(st, col, &len);

    return store_item_parse(text, len, err);
}

/* Step ST_ITEM_GET for (t, pk, sk): SQLITE_ROW (etag copied, the row
 * still live for the caller to read), SQLITE_DONE, or an error with err
 * set. The caller finishes the statement. */
static int item_row(struct conn *c, const struct table *t, const struct buf *pk,
                    const struct buf *sk, char etag[STORE_ETAG_SIZE],
                    struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_GET];
    int rc;

    etag[0] = '\0';
    sqlite3_bind_int64(st, 1, t->id);
    store_bind_blob(st, 2, pk);
    store_bind_blob(st, 3, sk);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        size_t n;
        const char *tag = store_column_bytes(st, 1, &n);
        if (n > STORE_ETAG_SIZE - 1)
            n = STORE_ETAG_SIZE - 1;
        memcpy(etag, tag ? tag : "", n);
        etag[n] = '\0';
    } else if (rc != SQLITE_DONE) {
        store_db_fail(err, c->db, "read");
    }
    return rc;
}

int store_item_read(struct conn *c, const struct table *t, const struct buf *pk,
                    const struct buf *sk, json_t **item,
                    char etag[STORE_ETAG_SIZE], struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_GET];
    int rc = item_row(c, t, pk, sk, etag, err);

    *item = NULL;
    if (rc == SQLITE_ROW)
        *item = store_item_decode(st, 0, err);
    store_finish(st);
    return (rc == SQLITE_ROW && *item) || rc == SQLITE_DONE ? 0 : -1;
}

int store_item_read_text(struct conn *c, const struct table *t,
                         const struct buf *pk, const struct buf *sk,
                         struct buf *text, struct store_item_info *info,
                         struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_GET];
    int rc = item_row(c, t, pk, sk, info->etag, err);

    info->found = 0;
    info->size = 0;
    if (rc == SQLITE_ROW) {
        size_t len;
        const char *p = store_column_bytes(st, 0, &len);
        sqlite3_int64 size = sqlite3_column_int64(st, 2);
        if (p) {
            buf_append(text, p, len);
            info->found = 1;
            info->size = size > 0 ? (size_t)size : 0;
        } else {
            err_set(err, ERR_UNAVAILABLE, "a stored item is not valid JSON");
            info->etag[0] = '\0';
        }
    }
    store_finish(st);
    return info->found || rc == SQLITE_DONE ? 0 : -1;
}

/* --- point reads ------------------------------------------------------- */

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
