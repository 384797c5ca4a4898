/*
 * Unit tests for store: each test opens its own store (":memory:" or a file
 * in a fresh temporary directory) and depends on no other test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "store.h"
#include "xalloc.h"

/* --- fixtures ------------------------------------------------------------ */

static struct store *open_memory(void)
{
    struct err err = ERR_INIT;
    struct store *s = store_open(":memory:", 4, STORE_DURABILITY_FULL, &err);

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

/* A store on ":memory:" with table Items keyed by id (S). */
static struct store *items_store(void)
{
    struct store *s = open_memory();
    create(s, "Items", "id", 'S', NULL, 0);
    return s;
}

static json_t *key_s(const char *id)
{
    return json_pack("{s:{s:s}}", "id", "S", id);
}

static json_t *item_s(const char *id, const char *v)
{
    return json_pack("{s:{s:s}, s:{s:s}}", "id", "S", id, "v", "S", v);
}

/* A mutate callback: ctx is the item to write (NULL deletes); with
 * only_new, fail with ERR_CONFLICT when an item exists. */
struct put {
    json_t *item;
    int only_new;
    int calls;
};

static int put_fn(void *ctx, const json_t *old_item, const char *old_etag,
                  json_t **new_item, struct err *err)
{
    struct put *p = ctx;

    p->calls++;
    assert_true(old_item ? strlen(old_etag) == 16 : *old_etag == '\0');
    if (p->only_new && old_item)
        return err_set(err, ERR_CONFLICT, NULL);
    *new_item = p->item ? json_incref(p->item) : NULL;
    return 0;
}

/* Write item (stealing it) at key (stealing it) in table; the result of
 * store_mutate_item, with err and etag filled in. */
static int put(struct store *s, const char *table, json_t *key, json_t *item,
               int only_new, char etag[STORE_ETAG_SIZE], struct err *err)
{
    struct put p = {item, only_new, 0};
    int rc = store_mutate_item(s, table, key, put_fn, &p, etag, err);

    /* Key errors come before the callback, item errors after it. */
    assert_true(p.calls <= 1);
    json_decref(key);
    json_decref(item);
    return rc;
}

static void put_ok(struct store *s, const char *table, json_t *key,
                   json_t *item)
{
    struct err err = ERR_INIT;

    if (put(s, table, key, item, 0, NULL, &err))
        fail_msg("put: %s", err.msg);
}

/* The item at key (stealing key), a new reference or NULL. */
static json_t *get(struct store *s, const char *table, json_t *key,
                   char etag[STORE_ETAG_SIZE])
{
    struct err err = ERR_INIT;
    json_t *item = NULL;

    if (store_get_item(s, table, key, &item, etag, &err))
        fail_msg("get: %s", err.msg);
    json_decref(key);
    return item;
}

static const char *str_of(const json_t *item, const char *name,
                          const char *type)
{
    return json_string_value(
        json_object_get(json_object_get(item, name), type));
}

/* A fresh temporary directory and the database path inside it. */
struct tmp {
    char dir[64];
    char path[128];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/crudd_store_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
}

static void tmp_remove(struct tmp *t)
{
    static const char *const ends[] = {"", "-wal", "-shm"};
    char p[160];

    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, ends[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

/* --- tables -------------------------------------------------------------- */

static void create_table_validates_and_refuses_duplicates(void **state)
{
    struct store *s = open_memory();
    struct store_key_schema ks = {"id", 'S', NULL, 0};
    struct store_key_schema other = {"id", 'N', NULL, 0};
    struct store_key_schema bad_type = {"id", 'X', NULL, 0};
    struct store_key_schema same_names = {"id", 'S', "id", 'N'};
    struct err err = ERR_INIT;
    json_t *item = NULL;

    (void)state;
    assert_int_equal(store_create_table(s, "Items", &ks, 0, &err), 0);
    assert_int_equal(store_create_table(s, "Items", &ks, 0, &err), -1);
    assert_int_equal(err.kind, ERR_IN_USE);
    assert_string_equal(err.msg, "Table already exists: Items");
    assert_int_equal(store_create_table(s, "Items", &ks, 1, &err), 0);
    assert_int_equal(store_create_table(s, "Items", &other, 1, &err), -1);
    assert_int_equal(err.kind, ERR_IN_USE);

    assert_int_equal(store_create_table(s, "ab", &ks, 0, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_create_table(s, "bad name", &ks, 0, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_create_table(s, "Good", &bad_type, 0, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(store_create_table(s, "Good", &same_names, 0, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_int_equal(
        store_create_table(s, "a-b.c_D9",
                           &(struct store_key_schema){"p", 'B', "s", 'N'}, 0,
                           &err),
        0);

    json_t *key = key_s("x");
    assert_int_equal(store_get_item(s, "Missing", key, &item, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    assert_null(item);
    json_decref(key);
    store_close(s);
}

/* --- items --------------------------------------------------------------- */

static void put_then_get_round_trips(void **state)
{
    struct store *s = items_store();
    char etag[STORE_ETAG_SIZE], got_etag[STORE_ETAG_SIZE];
    struct err err = ERR_INIT;
    json_t *item = json_pack(
        "{s:{s:s}, s:{s:s}, s:{s:b}, s:{s:b}, s:{s:[{s:s}]}, s:{s:{s:{s:s}}},"
        " s:{s:[s,s]}, s:{s:s}}",
        "id", "S", "a1", "price", "N", "19.99", "ok", "BOOL", 1, "none", "NULL",
        1, "list", "L", "S", "x", "map", "M", "k", "N", "-1", "tags", "SS", "p",
        "q", "bin", "B", "AAEC");
    json_t *want = json_deep_copy(item), *back;

    (void)state;
    assert_int_equal(put(s, "Items", key_s("a1"), item, 0, etag, &err), 0);
    assert_int_equal(strlen(etag), 16);
    assert_int_equal(strspn(etag, "0123456789abcdef"), 16);
    back = get(s, "Items", key_s("a1"), got_etag);
    assert_non_null(back);
    assert_true(json_equal(back, want));
    assert_string_equal(got_etag, etag);

    assert_null(get(s, "Items", key_s("nope"), got_etag));
    assert_string_equal(got_etag, "");
    json_decref(back);
    json_decref(want);
    store_close(s);
}

static void conditional_create_of_existing_item_changes_nothing(void **state)
{
    struct store *s = items_store();
    char etag[STORE_ETAG_SIZE], after[STORE_ETAG_SIZE], got[STORE_ETAG_SIZE];
    struct err err = ERR_INIT;
    json_t *back;

    (void)state;
    assert_int_equal(
        put(s, "Items", key_s("k"), item_s("k", "first"), 1, etag, &err), 0);
    assert_int_equal(
        put(s, "Items", key_s("k"), item_s("k", "second"), 1, after, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(after, "");
    back = get(s, "Items", key_s("k"), got);
    assert_string_equal(str_of(back, "v", "S"), "first");
    assert_string_equal(got, etag);
    json_decref(back);
    store_close(s);
}

static void delete_removes_the_item(void **state)
{
    struct store *s = items_store();
    char etag[STORE_ETAG_SIZE] = "x";
    struct err err = ERR_INIT;

    (void)state;
    put_ok(s, "Items", key_s("k"), item_s("k", "v"));
    assert_int_equal(put(s, "Items", key_s("k"), NULL, 0, etag, &err), 0);
    assert_string_equal(etag, "");
    assert_null(get(s, "Items", key_s("k"), etag));
    assert_string_equal(etag, "");
    /* Deleting what is not there is not an error (DynamoDB DeleteItem). */
    assert_int_equal(put(s, "Items", key_s("k"), NULL, 0, etag, &err), 0);
    store_close(s);
}

static void etag_changes_with_the_item_only(void **state)
{
    struct store *s = items_store();
    char e1[STORE_ETAG_SIZE], e2[STORE_ETAG_SIZE], e3[STORE_ETAG_SIZE];
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(put(s, "Items", key_s("k"), item_s("k", "a"), 0, e1, &err),
                     0);
    assert_int_equal(put(s, "Items", key_s("k"), item_s("k", "b"), 0, e2, &err),
                     0);
    assert_int_equal(put(s, "Items", key_s("k"), item_s("k", "b"), 0, e3, &err),
                     0);
    assert_string_not_equal(e1, e2);
    assert_string_equal(e2, e3);
    store_close(s);
}

static int fail_after_setting_fn(void *ctx, const json_t *old_item,
                                 const char *old_etag, json_t **new_item,
                                 struct err *err)
{
    (void)ctx;
    (void)old_item;
    (void)old_etag;
    /* The store steals *new_item even when the callback fails. */
    *new_item = item_s("k", "never");
    return err_set(err, ERR_PRECONDITION, NULL);
}

static void callback_failure_writes_nothing(void **state)
{
    struct store *s = items_store();
    struct err err = ERR_INIT;
    json_t *key = key_s("k");

    (void)state;
    assert_int_equal(store_mutate_item(s, "Items", key, fail_after_setting_fn,
                                       NULL, NULL, &err),
                     -1);
    assert_int_equal(err.kind, ERR_PRECONDITION);
    assert_null(get(s, "Items", key_s("k"), NULL));
    json_decref(key);
    store_close(s);
}

/* --- key and item validation --------------------------------------------- */

static void expect_get_error(struct store *s, const char *table, json_t *key,
                             const char *msg_start)
{
    struct err err = ERR_INIT;
    json_t *item = NULL;

    assert_int_equal(store_get_item(s, table, key, &item, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    if (strncmp(err.msg, msg_start, strlen(msg_start)) != 0)
        fail_msg("expected \"%s...\", got \"%s\"", msg_start, err.msg);
    assert_null(item);
    json_decref(key);
}

static void expect_put_error(struct store *s, json_t *key, json_t *item,
                             const char *msg_start)
{
    struct err err = ERR_INIT;

    assert_int_equal(put(s, "Items", key, item, 0, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    if (strncmp(err.msg, msg_start, strlen(msg_start)) != 0)
        fail_msg("expected \"%s...\", got \"%s\"", msg_start, err.msg);
}

static char *repeat(char c, size_t n)
{
    char *p = xmalloc(n + 1);
    memset(p, c, n);
    p[n] = '\0';
    return p;
}

static void keys_that_break_the_schema_are_refused(void **state)
{
    static const char schema[] =
        "The provided key element does not match the schema";
    static const char invalid[] = "One or more parameter values were invalid";
    struct store *s = items_store();
    char *long_pk = repeat('x', STORE_PARTITION_KEY_MAX + 1);
    char *max_pk = repeat('x', STORE_PARTITION_KEY_MAX);
    char *long_sk = repeat('y', STORE_SORT_KEY_MAX + 1);
    char *max_sk = repeat('y', STORE_SORT_KEY_MAX);
    char *long_num = repeat('1', STORE_SORT_KEY_MAX + 1);

    (void)state;
    create(s, "Sorted", "p", 'S', "s", 'N');
    create(s, "Binary", "b", 'B', NULL, 0);

    expect_get_error(s, "Items", json_pack("{}"), schema);
    expect_get_error(s, "Items", json_pack("{s:{s:s}}", "other", "S", "x"),
                     schema);
    expect_get_error(
        s, "Items",
        json_pack("{s:{s:s}, s:{s:s}}", "id", "S", "x", "more", "S", "y"),
        schema);
    expect_get_error(s, "Items", json_pack("{s:{s:s}}", "id", "N", "1"),
                     schema);
    expect_get_error(s, "Items", json_pack("{s:s}", "id", "x"), schema);
    expect_get_error(s, "Items", json_pack("[]"), schema);
    expect_get_error(s, "Items", key_s(""),
                     "One or more parameter values are not valid");
    expect_get_error(s, "Binary", json_pack("{s:{s:s}}", "b", "B", ""),
                     "One or more parameter values are not valid");
    expect_get_error(s, "Binary", json_pack("{s:{s:s}}", "b", "B", "!!"),
                     invalid);
    expect_get_error(s, "Items", key_s(long_pk), invalid);
    expect_get_error(s, "Sorted", json_pack("{s:{s:s}}", "p", "S", "x"),
                     schema);
    expect_get_error(
        s, "Sorted",
        json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "N", "12a"),
        "The parameter cannot be converted to a numeric value");
    expect_get_error(
        s, "Sorted",
        json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "N", ""),
        "The parameter cannot be converted to a numeric value");
    expect_get_error(
        s, "Sorted",
        json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "S", "1"), schema);
    expect_get_error(
        s, "Sorted",
        json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "N", long_num),
        invalid);
    /* The limits themselves are allowed. */
    assert_null(get(s, "Items", key_s(max_pk), NULL));

    /* A string sort key: 1025 bytes are too many, 1024 are not. */
    create(s, "SortedS", "p", 'S', "s", 'S');
    expect_get_error(
        s, "SortedS",
        json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "S", long_sk),
        invalid);
    assert_null(
        get(s, "SortedS",
            json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "S", max_sk),
            NULL));

    free(long_pk);
    free(max_pk);
    free(long_sk);
    free(max_sk);
    free(long_num);
    store_close(s);
}

/* store_get_item_text_s(pk_name, pk) and store_get_item_text with the key
 * {pk_name: {"S": pk}} give the same result, text, info and error. */
static void text_reads_agree(struct store *s, const char *table,
                             const char *pk_name, const char *pk, size_t len)
{
    struct err e1 = ERR_INIT, e2 = ERR_INIT;
    struct store_item_info i1, i2;
    struct buf t1, t2;
    json_t *key = json_pack("{s:{s:s%}}", pk_name, "S", pk, len);
    int r1, r2;

    buf_init(&t1);
    buf_init(&t2);
    buf_puts(&t1, "kept");
    buf_puts(&t2, "kept");
    r1 = store_get_item_text(s, table, key, &t1, &i1, &e1);
    r2 = store_get_item_text_s(s, table, pk_name, pk, len, &t2, &i2, &e2);
    assert_int_equal(r2, r1);
    assert_int_equal(e2.kind, e1.kind);
    assert_string_equal(e2.msg, e1.msg);
    assert_int_equal(t2.len, t1.len);
    assert_memory_equal(t2.data, t1.data, t1.len);
    assert_int_equal(i2.found, i1.found);
    assert_int_equal(i2.size, i1.size);
    assert_string_equal(i2.etag, i1.etag);
    json_decref(key);
    buf_fini(&t1);
    buf_fini(&t2);
}

static void string_key_text_read_agrees_with_the_general_one(void **state)
{
    struct store *s = items_store();
    char *long_id = repeat('k', STORE_PARTITION_KEY_MAX + 1);
    struct store_item_info info;
    struct err err = ERR_INIT;
    struct buf text;

    (void)state;
    create(s, "Nums", "n", 'N', NULL, 0);
    create(s, "Pairs", "p", 'S', "s", 'S');
    put_ok(s, "Items", key_s("a"), item_s("a", "one"));
    /* the fast path: found, and the text is the stored item */
    buf_init(&text);
    assert_int_equal(
        store_get_item_text_s(s, "Items", "id", "a", 1, &text, &info, &err), 0);
    assert_int_equal(info.found, 1);
    assert_string_equal(text.data, "{\"id\":{\"S\":\"a\"},\"v\":{\"S\":"
                                   "\"one\"}}");
    assert_int_equal(strlen(info.etag), 16);
    buf_fini(&text);
    text_reads_agree(s, "Items", "id", "a", 1);
    text_reads_agree(s, "Items", "id", "missing", 7);
    /* and every case the general path answers, errors included */
    text_reads_agree(s, "Items", "id", "", 0);
    text_reads_agree(s, "Items", "id", long_id, STORE_PARTITION_KEY_MAX);
    text_reads_agree(s, "Items", "id", long_id, STORE_PARTITION_KEY_MAX + 1);
    text_reads_agree(s, "Items", "other", "a", 1);
    text_reads_agree(s, "Nums", "n", "1", 1);
    text_reads_agree(s, "Pairs", "p", "a", 1);
    text_reads_agree(s, "NoSuchTable", "id", "a", 1);
    free(long_id);
    store_close(s);
}

/* store_item_parse of the text store_get_item_text gives is the item
 * store_get_item gives; text that is not an item is refused the store's
 * way. */
static void stored_text_parses_to_the_stored_item(void **state)
{
    struct store *s = items_store();
    json_t *key = key_s("n"), *tree, *parsed;
    struct store_item_info info;
    struct err err = ERR_INIT;
    struct buf text;

    (void)state;
    /* a NUL inside a string: the store parses with JSON_ALLOW_NUL */
    put_ok(s, "Items", key_s("n"),
           json_pack("{s:{s:s}, s:{s:s%}}", "id", "S", "n", "v", "S", "a\0b",
                     (size_t)3));
    buf_init(&text);
    assert_int_equal(store_get_item_text(s, "Items", key, &text, &info, &err),
                     0);
    assert_int_equal(info.found, 1);
    tree = get(s, "Items", key, NULL);
    parsed = store_item_parse(text.data, text.len, &err);
    assert_non_null(parsed);
    assert_true(json_equal(parsed, tree));
    json_decref(parsed);
    json_decref(tree);
    buf_fini(&text);
    assert_null(store_item_parse("[1]", 3, &err));
    assert_int_equal(err.kind, ERR_UNAVAILABLE);
    assert_string_equal(err.msg, "a stored item is not valid JSON");
    assert_null(store_item_parse("{\"a\"", 4, NULL));
    assert_null(store_item_parse(NULL, 0, NULL));
    store_close(s);
}

static void items_must_hold_their_key_and_fit(void **state)
{
    struct store *s = items_store();
    char *big = repeat('z', ATTR_ITEM_MAX_BYTES);

    (void)state;
    expect_put_error(s, key_s("k"), json_pack("{s:{s:s}}", "v", "S", "x"),
                     "One or more parameter values were invalid: Missing the "
                     "key id in the item");
    expect_put_error(s, key_s("k"), json_pack("{s:{s:s}}", "id", "N", "1"),
                     "One or more parameter values were invalid: Type "
                     "mismatch for key id expected: S actual: N");
    expect_put_error(s, key_s("k"), item_s("other", "v"),
                     "One or more parameter values were invalid");
    expect_put_error(s, key_s("k"), json_pack("[]"),
                     "One or more parameter values were invalid");
    expect_put_error(s, key_s("k"), item_s("k", big),
                     "Item size has exceeded the maximum allowed size");
    assert_null(get(s, "Items", key_s("k"), NULL));
    free(big);
    store_close(s);
}

/* --- scan ---------------------------------------------------------------- */

/* Scan one page; returns the number of items and checks their ids run
 * first_id, first_id + 1, ... as "k%02d". */
static size_t scan_page(struct store *s, const json_t *start, size_t limit,
                        int first_id, json_t **last_key)
{
    struct err err = ERR_INIT;
    json_t *items = NULL;
    size_t n;

    if (store_scan(s, "Items", start, limit, &items, last_key, &err))
        fail_msg("scan: %s", err.msg);
    n = json_array_size(items);
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "k%02d", first_id + (int)i);
        assert_string_equal(str_of(json_array_get(items, i), "id", "S"), id);
    }
    json_decref(items);
    return n;
}

static void scan_pages_by_limit_and_exclusive_start_key(void **state)
{
    struct store *s = items_store();
    json_t *last = NULL, *next = NULL;
    struct err err = ERR_INIT;
    json_t *items = NULL;
    char id[16];

    (void)state;
    /* Written out of order: the scan returns key order. */
    for (int i = 9; i >= 0; i--) {
        snprintf(id, sizeof id, "k%02d", (i * 7) % 10);
        put_ok(s, "Items", key_s(id), item_s(id, "v"));
    }
    assert_int_equal(scan_page(s, NULL, 0, 0, &last), 10);
    assert_null(last);
    assert_int_equal(scan_page(s, NULL, 3, 0, &last), 3);
    assert_string_equal(str_of(last, "id", "S"), "k02");
    assert_int_equal(json_object_size(last), 1);
    assert_int_equal(scan_page(s, last, 3, 3, &next), 3);
    json_decref(last);
    assert_int_equal(scan_page(s, next, 3, 6, &last), 3);
    json_decref(next);
    assert_int_equal(scan_page(s, last, 3, 9, &next), 1);
    assert_null(next);
    json_decref(last);

    /* A page that ends exactly at the last item hands back no key. */
    assert_int_equal(scan_page(s, NULL, 5, 0, &last), 5);
    assert_int_equal(scan_page(s, last, 5, 5, &next), 5);
    assert_null(next);
    json_decref(last);

    /* The start key need not exist. */
    last = key_s("k045");
    assert_int_equal(scan_page(s, last, 0, 5, &next), 5);
    json_decref(last);

    /* An empty table, and a bad start key. */
    create(s, "Empty", "id", 'S', NULL, 0);
    assert_int_equal(store_scan(s, "Empty", NULL, 0, &items, &last, &err), 0);
    assert_int_equal(json_array_size(items), 0);
    assert_null(last);
    json_decref(items);
    last = json_pack("{s:{s:s}}", "id", "N", "1");
    assert_int_equal(store_scan(s, "Items", last, 0, &items, &next, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_null(items);
    assert_null(next);
    json_decref(last);
    assert_int_equal(store_scan(s, "Nope", NULL, 0, &items, &next, &err), -1);
    assert_int_equal(err.kind, ERR_NOT_FOUND);
    store_close(s);
}

static void scan_page_holds_at_most_1mb(void **state)
{
    struct store *s = items_store();
    char *v = repeat('v', 300 * 1024);
    json_t *last = NULL, *next = NULL;
    char id[16];

    (void)state;
    for (int i = 0; i < 7; i++) {
        snprintf(id, sizeof id, "k%02d", i);
        put_ok(s, "Items", key_s(id), item_s(id, v));
    }
    /* 3 × 300 KB fit in 1 MB, a fourth does not. */
    assert_int_equal(scan_page(s, NULL, 0, 0, &last), 3);
    assert_non_null(last);
    assert_int_equal(scan_page(s, last, 2, 3, &next), 2);
    json_decref(last);
    assert_int_equal(scan_page(s, next, 0, 5, &last), 2);
    assert_null(last);
    json_decref(next);
    free(v);
    store_close(s);
}

/* --- number ordering ----------------------------------------------------- */

/* "1" followed by zeros digits zeros (large), or "0.", zeros zeros, "1". */
static char *big_number(const char *sign, const char *head, int zeros)
{
    char *z = repeat('0', (size_t)zeros);
    char *p = xasprintf("%s%s%s", sign, head, z);
    free(z);
    return p;
}

static char *tiny_number(const char *sign, int zeros)
{
    char *z = repeat('0', (size_t)zeros);
    char *p = xasprintf("%s0.%s1", sign, z);
    free(z);
    return p;
}

/* Numbers in ascending order, as new strings in out; returns the count. */
static size_t ascending_numbers(char **out)
{
    static const char *const middle[] = {
        "-12345678901234567890123456789012345678",
        "-1000",
        "-999.999",
        "-100",
        "-99",
        "-12.5",
        "-12.25",
        "-12",
        "-10",
        "-9",
        "-1.5",
        "-1",
        "-0.55",
        "-0.5",
        "-0.05",
        "-0.001",
        "-tiny", /* -1E-130 */
        "0",
        "tiny", /* 1E-130 */
        "0.001",
        "0.05",
        "0.5",
        "0.55",
        "1",
        "1.5",
        "9",
        "10",
        "12",
        "12.25",
        "12.5",
        "99",
        "100",
        "999.999",
        "1000",
        "12345678901234567890123456789012345678",
    };
    size_t n = 0;

    /* -9.99...E+125, the most negative N */
    out[n++] = big_number("-", "99999999999999999999999999999999999999", 88);
    for (size_t i = 0; i < sizeof middle / sizeof middle[0]; i++) {
        if (strcmp(middle[i], "-tiny") == 0)
            out[n++] = tiny_number("-", 129);
        else if (strcmp(middle[i], "tiny") == 0)
            out[n++] = tiny_number("", 129);
        else
            out[n++] = xstrdup(middle[i]);
    }
    out[n++] = big_number("", "1", 125);
    out[n++] = big_number("", "99999999999999999999999999999999999999", 88);
    return n;
}

static void number_sort_keys_scan_in_numeric_order(void **state)
{
    struct store *s = open_memory();
    struct err err = ERR_INIT;
    char *nums[64];
    size_t n = ascending_numbers(nums);
    json_t *items = NULL, *last = NULL;

    (void)state;
    create(s, "Sorted", "p", 'S', "s", 'N');
    create(s, "ByNumber", "n", 'N', NULL, 0);
    /* Insert in a scrambled order: i * 7 % n visits every index once. */
    assert_int_not_equal(n % 7, 0);
    for (size_t i = 0; i < n; i++) {
        const char *v = nums[(i * 7) % n];
        put_ok(s, "Sorted",
               json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "N", v),
               json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "x", "s", "N", v));
        put_ok(s, "ByNumber", json_pack("{s:{s:s}}", "n", "N", v),
               json_pack("{s:{s:s}}", "n", "N", v));
    }
    /* Another partition sorts after "x" entirely. */
    put_ok(s, "Sorted",
           json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "y", "s", "N", "-5"),
           json_pack("{s:{s:s}, s:{s:s}}", "p", "S", "y", "s", "N", "-5"));

    assert_int_equal(store_scan(s, "Sorted", NULL, 0, &items, &last, &err), 0);
    assert_int_equal(json_array_size(items), n + 1);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(str_of(json_array_get(items, i), "s", "N"),
                            nums[i]);
    assert_string_equal(str_of(json_array_get(items, n), "p", "S"), "y");
    json_decref(items);

    assert_int_equal(store_scan(s, "ByNumber", NULL, 0, &items, &last, &err),
                     0);
    assert_int_equal(json_array_size(items), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(str_of(json_array_get(items, i), "n", "N"),
                            nums[i]);
    json_decref(items);

    /* Equal numbers are one key, whatever their spelling. */
    json_t *item =
        get(s, "ByNumber", json_pack("{s:{s:s}}", "n", "N", "1.50"), NULL);
    assert_non_null(item);
    assert_string_equal(str_of(item, "n", "N"), "1.5");
    json_decref(item);
    item = get(s, "ByNumber", json_pack("{s:{s:s}}", "n", "N", "1e3"), NULL);
    assert_non_null(item);
    assert_string_equal(str_of(item, "n", "N"), "1000");
    json_decref(item);
    item = get(s, "ByNumber", json_pack("{s:{s:s}}", "n", "N", "-0"), NULL);
    assert_non_null(item);
    assert_string_equal(str_of(item, "n", "N"), "0");
    json_decref(item);

    for (size_t i = 0; i < n; i++)
        free(nums[i]);
    store_close(s);
}

static void string_and_binary_keys_sort_by_bytes(void **state)
{
    /* "B" < "a" < "ab" < "abc" < "b" < "é" (0xc3 0xa9) */
    static const char *const strings[] = {"B",   "a", "ab",
                                          "abc", "b", "\xc3\xa9"};
    /* 0x00 < 0x00 0x00 < 0x01 < 0xff: "AA==", "AAA=", "AQ==", "/w==" */
    static const char *const binaries[] = {"AA==", "AAA=", "AQ==", "/w=="};
    struct store *s = open_memory();
    struct err err = ERR_INIT;
    json_t *items = NULL, *last = NULL;

    (void)state;
    create(s, "Str", "k", 'S', NULL, 0);
    create(s, "Bin", "k", 'B', NULL, 0);
    for (int i = 5; i >= 0; i--)
        put_ok(s, "Str", json_pack("{s:{s:s}}", "k", "S", strings[i]),
               json_pack("{s:{s:s}}", "k", "S", strings[i]));
    for (int i = 3; i >= 0; i--)
        put_ok(s, "Bin", json_pack("{s:{s:s}}", "k", "B", binaries[i]),
               json_pack("{s:{s:s}}", "k", "B", binaries[i]));
    assert_int_equal(store_scan(s, "Str", NULL, 0, &items, &last, &err), 0);
    assert_int_equal(json_array_size(items), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(str_of(json_array_get(items, i), "k", "S"),
                            strings[i]);
    json_decref(items);
    assert_int_equal(store_scan(s, "Bin", NULL, 0, &items, &last, &err), 0);
    assert_int_equal(json_array_size(items), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(str_of(json_array_get(items, i), "k", "B"),
                            binaries[i]);
    json_decref(items);
    store_close(s);
}

/* --- files and threads --------------------------------------------------- */

static void file_store_keeps_data_across_reopen(void **state)
{
    struct err err = ERR_INIT;
    struct tmp t;
    struct store *s;
    char etag[STORE_ETAG_SIZE], again[STORE_ETAG_SIZE];
    json_t *item;

    (void)state;
    tmp_make(&t);
    s = store_open(t.path, 3, STORE_DURABILITY_FULL, &err);
    assert_non_null(s);
    create(s, "Items", "id", 'S', NULL, 0);
    assert_int_equal(
        put(s, "Items", key_s("k"), item_s("k", "kept"), 0, etag, &err), 0);
    store_close(s);

    s = store_open(t.path, 2, STORE_DURABILITY_NORMAL, &err);
    assert_non_null(s);
    item = get(s, "Items", key_s("k"), again);
    assert_non_null(item);
    assert_string_equal(str_of(item, "v", "S"), "kept");
    assert_string_equal(again, etag);
    json_decref(item);
    /* The table survived too: creating it again is refused (in use). */
    assert_int_equal(
        store_create_table(s, "Items",
                           &(struct store_key_schema){"id", 'S', NULL, 0}, 0,
                           &err),
        -1);
    assert_int_equal(err.kind, ERR_IN_USE);
    store_close(s);

    /* A directory that does not exist: ERR_UNAVAILABLE, no store. */
    assert_null(
        store_open("/nonexistent-dir/x.db", 1, STORE_DURABILITY_FULL, &err));
    assert_int_equal(err.kind, ERR_UNAVAILABLE);
    tmp_remove(&t);
}

#define THREADS 4
#define INCREMENTS 100

struct worker {
    struct store *s;
    int id;
    int failures;
    char msg[ERR_MSG_SIZE];
};

/* Create an item that must not exist yet (no cmocka asserts: this runs on
 * a worker thread). */
static int create_fn(void *ctx, const json_t *old_item, const char *old_etag,
                     json_t **new_item, struct err *err)
{
    (void)old_etag;
    if (old_item)
        return err_set(err, ERR_CONFLICT, NULL);
    *new_item = json_incref(ctx);
    return 0;
}

/* Read-modify-write of a counter: lost updates would show as a short
 * count, SQLITE_BUSY as a failure. */
static int increment_fn(void *ctx, const json_t *old_item, const char *old_etag,
                        json_t **new_item, struct err *err)
{
    long n = 0;
    char text[32];

    (void)ctx;
    (void)old_etag;
    (void)err;
    if (old_item)
        n = atol(str_of(old_item, "n", "N"));
    snprintf(text, sizeof text, "%ld", n + 1);
    *new_item =
        json_pack("{s:{s:s}, s:{s:s}}", "id", "S", "counter", "n", "N", text);
    return 0;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    json_t *key = key_s("counter");
    struct err err = ERR_INIT;
    char id[32];

    for (int i = 0; i < INCREMENTS; i++) {
        if (store_mutate_item(w->s, "Items", key, increment_fn, NULL, NULL,
                              &err)) {
            w->failures++;
            memcpy(w->msg, err.msg, sizeof w->msg);
        }
        snprintf(id, sizeof id, "w%d-%d", w->id, i);
        json_t *own = key_s(id), *item = item_s(id, "v");
        if (store_mutate_item(w->s, "Items", own, create_fn, item, NULL,
                              &err)) {
            w->failures++;
            memcpy(w->msg, err.msg, sizeof w->msg);
        }
        json_decref(own);
        json_decref(item);
    }
    json_decref(key);
    return NULL;
}

static void concurrent_writers_all_succeed(void **state)
{
    struct err err = ERR_INIT;
    struct worker w[THREADS];
    pthread_t th[THREADS];
    json_t *items = NULL, *last = NULL, *item;
    struct tmp t;
    struct store *s;

    (void)state;
    tmp_make(&t);
    s = store_open(t.path, THREADS, STORE_DURABILITY_NORMAL, &err);
    assert_non_null(s);
    create(s, "Items", "id", 'S', NULL, 0);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){s, i, 0, ""};
        assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failures)
            fail_msg("worker %d: %d failures, last: %s", i, w[i].failures,
                     w[i].msg);
    }
    item = get(s, "Items", key_s("counter"), NULL);
    assert_non_null(item);
    assert_int_equal(atol(str_of(item, "n", "N")), THREADS * INCREMENTS);
    json_decref(item);
    assert_int_equal(store_scan(s, "Items", NULL, 0, &items, &last, &err), 0);
    assert_int_equal(json_array_size(items), THREADS * INCREMENTS + 1);
    json_decref(items);
    store_close(s);
    tmp_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_table_validates_and_refuses_duplicates),
        cmocka_unit_test(put_then_get_round_trips),
        cmocka_unit_test(conditional_create_of_existing_item_changes_nothing),
        cmocka_unit_test(delete_removes_the_item),
        cmocka_unit_test(etag_changes_with_the_item_only),
        cmocka_unit_test(callback_failure_writes_nothing),
        cmocka_unit_test(keys_that_break_the_schema_are_refused),
        cmocka_unit_test(string_key_text_read_agrees_with_the_general_one),
        cmocka_unit_test(stored_text_parses_to_the_stored_item),
        cmocka_unit_test(items_must_hold_their_key_and_fit),
        cmocka_unit_test(scan_pages_by_limit_and_exclusive_start_key),
        cmocka_unit_test(scan_page_holds_at_most_1mb),
        cmocka_unit_test(number_sort_keys_scan_in_numeric_order),
        cmocka_unit_test(string_and_binary_keys_sort_by_bytes),
        cmocka_unit_test(file_store_keeps_data_across_reopen),
        cmocka_unit_test(concurrent_writers_all_succeed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
