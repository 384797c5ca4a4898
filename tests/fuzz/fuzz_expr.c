/*
 * fuzz_expr — the expression parser and evaluator.
 *
 * Input: a kind line, then the expression text ("<k>\n<text>"); the kind is
 * the first byte of the line minus '0', modulo 5: 0 condition, 1 filter,
 * 2 key condition, 3 update, 4 projection. Without a '\n' the whole input
 * is parsed as every kind. Names and values are a fixed
 * ExpressionAttributeNames / Values pair.
 *
 * Properties: nothing crashes or leaks; a refusal is ERR_BAD_REQUEST with a
 * message; what parses is evaluated as its kind would be in a request
 * (conditions against fixed items and no item, key conditions against two
 * key schemas, updates applied to an item and to no item and then again,
 * projections), and an update's result is an item DynamoDB's wire checks
 * accept unchanged (ddb_item).
 */
#include "ddb_impl.h"
#include "err.h"
#include "expr.h"

#include <assert.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *names, *values, *items[3];

static json_t *load(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j) {
        fprintf(stderr, "fuzz_expr fixture: %s: %s\n", jerr.text, text);
        abort();
    }
    return j;
}

static void fixtures(void)
{
    names = load("{\"#a\": \"a\", \"#id\": \"id\", \"#sk\": \"sk\", "
                 "\"#m\": \"map\", \"#l\": \"list\", \"#s\": \"size\", "
                 "\"#dot\": \"a.b\", \"#e\": \"\", \"#n\": \"n\"}");
    values = load(
        "{\":s\": {\"S\": \"abc\"}, \":e\": {\"S\": \"\"}, "
        "\":n\": {\"N\": \"1.5\"}, \":z\": {\"N\": \"0\"}, "
        "\":neg\": {\"N\": \"-12e-3\"}, "
        "\":big\": {\"N\": \"99999999999999999999999999999999999999\"}, "
        "\":huge\": {\"N\": \"9.9999999999999999999999999999999999999E+125\"},"
        " \":tiny\": {\"N\": \"1E-130\"}, \":b\": {\"B\": \"AAEC\"}, "
        "\":t\": {\"BOOL\": true}, \":f\": {\"BOOL\": false}, "
        "\":null\": {\"NULL\": true}, "
        "\":l\": {\"L\": [{\"N\": \"1\"}, {\"S\": \"x\"}]}, "
        "\":el\": {\"L\": []}, "
        "\":m\": {\"M\": {\"k\": {\"S\": \"v\"}, \"l\": {\"L\": []}}}, "
        "\":ss\": {\"SS\": [\"a\", \"b\"]}, \":ns\": {\"NS\": [\"1\", "
        "\"2.5\"]}, \":bs\": {\"BS\": [\"AA==\", \"AQ==\"]}, "
        "\":ty\": {\"S\": \"N\"}}");
    items[0] = load(
        "{\"id\": {\"S\": \"abc\"}, \"sk\": {\"N\": \"7\"}, "
        "\"a\": {\"N\": \"1.5\"}, \"n\": {\"N\": \"-3\"}, "
        "\"s\": {\"S\": \"abcdef\"}, \"b\": {\"B\": \"AAECAw==\"}, "
        "\"t\": {\"BOOL\": true}, \"z\": {\"NULL\": true}, "
        "\"list\": {\"L\": [{\"N\": \"1\"}, {\"M\": {\"x\": {\"S\": \"y\"}}}, "
        "{\"L\": [{\"S\": \"deep\"}]}]}, "
        "\"map\": {\"M\": {\"k\": {\"S\": \"v\"}, \"n\": {\"N\": \"2\"}, "
        "\"m\": {\"M\": {\"l\": {\"L\": []}}}}}, "
        "\"ss\": {\"SS\": [\"a\", \"c\"]}, \"ns\": {\"NS\": [\"1\", \"3\"]}, "
        "\"bs\": {\"BS\": [\"AA==\"]}, \"a.b\": {\"S\": \"dotted\"}, "
        "\"size\": {\"N\": \"3\"}}");
    /* the same names with other types, so type checks fail the other way */
    items[1] =
        load("{\"id\": {\"N\": \"1\"}, \"sk\": {\"S\": \"7\"}, "
             "\"a\": {\"S\": \"1.5\"}, \"n\": {\"L\": []}, \"s\": {\"NS\": "
             "[\"5\"]}, \"list\": {\"M\": {}}, \"map\": {\"L\": [{\"NULL\": "
             "true}]}, \"ss\": {\"S\": \"a\"}, \"ns\": {\"N\": \"3\"}}");
    items[2] = NULL; /* no item */
}

/* An update's result must be an item the wire checks accept as it is. */
static void check_item(const json_t *item)
{
    struct err err = ERR_INIT;
    json_t *checked = ddb_item(item, "Item", &err);

    if (!checked || !json_equal(checked, item)) {
        char *text = json_dumps(item, JSON_COMPACT);
        fprintf(stderr, "update produced an item the wire %s: %s (%s)\n",
                checked ? "normalizes" : "refuses", text,
                checked ? "" : err.msg);
        free(text);
        abort();
    }
    json_decref(checked);
}

static void run_update(const struct expr *e, const json_t *item)
{
    struct err err = ERR_INIT;
    json_t *old = NULL, *new = NULL, *out, *out2;

    out = expr_apply_update(e, item, &old, &new, &err);
    if (!out) {
        assert(err.kind == ERR_BAD_REQUEST && err.msg[0]);
        assert(!old && !new);
        return;
    }
    assert(json_is_object(out) && json_is_object(old) && json_is_object(new));
    check_item(out);
    /* again, on its own result, without the ReturnValues */
    out2 = expr_apply_update(e, out, NULL, NULL, &err);
    if (out2)
        check_item(out2);
    json_decref(out2);
    json_decref(out);
    json_decref(old);
    json_decref(new);
}

static void run(enum expr_kind kind, const char *text, size_t len)
{
    struct err err = ERR_INIT;
    struct expr_usage usage;
    struct expr_key_range kr;
    struct expr *e;
    int result;

    expr_usage_init(&usage);
    e = expr_parse(kind, text, len, names, values, &usage, &err);
    if (!e) {
        assert(err.kind == ERR_BAD_REQUEST && err.msg[0]);
        goto out;
    }
    assert(expr_kind(e) == kind);
    (void)expr_usage_check(&usage, names, values, &err);
    for (int i = 0; i < 3; i++) {
        switch (kind) {
        case EXPR_CONDITION:
        case EXPR_FILTER:
        case EXPR_KEY_CONDITION:
            if (expr_eval_condition(e, items[i], &result, &err) < 0)
                abort(); /* a parsed condition always evaluates */
            assert(result == 0 || result == 1);
            break;
        case EXPR_UPDATE:
            run_update(e, items[i]);
            break;
        case EXPR_PROJECTION: {
            json_t *p = expr_project(e, items[i]);
            assert(items[i] ? json_is_object(p) : !p);
            json_decref(p);
            break;
        }
        }
    }
    if (kind == EXPR_KEY_CONDITION) {
        (void)expr_key_condition(e, "id", "S", "sk", "N", &kr, &err);
        (void)expr_key_condition(e, "id", "S", NULL, NULL, &kr, &err);
        (void)expr_key_condition(e, "a", NULL, "id", NULL, &kr, &err);
    }
out:
    expr_free(e);
    expr_usage_fini(&usage);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const uint8_t *nl = memchr(data, '\n', size);

    if (!names)
        fixtures();
    if (!nl) {
        for (int k = EXPR_CONDITION; k <= EXPR_PROJECTION; k++)
            run((enum expr_kind)k, text, size);
        return 0;
    }
    size_t skip = (size_t)(nl - data) + 1;
    enum expr_kind kind = nl == data
                              ? EXPR_CONDITION
                              : (enum expr_kind)((uint8_t)(data[0] - '0') % 5);
    run(kind, text + skip, size - skip);
    return 0;
}
