/*
 * test_function — the registry of functions: each built-in's row is at its
 * own id and found by its name, unknown names are NULL, the flags say what
 * config_api checked by name before, and the name list keeps the order the
 * config's error message has always given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "function.h"

static void rows_are_at_their_ids(void **state)
{
    (void)state;
    for (int i = 0; i < FUNCTION_NBUILTIN; i++) {
        const struct function *f = function_builtin((enum function_id)i);
        assert_int_equal(f->id, i);
        assert_int_equal(f->kind, FUNCTION_BUILTIN);
        assert_non_null(f->entry);
        assert_ptr_equal(function_named(f->name), f);
    }
}

static void unknown_names_are_null(void **state)
{
    (void)state;
    assert_null(function_named("crud"));
    assert_null(function_named(""));
    assert_null(function_named("Get-Item"));
    assert_null(function_named("get-item "));
}

static void flags_match_the_old_name_rules(void **state)
{
    (void)state;
    for (int i = 0; i < FUNCTION_NBUILTIN; i++) {
        const struct function *f = function_builtin((enum function_id)i);
        size_t n = strlen(f->name);
        int item = (n > 5 && !strcmp(f->name + n - 5, "-item")) ||
                   !strcmp(f->name, "list-items");
        assert_int_equal(function_has(f, FUNCTION_NEEDS_TABLE), item);
        assert_int_equal(function_has(f, FUNCTION_TAKES_RESULT),
                         !strcmp(f->name, "respond"));
        assert_int_equal(function_has(f, FUNCTION_TAKES_UPDATABLE),
                         !strcmp(f->name, "update-item"));
        assert_int_equal(function_has(f, FUNCTION_KEY_IN_PATH),
                         item && strcmp(f->name, "create-item") &&
                             strcmp(f->name, "list-items"));
        assert_int_equal(function_has(f, FUNCTION_PAGED),
                         !strcmp(f->name, "list-items"));
    }
}

static void names_in_the_error_order(void **state)
{
    char out[256], tiny[8];

    (void)state;
    function_names(out, sizeof out);
    assert_string_equal(out, "create-item, get-item, list-items, put-item, "
                             "update-item, delete-item, health, echo, "
                             "respond, dynamodb-manager");
    function_names(tiny, sizeof tiny);
    assert_string_equal(tiny, "create-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_at_their_ids),
        cmocka_unit_test(unknown_names_are_null),
        cmocka_unit_test(flags_match_the_old_name_rules),
        cmocka_unit_test(names_in_the_error_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
