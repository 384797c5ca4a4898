/*
 * expr_project — a projection expression applied to an item.
 */
#include "expr.h"
#include "expr_impl.h"
#include "attr.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Projection ------------------------------------------------------- */

static json_t *proj_value(const json_t *v, const struct path **ps, size_t n,
                          size_t d);

/* Project the plain object obj (an item, or an M's payload) to the paths
 * whose element d is a name. NULL when nothing is found. */
static json_t *proj_map(const json_t *obj, const struct path **ps, size_t n,
                        size_t d)
{
    const struct path **sub = xcalloc(n, sizeof *sub);
    json_t *out = json_object(), *r;

    for (size_t i = 0; i < n; i++) {
        const struct pel *e = &ps[i]->el[d];
        size_t m = 0, j;
        const json_t *child;

        if (!e->name)
            continue;
        for (j = 0; j < i; j++)
            if (ps[j]->el[d].name && ps[j]->el[d].len == e->len &&
                !memcmp(ps[j]->el[d].name, e->name, e->len))
                break;
        if (j < i)
            continue; /* this name was done with its first path */
        for (j = i; j < n; j++)
            if (ps[j]->el[d].name && ps[j]->el[d].len == e->len &&
                !memcmp(ps[j]->el[d].name, e->name, e->len))
                sub[m++] = ps[j];
        child = json_object_getn(obj, e->name, e->len);
        r = child ? proj_value(child, sub, m, d + 1) : NULL;
        if (r)
            json_object_setn_new(out, e->name, e->len, r);
    }
    free(sub);
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Project the list payload arr to the paths whose element d is an index:
 * the elements found, in index order, closed up. */
static json_t *proj_list(const json_t *arr, const struct path **ps, size_t n,
                         size_t d)
{
    const struct path **sub = xcalloc(n, sizeof *sub);
    json_t *out = json_array(), *r;
    size_t next = 0;

    /* Visit each distinct index once, smallest first. */
    for (;;) {
        size_t idx = SIZE_MAX, m = 0;

        for (size_t i = 0; i < n; i++) {
            const struct pel *e = &ps[i]->el[d];

            if (!e->name && e->index >= next && e->index < idx)
                idx = e->index;
        }
        if (idx == SIZE_MAX || idx >= json_array_size(arr))
            break;
        for (size_t i = 0; i < n; i++)
            if (!ps[i]->el[d].name && ps[i]->el[d].index == idx)
                sub[m++] = ps[i];
        r = proj_value(json_array_get(arr, idx), sub, m, d + 1);
        if (r)
            json_array_append_new(out, r);
        next = idx + 1;
    }
    free(sub);
    if (json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Project the attribute value v, reached by elements [0, d) of every path
 * in ps. */
static json_t *proj_value(const json_t *v, const struct path **ps, size_t n,
                          size_t d)
{
    const json_t *pl;
    const char *t;
    json_t *r = NULL;

    for (size_t i = 0; i < n; i++)
        if (ps[i]->n == d)
            return json_deep_copy(v);
    t = attr_type(v, &pl);
    if (!strcmp(t, "M") && json_is_object(pl))
        r = proj_map(pl, ps, n, d);
    else if (!strcmp(t, "L") && json_is_array(pl))
        r = proj_list(pl, ps, n, d);
    return r ? expr_typed(t, r) : NULL;
}

json_t *expr_project_paths(const json_t *item, const struct path **ps, size_t n)
{
    json_t *r = n ? proj_map(item, ps, n, 0) : NULL;

    return r ? r : json_object();
}

json_t *expr_project(const struct expr *e, const json_t *item)
{
    const struct path **ps;
    json_t *r;

    if (!item)
        return NULL;
    ps = xcalloc(e->nproj ? e->nproj : 1, sizeof *ps);
    for (size_t i = 0; i < e->nproj; i++)
        ps[i] = &e->proj[i];
    r = expr_project_paths(item, ps, e->nproj);
    free(ps);
    return r;
}
