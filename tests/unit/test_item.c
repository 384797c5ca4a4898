/*
 * test_item — the one home of DynamoDB's item writes: a condition decides
 * before the write, an update may not touch the key, ReturnValues picks the
 * right part, the key of an item is checked, and a cancelled transaction
 * gives one reason per action in order, with the old item when asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "item.h"

static struct store *open_table(void)
{
    struct store_key_schema ks = {"id", 'S', NULL, 0};
    struct err err = ERR_INIT;
    struct store *s = store_open(":memory:", 2, STORE_DURABILITY_FULL, &err);

    if (!s || store_create_table(s, "Things", &ks, 0, &err))
        fail_msg("store: %s", err.msg);
    return s;
}

static struct expr *parse(enum expr_kind kind, const char *text,
                          const char *values)
{
    struct err err = ERR_INIT;
    struct expr_usage usage;
    json_t *v = values ? json_loads(values, 0, NULL) : NULL;

    expr_usage_init(&usage);
    struct expr *e =
        expr_parse(kind, text, strlen(text), NULL, v, &usage, &err);
    if (!e)
        fail_msg("expr_parse: %s", err.msg);
    expr_usage_fini(&usage);
    json_decref(v);
    return e;
}

static void put(struct store *s, const char *item_text)
{
    struct err err = ERR_INIT;
    json_t *item = json_loads(item_text, 0, NULL);
    json_t *key = json_pack("{s:O}", "id", json_object_get(item, "id"));
    struct item_write w = {.item = item, .key = key};

    assert_int_equal(item_write(s, "Things", &w, &err), 0);
    item_write_fini(&w);
    json_decref(key);
    json_decref(item);
}

static void failed_condition_keeps_the_old_item_when_asked(void **state)
{
    struct store *s = open_table();
    struct err err = ERR_INIT;
    json_t *key = json_loads("{\"id\":{\"S\":\"a\"}}", 0, NULL);
    struct expr *cond = parse(EXPR_CONDITION, "attribute_not_exists(id)", NULL);
    struct item_write w = {.cond = cond, .key = key, .old_on_failure = 1};

    (void)state;
    put(s, "{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}");
    assert_int_equal(item_write(s, "Things", &w, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.msg, "The conditional request failed");
    assert_non_null(item_conflict_item(&w, err.kind));
    assert_null(item_conflict_item(&w, ERR_BAD_REQUEST));
    w.old_on_failure = 0;
    assert_null(item_conflict_item(&w, ERR_CONFLICT));
    item_write_fini(&w);
    expr_free(cond);
    json_decref(key);
    store_close(s);
}

static void update_returns_the_part_asked_for(void **state)
{
    struct store *s = open_table();
    struct err err = ERR_INIT;
    json_t *key = json_loads("{\"id\":{\"S\":\"a\"}}", 0, NULL);
    struct expr *upd =
        parse(EXPR_UPDATE, "SET n = :v", "{\":v\":{\"N\":\"2\"}}");
    struct item_write w = {.update = upd, .key = key};

    (void)state;
    put(s, "{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"},\"m\":{\"S\":\"x\"}}");
    assert_int_equal(item_write(s, "Things", &w, &err), 0);
    assert_null(item_returned(&w, ITEM_RETURN_NONE));
    assert_ptr_equal(item_returned(&w, ITEM_RETURN_ALL_OLD), w.old);
    assert_ptr_equal(item_returned(&w, ITEM_RETURN_ALL_NEW), w.new_item);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(item_returned(&w, ITEM_RETURN_UPDATED_OLD), "n"),
            "N")),
        "1");
    assert_int_equal(
        json_object_size(item_returned(&w, ITEM_RETURN_UPDATED_NEW)), 1);
    assert_true(item_write_size(&w) > 0);
    item_write_fini(&w);
    expr_free(upd);
    json_decref(key);
    store_close(s);
}

static void update_may_not_change_the_key(void **state)
{
    struct err err = ERR_INIT;
    json_t *key = json_loads("{\"id\":{\"S\":\"a\"}}", 0, NULL);
    struct expr *upd =
        parse(EXPR_UPDATE, "SET id = :v", "{\":v\":{\"S\":\"b\"}}");
    struct item_write w = {.update = upd, .key = key};
    json_t *next = (json_t *)1, *uo = (json_t *)1, *un = (json_t *)1;

    (void)state;
    assert_int_equal(item_write_apply(&w, NULL, &next, &uo, &un, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "Cannot update attribute id"));
    assert_null(next);
    assert_null(uo);
    assert_null(un);
    expr_free(upd);
    json_decref(key);
}

static void return_values_by_operation(void **state)
{
    struct err err = ERR_INIT;
    enum item_return rv;

    (void)state;
    assert_int_equal(item_return_parse(NULL, 0, &rv, &err), 0);
    assert_int_equal(rv, ITEM_RETURN_NONE);
    assert_int_equal(item_return_parse("ALL_OLD", 0, &rv, &err), 0);
    assert_int_equal(rv, ITEM_RETURN_ALL_OLD);
    assert_int_equal(item_return_parse("UPDATED_NEW", 1, &rv, &err), 0);
    assert_int_equal(rv, ITEM_RETURN_UPDATED_NEW);
    assert_int_equal(item_return_parse("ALL_NEW", 0, &rv, &err), -1);
    assert_string_equal(err.msg, "Return values set to invalid value");
    assert_int_equal(item_return_parse("all_old", 1, &rv, &err), -1);
}

static void key_of_an_item_is_checked(void **state)
{
    struct store_table_desc desc = {.partition_key = "id",
                                    .partition_type = 'S',
                                    .sort_key = "r",
                                    .sort_type = 'N'};
    struct err err = ERR_INIT;
    json_t *item = json_loads(
        "{\"id\":{\"S\":\"a\"},\"r\":{\"N\":\"1\"},\"x\":{\"S\":\"y\"}}", 0,
        NULL);
    json_t *key = item_key_of(&desc, item, &err);

    (void)state;
    assert_int_equal(json_object_size(key), 2);
    json_decref(key);
    json_object_set_new(item, "r", json_pack("{s:s}", "S", "1"));
    assert_null(item_key_of(&desc, item, &err));
    assert_string_equal(err.msg, "One or more parameter values were invalid: "
                                 "Type mismatch for key r expected: N "
                                 "actual: S");
    json_object_del(item, "r");
    assert_null(item_key_of(&desc, item, &err));
    assert_string_equal(err.msg, "One or more parameter values were invalid: "
                                 "Missing the key r in the item");
    json_decref(item);
}

static void cancelled_transaction_gives_reasons_in_order(void **state)
{
    struct store *s = open_table();
    struct err err = ERR_INIT;
    json_t *ka = json_loads("{\"id\":{\"S\":\"a\"}}", 0, NULL);
    json_t *kb = json_loads("{\"id\":{\"S\":\"b\"}}", 0, NULL);
    struct expr *cond = parse(EXPR_CONDITION, "attribute_not_exists(id)", NULL);
    struct item_write wa = {.item = ka, .key = ka};
    struct item_write wb = {
        .cond = cond, .key = kb, .remove = 1, .old_on_failure = 1};
    struct item_action acts[] = {{"Things", &wa, 0}, {"Things", &wb, 1}};
    json_t *reasons = NULL;

    (void)state;
    put(s, "{\"id\":{\"S\":\"b\"}}");
    assert_int_equal(item_transact(s, acts, 2, &reasons, &err), -1);
    assert_int_equal(err.kind, ERR_TXN_CANCELLED);
    assert_string_equal(err.msg,
                        "Transaction cancelled, please refer cancellation "
                        "reasons for specific reasons [None, "
                        "ConditionalCheckFailed]");
    assert_int_equal(json_array_size(reasons), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(reasons, 0), "Code")),
        "None");
    assert_null(json_object_get(json_array_get(reasons, 0), "Message"));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(reasons, 1), "Code")),
        "ConditionalCheckFailed");
    assert_non_null(json_object_get(json_array_get(reasons, 1), "Item"));
    json_decref(reasons);
    item_write_fini(&wa);
    item_write_fini(&wb);
    /* nothing was written */
    struct item_write wg = {.key = ka, .remove = 1};
    assert_int_equal(item_write(s, "Things", &wg, &err), 0);
    assert_null(wg.old);
    item_write_fini(&wg);
    expr_free(cond);
    json_decref(ka);
    json_decref(kb);
    store_close(s);
}

static void reason_codes(void **state)
{
    (void)state;
    assert_string_equal(err_reason_code(ERR_NONE), "None");
    assert_string_equal(err_reason_code(ERR_CONFLICT),
                        "ConditionalCheckFailed");
    assert_string_equal(err_reason_code(ERR_PRECONDITION),
                        "ConditionalCheckFailed");
    assert_string_equal(err_reason_code(ERR_BAD_REQUEST), "ValidationError");
    assert_string_equal(err_reason_code(ERR_UNAVAILABLE),
                        "InternalServerError");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failed_condition_keeps_the_old_item_when_asked),
        cmocka_unit_test(update_returns_the_part_asked_for),
        cmocka_unit_test(update_may_not_change_the_key),
        cmocka_unit_test(return_values_by_operation),
        cmocka_unit_test(key_of_an_item_is_checked),
        cmocka_unit_test(cancelled_transaction_gives_reasons_in_order),
        cmocka_unit_test(reason_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
