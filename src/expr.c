/*
 * expr — DynamoDB expressions: one lexer and one recursive-descent parser
 * for condition, filter, key condition, update and projection expressions,
 * and the evaluators that run a parsed expression against items.
 *
 * Not storage and not the wire API: no SQLite, no HTTP. The store turns a
 * key condition into a key range and decides what to do with a failed
 * condition; ddb checks the request parameters around the expressions.
 * Expression attribute names and values are substituted while parsing, so a
 * parsed expression carries its own copies and needs nothing else.
 *
 * This file: the parsed forms' lifetime and the attribute value helpers the
 * parts share (expr_impl.h). The parts: expr_reserved.c (reserved words),
 * expr_parse.c (lexer, parser, usage), expr_eval.c (comparison, conditions,
 * filters), expr_update.c (updates; the decision of a write is item.c),
 * expr_project.c (projections), expr_key.c (key conditions).
 */
#include "expr.h"
#include "expr_impl.h"
#include "attr.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* jansson's iteration API takes json_t * although it only reads; this is the
 * one place the const of a borrowed value is dropped for it. */
json_t *expr_unconst(const json_t *j)
{
    return (json_t *)(uintptr_t)j;
}

/* ---- Parsed forms ----------------------------------------------------- */

static void path_fini(struct path *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->el[i].name);
    free(p->el);
    p->el = NULL;
    p->n = 0;
}

void expr_path_push(struct path *p, struct pel el)
{
    p->el = xrealloc(p->el, (p->n + 1) * sizeof *p->el);
    p->el[p->n++] = el;
}

void expr_node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkid; i++)
        expr_node_free(n->kid[i]);
    free(n->kid);
    path_fini(&n->path);
    json_decref(n->value);
    free(n);
}

struct node *expr_node_new(enum nk k)
{
    struct node *n = xcalloc(1, sizeof *n);

    n->k = k;
    return n;
}

void expr_node_add(struct node *n, struct node *kid)
{
    n->kid = xrealloc(n->kid, (n->nkid + 1) * sizeof *n->kid);
    n->kid[n->nkid++] = kid;
}

void expr_free(struct expr *e)
{
    if (!e)
        return;
    expr_node_free(e->cond);
    for (size_t i = 0; i < e->nact; i++) {
        path_fini(&e->act[i].path);
        expr_node_free(e->act[i].val);
    }
    free(e->act);
    for (size_t i = 0; i < e->nproj; i++)
        path_fini(&e->proj[i]);
    free(e->proj);
    free(e);
}

enum expr_kind expr_kind(const struct expr *e)
{
    return e->kind;
}

/* ---- Attribute value helpers ------------------------------------------ */

int expr_is_type(const json_t *v, const char *t)
{
    return strcmp(attr_type(v, NULL), t) == 0;
}

int expr_is_set_type(const char *t)
{
    return !strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS");
}

/* The type names DynamoDB uses in ADD and DELETE operand messages. */
const char *expr_long_type(const char *t)
{
    static const char *const names[][2] = {
        {"S", "STRING"},      {"N", "NUMBER"},      {"B", "BINARY"},
        {"BOOL", "BOOLEAN"},  {"NULL", "NULL"},     {"M", "MAP"},
        {"L", "LIST"},        {"SS", "STRING_SET"}, {"NS", "NUMBER_SET"},
        {"BS", "BINARY_SET"},
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(t, names[i][0]))
            return names[i][1];
    return t;
}

json_t *expr_typed(const char *t, json_t *payload)
{
    json_t *v = json_object();

    json_object_set_new(v, t, payload);
    return v;
}
