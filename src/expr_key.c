/*
 * expr_key — a key condition checked against the table's key schema and
 * turned into the store's key range.
 */
#include "expr.h"
#include "expr_impl.h"

#include <string.h>

/* ---- Key conditions --------------------------------------------------- */

static int unsupported(struct err *err)
{
    return err_set(err, ERR_BAD_REQUEST, "Query key condition not supported");
}

/* The attribute a key condition leaf is about, and what it says. */
static int key_leaf(const struct node *n, const struct path **path,
                    enum expr_key_op *op, const json_t *v[2], struct err *err)
{
    static const enum expr_key_op ops[] = {EXPR_KEY_EQ, EXPR_KEY_NONE,
                                           EXPR_KEY_LT, EXPR_KEY_LE,
                                           EXPR_KEY_GT, EXPR_KEY_GE};
    /* The same comparison written the other way round: :v < sk. */
    static const enum expr_key_op flipped[] = {EXPR_KEY_EQ, EXPR_KEY_NONE,
                                               EXPR_KEY_GT, EXPR_KEY_GE,
                                               EXPR_KEY_LT, EXPR_KEY_LE};
    const struct node *a = n->kid[0];

    v[1] = NULL;
    if (n->k == N_CMP && a->k == N_VALUE && n->kid[1]->k == N_PATH) {
        *path = &n->kid[1]->path;
        *op = flipped[n->op];
        v[0] = a->value;
    } else if (n->k == N_CMP && a->k == N_PATH && n->kid[1]->k == N_VALUE) {
        *path = &a->path;
        *op = ops[n->op];
        v[0] = n->kid[1]->value;
    } else if (n->k == N_BETWEEN && a->k == N_PATH && n->kid[1]->k == N_VALUE &&
               n->kid[2]->k == N_VALUE) {
        *path = &a->path;
        *op = EXPR_KEY_BETWEEN;
        v[0] = n->kid[1]->value;
        v[1] = n->kid[2]->value;
    } else if (n->k == N_BEGINS && a->k == N_PATH && n->kid[1]->k == N_VALUE) {
        *path = &a->path;
        *op = EXPR_KEY_BEGINS_WITH;
        v[0] = n->kid[1]->value;
    } else {
        return unsupported(err);
    }
    if ((*path)->n != 1)
        return unsupported(err);
    return 0;
}

static int name_is(const struct path *p, const char *name)
{
    return name && p->el[0].len == strlen(name) &&
           !memcmp(p->el[0].name, name, p->el[0].len);
}

static int type_ok(const json_t *v, const char *type)
{
    return !type || !v || expr_is_type(v, type);
}

int expr_key_condition(const struct expr *e, const char *pk_name,
                       const char *pk_type, const char *sk_name,
                       const char *sk_type, struct expr_key_range *out,
                       struct err *err)
{
    const struct node *leaf[2];
    size_t n = 1;
    int have_pk = 0, have_sk = 0;

    memset(out, 0, sizeof *out);
    if (e->kind != EXPR_KEY_CONDITION || !e->cond)
        return err_set(err, ERR_INTERNAL, "not a key condition expression");
    leaf[0] = e->cond;
    if (e->cond->k == N_AND) {
        leaf[0] = e->cond->kid[0];
        leaf[1] = e->cond->kid[1];
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        const struct path *path = NULL;
        const json_t *v[2] = {NULL, NULL};
        enum expr_key_op op = EXPR_KEY_NONE;

        if (key_leaf(leaf[i], &path, &op, v, err) < 0)
            return -1;
        if (name_is(path, pk_name)) {
            if (have_pk++)
                goto twice;
            if (op != EXPR_KEY_EQ)
                return unsupported(err);
            if (!type_ok(v[0], pk_type))
                goto type;
            out->pk_value = v[0];
        } else if (name_is(path, sk_name)) {
            if (have_sk++)
                goto twice;
            if (!type_ok(v[0], sk_type) || !type_ok(v[1], sk_type))
                goto type;
            out->sk_op = op;
            out->sk_value[0] = v[0];
            out->sk_value[1] = v[1];
        } else if (sk_name) {
            return err_set(err, ERR_BAD_REQUEST,
                           "Query condition missed key schema element: %s",
                           sk_name);
        } else {
            return unsupported(err);
        }
    }
    if (!have_pk)
        return err_set(err, ERR_BAD_REQUEST,
                       "Query condition missed key schema element: %s",
                       pk_name);
    return 0;
twice:
    return err_set(err, ERR_BAD_REQUEST,
                   "Invalid KeyConditionExpression: KeyConditionExpressions "
                   "must only contain one condition per key");
type:
    return err_set(err, ERR_BAD_REQUEST,
                   "One or more parameter values were invalid: Condition "
                   "parameter type does not match schema type");
}
