/*
 * Unit tests for handler: the proxy event in payload formats 1.0 and 2.0
 * (compared whole with tests/golden/proxy/event_v*.json), API Gateway's
 * reading of a function's JSON result (every block of
 * tests/golden/proxy/result.txt, see its README), and the built-in
 * functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "handler_builtin.h"

#define GOLDEN_DIR "tests/golden/proxy"

/* ------------------------------------------------------------------ */
/* the event                                                           */

static const struct handler_kv sample_headers[] = {
    {"Host", "api.example.com"},
    {"User-Agent", "curl/8.5.0"},
    {"X-Multi", "one"},
    {"Cookie", "c1=v1; c2=v2"},
    {"x-multi", "two"},
    {"Cookie", "c3=v3"},
    {"Content-Type", "text/plain"},
};
static const struct handler_kv sample_query[] = {
    {"a", "1"},
    {"b", "x y"},
    {"a", "2"},
};
static const struct handler_kv sample_params[] = {{"id", "abc"}};
static const struct handler_kv sample_stage_variables[] = {{"env", "test"}};

/* POST /prod/items/abc?a=1&b=x%20y&a=2 with repeated headers, two Cookie
 * headers and a body, on stage prod; the event of the golden files. */
static struct handler_event sample_request(int version)
{
    return (struct handler_event){
        .payload_version = version,
        .resource = "/items/{id}",
        .path = "/items/abc",
        .method = "POST",
        .headers = sample_headers,
        .nheaders = sizeof sample_headers / sizeof *sample_headers,
        .query = sample_query,
        .nquery = sizeof sample_query / sizeof *sample_query,
        .params = sample_params,
        .nparams = 1,
        .stage_variables = sample_stage_variables,
        .nstage_variables = 1,
        .body = "hello",
        .body_len = 5,
        .raw_path = "/prod/items/abc",
        .raw_query = "a=1&b=x%20y&a=2",
        .request_id = "c0ffee00-0000-4000-8000-000000000001",
        .extended_request_id = "Q0ZmYXBpZ3c=",
        .stage = "prod",
        .request_path = "/prod/items/abc",
        .source_ip = "203.0.113.9",
        .request_time_ms = 1583348638390LL,
        .api_id = "a1b2c3",
        .api_key = "key-123",
    };
}

static json_t *load_golden(const char *name)
{
    char path[256];
    json_error_t error;

    snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, name);
    json_t *j = json_load_file(path, 0, &error);
    if (!j)
        fail_msg("%s:%d: %s", path, error.line, error.text);
    return j;
}

/* Fail with both documents shown unless they are equal. */
static void assert_json_equal(const json_t *expect, const json_t *got)
{
    if (json_equal(expect, got))
        return;
    char *e =
        json_dumps(expect, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *g =
        json_dumps(got, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    print_error("expected:\n%s\ngot:\n%s\n", e, g);
    free(e);
    free(g);
    fail();
}

static void event_v2_matches_golden(void **state)
{
    struct handler_event ev = sample_request(2);
    json_t *expect = load_golden("event_v2.json");
    json_t *got = handler_event_json(&ev);

    (void)state;
    assert_json_equal(expect, got);
    json_decref(expect);
    json_decref(got);
}

static void event_v1_matches_golden(void **state)
{
    struct handler_event ev = sample_request(1);
    json_t *expect = load_golden("event_v1.json");
    json_t *got = handler_event_json(&ev);

    (void)state;
    assert_json_equal(expect, got);
    json_decref(expect);
    json_decref(got);
}

/* payload_version 0 (a caller that predates 2.0) is 1.0. */
static void event_version_zero_is_v1(void **state)
{
    struct handler_event ev = sample_request(0);
    json_t *expect = load_golden("event_v1.json");
    json_t *got = handler_event_json(&ev);

    (void)state;
    assert_json_equal(expect, got);
    json_decref(expect);
    json_decref(got);
}

/* 2.0 leaves out what a request lacks; an IAM-signed one has an
 * authorizer; routeKey falls back to "$default". */
static void event_v2_leaves_out_what_is_absent(void **state)
{
    static const struct handler_kv headers[] = {{"Host", "localhost:3000"}};
    struct handler_event ev = {
        .payload_version = 2,
        .method = "GET",
        .headers = headers,
        .nheaders = 1,
        .request_path = "/items",
        .access_key = "AKIDEXAMPLE",
        .request_time_ms = 0,
    };
    json_t *got = handler_event_json(&ev);
    json_t *expect = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s}, s:b, s:{s:s, s:s, s:{s:{s:s, s:s, "
        "s:n, s:n, s:n, s:n, s:n}}, s:s, s:s, s:{s:s, s:s, s:s, s:n, s:s}, "
        "s:n, s:s, s:s, s:s, s:i}}",
        "version", "2.0", "routeKey", "$default", "rawPath", "/items",
        "rawQueryString", "", "headers", "host", "localhost:3000",
        "isBase64Encoded", 0, "requestContext", "accountId", "000000000000",
        "apiId", "crudd", "authorizer", "iam", "accessKey", "AKIDEXAMPLE",
        "accountId", "000000000000", "callerId", "cognitoIdentity",
        "principalOrgId", "userArn", "userId", "domainName", "localhost:3000",
        "domainPrefix", "localhost", "http", "method", "GET", "path", "/items",
        "protocol", "HTTP/1.1", "sourceIp", "userAgent", "", "requestId",
        "routeKey", "$default", "stage", "$default", "time",
        "01/Jan/1970:00:00:00 +0000", "timeEpoch", 0);

    (void)state;
    assert_non_null(expect);
    assert_json_equal(expect, got);
    json_decref(expect);
    json_decref(got);
}

/* A body that is not UTF-8 travels as Base64, in both versions. */
static void event_binary_body_is_base64(void **state)
{
    static const char bytes[] = {'\xff', '\0', 'a'};

    (void)state;
    for (int version = 1; version <= 2; version++) {
        struct handler_event ev = sample_request(version);
        ev.body = bytes;
        ev.body_len = sizeof bytes;
        json_t *got = handler_event_json(&ev);
        assert_string_equal(json_string_value(json_object_get(got, "body")),
                            "/wBh");
        assert_true(json_is_true(json_object_get(got, "isBase64Encoded")));
        json_decref(got);
    }
}

/* An event with nothing set renders without crashing, nulls or defaults
 * where AWS has them. */
static void event_all_unset_does_not_crash(void **state)
{
    (void)state;
    for (int version = 0; version <= 2; version++) {
        struct handler_event ev = {.payload_version = version};
        json_t *got = handler_event_json(&ev);
        char *text = json_dumps(got, JSON_COMPACT);
        assert_non_null(text);
        if (version == 2) {
            assert_null(json_object_get(got, "body"));
            assert_null(json_object_get(got, "cookies"));
            assert_null(json_object_get(got, "queryStringParameters"));
            assert_true(json_is_null(json_object_get(got, "rawPath")));
        } else {
            assert_true(json_is_null(json_object_get(got, "body")));
            assert_true(json_is_null(json_object_get(got, "headers")));
            assert_true(json_is_null(json_object_get(got, "stageVariables")));
        }
        free(text);
        json_decref(got);
    }
}

/* Names and values that are not UTF-8 are left out, not passed on. */
static void event_drops_what_is_not_utf8(void **state)
{
    static const struct handler_kv headers[] = {
        {"X-Bad", "\xff"},
        {"X-Good", "ok"},
        {"Cookie", "a=\xff; b=2"},
    };
    struct handler_event ev = {
        .payload_version = 2,
        .headers = headers,
        .nheaders = 3,
    };
    json_t *got = handler_event_json(&ev);
    json_t *expect_headers = json_pack("{s:s}", "x-good", "ok");
    json_t *expect_cookies = json_pack("[s]", "b=2");

    (void)state;
    assert_json_equal(expect_headers, json_object_get(got, "headers"));
    assert_json_equal(expect_cookies, json_object_get(got, "cookies"));
    json_decref(expect_headers);
    json_decref(expect_cookies);
    json_decref(got);
}

/* ------------------------------------------------------------------ */
/* reading a result                                                    */

/* A result as {"status", "headers": [[name, value], ...], "body"}. */
static json_t *result_json(const struct handler_result *r)
{
    json_t *headers = json_array();

    for (size_t i = 0; i < r->nheaders; i++)
        json_array_append_new(headers, json_pack("[s,s]", r->headers[i].name,
                                                 r->headers[i].value));
    json_t *body = json_stringn(r->body.data ? r->body.data : "", r->body.len);
    return json_pack("{s:i, s:o, s:o}", "status", r->status, "headers", headers,
                     "body", body ? body : json_string("<binary>"));
}

/* One case of result.txt; 0 when it passes. */
static int run_result_case(const char *where, int version, const char *result,
                           const char *expect)
{
    json_error_t error;
    json_t *in = json_loads(result, JSON_DECODE_ANY, &error);
    struct handler_result r;
    const char *why = NULL;
    int failed = 0;

    if (!in) {
        print_error("%s: result: %s\n", where, error.text);
        return 1;
    }
    handler_result_init(&r);
    int rc = handler_result_from_json(in, version, &r, &why);
    if (!strcmp(expect, "malformed")) {
        if (rc != -1 || !why) {
            json_t *got = result_json(&r);
            char *g = json_dumps(got, JSON_COMPACT);
            print_error("%s: expected malformed, got %s\n", where, g);
            free(g);
            json_decref(got);
            failed = 1;
        } else if (r.status != 0 || r.nheaders != 0 || r.headers ||
                   r.body.len != 0) {
            print_error("%s: malformed but r not left empty\n", where);
            failed = 1;
        }
    } else {
        json_t *want = json_loads(expect, 0, &error);
        if (!want) {
            print_error("%s: expect: %s\n", where, error.text);
            failed = 1;
        } else if (rc != 0) {
            print_error("%s: refused (%s), expected %s\n", where, why, expect);
            failed = 1;
        } else {
            json_t *got = result_json(&r);
            if (!json_equal(want, got)) {
                char *g = json_dumps(got, JSON_COMPACT);
                print_error("%s:\n  expected %s\n  got      %s\n", where,
                            expect, g);
                free(g);
                failed = 1;
            }
            json_decref(got);
        }
        json_decref(want);
    }
    handler_result_fini(&r);
    json_decref(in);
    return failed;
}

static void result_golden_cases(void **state)
{
    FILE *f = fopen(GOLDEN_DIR "/result.txt", "r");
    char line[4096], where[64];
    char *result = NULL, *expect = NULL;
    int version = 0, lineno = 0, start = 0, cases = 0, failures = 0;

    (void)state;
    assert_non_null(f);
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        lineno++;
        if (got) {
            line[strcspn(line, "\n")] = '\0';
            if (line[0] == '#')
                continue;
            if (line[0] && !start)
                start = lineno;
            if (!strncmp(line, "version: ", 9))
                version = atoi(line + 9);
            else if (!strncmp(line, "result: ", 8))
                result = strdup(line + 8);
            else if (!strncmp(line, "expect: ", 8))
                expect = strdup(line + 8);
            else if (line[0])
                fail_msg("result.txt:%d: unknown line: %s", lineno, line);
        }
        if ((!got || !line[0]) && start) {
            snprintf(where, sizeof where, "result.txt:%d", start);
            if (!version || !result || !expect)
                fail_msg("%s: a case needs version, result and expect", where);
            failures += run_result_case(where, version, result, expect);
            cases++;
            free(result);
            free(expect);
            result = expect = NULL;
            version = start = 0;
        }
        if (!got)
            break;
    }
    fclose(f);
    printf("golden: %d result cases, %d failed\n", cases, failures);
    assert_true(cases >= 50);
    assert_int_equal(failures, 0);
}

/* A Base64 body may hold any bytes, NUL included. */
static void result_binary_body(void **state)
{
    json_t *in = json_pack("{s:i, s:s, s:b}", "statusCode", 200, "body", "/wBh",
                           "isBase64Encoded", 1);
    struct handler_result r;
    const char *why;

    (void)state;
    handler_result_init(&r);
    assert_int_equal(handler_result_from_json(in, 1, &r, &why), 0);
    assert_int_equal(r.body.len, 3);
    assert_memory_equal(r.body.data, "\xff\0a", 3);
    handler_result_fini(&r);
    json_decref(in);
}

/* ------------------------------------------------------------------ */
/* built-in functions                                                  */

static void builtin_echo_returns_the_event(void **state)
{
    (void)state;
    for (int version = 1; version <= 2; version++) {
        struct handler_event ev = sample_request(version);
        struct handler_result r;
        json_error_t error;

        handler_result_init(&r);
        assert_int_equal(handler_builtin_echo(&ev, NULL, &r), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.nheaders, 1);
        assert_string_equal(r.headers[0].name, "Content-Type");
        assert_string_equal(r.headers[0].value, "application/json");
        json_t *got = json_loadb(r.body.data, r.body.len, 0, &error);
        json_t *expect =
            load_golden(version == 2 ? "event_v2.json" : "event_v1.json");
        assert_non_null(got);
        assert_json_equal(expect, got);
        json_decref(got);
        json_decref(expect);
        handler_result_fini(&r);
    }
}

static void builtin_respond_reads_the_configured_result(void **state)
{
    json_t *result =
        json_pack("{s:s, s:{s:s}, s:[s], s:s}", "statusCode", "201", "headers",
                  "Location", "/items/1", "cookies", "k=v", "body", "made");
    struct handler_env env = {.result = result};
    struct handler_event v1 = sample_request(1), v2 = sample_request(2);
    struct handler_result r;

    (void)state;
    /* 2.0 takes cookies and ignores nothing it needs */
    handler_result_init(&r);
    assert_int_equal(handler_builtin_respond(&v2, &env, &r), 0);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.nheaders, 3);
    assert_string_equal(r.headers[0].name, "Location");
    assert_string_equal(r.headers[1].name, "Set-Cookie");
    assert_string_equal(r.headers[1].value, "k=v");
    assert_string_equal(r.headers[2].name, "Content-Type");
    assert_string_equal(r.body.data, "made");
    handler_result_fini(&r);

    /* 1.0 has no cookies key: a REST API refuses the result */
    handler_result_init(&r);
    assert_int_equal(handler_builtin_respond(&v1, &env, &r), -1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.nheaders, 0);
    handler_result_fini(&r);
    json_decref(result);
}

static void builtin_respond_without_a_result_fails(void **state)
{
    struct handler_env env = {.result = NULL};
    struct handler_event ev = sample_request(1);
    struct handler_result r;

    (void)state;
    handler_result_init(&r);
    assert_int_equal(handler_builtin_respond(&ev, &env, &r), -1);
    handler_result_fini(&r);
}

static void builtin_health_is_ok(void **state)
{
    struct handler_event ev = {0};
    struct handler_result r;

    (void)state;
    handler_result_init(&r);
    assert_int_equal(handler_builtin_health(&ev, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "{\"status\": \"ok\"}");
    assert_string_equal(r.headers[0].value, "application/json");
    handler_result_fini(&r);
}

/* A header list grows past its first 8 and past 16, keeps its order, and
 * a changed value leaves the name (name and value share one block). */
static void header_list_grows_and_keeps_order(void **state)
{
    struct handler_header *list = NULL;
    size_t n = 0;
    char name[16], value[16];

    (void)state;
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "X-H%d", i);
        snprintf(value, sizeof value, "v%d", i);
        handler_headers_add(&list, &n, name, value);
    }
    assert_int_equal(n, 40);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "X-H%d", i);
        snprintf(value, sizeof value, "v%d", i);
        assert_string_equal(list[i].name, name);
        assert_string_equal(list[i].value, value);
    }
    handler_header_set_value(&list[9], "a longer value than before");
    assert_string_equal(list[9].name, "X-H9");
    assert_string_equal(list[9].value, "a longer value than before");
    assert_string_equal(list[10].value, "v10");
    handler_headers_free(list, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_v2_matches_golden),
        cmocka_unit_test(event_v1_matches_golden),
        cmocka_unit_test(event_version_zero_is_v1),
        cmocka_unit_test(event_v2_leaves_out_what_is_absent),
        cmocka_unit_test(event_binary_body_is_base64),
        cmocka_unit_test(event_all_unset_does_not_crash),
        cmocka_unit_test(event_drops_what_is_not_utf8),
        cmocka_unit_test(result_golden_cases),
        cmocka_unit_test(result_binary_body),
        cmocka_unit_test(builtin_echo_returns_the_event),
        cmocka_unit_test(builtin_respond_reads_the_configured_result),
        cmocka_unit_test(builtin_respond_without_a_result_fails),
        cmocka_unit_test(builtin_health_is_ok),
        cmocka_unit_test(header_list_grows_and_keeps_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
