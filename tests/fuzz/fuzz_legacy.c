/*
 * fuzz_legacy — DynamoDB's legacy parameters (ddb_legacy.c) rewritten into
 * expressions: a request object (any bytes after the first) for the
 * operation the first byte picks (modulo the seven that have them).
 *
 * Properties: nothing crashes or leaks; a refusal is ERR_BAD_REQUEST or
 * ERR_SERIALIZATION with a message; a rewritten request holds no legacy
 * member, and when the client sent no expression of its own, every
 * expression written parses without a syntax error (the generated text is
 * always well-formed: names and values are placeholders) and uses each
 * generated name and value.
 */
#include "ddb_impl.h"
#include "err.h"
#include "expr.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the operations and the legacy members each has */
static const struct {
    const char *name, *legacy;
} ops[] = {
    {"PutItem", " Expected ConditionalOperator "},
    {"DeleteItem", " Expected ConditionalOperator "},
    {"UpdateItem", " Expected ConditionalOperator AttributeUpdates "},
    {"GetItem", " AttributesToGet "},
    {"BatchGetItem", ""},
    {"Query", " AttributesToGet KeyConditions QueryFilter "
              "ConditionalOperator "},
    {"Scan", " AttributesToGet ScanFilter ConditionalOperator "},
};

static const struct {
    const char *member;
    enum expr_kind kind;
} exprs[] = {
    {"ConditionExpression", EXPR_CONDITION},
    {"UpdateExpression", EXPR_UPDATE},
    {"ProjectionExpression", EXPR_PROJECTION},
    {"KeyConditionExpression", EXPR_KEY_CONDITION},
    {"FilterExpression", EXPR_FILTER},
};

static const char *const legacy[] = {"Expected",         "ConditionalOperator",
                                     "AttributeUpdates", "AttributesToGet",
                                     "KeyConditions",    "QueryFilter",
                                     "ScanFilter"};

static int has_expression(const json_t *in)
{
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        if (json_object_get(in, exprs[i].member))
            return 1;
    return json_object_get(in, "ExpressionAttributeNames") ||
           json_object_get(in, "ExpressionAttributeValues");
}

/* One rewritten request object: no legacy member left; its expressions
 * parse (when they are all ours) and use every placeholder. */
static void check(const char *mine, json_t *in, int ours)
{
    struct expr_usage usage;
    struct err err = ERR_INIT;
    struct expr *e;
    char word[40];

    for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
        snprintf(word, sizeof word, " %s ", legacy[i]);
        if (strstr(mine, word) && json_object_get(in, legacy[i])) {
            fprintf(stderr, "%s left after the rewrite\n", legacy[i]);
            abort();
        }
    }
    if (!ours)
        return;
    expr_usage_init(&usage);
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        e = NULL;
        if (ddb_expr(in, exprs[i].member, exprs[i].kind, &usage, &e, &err) <
            0) {
            char syntax[80];
            snprintf(syntax, sizeof syntax, "Invalid %s: Syntax error",
                     exprs[i].member);
            if (!strncmp(err.msg, syntax, strlen(syntax))) {
                fprintf(stderr, "generated %s: %s\n", exprs[i].member, err.msg);
                abort();
            }
            expr_usage_fini(&usage);
            return; /* a value the client gave can be refused */
        }
        expr_free(e);
    }
    if (ddb_expr_done(in, &usage, &err) < 0 &&
        !strncmp(err.msg, "Value provided in", 17)) {
        fprintf(stderr, "a generated placeholder is unused: %s\n", err.msg);
        abort();
    }
    expr_usage_fini(&usage);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = ERR_INIT;
    json_error_t jerr;
    json_t *in;
    size_t op;
    int ours;

    if (size < 1)
        return 0;
    op = data[0] % (sizeof ops / sizeof ops[0]);
    in = json_loadb((const char *)data + 1, size - 1, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    ours = !has_expression(in);
    if (ddb_legacy(ops[op].name, in, &err) < 0) {
        if ((err.kind != ERR_BAD_REQUEST && err.kind != ERR_SERIALIZATION) ||
            !err.msg[0])
            abort();
    } else {
        check(ops[op].legacy, in, ours);
    }
    json_decref(in);
    return 0;
}
