/*
 * store_read — the DynamoDB face's pages: Query (a partition of a table or
 * of an index, in sort key order, with a key condition turned into a range
 * of the encoded sort key) and Scan (a table or an index, in segment hash
 * order, one parallel scan segment at a time). Both read one snapshot, stop
 * at a limit or at 1 MB, and hand back DynamoDB's LastEvaluatedKey; and
 * store_scan, a table in key order. Every page read of the store is here.
 * Not filters or projections of the caller's: those are ddb's and expr's.
 */
#include "store_impl.h"
#include "attr.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

#define MSG_BAD_START "The provided starting key is invalid: "
#define MSG_START_OUTSIDE                                                      \
    "The provided starting key is outside query boundaries based on "          \
    "provided conditions"

/* Step st (columns item, size) into page. *stopped: the page ended at
 * limit or at the size cap, and the last key rule asks for a last key. */
static int read_page(struct store *s, struct conn *c, sqlite3_stmt *st,
                     size_t limit, enum store_last_key_rule rule, json_t *page,
                     int *stopped, struct err *err)
{
    size_t bytes = 0, count = 0;
    json_t *item;
    int step;

    *stopped = 0;
    /* With STORE_LAST_KEY_IF_MORE the row after a full page is stepped to
     * (never decoded) only to learn that it exists. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        size_t size = (size_t)sqlite3_column_int64(st, 1);
        if ((limit && count == limit) ||
            (count && bytes + size > STORE_PAGE_MAX_BYTES)) {
            *stopped = 1;
            break;
        }
        if (!(item = store_item_decode(st, 0, err)))
            return -1;
        json_array_append_new(page, item);
        bytes += size;
        count++;
        if (rule == STORE_LAST_KEY_IF_STOPPED && limit && count == limit) {
            *stopped = 1;
            break;
        }
    }
    atomic_fetch_add_explicit(&s->read_steps,
                              (unsigned long long)sqlite3_stmt_status(
                                  st, SQLITE_STMTSTATUS_VM_STEP, 0),
                              memory_order_relaxed);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_db_fail(err, c->db, "read");
    return 0;
}

/* An attribute value of the key type wanted, encoded. */
static int key_value(struct buf *out, char type, const json_t *v,
                     const char *name, size_t max, struct err *err)
{
    if (!v || strcmp(attr_type(v, NULL), store_type_name(type)) != 0)
        return err_set(err, ERR_BAD_REQUEST,
                       STORE_MSG_INVALID "Condition parameter type does not "
                                         "match schema type");
    return store_encode_value(out, type, v, name, max, err);
}

static int bad_start(struct err *err, const struct err *why)
{
    return err_set(err, ERR_BAD_REQUEST, MSG_BAD_START "%s",
                   why->kind == ERR_BAD_REQUEST ? why->msg
                                                : STORE_MSG_KEY_SCHEMA);
}

/* The exclusive start key of an index read: the table's key attributes and
 * the index's, each name once (a local index shares the partition key). */
static int index_start(const struct table *t, const struct index *ix,
                       const json_t *key, struct buf *ipk, struct buf *isk,
                       struct buf *pk, struct buf *sk, struct err *err)
{
    const char *names[4] = {t->pk_name, t->sk_name, ix->pk_name, ix->sk_name};
    const char types[4] = {t->pk_type, t->sk_type, ix->pk_type, ix->sk_type};
    const size_t max[4] = {STORE_PARTITION_KEY_MAX, STORE_SORT_KEY_MAX,
                           STORE_PARTITION_KEY_MAX, STORE_SORT_KEY_MAX};
    struct buf *outs[4] = {pk, sk, ipk, isk};
    struct err why = ERR_INIT;
    size_t distinct = 0;

    if (!json_is_object(key))
        goto bad;
    for (int i = 0; i < 4; i++) {
        const json_t *v;
        int dup = 0;
        if (!names[i])
            continue;
        if (!(v = json_object_get(key, names[i])))
            goto bad;
        for (int j = 0; j < i; j++)
            dup |= names[j] && strcmp(names[j], names[i]) == 0;
        distinct += !dup;
        if (store_encode_value(outs[i], types[i], v, names[i], max[i], &why))
            return bad_start(err, &why);
    }
    if (json_object_size(key) == distinct)
        return 0;
bad:
    err_set(&why, ERR_BAD_REQUEST, STORE_MSG_KEY_SCHEMA);
    return bad_start(err, &why);
}

static int table_start(const struct table *t, const json_t *key, struct buf *pk,
                       struct buf *sk, struct err *err)
{
    struct err why = ERR_INIT;

    if (store_encode_key(t, key, pk, sk, &why))
        return bad_start(err, &why);
    return 0;
}

static const struct index *index_get(const struct table *t, const char *name,
                                     struct err *err)
{
    const struct index *ix = store_index_find(t, name);

    if (!ix)
        err_set(err, ERR_BAD_REQUEST,
                "The table does not have the specified index: %.255s", name);
    return ix;
}

/* Finish a page: hand over the items and the last key. */
static void page_done(const struct table *t, const struct index *ix,
                      json_t **page, int stopped, json_t **items,
                      json_t **last_key)
{
    size_t n = json_array_size(*page);

    if (stopped && n) {
        const json_t *last = json_array_get(*page, n - 1);
        *last_key =
            ix ? store_index_key_of(t, ix, last) : store_key_of(t, last);
    }
    *items = *page;
    *page = NULL;
}

/* --- query ------------------------------------------------------------------
 */

/* The sort key range of a key condition: bounds lo and hi (encoded) with
 * whether each is present and inclusive. */
struct range {
    struct buf lo, hi;
    int has_lo, has_hi, lo_incl, hi_incl;
};

/* memcmp order of two encodings, a shorter prefix first. */
static int compare(const struct buf *a, const struct buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int cmp = n ? memcmp(a->data, b->data, n) : 0;

    if (cmp)
        return cmp;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int sort_range(const struct store_query *q, char type, const char *name,
                      struct range *r, struct err *err)
{
    const size_t max = STORE_SORT_KEY_MAX;

    switch (q->sort_op) {
    case STORE_SORT_ANY:
        return 0;
    case STORE_SORT_EQ:
    case STORE_SORT_GE:
    case STORE_SORT_GT:
    case STORE_SORT_BETWEEN:
    case STORE_SORT_BEGINS_WITH:
        if (key_value(&r->lo, type, q->sort_value, name, max, err))
            return -1;
        r->has_lo = 1;
        r->lo_incl = q->sort_op != STORE_SORT_GT;
        break;
    case STORE_SORT_LT:
    case STORE_SORT_LE:
        break;
    default:
        return err_set(err, ERR_BAD_REQUEST,
                       "Query key condition not "
                       "supported");
    }
    switch (q->sort_op) {
    case STORE_SORT_EQ:
        buf_append(&r->hi, r->lo.data, r->lo.len);
        r->has_hi = r->hi_incl = 1;
        break;
    case STORE_SORT_LT:
    case STORE_SORT_LE:
        if (key_value(&r->hi, type, q->sort_value, name, max, err))
            return -1;
        r->has_hi = 1;
        r->hi_incl = q->sort_op == STORE_SORT_LE;
        break;
    case STORE_SORT_BETWEEN:
        if (key_value(&r->hi, type, q->sort_value2, name, max, err))
            return -1;
        r->has_hi = r->hi_incl = 1;
        if (compare(&r->lo, &r->hi) > 0)
            return err_set(err, ERR_BAD_REQUEST,
                           "Invalid KeyConditionExpression: The BETWEEN "
                           "operator requires upper bound to be greater than "
                           "or equal to lower bound; lower bound operand: "
                           "AttributeValue: {%s}, upper bound operand: "
                           "AttributeValue: {%s}",
                           store_type_name(type), store_type_name(type));
        break;
    case STORE_SORT_BEGINS_WITH:
        if (type == 'N')
            return err_set(err, ERR_BAD_REQUEST,
                           "Invalid KeyConditionExpression: Incorrect operand "
                           "type for operator or function; operator or "
                           "function: begins_with, operand type: N");
        /* Every string with the prefix lies in [prefix, successor). */
        buf_append(&r->hi, r->lo.data, r->lo.len);
        r->has_hi = store_prefix_successor(&r->hi) == 0;
        r->hi_incl = 0;
        break;
    default:
        break;
    }
    return 0;
}

/*
 * The start key's sort key start (encoded; for an index only its isk, the
 * rest of the row value breaks ties) against the range bound on the same
 * side: lo when forward, hi when not. Returns 1 when the start key is the
 * tighter bound, and drops that range bound (every row after the start key
 * meets it); 0 when the range bound is tighter and the start key can go
 * (every row within the range lies after the key). table: the start key
 * is the whole sort key (a bound that excludes it), not a prefix of a row
 * value (a tie on it is broken by the table key).
 */
static int start_bound(int forward, const struct buf *start, struct range *r,
                       int table)
{
    int has = forward ? r->has_lo : r->has_hi;
    int incl = forward ? r->lo_incl : r->hi_incl;
    int cmp;

    if (!has)
        return 1;
    cmp = compare(start, forward ? &r->lo : &r->hi);
    if (!forward)
        cmp = -cmp;
    /* cmp > 0: the start key lies inside the range on this side. */
    if (cmp > 0 || (cmp == 0 && (incl || table))) {
        if (forward)
            r->has_lo = 0;
        else
            r->has_hi = 0;
        return 1;
    }
    return 0;
}

int store_query(struct store *s, const struct store_query *q, json_t **items,
                json_t **last_key, struct err *err)
{
    struct conn *c = store_enter(s, 0);
    const struct table *t;
    const struct index *ix = NULL;
    sqlite3_stmt *st = NULL;
    struct buf sql, part, spk, ssk, sipk, sisk;
    struct range r;
    json_t *page = json_array();
    const char *sk_name, *col;
    char pk_type, sk_type;
    const char *desc;
    int rc = -1, stopped, use_start;

    *items = NULL;
    *last_key = NULL;
    memset(&r, 0, sizeof r);
    buf_init(&sql);
    buf_init(&part);
    buf_init(&spk);
    buf_init(&ssk);
    buf_init(&sipk);
    buf_init(&sisk);
    if (!(t = store_table_get(s, c, q->table, err)) ||
        (q->index && !(ix = index_get(t, q->index, err))))
        goto out;
    pk_type = ix ? ix->pk_type : t->pk_type;
    sk_name = ix ? ix->sk_name : t->sk_name;
    sk_type = ix ? ix->sk_type : t->sk_type;
    if (key_value(&part, pk_type, q->partition_value,
                  ix ? ix->pk_name : t->pk_name, STORE_PARTITION_KEY_MAX, err))
        goto out;
    if (q->sort_op != STORE_SORT_ANY && !sk_name) {
        err_set(err, ERR_BAD_REQUEST, "Query key condition not supported");
        goto out;
    }
    if (sort_range(q, sk_type, sk_name, &r, err))
        goto out;
    if (q->exclusive_start_key &&
        (ix ? index_start(t, ix, q->exclusive_start_key, &sipk, &sisk, &spk,
                          &ssk, err)
            : table_start(t, q->exclusive_start_key, &spk, &ssk, err)))
        goto out;

    if (q->exclusive_start_key && compare(ix ? &sipk : &spk, &part) != 0) {
        err_set(err, ERR_BAD_REQUEST, MSG_START_OUTSIDE);
        goto out;
    }
    /* One bound on each side of the range, the tighter one: given two on
     * one column, SQLite seeks with the first and filters with the other,
     * so a late start key behind a range bound cost a walk from the range's
     * start to the key (issue 12, finding 3). */
    use_start = q->exclusive_start_key != NULL;
    if (use_start)
        use_start = start_bound(q->forward, ix ? &sisk : &ssk, &r, !ix);

    col = ix ? "isk" : "sk";
    desc = q->forward ? "" : " DESC";
    buf_puts(&sql, ix ? "SELECT item, size FROM index_entries"
                        " WHERE index_id = ?1 AND ipk = ?2"
                      : "SELECT item, size FROM items"
                        " WHERE table_id = ?1 AND pk = ?2");
    if (r.has_lo)
        buf_printf(&sql, " AND %s %s ?3", col, r.lo_incl ? ">=" : ">");
    if (r.has_hi)
        buf_printf(&sql, " AND %s %s ?4", col, r.hi_incl ? "<=" : "<");
    if (use_start && ix)
        buf_printf(&sql, " AND (isk, pk, sk) %s (?5, ?6, ?7)",
                   q->forward ? ">" : "<");
    else if (use_start)
        buf_printf(&sql, " AND sk %s ?5", q->forward ? ">" : "<");
    if (ix)
        buf_printf(&sql, " ORDER BY isk%s, pk%s, sk%s", desc, desc, desc);
    else
        buf_printf(&sql, " ORDER BY sk%s", desc);

    if (!(st = store_prepare(c, sql.data, err)))
        goto out;
    sqlite3_bind_int64(st, 1, ix ? ix->id : t->id);
    store_bind_blob(st, 2, &part);
    if (r.has_lo)
        store_bind_blob(st, 3, &r.lo);
    if (r.has_hi)
        store_bind_blob(st, 4, &r.hi);
    if (use_start && ix) {
        store_bind_blob(st, 5, &sisk);
        store_bind_blob(st, 6, &spk);
        store_bind_blob(st, 7, &ssk);
    } else if (use_start) {
        store_bind_blob(st, 5, &ssk);
    }
    if (read_page(s, c, st, q->limit, q->last_key_rule, page, &stopped, err))
        goto out;
    page_done(t, ix, &page, stopped, items, last_key);
    rc = 0;
out:
    sqlite3_finalize(st);
    json_decref(page);
    buf_fini(&r.hi);
    buf_fini(&r.lo);
    buf_fini(&sisk);
    buf_fini(&sipk);
    buf_fini(&ssk);
    buf_fini(&spk);
    buf_fini(&part);
    buf_fini(&sql);
    store_leave(s, c);
    return rc;
}

/* --- scan -------------------------------------------------------------------
 */

#define HASH_SPACE ((int64_t)1 << 32)

/* The first hash of segment i of n: ceil(i * 2^32 / n). */
static int64_t segment_start(uint64_t i, uint64_t n)
{
    return (int64_t)((i * (uint64_t)HASH_SPACE + n - 1) / n);
}

int store_scan_segment(struct store *s, const struct store_scan_request *r,
                       json_t **items, json_t **last_key, struct err *err)
{
    struct conn *c = store_enter(s, 0);
    const struct table *t;
    const struct index *ix = NULL;
    sqlite3_stmt *st = NULL;
    struct buf spk, ssk, sipk, sisk;
    json_t *page = json_array();
    unsigned total = r->total_segments ? r->total_segments : 1;
    const char *sql;
    int64_t lo, hi, start_seg = 0;
    int rc = -1, stopped, use_start;

    *items = NULL;
    *last_key = NULL;
    buf_init(&spk);
    buf_init(&ssk);
    buf_init(&sipk);
    buf_init(&sisk);
    if (total > STORE_TOTAL_SEGMENTS_MAX) {
        err_set(err, ERR_BAD_REQUEST,
                "1 validation error detected: Value '%u' at 'totalSegments' "
                "failed to satisfy constraint: Member must have value less "
                "than or equal to %d",
                total, STORE_TOTAL_SEGMENTS_MAX);
        goto out;
    }
    if (r->segment >= total) {
        err_set(err, ERR_BAD_REQUEST,
                "The Segment parameter is zero-based and must be less than "
                "parameter TotalSegments: Segment: %u is not less than "
                "TotalSegments: %u",
                r->segment, total);
        goto out;
    }
    if (!(t = store_table_get(s, c, r->table, err)) ||
        (r->index && !(ix = index_get(t, r->index, err))))
        goto out;
    if (r->exclusive_start_key &&
        (ix ? index_start(t, ix, r->exclusive_start_key, &sipk, &sisk, &spk,
                          &ssk, err)
            : table_start(t, r->exclusive_start_key, &spk, &ssk, err)))
        goto out;
    /* The start key's row value alone bounds the seek from below: SQLite
     * seeks with one lower bound per column and filters with any other, so
     * "seg >= start" beside it walked the segment from its start to the key
     * (issue 12, finding 3). A start key before the segment (a key from
     * another segment) starts the segment from its beginning, as before. */
    lo = segment_start(r->segment, total);
    hi = segment_start(r->segment + 1ull, total);
    use_start = r->exclusive_start_key != NULL;
    if (use_start) {
        start_seg = ix ? store_segment_hash(sipk.data, sipk.len)
                       : store_segment_hash(spk.data, spk.len);
        use_start = start_seg >= lo;
    }
    if (ix)
        sql = use_start
                  ? "SELECT item, size FROM index_entries WHERE index_id = ?1"
                    " AND (seg, ipk, isk, pk, sk) > (?4, ?5, ?6, ?7, ?8)"
                    " AND seg < ?3 ORDER BY seg, ipk, isk, pk, sk"
                  : "SELECT item, size FROM index_entries WHERE index_id = ?1"
                    " AND seg >= ?2 AND seg < ?3"
                    " ORDER BY seg, ipk, isk, pk, sk";
    else
        sql = use_start ? "SELECT item, size FROM items WHERE table_id = ?1"
                          " AND (seg, pk, sk) > (?4, ?5, ?6) AND seg < ?3"
                          " ORDER BY seg, pk, sk"
                        : "SELECT item, size FROM items WHERE table_id = ?1"
                          " AND seg >= ?2 AND seg < ?3 ORDER BY seg, pk, sk";
    if (!(st = store_prepare(c, sql, err)))
        goto out;
    sqlite3_bind_int64(st, 1, ix ? ix->id : t->id);
    if (!use_start)
        sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    if (use_start && ix) {
        sqlite3_bind_int64(st, 4, start_seg);
        store_bind_blob(st, 5, &sipk);
        store_bind_blob(st, 6, &sisk);
        store_bind_blob(st, 7, &spk);
        store_bind_blob(st, 8, &ssk);
    } else if (use_start) {
        sqlite3_bind_int64(st, 4, start_seg);
        store_bind_blob(st, 5, &spk);
        store_bind_blob(st, 6, &ssk);
    }
    if (read_page(s, c, st, r->limit, r->last_key_rule, page, &stopped, err))
        goto out;
    page_done(t, ix, &page, stopped, items, last_key);
    rc = 0;
out:
    sqlite3_finalize(st);
    json_decref(page);
    buf_fini(&sisk);
    buf_fini(&sipk);
    buf_fini(&ssk);
    buf_fini(&spk);
    store_leave(s, c);
    return rc;
}

unsigned long long store_read_steps(struct store *s)
{
    return atomic_load_explicit(&s->read_steps, memory_order_relaxed);
}

/* --- key order (store_scan: the REST face's list) ------------------------ */

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
