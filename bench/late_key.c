/*
 * late_key — what a Query or Scan page costs when its ExclusiveStartKey lies
 * late in its order, against the first page (issue 12, finding 3: a late
 * key cost O(its position)). One-item pages (Limit 1) of a table of N items
 * in one partition, with a global index over all of them:
 *
 *   late_key [--items N]    (default 100000)
 *
 *   scan         Scan of the table, from a key N - 10 items into its order
 *   index scan   Scan of the index, likewise
 *   query        Query sk >= 0, from the key at N - 10
 *   index query  Query of the index with a range, from its entry at N - 10
 *
 * Each figure is the median time of 501 pages, and the page's SQLite VM
 * steps (store_read_steps, the cost without a clock). The first line is
 * the one to quote:
 *   late_key: late/first page 1.0x (scan), 1.0x (query), 100000 items
 * A ratio over 3 is a WARN line; exit 1 only when it cannot run. Built with
 * the library objects, as the unit tests are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define PAGES 501
#define RATIO_MAX 3.0

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int put(void *ctx, const json_t *old_item, const char *old_etag,
               json_t **new_item, struct err *err)
{
    (void)old_item;
    (void)old_etag;
    (void)err;
    *new_item = json_incref(ctx);
    return 0;
}

struct page {
    const char *what;
    int scan;
    const char *index;
    double ns[2];             /* median: first page, late page */
    unsigned long long vm[2]; /* VM steps of one page */
};

/* One page of p from start (NULL: the first page) with limit; *last (if
 * not NULL) gets the page's last key. -1 on a store error. */
static int read1(struct store *s, const struct page *p, const json_t *start,
                 size_t limit, json_t **last, struct err *err)
{
    json_t *items = NULL, *lk = NULL;
    int rc;

    if (p->scan) {
        struct store_scan_request r = {.table = "Late",
                                       .index = p->index,
                                       .exclusive_start_key = start,
                                       .limit = limit,
                                       .last_key_rule =
                                           STORE_LAST_KEY_IF_STOPPED};
        rc = store_scan_segment(s, &r, &items, &lk, err);
    } else {
        json_t *part = json_pack("{s:s}", "S", p->index ? "x" : "p");
        json_t *zero = json_pack("{s:s}", "N", "0");
        struct store_query q = {.table = "Late",
                                .index = p->index,
                                .partition_value = part,
                                .sort_op = STORE_SORT_GE,
                                .sort_value = zero,
                                .forward = 1,
                                .exclusive_start_key = start,
                                .limit = limit,
                                .last_key_rule = STORE_LAST_KEY_IF_STOPPED};
        rc = store_query(s, &q, &items, &lk, err);
        json_decref(part);
        json_decref(zero);
    }
    json_decref(items);
    if (last)
        *last = lk;
    else
        json_decref(lk);
    return rc;
}

static int measure(struct store *s, struct page *p, size_t n, struct err *err)
{
    static double t[PAGES];
    json_t *late = NULL;
    int rc = -1;

    if (read1(s, p, NULL, n - 10, &late, err))
        goto out;
    for (int w = 0; w < 2; w++) {
        const json_t *start = w ? late : NULL;
        unsigned long long v0 = store_read_steps(s);
        if (read1(s, p, start, 1, NULL, err))
            goto out;
        p->vm[w] = store_read_steps(s) - v0;
        for (int i = 0; i < PAGES; i++) {
            double t0 = now_ns();
            if (read1(s, p, start, 1, NULL, err))
                goto out;
            t[i] = now_ns() - t0;
        }
        qsort(t, PAGES, sizeof t[0], cmp);
        p->ns[w] = t[PAGES / 2];
    }
    rc = 0;
out:
    json_decref(late);
    return rc;
}

int main(int argc, char **argv)
{
    struct store_index_spec gsi = {.name = "byg",
                                   .kind = STORE_INDEX_GLOBAL,
                                   .key = {"g", 'S', "r", 'N'},
                                   .projection = STORE_PROJECTION_KEYS_ONLY};
    struct store_key_schema ks = {"pk", 'S', "sk", 'N'};
    struct page pages[] = {{"scan", 1, NULL, {0}, {0}},
                           {"index scan", 1, "byg", {0}, {0}},
                           {"query", 0, NULL, {0}, {0}},
                           {"index query", 0, "byg", {0}, {0}}};
    const size_t npages = sizeof pages / sizeof pages[0];
    struct err err = ERR_INIT;
    struct store *s = NULL;
    long n = 100000;
    int warn = 0, rc = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--items") == 0 && i + 1 < argc) {
            n = strtol(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: late_key [--items N]\n");
            return 2;
        }
    }
    if (n < 100 || n > 10000000) {
        fprintf(stderr, "late_key: --items must be 100 to 10000000\n");
        return 2;
    }
    if (!(s = store_open(":memory:", 1, STORE_DURABILITY_NORMAL, &err)) ||
        store_create_table_indexed(s, "Late", &ks, &gsi, 1, &err))
        goto out;
    for (long i = 0; i < n; i++) {
        char num[24];
        snprintf(num, sizeof num, "%ld", i);
        json_t *item =
            json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "pk", "S", "p",
                      "sk", "N", num, "g", "S", "x", "r", "N", num);
        json_t *key =
            json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "p", "sk", "N", num);
        int bad = store_mutate_item(s, "Late", key, put, item, NULL, &err);
        json_decref(key);
        json_decref(item);
        if (bad)
            goto out;
    }
    for (size_t i = 0; i < npages; i++)
        if (measure(s, &pages[i], (size_t)n, &err))
            goto out;
    printf("late_key: late/first page %.1fx (scan), %.1fx (query), %ld "
           "items\n",
           pages[0].ns[1] / pages[0].ns[0], pages[2].ns[1] / pages[2].ns[0], n);
    for (size_t i = 0; i < npages; i++) {
        struct page *p = &pages[i];
        double ratio = p->ns[1] / p->ns[0];
        printf("  %-11s first %7.1f us (%llu VM steps), late %7.1f us (%llu "
               "VM steps): %.1fx\n",
               p->what, p->ns[0] / 1000, p->vm[0], p->ns[1] / 1000, p->vm[1],
               ratio);
        if (ratio > RATIO_MAX) {
            printf("WARN: a late %s page costs %.1fx the first (target <= "
                   "%.0fx)\n",
                   p->what, ratio, RATIO_MAX);
            warn = 1;
        }
    }
    if (!warn)
        printf("PASS: every late page within %.0fx the first\n", RATIO_MAX);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "late_key: %s\n", err.msg);
    store_close(s);
    return rc;
}
