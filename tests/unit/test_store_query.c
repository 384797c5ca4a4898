/*
 * Unit tests for the store's DynamoDB-face parts: secondary indexes, Query
 * and Scan pages, transactions, multi-get, TTL, table definitions and the
 * v1 → v2 schema migration. Each test builds its own store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "xalloc.h"

/* --- fixtures ------------------------------------------------------------ */

static struct store *open_memory(void)
{
    struct err err = ERR_INIT;
    struct store *s = store_open(":memory:", 1, STORE_DURABILITY_NORMAL, &err);

    if (!s)
        fail_msg("store_open: %s", err.msg);
    return s;
}

static void create(struct store *s, const char *name, const char *pk,
                   char pk_type, const char *sk, char sk_type)
{
    struct store_key_schema ks = {pk, pk_type, sk, sk_type};
    struct err err = ERR_INIT;

    if (store_create_table(s, name, &ks, 0, &err))
        fail_msg("store_create_table: %s", err.msg);
}

static int put_fn(void *ctx, const json_t *old_item, const char *old_etag,
                  json_t **new_item, struct err *err)
{
    (void)old_item;
    (void)old_etag;
    (void)err;
    *new_item = ctx ? json_incref(ctx) : NULL;
    return 0;
}

/* Write item (stealing it) at its key (the table's key attributes named in
 * kp and ks); the store_mutate_item result. */
static int put_item(struct store *s, const char *table, const char *kp,
                    const char *ks, json_t *item, struct err *err)
{
    json_t *key = json_object();
    int rc;

    json_object_set(key, kp, json_object_get(item, kp));
    if (ks)
        json_object_set(key, ks, json_object_get(item, ks));
    rc = store_mutate_item(s, table, key, put_fn, item, NULL, err);
    json_decref(key);
    json_decref(item);
    return rc;
}

static void put_ok(struct store *s, const char *table, const char *kp,
                   const char *ks, json_t *item)
{
    struct err err = ERR_INIT;

    if (put_item(s, table, kp, ks, item, &err))
        fail_msg("put: %s", err.msg);
}

static void del_ok(struct store *s, const char *table, json_t *key)
{
    struct err err = ERR_INIT;

    if (store_mutate_item(s, table, key, put_fn, NULL, NULL, &err))
        fail_msg("delete: %s", err.msg);
    json_decref(key);
}

static json_t *val(const char *type, const char *v)
{
    return json_pack("{s:s}", type, v);
}

/* The values of attribute name (of type) along items, joined by ",". */
static char *column(const json_t *items, const char *name, const char *type)
{
    char *out = xstrdup("");
    size_t i;
    json_t *item;

    json_array_foreach(items, i, item)
    {
        const char *v = json_string_value(
            json_object_get(json_object_get(item, name), type));
        char *next = xasprintf("%s%s%s", out, i ? "," : "", v ? v : "-");
        free(out);
        out = next;
    }
    return out;
}

static void assert_column(const json_t *items, const char *name,
                          const char *type, const char *want)
{
    char *got = column(items, name, type);
    assert_string_equal(got, want);
    free(got);
}

/* Run q, expect success; *last (if not NULL) gets the last key. Returns the
 * items (a new reference). */
static json_t *query_ok(struct store *s, const struct store_query *q,
                        json_t **last)
{
    struct err err = ERR_INIT;
    json_t *items = NULL, *lk = NULL;

    if (store_query(s, q, &items, &lk, &err))
        fail_msg("store_query: %s", err.msg);
    if (last)
        *last = lk;
    else
        json_decref(lk);
    return items;
}

/* --- query order and conditions ---------------------------------------- */

static void query_sort(struct store *s, const char *table, const char *type,
                       const char *pv, enum store_sort_op op, const char *v1,
                       const char *v2, int forward, const char *want)
{
    json_t *p = val("S", pv);
    json_t *a = v1 ? val(type, v1) : NULL, *b = v2 ? val(type, v2) : NULL;
    struct store_query q = {.table = table,
                            .partition_value = p,
                            .sort_op = op,
                            .sort_value = a,
                            .sort_value2 = b,
                            .forward = forward};
    json_t *items = query_ok(s, &q, NULL);

    assert_column(items, "sk", type, want);
    json_decref(items);
    json_decref(p);
    json_decref(a);
    json_decref(b);
}

static void query_orders_numbers_numerically_both_ways(void **state)
{
    struct store *s = open_memory();
    static const char *const nums[] = {"10",   "-3",  "2.5", "0",
                                       "-0.5", "100", "3"};

    (void)state;
    create(s, "Nums", "pk", 'S', "sk", 'N');
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        put_ok(s, "Nums", "pk", "sk",
               json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "p", "sk", "N",
                         nums[i]));
    put_ok(s, "Nums", "pk", "sk",
           json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "other", "sk", "N", "1"));
    query_sort(s, "Nums", "N", "p", STORE_SORT_ANY, NULL, NULL, 1,
               "-3,-0.5,0,2.5,3,10,100");
    query_sort(s, "Nums", "N", "p", STORE_SORT_ANY, NULL, NULL, 0,
               "100,10,3,2.5,0,-0.5,-3");
    query_sort(s, "Nums", "N", "p", STORE_SORT_EQ, "2.5", NULL, 1, "2.5");
    query_sort(s, "Nums", "N", "p", STORE_SORT_LT, "3", NULL, 1,
               "-3,-0.5,0,2.5");
    query_sort(s, "Nums", "N", "p", STORE_SORT_LE, "3", NULL, 0,
               "3,2.5,0,-0.5,-3");
    query_sort(s, "Nums", "N", "p", STORE_SORT_GT, "3", NULL, 1, "10,100");
    query_sort(s, "Nums", "N", "p", STORE_SORT_GE, "3", NULL, 1, "3,10,100");
    query_sort(s, "Nums", "N", "p", STORE_SORT_BETWEEN, "-0.5", "10", 0,
               "10,3,2.5,0,-0.5");
    query_sort(s, "Nums", "N", "nobody", STORE_SORT_ANY, NULL, NULL, 1, "");
    store_close(s);
}

static void query_orders_strings_and_binary_by_bytes(void **state)
{
    struct store *s = open_memory();
    static const char *const strs[] = {"b", "a", "ab", "B", "é", "a~", "abc"};
    /* Base64 of 00, 01 ff, 01, ff, ff ff, ff 00 */
    static const char *const bins[] = {
        "AA==", "Af8=", "AQ==", "/w==", "//8=", "/wA="};

    (void)state;
    create(s, "Strs", "pk", 'S', "sk", 'S');
    create(s, "Bins", "pk", 'S', "sk", 'B');
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        put_ok(s, "Strs", "pk", "sk",
               json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "p", "sk", "S",
                         strs[i]));
    for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++)
        put_ok(s, "Bins", "pk", "sk",
               json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "p", "sk", "B",
                         bins[i]));
    query_sort(s, "Strs", "S", "p", STORE_SORT_ANY, NULL, NULL, 1,
               "B,a,ab,abc,a~,b,é");
    query_sort(s, "Strs", "S", "p", STORE_SORT_ANY, NULL, NULL, 0,
               "é,b,a~,abc,ab,a,B");
    query_sort(s, "Strs", "S", "p", STORE_SORT_BEGINS_WITH, "a", NULL, 1,
               "a,ab,abc,a~");
    query_sort(s, "Strs", "S", "p", STORE_SORT_BEGINS_WITH, "ab", NULL, 0,
               "abc,ab");
    query_sort(s, "Strs", "S", "p", STORE_SORT_BEGINS_WITH, "z", NULL, 1, "");
    query_sort(s, "Strs", "S", "p", STORE_SORT_BETWEEN, "a", "b", 1,
               "a,ab,abc,a~,b");
    query_sort(s, "Strs", "S", "p", STORE_SORT_GT, "a~", NULL, 1, "b,é");

    query_sort(s, "Bins", "B", "p", STORE_SORT_ANY, NULL, NULL, 1,
               "AA==,AQ==,Af8=,/w==,/wA=,//8=");
    /* begins_with ff has no byte string above it: an open range. */
    query_sort(s, "Bins", "B", "p", STORE_SORT_BEGINS_WITH, "/w==", NULL, 1,
               "/w==,/wA=,//8=");
    query_sort(s, "Bins", "B", "p", STORE_SORT_BEGINS_WITH, "AQ==", NULL, 0,
               "Af8=,AQ==");
    query_sort(s, "Bins", "B", "p", STORE_SORT_LT, "/w==", NULL, 0,
               "Af8=,AQ==,AA==");
    store_close(s);
}

/* --- pagination and the 1 MB cap ----------------------------------------- */

static json_t *num_item(const char *p, int n)
{
    char text[16];

    snprintf(text, sizeof text, "%d", n);
    return json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", p, "sk", "N", text);
}

static void query_pages_follow_dynamodb_last_key_rule(void **state)
{
    struct store *s = open_memory();
    json_t *p = val("S", "p"), *items, *last = NULL, *next = NULL;
    struct store_query q = {.table = "Nums",
                            .partition_value = p,
                            .forward = 1,
                            .limit = 2,
                            .last_key_rule = STORE_LAST_KEY_IF_STOPPED};
    struct err err = ERR_INIT;

    (void)state;
    create(s, "Nums", "pk", 'S', "sk", 'N');
    for (int i = 1; i <= 4; i++)
        put_ok(s, "Nums", "pk", "sk", num_item("p", i));
    items = query_ok(s, &q, &last);
    assert_column(items, "sk", "N", "1,2");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(last, "sk"), "N")),
        "2");
    assert_int_equal(json_object_size(last), 2);
    json_decref(items);
    q.exclusive_start_key = last;
    items = query_ok(s, &q, &next);
    assert_column(items, "sk", "N", "3,4");
    /* DynamoDB: a page that reached Limit has a last key, even at the end. */
    assert_non_null(next);
    json_decref(items);
    json_decref(last);
    q.exclusive_start_key = next;
    items = query_ok(s, &q, &last);
    assert_column(items, "sk", "N", "");
    json_decref(next);
    assert_null(last);
    json_decref(items);

    /* The REST rule: no last key when nothing follows. */
    q.last_key_rule = STORE_LAST_KEY_IF_MORE;
    q.exclusive_start_key = NULL;
    q.limit = 4;
    items = query_ok(s, &q, &last);
    assert_column(items, "sk", "N", "1,2,3,4");
    assert_null(last);
    json_decref(items);

    /* Backwards from a start key. */
    q.forward = 0;
    q.limit = 0;
    q.exclusive_start_key = last =
        json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "p", "sk", "N", "3");
    items = query_ok(s, &q, NULL);
    assert_column(items, "sk", "N", "2,1");
    json_decref(items);
    json_decref(last);

    /* Errors: wrong partition type, condition on no sort key, bad start. */
    json_decref(p);
    q.partition_value = p = val("N", "1");
    assert_int_equal(store_query(s, &q, &items, &last, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_null(items);
    json_decref(p);
    q.partition_value = p = val("S", "p");
    q.exclusive_start_key = last = json_pack("{s:{s:s}}", "pk", "S", "p");
    assert_int_equal(store_query(s, &q, &items, &next, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "The provided starting key is invalid"));
    json_decref(last);
    q.exclusive_start_key = NULL;
    q.sort_op = STORE_SORT_BEGINS_WITH;
    q.sort_value = last = val("N", "1");
    assert_int_equal(store_query(s, &q, &items, &next, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "begins_with"));
    json_decref(last);
    q.sort_op = STORE_SORT_ANY;
    q.index = "nope";
    assert_int_equal(store_query(s, &q, &items, &next, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_string_equal(err.msg,
                        "The table does not have the specified index: nope");
    q.table = "Nope";
    assert_int_equal(store_query(s, &q, &items, &next, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    json_decref(p);
    store_close(s);
}

static void query_page_holds_at_most_1mb(void **state)
{
    struct store *s = open_memory();
    char *big = xmalloc(300 * 1024 + 1);
    json_t *p = val("S", "p"), *items, *last = NULL;
    struct store_query q = {.table = "Nums",
                            .partition_value = p,
                            .forward = 1,
                            .last_key_rule = STORE_LAST_KEY_IF_STOPPED};

    (void)state;
    memset(big, 'v', 300 * 1024);
    big[300 * 1024] = '\0';
    create(s, "Nums", "pk", 'S', "sk", 'N');
    for (int i = 1; i <= 5; i++) {
        json_t *item = num_item("p", i);
        json_object_set_new(item, "v", val("S", big));
        put_ok(s, "Nums", "pk", "sk", item);
    }
    items = query_ok(s, &q, &last);
    assert_column(items, "sk", "N", "1,2,3");
    assert_non_null(last);
    json_decref(items);
    q.exclusive_start_key = last;
    items = query_ok(s, &q, NULL);
    assert_column(items, "sk", "N", "4,5");
    json_decref(items);
    json_decref(last);
    json_decref(p);
    free(big);
    store_close(s);
}

/* --- secondary indexes ---------------------------------------------------- */

/* Orders: pk customer (S), sk order id (S); GSI byStatus (status S, total
 * N) projecting KEYS_ONLY + note; LSI byTotal (customer, total N) ALL. */
static struct store *orders_store(void)
{
    static const char *const include[] = {"note"};
    struct store_index_spec ix[2] = {
        {"byStatus",
         STORE_INDEX_GLOBAL,
         {"status", 'S', "total", 'N'},
         STORE_PROJECTION_INCLUDE,
         include,
         1},
        {"byTotal",
         STORE_INDEX_LOCAL,
         {"customer", 'S', "total", 'N'},
         STORE_PROJECTION_ALL,
         NULL,
         0},
    };
    struct store_key_schema ks = {"customer", 'S', "order", 'S'};
    struct store *s = open_memory();
    struct err err = ERR_INIT;

    if (store_create_table_indexed(s, "Orders", &ks, ix, 2, &err))
        fail_msg("create: %s", err.msg);
    return s;
}

static void put_order(struct store *s, const char *customer, const char *order,
                      const char *status, const char *total)
{
    json_t *item = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "customer",
                             "S", customer, "order", "S", order, "note", "S",
                             "n", "extra", "S", "x");
    if (status)
        json_object_set_new(item, "status", val("S", status));
    if (total)
        json_object_set_new(item, "total", val("N", total));
    put_ok(s, "Orders", "customer", "order", item);
}

static json_t *index_query(struct store *s, const char *index, const char *pv,
                           int forward, size_t limit, const json_t *start,
                           json_t **last)
{
    json_t *p = val("S", pv);
    struct store_query q = {.table = "Orders",
                            .index = index,
                            .partition_value = p,
                            .forward = forward,
                            .limit = limit,
                            .exclusive_start_key = start,
                            .last_key_rule = STORE_LAST_KEY_IF_STOPPED};
    json_t *items = query_ok(s, &q, last);

    json_decref(p);
    return items;
}

static void sparse_gsi_follows_every_write(void **state)
{
    struct store *s = orders_store();
    json_t *items, *last = NULL, *item;
    struct err err = ERR_INIT;

    (void)state;
    put_order(s, "c1", "o1", "open", "30");
    put_order(s, "c1", "o2", "open", "5");
    put_order(s, "c2", "o3", "open", "12.5");
    put_order(s, "c2", "o4", NULL, "7"); /* no status: not in byStatus */
    put_order(s, "c3", "o5", "shut", NULL);
    items = index_query(s, "byStatus", "open", 1, 0, NULL, NULL);
    assert_column(items, "order", "S", "o2,o3,o1");
    /* Projected: keys and note, not extra. */
    item = json_array_get(items, 0);
    assert_int_equal(json_object_size(item), 5);
    assert_non_null(json_object_get(item, "note"));
    assert_null(json_object_get(item, "extra"));
    json_decref(items);

    /* Update moves the entry; delete removes it. */
    put_order(s, "c1", "o2", "shut", "5");
    del_ok(s, "Orders",
           json_pack("{s:{s:s}, s:{s:s}}", "customer", "S", "c2", "order", "S",
                     "o3"));
    items = index_query(s, "byStatus", "open", 0, 0, NULL, NULL);
    assert_column(items, "order", "S", "o1");
    json_decref(items);
    items = index_query(s, "byStatus", "shut", 1, 0, NULL, NULL);
    assert_column(items, "order", "S", "o2");
    json_decref(items);
    /* Removing the status takes the item out. */
    put_order(s, "c1", "o2", NULL, "5");
    items = index_query(s, "byStatus", "shut", 1, 0, NULL, NULL);
    assert_column(items, "order", "S", "");
    json_decref(items);

    /* An index key of another type is refused, nothing written. */
    item = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "customer", "S", "c9",
                     "order", "S", "o9", "status", "N", "1");
    assert_int_equal(put_item(s, "Orders", "customer", "order", item, &err),
                     -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "Type mismatch for Index Key status"));
    item = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "customer", "S", "c9",
                     "order", "S", "o9", "status", "S", "");
    assert_int_equal(put_item(s, "Orders", "customer", "order", item, &err),
                     -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);

    /* Pages of an index: the last key holds index and table keys. */
    put_order(s, "c4", "o6", "open", "30");
    put_order(s, "c5", "o7", "open", "30");
    items = index_query(s, "byStatus", "open", 1, 2, NULL, &last);
    assert_column(items, "order", "S", "o1,o6");
    assert_int_equal(json_object_size(last), 4);
    assert_non_null(json_object_get(last, "status"));
    assert_non_null(json_object_get(last, "total"));
    json_decref(items);
    items = index_query(s, "byStatus", "open", 1, 2, last, NULL);
    assert_column(items, "order", "S", "o7");
    json_decref(items);
    json_decref(last);
    store_close(s);
}

static void lsi_orders_a_partition_by_another_sort_key(void **state)
{
    struct store *s = orders_store();
    json_t *items, *last = NULL;

    (void)state;
    put_order(s, "c1", "a", "open", "30");
    put_order(s, "c1", "b", "open", "-2");
    put_order(s, "c1", "c", NULL, "100");
    put_order(s, "c1", "d", NULL, NULL); /* no total: not in byTotal */
    put_order(s, "c2", "e", NULL, "1");
    items = index_query(s, "byTotal", "c1", 1, 0, NULL, NULL);
    assert_column(items, "order", "S", "b,a,c");
    /* ALL projects the whole item. */
    assert_non_null(json_object_get(json_array_get(items, 0), "extra"));
    json_decref(items);
    items = index_query(s, "byTotal", "c1", 0, 1, NULL, &last);
    assert_column(items, "order", "S", "c");
    /* LSI's last key: customer, order, total (partition key once). */
    assert_int_equal(json_object_size(last), 3);
    json_decref(items);
    items = index_query(s, "byTotal", "c1", 0, 0, last, NULL);
    assert_column(items, "order", "S", "a,b");
    json_decref(items);
    json_decref(last);
    store_close(s);
}

static void gsi_added_later_is_backfilled_and_removable(void **state)
{
    struct store *s = orders_store();
    struct store_index_spec gsi = {"byNote",
                                   STORE_INDEX_GLOBAL,
                                   {"extra", 'S', NULL, 0},
                                   STORE_PROJECTION_KEYS_ONLY,
                                   NULL,
                                   0};
    struct store_table_desc d;
    struct err err = ERR_INIT;
    json_t *items, *p, *last = NULL;
    struct store_query q = {.table = "Orders", .index = "byNote", .forward = 1};

    (void)state;
    put_order(s, "c1", "a", "open", "30");
    put_order(s, "c2", "b", NULL, NULL);
    /* extra as N: the backfill leaves it out (as DynamoDB's would). */
    put_ok(s, "Orders", "customer", "order",
           json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "customer", "S", "c3",
                     "order", "S", "c", "extra", "N", "1"));
    assert_int_equal(store_update_table(s, "Orders", &gsi, NULL, &err), 0);
    q.partition_value = p = val("S", "x");
    items = query_ok(s, &q, NULL);
    assert_column(items, "order", "S", "a,b");
    assert_int_equal(json_object_size(json_array_get(items, 0)), 3);
    json_decref(items);
    /* Now writes keep it in step, and check its type. */
    put_order(s, "c4", "d", NULL, NULL);
    items = query_ok(s, &q, NULL);
    assert_column(items, "order", "S", "a,b,d");
    json_decref(items);
    assert_int_equal(store_describe_table(s, "Orders", &d, &err), 0);
    assert_int_equal(d.nindexes, 3);
    assert_string_equal(d.indexes[2].name, "byNote");
    assert_int_equal(d.indexes[2].item_count, 3);
    assert_int_equal(d.item_count, 4);
    store_table_desc_fini(&d);
    /* the schema alone: the same keys and indexes, no counting */
    assert_int_equal(store_table_schema(s, "Orders", &d, &err), 0);
    assert_int_equal(d.nindexes, 3);
    assert_string_equal(d.indexes[2].name, "byNote");
    assert_string_equal(d.partition_key, "customer");
    assert_int_equal(d.indexes[2].item_count, 0);
    assert_int_equal(d.item_count, 0);
    store_table_desc_fini(&d);
    assert_int_equal(store_table_schema(s, "Nope", &d, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);

    /* Errors: the same name again, removing a local index, a missing one. */
    assert_int_equal(store_update_table(s, "Orders", &gsi, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_update_table(s, "Orders", NULL, "byTotal", &err),
                     -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_update_table(s, "Orders", NULL, "zzz", &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);

    assert_int_equal(store_update_table(s, "Orders", NULL, "byNote", &err), 0);
    assert_int_equal(store_query(s, &q, &items, &last, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_null(last);
    json_decref(p);
    assert_int_equal(store_describe_table(s, "Orders", &d, &err), 0);
    assert_int_equal(d.nindexes, 2);
    store_table_desc_fini(&d);
    /* Writes go on without it. */
    put_order(s, "c5", "e", NULL, NULL);
    store_close(s);
}

static void create_table_checks_index_specs(void **state)
{
    struct store *s = open_memory();
    struct store_key_schema ks = {"pk", 'S', NULL, 0};
    struct store_key_schema ks2 = {"pk", 'S', "sk", 'S'};
    struct store_index_spec lsi = {"local",
                                   STORE_INDEX_LOCAL,
                                   {"pk", 'S', "other", 'N'},
                                   STORE_PROJECTION_ALL,
                                   NULL,
                                   0};
    struct store_index_spec clash = {"clash",
                                     STORE_INDEX_GLOBAL,
                                     {"sk", 'N', NULL, 0},
                                     STORE_PROJECTION_ALL,
                                     NULL,
                                     0};
    struct store_index_spec two[2] = {lsi, lsi};
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(store_create_table_indexed(s, "Tone", &ks, &lsi, 1, &err),
                     -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "does not have a range key"));
    assert_int_equal(store_create_table_indexed(s, "Tab", &ks, &lsi, 1, &err),
                     -1);
    assert_int_equal(
        store_create_table_indexed(s, "Tab", &ks2, &clash, 1, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_create_table_indexed(s, "Tab", &ks2, two, 2, &err),
                     -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    /* Nothing was created by the failures. */
    assert_int_equal(store_create_table_indexed(s, "Tab", &ks2, &lsi, 1, &err),
                     0);
    assert_int_equal(store_create_table_indexed(s, "Tab", &ks2, &lsi, 1, &err),
                     -1);
    assert_int_equal(err.kind, ERR_IN_USE);
    assert_string_equal(err.msg, "Table already exists: Tab");
    store_close(s);
}

/* --- parallel scan ------------------------------------------------------- */

static void scan_segments_partition_the_items(void **state)
{
    struct store *s = open_memory();
    struct err err = ERR_INIT;
    int seen[200] = {0};
    size_t total = 0;

    (void)state;
    create(s, "Nums", "pk", 'S', "sk", 'N');
    for (int i = 0; i < 200; i++) {
        char p[16];
        snprintf(p, sizeof p, "p%d", i / 2);
        put_ok(s, "Nums", "pk", "sk", num_item(p, i));
    }
    for (unsigned seg = 0; seg < 7; seg++) {
        struct store_scan_request r = {.table = "Nums",
                                       .segment = seg,
                                       .total_segments = 7,
                                       .limit = 5,
                                       .last_key_rule =
                                           STORE_LAST_KEY_IF_STOPPED};
        json_t *start = NULL;
        do {
            json_t *items = NULL, *last = NULL, *item;
            size_t i;
            r.exclusive_start_key = start;
            if (store_scan_segment(s, &r, &items, &last, &err))
                fail_msg("scan: %s", err.msg);
            assert_true(json_array_size(items) <= 5);
            json_array_foreach(items, i, item)
            {
                int n = atoi(json_string_value(
                    json_object_get(json_object_get(item, "sk"), "N")));
                seen[n]++;
                total++;
            }
            json_decref(items);
            json_decref(start);
            start = last;
        } while (start);
    }
    assert_int_equal(total, 200);
    for (int i = 0; i < 200; i++)
        assert_int_equal(seen[i], 1);

    /* Whole-table scan with the REST rule: no last key at the end. */
    {
        struct store_scan_request r = {.table = "Nums", .limit = 200};
        json_t *items = NULL, *last = NULL;
        assert_int_equal(store_scan_segment(s, &r, &items, &last, &err), 0);
        assert_int_equal(json_array_size(items), 200);
        assert_null(last);
        json_decref(items);
        r.segment = 3;
        r.total_segments = 3;
        assert_int_equal(store_scan_segment(s, &r, &items, &last, &err), -1);
        assert_int_equal(err.kind, ERR_BAD_REQUEST);
        r.segment = 0;
        r.total_segments = STORE_TOTAL_SEGMENTS_MAX + 1;
        assert_int_equal(store_scan_segment(s, &r, &items, &last, &err), -1);
        assert_int_equal(err.kind, ERR_BAD_REQUEST);
    }
    store_close(s);
}

/* Issue 12, finding 3: a page costs the same (in SQLite VM steps, not time)
 * wherever its exclusive start key lies: late in a range, a partition, a
 * segment or an index. */
#define WIDE 2000

static unsigned long long query_cost(struct store *s, struct store_query *q)
{
    unsigned long long before = store_read_steps(s);
    json_t *last = NULL, *items = query_ok(s, q, &last);

    assert_int_equal(json_array_size(items), 1);
    json_decref(items);
    json_decref(last);
    return store_read_steps(s) - before;
}

/* The cost of a one-item scan page after start, and (if last is not NULL)
 * the page's last key after a page of limit items. */
static unsigned long long scan_cost(struct store *s, const char *index,
                                    const json_t *start, size_t limit,
                                    json_t **last)
{
    struct store_scan_request r = {.table = "Wide",
                                   .index = index,
                                   .exclusive_start_key = start,
                                   .limit = limit,
                                   .last_key_rule = STORE_LAST_KEY_IF_STOPPED};
    unsigned long long before = store_read_steps(s);
    struct err err = ERR_INIT;
    json_t *items = NULL, *lk = NULL;

    if (store_scan_segment(s, &r, &items, &lk, &err))
        fail_msg("scan: %s", err.msg);
    assert_int_equal(json_array_size(items), limit);
    json_decref(items);
    if (last)
        *last = lk;
    else
        json_decref(lk);
    return store_read_steps(s) - before;
}

static void late_start_keys_cost_what_first_pages_cost(void **state)
{
    struct store *s = open_memory();
    struct store_index_spec gsi = {.name = "byg",
                                   .kind = STORE_INDEX_GLOBAL,
                                   .key = {"g", 'S', "r", 'N'},
                                   .projection = STORE_PROJECTION_KEYS_ONLY};
    struct store_key_schema ks = {"pk", 'S', "sk", 'N'};
    struct err err = ERR_INIT;
    json_t *p = val("S", "p"), *x = val("S", "x"), *zero = val("N", "0");
    json_t *top = val("N", "100000"), *late, *ilate, *slate, *islate;
    unsigned long long first, cost;

    (void)state;
    if (store_create_table_indexed(s, "Wide", &ks, &gsi, 1, &err))
        fail_msg("create: %s", err.msg);
    for (int i = 0; i < WIDE; i++) {
        json_t *it = num_item("p", i);
        json_object_set_new(it, "g", val("S", "x"));
        json_object_set(it, "r", json_object_get(it, "sk"));
        put_ok(s, "Wide", "pk", "sk", it);
    }
    late = json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "p", "sk", "N", "1990");
    ilate = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "pk", "S", "p",
                      "sk", "N", "1990", "g", "S", "x", "r", "N", "1990");

    /* Query on the table: sk >= 0 forward, sk <= 100000 backward. */
    {
        struct store_query q = {.table = "Wide",
                                .partition_value = p,
                                .sort_op = STORE_SORT_GE,
                                .sort_value = zero,
                                .forward = 1,
                                .limit = 1};
        first = query_cost(s, &q);
        q.exclusive_start_key = late;
        cost = query_cost(s, &q);
        assert_true(cost <= 2 * first + 20);
        q.exclusive_start_key = NULL;
        q.sort_op = STORE_SORT_LE;
        q.sort_value = top;
        q.forward = 0;
        first = query_cost(s, &q);
        json_object_set_new(late, "sk", val("N", "10"));
        q.exclusive_start_key = late;
        cost = query_cost(s, &q);
        assert_true(cost <= 2 * first + 20);
    }
    /* Query on the index, with a range and a start key. */
    {
        struct store_query q = {.table = "Wide",
                                .index = "byg",
                                .partition_value = x,
                                .sort_op = STORE_SORT_GE,
                                .sort_value = zero,
                                .forward = 1,
                                .limit = 1};
        first = query_cost(s, &q);
        q.exclusive_start_key = ilate;
        cost = query_cost(s, &q);
        assert_true(cost <= 2 * first + 20);
    }
    /* Scans of the table and of the index, from a key late in their order. */
    first = scan_cost(s, NULL, NULL, 1, NULL);
    (void)scan_cost(s, NULL, NULL, WIDE - 5, &slate);
    cost = scan_cost(s, NULL, slate, 1, NULL);
    assert_true(cost <= 2 * first + 20);
    first = scan_cost(s, "byg", NULL, 1, NULL);
    (void)scan_cost(s, "byg", NULL, WIDE - 5, &islate);
    cost = scan_cost(s, "byg", islate, 1, NULL);
    assert_true(cost <= 2 * first + 20);

    json_decref(islate);
    json_decref(slate);
    json_decref(ilate);
    json_decref(late);
    json_decref(top);
    json_decref(zero);
    json_decref(x);
    json_decref(p);
    store_close(s);
}

static void scan_of_an_index_reads_projected_entries(void **state)
{
    struct store *s = orders_store();
    struct store_scan_request r = {.table = "Orders",
                                   .index = "byStatus",
                                   .limit = 1,
                                   .last_key_rule = STORE_LAST_KEY_IF_STOPPED};
    struct err err = ERR_INIT;
    json_t *items = NULL, *last = NULL, *start = NULL;
    int count = 0;

    (void)state;
    put_order(s, "c1", "a", "open", "1");
    put_order(s, "c2", "b", "shut", "2");
    put_order(s, "c3", "c", NULL, "3");
    do {
        r.exclusive_start_key = start;
        assert_int_equal(store_scan_segment(s, &r, &items, &last, &err), 0);
        count += (int)json_array_size(items);
        if (json_array_size(items))
            assert_null(json_object_get(json_array_get(items, 0), "extra"));
        json_decref(items);
        json_decref(start);
        start = last;
    } while (start);
    assert_int_equal(count, 2);
    store_close(s);
}

/* --- transactions and multi-get ------------------------------------------ */

/* A transaction action: ctx says what to do. */
struct action {
    json_t *item;   /* to write (NULL deletes) */
    int must_exist; /* -1 must not exist, 1 must exist, 0 either */
};

static int action_fn(void *ctx, const json_t *old_item, const char *old_etag,
                     json_t **new_item, struct err *err)
{
    struct action *a = ctx;

    (void)old_etag;
    if ((a->must_exist < 0 && old_item) || (a->must_exist > 0 && !old_item))
        return err_set(err, ERR_CONFLICT, NULL);
    *new_item = a->item ? json_incref(a->item) : NULL;
    return 0;
}

static json_t *key_of(const char *customer, const char *order)
{
    return json_pack("{s:{s:s}, s:{s:s}}", "customer", "S", customer, "order",
                     "S", order);
}

static json_t *order_item(const char *customer, const char *order,
                          const char *status)
{
    return json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "customer", "S",
                     customer, "order", "S", order, "status", "S", status,
                     "total", "N", "1");
}

static void transaction_is_all_or_nothing_with_reasons(void **state)
{
    struct store *s = orders_store();
    json_t *k1 = key_of("c1", "a"), *k2 = key_of("c2", "b");
    json_t *k3 = key_of("c3", "c");
    struct action a1 = {order_item("c1", "a", "open"), -1};
    struct action a2 = {order_item("c2", "b", "open"), 1}; /* fails */
    struct action a3 = {NULL, 0};
    struct store_write_op ops[3] = {{"Orders", k1, action_fn, &a1, 0},
                                    {"Orders", k2, action_fn, &a2, 0},
                                    {"Orders", k3, action_fn, &a3, 1}};
    struct store_read_op reads[3] = {
        {"Orders", k1}, {"Orders", k2}, {"Orders", k3}};
    struct err reasons[3], err = ERR_INIT;
    json_t *got[3], *items;

    (void)state;
    put_order(s, "c3", "c", "open", "9");
    assert_int_equal(store_transact(s, ops, 3, reasons, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.msg,
                        "Transaction cancelled, please refer cancellation "
                        "reasons for specific reasons [None, "
                        "ConditionalCheckFailed, None]");
    assert_int_equal(reasons[0].kind, ERR_NONE);
    assert_int_equal(reasons[1].kind, ERR_CONFLICT);
    assert_int_equal(reasons[2].kind, ERR_NONE);
    /* Nothing written: neither the item nor its index entry. */
    assert_int_equal(store_get_items(s, reads, 3, got, &err), 0);
    assert_null(got[0]);
    assert_null(got[1]);
    assert_non_null(got[2]);
    json_decref(got[2]);

    /* Make the second action pass (the item exists), then all commit;
     * the ConditionCheck leaves its item alone. */
    put_order(s, "c2", "b", "shut", "2");
    assert_int_equal(store_transact(s, ops, 3, reasons, &err), 0);
    assert_int_equal(store_get_items(s, reads, 3, got, &err), 0);
    assert_non_null(got[0]);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(got[1], "status"), "S")),
                        "open");
    assert_non_null(got[2]);
    for (int i = 0; i < 3; i++)
        json_decref(got[i]);
    items = index_query(s, "byStatus", "open", 1, 0, NULL, NULL);
    assert_int_equal(json_array_size(items), 3);
    json_decref(items);

    /* An item refused by validation is a ValidationError reason. */
    json_decref(a1.item);
    a1.item = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "customer", "S", "c1",
                        "order", "S", "a", "status", "N", "5");
    a1.must_exist = 0;
    assert_int_equal(store_transact(s, ops, 2, reasons, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_int_equal(reasons[0].kind, ERR_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "[ValidationError, None]"));

    /* Two actions on one item; too many actions; a missing table. */
    ops[1].key = k1;
    assert_int_equal(store_transact(s, ops, 2, reasons, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_string_equal(err.msg, "Transaction request cannot include multiple "
                                 "operations on one item");
    assert_int_equal(reasons[0].kind, ERR_NONE);
    assert_int_equal(store_transact(s, ops, 0, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    ops[1].key = k2;
    ops[1].table = "Nope";
    assert_int_equal(store_transact(s, ops, 2, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    reads[1].table = "Nope";
    assert_int_equal(store_get_items(s, reads, 3, got, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    assert_null(got[0]);

    json_decref(a1.item);
    json_decref(a2.item);
    json_decref(k1);
    json_decref(k2);
    json_decref(k3);
    store_close(s);
}

/* --- Time to Live ----------------------------------------------------------
 */

static void ttl_sweep_deletes_expired_items_and_entries(void **state)
{
    struct store *s = orders_store();
    struct store_table_desc d;
    struct err err = ERR_INIT;
    size_t deleted = 0;
    json_t *items, *item;
    const double now = 2000000000.0;

    (void)state;
    /* Written before TTL is enabled: the backfill sets their expiry. */
    item = order_item("c1", "old", "open");
    json_object_set_new(item, "exp", val("N", "1999999999"));
    put_ok(s, "Orders", "customer", "order", item);
    assert_int_equal(store_set_ttl(s, "Orders", "exp", &err), 0);
    assert_int_equal(store_set_ttl(s, "Orders", "exp", &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_describe_table(s, "Orders", &d, &err), 0);
    assert_string_equal(d.ttl_attribute, "exp");
    store_table_desc_fini(&d);

    item = order_item("c1", "due", "open");
    json_object_set_new(item, "exp", val("N", "2000000000"));
    put_ok(s, "Orders", "customer", "order", item);
    item = order_item("c1", "later", "open");
    json_object_set_new(item, "exp", val("N", "2000000001.5"));
    put_ok(s, "Orders", "customer", "order", item);
    item = order_item("c1", "ancient", "open"); /* > 5 years: kept */
    json_object_set_new(item, "exp", val("N", "100"));
    put_ok(s, "Orders", "customer", "order", item);
    item = order_item("c1", "text", "open"); /* not an N: kept */
    json_object_set_new(item, "exp", val("S", "1"));
    put_ok(s, "Orders", "customer", "order", item);
    put_ok(s, "Orders", "customer", "order", order_item("c1", "none", "open"));

    assert_int_equal(store_sweep_expired(s, now, 1, &deleted, &err), 0);
    assert_int_equal(deleted, 1);
    assert_int_equal(store_sweep_expired(s, now, 0, &deleted, &err), 0);
    assert_int_equal(deleted, 1);
    assert_int_equal(store_sweep_expired(s, now, 0, &deleted, &err), 0);
    assert_int_equal(deleted, 0);
    items = index_query(s, "byStatus", "open", 1, 0, NULL, NULL);
    assert_column(items, "order", "S", "ancient,later,none,text");
    json_decref(items);

    /* Disabled: nothing expires any more. */
    assert_int_equal(store_set_ttl(s, "Orders", NULL, &err), 0);
    assert_int_equal(store_set_ttl(s, "Orders", NULL, &err), -1);
    assert_int_equal(store_sweep_expired(s, now + 10, 0, &deleted, &err), 0);
    assert_int_equal(deleted, 0);
    assert_int_equal(store_set_ttl(s, "Nope", "exp", &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    store_close(s);
}

/* --- tables ----------------------------------------------------------------
 */

static void list_describe_and_delete_tables(void **state)
{
    struct store *s = orders_store();
    struct store_table_desc d;
    struct err err = ERR_INIT;
    json_t *names = NULL, *last = NULL, *next = NULL, *item = NULL;
    json_t *key = key_of("c1", "a");

    (void)state;
    create(s, "Beta", "id", 'S', NULL, 0);
    create(s, "Alpha", "id", 'N', NULL, 0);
    assert_int_equal(store_list_tables(s, NULL, 2, &names, &last, &err), 0);
    assert_int_equal(json_array_size(names), 2);
    assert_string_equal(json_string_value(json_array_get(names, 0)), "Alpha");
    assert_string_equal(json_string_value(last), "Beta");
    json_decref(names);
    assert_int_equal(
        store_list_tables(s, json_string_value(last), 2, &names, &next, &err),
        0);
    assert_int_equal(json_array_size(names), 1);
    assert_string_equal(json_string_value(json_array_get(names, 0)), "Orders");
    assert_null(next);
    json_decref(names);
    json_decref(last);

    put_order(s, "c1", "a", "open", "1");
    put_order(s, "c1", "b", NULL, "2");
    assert_int_equal(store_describe_table(s, "Orders", &d, &err), 0);
    assert_string_equal(d.name, "Orders");
    assert_string_equal(d.partition_key, "customer");
    assert_int_equal(d.partition_type, 'S');
    assert_string_equal(d.sort_key, "order");
    assert_int_equal(d.item_count, 2);
    assert_true(d.size_bytes > 0);
    assert_true(d.creation_time > 1.6e9);
    assert_null(d.ttl_attribute);
    assert_int_equal(d.nindexes, 2);
    assert_string_equal(d.indexes[0].name, "byStatus");
    assert_int_equal(d.indexes[0].kind, STORE_INDEX_GLOBAL);
    assert_int_equal(d.indexes[0].projection, STORE_PROJECTION_INCLUDE);
    assert_int_equal(d.indexes[0].nnon_key, 1);
    assert_string_equal(d.indexes[0].non_key[0], "note");
    assert_int_equal(d.indexes[0].item_count, 1);
    assert_int_equal(d.indexes[1].kind, STORE_INDEX_LOCAL);
    assert_int_equal(d.indexes[1].sort_type, 'N');
    assert_int_equal(d.indexes[1].item_count, 2);
    store_table_desc_fini(&d);

    assert_int_equal(store_delete_table(s, "Orders", &d, &err), 0);
    assert_int_equal(d.item_count, 2);
    store_table_desc_fini(&d);
    assert_int_equal(store_describe_table(s, "Orders", &d, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    assert_string_equal(err.msg,
                        "Requested resource not found: Table: Orders not "
                        "found");
    assert_int_equal(store_delete_table(s, "Orders", NULL, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    assert_int_equal(store_get_item(s, "Orders", key, &item, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);

    /* Created again, it starts empty, with no index. */
    create(s, "Orders", "customer", 'S', "order", 'S');
    assert_int_equal(store_get_item(s, "Orders", key, &item, NULL, &err), 0);
    assert_null(item);
    assert_int_equal(store_describe_table(s, "Orders", &d, &err), 0);
    assert_int_equal(d.item_count, 0);
    assert_int_equal(d.nindexes, 0);
    store_table_desc_fini(&d);
    json_decref(key);
    store_close(s);
}

/* --- migration ---------------------------------------------------------------
 */

/* schema.sql as it was at version 1. */
static const char v1_schema[] =
    "CREATE TABLE IF NOT EXISTS tables (id INTEGER PRIMARY KEY, name TEXT NOT "
    "NULL UNIQUE, pk_name TEXT NOT NULL, pk_type TEXT NOT NULL CHECK (pk_type "
    "IN ('S', 'N', 'B')), sk_name TEXT, sk_type TEXT CHECK (sk_type IN ('S', "
    "'N', 'B')), created_at REAL NOT NULL DEFAULT ((julianday('now') - "
    "2440587.5) * 86400.0), CHECK ((sk_name IS NULL) = (sk_type IS NULL)));"
    "CREATE TABLE IF NOT EXISTS items (table_id INTEGER NOT NULL REFERENCES "
    "tables (id), pk BLOB NOT NULL, sk BLOB NOT NULL DEFAULT x'', item TEXT "
    "NOT NULL, etag TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY "
    "(table_id, pk, sk)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;"
    /* What store v1 wrote: table Items keyed by id (S); S keys are their
     * bytes. */
    "INSERT INTO tables (name, pk_name, pk_type) VALUES ('Items', 'id', 'S');"
    "INSERT INTO items VALUES (1, CAST('a' AS BLOB), x'',"
    " '{\"id\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}', '0123456789abcdef', 20);"
    "INSERT INTO items VALUES (1, CAST('b' AS BLOB), x'',"
    " '{\"id\":{\"S\":\"b\"},\"v\":{\"N\":\"2\"}}', '0123456789abcdef', 20);";

static void version_1_database_migrates(void **state)
{
    char dir[] = "/tmp/crudd_migrate_XXXXXX", *path;
    struct store_index_spec gsi = {"byV",
                                   STORE_INDEX_GLOBAL,
                                   {"v", 'N', NULL, 0},
                                   STORE_PROJECTION_ALL,
                                   NULL,
                                   0};
    struct store_scan_request r = {.table = "Items"};
    struct store_table_desc d;
    struct err err = ERR_INIT;
    struct store *s;
    sqlite3 *db;
    json_t *items = NULL, *last = NULL, *item = NULL, *p;
    struct store_query q = {.table = "Items", .index = "byV", .forward = 1};
    int version = 0;
    sqlite3_stmt *st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/v1.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v1_schema, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    s = store_open(path, 2, STORE_DURABILITY_NORMAL, &err);
    if (!s)
        fail_msg("store_open: %s", err.msg);
    p = json_pack("{s:{s:s}}", "id", "S", "a");
    assert_int_equal(store_get_item(s, "Items", p, &item, NULL, &err), 0);
    assert_non_null(item);
    json_decref(item);
    json_decref(p);
    /* The segment column was filled: a parallel scan sees every item. */
    for (unsigned seg = 0; seg < 2; seg++) {
        r.segment = seg;
        r.total_segments = 2;
        assert_int_equal(store_scan_segment(s, &r, &items, &last, &err), 0);
        version += (int)json_array_size(items);
        json_decref(items);
    }
    assert_int_equal(version, 2);
    /* The new tables exist: indexes and TTL work on the old table. */
    assert_int_equal(store_update_table(s, "Items", &gsi, NULL, &err), 0);
    q.partition_value = p = val("N", "2");
    items = query_ok(s, &q, NULL);
    assert_column(items, "id", "S", "b");
    json_decref(items);
    json_decref(p);
    assert_int_equal(store_set_ttl(s, "Items", "v", &err), 0);
    assert_int_equal(store_describe_table(s, "Items", &d, &err), 0);
    assert_int_equal(d.item_count, 2);
    store_table_desc_fini(&d);
    store_close(s);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* Opening again changes nothing. */
    s = store_open(path, 1, STORE_DURABILITY_NORMAL, &err);
    assert_non_null(s);
    store_close(s);

    char *cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(query_orders_numbers_numerically_both_ways),
        cmocka_unit_test(query_orders_strings_and_binary_by_bytes),
        cmocka_unit_test(query_pages_follow_dynamodb_last_key_rule),
        cmocka_unit_test(query_page_holds_at_most_1mb),
        cmocka_unit_test(sparse_gsi_follows_every_write),
        cmocka_unit_test(lsi_orders_a_partition_by_another_sort_key),
        cmocka_unit_test(gsi_added_later_is_backfilled_and_removable),
        cmocka_unit_test(create_table_checks_index_specs),
        cmocka_unit_test(scan_segments_partition_the_items),
        cmocka_unit_test(late_start_keys_cost_what_first_pages_cost),
        cmocka_unit_test(scan_of_an_index_reads_projected_entries),
        cmocka_unit_test(transaction_is_all_or_nothing_with_reasons),
        cmocka_unit_test(ttl_sweep_deletes_expired_items_and_entries),
        cmocka_unit_test(list_describe_and_delete_tables),
        cmocka_unit_test(version_1_database_migrates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
