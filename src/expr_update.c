/*
 * expr_update — an update expression applied to an item. The decision of
 * a whole write (condition, then update or put) is item's (item.h).
 */
#include "expr.h"
#include "expr_impl.h"
#include "attr.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Updates ---------------------------------------------------------- */

static json_t *no_attribute(struct err *err)
{
    err_set(err, ERR_BAD_REQUEST,
            "The provided expression refers to an attribute that does not "
            "exist in the item");
    return NULL;
}

static json_t *bad_type(struct err *err)
{
    err_set(err, ERR_BAD_REQUEST,
            "An operand in the update expression has an incorrect data type");
    return NULL;
}

static int bad_path(struct err *err)
{
    return err_set(err, ERR_BAD_REQUEST,
                   "The document path provided in the update expression is "
                   "invalid for update");
}

/* The value a SET, ADD or DELETE writes, computed from the item as it was
 * before the update: a new reference, or NULL with err. */
static json_t *update_value(const struct node *n, const json_t *item,
                            struct err *err)
{
    char out[ATTR_NUMBER_MAX];
    const json_t *v, *pa, *pb;
    json_t *a, *b;
    int rc;

    switch (n->k) {
    case N_VALUE:
        return json_deep_copy(n->value);
    case N_PATH:
        v = expr_resolve(item, &n->path);
        return v ? json_deep_copy(v) : no_attribute(err);
    case N_IF_NOT_EXISTS:
        v = expr_resolve(item, &n->kid[0]->path);
        return v ? json_deep_copy(v) : update_value(n->kid[1], item, err);
    default:
        break;
    }
    if (!(a = update_value(n->kid[0], item, err)))
        return NULL;
    if (!(b = update_value(n->kid[1], item, err))) {
        json_decref(a);
        return NULL;
    }
    if (n->k == N_LIST_APPEND) {
        if (strcmp(attr_type(a, &pa), "L") || strcmp(attr_type(b, &pb), "L")) {
            json_decref(a);
            json_decref(b);
            return bad_type(err);
        }
        json_array_extend(expr_unconst(pa), expr_unconst(pb));
        json_decref(b);
        return a;
    }
    if (strcmp(attr_type(a, &pa), "N") || strcmp(attr_type(b, &pb), "N")) {
        rc = -1;
        bad_type(err);
    } else if (n->k == N_PLUS) {
        rc = attr_number_add(json_string_value(pa), json_string_value(pb), out,
                             err);
    } else {
        rc = attr_number_subtract(json_string_value(pa), json_string_value(pb),
                                  out, err);
    }
    json_decref(a);
    json_decref(b);
    return rc < 0 ? NULL : expr_typed("N", json_string(out));
}

/* The container in root (a mutable item) that holds the last element of p:
 * an object for a name, an array for an index; NULL when a step on the way
 * is missing or of the wrong type. */
static json_t *container(json_t *root, const struct path *p)
{
    json_t *c = root, *child;

    for (size_t i = 0; i + 1 < p->n; i++) {
        const struct pel *e = &p->el[i];

        child = e->name ? json_object_getn(c, e->name, e->len)
                        : json_array_get(c, e->index);
        if (!child)
            return NULL;
        c = json_object_get(child, p->el[i + 1].name ? "M" : "L");
        if (!c)
            return NULL;
    }
    if (p->el[p->n - 1].name ? !json_is_object(c) : !json_is_array(c))
        return NULL;
    return c;
}

static json_t *element(json_t *c, const struct pel *e)
{
    return e->name ? json_object_getn(c, e->name, e->len)
                   : json_array_get(c, e->index);
}

/* Write v (stolen) at the end of path in container c; an index past the
 * end appends, and *index then says where. */
static void put(json_t *c, const struct pel *e, json_t *v, size_t *index)
{
    if (e->name) {
        json_object_setn_new(c, e->name, e->len, v);
    } else if (e->index < json_array_size(c)) {
        json_array_set_new(c, e->index, v);
    } else {
        *index = json_array_size(c);
        json_array_append_new(c, v);
    }
}

static void drop(json_t *c, const struct pel *e)
{
    if (e->name)
        json_object_deln(c, e->name, e->len);
    else if (e->index < json_array_size(c))
        json_array_remove(c, e->index);
}

/* ADD v (stolen) to the value cur: numbers add, sets unite. */
static int add_to(json_t *cur, json_t *v, struct err *err)
{
    char out[ATTR_NUMBER_MAX];
    const json_t *pc, *pv;
    const char *tc = attr_type(cur, &pc), *tv = attr_type(v, &pv);
    size_t i, n;
    json_t *m;
    int rc = 0;

    if (strcmp(tc, tv) != 0) {
        bad_type(err);
        rc = -1;
    } else if (!strcmp(tc, "N")) {
        rc = attr_number_add(json_string_value(pc), json_string_value(pv), out,
                             err);
        if (rc == 0)
            json_object_set_new(cur, "N", json_string(out));
    } else {
        const json_t **sorted = attr_set_sorted(pc, &n);

        /* appending leaves the members sorted points to where they are */
        json_array_foreach(pv, i, m)
        {
            if (!attr_set_sorted_has(sorted, n, m))
                json_array_append(expr_unconst(pc), m);
        }
        free(sorted);
    }
    json_decref(v);
    return rc;
}

/* DELETE the members of v (stolen) from the set cur; returns 1 when cur is
 * left empty (DynamoDB has no empty sets: the attribute goes). */
static int delete_from(json_t *cur, json_t *v, struct err *err)
{
    const json_t *pc, *pv;
    const char *tc = attr_type(cur, &pc), *tv = attr_type(v, &pv);
    json_t *keep, *m;
    size_t i, n;
    int rc;

    if (strcmp(tc, tv) != 0) {
        json_decref(v);
        bad_type(err);
        return -1;
    }
    const json_t **sorted = attr_set_sorted(pv, &n);

    keep = json_array();
    json_array_foreach(pc, i, m)
    {
        if (!attr_set_sorted_has(sorted, n, m))
            json_array_append(keep, m);
    }
    free(sorted);
    rc = json_array_size(keep) == 0;
    json_object_set_new(cur, tc, keep);
    json_decref(v);
    return rc;
}

/* Element-wise order of paths, used to REMOVE the highest list indexes
 * first so that each REMOVE still names the element it named. */
static int path_cmp(const struct path *a, const struct path *b)
{
    size_t n = a->n < b->n ? a->n : b->n;

    for (size_t i = 0; i < n; i++) {
        const struct pel *x = &a->el[i], *y = &b->el[i];
        int c;

        if (!x->name != !y->name)
            return x->name ? -1 : 1;
        if (x->name) {
            c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
            if (c == 0 && x->len != y->len)
                c = x->len < y->len ? -1 : 1;
        } else {
            c = x->index < y->index ? -1 : x->index > y->index;
        }
        if (c)
            return c;
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

static int remove_order(const void *a, const void *b)
{
    const struct action *x = *(const struct action *const *)a;
    const struct action *y = *(const struct action *const *)b;

    return path_cmp(&y->path, &x->path);
}

/* Apply one SET, ADD or DELETE with its computed value v (stolen). eff is
 * where the action ended up (an append moves an index). */
static int apply(json_t *root, const struct action *a, json_t *v,
                 struct path *eff, struct err *err)
{
    const struct pel *last = &a->path.el[a->path.n - 1];
    json_t *c = container(root, &a->path), *cur;
    int rc;

    if (!c) {
        json_decref(v);
        return bad_path(err);
    }
    cur = element(c, last);
    if (a->k == A_SET || (a->k == A_ADD && !cur)) {
        put(c, last, v, &eff->el[eff->n - 1].index);
        return 0;
    }
    if (a->k == A_ADD)
        return add_to(cur, v, err);
    if (!cur) {
        json_decref(v);
        return 0;
    }
    rc = delete_from(cur, v, err);
    if (rc > 0)
        drop(c, last);
    return rc < 0 ? -1 : 0;
}

/* Whether the members of m (an item, or an M's object) or the elements
 * of an L's array nest more than ATTR_MAX_DEPTH levels of M and L, m
 * itself sitting at level (0 for an item). */
static int levels_over(const json_t *m, int level)
{
    const json_t *pl;
    const char *t, *key;
    json_t *v;
    size_t i;

    if (json_is_array(m)) {
        json_array_foreach(expr_unconst(m), i, v)
        {
            t = attr_type(v, &pl);
            if ((!strcmp(t, "M") || !strcmp(t, "L")) &&
                (level + 1 > ATTR_MAX_DEPTH || levels_over(pl, level + 1)))
                return 1;
        }
        return 0;
    }
    json_object_foreach(expr_unconst(m), key, v)
    {
        t = attr_type(v, &pl);
        if ((!strcmp(t, "M") || !strcmp(t, "L")) &&
            (level + 1 > ATTR_MAX_DEPTH || levels_over(pl, level + 1)))
            return 1;
    }
    return 0;
}

json_t *expr_apply_update(const struct expr *e, const json_t *item,
                          json_t **updated_old, json_t **updated_new,
                          struct err *err)
{
    json_t **vals = xcalloc(e->nact + 1, sizeof *vals);
    const struct action **rm = xcalloc(e->nact + 1, sizeof *rm);
    struct path *eff = xcalloc(e->nact + 1, sizeof *eff);
    const struct path **ps = xcalloc(e->nact + 1, sizeof *ps);
    json_t *out = NULL;
    size_t i, nrm = 0, n;

    if (updated_old)
        *updated_old = NULL;
    if (updated_new)
        *updated_new = NULL;
    if (e->kind != EXPR_UPDATE) {
        err_set(err, ERR_INTERNAL, "not an update expression");
        goto out;
    }
    /* Every operand reads the item as it was: compute them all first. */
    for (i = 0; i < e->nact; i++) {
        eff[i].n = e->act[i].path.n;
        eff[i].el = xcalloc(eff[i].n, sizeof *eff[i].el);
        memcpy(eff[i].el, e->act[i].path.el, eff[i].n * sizeof *eff[i].el);
        if (e->act[i].val &&
            !(vals[i] = update_value(e->act[i].val, item, err)))
            goto out;
    }
    out = item ? json_deep_copy(item) : json_object();
    for (i = 0; i < e->nact; i++) {
        if (e->act[i].k == A_REMOVE) {
            rm[nrm++] = &e->act[i];
            continue;
        }
        json_t *v = vals[i];

        vals[i] = NULL;
        if (apply(out, &e->act[i], v, &eff[i], err) < 0)
            goto fail;
    }
    qsort(rm, nrm, sizeof *rm, remove_order);
    for (i = 0; i < nrm; i++) {
        json_t *c = container(out, &rm[i]->path);

        if (!c) {
            /* A missing top-level attribute is fine; a path through
             * something missing is not. */
            if (rm[i]->path.n == 1)
                continue;
            bad_path(err);
            goto fail;
        }
        drop(c, &rm[i]->path.el[rm[i]->path.n - 1]);
    }
    /* a value SET below a path nests deeper than either did alone: the
     * item PutItem would refuse is refused here too */
    if (levels_over(out, 0)) {
        err_set(err, ERR_BAD_REQUEST,
                "Nesting Levels have exceeded supported limits");
        goto fail;
    }
    if (updated_old) {
        for (i = 0; i < e->nact; i++)
            ps[i] = &e->act[i].path;
        *updated_old =
            item ? expr_project_paths(item, ps, e->nact) : json_object();
    }
    if (updated_new) {
        for (i = n = 0; i < e->nact; i++)
            if (e->act[i].k != A_REMOVE)
                ps[n++] = &eff[i];
        *updated_new = expr_project_paths(out, ps, n);
    }
    goto out;
fail:
    json_decref(out);
    out = NULL;
out:
    for (i = 0; i < e->nact; i++) {
        json_decref(vals[i]);
        free(eff[i].el);
    }
    free(vals);
    free(rm);
    free(eff);
    free(ps);
    return out;
}

int expr_update_only_removes(const struct expr *e)
{
    if (!e || !e->act || e->nact == 0)
        return 0;
    for (size_t i = 0; i < e->nact; i++)
        if (e->act[i].k != A_REMOVE)
            return 0;
    return 1;
}
