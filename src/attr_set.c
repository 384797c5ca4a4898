/*
 * attr_set — the members of SS, NS and BS in one total order, so that
 * duplicate checks, ADD and DELETE merges and set equality cost
 * O(n log n) rather than a comparison of every member with every other.
 * Not the AttributeValue rules (attr_typed.c) and not expressions (expr).
 *
 * Every member crudd holds is canonical (N by attr_number_canonical, B as
 * canonical padded Base64), so two members are equal exactly when their
 * strings are: the order is the strings' bytes.
 */
#include "attr.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int attr_set_member_cmp(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(a), *y = json_string_value(b);
    size_t nx = json_string_length(a), ny = json_string_length(b);
    int c;

    /* not a string: never stored by this build; ordered first, and
     * apart from every string, so that nothing reads through NULL */
    if (!x || !y)
        return !x && !y ? 0 : !x ? -1 : 1;
    c = memcmp(x, y, nx < ny ? nx : ny);
    if (c == 0 && nx != ny)
        return nx < ny ? -1 : 1;
    return c;
}

static int by_member(const void *a, const void *b)
{
    return attr_set_member_cmp(*(const json_t *const *)a,
                               *(const json_t *const *)b);
}

const json_t **attr_set_sorted(const json_t *members, size_t *n)
{
    size_t count = json_array_size(members);
    const json_t **v = xcalloc(count + 1, sizeof *v);

    for (size_t i = 0; i < count; i++)
        v[i] = json_array_get(members, i);
    qsort(v, count, sizeof *v, by_member);
    *n = count;
    return v;
}

int attr_set_sorted_has(const json_t *const *sorted, size_t n, const json_t *x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = attr_set_member_cmp(sorted[mid], x);

        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int attr_set_has_duplicates(const json_t *members)
{
    size_t n;
    const json_t **v = attr_set_sorted(members, &n);
    int dup = 0;

    for (size_t i = 1; i < n && !dup; i++)
        dup = attr_set_member_cmp(v[i - 1], v[i]) == 0;
    free(v);
    return dup;
}

int attr_set_equal(const json_t *a, const json_t *b)
{
    size_t na, nb;
    const json_t **x, **y;
    int eq;

    if (json_array_size(a) != json_array_size(b))
        return 0;
    x = attr_set_sorted(a, &na);
    y = attr_set_sorted(b, &nb);
    eq = 1;
    for (size_t i = 0; i < na && eq; i++)
        eq = attr_set_member_cmp(x[i], y[i]) == 0;
    free(x);
    free(y);
    return eq;
}
