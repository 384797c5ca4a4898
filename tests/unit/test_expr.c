/*
 * Unit tests for expr: every block of every .txt file in tests/golden/expr is
 * one case (see tests/golden/expr/README), plus the limits that are
 * impractical to write out by hand (4 KB, 300 operators, 32 levels, 100 IN
 * operands). Run from the repo root, as `make unit` does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "buf.h"
#include "err.h"
#include "expr.h"

#define GOLDEN_DIR "tests/golden/expr"

/* One block of a golden file: "field: value" lines, by field. */
struct block {
    const char *file;
    int line;
    char *kind, *text, *names, *values, *item, *schema, *expect, *error;
    char *updated_old, *updated_new;
};

static void block_clear(struct block *b)
{
    free(b->kind);
    free(b->text);
    free(b->names);
    free(b->values);
    free(b->item);
    free(b->schema);
    free(b->expect);
    free(b->error);
    free(b->updated_old);
    free(b->updated_new);
    memset(b, 0, sizeof *b);
}

static json_t *load(const char *text, const char *what, const struct block *b)
{
    json_error_t jerr;
    json_t *j;

    if (!text)
        return NULL;
    j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!j)
        fprintf(stderr, "%s:%d: bad %s JSON: %s\n", b->file, b->line, what,
                jerr.text);
    return j;
}

static enum expr_kind kind_of(const char *k)
{
    if (!strcmp(k, "update"))
        return EXPR_UPDATE;
    if (!strcmp(k, "projection"))
        return EXPR_PROJECTION;
    if (!strcmp(k, "key"))
        return EXPR_KEY_CONDITION;
    if (!strcmp(k, "filter"))
        return EXPR_FILTER;
    return EXPR_CONDITION;
}

static const char *key_op_text(enum expr_key_op op)
{
    switch (op) {
    case EXPR_KEY_EQ:
        return "=";
    case EXPR_KEY_LT:
        return "<";
    case EXPR_KEY_LE:
        return "<=";
    case EXPR_KEY_GT:
        return ">";
    case EXPR_KEY_GE:
        return ">=";
    case EXPR_KEY_BETWEEN:
        return "BETWEEN";
    case EXPR_KEY_BEGINS_WITH:
        return "begins_with";
    case EXPR_KEY_NONE:
        break;
    }
    return "";
}

/* "pk S [sk N]" */
static json_t *key_result(const struct expr *e, const char *schema,
                          struct err *err)
{
    char pk[64] = "id", pt[8] = "", sk[64] = "", st[8] = "";
    struct expr_key_range r;
    json_t *out, *sv;

    if (schema)
        sscanf(schema, "%63s %7s %63s %7s", pk, pt, sk, st);
    if (expr_key_condition(e, pk, *pt ? pt : NULL, *sk ? sk : NULL,
                           *st ? st : NULL, &r, err) < 0)
        return NULL;
    out = json_object();
    json_object_set(out, "pk", (json_t *)(uintptr_t)r.pk_value);
    if (r.sk_op != EXPR_KEY_NONE) {
        json_object_set_new(out, "op", json_string(key_op_text(r.sk_op)));
        sv = json_array();
        json_array_append(sv, (json_t *)(uintptr_t)r.sk_value[0]);
        if (r.sk_value[1])
            json_array_append(sv, (json_t *)(uintptr_t)r.sk_value[1]);
        json_object_set_new(out, "sk", sv);
    }
    return out;
}

static int same_json(json_t *got, const char *want, const char *what,
                     const struct block *b)
{
    json_t *w = load(want, what, b);
    char *g;
    int ok = w && got && json_equal(got, w);

    if (!ok) {
        g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        fprintf(stderr, "%s:%d: %s: got %s, want %s\n", b->file, b->line, what,
                g ? g : "(null)", want);
        free(g);
    }
    json_decref(w);
    return ok;
}

/* Run one block; 1 when it passes (a failure is reported on stderr). */
static int run_block(const struct block *b)
{
    struct expr_usage usage;
    struct err err = ERR_INIT;
    json_t *names = load(b->names, "names", b);
    json_t *values = load(b->values, "values", b);
    json_t *item = load(b->item, "item", b);
    json_t *got = NULL, *uold = NULL, *unew = NULL;
    struct expr *e;
    const char *text = b->text ? b->text : "";
    int ok = 0, failed = 0, result;

    expr_usage_init(&usage);
    e = expr_parse(kind_of(b->kind), text, strlen(text), names, values, &usage,
                   &err);
    if (!e || expr_usage_check(&usage, names, values, &err) < 0) {
        failed = 1;
    } else if (!strcmp(b->kind, "condition") || !strcmp(b->kind, "filter")) {
        if (expr_eval_condition(e, item, &result, &err) < 0)
            failed = 1;
        else
            got = json_string(result ? "true" : "false");
    } else if (!strcmp(b->kind, "key")) {
        got = key_result(e, b->schema, &err);
        failed = !got;
    } else if (!strcmp(b->kind, "update")) {
        got = expr_apply_update(e, item, &uold, &unew, &err);
        failed = !got;
    } else {
        got = expr_project(e, item);
    }

    if (b->error) {
        if (!failed)
            fprintf(stderr, "%s:%d: expected error \"%s\", got success\n",
                    b->file, b->line, b->error);
        else if (strncmp(err.msg, b->error, strlen(b->error)) != 0)
            fprintf(stderr, "%s:%d: error \"%s\", want prefix \"%s\"\n",
                    b->file, b->line, err.msg, b->error);
        else
            ok = 1;
    } else if (failed) {
        fprintf(stderr, "%s:%d: unexpected error \"%s\"\n", b->file, b->line,
                err.msg);
    } else if (!b->expect) {
        fprintf(stderr, "%s:%d: block has no expect: or error:\n", b->file,
                b->line);
    } else if (!strcmp(b->expect, "true") || !strcmp(b->expect, "false")) {
        ok = json_is_string(got) && !strcmp(json_string_value(got), b->expect);
        if (!ok)
            fprintf(stderr, "%s:%d: got %s, want %s\n", b->file, b->line,
                    json_string_value(got), b->expect);
    } else {
        ok = same_json(got, b->expect, "result", b);
        if (ok && b->updated_old)
            ok = same_json(uold, b->updated_old, "updated_old", b);
        if (ok && b->updated_new)
            ok = same_json(unew, b->updated_new, "updated_new", b);
    }
    json_decref(got);
    json_decref(uold);
    json_decref(unew);
    expr_free(e);
    expr_usage_fini(&usage);
    json_decref(names);
    json_decref(values);
    json_decref(item);
    return ok;
}

static char **field(struct block *b, const char *name)
{
    static const char *const kinds[] = {"condition", "filter", "key", "update",
                                        "projection"};

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!strcmp(name, kinds[i])) {
            if (!b->kind)
                b->kind = strdup(name);
            return &b->text;
        }
    }
#define F(f)                                                                   \
    if (!strcmp(name, #f))                                                     \
    return &b->f
    F(names);
    F(values);
    F(item);
    F(schema);
    F(expect);
    F(error);
    F(updated_old);
    F(updated_new);
#undef F
    return NULL;
}

/* Run every block of one file; returns (cases, failures). */
static void run_file(const char *path, int *cases, int *failures)
{
    FILE *f = fopen(path, "r");
    struct block b;
    char *line = NULL, *colon, *val, **slot;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;

    assert_non_null(f);
    memset(&b, 0, sizeof b);
    for (;;) {
        n = getline(&line, &cap, f);
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n <= 0 || line[0] == '#') {
            if (n < 0 || n == 0) {
                if (b.kind) {
                    (*cases)++;
                    if (!run_block(&b))
                        (*failures)++;
                }
                block_clear(&b);
                if (n < 0)
                    break;
            }
            continue;
        }
        colon = strchr(line, ':');
        if (!colon) {
            fprintf(stderr, "%s:%d: not a field line\n", path, lineno);
            (*failures)++;
            continue;
        }
        *colon = '\0';
        val = colon + 1;
        if (*val == ' ')
            val++;
        slot = field(&b, line);
        if (!slot) {
            fprintf(stderr, "%s:%d: unknown field \"%s\"\n", path, lineno,
                    line);
            (*failures)++;
            continue;
        }
        if (!b.file) {
            b.file = path;
            b.line = lineno;
        }
        free(*slot);
        *slot = strdup(val);
    }
    block_clear(&b);
    free(line);
    fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void golden_cases_pass(void **state)
{
    struct dirent **ents;
    char path[512];
    int n, cases = 0, failures = 0;

    (void)state;
    n = scandir(GOLDEN_DIR, &ents, NULL, by_name);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(ents[i]->d_name);

        if (len > 4 && !strcmp(ents[i]->d_name + len - 4, ".txt")) {
            snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, ents[i]->d_name);
            run_file(path, &cases, &failures);
        }
        free(ents[i]);
    }
    free(ents);
    printf("golden: %d cases, %d failed\n", cases, failures);
    assert_true(cases >= 150);
    assert_int_equal(failures, 0);
}

/* Parse text as kind with no names or values; the error message, or NULL. */
static const char *parse_error(enum expr_kind kind, const char *text,
                               const json_t *values)
{
    static struct err err;
    struct expr *e;

    err = (struct err)ERR_INIT;
    e = expr_parse(kind, text, strlen(text), NULL, values, NULL, &err);
    if (e) {
        expr_free(e);
        return NULL;
    }
    return err.msg;
}

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void expression_size_is_capped_at_4_kb(void **state)
{
    struct buf b;
    const char *msg;

    (void)state;
    buf_init(&b);
    buf_puts(&b, "a = b");
    while (b.len < EXPR_MAX_BYTES)
        buf_puts(&b, " ");
    assert_null(parse_error(EXPR_CONDITION, b.data, NULL));
    buf_puts(&b, " ");
    msg = parse_error(EXPR_CONDITION, b.data, NULL);
    assert_true(starts(msg, "Invalid ConditionExpression: Expression size "
                            "has exceeded the maximum allowed size"));
    buf_fini(&b);
}

static void more_than_300_operators_is_refused(void **state)
{
    struct buf b;
    const char *msg;

    (void)state;
    buf_init(&b);
    buf_puts(&b, "a = b");
    for (int i = 1; i < 150; i++)
        buf_puts(&b, " OR a=b");
    /* 150 comparisons + 149 ORs = 299 */
    assert_null(parse_error(EXPR_CONDITION, b.data, NULL));
    buf_puts(&b, " OR a=b");
    msg = parse_error(EXPR_CONDITION, b.data, NULL);
    assert_true(starts(msg, "Invalid ConditionExpression: The expression "
                            "contains too many operators"));
    buf_fini(&b);
}

static void nesting_over_32_is_refused(void **state)
{
    struct buf b;
    const char *msg;

    (void)state;
    buf_init(&b);
    for (int i = 0; i < 32; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "a = b");
    assert_null(parse_error(EXPR_CONDITION, b.data, NULL));
    buf_fini(&b);
    for (int i = 0; i < 33; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "a = b");
    msg = parse_error(EXPR_CONDITION, b.data, NULL);
    assert_true(starts(msg, "Invalid ConditionExpression: The expression has "
                            "exceeded the maximum nesting depth"));
    buf_fini(&b);
    buf_puts(&b, "a");
    for (int i = 0; i < 32; i++)
        buf_puts(&b, ".b");
    msg = parse_error(EXPR_PROJECTION, b.data, NULL);
    assert_true(starts(msg, "Invalid ProjectionExpression: The document path "
                            "has too many nesting levels; nesting levels: "
                            "33"));
    buf_fini(&b);
}

static void in_takes_at_most_100_operands(void **state)
{
    struct buf b;
    json_t *values = json_pack("{s{ss}}", ":v", "S", "x");
    const char *msg;

    (void)state;
    buf_init(&b);
    buf_puts(&b, "a IN (:v");
    for (int i = 1; i < 100; i++)
        buf_puts(&b, ", :v");
    buf_puts(&b, ")");
    assert_null(parse_error(EXPR_CONDITION, b.data, values));
    b.data[b.len - 1] = ',';
    buf_puts(&b, " :v)");
    msg = parse_error(EXPR_CONDITION, b.data, values);
    assert_true(starts(msg, "Invalid ConditionExpression: The IN operator is "
                            "provided with too many operands; number of "
                            "operands: 101"));
    buf_fini(&b);
    json_decref(values);
}

static void reserved_words_are_found_in_any_case(void **state)
{
    (void)state;
    assert_true(expr_is_reserved("ABORT", 5));
    assert_true(expr_is_reserved("zone", 4));
    assert_true(expr_is_reserved("Name", 4));
    assert_true(expr_is_reserved("status", 6));
    assert_false(expr_is_reserved("price", 5));
    assert_false(expr_is_reserved("", 0));
    assert_false(expr_is_reserved("namex", 5));
}

static void number_arithmetic_is_exact(void **state)
{
    static const char *const cases[][4] = {
        {"0.1", "0.2", "0.3", "-0.1"},
        {"1", "-1", "0", "2"},
        {"999", "1", "1000", "998"},
        {"-5.5", "2.25", "-3.25", "-7.75"},
        {"12345678901234567890", "1", "12345678901234567891",
         "12345678901234567889"},
        {"0.001", "1000", "1000.001", "-999.999"},
    };
    char out[ATTR_NUMBER_MAX];
    struct err err = ERR_INIT;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(attr_number_add(cases[i][0], cases[i][1], out, &err),
                         0);
        assert_string_equal(out, cases[i][2]);
        assert_int_equal(
            attr_number_subtract(cases[i][0], cases[i][1], out, &err), 0);
        assert_string_equal(out, cases[i][3]);
    }
    assert_int_equal(attr_number_add("1"
                                     "00000000000000000000000000000000"
                                     "000000000000000000",
                                     "1", out, &err),
                     -1);
    assert_true(starts(err.msg, "Attempting to store more than 38"));
    assert_true(attr_number_compare("-1", "0.5") < 0);
    assert_true(attr_number_compare("10", "9.99") > 0);
    assert_true(attr_number_compare("-10", "-9.99") < 0);
    assert_true(attr_number_compare("0.5", "0.50") == 0);
    assert_true(attr_number_compare("0", "0") == 0);
    assert_true(attr_number_compare("0.01", "0.1") < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_cases_pass),
        cmocka_unit_test(expression_size_is_capped_at_4_kb),
        cmocka_unit_test(more_than_300_operators_is_refused),
        cmocka_unit_test(nesting_over_32_is_refused),
        cmocka_unit_test(in_takes_at_most_100_operands),
        cmocka_unit_test(reserved_words_are_found_in_any_case),
        cmocka_unit_test(number_arithmetic_is_exact),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
