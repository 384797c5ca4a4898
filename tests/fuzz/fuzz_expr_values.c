/*
 * fuzz_expr_values — expressions with the client's ExpressionAttributeValues
 * and a stored item, not only the expression text (issue 12: an unchecked
 * {"S": 5} crashed attribute_type(), {"N": 5} the writer's arithmetic).
 *
 * Input: four parts split at the first three '\n':
 *   <kind digit>\n<expression text>\n<values JSON>\n<item JSON>
 * kind as in fuzz_expr (0 condition, 1 filter, 2 key condition, 3 update,
 * 4 projection, modulo 5). The values JSON (any JSON, U+0000 allowed) is
 * the request's ExpressionAttributeValues as it arrives; the item JSON is
 * a stored item, used twice: as this build would store it (checked by
 * ddb_item) and as it is (an item an older build may have stored
 * malformed). Missing parts are empty.
 *
 * Properties: nothing crashes or leaks, whatever the values and the stored
 * item; a refused expression is ERR_BAD_REQUEST or ERR_SERIALIZATION with a
 * message; a parsed condition evaluates; an update applied to a checked
 * item (or to none) gives an item the wire checks accept unchanged, so no
 * expression value can make crudd store what PutItem refuses.
 */
#include "attr.h"
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

static json_t *names;

/* The next part of [*p, end) up to a '\n' (or the end); *p moves past it. */
static void part(const char **p, const char *end, const char **s, size_t *n)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));

    *s = *p;
    *n = (size_t)((nl ? nl : end) - *p);
    *p = nl ? nl + 1 : end;
}

static void check_stored(const json_t *item)
{
    struct err err = ERR_INIT;
    json_t *checked = ddb_item(item, "Item", &err);

    if (!checked || !json_equal(checked, item)) {
        char *text = json_dumps(item, JSON_COMPACT);
        fprintf(stderr, "an update stored an item the wire %s: %s (%s)\n",
                checked ? "normalizes" : "refuses", text,
                checked ? "" : err.msg);
        free(text);
        abort();
    }
    json_decref(checked);
}

/* Evaluate e against item as its kind would be; strict: item is one this
 * build stores, so an update's result must be one too. */
static void evaluate(const struct expr *e, const json_t *item, int strict)
{
    struct err err = ERR_INIT;
    struct expr_key_range kr;
    json_t *old = NULL, *new = NULL, *out, *p;
    int result;

    switch (expr_kind(e)) {
    case EXPR_CONDITION:
    case EXPR_FILTER:
    case EXPR_KEY_CONDITION:
        if (expr_eval_condition(e, item, &result, &err) < 0)
            abort(); /* a parsed condition always evaluates */
        assert(result == 0 || result == 1);
        if (expr_kind(e) == EXPR_KEY_CONDITION) {
            (void)expr_key_condition(e, "id", "S", "sk", "N", &kr, &err);
            (void)expr_key_condition(e, "id", "B", NULL, NULL, &kr, &err);
        }
        break;
    case EXPR_UPDATE:
        out = expr_apply_update(e, item, &old, &new, &err);
        if (!out) {
            assert((err.kind == ERR_BAD_REQUEST ||
                    err.kind == ERR_SERIALIZATION) &&
                   err.msg[0]);
            assert(!old && !new);
            break;
        }
        /* DynamoDB refuses a result over its limits; the store does too */
        if (strict && attr_item_size(out) <= ATTR_ITEM_MAX_BYTES)
            check_stored(out);
        json_decref(out);
        json_decref(old);
        json_decref(new);
        break;
    case EXPR_PROJECTION:
        p = expr_project(e, item);
        assert(item ? json_is_object(p) : !p);
        json_decref(p);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size, *s;
    struct err err = ERR_INIT;
    struct expr_usage usage;
    json_t *values, *raw, *item;
    struct expr *e;
    enum expr_kind kind;
    size_t n;

    if (!names) {
        names =
            json_pack("{s:s, s:s, s:s}", "#a", "a", "#id", "id", "#sk", "sk");
        json_object_set_new(names, "#nul", json_stringn("n\0l", 3));
    }
    if (size == 0)
        return 0;
    kind = (enum expr_kind)((uint8_t)(data[0] - '0') % 5);
    part(&p, end, &s, &n); /* the kind line */
    part(&p, end, &s, &n);
    const char *text = s;
    size_t text_len = n;
    part(&p, end, &s, &n);
    values = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    part(&p, end, &s, &n);
    raw = json_loadb(s, (size_t)(end - s), JSON_DECODE_ANY | JSON_ALLOW_NUL,
                     NULL);
    item = json_is_object(raw) ? ddb_item(raw, "Item", &err) : NULL;

    expr_usage_init(&usage);
    e = expr_parse(kind, text, text_len, names,
                   json_is_object(values) ? values : NULL, &usage, &err);
    if (!e) {
        assert((err.kind == ERR_BAD_REQUEST || err.kind == ERR_SERIALIZATION) &&
               err.msg[0]);
    } else {
        assert(expr_kind(e) == kind);
        (void)expr_usage_check(&usage, names, values, &err);
        evaluate(e, NULL, 1);
        if (item)
            evaluate(e, item, 1);
        if (json_is_object(raw))
            evaluate(e, raw, 0);
    }
    expr_free(e);
    expr_usage_fini(&usage);
    json_decref(item);
    json_decref(raw);
    json_decref(values);
    return 0;
}
