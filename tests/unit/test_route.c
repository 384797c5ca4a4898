/*
 * test_route — route_match's three answers and its precedence rules: the
 * most literal template wins, an exact method beats ANY, a known path under
 * another method is ROUTE_PATH_ONLY, an unknown path ROUTE_NONE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "route.h"

static const char *const routes[][2] = {
    {"GET", "/items"},         {"POST", "/items"},
    {"GET", "/items/{id}"},    {"DELETE", "/items/{id}"},
    {"GET", "/items/special"}, {"ANY", "/things/{id}"},
    {"PUT", "/things/{id}"},   {"GET", "/files/{path+}"},
};

static struct route_table *table(void)
{
    struct route_table *t = route_table_create();
    struct err err = ERR_INIT;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (route_add(t, routes[i][0], routes[i][1], routes[i], &err) < 0)
            fail_msg("route_add %s %s: %s", routes[i][0], routes[i][1],
                     err.msg);
    return t;
}

/* The route method + path matches, as "METHOD resource", with its one
 * parameter's value in value (or "" without one); or NULL. */
static const char *match(const struct route_table *t, const char *method,
                         const char *path, enum route_result *res,
                         char value[64])
{
    static char got[128];
    struct route_param params[ROUTE_MAX_PARAMS];
    const struct route *r = NULL;
    size_t n = 0;

    *res = route_match(t, method, path, &r, params, &n);
    value[0] = '\0';
    if (*res != ROUTE_MATCHED) {
        assert_null(r);
        assert_int_equal(n, 0);
        return NULL;
    }
    if (n)
        snprintf(value, 64, "%.*s", (int)params[0].len, params[0].value);
    snprintf(got, sizeof got, "%s %s", r->method, r->resource);
    return got;
}

static void matches_by_method_literal_and_any(void **state)
{
    struct route_table *t = table();
    enum route_result res;
    char v[64];

    (void)state;
    assert_string_equal(match(t, "GET", "/items/a1", &res, v),
                        "GET /items/{id}");
    assert_string_equal(v, "a1");
    assert_string_equal(match(t, "DELETE", "/items/a1", &res, v),
                        "DELETE /items/{id}");
    /* the literal segment beats the parameter */
    assert_string_equal(match(t, "GET", "/items/special", &res, v),
                        "GET /items/special");
    /* an exact method beats ANY; ANY takes the rest */
    assert_string_equal(match(t, "PUT", "/things/7", &res, v),
                        "PUT /things/{id}");
    assert_string_equal(match(t, "PATCH", "/things/7", &res, v),
                        "ANY /things/{id}");
    assert_string_equal(v, "7");
    /* a greedy parameter takes the rest of the path */
    assert_string_equal(match(t, "GET", "/files/a/b/c", &res, v),
                        "GET /files/{path+}");
    assert_string_equal(v, "a/b/c");
    route_table_free(t);
}

static void known_path_other_method_is_path_only(void **state)
{
    struct route_table *t = table();
    enum route_result res;
    char v[64];

    (void)state;
    assert_null(match(t, "PATCH", "/items/a1", &res, v));
    assert_int_equal(res, ROUTE_PATH_ONLY);
    assert_null(match(t, "DELETE", "/items", &res, v));
    assert_int_equal(res, ROUTE_PATH_ONLY);
    assert_null(match(t, "GET", "/nothing/here", &res, v));
    assert_int_equal(res, ROUTE_NONE);
    assert_null(match(t, "GET", "/items/a1/extra", &res, v));
    assert_int_equal(res, ROUTE_NONE);
    assert_null(match(t, "GET", "/items/", &res, v));
    assert_int_equal(res, ROUTE_NONE);
    route_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_by_method_literal_and_any),
        cmocka_unit_test(known_path_other_method_is_path_only),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
