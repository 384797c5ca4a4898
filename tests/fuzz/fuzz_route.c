/*
 * fuzz_route — the route matcher, and the template parser behind route_add.
 *
 * Input: "<method>\n<path>[\n<template>]". The method and path are matched
 * against a fixed table (literal, {param} and greedy {param+} routes, ANY);
 * a third line is added as one more template (with the method) to a fresh
 * copy of that table, which must refuse it or match the same way.
 *
 * Properties: nothing crashes or leaks; a match comes with its route, a
 * method that is the route's or ANY, and parameters inside the path which,
 * put back into the template, give the path again; the other results have
 * no route and no parameters.
 */
#include "buf.h"
#include "err.h"
#include "route.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const routes[][2] = {
    {"GET", "/"},
    {"GET", "/items"},
    {"POST", "/items"},
    {"GET", "/items/{id}"},
    {"PUT", "/items/{id}"},
    {"PATCH", "/items/{id}"},
    {"DELETE", "/items/{id}"},
    {"GET", "/items/special"},
    {"GET", "/items/{id}/tags/{tag}"},
    {"ANY", "/items/{id}/tags"},
    {"POST", "/DynamoDBManager"},
    {"GET", "/files/{path+}"},
    {"ANY", "/{proxy+}"},
    {"GET", "/a/{b}/c/{d}/e/{f}/g/{h}/i/{j}/k/{l}/m/{n}/o/{p}/q/{r}/s/{t}/"
            "u/{v}/w/{x}/y/{z}/{aa}/{bb}/{cc}"},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static struct route_table *fixed;

static struct route_table *table(void)
{
    struct route_table *t = route_table_create();
    struct err err = ERR_INIT;

    for (size_t i = 0; i < NROUTES; i++) {
        if (route_add(t, routes[i][0], routes[i][1], routes[i], &err) < 0) {
            fprintf(stderr, "fuzz_route fixture: %s\n", err.msg);
            abort();
        }
    }
    return t;
}

/* The template with each parameter replaced by its value. */
static void rebuild(struct buf *b, const char *resource,
                    const struct route_param *params, size_t nparams)
{
    const char *p = resource;
    size_t k = 0;

    if (!strcmp(resource, "/")) {
        buf_puts(b, "/");
        return;
    }
    while (*p == '/') {
        const char *start = ++p;
        while (*p && *p != '/')
            p++;
        buf_puts(b, "/");
        if (*start == '{') {
            assert(k < nparams);
            buf_append(b, params[k].value, params[k].len);
            k++;
        } else {
            buf_append(b, start, (size_t)(p - start));
        }
    }
    assert(k == nparams);
}

static void check(const struct route_table *t, const char *method,
                  const char *path)
{
    struct route_param params[ROUTE_MAX_PARAMS];
    const struct route *r = (const struct route *)1;
    size_t nparams = 99, plen = strlen(path);
    enum route_result res = route_match(t, method, path, &r, params, &nparams);

    if (res != ROUTE_MATCHED) {
        assert(res == ROUTE_PATH_ONLY || res == ROUTE_NONE);
        assert(r == NULL && nparams == 0);
        return;
    }
    assert(r && nparams <= ROUTE_MAX_PARAMS);
    assert(!strcmp(r->method, method) || !strcmp(r->method, "ANY"));
    for (size_t i = 0; i < nparams; i++) {
        assert(params[i].name && params[i].name[0]);
        assert(params[i].value >= path && params[i].len > 0 &&
               params[i].value + params[i].len <= path + plen);
    }
    struct buf b;
    buf_init(&b);
    rebuild(&b, r->resource, params, nparams);
    if (b.len != plen || memcmp(b.data, path, plen) != 0) {
        fprintf(stderr, "%s %s matched %s, which rebuilds as %s\n", method,
                path, r->resource, b.data);
        abort();
    }
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *method, *path, *tmpl;

    if (!fixed)
        fixed = table();
    memcpy(text, data, size);
    text[size] = '\0'; /* the request's strings end at a NUL anyway */
    method = text;
    path = strchr(text, '\n');
    if (!path)
        goto out;
    *path++ = '\0';
    tmpl = strchr(path, '\n');
    if (tmpl)
        *tmpl++ = '\0';

    check(fixed, method, path);
    if (tmpl) {
        struct route_table *t = table();
        struct err err = ERR_INIT;
        if (route_add(t, method, tmpl, NULL, &err) < 0)
            assert(err.kind == ERR_CONFIG && err.msg[0]);
        check(t, method, path);
        route_table_free(t);
    }
out:
    free(text);
    return 0;
}
