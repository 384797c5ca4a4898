/*
 * expr_eval — comparing attribute values, evaluating conditions and
 * filters against an item, and what a condition reads.
 */
#include "expr.h"
#include "expr_impl.h"
#include "attr.h"
#include "b64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Comparing attribute values --------------------------------------- */

/* Binary values travel as Base64 but order by their bytes; text that does
 * not decode is compared as text so the order stays total. */
static int bin_cmp(const json_t *a, const json_t *b, int prefix)
{
    size_t na, nb, n;
    unsigned char *x, *y;
    int c;

    x = b64_decode(json_string_value(a), json_string_length(a), &na);
    y = b64_decode(json_string_value(b), json_string_length(b), &nb);
    if (!x || !y) {
        free(x);
        free(y);
        return strcmp(json_string_value(a), json_string_value(b));
    }
    if (prefix) {
        c = nb <= na && memcmp(x, y, nb) == 0 ? 0 : 1;
    } else {
        n = na < nb ? na : nb;
        c = memcmp(x, y, n);
        if (c == 0 && na != nb)
            c = na < nb ? -1 : 1;
    }
    free(x);
    free(y);
    return c;
}

/* Strings order by their UTF-8 bytes, which is code point order. */
static int str_cmp(const json_t *a, const json_t *b)
{
    size_t na = json_string_length(a), nb = json_string_length(b);
    int c =
        memcmp(json_string_value(a), json_string_value(b), na < nb ? na : nb);

    if (c == 0 && na != nb)
        return na < nb ? -1 : 1;
    return c;
}

static int sign(int c)
{
    return (c > 0) - (c < 0);
}

/* Order two scalars (payloads) of the scalar type t. */
static int scalar_cmp(const char *t, const json_t *a, const json_t *b)
{
    if (!json_is_string(a) || !json_is_string(b))
        return a == b ? 0 : 1;
    if (t[0] == 'N')
        return sign(
            attr_number_compare(json_string_value(a), json_string_value(b)));
    if (t[0] == 'B')
        return sign(bin_cmp(a, b, 0));
    return sign(str_cmp(a, b));
}

/* -1, 0 or 1; 2 when a and b cannot be ordered (other types, or a type that
 * has no order). */
int expr_value_order(const json_t *a, const json_t *b)
{
    const json_t *pa, *pb;
    const char *ta = attr_type(a, &pa), *tb = attr_type(b, &pb);

    if (strcmp(ta, tb) != 0 ||
        (strcmp(ta, "S") && strcmp(ta, "N") && strcmp(ta, "B")))
        return 2;
    return scalar_cmp(ta, pa, pb);
}

static int set_has(const char *elem_type, const json_t *set, const json_t *x)
{
    size_t i;
    json_t *m;

    json_array_foreach(set, i, m)
    {
        if (scalar_cmp(elem_type, m, x) == 0)
            return 1;
    }
    return 0;
}

/* ---- Conditions ------------------------------------------------------- */

/* The value at path p in item (a borrowed reference), or NULL. */
const json_t *expr_resolve(const json_t *item, const struct path *p)
{
    const json_t *v, *pl;

    if (!item)
        return NULL;
    v = json_object_getn(item, p->el[0].name, p->el[0].len);
    for (size_t i = 1; v && i < p->n; i++) {
        const struct pel *e = &p->el[i];

        if (e->name) {
            pl = json_object_get(v, "M");
            v = json_is_object(pl) ? json_object_getn(pl, e->name, e->len)
                                   : NULL;
        } else {
            pl = json_object_get(v, "L");
            v = json_is_array(pl) ? json_array_get(pl, e->index) : NULL;
        }
    }
    return v;
}

/* The decoded length of Base64 text, without decoding it. */
static size_t binary_len(const json_t *b)
{
    size_t n = json_string_length(b);
    const char *s = json_string_value(b);

    while (n > 0 && s[n - 1] == '=')
        n--;
    return n * 3 / 4;
}

/* size(): S in UTF-8 bytes, B in bytes, sets, L and M in elements. Other
 * types have no size, and a comparison with it is false. */
static int value_size(const json_t *v, size_t *size)
{
    const json_t *pl;
    const char *t = attr_type(v, &pl);

    if (!strcmp(t, "S"))
        *size = json_string_length(pl);
    else if (!strcmp(t, "B"))
        *size = binary_len(pl);
    else if (expr_is_set_type(t) || !strcmp(t, "L"))
        *size = json_array_size(pl);
    else if (!strcmp(t, "M"))
        *size = json_object_size(pl);
    else
        return 0;
    return 1;
}

/* An evaluated operand: borrowed from the item or the expression, or owned
 * when computed (size). v NULL means missing. */
struct opnd {
    const json_t *v;
    json_t *own;
};

static void operand(const struct node *n, const json_t *item, struct opnd *o)
{
    size_t size;
    char text[32];

    o->v = NULL;
    o->own = NULL;
    if (n->k == N_VALUE) {
        o->v = n->value;
    } else if (n->k == N_PATH) {
        o->v = expr_resolve(item, &n->path);
    } else if (n->k == N_SIZE) {
        /* size of a path, or of a value (size(:v)) */
        struct opnd in;
        operand(n->kid[0], item, &in);
        if (value_size(in.v, &size)) {
            snprintf(text, sizeof text, "%zu", size);
            o->own = expr_typed("N", json_string(text));
            o->v = o->own;
        }
        json_decref(in.own);
    }
}

static int cmp_holds(enum cmp op, int c)
{
    switch (op) {
    case C_LT:
        return c < 0;
    case C_LE:
        return c <= 0;
    case C_GT:
        return c > 0;
    case C_GE:
        return c >= 0;
    default:
        return 0;
    }
}

static int eval_cmp(const struct node *n, const json_t *item)
{
    struct opnd a, b;
    int r, c;

    operand(n->kid[0], item, &a);
    operand(n->kid[1], item, &b);
    if (!a.v || !b.v) {
        r = n->op == C_NE;
    } else if (n->op == C_EQ || n->op == C_NE) {
        r = attr_value_equal(a.v, b.v) == (n->op == C_EQ);
    } else {
        c = expr_value_order(a.v, b.v);
        r = c != 2 && cmp_holds(n->op, c);
    }
    json_decref(a.own);
    json_decref(b.own);
    return r;
}

static int eval_between(const struct node *n, const json_t *item)
{
    struct opnd a, lo, hi;
    int r = 0, c1, c2;

    operand(n->kid[0], item, &a);
    operand(n->kid[1], item, &lo);
    operand(n->kid[2], item, &hi);
    if (a.v && lo.v && hi.v) {
        c1 = expr_value_order(a.v, lo.v);
        c2 = expr_value_order(a.v, hi.v);
        r = c1 != 2 && c2 != 2 && c1 >= 0 && c2 <= 0;
    }
    json_decref(a.own);
    json_decref(lo.own);
    json_decref(hi.own);
    return r;
}

static int eval_in(const struct node *n, const json_t *item)
{
    struct opnd a, x;
    int r = 0;

    operand(n->kid[0], item, &a);
    for (size_t i = 1; a.v && !r && i < n->nkid; i++) {
        operand(n->kid[i], item, &x);
        r = x.v && attr_value_equal(a.v, x.v);
        json_decref(x.own);
    }
    json_decref(a.own);
    return r;
}

static int begins_with(const json_t *v, const json_t *prefix)
{
    const json_t *pv, *pp;
    const char *tv = attr_type(v, &pv), *tp = attr_type(prefix, &pp);
    size_t nv, np;

    if (strcmp(tv, tp) != 0 || !json_is_string(pv) || !json_is_string(pp))
        return 0;
    if (!strcmp(tv, "B"))
        return bin_cmp(pv, pp, 1) == 0;
    if (strcmp(tv, "S") != 0)
        return 0;
    nv = json_string_length(pv);
    np = json_string_length(pp);
    return np <= nv &&
           memcmp(json_string_value(pv), json_string_value(pp), np) == 0;
}

/* Whether the bytes of Base64 text x occur in those of Base64 text v, as
 * contains() matches a byte substring of a Binary value. */
static int bin_contains(const json_t *v, const json_t *x)
{
    size_t nv, nx;
    unsigned char *a =
        b64_decode(json_string_value(v), json_string_length(v), &nv);
    unsigned char *b =
        b64_decode(json_string_value(x), json_string_length(x), &nx);
    int r = a && b && memmem(a, nv, b, nx) != NULL;

    free(a);
    free(b);
    return r;
}

static int contains(const json_t *v, const json_t *x)
{
    const json_t *pv, *px;
    const char *tv = attr_type(v, &pv), *tx = attr_type(x, &px);
    size_t i;
    json_t *e;

    if (!strcmp(tv, "S") && !strcmp(tx, "S") && json_is_string(pv) &&
        json_is_string(px))
        return memmem(json_string_value(pv), json_string_length(pv),
                      json_string_value(px), json_string_length(px)) != NULL;
    if (!strcmp(tv, "B") && !strcmp(tx, "B") && json_is_string(pv) &&
        json_is_string(px))
        return bin_contains(pv, px);
    if (expr_is_set_type(tv) && tv[0] == tx[0] && tx[1] == '\0')
        return set_has(tx, pv, px);
    if (!strcmp(tv, "L")) {
        json_array_foreach(pv, i, e)
        {
            if (attr_value_equal(e, x))
                return 1;
        }
    }
    return 0;
}

static int eval(const struct node *n, const json_t *item)
{
    struct opnd a, b;
    const json_t *pl;
    int r = 0;

    switch (n->k) {
    case N_AND:
        return eval(n->kid[0], item) && eval(n->kid[1], item);
    case N_OR:
        return eval(n->kid[0], item) || eval(n->kid[1], item);
    case N_NOT:
        return !eval(n->kid[0], item);
    case N_CMP:
        return eval_cmp(n, item);
    case N_BETWEEN:
        return eval_between(n, item);
    case N_IN:
        return eval_in(n, item);
    case N_EXISTS:
        return expr_resolve(item, &n->kid[0]->path) != NULL;
    case N_NOT_EXISTS:
        return expr_resolve(item, &n->kid[0]->path) == NULL;
    default:
        break;
    }
    operand(n->kid[0], item, &a);
    operand(n->kid[1], item, &b);
    if (a.v && b.v) {
        if (n->k == N_TYPE)
            r = !strcmp(attr_type(b.v, &pl), "S") && json_is_string(pl) &&
                !strcmp(attr_type(a.v, NULL), json_string_value(pl));
        else if (n->k == N_BEGINS)
            r = begins_with(a.v, b.v);
        else if (n->k == N_CONTAINS)
            r = contains(a.v, b.v);
    }
    json_decref(a.own);
    json_decref(b.own);
    return r;
}

int expr_eval_condition(const struct expr *e, const json_t *item, int *result,
                        struct err *err)
{
    *result = 0;
    if (!e->cond)
        return err_set(err, ERR_INTERNAL, "not a condition expression");
    *result = eval(e->cond, item);
    return 0;
}

/* ---- What a condition reads -------------------------------------------- */

static int node_mentions(const struct node *n, const char *name, size_t len)
{
    if (!n)
        return 0;
    if (n->k == N_PATH && n->path.n > 0 && n->path.el[0].name &&
        n->path.el[0].len == len && !memcmp(n->path.el[0].name, name, len))
        return 1;
    for (size_t i = 0; i < n->nkid; i++)
        if (node_mentions(n->kid[i], name, len))
            return 1;
    return 0;
}

int expr_mentions(const struct expr *e, const char *name)
{
    return e && node_mentions(e->cond, name, strlen(name));
}
