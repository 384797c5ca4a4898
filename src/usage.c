/*
 * usage — API Gateway's usage plans: per key token buckets and quota
 * counters, counted in memory with atomics and saved by a flusher thread
 * through the store (store_usage.c). Not the gateway's answer (the 429s are
 * gateway's), nor where plans come from (config): this module only counts
 * and decides. See usage.h for the contract and what a kill -9 may lose.
 */
#include "usage.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- the token bucket ---------------------------------------------------- */

/* Bounds that keep tat's arithmetic inside 64 bits: tat never exceeds
 * now + (burst + 1) * interval <= now + 2^62 ns, and now (a monotonic
 * clock in ns) stays below 2^63 for 292 years of uptime. */
#define BUCKET_SPAN_MAX_NS ((uint64_t)1 << 62)
#define NS_PER_S 1e9

void usage_bucket_init(struct usage_bucket *b, double rate, unsigned burst)
{
    double cap = (double)BUCKET_SPAN_MAX_NS / ((double)burst + 1.0);
    double interval = rate > 0 ? NS_PER_S / rate : cap; /* NaN: cap too */

    if (!(interval <= cap))
        interval = cap;
    /* At least 1 ns: a bucket of capacity 0 then never holds a token. */
    if (interval < 1.0)
        interval = 1.0;
    b->interval_ns = (uint64_t)(interval + 0.5);
    b->tolerance_ns = (uint64_t)burst * b->interval_ns;
    /* A tat at or before any now is a full bucket. */
    atomic_init(&b->tat, 0);
}

/*
 * GCRA, the token bucket as one word: the bucket holds
 * (now + tolerance - tat) / interval tokens, so taking one moves tat to
 * max(tat, now) + interval, allowed while that stays within tolerance of
 * now. A refused request leaves tat alone: under overload the cache line
 * is only read.
 */
int usage_bucket_take(struct usage_bucket *b, uint64_t now_us)
{
    uint64_t now = now_us * 1000u;
    uint64_t tat = atomic_load_explicit(&b->tat, memory_order_relaxed);

    for (;;) {
        uint64_t next = (tat > now ? tat : now) + b->interval_ns;
        if (next - now > b->tolerance_ns)
            return 0;
        /* Relaxed: the bucket guards no other memory. */
        if (atomic_compare_exchange_weak_explicit(&b->tat, &tat, next,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
            return 1;
    }
}

/* --- quota periods ------------------------------------------------------- */

#define DAY_S 86400

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): no time zone, no locale, no system call. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The year and month (1-12) of day z since 1970-01-01, z >= 0. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = z / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/*
 * Periods are numbered so that a later period has a larger number: days
 * since the epoch; weeks since Monday 1969-12-29 (the epoch was a
 * Thursday, three days after a Monday); months since January of year 0.
 * Each fits in 32 bits for millions of years, so a number and a count
 * share one atomic word.
 */
static uint32_t period_of(enum usage_period p, int64_t wall_s)
{
    int64_t day = (wall_s > 0 ? wall_s : 0) / DAY_S, y;
    unsigned m;

    switch (p) {
    case USAGE_WEEK:
        return (uint32_t)((day + 3) / 7);
    case USAGE_MONTH:
        civil_from_days(day, &y, &m);
        return (uint32_t)(y * 12 + m - 1);
    case USAGE_DAY:
    default:
        return (uint32_t)day;
    }
}

static int64_t period_start_of(enum usage_period p, uint32_t id)
{
    switch (p) {
    case USAGE_WEEK:
        return ((int64_t)id * 7 - 3) * DAY_S;
    case USAGE_MONTH:
        return days_from_civil(id / 12, id % 12 + 1, 1) * DAY_S;
    case USAGE_DAY:
    default:
        return (int64_t)id * DAY_S;
    }
}

int64_t usage_period_start(enum usage_period period, int64_t wall_s)
{
    return period_start_of(period, period_of(period, wall_s));
}

/* --- plans and keys ------------------------------------------------------ */

struct plan {
    char *name;
    int has_throttle, has_quota;
    struct usage_throttle throttle;
    struct usage_quota quota;
};

/* What a key's request touches, alone on its cache line(s): two keys never
 * share a line, so two threads serving two keys never contend. */
struct hot {
    alignas(64) struct usage_bucket bucket;
    /* period number << 32 | requests counted in it */
    _Atomic uint64_t quota;
    uint32_t limit;
    uint8_t has_throttle, has_quota, period;
};

/* What configuration and the flusher use. */
struct key {
    char *id;
    size_t plan;
    uint64_t saved; /* the quota word last saved (under flush_lock) */
};

struct usage {
    struct store *store;
    struct plan *plans;
    size_t nplans;
    struct key *keys;
    size_t nkeys;
    unsigned flush_ms;

    struct hot *hot; /* nkeys of them, from usage_start */
    void *hot_block; /* hot's allocation, unaligned */
    int started;

    pthread_mutex_t flush_lock; /* one flush at a time; keys[].saved */
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond; /* on CLOCK_MONOTONIC */
    int stop;
    int flusher_running;
    pthread_t flusher;
};

#define QUOTA_WORD(period, used) ((uint64_t)(period) << 32 | (uint32_t)(used))

struct usage *usage_create(struct store *store)
{
    struct usage *u = xcalloc(1, sizeof *u);
    pthread_condattr_t attr;

    u->store = store;
    u->flush_ms = USAGE_FLUSH_INTERVAL_MS;
    pthread_mutex_init(&u->flush_lock, NULL);
    pthread_mutex_init(&u->stop_lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&u->stop_cond, &attr);
    pthread_condattr_destroy(&attr);
    return u;
}

static const struct plan *plan_find(const struct usage *u, const char *name,
                                    size_t *index)
{
    for (size_t i = 0; i < u->nplans; i++)
        if (strcmp(u->plans[i].name, name) == 0) {
            if (index)
                *index = i;
            return &u->plans[i];
        }
    return NULL;
}

int usage_add_plan(struct usage *u, const char *name,
                   const struct usage_throttle *throttle,
                   const struct usage_quota *quota, struct err *err)
{
    struct plan *p;

    assert(!u->started);
    if (!name || !*name)
        return err_set(err, ERR_CONFIG, "a usage plan needs a name");
    if (plan_find(u, name, NULL))
        return err_set(err, ERR_CONFIG, "usage plan %s is defined twice", name);
    if (throttle && !(isfinite(throttle->rate) && throttle->rate >= 0))
        return err_set(err, ERR_CONFIG,
                       "usage plan %s: the throttle's rate must be a number "
                       ">= 0",
                       name);
    if (quota && quota->limit > USAGE_QUOTA_MAX)
        return err_set(err, ERR_CONFIG,
                       "usage plan %s: the quota's limit must be at most %u",
                       name, USAGE_QUOTA_MAX);
    if (quota && quota->period != USAGE_DAY && quota->period != USAGE_WEEK &&
        quota->period != USAGE_MONTH)
        return err_set(err, ERR_CONFIG,
                       "usage plan %s: the quota's period must be DAY, WEEK "
                       "or MONTH",
                       name);
    u->plans = xrealloc(u->plans, (u->nplans + 1) * sizeof *u->plans);
    p = &u->plans[u->nplans++];
    memset(p, 0, sizeof *p);
    p->name = xstrdup(name);
    if (throttle) {
        p->has_throttle = 1;
        p->throttle = *throttle;
    }
    if (quota) {
        p->has_quota = 1;
        p->quota = *quota;
    }
    return 0;
}

int usage_find_key(const struct usage *u, const char *key_id)
{
    for (size_t i = 0; key_id && i < u->nkeys; i++)
        if (strcmp(u->keys[i].id, key_id) == 0)
            return (int)i;
    return USAGE_NO_KEY;
}

int usage_add_key(struct usage *u, const char *plan, const char *key_id,
                  struct err *err)
{
    size_t index;
    int other;

    assert(!u->started);
    if (!plan || !plan_find(u, plan, &index))
        return err_set(err, ERR_CONFIG, "no usage plan named %s",
                       plan ? plan : "(none)");
    if (!key_id || !*key_id)
        return err_set(err, ERR_CONFIG,
                       "usage plan %s: an API key needs a "
                       "name",
                       plan);
    if ((other = usage_find_key(u, key_id)) != USAGE_NO_KEY)
        return err_set(err, ERR_CONFIG,
                       "API key %s is already in usage plan %s", key_id,
                       u->plans[u->keys[other].plan].name);
    if (u->nkeys >= INT32_MAX)
        return err_set(err, ERR_CONFIG, "too many API keys");
    u->keys = xrealloc(u->keys, (u->nkeys + 1) * sizeof *u->keys);
    u->keys[u->nkeys].id = xstrdup(key_id);
    u->keys[u->nkeys].plan = index;
    u->keys[u->nkeys].saved = 0;
    return (int)u->nkeys++;
}

void usage_set_flush_interval(struct usage *u, unsigned ms)
{
    assert(!u->started);
    u->flush_ms = ms ? ms : USAGE_FLUSH_INTERVAL_MS;
}

/* --- persistence --------------------------------------------------------- */

/* The quota word a saved counter stands for in its plan, or 0 (a fresh
 * counter: period 0 is 1970, behind every current period) when it is not
 * the start of one of the plan's periods: the plan's period changed since
 * it was saved, and its count means nothing now. */
static uint64_t word_of_row(const struct plan *p,
                            const struct store_quota_count *row)
{
    uint32_t id;

    if (!row->found || row->period_start < 0)
        return 0;
    id = period_of(p->quota.period, row->period_start);
    if (period_start_of(p->quota.period, id) != row->period_start)
        return 0;
    return QUOTA_WORD(id, row->used > UINT32_MAX ? UINT32_MAX : row->used);
}

/* Read back every quota key's counter into hot[].quota and keys[].saved. */
static int counters_load(struct usage *u, struct hot *hot, struct err *err)
{
    struct store_quota_count *rows;
    size_t *which, n = 0;
    int rc = -1;

    if (!u->store || !u->nkeys)
        return 0;
    rows = xcalloc(u->nkeys, sizeof *rows);
    which = xcalloc(u->nkeys, sizeof *which);
    for (size_t i = 0; i < u->nkeys; i++) {
        const struct plan *p = &u->plans[u->keys[i].plan];
        if (!p->has_quota)
            continue;
        rows[n].plan = p->name;
        rows[n].api_key = u->keys[i].id;
        which[n++] = i;
    }
    if (store_quota_load(u->store, rows, n, err))
        goto out;
    for (size_t k = 0; k < n; k++) {
        size_t i = which[k];
        uint64_t w = word_of_row(&u->plans[u->keys[i].plan], &rows[k]);
        atomic_init(&hot[i].quota, w);
        u->keys[i].saved = w;
    }
    rc = 0;
out:
    free(which);
    free(rows);
    return rc;
}

int usage_flush(struct usage *u, struct err *err)
{
    struct store_quota_count *rows;
    uint64_t *words;
    size_t *which, n = 0;
    int rc;

    assert(u->started);
    if (!u->store || !u->nkeys)
        return 0;
    rows = xcalloc(u->nkeys, sizeof *rows);
    words = xcalloc(u->nkeys, sizeof *words);
    which = xcalloc(u->nkeys, sizeof *which);
    pthread_mutex_lock(&u->flush_lock);
    for (size_t i = 0; i < u->nkeys; i++) {
        const struct plan *p = &u->plans[u->keys[i].plan];
        uint64_t w;

        if (!p->has_quota)
            continue;
        w = atomic_load_explicit(&u->hot[i].quota, memory_order_relaxed);
        if (w == u->keys[i].saved)
            continue;
        rows[n].plan = p->name;
        rows[n].api_key = u->keys[i].id;
        rows[n].period_start =
            period_start_of(p->quota.period, (uint32_t)(w >> 32));
        rows[n].used = (uint32_t)w;
        words[n] = w;
        which[n++] = i;
    }
    rc = store_quota_save(u->store, rows, n, err);
    /* What was saved is what was read: counts taken meanwhile differ from
     * it, so the next flush saves them. */
    for (size_t k = 0; rc == 0 && k < n; k++)
        u->keys[which[k]].saved = words[k];
    pthread_mutex_unlock(&u->flush_lock);
    free(which);
    free(words);
    free(rows);
    return rc;
}

static void *flusher_main(void *arg)
{
    struct usage *u = arg;
    struct timespec until;
    int failing = 0;

    pthread_setname_np(pthread_self(), "crudd-usage");
    pthread_mutex_lock(&u->stop_lock);
    clock_gettime(CLOCK_MONOTONIC, &until);
    while (!u->stop) {
        struct err err = ERR_INIT;

        until.tv_sec += u->flush_ms / 1000;
        until.tv_nsec += (long)(u->flush_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!u->stop && pthread_cond_timedwait(&u->stop_cond, &u->stop_lock,
                                                  &until) == 0)
            ;
        if (u->stop)
            break;
        pthread_mutex_unlock(&u->stop_lock);
        /* One warning per outage, not one a second. */
        if (usage_flush(u, &err)) {
            if (!failing)
                log_warn("usage: cannot save quota counters (will retry): %s",
                         err.msg);
            failing = 1;
        } else if (failing) {
            log_info("usage: quota counters saved again");
            failing = 0;
        }
        pthread_mutex_lock(&u->stop_lock);
    }
    pthread_mutex_unlock(&u->stop_lock);
    return NULL;
}

int usage_start(struct usage *u, struct err *err)
{
    size_t n = u->nkeys ? u->nkeys : 1;
    void *block = xcalloc(n * sizeof(struct hot) + alignof(struct hot), 1);
    struct hot *hot =
        (struct hot *)(((uintptr_t)block + alignof(struct hot) - 1) &
                       ~(uintptr_t)(alignof(struct hot) - 1));

    assert(!u->started);
    for (size_t i = 0; i < u->nkeys; i++) {
        const struct plan *p = &u->plans[u->keys[i].plan];
        struct hot *h = &hot[i];

        h->has_throttle = (uint8_t)p->has_throttle;
        h->has_quota = (uint8_t)p->has_quota;
        if (p->has_throttle)
            usage_bucket_init(&h->bucket, p->throttle.rate, p->throttle.burst);
        h->limit = p->has_quota ? p->quota.limit : 0;
        h->period = (uint8_t)(p->has_quota ? p->quota.period : USAGE_DAY);
        atomic_init(&h->quota, 0);
    }
    if (counters_load(u, hot, err)) {
        free(block);
        return -1;
    }
    u->hot = hot;
    u->hot_block = block;
    u->started = 1;
    if (u->store && pthread_create(&u->flusher, NULL, flusher_main, u)) {
        u->hot = NULL;
        u->hot_block = NULL;
        u->started = 0;
        free(block);
        return err_set(err, ERR_UNAVAILABLE,
                       "cannot start the usage plans' flusher thread");
    }
    u->flusher_running = u->store != NULL;
    return 0;
}

/* --- admission ----------------------------------------------------------- */

/* Count one request against h's quota in period now, exactly: a counter
 * from an earlier period starts over, and the word is only written when
 * the request is admitted. A period behind the counter's (the wall clock
 * stepped back) counts against the counter's, so a clock step never hands
 * out a second quota. */
static int quota_take(struct hot *h, uint32_t now)
{
    uint64_t w = atomic_load_explicit(&h->quota, memory_order_relaxed);

    for (;;) {
        uint32_t period = (uint32_t)(w >> 32), used = (uint32_t)w;
        if (now > period) {
            period = now;
            used = 0;
        }
        if (used >= h->limit)
            return 0;
        if (atomic_compare_exchange_weak_explicit(
                &h->quota, &w, QUOTA_WORD(period, used + 1),
                memory_order_relaxed, memory_order_relaxed))
            return 1;
    }
}

static int64_t wall_now(void)
{
    struct timespec ts;

    /* vDSO: no system call. */
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

enum usage_verdict usage_admit_at(struct usage *u, int key, uint64_t now_us,
                                  int64_t wall_s)
{
    struct hot *h;

    if (key == USAGE_NO_KEY)
        return USAGE_OK;
    assert(u->started && key >= 0 && (size_t)key < u->nkeys);
    h = &u->hot[key];
    if (h->has_throttle && !usage_bucket_take(&h->bucket, now_us))
        return USAGE_THROTTLED;
    if (h->has_quota &&
        !quota_take(h, period_of((enum usage_period)h->period, wall_s)))
        return USAGE_QUOTA_EXCEEDED;
    return USAGE_OK;
}

enum usage_verdict usage_admit(struct usage *u, int key, uint64_t now_us)
{
    if (key == USAGE_NO_KEY)
        return USAGE_OK;
    assert(u->started && key >= 0 && (size_t)key < u->nkeys);
    /* The wall clock is read only for a key with a quota. */
    return usage_admit_at(u, key, now_us,
                          u->hot[key].has_quota ? wall_now() : 0);
}

long long usage_remaining_at(struct usage *u, int key, int64_t wall_s)
{
    const struct hot *h;
    uint64_t w;
    uint32_t used;

    if (key == USAGE_NO_KEY)
        return -1;
    assert(u->started && key >= 0 && (size_t)key < u->nkeys);
    h = &u->hot[key];
    if (!h->has_quota)
        return -1;
    w = atomic_load_explicit(&h->quota, memory_order_relaxed);
    used = (uint32_t)w;
    if (period_of((enum usage_period)h->period, wall_s) > (uint32_t)(w >> 32))
        used = 0; /* a new period, not counted yet */
    return used >= h->limit ? 0 : (long long)(h->limit - used);
}

long long usage_remaining(struct usage *u, int key)
{
    return usage_remaining_at(u, key, wall_now());
}

/* --- the end ------------------------------------------------------------- */

void usage_free(struct usage *u)
{
    struct err err = ERR_INIT;

    if (!u)
        return;
    if (u->flusher_running) {
        pthread_mutex_lock(&u->stop_lock);
        u->stop = 1;
        pthread_cond_signal(&u->stop_cond);
        pthread_mutex_unlock(&u->stop_lock);
        pthread_join(u->flusher, NULL);
    }
    if (u->started && usage_flush(u, &err))
        log_warn("usage: quota counters not saved at stop: %s", err.msg);
    for (size_t i = 0; i < u->nkeys; i++)
        free(u->keys[i].id);
    free(u->keys);
    for (size_t i = 0; i < u->nplans; i++)
        free(u->plans[i].name);
    free(u->plans);
    free(u->hot_block);
    pthread_cond_destroy(&u->stop_cond);
    pthread_mutex_destroy(&u->stop_lock);
    pthread_mutex_destroy(&u->flush_lock);
    free(u);
}
