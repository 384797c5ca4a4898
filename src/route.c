/*
 * route — templates split into segments at add time, matched segment by
 * segment at request time. A linear scan: APIs declare tens of routes, not
 * thousands, and a scan keeps "path matched, method did not" obvious.
 * Not a dispatcher: what a target means is the caller's business.
 */
#include "route.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 64

struct segment {
    char *text; /* literal text, or the parameter name */
    size_t len; /* strlen(text) */
    int param;  /* 1 for {name} */
    int greedy; /* 1 for {name+} */
};

struct entry {
    struct route route;
    struct segment *segs;
    int nsegs;
    int literals; /* how many literal segments: more wins */
};

struct route_table {
    struct entry *entries;
    int n, cap;
};

struct route_table *route_table_create(void)
{
    return xcalloc(1, sizeof(struct route_table));
}

static void entry_fini(struct entry *e)
{
    for (int i = 0; i < e->nsegs; i++)
        free(e->segs[i].text);
    free(e->segs);
    free(e->route.method);
    free(e->route.resource);
}

void route_table_free(struct route_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        entry_fini(&t->entries[i]);
    free(t->entries);
    free(t);
}

/* Split resource into e's segments; 0 or -1 with err. */
static int parse_template(struct entry *e, const char *resource,
                          struct err *err)
{
    const char *p = resource;

    if (*p != '/')
        return err_set(err, ERR_CONFIG,
                       "bad resource template \"%s\": must start with '/'",
                       resource);
    e->segs = xcalloc(MAX_SEGMENTS, sizeof *e->segs);
    if (strcmp(resource, "/") == 0)
        return 0;
    while (*p == '/') {
        const char *start = ++p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - start);
        if (len == 0 || e->nsegs == MAX_SEGMENTS)
            return err_set(err, ERR_CONFIG,
                           "bad resource template \"%s\": empty segment or "
                           "too many segments",
                           resource);
        struct segment *s = &e->segs[e->nsegs++];
        if (start[0] == '{' && start[len - 1] == '}' && len > 2) {
            s->param = 1;
            s->greedy = start[len - 2] == '+';
            s->text = xstrndup(start + 1, len - 2 - (size_t)s->greedy);
            if (!*s->text || (s->greedy && *p))
                return err_set(err, ERR_CONFIG,
                               "bad resource template \"%s\": bad parameter",
                               resource);
            int nparams = 0;
            for (int i = 0; i < e->nsegs; i++)
                nparams += e->segs[i].param;
            if (nparams > ROUTE_MAX_PARAMS)
                return err_set(err, ERR_CONFIG,
                               "bad resource template \"%s\": more than %d "
                               "parameters",
                               resource, ROUTE_MAX_PARAMS);
            for (int i = 0; i < e->nsegs - 1; i++)
                if (e->segs[i].param && !strcmp(e->segs[i].text, s->text))
                    return err_set(err, ERR_CONFIG,
                                   "bad resource template \"%s\": parameter "
                                   "{%s} appears twice",
                                   resource, s->text);
        } else {
            if (memchr(start, '{', len) || memchr(start, '}', len))
                return err_set(err, ERR_CONFIG,
                               "bad resource template \"%s\": a parameter "
                               "must be a whole segment",
                               resource);
            s->text = xstrndup(start, len);
            s->len = len;
            e->literals++;
        }
    }
    return 0;
}

/* Same shape: the same literals and parameters in the same places. */
static int same_template(const struct entry *a, const struct entry *b)
{
    if (a->nsegs != b->nsegs)
        return 0;
    for (int i = 0; i < a->nsegs; i++) {
        if (a->segs[i].param != b->segs[i].param ||
            a->segs[i].greedy != b->segs[i].greedy)
            return 0;
        if (!a->segs[i].param && strcmp(a->segs[i].text, b->segs[i].text))
            return 0;
    }
    return 1;
}

int route_add(struct route_table *t, const char *method, const char *resource,
              const void *target, struct err *err)
{
    struct entry e = {0};

    if (parse_template(&e, resource, err) < 0) {
        entry_fini(&e);
        return -1;
    }
    for (int i = 0; i < t->n; i++) {
        if (same_template(&t->entries[i], &e) &&
            !strcmp(t->entries[i].route.method, method)) {
            entry_fini(&e);
            return err_set(err, ERR_CONFIG, "duplicate route %s %s", method,
                           resource);
        }
    }
    e.route.method = xstrdup(method);
    e.route.resource = xstrdup(resource);
    e.route.target = target;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 8;
        t->entries = xrealloc(t->entries, (size_t)t->cap * sizeof *t->entries);
    }
    t->entries[t->n++] = e;
    return 0;
}

/* Does path fit e? Fills the parameter spans (start, length) when it does. */
static int fits(const struct entry *e, const char *path, const char *spans[][2])
{
    const char *p = path;

    if (*p != '/')
        return 0;
    if (e->nsegs == 0)
        return strcmp(path, "/") == 0;
    for (int i = 0; i < e->nsegs; i++) {
        const struct segment *s = &e->segs[i];
        if (*p != '/')
            return 0;
        const char *start = ++p;
        if (s->greedy) {
            p += strlen(p);
        } else {
            while (*p && *p != '/')
                p++;
        }
        size_t len = (size_t)(p - start);
        if (len == 0)
            return 0;
        if (!s->param && (s->len != len || memcmp(s->text, start, len) != 0))
            return 0;
        spans[i][0] = start;
        spans[i][1] = p;
    }
    return *p == '\0';
}

enum route_result route_match(const struct route_table *t, const char *method,
                              const char *path, const struct route **route,
                              struct route_param params[ROUTE_MAX_PARAMS],
                              size_t *nparams)
{
    const char *spans[MAX_SEGMENTS][2];
    const struct entry *best = NULL;
    int path_seen = 0;

    *route = NULL;
    *nparams = 0;
    for (int i = 0; i < t->n; i++) {
        const struct entry *e = &t->entries[i];
        /* the method first: it is cheaper to compare than the path */
        if (strcmp(e->route.method, method) && strcmp(e->route.method, "ANY"))
            continue;
        if (!fits(e, path, spans))
            continue;
        /* the most literal template wins; among equals, an exact method
         * beats ANY */
        if (!best || e->literals > best->literals ||
            (e->literals == best->literals &&
             !strcmp(best->route.method, "ANY")))
            best = e;
    }
    if (!best) {
        /* does the path name a resource under another method? */
        for (int i = 0; i < t->n && !path_seen; i++)
            path_seen = fits(&t->entries[i], path, spans);
        return path_seen ? ROUTE_PATH_ONLY : ROUTE_NONE;
    }
    fits(best, path, spans);
    for (int i = 0; i < best->nsegs; i++) {
        if (!best->segs[i].param || *nparams == ROUTE_MAX_PARAMS)
            continue;
        params[*nparams].name = best->segs[i].text;
        params[*nparams].value = spans[i][0];
        params[*nparams].len = (size_t)(spans[i][1] - spans[i][0]);
        (*nparams)++;
    }
    *route = &best->route;
    return ROUTE_MATCHED;
}
