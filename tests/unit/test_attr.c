/*
 * Unit tests for attr: canonical numbers and their limits, request body
 * parsing, the plain-JSON face, item size, DynamoDB-typed values checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "buf.h"
#include "err.h"

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Canonicalize s; the result is in a static buffer, NULL on failure (the
 * message then in last_err). */
static struct err last_err;

static const char *canon(const char *s)
{
    static char out[ATTR_NUMBER_MAX];

    last_err = (struct err)ERR_INIT;
    if (attr_number_canonical(s, strlen(s), out, &last_err) < 0)
        return NULL;
    return out;
}

static void number_canonical_forms(void **state)
{
    static const char *const cases[][2] = {
        {"0", "0"},
        {"-0", "0"},
        {"+0.000e5", "0"},
        {"0.000", "0"},
        {"1e2", "100"},
        {"1.50", "1.5"},
        {".5", "0.5"},
        {"5.", "5"},
        {"+7", "7"},
        {"007", "7"},
        {"-12.340e1", "-123.4"},
        {"19.99", "19.99"},
        {"0.1", "0.1"},
        {"1E-3", "0.001"},
        {"123.456e-1", "12.3456"},
        {"123.456e+2", "12345.6"},
        {"-0.00120", "-0.0012"},
        {"9223372036854775807", "9223372036854775807"},
        {"1000000000000000000000000000000000000000000",
         "1000000000000000000000000000000000000000000"},
        {"0e99999999999999999999", "0"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = canon(cases[i][0]);

        if (!got)
            fail_msg("%s: %s", cases[i][0], last_err.msg);
        assert_string_equal(got, cases[i][1]);
    }
}

static void number_range_limits(void **state)
{
    char *zeros = repeat('0', 129), *want, *nines;
    const char *got;

    (void)state;
    /* 1E+125 is plain decimal: "1" and 125 zeros. */
    got = canon("1E+125");
    assert_non_null(got);
    assert_int_equal(strlen(got), 126);
    assert_int_equal(got[0], '1');
    assert_int_equal(strspn(got + 1, "0"), 125);

    /* 1e-130 is "0." then 129 zeros then "1". */
    got = canon("1e-130");
    assert_non_null(got);
    want = malloc(133);
    assert_non_null(want);
    snprintf(want, 133, "0.%s1", zeros);
    assert_string_equal(got, want);

    /* The extremes with all 38 digits fit in ATTR_NUMBER_MAX. */
    nines = repeat('9', 38);
    char text[64];
    snprintf(text, sizeof text, "-9.%se125", nines + 1);
    got = canon(text);
    assert_non_null(got);
    assert_int_equal(strlen(got), 127);
    snprintf(text, sizeof text, "-1.%se-130", nines + 1);
    got = canon(text);
    assert_non_null(got);
    assert_int_equal(strlen(got), 170);
    assert_true(strlen(got) < ATTR_NUMBER_MAX);

    assert_null(canon("1e126"));
    assert_string_equal(last_err.msg,
                        "Number overflow. Attempting to store a number with "
                        "magnitude larger than supported range");
    assert_null(canon("-10E125"));
    assert_non_null(strstr(last_err.msg, "overflow"));
    assert_null(canon("1e99999999999999999999"));
    assert_non_null(strstr(last_err.msg, "overflow"));
    assert_null(canon("1e-131"));
    assert_string_equal(last_err.msg,
                        "Number underflow. Attempting to store a number with "
                        "magnitude smaller than supported range");
    assert_null(canon("0.1e-130"));
    assert_non_null(strstr(last_err.msg, "underflow"));
    assert_null(canon("1e-99999999999999999999"));
    assert_non_null(strstr(last_err.msg, "underflow"));
    assert_int_equal(last_err.kind, ERR_BAD_REQUEST);

    free(zeros);
    free(want);
    free(nines);
}

static void number_significant_digits(void **state)
{
    (void)state;
    /* 38 digits pass, with any leading and trailing zeros around them. */
    assert_non_null(canon("12345678901234567890123456789012345678"));
    assert_non_null(canon("000.1234567890123456789012345678901234567800000"));
    assert_null(canon("123456789012345678901234567890123456789"));
    assert_string_equal(
        last_err.msg,
        "Attempting to store more than 38 significant digits in a Number");
    assert_null(canon("1.00000000000000000000000000000000000001"));
    assert_int_equal(last_err.kind, ERR_BAD_REQUEST);
}

static void number_malformed(void **state)
{
    static const char *const bad[] = {
        "",     "abc",   "1e",  "--1", "NaN",  "Infinity", " 1",
        "1 ",   ".",     "-",   "+",   "e5",   "1.2.3",    "1e+",
        "0x10", "1e5.0", "1,0", "+-1", "1ee2",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (canon(bad[i]))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(last_err.kind, ERR_BAD_REQUEST);
        assert_non_null(strstr(last_err.msg, "cannot be converted to a "
                                             "numeric value"));
    }
    assert_null(canon("abc"));
    assert_string_equal(
        last_err.msg,
        "The parameter cannot be converted to a numeric value: abc");
}

/* Parse a body and write it back as plain JSON; NULL on failure. */
static char *round_trip(const char *body)
{
    struct buf b;
    json_t *item;

    last_err = (struct err)ERR_INIT;
    item = attr_item_from_json_text(body, strlen(body), &last_err);
    if (!item)
        return NULL;
    buf_init(&b);
    attr_write_plain_item(&b, item);
    json_decref(item);
    return buf_steal(&b, NULL);
}

static void body_keeps_exact_numbers(void **state)
{
    char *out;

    (void)state;
    out = round_trip("{\"price\": 19.99, \"n\": 0.1, \"big\": "
                     "123456789012345678901234567890, \"max\": "
                     "9223372036854775807, \"e\": 1e2, \"f\": 1.50, "
                     "\"neg\": -0}");
    assert_non_null(out);
    assert_string_equal(out, "{\"price\":19.99,\"n\":0.1,\"big\":"
                             "123456789012345678901234567890,\"max\":"
                             "9223372036854775807,\"e\":100,\"f\":1.5,"
                             "\"neg\":0}");
    free(out);
}

static void body_typed_shape(void **state)
{
    const char *body = "{\"s\":\"x\",\"n\":5,\"t\":true,\"f\":false,"
                       "\"z\":null,\"m\":{\"a\":[1,\"b\"]}}";
    json_t *item, *want;
    json_error_t jerr;
    struct err err = ERR_INIT;

    (void)state;
    item = attr_item_from_json_text(body, strlen(body), &err);
    assert_non_null(item);
    want = json_loads("{\"s\":{\"S\":\"x\"},\"n\":{\"N\":\"5\"},"
                      "\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},"
                      "\"z\":{\"NULL\":true},\"m\":{\"M\":{\"a\":{\"L\":"
                      "[{\"N\":\"1\"},{\"S\":\"b\"}]}}}}",
                      0, &jerr);
    assert_non_null(want);
    assert_true(json_equal(item, want));
    json_decref(item);
    json_decref(want);
}

static void body_numbers_in_strings_and_keys_stay_in_step(void **state)
{
    char *out;

    (void)state;
    /* Digits inside strings, escaped quotes and backslashes, numeric keys:
     * none of them is a number token. */
    out = round_trip("{\"1\": \"2 \\\" 3\", \"a\\\\\": [4, \"-5e6\", 7.0], "
                     "\"x\": {\"9\": -8.50E-1}}");
    assert_non_null(out);
    assert_string_equal(out, "{\"1\":\"2 \\\" 3\",\"a\\\\\":[4,\"-5e6\",7],"
                             "\"x\":{\"9\":-0.85}}");
    free(out);
}

static void body_keeps_key_order(void **state)
{
    char *out;

    (void)state;
    out = round_trip("{\"z\":1,\"a\":2,\"m\":3,\"b\":{\"y\":4,\"c\":5}}");
    assert_non_null(out);
    assert_string_equal(out,
                        "{\"z\":1,\"a\":2,\"m\":3,\"b\":{\"y\":4,\"c\":5}}");
    free(out);
}

static void expect_body_error(const char *body, size_t len, const char *msg)
{
    struct err err = ERR_INIT;
    json_t *item = attr_item_from_json_text(body, len, &err);

    if (item)
        fail_msg("accepted %.*s", (int)len, body);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    if (strncmp(err.msg, msg, strlen(msg)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", err.msg, msg);
}

static void body_keeps_nul(void **state)
{
    struct err err = ERR_INIT;
    json_t *item = attr_item_from_json_text("{\"a\":\"x\\u0000y\"}", 16, &err);
    const json_t *s;

    (void)state;
    assert_non_null(item);
    s = json_object_get(json_object_get(item, "a"), "S");
    assert_int_equal(json_string_length(s), 3);
    assert_memory_equal(json_string_value(s), "x\0y", 3);
    json_decref(item);
}

static void body_errors(void **state)
{
    (void)state;
    expect_body_error("", 0, "Request body is not valid JSON: ");
    expect_body_error(NULL, 0, "Request body is not valid JSON: ");
    expect_body_error("{", 1, "Request body is not valid JSON: ");
    expect_body_error("{\"a\" 12}", 8,
                      "Request body is not valid JSON: ':' expected near '12'");
    expect_body_error("{\"a\":01}", 8, "Request body is not valid JSON: ");
    expect_body_error("{\"a\":1.}", 8, "Request body is not valid JSON: ");
    expect_body_error("{\"a\":-}", 7, "Request body is not valid JSON: ");
    expect_body_error("{\"a\":+1}", 8, "Request body is not valid JSON: ");
    expect_body_error("{\"a\":.5}", 8, "Request body is not valid JSON: ");
    expect_body_error("{\"a\":1}x", 8, "Request body is not valid JSON: ");
    expect_body_error("{\"a\":1,\"a\":2}", 13,
                      "Request body is not valid JSON: ");
    /* U+0000 is data in a string (DynamoDB stores it), but jansson reads
     * none in a member name: then crudd's words, never jansson's flags */
    expect_body_error("{\"a\\u0000\":1}", 14,
                      "Request body is not valid JSON: an attribute name "
                      "containing U+0000 is not supported");
    expect_body_error("{\"a\":\"x\0y\"}", 11,
                      "Request body is not valid JSON: ");
    expect_body_error("{\"a\":\"\xff\"}", 9, "Request body is not valid UTF-8");
    expect_body_error("{\"\xc3\x28\":1}", 8, "Request body is not valid UTF-8");
    expect_body_error("[1,2]", 5, "Request body must be a JSON object");
    expect_body_error("5", 1, "Request body must be a JSON object");
    expect_body_error("\"x\"", 3, "Request body must be a JSON object");
    expect_body_error("null", 4, "Request body must be a JSON object");
    expect_body_error("{\"a\":1e400}", 11, "Number overflow.");
    expect_body_error("{\"a\":[1e-400]}", 14, "Number underflow.");
    expect_body_error("{\"a\":123456789012345678901234567890123456789}", 45,
                      "Attempting to store more than 38");
}

/* {"a": [[[...1...]]]} with levels arrays (the top object is not a level). */
static char *nested(int levels)
{
    size_t len = 6 + 2 * (size_t)levels + 1 + 1;
    char *s = malloc(len + 1), *p = s;

    assert_non_null(s);
    p += sprintf(p, "{\"a\":");
    for (int i = 0; i < levels; i++)
        *p++ = '[';
    *p++ = '1';
    for (int i = 0; i < levels; i++)
        *p++ = ']';
    *p++ = '}';
    *p = '\0';
    return s;
}

static void body_nesting_limit(void **state)
{
    char *ok = nested(ATTR_MAX_DEPTH), *deep = nested(ATTR_MAX_DEPTH + 1);
    struct err err = ERR_INIT;
    json_t *item;

    (void)state;
    item = attr_item_from_json_text(ok, strlen(ok), &err);
    assert_non_null(item);
    json_decref(item);
    expect_body_error(deep, strlen(deep), "Item nesting exceeds 32 levels");
    free(ok);
    free(deep);
}

static void plain_values_convert(void **state)
{
    json_error_t jerr;
    json_t *plain, *typed;
    struct err err = ERR_INIT;
    struct buf b;

    (void)state;
    plain = json_loads("{\"i\":9223372036854775807,\"r\":19.99,\"t\":0.1,"
                       "\"m\":-1.5e-7,\"s\":\"x\",\"l\":[true,null]}",
                       0, &jerr);
    assert_non_null(plain);
    typed = attr_from_plain(plain, 0, &err);
    assert_non_null(typed);
    buf_init(&b);
    attr_write_plain_value(&b, typed);
    assert_string_equal(b.data, "{\"i\":9223372036854775807,\"r\":19.99,"
                                "\"t\":0.1,\"m\":-0.00000015,\"s\":\"x\","
                                "\"l\":[true,null]}");
    buf_fini(&b);
    json_decref(typed);
    json_decref(plain);

    plain = json_real(1e300);
    assert_null(attr_from_plain(plain, 0, &err));
    assert_non_null(strstr(err.msg, "overflow"));
    json_decref(plain);

    plain = json_array();
    err = (struct err)ERR_INIT;
    assert_null(attr_from_plain(plain, ATTR_MAX_DEPTH, &err));
    assert_string_equal(err.msg, "Item nesting exceeds 32 levels");
    json_decref(plain);
}

static char *write_typed(const char *typed_text)
{
    json_error_t jerr;
    json_t *v = json_loads(typed_text, 0, &jerr);
    struct buf b;

    assert_non_null(v);
    buf_init(&b);
    attr_write_plain_value(&b, v);
    json_decref(v);
    return buf_steal(&b, NULL);
}

static void write_plain_types(void **state)
{
    static const char *const cases[][2] = {
        {"{\"S\":\"a\\\"b\\n\"}", "\"a\\\"b\\n\""},
        {"{\"N\":\"-12.5\"}", "-12.5"},
        {"{\"B\":\"AAEC\"}", "\"AAEC\""},
        {"{\"BOOL\":true}", "true"},
        {"{\"BOOL\":false}", "false"},
        {"{\"NULL\":true}", "null"},
        {"{\"M\":{}}", "{}"},
        {"{\"L\":[]}", "[]"},
        {"{\"M\":{\"k\":{\"L\":[{\"N\":\"1\"},{\"S\":\"2\"}]}}}",
         "{\"k\":[1,\"2\"]}"},
        {"{\"SS\":[\"a\",\"b\"]}", "[\"a\",\"b\"]"},
        {"{\"NS\":[\"1\",\"0.5\"]}", "[1,0.5]"},
        {"{\"BS\":[\"AA==\"]}", "[\"AA==\"]"},
        /* Not well-formed: null, never broken JSON. */
        {"{\"N\":\"1; drop\"}", "null"},
        {"{\"X\":1}", "null"},
        {"{\"S\":\"a\",\"N\":\"1\"}", "null"},
        {"[]", "null"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = write_typed(cases[i][0]);

        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static size_t size_of(const char *typed_item)
{
    json_error_t jerr;
    json_t *item = json_loads(typed_item, 0, &jerr);
    size_t n;

    assert_non_null(item);
    n = attr_item_size(item);
    json_decref(item);
    return n;
}

static void item_size_rules(void **state)
{
    (void)state;
    assert_int_equal(size_of("{}"), 0);
    /* names and string bytes (UTF-8) */
    assert_int_equal(size_of("{\"id\":{\"S\":\"abc\"}}"), 2 + 3);
    assert_int_equal(size_of("{\"\xc3\xa9\":{\"S\":\"\xe2\x82\xac\"}}"), 2 + 3);
    /* numbers: (significant digits + 1) / 2 + 1 */
    assert_int_equal(size_of("{\"n\":{\"N\":\"0\"}}"), 1 + 1);
    assert_int_equal(size_of("{\"n\":{\"N\":\"7\"}}"), 1 + 2);
    assert_int_equal(size_of("{\"n\":{\"N\":\"12\"}}"), 1 + 2);
    assert_int_equal(size_of("{\"n\":{\"N\":\"-123\"}}"), 1 + 3);
    assert_int_equal(size_of("{\"n\":{\"N\":\"1000000\"}}"), 1 + 2);
    assert_int_equal(size_of("{\"n\":{\"N\":\"0.00105\"}}"), 1 + 3);
    /* binary by decoded bytes */
    assert_int_equal(size_of("{\"b\":{\"B\":\"AAECAw==\"}}"), 1 + 4);
    assert_int_equal(size_of("{\"b\":{\"B\":\"AAECAwQ=\"}}"), 1 + 5);
    assert_int_equal(size_of("{\"b\":{\"B\":\"AAECAwQF\"}}"), 1 + 6);
    assert_int_equal(size_of("{\"b\":{\"B\":\"\"}}"), 1);
    /* BOOL, NULL */
    assert_int_equal(size_of("{\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true}}"),
                     4);
    /* M and L: 3, plus 1 per element, plus elements (and names) */
    assert_int_equal(size_of("{\"m\":{\"M\":{}}}"), 1 + 3);
    assert_int_equal(
        size_of("{\"l\":{\"L\":[{\"S\":\"ab\"},{\"BOOL\":true}]}}"),
        1 + 3 + 2 + 2 + 1);
    assert_int_equal(size_of("{\"m\":{\"M\":{\"key\":{\"S\":\"v\"}}}}"),
                     1 + 3 + 1 + 3 + 1);
    /* sets: the sum of their members */
    assert_int_equal(size_of("{\"s\":{\"SS\":[\"ab\",\"c\"]},"
                             "\"n\":{\"NS\":[\"1\",\"123\"]},"
                             "\"b\":{\"BS\":[\"AA==\",\"AAA=\"]}}"),
                     (1 + 3) + (1 + 2 + 3) + (1 + 1 + 2));
    /* a body through the parser stays under the limit it is checked against */
    {
        struct err err = ERR_INIT;
        const char *body = "{\"id\":\"x\",\"price\":19.99}";
        json_t *item = attr_item_from_json_text(body, strlen(body), &err);

        assert_non_null(item);
        assert_int_equal(attr_item_size(item), 2 + 1 + 5 + 3);
        assert_true(attr_item_size(item) < ATTR_ITEM_MAX_BYTES);
        json_decref(item);
    }
}

/* Check the JSON text of one AttributeValue (or, item set, of an item) with
 * attr_typed_*; the result as compact JSON text (free() it), or NULL with
 * the error in last_err. */
static char *typed_check(const char *text, int item, unsigned flags)
{
    json_error_t jerr;
    json_t *in = json_loads(text, JSON_DECODE_ANY, &jerr), *out;
    char *s = NULL;

    assert_non_null(in);
    last_err = (struct err)ERR_INIT;
    out = item ? attr_typed_item(in, "Item", flags, &last_err)
               : attr_typed_value(in, 1, flags, &last_err);
    if (out) {
        s = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(out);
    } else {
        assert_int_not_equal(last_err.kind, ERR_NONE);
    }
    json_decref(in);
    return s;
}

static void expect_typed(const char *in, const char *want)
{
    char *got = typed_check(in, 0, 0);

    if (!got)
        fail_msg("%s: %s", in, last_err.msg);
    assert_string_equal(got, want);
    free(got);
}

static void expect_typed_error(const char *in, int item, unsigned flags,
                               enum err_kind kind, const char *msg)
{
    char *got = typed_check(in, item, flags);

    if (got)
        fail_msg("%s: accepted as %s", in, got);
    assert_int_equal(last_err.kind, kind);
    assert_string_equal(last_err.msg, msg);
}

static void typed_values_normalize(void **state)
{
    static const char *const cases[][2] = {
        {"{\"S\":\"\"}", "{\"S\":\"\"}"},
        {"{\"N\":\"1.50\"}", "{\"N\":\"1.5\"}"},
        {"{\"N\":\"-0e3\"}", "{\"N\":\"0\"}"},
        {"{\"B\":\"aGk=\"}", "{\"B\":\"aGk=\"}"},
        {"{\"B\":\"\"}", "{\"B\":\"\"}"},
        {"{\"BOOL\":false}", "{\"BOOL\":false}"},
        {"{\"NULL\":true}", "{\"NULL\":true}"},
        {"{\"NS\":[\"007\",\"1e1\"]}", "{\"NS\":[\"7\",\"10\"]}"},
        {"{\"SS\":[\"b\",\"a\"]}", "{\"SS\":[\"b\",\"a\"]}"},
        {"{\"L\":[{\"N\":\"2.0\"},{\"M\":{\"z\":{\"N\":\"+3\"},"
         "\"a\":{\"L\":[]}}}]}",
         "{\"L\":[{\"N\":\"2\"},{\"M\":{\"z\":{\"N\":\"3\"},"
         "\"a\":{\"L\":[]}}}]}"},
        /* an empty name inside an M is refused only on request */
        {"{\"M\":{\"\":{\"S\":\"x\"}}}", "{\"M\":{\"\":{\"S\":\"x\"}}}"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_typed(cases[i][0], cases[i][1]);
}

static void typed_value_errors(void **state)
{
#define INVALID "One or more parameter values were invalid: "
    static const struct {
        const char *in;
        unsigned flags;
        enum err_kind kind;
        const char *msg;
    } cases[] = {
        {"\"x\"", 0, ERR_SERIALIZATION, "Unexpected value type in payload"},
        {"{}", 0, ERR_BAD_REQUEST,
         "Supplied AttributeValue is empty, must contain exactly one of the "
         "supported datatypes"},
        {"{\"S\":\"a\",\"N\":\"1\"}", 0, ERR_BAD_REQUEST,
         "Supplied AttributeValue has more than one datatypes set, must "
         "contain exactly one of the supported datatypes"},
        {"{\"STRING\":\"a\"}", 0, ERR_SERIALIZATION,
         "Unknown AttributeValue type: STRING"},
        {"{\"N\":42}", 0, ERR_SERIALIZATION,
         "NUMBER_VALUE cannot be converted to String"},
        {"{\"S\":true}", 0, ERR_SERIALIZATION,
         "TRUE_VALUE cannot be converted to String"},
        {"{\"BOOL\":\"true\"}", 0, ERR_SERIALIZATION,
         "Unexpected value type in payload"},
        {"{\"M\":[]}", 0, ERR_SERIALIZATION,
         "Start of list found where not expected"},
        {"{\"L\":{}}", 0, ERR_SERIALIZATION,
         "Start of structure or map found where not expected"},
        {"{\"N\":\"abc\"}", 0, ERR_BAD_REQUEST,
         "The parameter cannot be converted to a numeric value: abc"},
        {"{\"B\":\"!!\"}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        /* strict, as DynamoDB: padding required, standard alphabet only,
         * no padding beyond the bytes, no stray bits */
        {"{\"B\":\"aGk\"}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        {"{\"B\":\"-_-_\"}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        {"{\"B\":\"AAAA====\"}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        {"{\"B\":\"====\"}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        {"{\"B\":\"AB==\"}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        {"{\"BS\":[\"aGk\"]}", 0, ERR_SERIALIZATION,
         "Base64 encoded value is invalid"},
        {"{\"NULL\":false}", 0, ERR_BAD_REQUEST,
         INVALID "Null attribute value types must have the value of true"},
        /* sic: DynamoDB's words, two spaces and all */
        {"{\"SS\":[]}", 0, ERR_BAD_REQUEST,
         INVALID "An string set  may not be empty"},
        {"{\"BS\":[]}", 0, ERR_BAD_REQUEST,
         INVALID "An binary set  may not be empty"},
        {"{\"SS\":[\"a\",1]}", 0, ERR_SERIALIZATION,
         "NUMBER_VALUE cannot be converted to String"},
        /* duplicates are judged after normalizing: 1 and 1.0 are one */
        {"{\"NS\":[\"1\",\"1.0\"]}", 0, ERR_BAD_REQUEST,
         INVALID "Input collection contains duplicates"},
        {"{\"M\":{\"\":{\"S\":\"x\"}}}", ATTR_TYPED_MAP_NAMES, ERR_BAD_REQUEST,
         INVALID "An AttributeName may not be empty"},
    };
#undef INVALID

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_typed_error(cases[i].in, 0, cases[i].flags, cases[i].kind,
                           cases[i].msg);
}

/* ATTR_MAX_DEPTH levels of M and L are fine, one more is not, and a scalar
 * innermost does not count. */
static void typed_value_nesting_limit(void **state)
{
    struct buf b;
    char *got;

    (void)state;
    for (int levels = ATTR_MAX_DEPTH; levels <= ATTR_MAX_DEPTH + 1; levels++) {
        buf_init(&b);
        for (int i = 0; i < levels; i++)
            buf_puts(&b, i % 2 ? "{\"M\":{\"k\":" : "{\"L\":[");
        buf_puts(&b, "{\"S\":\"x\"}");
        for (int i = levels - 1; i >= 0; i--)
            buf_puts(&b, i % 2 ? "}}" : "]}");
        got = typed_check(b.data, 0, 0);
        if (levels == ATTR_MAX_DEPTH) {
            assert_non_null(got);
        } else {
            assert_null(got);
            assert_string_equal(last_err.msg, "Nesting Levels have exceeded "
                                              "supported limits");
        }
        free(got);
        buf_fini(&b);
    }
}

/* Set members in one order: duplicates, equality in any order, lookups. */
static void set_order(void **state)
{
    json_t *a = json_pack("[s,s,s]", "b", "a", "c");
    json_t *b = json_pack("[s,s,s]", "c", "b", "a");
    json_t *c = json_pack("[s,s,s]", "c", "b", "d");
    json_t *d = json_pack("[s,s,s]", "x", "y", "x");
    json_t *nul = json_array();
    const json_t **sorted;
    size_t n;

    (void)state;
    json_array_append_new(nul, json_stringn("a\0b", 3));
    json_array_append_new(nul, json_stringn("a\0c", 3));
    json_array_append_new(nul, json_string("a"));
    assert_int_equal(attr_set_equal(a, b), 1);
    assert_int_equal(attr_set_equal(a, c), 0);
    assert_int_equal(attr_set_has_duplicates(a), 0);
    assert_int_equal(attr_set_has_duplicates(d), 1);
    /* a NUL is data: these three are different members */
    assert_int_equal(attr_set_has_duplicates(nul), 0);
    sorted = attr_set_sorted(a, &n);
    assert_int_equal(n, 3);
    assert_string_equal(json_string_value(sorted[0]), "a");
    assert_string_equal(json_string_value(sorted[2]), "c");
    assert_int_equal(attr_set_sorted_has(sorted, n, json_array_get(b, 0)), 1);
    assert_int_equal(attr_set_sorted_has(sorted, n, json_array_get(c, 2)), 0);
    free(sorted);
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(d);
    json_decref(nul);
}

static void typed_items(void **state)
{
    struct err err = ERR_INIT;
    char *got;

    (void)state;
    got = typed_check("{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"0.10\"}}", 1, 0);
    assert_non_null(got);
    assert_string_equal(got, "{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"0.1\"}}");
    free(got);

    assert_null(attr_typed_item(NULL, "Key", 0, &err));
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    assert_string_equal(err.msg, "1 validation error detected: Value null at "
                                 "'Key' failed to satisfy constraint: Member "
                                 "must not be null");
    expect_typed_error("[]", 1, 0, ERR_SERIALIZATION,
                       "Start of list found where not expected");
    expect_typed_error("{\"\":{\"S\":\"x\"}}", 1, 0, ERR_BAD_REQUEST,
                       "One or more parameter values were invalid: An "
                       "AttributeName may not be empty");
    expect_typed_error("{\"a\":{\"S\":\"x\"},\"b\":\"y\"}", 1, 0,
                       ERR_SERIALIZATION, "Unexpected value type in payload");
}

/* --- typed text straight to plain JSON --------------------------------- */

/* What a stored item's text gives through the tree: json_loadb, then
 * attr_write_plain_item (a new string), or NULL when jansson refuses it. */
static char *plain_by_tree(const char *text, size_t len)
{
    json_t *item = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
    struct buf b;

    if (!json_is_object(item)) {
        json_decref(item);
        return NULL;
    }
    buf_init(&b);
    attr_write_plain_item(&b, item);
    json_decref(item);
    return buf_steal(&b, NULL);
}

/* Transcode text after a prefix already in the buffer; the text reader must
 * agree with the tree byte for byte and leave the prefix alone. */
static void expect_same_plain(const char *text, size_t len)
{
    char *want = plain_by_tree(text, len);
    struct buf b;

    assert_non_null(want);
    buf_init(&b);
    buf_puts(&b, "prefix:");
    if (attr_typed_text_to_plain(&b, text, len) != 0)
        fail_msg("text reader refused %.*s", (int)len, text);
    assert_int_equal(attr_typed_text_check(text, len), 0);
    assert_int_equal(strncmp(b.data, "prefix:", 7), 0);
    assert_string_equal(b.data + 7, want);
    assert_int_equal(b.len, 7 + strlen(want));
    buf_fini(&b);
    free(want);
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t rng_state = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Random UTF-8 text: ASCII with every escape json_dumps writes, controls,
 * NUL (allow_nul), and 2-, 3- and 4-byte characters. A new jansson string. */
static json_t *random_string(int allow_nul)
{
    static const char *const pieces[] = {
        "a",
        "Z",
        "0",
        " ",
        "\"",
        "\\",
        "/",
        "\b",
        "\f",
        "\n",
        "\r",
        "\t",
        "\x01",
        "\x1f",
        "\x7f",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "\xef\xbf\xbf",
        "\xc2\x80",
        "{\"S\":",
        "true",
        "1e5",
    };
    char s[64];
    size_t n = 0, count = rnd(8);

    for (size_t i = 0; i < count; i++) {
        const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        size_t len = strlen(p);
        if (allow_nul && rnd(12) == 0) {
            p = "";
            len = 1; /* the NUL itself */
        }
        memcpy(s + n, p, len);
        n += len;
    }
    return json_stringn(s, n);
}

static json_t *random_number(void)
{
    static const char *const numbers[] = {
        "0",
        "1",
        "-1",
        "19.99",
        "0.1",
        "-0.000001",
        "123456789012345678901234567890123456789",
        "9.5E+3",
        "1e5",
        /* not JSON numbers: written as null */
        "",
        "abc",
        "1.",
        ".5",
        "01",
        "+1",
        "--1",
    };
    return json_string(numbers[rnd(sizeof numbers / sizeof numbers[0])]);
}

static json_t *random_value(int depth);

static json_t *random_map(int depth)
{
    json_t *m = json_object();
    size_t n = rnd(5);

    for (size_t i = 0; i < n; i++) {
        json_t *name = random_string(0);
        const char *k = json_string_value(name);
        /* json_object_setn_new: names may hold any UTF-8 */
        json_object_setn_new(m, k, json_string_length(name),
                             random_value(depth + 1));
        json_decref(name);
    }
    return m;
}

static json_t *random_value(int depth)
{
    static const char *const types[] = {"S", "N", "B",  "BOOL", "NULL",
                                        "M", "L", "SS", "NS",   "BS"};
    const char *type = types[rnd(depth > 6 ? 5 : 10)];
    json_t *v = json_object(), *p, *a;
    size_t n;

    switch (type[0] == 'N' && type[1] == 'S' ? 'n' : type[0]) {
    case 'S':
        if (type[1] == 'S') {
            a = json_array();
            for (n = 1 + rnd(4); n; n--)
                json_array_append_new(a, random_string(1));
            p = a;
        } else {
            p = random_string(1);
        }
        break;
    case 'N':
        p = type[1] == 'U' ? json_true() : random_number();
        break;
    case 'n':
        a = json_array();
        for (n = 1 + rnd(4); n; n--)
            json_array_append_new(a, random_number());
        p = a;
        break;
    case 'B':
        if (type[1] == 'O') {
            p = json_boolean(rnd(2));
        } else if (type[1] == 'S') {
            p = json_pack("[ss]", "AAEC", "/w==");
        } else {
            p = json_string("AAEC+/8=");
        }
        break;
    case 'M':
        p = random_map(depth);
        break;
    default: /* L */
        a = json_array();
        for (n = rnd(4); n; n--)
            json_array_append_new(a, random_value(depth + 1));
        p = a;
        break;
    }
    json_object_set_new(v, type, p);
    return v;
}

static void typed_text_matches_tree(void **state)
{
    static const char *const fixed[] = {
        "{}",
        "{\"id\":{\"S\":\"item-00042\"},\"name\":{\"S\":\"item 42\"},"
        "\"price\":{\"N\":\"19.99\"},\"qty\":{\"N\":\"42\"},"
        "\"tags\":{\"L\":[{\"S\":\"bench\"}]}}",
        "{\"a\":{\"S\":\"x\\\"y\\\\z\\/"
        "\\b\\f\\n\\r\\t\\u0001\\u001F\\u0000\"}}",
        "{\"\\u0041\\u007e\":{\"NULL\":true}}",
        "{\"q\\\"\\n\":{\"BOOL\":false},\"t\":{\"BOOL\":true}}",
        "{\"n\":{\"N\":\"1; drop\"},\"ns\":{\"NS\":[\"1\",\"x\",\"-0.5\"]}}",
        "{\"m\":{\"M\":{\"k\":{\"L\":[{\"N\":\"1\"},{\"M\":{}},{\"L\":[]}]}}}}",
        "{\"ss\":{\"SS\":[\"a\",\"\\u0000\"]},\"bs\":{\"BS\":[\"AA==\"]}}",
        "{\"u\":{\"S\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"}}",
        " { \"a\" : { \"L\" : [ { \"S\" : \"x\" } , { \"N\" : \"2\" } ] } } ",
    };
    (void)state;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        expect_same_plain(fixed[i], strlen(fixed[i]));
    /* items as the store writes them: json_dumps(item, JSON_COMPACT) */
    for (int i = 0; i < 3000; i++) {
        json_t *item = random_map(0);
        size_t len = json_dumpb(item, NULL, 0, JSON_COMPACT);
        char *text = malloc(len);

        assert_non_null(text);
        assert_int_equal(json_dumpb(item, text, len, JSON_COMPACT), len);
        expect_same_plain(text, len);
        free(text);
        json_decref(item);
    }
}

/* Anything but a well-formed typed item is refused, the buffer untouched,
 * so that the caller can take the tree path; nothing crashes. */
static void typed_text_refuses_the_unexpected(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "null",
        "{",
        "{\"a\":{\"S\":\"x\"}",
        "{\"a\":{\"S\":\"x\"}}x",
        "{\"a\":{\"S\":\"x\"},}",
        "{\"a\":{\"S\":\"x\",\"N\":\"1\"}}",
        "{\"a\":{}}",
        "{\"a\":{\"X\":\"1\"}}",
        "{\"a\":{\"S\":1}}",
        "{\"a\":{\"N\":1}}",
        "{\"a\":{\"BOOL\":\"x\"}}",
        "{\"a\":{\"NULL\":false}}",
        "{\"a\":{\"M\":[]}}",
        "{\"a\":{\"L\":{}}}",
        "{\"a\":{\"SS\":[1]}}",
        "{\"a\":{\"S\":\"tab\there\"}}",
        "{\"a\":{\"S\":\"\xc0\x80\"}}",
        "{\"a\":{\"S\":\"\xed\xa0\x80\"}}",
        "{\"a\":{\"S\":\"\xf5\x80\x80\x80\"}}",
        "{\"a\":{\"S\":\"\xe2\x82\"}}",
        "{\"a\":{\"S\":\"\\u00e9\"}}",
        "{\"a\":{\"S\":\"\\ud83d\\ude00\"}}",
        "{\"a\":{\"S\":\"\\x\"}}",
        "{\"a\":{\"S\":\"\\u12\"}}",
        "{\"a\\u0000\":{\"S\":\"x\"}}",
        "{\"a\":{\"N\":\"\\u0031\"}}",
        "{\"a\":{\"S\":\"x",
        "{\"a\":{\"BOOL\":tru}}",
    };
    struct buf b;
    char deep[4096];
    size_t n = 0;

    (void)state;
    buf_init(&b);
    buf_puts(&b, "kept");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (attr_typed_text_to_plain(&b, bad[i], strlen(bad[i])) != -1)
            fail_msg("text reader took %s", bad[i]);
        assert_int_equal(attr_typed_text_check(bad[i], strlen(bad[i])), -1);
        assert_int_equal(b.len, 4);
        assert_string_equal(b.data, "kept");
    }
    assert_int_equal(attr_typed_text_to_plain(&b, NULL, 0), -1);
    /* nesting far past any stored item's */
    n += (size_t)snprintf(deep, sizeof deep, "{\"a\":");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"L\":[");
    assert_int_equal(attr_typed_text_to_plain(&b, deep, n), -1);
    assert_string_equal(b.data, "kept");
    buf_fini(&b);
}

static json_t *jl(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    if (!j)
        fail_msg("bad JSON in test: %s", text);
    return j;
}

static void type_of_typed_values(void **state)
{
    const json_t *p = (const json_t *)1;
    json_t *v = jl("{\"NS\": [\"1\"]}");

    (void)state;
    assert_string_equal(attr_type(v, &p), "NS");
    assert_ptr_equal(p, json_object_get(v, "NS"));
    json_decref(v);
    v = jl("{\"X\": 1}");
    assert_string_equal(attr_type(v, &p), "");
    assert_null(p);
    json_decref(v);
    v = jl("{\"S\": \"a\", \"N\": \"1\"}");
    assert_string_equal(attr_type(v, NULL), "");
    json_decref(v);
    assert_string_equal(attr_type(NULL, NULL), "");
}

static void value_equality(void **state)
{
    static const struct {
        const char *a, *b;
        int equal;
    } cases[] = {
        {"{\"N\": \"1\"}", "{\"N\": \"1\"}", 1},
        {"{\"S\": \"a\"}", "{\"S\": \"a\"}", 1},
        {"{\"B\": \"AAE=\"}", "{\"B\": \"AAE=\"}", 1},
        {"{\"SS\": [\"a\", \"b\"]}", "{\"SS\": [\"b\", \"a\"]}", 1},
        {"{\"L\": [{\"N\": \"1\"}, {\"NULL\": true}]}",
         "{\"L\": [{\"N\": \"1\"}, {\"NULL\": true}]}", 1},
        {"{\"M\": {\"x\": {\"BOOL\": true}, \"y\": {\"S\": \"\"}}}",
         "{\"M\": {\"y\": {\"S\": \"\"}, \"x\": {\"BOOL\": true}}}", 1},
        {"{\"N\": \"1\"}", "{\"S\": \"1\"}", 0},
        {"{\"S\": \"a\"}", "{\"S\": \"ab\"}", 0},
        {"{\"BOOL\": true}", "{\"BOOL\": false}", 0},
        {"{\"L\": [{\"N\": \"1\"}]}", "{\"L\": [{\"N\": \"2\"}]}", 0},
        {"{\"M\": {\"x\": {\"N\": \"1\"}}}", "{\"M\": {\"y\": {\"N\": \"1\"}}}",
         0},
        {"{\"X\": 1}", "{\"X\": 1}", 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *a = jl(cases[i].a), *b = jl(cases[i].b);
        if (attr_value_equal(a, b) != cases[i].equal)
            fail_msg("attr_value_equal(%s, %s) is not %d", cases[i].a,
                     cases[i].b, cases[i].equal);
        json_decref(a);
        json_decref(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_of_typed_values),
        cmocka_unit_test(value_equality),
        cmocka_unit_test(number_canonical_forms),
        cmocka_unit_test(number_range_limits),
        cmocka_unit_test(number_significant_digits),
        cmocka_unit_test(number_malformed),
        cmocka_unit_test(body_keeps_exact_numbers),
        cmocka_unit_test(body_typed_shape),
        cmocka_unit_test(body_numbers_in_strings_and_keys_stay_in_step),
        cmocka_unit_test(body_keeps_key_order),
        cmocka_unit_test(body_errors),
        cmocka_unit_test(body_keeps_nul),
        cmocka_unit_test(body_nesting_limit),
        cmocka_unit_test(plain_values_convert),
        cmocka_unit_test(write_plain_types),
        cmocka_unit_test(typed_text_matches_tree),
        cmocka_unit_test(typed_text_refuses_the_unexpected),
        cmocka_unit_test(item_size_rules),
        cmocka_unit_test(typed_values_normalize),
        cmocka_unit_test(typed_value_errors),
        cmocka_unit_test(typed_value_nesting_limit),
        cmocka_unit_test(typed_items),
        cmocka_unit_test(set_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
