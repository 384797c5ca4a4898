/*
 * Unit tests for ddb's strict GetItem reader (src/ddb_request.c): on every
 * text it accepts it gives the object json_loadb gives, member order
 * included; every text outside its shape it declines (NULL), for the
 * general parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/ddb_impl.h"

static void same_as_jansson(void **state)
{
    static const char *const texts[] = {
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"Key\":{\"pk\":{\"S\":\"v\"}},\"TableName\":\"T\"}",
        "{\"TableName\":\"ItemsTable\",\"Key\":{\"id\":{\"S\":\"item-00042\"}}"
        "}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":"
        "\"1.50\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"sk\":{\"B\":\"AAE=\"},\"pk\":{\"N\":"
        "\"-7\"}},\"ConsistentRead\":true}",
        "{\"ConsistentRead\":false,\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":"
        "\"v\"}},\"ReturnConsumedCapacity\":\"TOTAL\"}",
        "{\"ReturnConsumedCapacity\":\"INDEXES\",\"Key\":{\"pk\":{\"S\":\"\"}},"
        "\"TableName\":\"T\"}",
        /* the checks that follow are GetItem's, not the reader's */
        "{\"TableName\":\"\",\"Key\":{\"\":{\"N\":\"x\"}}}",
        "{\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\"}",
        "{\"TableName\":\"T\",\"ReturnConsumedCapacity\":\"BOGUS\"}",
        "{\"TableName\":\"a b~!@#$%^&*()\",\"Key\":{\"p "
        "k\":{\"S\":\"{}:,[]\"}}}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        json_t *fast = ddb_read_get_item(texts[i], len);
        json_t *ref = json_loadb(texts[i], len, 0, NULL);

        assert_non_null(fast);
        assert_non_null(ref);
        assert_true(json_equal(fast, ref));
        char *a = json_dumps(fast, JSON_COMPACT);
        char *b = json_dumps(ref, JSON_COMPACT);
        assert_string_equal(a, b); /* and the same member order */
        assert_string_equal(a, texts[i]);
        free(a);
        free(b);
        json_decref(fast);
        json_decref(ref);
    }
}

static void declines_the_unusual(void **state)
{
    static const char *const texts[] = {
        "",
        "{}",
        "[]",
        "\"T\"",
        " {\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}} ",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}}\n",
        "{\"TableName\": \"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\", \"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}}x",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v",
        /* escapes, control characters, non-ASCII */
        "{\"TableName\":\"T\\u0041\",\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"a\\\"b\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"p\\/k\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"a\tb\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"caf\xc3\xa9\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"\xff\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"a\x7f\"}}}",
        /* other members, types and shapes */
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"ProjectionExpression\":\"a\"}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"AttributesToGet\":[\"a\"]}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},\"X\":1}",
        "{\"TableName\":1,\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":null,\"Key\":{\"pk\":{\"S\":\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{}}",
        "{\"TableName\":\"T\",\"Key\":[]}",
        "{\"TableName\":\"T\",\"Key\":\"pk\"}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"N\":1}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"BOOL\":true}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"SS\":[\"a\"]}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"X\":\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\",\"N\":\"1\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"a\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"},"
        "\"c\":{\"S\":\"3\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"ConsistentRead\":1}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"ConsistentRead\":\"true\"}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"ConsistentRead\":tru}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"ReturnConsumedCapacity\":true}",
        /* a member twice, at the top or in Key */
        "{\"TableName\":\"T\",\"TableName\":\"U\",\"Key\":{\"pk\":{\"S\":"
        "\"v\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"},\"pk\":{\"S\":"
        "\"w\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},\"Key\":{\"pk\":"
        "{\"S\":\"w\"}}}",
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}},"
        "\"ConsistentRead\":true,\"ReturnConsumedCapacity\":\"NONE\","
        "\"ConsistentRead\":true}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_null(ddb_read_get_item(texts[i], strlen(texts[i])));
    assert_null(ddb_read_get_item(NULL, 0));
    /* a NUL inside the body is not the end of it */
    static const char nul[] =
        "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\0\"}}}";
    assert_null(ddb_read_get_item(nul, sizeof nul - 1));
    /* nor does the reader read past len */
    const char *t = "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"v\"}}}";
    for (size_t n = 0; n < strlen(t); n++) {
        char *part = malloc(n ? n : 1); /* ASan sees a read past it */
        memcpy(part, t, n);
        assert_null(ddb_read_get_item(part, n));
        free(part);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_jansson),
        cmocka_unit_test(declines_the_unusual),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
