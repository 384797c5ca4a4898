/*
 * throttle — what a usage plan costs a request: nanoseconds per
 * usage_admit at steady state, on one thread and on two threads hammering
 * the same API key (the worst case: both on one cache line).
 *
 *   throttle [--requests N]    (N per thread, default 5000000)
 *
 * Each call is usage_admit(u, key, clock_now_us()), as the gateway makes
 * it, so the monotonic clock read is included, and the wall clock read a
 * quota needs. Paths measured:
 *
 *   admitted   a plan with a throttle (1e9 requests/s) and a quota (a
 *              month of USAGE_QUOTA_MAX): every request takes a token
 *              and counts, two compare-and-swaps
 *   throttled  a plan with a throttle of 1 request/s: every request but
 *              the first is refused, reading the bucket only
 *
 * The first line is the one to quote:
 *   throttle: 38 ns/request (1 thread), 61 ns/request (2 threads)
 * (the admitted path; ns/request is the time one caller waits per call).
 * Exits 1 if any figure is 1 µs or more, the budget of the request path.
 * Built with the library objects, as the unit tests are.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "usage.h"

#define THREADS_MAX 2
#define BUDGET_NS 1000.0

struct worker {
    struct usage *u;
    int key;
    long n;
    long ok;
};

static pthread_barrier_t start_line;

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    long ok = 0;

    /* Warm up: caches, the vDSO page, the bucket's steady state. */
    for (long i = 0; i < w->n / 10; i++)
        usage_admit(w->u, w->key, clock_now_us());
    pthread_barrier_wait(&start_line);
    for (long i = 0; i < w->n; i++)
        ok += usage_admit(w->u, w->key, clock_now_us()) == USAGE_OK;
    w->ok = ok;
    return NULL;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Run nthreads callers of key, n calls each; ns per call as one caller
 * sees it, and the share admitted. The barrier has nthreads + 1 parties:
 * the clock starts when every worker is warm. */
static double run(struct usage *u, int key, int nthreads, long n,
                  double *admitted)
{
    pthread_t th[THREADS_MAX];
    struct worker w[THREADS_MAX];
    double t0, t1;
    long ok = 0;

    pthread_barrier_init(&start_line, NULL, (unsigned)nthreads + 1);
    for (int i = 0; i < nthreads; i++) {
        w[i] = (struct worker){u, key, n, 0};
        if (pthread_create(&th[i], NULL, worker_main, &w[i])) {
            fprintf(stderr, "throttle: cannot start a thread\n");
            exit(2);
        }
    }
    pthread_barrier_wait(&start_line);
    t0 = now_ns();
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
    }
    t1 = now_ns();
    pthread_barrier_destroy(&start_line);
    *admitted = (double)ok / ((double)n * nthreads);
    return (t1 - t0) / (double)n;
}

int main(int argc, char **argv)
{
    struct usage_throttle fast = {1e9, 1000000}, slow = {1, 1};
    struct usage_quota month = {USAGE_QUOTA_MAX, USAGE_MONTH};
    struct err err = ERR_INIT;
    struct usage *u;
    long n = 5000000;
    int admit_key[THREADS_MAX + 1], refuse_key[THREADS_MAX + 1];
    double ns[2][THREADS_MAX + 1], share[2][THREADS_MAX + 1];
    int over = 0, rc = 2;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
            n = strtol(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: throttle [--requests N]\n");
            return 2;
        }
    }
    /* The quota must hold every admitted request of the runs. */
    if (n < 1 || n > (long)USAGE_QUOTA_MAX / 4) {
        fprintf(stderr, "throttle: --requests must be 1 to %ld\n",
                (long)USAGE_QUOTA_MAX / 4);
        return 2;
    }

    /* No store: persistence is off the request path either way. A fresh
     * key per run, so that no run starts on another's counters. */
    u = usage_create(NULL);
    if (usage_add_plan(u, "admitted", &fast, &month, &err) ||
        usage_add_plan(u, "throttled", &slow, NULL, &err))
        goto out;
    for (int t = 1; t <= THREADS_MAX; t++) {
        char name[32];

        snprintf(name, sizeof name, "admit-%d", t);
        if ((admit_key[t] = usage_add_key(u, "admitted", name, &err)) < 0)
            goto out;
        snprintf(name, sizeof name, "refuse-%d", t);
        if ((refuse_key[t] = usage_add_key(u, "throttled", name, &err)) < 0)
            goto out;
    }
    if (usage_start(u, &err))
        goto out;

    for (int t = 1; t <= THREADS_MAX; t++) {
        ns[0][t] = run(u, admit_key[t], t, n, &share[0][t]);
        ns[1][t] = run(u, refuse_key[t], t, n, &share[1][t]);
        over |= ns[0][t] >= BUDGET_NS || ns[1][t] >= BUDGET_NS;
    }
    printf("throttle: %.0f ns/request (1 thread), %.0f ns/request "
           "(2 threads)\n",
           ns[0][1], ns[0][2]);
    for (int t = 1; t <= THREADS_MAX; t++)
        printf("  %d thread%s, one key: admitted path %.1f ns (%.1f%% "
               "admitted), throttled path %.1f ns (%.1f%% admitted)\n",
               t, t > 1 ? "s" : " ", ns[0][t], 100 * share[0][t], ns[1][t],
               100 * share[1][t]);
    printf("  %ld requests per thread per run; each call includes "
           "clock_now_us()\n",
           n);
    if (over)
        fprintf(stderr, "throttle: FAIL: a path costs 1 us or more\n");
    rc = over;
out:
    if (rc == 2)
        fprintf(stderr, "throttle: %s\n", err.msg);
    usage_free(u);
    return rc;
}
